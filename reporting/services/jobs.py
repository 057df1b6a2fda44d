"""Writes for reports: request, run (claim → render → store), reconcile, delete.

The ReportJob row is the source of truth. A Celery message only says "work on
job N"; it may be lost (Redis restarted without persistence), delivered twice,
or die with its worker. Hence:

* the job is created and sent in one transaction (sent on commit);
* a worker claims it with a conditional UPDATE, so a second delivery is a no-op;
* while it works, a heartbeat thread renews the worker's lease every
  ``REPORT_HEARTBEAT_SECONDS``; a job whose lease ran out is taken to be lost,
  and every write of the old holder is conditional on still holding the lease,
  so it can never finish a job someone else took over;
* the reconciler (every ``REPORT_RECONCILE_INTERVAL_SECONDS``) re-sends pending
  jobs and lost ones, and fails a job after ``REPORT_MAX_ATTEMPTS`` attempts
  with its reason.

Timing with the defaults (lease 30 s, heartbeat 10 s, reconciler every 20 s):
a job whose worker died is sent again at most ~50 s after its last heartbeat.

Attempts count claims. A failure caused by a transient database error
(``OperationalError``/``InterfaceError``: a dropped connection, a restarted
server, SQLite's "database is locked") is not the document's fault, so that
attempt is given back when the job is requeued — at most
``REPORT_MAX_ATTEMPTS`` times per job, so a query that fails this way every
time still ends as a failure instead of looping for ever.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.committees import access, audit
from campaign.committees.access import Actor, Capability
from campaign.committees.choices import AuditAction
from campaign.committees.models import User
from reporting import documents, selectors
from reporting.choices import UNFINISHED_STATUSES, FailureReason, ReportStatus
from reporting.kinds import get_kind
from reporting.models import ReportJob

logger = logging.getLogger(__name__)

# The technical detail kept in ``ReportJob.error`` for staff; users read the
# translated ``FailureReason`` instead.
WORKER_LOST_DETAIL = (
    "The report could not be finished: the worker stopped {attempts} times while "
    "preparing it."
)
NEVER_STARTED_DETAIL = (
    "The report could not be started after {attempts} attempts; the queue did not "
    "deliver it."
)

UNFINISHED_NOT_DELETABLE = _(
    "This report is still being prepared and cannot be deleted yet. Wait until it "
    "is ready or has failed."
)

# Errors of the database itself, not of the document: the attempt is given back.
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)
# The parameters or the requester's access no longer allow the report: trying
# again cannot help, so the job fails at once.
INVALID_ERRORS = (ValidationError, Http404, PermissionDenied)
# Pauses before the retries of writing a failure (seconds): long enough for a
# dropped connection to be replaced, short enough to stay well inside a lease.
RECORD_FAILURE_BACKOFF = (0.2, 0.5, 1.0)


class LeaseLost(Exception):
    """Another worker took the job over; this one must stop without writing."""


# --- Request ----------------------------------------------------------------------


def _send(job_id: int) -> None:
    # Imported here: tasks import this module.
    from reporting.tasks import report_render as report_render_task

    report_render_task.delay(job_id)


def _send_on_commit(job_id: int) -> None:
    # robust: a broker that is down must not turn a saved request into an error
    # page; the job stays pending and the reconciler sends it again.
    def send_report_job() -> None:
        _send(job_id)

    transaction.on_commit(send_report_job, robust=True)


def params_key(*, kind: str, params: dict) -> str:
    """The parameters in canonical JSON, hashed: equal for equal requests."""
    canonical = json.dumps(
        {"kind": kind, "params": params}, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def report_request(*, kind: str, data: Mapping, by: User) -> ReportJob:
    """Check the request as ``by`` (capability, parameters, scope), record it
    and queue it; returns at once. The same person asking for the same
    report while it is still being prepared gets that job back, not a second
    one — also when both requests arrive at the same moment."""
    spec = get_kind(kind)
    access.require(by, spec.capability)
    params = spec.clean(data=data, user=by)
    key = params_key(kind=kind, params=params)
    scope = params.get("scope")
    try:
        with transaction.atomic():
            job = ReportJob.objects.create(
                kind=kind,
                params=params,
                params_key=key,
                scope_committee_id=scope,
                requested_by=by,
                enqueued_at=timezone.now(),
            )
            _send_on_commit(job.pk)
    except IntegrityError:
        running = ReportJob.objects.filter(
            requested_by=by, params_key=key, status__in=UNFINISHED_STATUSES
        ).first()
        if running is None:  # finished in between: ask again
            return report_request(kind=kind, data=data, by=by)
        # Told to the view (not a field): the user's unfinished job is reused.
        running.reused = True  # type: ignore[attr-defined]
        return running
    job.reused = False  # type: ignore[attr-defined]
    return job


def report_build_pdf(*, kind: str, data: Mapping, by: Actor) -> tuple[bytes, dict]:
    """The same document the worker builds, synchronously (``render_report``):
    the PDF and the parameters it was built from."""
    from reporting.pdf import render_pdf

    spec = get_kind(kind)
    params = spec.clean(data=data, user=by)
    job = ReportJob(kind=kind, params=params)
    html = documents.render_job_html(job, by)
    return render_pdf(html, archival=params.get("archival", False)), params


# --- Lease --------------------------------------------------------------------------


def _lease_until(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(seconds=settings.REPORT_LEASE_SECONDS)


def heartbeat_seconds() -> float:
    """How often a working job renews its lease: ``REPORT_HEARTBEAT_SECONDS``,
    or a third of the lease when that is 0 — so two beats in a row may fail
    (a database hiccup) before the lease runs out."""
    return settings.REPORT_HEARTBEAT_SECONDS or settings.REPORT_LEASE_SECONDS / 3


def _claim(job_id: int) -> uuid.UUID | None:
    now = timezone.now()
    token = uuid.uuid4()
    claimed = (
        ReportJob.objects.filter(pk=job_id, attempts__lt=settings.REPORT_MAX_ATTEMPTS)
        .filter(
            Q(status=ReportStatus.PENDING)
            | Q(status=ReportStatus.RUNNING, lease_until__lt=now)
        )
        .update(
            status=ReportStatus.RUNNING,
            attempts=F("attempts") + 1,
            lease_token=token,
            lease_until=_lease_until(now),
            heartbeat_at=now,
            started_at=now,
            progress=5,
        )
    )
    return token if claimed == 1 else None


def _held(job_id: int, token: uuid.UUID) -> Q:
    return Q(pk=job_id, lease_token=token, status=ReportStatus.RUNNING)


def _renew(job_id: int, token: uuid.UUID, **fields: object) -> bool:
    """Renew the lease if this worker still holds it; ``False`` when it was
    taken over (or the job is no longer running)."""
    now = timezone.now()
    renewed = ReportJob.objects.filter(_held(job_id, token)).update(
        lease_until=_lease_until(now), heartbeat_at=now, **fields
    )
    return renewed == 1


class Heartbeat:
    """Renews a job's lease from a thread of its own while the worker's main
    thread renders: WeasyPrint may take longer than a lease, and the main
    thread cannot write while it is inside it.

    The thread has its own database connection (Django's connections are per
    thread) and closes it when it stops. A renewal that fails with a database
    error is logged and tried again at the next beat (SQLite may answer
    "database is locked" while the main thread writes; a PostgreSQL
    connection may drop): the lease is three beats long by default, so two
    missed beats in a row lose nothing. A renewal that finds the lease gone sets
    ``lost`` and stops: the main thread then raises ``LeaseLost`` at its next
    checkpoint, and its final write is conditional on the lease anyway.
    """

    def __init__(self, *, job_id: int, token: uuid.UUID, interval: float):
        self.job_id = job_id
        self.token = token
        self.interval = interval
        self.lost = threading.Event()
        self.beats = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"report-heartbeat-{job_id}", daemon=True
        )

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            # A renewal may be waiting on the database (a lock, a timeout);
            # never let it hold the worker for longer than a lease. The thread
            # is a daemon and closes its connection when the wait ends.
            self._thread.join(timeout=settings.REPORT_LEASE_SECONDS)
            if self._thread.is_alive():
                logger.warning(
                    "Report job %s: heartbeat still busy after stopping.", self.job_id
                )

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        try:
            while not self._stopping.wait(self.interval):
                try:
                    held = _renew(self.job_id, self.token)
                except TRANSIENT_DB_ERRORS:
                    logger.warning(
                        "Report job %s: heartbeat could not renew the lease; "
                        "trying again at the next beat.",
                        self.job_id,
                        exc_info=True,
                    )
                    # A broken connection is replaced at the next beat.
                    connection.close()
                    continue
                if not held:
                    if self._stopping.is_set():
                        return  # the main thread finished the job meanwhile
                    logger.warning(
                        "Report job %s: heartbeat found the lease taken over.",
                        self.job_id,
                    )
                    self.lost.set()
                    return
                self.beats += 1
        finally:
            # Only this thread's connections: Django keeps one set per thread.
            connections.close_all()


class _NoHeartbeat:
    """Stands in for ``Heartbeat`` where no thread is started (see
    ``_start_heartbeat``): never beats, never loses the lease by itself."""

    running = False

    def __init__(self) -> None:
        self.lost = threading.Event()
        self.beats = 0

    def stop(self) -> None:
        pass


def _start_heartbeat(job_id: int, token: uuid.UUID) -> Heartbeat | _NoHeartbeat:
    if connection.in_atomic_block:
        # The caller's transaction is still open (a test case, or a caller
        # that wrapped the run in atomic()): the claim is not committed, so no
        # one else can see the job, let alone take it over; and on PostgreSQL
        # a second connection would only wait on this transaction's own row
        # lock. The final writes are conditional on the lease all the same.
        return _NoHeartbeat()
    return Heartbeat(job_id=job_id, token=token, interval=heartbeat_seconds()).start()


def _advance(
    job_id: int,
    token: uuid.UUID,
    progress: int,
    heartbeat: Heartbeat | _NoHeartbeat,
) -> None:
    """A checkpoint: record progress (renewing the lease); stop if the job was
    taken over, whether the heartbeat or this write notices it."""
    if heartbeat.lost.is_set() or not _renew(job_id, token, progress=progress):
        raise LeaseLost(job_id)


def _injected_delay() -> None:
    """Fault injection for the reliability tests: the render takes this much
    longer. A plain sleep: only the heartbeat may keep the lease meanwhile."""
    if settings.REPORT_RENDER_DELAY_SECONDS:
        time.sleep(settings.REPORT_RENDER_DELAY_SECONDS)


# --- Run ----------------------------------------------------------------------------


def report_job_run(*, job_id: int) -> ReportJob | None:
    """Claim job ``job_id``, render it and store the file.

    Safe to call any number of times: only the caller that claims the job works
    on it. Returns the job as it stands afterwards (done, failed or back in the
    queue), or ``None`` when there was nothing to do or the job was taken over.
    """
    from reporting.pdf import render_pdf

    token = _claim(job_id)
    if token is None:
        logger.info(
            "Report job %s: not claimable (done, running or exhausted).", job_id
        )
        return None
    heartbeat = _start_heartbeat(job_id, token)
    stored_name = ""
    try:
        try:
            job = ReportJob.objects.select_related("requested_by").get(pk=job_id)
            _advance(job_id, token, 10, heartbeat)
            # The context is read as the person who asked: their scope, not the
            # worker's (which has none).
            html = documents.render_job_html(job, job.requested_by)
            _advance(job_id, token, 30, heartbeat)
            _injected_delay()
            pdf = render_pdf(html, archival=job.params.get("archival", False))
            _advance(job_id, token, 85, heartbeat)
            stored_name = default_storage.save(
                job.file.field.generate_filename(job, f"{job.public_id}.pdf"),
                ContentFile(pdf),
            )
            finished = ReportJob.objects.filter(_held(job_id, token)).update(
                status=ReportStatus.DONE,
                progress=100,
                file=stored_name,
                file_size=len(pdf),
                sha256=hashlib.sha256(pdf).hexdigest(),
                error="",
                error_code="",
                error_params={},
                lease_token=None,
                lease_until=None,
                heartbeat_at=timezone.now(),
                finished_at=timezone.now(),
            )
            if finished != 1:
                raise LeaseLost(job_id)
        except LeaseLost:
            logger.warning(
                "Report job %s was taken over; dropping this attempt.", job_id
            )
            if stored_name:
                default_storage.delete(stored_name)
            return None
        except Exception as error:  # noqa: BLE001 - any failure is recorded on the job
            logger.exception("Report job %s failed.", job_id)
            if stored_name:
                _discard_unreferenced_file(job_id, stored_name)
            _record_failure(job_id, token, error)
    finally:
        heartbeat.stop()
    try:
        return ReportJob.objects.get(pk=job_id)
    except TRANSIENT_DB_ERRORS:
        # What happened is on the job (or, if even that failed, the
        # reconciler takes over); the caller has nothing more to learn.
        return None


def _discard_unreferenced_file(job_id: int, name: str) -> None:
    """Delete a file written by a failed attempt — unless the job points at
    it: the final UPDATE may have been committed before the connection broke
    (the error then says nothing about the write). A stray file is better
    than a finished report without its file, so when the database cannot say,
    the file stays."""
    try:
        referenced = ReportJob.objects.filter(pk=job_id, file=name).exists()
    except TRANSIENT_DB_ERRORS:
        logger.warning(
            "Report job %s: keeping %s (database unavailable).", job_id, name
        )
        return
    if not referenced:
        default_storage.delete(name)


def _failure_code(error: BaseException) -> str:
    if isinstance(error, INVALID_ERRORS):
        return FailureReason.INVALID
    if isinstance(error, SoftTimeLimitExceeded):
        return FailureReason.TIMED_OUT
    return FailureReason.RENDER_FAILED


def _discard_connection() -> None:
    """Drop this thread's connection so the next query opens a fresh one —
    except inside a caller's transaction (a test case), which closing would
    break; the caller owns that connection."""
    if not connection.in_atomic_block:
        connection.close()


def _record_failure(job_id: int, token: uuid.UUID, error: Exception) -> None:
    """Write what happened to this attempt, retrying with a fresh connection.

    If every try fails (the database is down), the job is left as it is —
    running, with this worker's token — and the heartbeat stops with the run:
    once the lease runs out the reconciler sends the job again, and its next
    claim counts a new attempt. The attempt count stays honest either way:
    it is given back only by a write conditional on this worker's lease token,
    which can succeed at most once per claim, and if that write never happens
    the attempt counts like any other interrupted one.
    """
    technical = f"{type(error).__name__}: {error}"[:1000]
    if isinstance(error, TRANSIENT_DB_ERRORS):
        _discard_connection()  # the error most likely broke it
    for pause in (0.0, *RECORD_FAILURE_BACKOFF):
        if pause:
            time.sleep(pause)
        try:
            _write_failure(job_id, token, error, technical)
            return
        except TRANSIENT_DB_ERRORS:
            logger.warning(
                "Report job %s: could not record the failure; trying again.",
                job_id,
                exc_info=True,
            )
            _discard_connection()
    logger.error(
        "Report job %s: the failure could not be recorded; the job stays as it "
        "is and the reconciler sends it again once its lease runs out.",
        job_id,
    )


def _write_failure(
    job_id: int, token: uuid.UUID, error: Exception, technical: str
) -> None:
    job = (
        ReportJob.objects.filter(_held(job_id, token))
        .only("attempts", "error_params")
        .first()
    )
    if job is None:  # taken over meanwhile: the new holder decides
        return
    code = _failure_code(error)
    database_errors = int(job.error_params.get("database_errors", 0))
    give_back = (
        isinstance(error, TRANSIENT_DB_ERRORS)
        and database_errors < settings.REPORT_MAX_ATTEMPTS
    )
    if give_back:
        with transaction.atomic():
            requeued = ReportJob.objects.filter(_held(job_id, token)).update(
                status=ReportStatus.PENDING,
                attempts=F("attempts") - 1,
                error=technical,
                error_params={"database_errors": database_errors + 1},
                lease_token=None,
                lease_until=None,
                enqueued_at=timezone.now(),
            )
            if requeued == 1:
                _send_on_commit(job_id)
        return
    if code == FailureReason.INVALID or job.attempts >= settings.REPORT_MAX_ATTEMPTS:
        ReportJob.objects.filter(_held(job_id, token)).update(
            status=ReportStatus.FAILED,
            error=technical,
            error_code=code,
            error_params={"attempts": job.attempts},
            lease_token=None,
            lease_until=None,
            finished_at=timezone.now(),
        )
        return
    # Back to the queue for another attempt.
    with transaction.atomic():
        requeued = ReportJob.objects.filter(_held(job_id, token)).update(
            status=ReportStatus.PENDING,
            error=technical,
            lease_token=None,
            lease_until=None,
            enqueued_at=timezone.now(),
        )
        if requeued == 1:
            _send_on_commit(job_id)


# --- Reconcile ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReconcileResult:
    resent: int
    failed: int


def report_jobs_reconcile(*, now: datetime.datetime | None = None) -> ReconcileResult:
    """Re-send pending jobs nobody picked up and running jobs whose worker was
    lost (lease run out: no heartbeat for a lease's length); fail those that
    used up their attempts. Run by beat every
    ``REPORT_RECONCILE_INTERVAL_SECONDS``, or by ``manage.py
    reconcile_report_jobs``."""
    now = now or timezone.now()
    max_attempts = settings.REPORT_MAX_ATTEMPTS
    stale_pending = Q(status=ReportStatus.PENDING) & (
        Q(enqueued_at__isnull=True)
        | Q(
            enqueued_at__lt=now
            - datetime.timedelta(seconds=settings.REPORT_RESEND_AFTER_SECONDS)
        )
    )
    lost_running = Q(status=ReportStatus.RUNNING, lease_until__lt=now)

    failed = 0
    for job in ReportJob.objects.filter(
        (stale_pending | lost_running) & Q(attempts__gte=max_attempts)
    ).only("pk", "status", "attempts", "error"):
        if job.status == ReportStatus.RUNNING:
            code, template = FailureReason.WORKER_LOST, WORKER_LOST_DETAIL
        else:
            code, template = FailureReason.NEVER_STARTED, NEVER_STARTED_DETAIL
        technical = template.format(attempts=job.attempts)
        if job.error:
            technical = f"{technical} {job.error}"
        failed += ReportJob.objects.filter(
            Q(pk=job.pk) & (stale_pending | lost_running)
        ).update(
            status=ReportStatus.FAILED,
            error=technical,
            error_code=code,
            error_params={"attempts": job.attempts},
            lease_token=None,
            lease_until=None,
            finished_at=now,
        )

    resent = 0
    for job_id in ReportJob.objects.filter(
        (stale_pending | lost_running) & Q(attempts__lt=max_attempts)
    ).values_list("pk", flat=True):
        with transaction.atomic():
            # A lost running job goes back to pending: its old worker, if it
            # ever wakes up, no longer holds the lease and cannot finish it.
            marked = ReportJob.objects.filter(
                Q(pk=job_id) & (stale_pending | lost_running)
            ).update(
                status=ReportStatus.PENDING,
                enqueued_at=now,
                lease_token=None,
                lease_until=None,
            )
            if marked == 1:
                _send_on_commit(job_id)
                resent += 1
    if resent or failed:
        logger.info("Report reconciler: %s re-sent, %s failed.", resent, failed)
    return ReconcileResult(resent=resent, failed=failed)


# --- Delete -------------------------------------------------------------------------


def report_delete(*, public_id: uuid.UUID, by: User) -> None:
    """Delete a finished report and its file.

    The person who asked for it may delete it; the provincial standing office
    (``MANAGE_REPORTS``) may delete any. The job is looked up through the
    user's scope, so another person's report is a 404 to anyone else; one
    that is still being prepared is refused (its worker would otherwise write
    a file nobody points at). The file goes once the deletion is committed:
    a rolled-back deletion keeps its file."""
    job = selectors.report_job_get_for_user(user=by, public_id=public_id)
    if job.requested_by_id != by.pk and not access.can(by, Capability.MANAGE_REPORTS):
        raise PermissionDenied
    with transaction.atomic():
        # Locked, and its status read again: a worker may be finishing it.
        job = ReportJob.objects.select_for_update().get(pk=job.pk)
        if not job.is_finished:
            raise ValidationError(UNFINISHED_NOT_DELETABLE, code="unfinished")
        name = job.file.name if job.file else ""
        as_of = job.params.get("as_of", "")
        audit.record(
            action=AuditAction.REPORT_DELETED,
            by=by,
            object_label=f"{job.get_kind_display()} {job.params.get('phase', '')} "
            f"({as_of}) — {job.requested_by}",
            note=f"SHA-256 {job.sha256}" if job.sha256 else "",
        )
        job.delete()
        if name:
            transaction.on_commit(lambda: default_storage.delete(name))
    logger.info("Report %s deleted by user %s.", public_id, by.pk)
