"""Stopping a worker (SIGQUIT, compose's stop signal): an idle worker stops at
once, a running report is given up to CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT to
finish and the worker stops as soon as it has — not after the whole timeout,
as Celery alone would — and a report that needs longer is handed back to the
broker and finished by the next worker (config/worker_shutdown.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from django.test import SimpleTestCase

from config import worker_shutdown
from reporting import services
from reporting.choices import ReportStatus
from reporting.models import ReportJob
from tests.factories import Personas
from tests.services import (
    CeleryWorker,
    process_env,
    purge_broker,
    require_broker,
    require_postgresql,
    wait_for,
)

AREA_CATALOGUE = {"as_of": "2023-06-30", "language": "vi"}
SOFT_SHUTDOWN = 60


class FakeRunning:
    """Busy for the first ``busy_polls`` looks, idle after."""

    def __init__(self, busy_polls: int):
        self.busy_polls = busy_polls
        self.looks = 0

    def busy(self) -> int:
        self.looks += 1
        return int(self.looks <= self.busy_polls)


class WaitTests(SimpleTestCase):
    def test_the_wait_ends_soon_after_the_last_task(self):
        running = FakeRunning(busy_polls=3)
        with self.assertLogs("config.worker_shutdown", "WARNING") as logs:
            waited = worker_shutdown.wait_for_running_tasks(running, timeout=10)
        # 3 busy looks, then the 2 idle ones that end it: ~4 polls of 0.2 s.
        self.assertLess(waited, 2)
        self.assertEqual(running.looks, 3 + worker_shutdown.IDLE_POLLS_NEEDED)
        self.assertIn("finished after", logs.output[-1])

    def test_the_wait_never_exceeds_the_timeout(self):
        running = FakeRunning(busy_polls=10**6)
        with self.assertLogs("config.worker_shutdown", "WARNING") as logs:
            waited = worker_shutdown.wait_for_running_tasks(running, timeout=0.6)
        self.assertGreaterEqual(waited, 0.6)
        self.assertLess(waited, 1.5)
        self.assertIn("still running after", logs.output[-1])

    def test_a_pool_process_that_died_does_not_count_as_busy(self):
        running = worker_shutdown.RunningTasks(slots=4)
        child = subprocess.Popen(["sleep", "30"])
        try:
            running._pids[2] = child.pid
            self.assertEqual(running.busy(), 1)
            child.kill()
            child.wait()
            self.assertEqual(running.busy(), 0)
            zombie = subprocess.Popen(["true"])
            running._pids[1] = zombie.pid
            # Not reaped yet: a zombie, dead all the same.
            wait_for(lambda: not worker_shutdown._alive(zombie.pid), 5, "zombie")
            self.assertEqual(running.busy(), 0)
            zombie.wait()
        finally:
            child.kill()
            child.wait()


@pytest.fixture
def broker():
    require_postgresql()
    url = require_broker()
    purge_broker(url)
    return url


@pytest.fixture
def workers(settings, tmp_path, broker):
    started: list[CeleryWorker] = []

    def start(**env: str) -> CeleryWorker:
        env.setdefault("CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT", str(SOFT_SHUTDOWN))
        worker = CeleryWorker(
            process_env(settings, broker, **env),
            tmp_path / f"worker{len(started)}.log",
        )
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.kill()


def stop_with_sigquit(worker: CeleryWorker, timeout: float = 60) -> float:
    """Send SIGQUIT to the worker's main process, as compose does to the
    container's first process; returns how long it took to exit."""
    started = time.monotonic()
    os.kill(worker.process.pid, signal.SIGQUIT)
    worker.process.wait(timeout=timeout)
    return time.monotonic() - started


def running_at(job_id: int, progress: int) -> bool:
    return ReportJob.objects.filter(
        pk=job_id, status=ReportStatus.RUNNING, progress=progress
    ).exists()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_an_idle_worker_stops_at_once(workers):
    worker = workers()
    took = stop_with_sigquit(worker)
    print(f"idle worker stopped in {took:.1f}s (soft shutdown {SOFT_SHUTDOWN}s)")
    assert took < 10, worker.log()
    assert "Soft shutdown" not in worker.log()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_running_report_finishes_and_the_worker_stops_right_after(workers):
    staff = Personas().staff
    worker = workers(REPORT_RENDER_DELAY_SECONDS="4")
    job = services.report_request(kind="area_catalogue", data=AREA_CATALOGUE, by=staff)
    wait_for(lambda: running_at(job.pk, 30), 60, "the report to be rendering")
    took = stop_with_sigquit(worker)
    print(f"worker with a report ~4 s from done stopped in {took:.1f}s")
    job.refresh_from_db()
    assert job.status == ReportStatus.DONE, (job.error, worker.log())
    assert job.attempts == 1
    # The report's remaining seconds, not the whole soft shutdown.
    assert took < SOFT_SHUTDOWN / 2, worker.log()
    assert "running tasks finished after" in worker.log()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_report_longer_than_the_soft_shutdown_goes_back_to_the_queue(workers):
    staff = Personas().staff
    slow = workers(
        REPORT_RENDER_DELAY_SECONDS="60",
        REPORT_LEASE_SECONDS="2",
        CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT="3",
    )
    job = services.report_request(kind="area_catalogue", data=AREA_CATALOGUE, by=staff)
    wait_for(lambda: running_at(job.pk, 30), 60, "the report to be rendering")
    took = stop_with_sigquit(slow)
    print(f"worker with a 60 s report stopped in {took:.1f}s (soft shutdown 3 s)")
    assert 3 <= took < 15, slow.log()
    assert "still running after 3 s" in slow.log()
    assert "Restoring 1 unacknowledged message" in slow.log()
    job.refresh_from_db()
    assert job.status == ReportStatus.RUNNING  # interrupted, its lease running out
    time.sleep(2.5)
    workers()  # the next worker gets the message back from the broker
    wait_for(
        lambda: ReportJob.objects.filter(pk=job.pk, status=ReportStatus.DONE).exists(),
        90,
        "the next worker to finish the report",
    )
    job.refresh_from_db()
    assert job.attempts == 2
