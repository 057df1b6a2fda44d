"""The report pipeline's services without a broker: request, claim, run,
failure, reconcile, delete.

These run inside a test transaction, where ``report_job_run`` starts no
heartbeat thread (see ``jobs._start_heartbeat``); the heartbeat and the
lease over time are in ``test_lease.py``, the real worker in
``test_pipeline_worker.py``.
"""

from __future__ import annotations

import datetime
import hashlib
from unittest import mock

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import OperationalError
from django.db.models import QuerySet
from django.http import Http404
from django.test import TestCase, override_settings
from django.utils import timezone, translation

from campaign.committees.choices import AuditAction
from campaign.committees.models import AuditEntry
from reporting import services
from reporting.choices import FailureReason, ReportStatus
from reporting.kinds.area_catalogue import AreaCatalogue
from reporting.models import ReportJob
from reporting.services import jobs
from tests.factories import Personas, load_areas
from tests.reporting.factories import ReportJobFactory, finished_job

PDF = b"%PDF-1.7 test"
# The area catalogue needs no plan: the kind the pipeline tests ask for.
AREA_CATALOGUE = {"as_of": "2023-06-30", "language": "vi"}


def failing_updates(*, times: int | None, when=None):
    """Make ``QuerySet.update`` of ReportJob raise ``OperationalError`` (as a
    dropped connection does) ``times`` times (``None``: every time) for the
    writes that record a failure — those that release the lease and set a
    status — or for those ``when(kwargs)`` picks. Returns the patcher and the
    list of failed calls."""
    original = QuerySet.update
    failed: list[dict] = []

    def is_failure_write(kwargs: dict) -> bool:
        return "lease_token" in kwargs and kwargs.get("status") in (
            ReportStatus.PENDING,
            ReportStatus.FAILED,
        )

    pick = when or is_failure_write

    def update(self, **kwargs):
        if (
            self.model is ReportJob
            and pick(kwargs)
            and (times is None or len(failed) < times)
        ):
            failed.append(kwargs)
            raise OperationalError("server closed the connection unexpectedly")
        return original(self, **kwargs)

    return mock.patch.object(QuerySet, "update", update), failed


class ReportRequestTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.user = cls.p.staff

    def setUp(self):
        self.send = mock.patch.object(jobs, "_send").start()
        self.addCleanup(mock.patch.stopall)

    def request(self, data=None, by=None):
        with self.captureOnCommitCallbacks(execute=True):
            return services.report_request(
                kind="area_catalogue",
                data=AREA_CATALOGUE if data is None else {**AREA_CATALOGUE, **data},
                by=by or self.user,
            )

    def test_request_records_the_job_and_sends_it_after_commit(self):
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            job = services.report_request(
                kind="area_catalogue", data=AREA_CATALOGUE, by=self.user
            )
            self.send.assert_not_called()
        self.assertEqual(len(callbacks), 1)
        self.send.assert_called_once_with(job.pk)
        self.assertEqual(job.status, ReportStatus.PENDING)
        self.assertFalse(job.reused)
        self.assertEqual(job.params["as_of"], "2023-06-30")
        self.assertEqual(job.params["language"], "vi")
        self.assertEqual(job.params["issued_on"], timezone.localdate().isoformat())
        self.assertEqual(len(job.params_key), 64)

    def test_bad_parameters_queue_nothing(self):
        cases = [
            ("no_such_report", AREA_CATALOGUE),
            ("area_catalogue", {**AREA_CATALOGUE, "as_of": "1899-12-31"}),
            ("area_catalogue", {**AREA_CATALOGUE, "as_of": "2101-01-01"}),
            ("area_catalogue", {**AREA_CATALOGUE, "as_of": "31/02/2023"}),
            ("area_catalogue", {**AREA_CATALOGUE, "language": "fr"}),
            ("area_catalogue", {"language": "vi"}),
        ]
        for kind, data in cases:
            with self.subTest(kind=kind, data=data):
                with self.captureOnCommitCallbacks(execute=True):
                    with self.assertRaises(ValidationError):
                        services.report_request(kind=kind, data=data, by=self.user)
        self.send.assert_not_called()
        self.assertEqual(ReportJob.objects.count(), 0)

    def test_someone_without_the_right_to_ask_is_refused(self):
        with self.assertRaises(PermissionDenied):
            self.request(by=self.p.deactivated)
        self.assertFalse(ReportJob.objects.exists())

    def test_a_broker_that_is_down_leaves_the_job_pending(self):
        self.send.side_effect = ConnectionError("down")
        job = self.request()
        job.refresh_from_db()
        self.assertEqual(job.status, ReportStatus.PENDING)

    def test_asking_twice_in_a_row_reuses_the_job_being_prepared(self):
        first = self.request()
        second = self.request()
        self.assertEqual(second.pk, first.pk)
        self.assertTrue(second.reused)
        self.assertEqual(ReportJob.objects.count(), 1)
        self.send.assert_called_once_with(first.pk)  # queued once

    def test_the_same_job_is_reused_while_it_runs(self):
        first = self.request()
        ReportJob.objects.filter(pk=first.pk).update(status=ReportStatus.RUNNING)
        self.assertEqual(self.request().pk, first.pk)

    def test_a_different_as_of_date_is_another_job(self):
        first = self.request({"as_of": "2023-06-30"})
        other = self.request({"as_of": "2024-06-30"})
        self.assertNotEqual(other.pk, first.pk)
        self.assertFalse(other.reused)
        self.assertEqual(self.send.call_count, 2)

    def test_another_person_asking_the_same_gets_their_own_job(self):
        first = self.request()
        other = self.request(by=self.p.leader)
        self.assertNotEqual(other.pk, first.pk)

    def test_asking_again_once_it_is_finished_makes_a_new_job(self):
        first = self.request()
        ReportJob.objects.filter(pk=first.pk).update(
            status=ReportStatus.DONE, sha256="0" * 64
        )
        again = self.request()
        self.assertNotEqual(again.pk, first.pk)
        self.assertFalse(again.reused)


class ReportRunTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_areas()

    def setUp(self):
        self.send = mock.patch.object(jobs, "_send").start()
        self.addCleanup(mock.patch.stopall)

    def run_job(self, job):
        with self.captureOnCommitCallbacks(execute=True):
            return services.report_job_run(job_id=job.pk)

    def test_run_renders_stores_and_checksums_the_pdf(self):
        job = ReportJobFactory()
        finished = self.run_job(job)
        self.assertEqual(finished.status, ReportStatus.DONE)
        self.assertEqual(finished.progress, 100)
        self.assertEqual(finished.attempts, 1)
        self.assertIsNotNone(finished.heartbeat_at)
        self.assertIsNone(finished.lease_token)
        data = finished.file.read()
        self.assertTrue(data.startswith(b"%PDF"))
        self.assertEqual(finished.sha256, hashlib.sha256(data).hexdigest())
        self.assertEqual(finished.file_size, len(data))

    def test_a_second_delivery_does_nothing(self):
        job = ReportJobFactory()
        with mock.patch("reporting.pdf.render_pdf", return_value=PDF) as render:
            self.run_job(job)
            self.assertIsNone(self.run_job(job))
        render.assert_called_once()
        job.refresh_from_db()
        self.assertEqual(job.attempts, 1)

    def test_a_running_job_with_a_live_lease_is_not_taken_twice(self):
        job = ReportJobFactory(
            status=ReportStatus.RUNNING,
            attempts=1,
            lease_until=timezone.now() + datetime.timedelta(minutes=1),
        )
        self.assertIsNone(self.run_job(job))

    def test_a_worker_that_lost_its_lease_cannot_finish(self):
        job = ReportJobFactory()

        def taken_over(html, archival=False):
            # Another worker claimed the job meanwhile (its lease token differs).
            ReportJob.objects.filter(pk=job.pk).update(lease_token=None)
            return b"%PDF-1.7 late"

        with mock.patch("reporting.pdf.render_pdf", side_effect=taken_over):
            self.assertIsNone(self.run_job(job))
        job.refresh_from_db()
        self.assertEqual(job.status, ReportStatus.RUNNING)
        self.assertFalse(job.file)

    def test_the_render_delay_does_not_renew_the_lease(self):
        """The fault injection is a plain sleep: only the heartbeat may keep
        the job (here, inside a test transaction, there is none), so a delay
        longer than the lease lets another worker take the job over."""
        job = ReportJobFactory()
        sleeps = []

        def sleep_past_the_lease(seconds):
            sleeps.append(seconds)
            # The lease runs out and a second delivery claims the job.
            ReportJob.objects.filter(pk=job.pk).update(
                lease_until=timezone.now() - datetime.timedelta(seconds=1)
            )
            jobs._claim(job.pk)

        with (
            override_settings(REPORT_RENDER_DELAY_SECONDS=5),
            mock.patch.object(jobs.time, "sleep", side_effect=sleep_past_the_lease),
            mock.patch("reporting.pdf.render_pdf", return_value=PDF),
        ):
            self.assertIsNone(self.run_job(job))
        self.assertEqual(sleeps, [5])
        job.refresh_from_db()
        self.assertEqual((job.status, job.attempts), (ReportStatus.RUNNING, 2))
        self.assertFalse(job.file)


