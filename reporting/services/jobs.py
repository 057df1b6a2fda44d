"""Writes for reports: request, run (claim → render → store) and reconcile.

The ReportJob row is the source of truth. A Celery message only says "work on
job N"; it may be lost (Redis restarted without persistence), delivered twice,
or die with its worker. Hence:

* the job is created and sent in one transaction (sent on commit);
* a worker claims it with a conditional UPDATE, so a second delivery is a no-op;
* the worker renews a lease while it works; a job whose lease ran out is lost;
* the reconciler re-sends pending jobs and lost ones, and fails a job after
  ``REPORT_MAX_ATTEMPTS`` attempts with its reason.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from campaign.committees import access
from campaign.committees.access import Actor
from reporting import documents
from reporting.choices import UNFINISHED_STATUSES, ReportStatus
from reporting.kinds import get_kind
from reporting.models import ReportJob

logger = logging.getLogger(__name__)

WORKER_LOST_REASON = (
    "The report could not be finished: the worker stopped {attempts} times while "
    "preparing it."
)
NEVER_STARTED_REASON = (
    "The report could not be started after {attempts} attempts; the queue did not "
    "deliver it."
)


class LeaseLost(Exception):
    """Another worker took the job over; this one must stop without writing."""


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


def report_request(*, kind: str, data: Mapping, by: AbstractBaseUser) -> ReportJob:
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
        running.reused = True
        return running
    job.reused = False
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
            lease_until=now + datetime.timedelta(seconds=settings.REPORT_LEASE_SECONDS),
            started_at=now,
            progress=5,
        )
    )
    return token if claimed == 1 else None


def _held(job_id: int, token: uuid.UUID) -> Q:
    return Q(pk=job_id, lease_token=token, status=ReportStatus.RUNNING)


def _advance(job_id: int, token: uuid.UUID, progress: int) -> None:
    """Record progress and renew the lease; stop if the job was taken over."""
    renewed = ReportJob.objects.filter(_held(job_id, token)).update(
        progress=progress,
        lease_until=timezone.now()
        + datetime.timedelta(seconds=settings.REPORT_LEASE_SECONDS),
    )
    if renewed != 1:
        raise LeaseLost(job_id)


def _injected_delay(job_id: int, token: uuid.UUID) -> None:
    """Fault injection for the reliability tests: wait, renewing the lease."""
    deadline = time.monotonic() + settings.REPORT_RENDER_DELAY_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.25)
        _advance(job_id, token, 30)


def report_job_run(*, job_id: int) -> ReportJob | None:
    """Claim job ``job_id``, render it and store the file.

    Safe to call any number of times: only the caller that claims the job works
    on it. Returns the finished job, or ``None`` when there was nothing to do.
    """
    from reporting.pdf import render_pdf

    token = _claim(job_id)
    if token is None:
        logger.info(
            "Report job %s: not claimable (done, running or exhausted).", job_id
        )
        return None
    job = ReportJob.objects.get(pk=job_id)
    stored_name = ""
    try:
        _advance(job_id, token, 10)
        # The context is read as the person who asked: their scope, not the
        # worker's (which has none).
        html = documents.render_job_html(job, job.requested_by)
        _advance(job_id, token, 35)
        _injected_delay(job_id, token)
        pdf = render_pdf(html, archival=job.params.get("archival", False))
        _advance(job_id, token, 85)
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
            lease_token=None,
            lease_until=None,
            finished_at=timezone.now(),
        )
        if finished != 1:
            raise LeaseLost(job_id)
    except LeaseLost:
        logger.warning("Report job %s was taken over; dropping this attempt.", job_id)
        if stored_name:
            default_storage.delete(stored_name)
        return None
    except Exception as error:  # noqa: BLE001 - any failure is recorded on the job
        logger.exception("Report job %s failed.", job_id)
        if stored_name:
            default_storage.delete(stored_name)
        _record_failure(job_id, token, error)
        return ReportJob.objects.get(pk=job_id)
    return ReportJob.objects.get(pk=job_id)


def _record_failure(job_id: int, token: uuid.UUID, error: Exception) -> None:
    reason = f"{type(error).__name__}: {error}"[:1000]
    job = ReportJob.objects.get(pk=job_id)
    if job.attempts >= settings.REPORT_MAX_ATTEMPTS:
        ReportJob.objects.filter(_held(job_id, token)).update(
            status=ReportStatus.FAILED,
            error=reason,
            lease_token=None,
            lease_until=None,
            finished_at=timezone.now(),
        )
        return
    # Back to the queue for another attempt.
    with transaction.atomic():
        requeued = ReportJob.objects.filter(_held(job_id, token)).update(
            status=ReportStatus.PENDING,
            error=reason,
            lease_token=None,
            lease_until=None,
            enqueued_at=timezone.now(),
        )
        if requeued == 1:
            _send_on_commit(job_id)


@dataclass(frozen=True)
class ReconcileResult:
    resent: int
    failed: int


def report_jobs_reconcile(*, now: datetime.datetime | None = None) -> ReconcileResult:
    """Re-send pending jobs nobody picked up and running jobs whose worker was
    lost; fail those that used up their attempts. Run every minute by beat, or
    by ``manage.py reconcile_report_jobs``."""
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
        template = (
            WORKER_LOST_REASON
            if job.status == ReportStatus.RUNNING
            else NEVER_STARTED_REASON
        )
        reason = template.format(attempts=job.attempts)
        if job.error:
            reason = f"{reason} {job.error}"
        failed += ReportJob.objects.filter(
            Q(pk=job.pk) & (stale_pending | lost_running)
        ).update(
            status=ReportStatus.FAILED,
            error=reason,
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
