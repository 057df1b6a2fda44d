"""The lease over time, in one process: the heartbeat thread keeps a slow
render's job, a job whose heartbeat stopped is sent again once its lease ran
out, and a worker whose lease was taken over writes nothing.

Transactional tests (committed writes, as in a worker): the heartbeat only
runs outside a transaction, and its thread needs a connection of its own. They
run on SQLite (``make test``) and on PostgreSQL. Rendering is replaced by
stubs: this is about the job's lifecycle, not the document (the real worker
and WeasyPrint are in ``test_pipeline_worker.py``).
"""

from __future__ import annotations

import datetime
import threading
import time
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.db import OperationalError, connection
from django.db.backends.signals import connection_created
from django.utils import timezone

from reporting import services
from reporting.choices import ReportStatus
from reporting.models import ReportJob
from reporting.services import jobs
from tests.config.test_settings import load_settings
from tests.factories import UserFactory
from tests.reporting.factories import ReportJobFactory

PDF = b"%PDF-1.7 lease"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def quick_render():
    """The document without the catalogue and WeasyPrint: instant."""
    with (
        mock.patch("reporting.documents.render_job_html", return_value="<p>x</p>"),
        mock.patch("reporting.pdf.render_pdf", return_value=PDF) as render,
    ):
        yield render


@pytest.fixture
def sent():
    """Messages to the queue, recorded instead of sent."""
    with mock.patch.object(jobs, "_send") as send:
        yield send


def new_job() -> ReportJob:
    return ReportJobFactory(requested_by=UserFactory(), enqueued_at=timezone.now())


def stored_pdfs(settings) -> list:
    return sorted(settings.PRIVATE_MEDIA_ROOT.rglob("*.pdf"))


def in_thread(target, *args, **kwargs) -> tuple[threading.Thread, list]:
    """Run ``target`` in a thread with its own connection, closed at the end
    (Django's connections are per thread); its return value lands in the
    list."""
    results: list = []

    def run() -> None:
        try:
            results.append(target(*args, **kwargs))
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, results


# --- Settings -----------------------------------------------------------------------


def test_defaults_pick_up_a_dead_workers_job_within_a_minute():
    values = load_settings()
    lease = values["REPORT_LEASE_SECONDS"]
    interval = values["CELERY_BEAT_SCHEDULE"]["report-jobs-reconcile"]["schedule"]
    assert (lease, values["REPORT_HEARTBEAT_SECONDS"], interval) == (30, 0, 20)
    assert values["REPORT_RECONCILE_INTERVAL_SECONDS"] == 20
    # Last heartbeat → lease runs out → the next reconciler run re-sends it.
    assert lease + interval <= 60


def test_the_heartbeat_defaults_to_a_third_of_the_lease(settings):
    settings.REPORT_LEASE_SECONDS = 30
    settings.REPORT_HEARTBEAT_SECONDS = 0
    assert jobs.heartbeat_seconds() == 10
    settings.REPORT_HEARTBEAT_SECONDS = 4
    assert jobs.heartbeat_seconds() == 4


@pytest.mark.parametrize(
    ("lease", "heartbeat"), [("30", "30"), ("30", "45"), ("10", "-1")]
)
def test_a_heartbeat_not_shorter_than_the_lease_stops_start_up(lease, heartbeat):
    with pytest.raises(ImproperlyConfigured, match="REPORT_HEARTBEAT_SECONDS"):
        load_settings(REPORT_LEASE_SECONDS=lease, REPORT_HEARTBEAT_SECONDS=heartbeat)


# --- The heartbeat ------------------------------------------------------------------


def test_the_heartbeat_keeps_a_render_slower_than_the_lease(
    settings, quick_render, sent
):
    """Lease 1 s, render 2.5 s, the reconciler every 0.2 s meanwhile: the
    heartbeat renews the lease, so the job is never taken for lost, finishes
    at its first attempt, and nothing is sent again."""
    settings.REPORT_LEASE_SECONDS = 1
    settings.REPORT_HEARTBEAT_SECONDS = 0.25
    settings.REPORT_RENDER_DELAY_SECONDS = 2.5
    job = new_job()
    stop = threading.Event()
    resent: list[int] = []
    lease_seen: list[datetime.datetime] = []

    def reconcile_meanwhile() -> None:
        while not stop.wait(0.2):
            try:
                resent.append(services.report_jobs_reconcile().resent)
                lease_seen.append(
                    ReportJob.objects.values_list("lease_until", flat=True).get(
                        pk=job.pk
                    )
                )
            except OperationalError:  # SQLite: the heartbeat was writing
                continue

    reconciler, _ = in_thread(reconcile_meanwhile)
    try:
        finished = services.report_job_run(job_id=job.pk)
    finally:
        stop.set()
        reconciler.join()

    assert finished is not None
    assert (finished.status, finished.attempts) == (ReportStatus.DONE, 1)
    assert sum(resent) == 0
    sent.assert_not_called()
    # The lease moved on while the render slept: it was renewed, not kept by
    # the claim's first lease (which ran out after 1 s).
    leases = sorted({lease for lease in lease_seen if lease is not None})
    assert len(leases) >= 3, leases
    assert finished.heartbeat_at - finished.started_at >= datetime.timedelta(seconds=2)
    assert len(stored_pdfs(settings)) == 1