class FailureReasonTests(TestCase):
    """Each way a job fails stores its code (shown translated) apart from the
    technical detail (for staff)."""

    @classmethod
    def setUpTestData(cls):
        load_areas()

    def setUp(self):
        self.send = mock.patch.object(jobs, "_send").start()
        self.addCleanup(mock.patch.stopall)

    def run_job(self, job):
        with self.captureOnCommitCallbacks(execute=True):
            return services.report_job_run(job_id=job.pk)

    def assert_reason(self, job, code, english, technical, hidden=None):
        """``technical`` is kept in ``error`` for staff; what users read is
        the code's text in their language, never the technical detail
        (``hidden``: a part of it that must not show)."""
        self.assertEqual(job.status, ReportStatus.FAILED)
        self.assertEqual(job.error_code, code)
        self.assertIn(technical, job.error)
        with translation.override("en"):
            self.assertEqual(job.failure_reason, english)
        # The Vietnamese catalogue gets these texts later; until then this
        # checks that the reason goes through the translation machinery and
        # is not the technical text.
        with translation.override("vi"):
            shown = job.failure_reason
        self.assertTrue(shown)
        self.assertNotEqual(shown, job.error)
        self.assertNotIn(hidden or technical, shown)

    @override_settings(REPORT_MAX_ATTEMPTS=3)
    def test_a_render_error_is_retried_then_fails_as_render_failed(self):
        job = ReportJobFactory()
        boom = RuntimeError("font cache corrupted")
        with mock.patch("reporting.pdf.render_pdf", side_effect=boom):
            for attempt in range(1, 4):
                self.run_job(job)
                job.refresh_from_db()
                self.assertEqual(job.attempts, attempt)
                if attempt < 3:
                    self.assertEqual(job.status, ReportStatus.PENDING)
                    self.assertEqual(job.error_code, "")  # not failed yet
        self.assertEqual(self.send.call_count, 2)  # re-sent after attempts 1 and 2
        self.assertFalse(job.file)
        self.assertEqual(job.error_params, {"attempts": 3})
        self.assert_reason(
            job,
            FailureReason.RENDER_FAILED,
            "An error occurred while preparing the document.",
            "RuntimeError: font cache corrupted",
        )

    @override_settings(REPORT_MAX_ATTEMPTS=1)
    def test_the_soft_time_limit_fails_as_timed_out(self):
        job = ReportJobFactory()
        with mock.patch(
            "reporting.pdf.render_pdf", side_effect=SoftTimeLimitExceeded("240s")
        ):
            job = self.run_job(job)
        self.assert_reason(
            job,
            FailureReason.TIMED_OUT,
            "Preparing it took longer than allowed.",
            "SoftTimeLimitExceeded",
        )

    def test_parameters_or_access_no_longer_valid_fail_at_once_as_invalid(self):
        cases = [
            ValidationError("The phase 2023-2025 no longer exists."),
            Http404("No such committee."),
            PermissionDenied("not in scope"),
        ]
        for error in cases:
            with self.subTest(error=type(error).__name__):
                self.send.reset_mock()
                job = ReportJobFactory()
                with mock.patch.object(
                    AreaCatalogue, "build_context", side_effect=error
                ):
                    job = self.run_job(job)
                self.assertEqual(job.attempts, 1)  # final: no second attempt
                self.send.assert_not_called()
                self.assert_reason(
                    job,
                    FailureReason.INVALID,
                    "Its parameters are no longer valid.",
                    type(error).__name__,
                )

    def test_a_kind_that_no_longer_exists_fails_as_invalid(self):
        job = ReportJobFactory(kind="retired_kind")
        job = self.run_job(job)
        self.assertEqual((job.attempts, job.error_code), (1, FailureReason.INVALID))
        self.send.assert_not_called()

    @override_settings(REPORT_MAX_ATTEMPTS=3)
    def test_the_reconciler_fails_a_lost_job_as_worker_lost(self):
        job = ReportJobFactory(
            status=ReportStatus.RUNNING,
            attempts=3,
            lease_until=timezone.now() - datetime.timedelta(seconds=1),
        )
        with self.captureOnCommitCallbacks(execute=True):
            services.report_jobs_reconcile()
        job.refresh_from_db()
        self.assertEqual(job.error_params, {"attempts": 3})
        self.assert_reason(
            job,
            FailureReason.WORKER_LOST,
            "The worker preparing it stopped 3 times.",
            "the worker stopped 3 times while preparing it",
        )

    @override_settings(REPORT_MAX_ATTEMPTS=2, REPORT_RESEND_AFTER_SECONDS=60)
    def test_the_reconciler_fails_an_exhausted_pending_job_as_never_started(self):
        job = ReportJobFactory(
            attempts=2, enqueued_at=timezone.now() - datetime.timedelta(minutes=5)
        )
        with self.captureOnCommitCallbacks(execute=True):
            services.report_jobs_reconcile()
        job.refresh_from_db()
        self.assert_reason(
            job,
            FailureReason.NEVER_STARTED,
            "It could not be started after 2 attempts: the queue did not deliver it.",
            "could not be started after 2 attempts; the queue",
        )

    def test_a_job_done_after_a_failed_attempt_keeps_no_failure(self):
        job = ReportJobFactory()
        with mock.patch(
            "reporting.pdf.render_pdf", side_effect=[RuntimeError("once"), PDF]
        ):
            self.run_job(job)
            job = self.run_job(job)
        self.assertEqual((job.status, job.attempts), (ReportStatus.DONE, 2))
        self.assertEqual((job.error, job.error_code, job.error_params), ("", "", {}))
        self.assertEqual(job.failure_reason, "")


