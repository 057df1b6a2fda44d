"""The report pipeline with its real components: PostgreSQL, Redis and Celery
worker processes — including the failures the pipeline must survive."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
import time
import unicodedata
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from reporting import services
from reporting.choices import FailureReason, ReportStatus
from reporting.models import ReportJob
from reporting.services import jobs
from reporting.tasks import report_render as report_render_task
from tests.factories import Personas
from tests.services import (
    ROOT,
    CeleryWorker,
    RedisServer,
    process_env,
    purge_broker,
    require_broker,
    require_postgresql,
    wait_for,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# The area catalogue needs no plan: the kind the pipeline tests ask for.
AREA_CATALOGUE = {"as_of": "2023-06-30", "language": "vi"}


@pytest.fixture
def broker():
    require_postgresql()
    url = require_broker()
    purge_broker(url)
    return url


@pytest.fixture
def workers(settings, tmp_path, broker):
    """Start workers on demand; every one is stopped when the test ends."""
    started: list[CeleryWorker] = []

    def start(broker_url: str = broker, **env: str) -> CeleryWorker:
        worker = CeleryWorker(
            process_env(settings, broker_url, **env),
            tmp_path / f"worker{len(started)}.log",
        )
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def staff(db):
    return Personas().staff


def job_status(job_id: int) -> str:
    return ReportJob.objects.values_list("status", flat=True).get(pk=job_id)


def wait_finished(job_id: int, timeout: float = 90) -> ReportJob:
    wait_for(
        lambda: job_status(job_id) in (ReportStatus.DONE, ReportStatus.FAILED),
        timeout,
        f"job {job_id} to finish",
    )
    return ReportJob.objects.get(pk=job_id)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return unicodedata.normalize("NFC", text)


def embedded_fonts(data: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(data))
    names = set()
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def stored_pdfs(settings) -> list:
    return sorted(settings.PRIVATE_MEDIA_ROOT.rglob("*.pdf"))


def test_request_is_rendered_by_a_worker_and_downloaded(
    client, staff, workers, settings
):
    workers()
    client.force_login(staff)
    started = time.monotonic()
    response = client.post(
        reverse("reporting:report_request"),
        {
            "kind": "area_catalogue",
            # The report centre's form for each kind is prefixed with its key.
            "area_catalogue-as_of": "2023-06-30",
            "area_catalogue-language": "vi",
        },
    )
    job = ReportJob.objects.get()
    assert response.status_code == 302
    job = wait_finished(job.pk, timeout=60)
    assert job.status == ReportStatus.DONE, job.error
    print(f"request → done in {time.monotonic() - started:.2f}s")

    response = client.get(reverse("reporting:report_download", args=[job.public_id]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = b"".join(response.streaming_content)
    text = pdf_text(data)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Số:" in text and "/BC-BCĐ" in text
    assert "Mỹ Xuyên" in text and "Đông Xuyên" in text
    fonts = embedded_fonts(data)
    assert fonts and all(name.startswith("BCD138Serif") for name in fonts), fonts


def test_worker_killed_mid_render_ends_done_after_the_reconciler(
    staff, workers, settings
):
    settings.REPORT_MAX_ATTEMPTS = 3
    slow = workers(REPORT_RENDER_DELAY_SECONDS="30", REPORT_LEASE_SECONDS="2")
    job = services.report_request(kind="area_catalogue", data=AREA_CATALOGUE, by=staff)
    wait_for(
        lambda: ReportJob.objects.filter(
            pk=job.pk, status="running", progress=30
        ).exists(),
        60,
        "the worker to be in the middle of rendering",
    )
    slow.kill()  # the heartbeat dies with it
    time.sleep(3)  # let the lease run out
    job.refresh_from_db()
    assert job.status == ReportStatus.RUNNING  # stuck, until reconciled
    assert job.is_stalled  # the status page tells it from a working one

    workers()  # a healthy worker comes back
    call_command("reconcile_report_jobs", stdout=io.StringIO())
    job = wait_finished(job.pk)
    assert job.status == ReportStatus.DONE, job.error
    assert job.attempts == 2
    assert len(stored_pdfs(settings)) == 1


def test_render_slower_than_lease_finishes_once_and_is_not_resent(
    staff, workers, settings
):
    """Lease 2 s, a render 6 s longer than usual (the injected delay is a
    plain sleep), the reconciler running every 0.3 s throughout: the worker's
    heartbeat keeps renewing the lease, so the reconciler never takes the job
    for lost; it ends done at its first attempt with one file."""
    workers(REPORT_RENDER_DELAY_SECONDS="6", REPORT_LEASE_SECONDS="2")
    job = services.report_request(kind="area_catalogue", data=AREA_CATALOGUE, by=staff)
    resent = 0
    leases = set()
    deadline = time.monotonic() + 90
    while job_status(job.pk) not in (ReportStatus.DONE, ReportStatus.FAILED):
        assert time.monotonic() < deadline, "the job did not finish"
        resent += services.report_jobs_reconcile().resent
        leases.add(
            ReportJob.objects.values_list("lease_until", flat=True).get(pk=job.pk)
        )
        time.sleep(0.3)
    job.refresh_from_db()
    assert job.status == ReportStatus.DONE, job.error
    assert resent == 0
    assert job.attempts == 1
    assert len(stored_pdfs(settings)) == 1
    # Renewed all along: many leases, the last sign of life ≥ 6 s after the start.
    assert len(leases - {None}) >= 5, leases
    assert (job.heartbeat_at - job.started_at).total_seconds() >= 6


def test_worker_that_keeps_dying_fails_the_job_with_its_reason(
    staff, workers, settings
):
    job = services.report_request(kind="area_catalogue", data=AREA_CATALOGUE, by=staff)
    for attempt in (1, 2, 3):
        worker = workers(REPORT_RENDER_DELAY_SECONDS="30", REPORT_LEASE_SECONDS="2")
        if attempt > 1:
            call_command("reconcile_report_jobs", stdout=io.StringIO())
        wait_for(
            lambda a=attempt: ReportJob.objects.filter(
                pk=job.pk, status="running", attempts=a, progress=30
            ).exists(),
            60,
            f"attempt {attempt} to be rendering",
        )
        worker.kill()
        time.sleep(2.5)
    call_command("reconcile_report_jobs", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == ReportStatus.FAILED
    assert job.error_code == FailureReason.WORKER_LOST
    assert job.error_params == {"attempts": 3}
    assert "stopped 3 times" in job.error
    assert stored_pdfs(settings) == []


def test_jobs_queued_before_a_redis_restart_all_finish_after_the_reconciler(
    staff, workers, settings, tmp_path
):
    redis_server = RedisServer(tmp_path).start()
    try:
        env = process_env(settings, redis_server.url, REPORT_RESEND_AFTER_SECONDS="1")
        # Five requests queued while no worker runs, sent through the private broker.
        jobs = [
            ReportJob.objects.create(
                kind="area_catalogue",
                params={"as_of": f"2023-0{month}-01", "language": "vi"},
                requested_by=staff,
                enqueued_at=timezone.now(),
            )
            for month in range(1, 6)
        ]
        from kombu import Connection

        with Connection(redis_server.url) as connection:
            for job in jobs:
                report_render_task.apply_async(args=[job.pk], connection=connection)
        assert redis_server.cli("llen", "celery") == "5"

        redis_server.restart_without_persistence()
        assert redis_server.cli("llen", "celery") == "0"  # every message lost

        workers(broker_url=redis_server.url)
        time.sleep(1.5)
        assert {job_status(j.pk) for j in jobs} == {ReportStatus.PENDING}
        subprocess.run(
            [sys.executable, "manage.py", "reconcile_report_jobs"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        finished = [wait_finished(j.pk) for j in jobs]
        assert [j.status for j in finished] == [ReportStatus.DONE] * 5
        assert [j.attempts for j in finished] == [1] * 5
        assert len(stored_pdfs(settings)) == 5
    finally:
        redis_server.stop()


def test_one_job_delivered_twice_renders_once(staff, workers, settings):
    workers()
    job = ReportJob.objects.create(
        kind="area_catalogue",
        params={"as_of": "2023-06-30", "language": "vi"},
        requested_by=staff,
        enqueued_at=timezone.now(),
    )
    report_render_task.delay(job.pk)
    report_render_task.delay(job.pk)
    job = wait_finished(job.pk)
    time.sleep(1)  # give the second delivery time to run
    job.refresh_from_db()
    assert job.status == ReportStatus.DONE
    assert job.attempts == 1
    assert len(stored_pdfs(settings)) == 1


def test_one_person_asking_four_times_at_the_same_moment_gets_one_job(staff):
    """The same person asking twice at the same instant (a double click, two
    tabs) ends with one job: the database's unique constraint decides, and
    the loser gets the winner's job back."""
    require_postgresql()
    barrier = threading.Barrier(4)
    results = []
    errors = []

    def ask():
        barrier.wait()
        try:
            results.append(
                services.report_request(
                    kind="area_catalogue", data=AREA_CATALOGUE, by=staff
                )
            )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    with mock.patch.object(jobs, "_send") as send:
        threads = [threading.Thread(target=ask) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert ReportJob.objects.count() == 1
    assert {job.pk for job in results} == {ReportJob.objects.get().pk}
    assert sorted(job.reused for job in results) == [False, True, True, True]
    assert send.call_count == 1


def test_a_connection_killed_mid_render_gives_the_attempt_back(staff, settings):
    """PostgreSQL drops the worker's connection while it renders (a restart,
    a failover): the next write fails, the failure is recorded on a fresh
    connection, the attempt is given back and the job is queued again; the
    next delivery finishes it as attempt 1."""
    require_postgresql()
    job = ReportJob.objects.create(
        kind="area_catalogue",
        params=AREA_CATALOGUE,
        requested_by=staff,
        enqueued_at=timezone.now(),
    )

    def render_while_the_server_drops_us(html, archival=False):
        pid = connection.connection.info.backend_pid

        def terminate():
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            finally:
                connection.close()

        killer = threading.Thread(target=terminate)
        killer.start()
        killer.join()
        return b"%PDF-1.7 lost"

    with (
        mock.patch(
            "reporting.pdf.render_pdf", side_effect=render_while_the_server_drops_us
        ),
        mock.patch.object(jobs, "_send") as send,
        mock.patch.object(jobs.time, "sleep"),
    ):
        requeued = services.report_job_run(job_id=job.pk)
    assert requeued is not None
    assert (requeued.status, requeued.attempts) == (ReportStatus.PENDING, 0)
    assert requeued.error_params == {"database_errors": 1}
    assert "OperationalError" in requeued.error
    send.assert_called_once_with(job.pk)
    assert stored_pdfs(settings) == []

    with mock.patch("reporting.pdf.render_pdf", return_value=b"%PDF-1.7 ok"):
        done = services.report_job_run(job_id=job.pk)
    assert (done.status, done.attempts) == (ReportStatus.DONE, 1)


def test_two_deliveries_at_the_same_instant_render_once(staff, settings):
    require_postgresql()
    job = ReportJob.objects.create(
        kind="area_catalogue",
        params={"as_of": "2023-06-30", "language": "vi"},
        requested_by=staff,
    )
    barrier = threading.Barrier(2)
    results = []
    render_calls = []

    def fake_render(html, archival=False):
        render_calls.append(1)
        return b"%PDF-1.7 once"

    def deliver():
        barrier.wait()
        try:
            results.append(services.report_job_run(job_id=job.pk))
        finally:
            connection.close()  # this thread's own connection

    with mock.patch("reporting.pdf.render_pdf", side_effect=fake_render):
        threads = [threading.Thread(target=deliver) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(render_calls) == 1
    assert sorted(r is None for r in results) == [False, True]
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ReportStatus.DONE, 1)
