"""The report pipeline's services without a broker: request, claim, run, reconcile."""

from __future__ import annotations

import datetime
import hashlib
from unittest import mock

from django.core.exceptions import ValidationError
from django.test import TestCase, override_settings
from django.utils import timezone

from reporting import services
from reporting.choices import ReportStatus
from reporting.models import ReportJob
from tests.factories import load_areas, provincial_staff
from tests.reporting.factories import ReportJobFactory


class ReportRequestTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = provincial_staff()

    def test_request_records_the_job_and_sends_it_after_commit(self):
        with mock.patch.object(services, "_send") as send:
            with self.captureOnCommitCallbacks(execute=True) as callbacks:
                job = services.report_request(
                    kind="area_catalogue", params={"as_of": "2023-06-30"}, by=self.user
                )
                send.assert_not_called()
        self.assertEqual(len(callbacks), 1)
        send.assert_called_once_with(job.pk)
        self.assertEqual(job.status, ReportStatus.PENDING)
        self.assertEqual(job.params, {"as_of": "2023-06-30", "language": "vi"})

    def test_bad_parameters_queue_nothing(self):
        cases = [
            ("no_such_report", {"as_of": "2023-06-30"}),
            ("area_catalogue", {"as_of": "1899-12-31"}),
            ("area_catalogue", {"as_of": "2101-01-01"}),
            ("area_catalogue", {"as_of": "30/06/2023"}),
            ("area_catalogue", {}),
        ]
        for kind, params in cases:
            with self.subTest(kind=kind, params=params):
                with mock.patch.object(services, "_send") as send:
                    with self.captureOnCommitCallbacks(execute=True):
                        with self.assertRaises(ValidationError):
                            services.report_request(
                                kind=kind, params=params, by=self.user
                            )
                send.assert_not_called()
        self.assertEqual(ReportJob.objects.count(), 0)

    def test_a_broker_that_is_down_leaves_the_job_pending(self):
        with mock.patch.object(services, "_send", side_effect=ConnectionError("down")):
            with self.captureOnCommitCallbacks(execute=True):
                job = services.report_request(
                    kind="area_catalogue", params={"as_of": "2023-06-30"}, by=self.user
                )
        job.refresh_from_db()
        self.assertEqual(job.status, ReportStatus.PENDING)


class ReportRunTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_areas()

    def test_run_renders_stores_and_checksums_the_pdf(self):
        job = ReportJobFactory()
        finished = services.report_job_run(job_id=job.pk)
        self.assertEqual(finished.status, ReportStatus.DONE)
        self.assertEqual(finished.progress, 100)
        self.assertEqual(finished.attempts, 1)
        data = finished.file.read()
        self.assertTrue(data.startswith(b"%PDF"))
        self.assertEqual(finished.sha256, hashlib.sha256(data).hexdigest())
        self.assertEqual(finished.file_size, len(data))

    def test_a_second_delivery_does_nothing(self):
        job = ReportJobFactory()
        with mock.patch(
            "reporting.pdf.render_pdf", return_value=b"%PDF-1.7 test"
        ) as render:
            services.report_job_run(job_id=job.pk)
            self.assertIsNone(services.report_job_run(job_id=job.pk))
        render.assert_called_once()
        job.refresh_from_db()
        self.assertEqual(job.attempts, 1)

    def test_a_running_job_with_a_live_lease_is_not_taken_twice(self):
        job = ReportJobFactory(
            status=ReportStatus.RUNNING,
            attempts=1,
            lease_until=timezone.now() + datetime.timedelta(minutes=1),
        )
        self.assertIsNone(services.report_job_run(job_id=job.pk))

    def test_a_failure_goes_back_to_the_queue_then_fails_with_its_reason(self):
        job = ReportJobFactory()
        boom = RuntimeError("font cache corrupted")
        with (
            mock.patch("reporting.pdf.render_pdf", side_effect=boom),
            mock.patch.object(services, "_send") as send,
        ):
            for attempt in range(1, 4):
                with self.captureOnCommitCallbacks(execute=True):
                    services.report_job_run(job_id=job.pk)
                job.refresh_from_db()
                self.assertEqual(job.attempts, attempt)
        self.assertEqual(job.status, ReportStatus.FAILED)
        self.assertIn("font cache corrupted", job.error)
        self.assertEqual(send.call_count, 2)  # re-sent after attempts 1 and 2
        self.assertFalse(job.file)

    def test_a_worker_that_lost_its_lease_cannot_finish(self):
        job = ReportJobFactory()

        def taken_over(html):
            # Another worker claimed the job meanwhile (its lease token differs).
            ReportJob.objects.filter(pk=job.pk).update(lease_token=None)
            return b"%PDF-1.7 late"

        with mock.patch("reporting.pdf.render_pdf", side_effect=taken_over):
            self.assertIsNone(services.report_job_run(job_id=job.pk))
        job.refresh_from_db()
        self.assertEqual(job.status, ReportStatus.RUNNING)
        self.assertFalse(job.file)


@override_settings(REPORT_RESEND_AFTER_SECONDS=60, REPORT_MAX_ATTEMPTS=3)
class ReconcilerTests(TestCase):
    def setUp(self):
        self.now = timezone.now()
        self.send = mock.patch.object(services, "_send").start()
        self.addCleanup(mock.patch.stopall)

    def reconcile(self):
        with self.captureOnCommitCallbacks(execute=True):
            return services.report_jobs_reconcile(now=self.now)

    def test_it_resends_a_pending_job_nobody_picked_up(self):
        job = ReportJobFactory(enqueued_at=self.now - datetime.timedelta(minutes=5))
        fresh = ReportJobFactory(enqueued_at=self.now - datetime.timedelta(seconds=5))
        result = self.reconcile()
        self.assertEqual((result.resent, result.failed), (1, 0))
        self.send.assert_called_once_with(job.pk)
        job.refresh_from_db()
        self.assertEqual(job.enqueued_at, self.now)
        self.assertNotEqual(fresh.pk, job.pk)

    def test_it_returns_a_job_whose_worker_died_to_the_queue(self):
        job = ReportJobFactory(
            status=ReportStatus.RUNNING,
            attempts=1,
            lease_until=self.now - datetime.timedelta(seconds=1),
        )
        self.reconcile()
        job.refresh_from_db()
        self.assertEqual(job.status, ReportStatus.PENDING)
        self.send.assert_called_once_with(job.pk)

    def test_it_fails_a_job_after_three_attempts_with_the_reason(self):
        job = ReportJobFactory(
            status=ReportStatus.RUNNING,
            attempts=3,
            lease_until=self.now - datetime.timedelta(seconds=1),
        )
        result = self.reconcile()
        self.assertEqual((result.resent, result.failed), (0, 1))
        job.refresh_from_db()
        self.assertEqual(job.status, ReportStatus.FAILED)
        self.assertIn("stopped 3 times", job.error)
        self.send.assert_not_called()

    def test_it_leaves_finished_and_healthy_jobs_alone(self):
        ReportJobFactory(status=ReportStatus.DONE, sha256="0" * 64, attempts=1)
        ReportJobFactory(status=ReportStatus.FAILED, attempts=3)
        ReportJobFactory(
            status=ReportStatus.RUNNING,
            attempts=1,
            lease_until=self.now + datetime.timedelta(seconds=30),
        )
        result = self.reconcile()
        self.assertEqual((result.resent, result.failed), (0, 0))