@override_settings(REPORT_MAX_ATTEMPTS=3)
class DatabaseErrorTests(TestCase):
    """A failure caused by the database, not by the document, gives its
    attempt back; writing any failure is retried on a fresh connection; and
    when it cannot be written at all, the job waits for its lease to run out
    and the attempt counts once."""

    @classmethod
    def setUpTestData(cls):
        load_areas()

    def setUp(self):
        self.send = mock.patch.object(jobs, "_send").start()
        # The retries' back-off, without the wait.
        self.sleep = mock.patch.object(jobs.time, "sleep").start()
        self.addCleanup(mock.patch.stopall)

    def run_job(self, job):
        with self.captureOnCommitCallbacks(execute=True):
            return services.report_job_run(job_id=job.pk)

    def test_a_database_error_while_rendering_gives_the_attempt_back(self):
        job = ReportJobFactory()
        dropped = OperationalError("server closed the connection unexpectedly")
        with mock.patch("reporting.pdf.render_pdf", side_effect=[dropped, PDF]):
            requeued = self.run_job(job)
            self.assertEqual(requeued.status, ReportStatus.PENDING)
            self.assertEqual(requeued.attempts, 0)  # given back
            self.assertEqual(requeued.error_params, {"database_errors": 1})
            self.assertIn("OperationalError", requeued.error)
            self.send.assert_called_once_with(job.pk)  # sent again at once
            done = self.run_job(job)
        self.assertEqual((done.status, done.attempts), (ReportStatus.DONE, 1))

    def test_a_database_error_while_recording_the_failure_is_retried(self):
        job = ReportJobFactory()
        dropped = OperationalError("server closed the connection unexpectedly")
        patcher, failed = failing_updates(times=1)
        with mock.patch("reporting.pdf.render_pdf", side_effect=dropped), patcher:
            job = self.run_job(job)
        self.assertEqual(len(failed), 1)  # the first write failed…
        self.sleep.assert_called_once_with(jobs.RECORD_FAILURE_BACKOFF[0])
        # …the retry wrote it, and the attempt was given back once, not twice.
        self.assertEqual((job.status, job.attempts), (ReportStatus.PENDING, 0))
        self.assertEqual(job.error_params, {"database_errors": 1})
        self.send.assert_called_once_with(job.pk)

    def test_a_render_error_recorded_on_the_second_try_counts_its_attempt_once(self):
        job = ReportJobFactory()
        patcher, failed = failing_updates(times=2)
        with (
            mock.patch("reporting.pdf.render_pdf", side_effect=RuntimeError("bad")),
            patcher,
        ):
            job = self.run_job(job)
        self.assertEqual(len(failed), 2)
        # Not the database's fault: the attempt counts, once.
        self.assertEqual((job.status, job.attempts), (ReportStatus.PENDING, 1))
        self.send.assert_called_once_with(job.pk)

    def test_a_failure_that_cannot_be_recorded_waits_for_the_lease_and_counts_once(
        self,
    ):
        job = ReportJobFactory()
        dropped = OperationalError("server closed the connection unexpectedly")
        patcher, failed = failing_updates(times=None)
        with mock.patch("reporting.pdf.render_pdf", side_effect=dropped), patcher:
            stuck = self.run_job(job)
        self.assertEqual(len(failed), 1 + len(jobs.RECORD_FAILURE_BACKOFF))
        # Left as it was: running, still leased to the worker that gave up.
        self.assertEqual((stuck.status, stuck.attempts), (ReportStatus.RUNNING, 1))
        self.assertIsNotNone(stuck.lease_token)
        self.send.assert_not_called()
        self.assertFalse(stuck.is_stalled)

        # Nobody takes it while the lease runs…
        with self.captureOnCommitCallbacks(execute=True):
            result = services.report_jobs_reconcile(now=timezone.now())
        self.assertEqual(result.resent, 0)
        # …once it ran out, the reconciler sends it again, attempt kept.
        after_lease = stuck.lease_until + datetime.timedelta(seconds=1)
        with mock.patch.object(jobs.timezone, "now", return_value=after_lease):
            stuck.refresh_from_db()
            self.assertTrue(stuck.is_stalled)
        with self.captureOnCommitCallbacks(execute=True):
            result = services.report_jobs_reconcile(now=after_lease)
        self.assertEqual(result.resent, 1)
        job.refresh_from_db()
        self.assertEqual((job.status, job.attempts), (ReportStatus.PENDING, 1))
        self.send.assert_called_once_with(job.pk)

        # The next delivery works: two claims, two attempts.
        with mock.patch("reporting.pdf.render_pdf", return_value=PDF):
            done = self.run_job(job)
        self.assertEqual((done.status, done.attempts), (ReportStatus.DONE, 2))

    @override_settings(REPORT_MAX_ATTEMPTS=2)
    def test_a_database_error_every_time_still_ends_as_a_failure(self):
        """Attempts are given back at most REPORT_MAX_ATTEMPTS times, so a
        query that always fails this way (a statement timeout) cannot loop
        for ever."""
        job = ReportJobFactory()
        timeout = OperationalError("canceling statement due to statement timeout")
        runs = 0
        with mock.patch("reporting.pdf.render_pdf", side_effect=timeout):
            while runs < 10:
                runs += 1
                job = self.run_job(job)
                if job.status == ReportStatus.FAILED:
                    break
        self.assertEqual(runs, 4)  # two given back, then two counted
        self.assertEqual(job.attempts, 2)
        self.assertEqual(job.error_code, FailureReason.RENDER_FAILED)

    def test_a_file_the_job_points_at_is_never_deleted(self):
        """The final write may be committed before the connection drops: the
        file written is kept when the job refers to it."""
        job = ReportJobFactory()
        original = QuerySet.update

        def done_then_dropped(self, **kwargs):
            result = original(self, **kwargs)
            if self.model is ReportJob and kwargs.get("status") == ReportStatus.DONE:
                raise OperationalError("connection lost after commit")
            return result

        with (
            mock.patch("reporting.pdf.render_pdf", return_value=PDF),
            mock.patch.object(QuerySet, "update", done_then_dropped),
        ):
            job = self.run_job(job)
        self.assertEqual(job.status, ReportStatus.DONE)
        self.assertTrue(default_storage.exists(job.file.name))
        self.assertEqual(job.file.read(), PDF)


