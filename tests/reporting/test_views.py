"""A report's own pages: its progress, its parameters in words, its download —
what each reader sees of it, and what users must not reach."""

from __future__ import annotations

import datetime
import uuid

from django.core.files.base import ContentFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from campaign.committees.templatetags.people import vn_name
from reporting.choices import FailureReason, ReportKind, ReportStatus
from reporting.models import ReportJob
from tests.factories import Personas
from tests.reporting.factories import ReportJobFactory


def done_job(user, content=b"%PDF-1.7 fake", **fields):
    job = ReportJobFactory(
        requested_by=user, status=ReportStatus.DONE, sha256="a" * 64, **fields
    )
    job.file.save(f"{job.public_id}.pdf", ContentFile(content), save=False)
    ReportJob.objects.filter(pk=job.pk).update(
        file=job.file.name, file_size=len(content)
    )
    return job


def failed_job(user):
    return ReportJobFactory(
        requested_by=user,
        status=ReportStatus.FAILED,
        attempts=3,
        error_code=FailureReason.WORKER_LOST,
        error="WorkerLostError: SIGKILL in render_pdf",
    )


def en(url: str) -> str:
    """The English address of a page (``reverse`` may already give it: the
    language of the last request stays active)."""
    return url if url.startswith("/en/") else "/en" + url


class ReportDownloadTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def test_owner_downloads_the_pdf_as_an_attachment(self):
        job = done_job(self.p.staff)
        self.client.force_login(self.p.staff)
        response = self.client.get(
            reverse("reporting:report_download", args=[job.public_id])
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response["Content-Disposition"].startswith("attachment;"))
        self.assertEqual(b"".join(response.streaming_content), b"%PDF-1.7 fake")

    def test_a_leader_of_the_province_downloads_the_staffs_report(self):
        job = done_job(self.p.staff)
        self.client.force_login(self.p.leader)
        response = self.client.get(
            reverse("reporting:report_download", args=[job.public_id])
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), b"%PDF-1.7 fake")

    def test_a_report_file_missing_from_storage_is_404_not_an_error(self):
        job = done_job(self.p.staff)
        job.file.storage.delete(job.file.name)
        self.client.force_login(self.p.staff)
        with self.assertLogs("campaign.downloads", "WARNING"):
            response = self.client.get(
                reverse("reporting:report_download", args=[job.public_id])
            )
        self.assertEqual(response.status_code, 404)

    def test_unfinished_report_cannot_be_downloaded(self):
        job = ReportJobFactory(requested_by=self.p.staff)
        self.client.force_login(self.p.staff)
        response = self.client.get(
            reverse("reporting:report_download", args=[job.public_id])
        )
        self.assertEqual(response.status_code, 404)


class ReportReachTests(TestCase):
    """Whose reports a user reaches: their own; the province's staff and
    leaders every report of the province; nobody else anyone else's."""

    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def test_another_officers_report_is_a_404_everywhere(self):
        job = done_job(self.p.officer_b)
        for user in (self.p.officer_a, self.p.officer_ward):
            self.client.force_login(user)
            for name in (
                "report_detail",
                "report_status",
                "report_download",
                "report_delete",
            ):
                with self.subTest(user=user.username, name=name):
                    response = self.client.get(
                        reverse(f"reporting:{name}", args=[job.public_id])
                    )
                    self.assertEqual(response.status_code, 404)

    def test_the_staffs_report_is_a_404_to_a_local_officer(self):
        job = done_job(self.p.staff)
        self.client.force_login(self.p.officer_a)
        for name in ("report_detail", "report_status", "report_download"):
            with self.subTest(name=name):
                response = self.client.get(
                    reverse(f"reporting:{name}", args=[job.public_id])
                )
                self.assertEqual(response.status_code, 404)

    def test_province_staff_and_leaders_open_an_officers_report(self):
        job = done_job(self.p.officer_ward)
        for user in (self.p.staff, self.p.leader):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(job.get_absolute_url())
                self.assertEqual(response.status_code, 200)

    def test_unknown_report_is_a_404(self):
        self.client.force_login(self.p.staff)
        response = self.client.get(
            reverse("reporting:report_detail", args=[uuid.uuid4()])
        )
        self.assertEqual(response.status_code, 404)


class ReportDetailTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def test_the_parameters_are_shown_in_words(self):
        job = ReportJobFactory(
            requested_by=self.p.officer_ward,
            kind=ReportKind.PHASE_PROGRESS,
            scope_committee=self.p.committee_ward,
            params={
                "phase": "2023-2025",
                "as_of": "2025-06-30",
                "scope": self.p.committee_ward.pk,
                "language": "en",
                "archival": True,
                "issued_on": "2025-07-02",
            },
        )
        self.client.force_login(self.p.officer_ward)
        response = self.client.get(en(job.get_absolute_url()))
        self.assertContains(
            response,
            '<h1 class="h3 mb-3">Progress report of a phase 2023–2025</h1>',
            html=True,
        )
        for text in (
            "30/06/2025",
            self.p.committee_ward.short_name,
            "English",
            "02/07/2025",
            vn_name(self.p.officer_ward),
        ):
            self.assertContains(response, text)
        self.assertContains(response, '<dd class="col-sm-7">Yes</dd>', html=True)

    def test_a_report_on_the_province_says_so(self):
        job = ReportJobFactory(requested_by=self.p.staff)
        self.client.force_login(self.p.staff)
        response = self.client.get(en(job.get_absolute_url()))
        self.assertContains(response, "Whole province")

    def test_the_staff_see_the_checksum_and_leaders_do_not(self):
        job = done_job(self.p.staff)
        self.client.force_login(self.p.staff)
        self.assertContains(self.client.get(job.get_absolute_url()), "a" * 64)
        self.client.force_login(self.p.leader)
        response = self.client.get(job.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "a" * 64)
        self.assertNotContains(response, "SHA-256")
        self.assertContains(
            response, reverse("reporting:report_download", args=[job.public_id])
        )

    def test_a_failure_is_explained_in_the_readers_language_and_detailed_to_staff(
        self,
    ):
        job = failed_job(self.p.leader)
        self.client.force_login(self.p.leader)
        response = self.client.get(en(job.get_absolute_url()))
        self.assertContains(response, "The worker preparing it stopped 3 times.")
        self.assertNotContains(response, "SIGKILL")
        self.client.force_login(self.p.staff)
        response = self.client.get(en(job.get_absolute_url()))
        self.assertContains(response, "The worker preparing it stopped 3 times.")
        self.assertContains(response, "WorkerLostError: SIGKILL in render_pdf")

    def test_a_local_officer_never_sees_the_technical_detail_of_their_failure(self):
        job = failed_job(self.p.officer_a)
        self.client.force_login(self.p.officer_a)
        response = self.client.get(en(job.get_absolute_url()))
        self.assertContains(response, "could not be prepared")
        self.assertNotContains(response, "SIGKILL")

    def test_a_stalled_report_says_it_will_be_resumed(self):
        job = ReportJobFactory(
            requested_by=self.p.staff,
            status=ReportStatus.RUNNING,
            progress=35,
            attempts=1,
            lease_until=timezone.now() - datetime.timedelta(minutes=5),
        )
        self.client.force_login(self.p.staff)
        response = self.client.get(
            en(reverse("reporting:report_status", args=[job.public_id]))
        )
        self.assertContains(response, "Interrupted — it will be resumed shortly.")
        self.assertContains(response, 'hx-trigger="every 1s"')

    def test_a_running_report_is_not_called_interrupted(self):
        job = ReportJobFactory(
            requested_by=self.p.staff,
            status=ReportStatus.RUNNING,
            progress=35,
            lease_until=timezone.now() + datetime.timedelta(minutes=2),
        )
        self.client.force_login(self.p.staff)
        response = self.client.get(en(job.get_absolute_url()))
        self.assertNotContains(response, "Interrupted")
        self.assertContains(response, "Preparing the document… 35%")

    def test_progress_fragment_polls_until_finished(self):
        job = ReportJobFactory(
            requested_by=self.p.staff, status=ReportStatus.RUNNING, progress=35
        )
        self.client.force_login(self.p.staff)
        url = reverse("reporting:report_status", args=[job.public_id])
        response = self.client.get(url, headers={"HX-Request": "true"})
        self.assertContains(response, 'hx-trigger="every 1s"')
        self.assertContains(response, '<progress id="report-progress"')
        self.assertContains(response, 'value="35"')
        ReportJob.objects.filter(pk=job.pk).update(
            status=ReportStatus.DONE, sha256="b" * 64
        )
        response = self.client.get(url, headers={"HX-Request": "true"})
        self.assertNotContains(response, "hx-trigger")
        self.assertContains(
            response, reverse("reporting:report_download", args=[job.public_id])
        )

    def test_without_javascript_a_link_reloads_the_progress(self):
        job = ReportJobFactory(requested_by=self.p.staff)
        self.client.force_login(self.p.staff)
        response = self.client.get(en(job.get_absolute_url()))
        self.assertContains(
            response,
            f'<noscript><p><a href="{job.get_absolute_url()}">Reload this page to '
            "see the progress.</a></p></noscript>",
            html=True,
        )

    def test_the_delete_button_is_offered_to_who_may_delete_a_finished_report(self):
        job = done_job(self.p.leader)
        delete_url = reverse("reporting:report_delete", args=[job.public_id])
        for user, offered in (
            (self.p.leader, True),
            (self.p.staff, True),
        ):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(job.get_absolute_url())
                (self.assertContains if offered else self.assertNotContains)(
                    response, delete_url
                )
        staffs = done_job(self.p.staff)
        self.client.force_login(self.p.leader)
        response = self.client.get(staffs.get_absolute_url())
        self.assertNotContains(
            response, reverse("reporting:report_delete", args=[staffs.public_id])
        )
        unfinished = ReportJobFactory(requested_by=self.p.leader)
        response = self.client.get(unfinished.get_absolute_url())
        self.assertNotContains(
            response, reverse("reporting:report_delete", args=[unfinished.public_id])
        )