def test_the_heartbeat_renews_from_its_own_connection_and_closes_it(settings):
    settings.REPORT_LEASE_SECONDS = 1
    job = new_job()
    token = jobs._claim(job.pk)
    first_lease = ReportJob.objects.get(pk=job.pk).lease_until
    opened = []

    def remember(sender, connection, **kwargs):
        opened.append((threading.current_thread().name, connection))

    connection_created.connect(remember)
    try:
        heartbeat = jobs.Heartbeat(job_id=job.pk, token=token, interval=0.1).start()
        time.sleep(0.55)  # this thread stays off the database meanwhile
        heartbeat.stop()
    finally:
        connection_created.disconnect(remember)

    assert not heartbeat.running
    assert heartbeat.beats >= 3
    assert not heartbeat.lost.is_set()
    job.refresh_from_db()
    assert job.lease_until > first_lease
    assert job.heartbeat_at > job.started_at
    # Its own connection, opened in its thread and closed when it stopped
    # (SQLite's in-memory test database ignores close(): it would vanish).
    own = [c for name, c in opened if name == f"report-heartbeat-{job.pk}"]
    assert own
    for wrapper in own:
        assert wrapper.connection is None or wrapper.is_in_memory_db()


def test_a_database_error_in_the_heartbeat_is_retried_at_the_next_beat(settings):
    settings.REPORT_LEASE_SECONDS = 2
    job = new_job()
    token = jobs._claim(job.pk)
    real_renew = jobs._renew
    calls = []

    def locked_once(job_id, token, **fields):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real_renew(job_id, token, **fields)

    with mock.patch.object(jobs, "_renew", side_effect=locked_once):
        heartbeat = jobs.Heartbeat(job_id=job.pk, token=token, interval=0.1).start()
        time.sleep(0.55)
        heartbeat.stop()
    assert len(calls) >= 3
    assert heartbeat.beats == len(calls) - 1
    assert not heartbeat.lost.is_set()


def test_a_heartbeat_that_finds_the_lease_gone_stops_the_render_writing(
    settings, quick_render, sent
):
    """Another worker took the job over while this one rendered: the
    heartbeat notices, and the render ends without writing a file or a
    status — the other worker's job is left alone."""
    settings.REPORT_LEASE_SECONDS = 2
    settings.REPORT_HEARTBEAT_SECONDS = 0.1
    job = new_job()
    taken_over = threading.Event()
    other_token = []

    def render_while_taken_over(html, archival=False):
        # The lease is given to another worker (as after a lapse and a claim).
        other_token.append(
            ReportJob.objects.filter(pk=job.pk).update(
                lease_token="00000000-0000-0000-0000-000000000001"
            )
        )
        taken_over.set()
        time.sleep(0.5)  # several beats: the heartbeat finds the lease gone
        return PDF

    quick_render.side_effect = render_while_taken_over
    with mock.patch.object(jobs, "_renew", wraps=jobs._renew) as renew:
        assert services.report_job_run(job_id=job.pk) is None
    # The main thread stopped at its checkpoint on the heartbeat's word,
    # without trying to renew a lease that is no longer its own.
    main_thread_calls = [c for c in renew.call_args_list if "progress" in c.kwargs]
    assert [c.kwargs["progress"] for c in main_thread_calls] == [10, 30]
    job.refresh_from_db()
    assert job.status == ReportStatus.RUNNING
    assert str(job.lease_token) == "00000000-0000-0000-0000-000000000001"
    assert not job.file
    assert stored_pdfs(settings) == []


# --- A stalled job --------------------------------------------------------------------


def test_a_stalled_job_is_sent_again_once_its_lease_ran_out_and_counts(settings, sent):
    """A worker stops renewing (frozen, or its heartbeat died): while its
    lease runs nobody touches the job; once it ran out the job shows as
    stalled, the reconciler sends it again, the next delivery finishes it as
    attempt 2, and the frozen worker, waking up, writes nothing."""
    settings.REPORT_LEASE_SECONDS = 1
    settings.REPORT_HEARTBEAT_SECONDS = 60  # no beat: the heartbeat is silent
    job = new_job()
    wake_up = threading.Event()
    calls = []

    def render(html, archival=False):
        calls.append(threading.current_thread().name)
        if len(calls) == 1:
            wake_up.wait(10)  # the frozen worker
        return PDF

    with (
        mock.patch("reporting.documents.render_job_html", return_value="<p>x</p>"),
        mock.patch("reporting.pdf.render_pdf", side_effect=render),
    ):
        frozen, frozen_result = in_thread(services.report_job_run, job_id=job.pk)
        deadline = time.monotonic() + 10
        while not calls and time.monotonic() < deadline:
            time.sleep(0.05)
        assert calls, "the first worker never started rendering"

        assert services.report_jobs_reconcile().resent == 0  # lease still runs
        job.refresh_from_db()
        assert job.status == ReportStatus.RUNNING and not job.is_stalled

        time.sleep(1.2)  # the lease runs out
        job.refresh_from_db()
        assert job.is_stalled
        assert services.report_jobs_reconcile().resent == 1
        sent.assert_called_once_with(job.pk)
        job.refresh_from_db()
        assert (job.status, job.attempts) == (ReportStatus.PENDING, 1)

        # The message the reconciler sent is delivered.
        finished = services.report_job_run(job_id=job.pk)
        assert (finished.status, finished.attempts) == (ReportStatus.DONE, 2)

        wake_up.set()
        frozen.join(10)
    assert frozen_result == [None]  # taken over: dropped its attempt
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ReportStatus.DONE, 2)
    assert [p.name for p in stored_pdfs(settings)] == [job.file.name.split("/")[-1]]
    assert default_storage.exists(job.file.name)