@override_settings(REPORT_RESEND_AFTER_SECONDS=60, REPORT_MAX_ATTEMPTS=3)
class ReconcilerTests(TestCase):
    def setUp(self):
        self.now = timezone.now()
        self.send = mock.patch.object(jobs, "_send").start()
        self.addCleanup(mock.patch.stopall)

    def reconcile(self):
        with self.captureOnCommitCallbacks(execute=True):
            return services.report_jobs_reconcile(now=self.now)

    def test_it_resends_a_pending_job_nobody_picked_up(self):
        job = ReportJobFactory(enqueued_at=self.now - datetime.timedelta(minutes=5))
        ReportJobFactory(enqueued_at=self.now - datetime.timedelta(seconds=5))
        result = self.reconcile()
        self.assertEqual((result.resent, result.failed), (1, 0))
        self.send.assert_called_once_with(job.pk)
        job.refresh_from_db()
        self.assertEqual(job.enqueued_at, self.now)

    def test_it_returns_a_job_whose_worker_died_to_the_queue(self):
        job = ReportJobFactory(
            status=ReportStatus.RUNNING,
            attempts=1,
            lease_until=self.now - datetime.timedelta(seconds=1),
        )
        self.reconcile()
        job.refresh_from_db()
        self.assertEqual(job.status, ReportStatus.PENDING)
        self.assertEqual(job.attempts, 1)  # counted when it is claimed again
        self.assertIsNone(job.lease_token)
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
        self.assertEqual(job.error_code, FailureReason.WORKER_LOST)
        self.assertIn("stopped 3 times", job.error)
        self.send.assert_not_called()

    def test_it_leaves_finished_and_healthy_jobs_alone(self):
        ReportJobFactory(status=ReportStatus.DONE, sha256="0" * 64, attempts=1)
        ReportJobFactory(status=ReportStatus.FAILED, attempts=3)
        healthy = ReportJobFactory(
            status=ReportStatus.RUNNING,
            attempts=1,
            lease_until=self.now + datetime.timedelta(seconds=30),
        )
        result = self.reconcile()
        self.assertEqual((result.resent, result.failed), (0, 0))
        self.assertFalse(healthy.is_stalled)


class StalledTests(TestCase):
    def test_a_running_job_is_stalled_once_its_lease_ran_out(self):
        now = timezone.now()
        cases = [
            (ReportStatus.RUNNING, now - datetime.timedelta(seconds=1), True),
            (ReportStatus.RUNNING, now + datetime.timedelta(seconds=20), False),
            (ReportStatus.RUNNING, None, False),
            (ReportStatus.PENDING, None, False),
            (ReportStatus.DONE, None, False),
        ]
        for status, lease_until, stalled in cases:
            with self.subTest(status=status, lease_until=lease_until):
                job = ReportJobFactory.build(status=status, lease_until=lease_until)
                self.assertIs(job.is_stalled, stalled)


class ReportDeleteTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def delete(self, job, by):
        with self.captureOnCommitCallbacks(execute=True):
            services.report_delete(public_id=job.public_id, by=by)

    def test_the_owner_deletes_a_finished_report_and_its_file(self):
        job = finished_job(self.p.officer_a)
        name = job.file.name
        self.assertTrue(default_storage.exists(name))
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            services.report_delete(public_id=job.public_id, by=self.p.officer_a)
            self.assertTrue(default_storage.exists(name))  # not before commit
        for callback in callbacks:
            callback()
        self.assertFalse(ReportJob.objects.filter(pk=job.pk).exists())
        self.assertFalse(default_storage.exists(name))
        # The deletion stays in the audit trail, with the file's checksum.
        entry = AuditEntry.objects.get(action=AuditAction.REPORT_DELETED)
        self.assertEqual(entry.actor, self.p.officer_a)
        self.assertIn(job.sha256, entry.note)

    def test_the_owner_deletes_a_failed_report(self):
        job = ReportJobFactory(
            requested_by=self.p.officer_a,
            status=ReportStatus.FAILED,
            error_code=FailureReason.RENDER_FAILED,
        )
        self.delete(job, self.p.officer_a)
        self.assertFalse(ReportJob.objects.filter(pk=job.pk).exists())

    def test_another_persons_report_is_not_found(self):
        job = finished_job(self.p.officer_a)
        with self.assertRaises(Http404):
            self.delete(job, self.p.officer_b)
        self.assertTrue(ReportJob.objects.filter(pk=job.pk).exists())
        self.assertTrue(default_storage.exists(job.file.name))

    def test_a_leader_who_sees_a_report_may_not_delete_it(self):
        job = finished_job(self.p.staff)
        with self.assertRaises(PermissionDenied):
            self.delete(job, self.p.leader)
        self.assertTrue(ReportJob.objects.filter(pk=job.pk).exists())

    def test_provincial_staff_delete_anyones_finished_report(self):
        for owner in (self.p.officer_a, self.p.leader):
            with self.subTest(owner=owner.username):
                job = finished_job(owner)
                self.delete(job, self.p.staff)
                self.assertFalse(ReportJob.objects.filter(pk=job.pk).exists())
                self.assertFalse(default_storage.exists(job.file.name))

    def test_a_report_being_prepared_is_refused_in_words(self):
        for status in (ReportStatus.PENDING, ReportStatus.RUNNING):
            with self.subTest(status=status):
                job = ReportJobFactory(requested_by=self.p.officer_a, status=status)
                with self.assertRaises(ValidationError) as caught:
                    self.delete(job, self.p.staff)
                self.assertEqual(caught.exception.code, "unfinished")
                with translation.override("en"):
                    self.assertIn(
                        "still being prepared", " ".join(caught.exception.messages)
                    )
                self.assertTrue(ReportJob.objects.filter(pk=job.pk).exists())

    def test_a_file_already_missing_does_not_stop_the_deletion(self):
        job = finished_job(self.p.officer_a)
        default_storage.delete(job.file.name)
        self.delete(job, self.p.officer_a)
        self.assertFalse(ReportJob.objects.filter(pk=job.pk).exists())
