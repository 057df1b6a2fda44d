"""Report pages: request, progress, download — and what users must not reach."""

from __future__ import annotations

import uuid
from unittest import mock

from django.core.files.base import ContentFile
from django.test import TestCase
from django.urls import reverse

from reporting import services
from reporting.choices import ReportStatus
from reporting.models import ReportJob
from tests.factories import Personas
from tests.reporting.factories import ReportJobFactory


def done_job(user, content=b"%PDF-1.7 fake"):
    job = ReportJobFactory(requested_by=user, status=ReportStatus.DONE, sha256="a" * 64)
    job.file.save(f"{job.public_id}.pdf", ContentFile(content), save=False)
    ReportJob.objects.filter(pk=job.pk).update(
        file=job.file.name, file_size=len(content)
    )
    return job


class ReportRequestViewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.staff = cls.p.staff

    def setUp(self):
        self.client.force_login(self.staff)
        self.send = mock.patch.object(services, "_send").start()
        self.addCleanup(mock.patch.stopall)

    def post(self, data, language="vi"):
        url = reverse("reporting:report_request")
        if language == "en":
            url = "/en" + url
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(url, data)

    def test_request_redirects_to_the_progress_page_and_queues_once(self):
        response = self.post({"kind": "area_catalogue", "as_of": "2023-06-30"})
        job = ReportJob.objects.get()
        self.assertRedirects(
            response, job.get_absolute_url(), fetch_redirect_response=False
        )
        self.send.assert_called_once_with(job.pk)
        self.assertEqual(job.requested_by, self.staff)

    def test_dd_mm_yyyy_is_accepted(self):
        self.post({"kind": "area_catalogue", "as_of": "30/06/2023"})
        self.assertEqual(ReportJob.objects.get().params["as_of"], "2023-06-30")

    def test_unknown_kind_is_explained_in_vietnamese_and_nothing_is_queued(self):
        response = self.post({"kind": "salaries", "as_of": "2023-06-30"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Hãy chọn một lựa chọn hợp lệ", status_code=400)
        self.assertFalse(ReportJob.objects.exists())
        self.send.assert_not_called()

    def test_dates_outside_1900_2100_or_malformed_are_explained(self):
        for value in ("1899-12-31", "2101-01-01", "31/02/2023", "hôm qua", ""):
            with self.subTest(value=value):
                response = self.post({"kind": "area_catalogue", "as_of": value})
                self.assertEqual(response.status_code, 400)
                self.assertTrue(response.context["form"].errors["as_of"])
        self.assertFalse(ReportJob.objects.exists())
        self.send.assert_not_called()

    def test_out_of_range_message_in_english(self):
        response = self.post({"kind": "area_catalogue", "as_of": "2101-01-01"}, "en")
        self.assertContains(
            response,
            "Choose a date between 01/01/1900 and 31/12/2100.",
            status_code=400,
        )

    def test_out_of_range_message_in_vietnamese(self):
        response = self.post({"kind": "area_catalogue", "as_of": "2101-01-01"})
        self.assertContains(
            response,
            "Hãy chọn ngày trong khoảng 01/01/1900 đến 31/12/2100.",
            status_code=400,
        )

    def test_local_officers_may_not_request_reports(self):
        self.client.force_login(self.p.officer_a)
        response = self.post({"kind": "area_catalogue", "as_of": "2023-06-30"})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(ReportJob.objects.exists())

    def test_get_on_the_request_url_is_not_allowed(self):
        response = self.client.get(reverse("reporting:report_request"))
        self.assertEqual(response.status_code, 405)


class ReportAccessTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.staff, cls.officer, cls.leader = cls.p.staff, cls.p.officer_a, cls.p.leader

    def test_owner_downloads_the_pdf_as_an_attachment(self):
        job = done_job(self.staff)
        self.client.force_login(self.staff)
        response = self.client.get(
            reverse("reporting:report_download", args=[job.public_id])
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response["Content-Disposition"].startswith("attachment;"))
        self.assertEqual(b"".join(response.streaming_content), b"%PDF-1.7 fake")

    def test_a_report_file_missing_from_storage_is_404_not_an_error(self):
        job = done_job(self.staff)
        job.file.storage.delete(job.file.name)
        self.client.force_login(self.staff)
        with self.assertLogs("campaign.downloads", "WARNING"):
            response = self.client.get(
                reverse("reporting:report_download", args=[job.public_id])
            )
        self.assertEqual(response.status_code, 404)

    def test_another_users_report_is_a_404_everywhere(self):
        job = done_job(self.staff)
        self.client.force_login(self.officer)
        for name in ("report_detail", "report_status", "report_download"):
            with self.subTest(name=name):
                response = self.client.get(
                    reverse(f"reporting:{name}", args=[job.public_id])
                )
                self.assertEqual(response.status_code, 404)

    def test_unknown_report_is_a_404(self):
        self.client.force_login(self.staff)
        response = self.client.get(
            reverse("reporting:report_detail", args=[uuid.uuid4()])
        )
        self.assertEqual(response.status_code, 404)

    def test_unfinished_report_cannot_be_downloaded(self):
        job = ReportJobFactory(requested_by=self.staff)
        self.client.force_login(self.staff)
        response = self.client.get(
            reverse("reporting:report_download", args=[job.public_id])
        )
        self.assertEqual(response.status_code, 404)

    def test_progress_fragment_polls_until_finished(self):
        job = ReportJobFactory(
            requested_by=self.staff, status=ReportStatus.RUNNING, progress=35
        )
        self.client.force_login(self.staff)
        url = reverse("reporting:report_status", args=[job.public_id])
        response = self.client.get(url, headers={"HX-Request": "true"})
        self.assertContains(response, 'hx-trigger="every 1s"')
        self.assertContains(response, 'value="35"')
        ReportJob.objects.filter(pk=job.pk).update(
            status=ReportStatus.DONE, sha256="b" * 64
        )
        response = self.client.get(url, headers={"HX-Request": "true"})
        self.assertNotContains(response, "hx-trigger")
        self.assertContains(
            response, reverse("reporting:report_download", args=[job.public_id])
        )

    def test_failed_report_shows_its_reason(self):
        job = ReportJobFactory(
            requested_by=self.staff,
            status=ReportStatus.FAILED,
            error="Worker stopped 3 times.",
        )
        self.client.force_login(self.staff)
        response = self.client.get(job.get_absolute_url())
        self.assertContains(response, "Worker stopped 3 times.")

    def test_report_list_shows_only_my_reports_with_constant_queries(self):
        mine = [ReportJobFactory(requested_by=self.leader) for _ in range(3)]
        ReportJobFactory(requested_by=self.staff)
        self.client.force_login(self.leader)
        with self.assertNumQueries(6):
            response = self.client.get(reverse("reporting:report_list"))
        self.assertEqual(
            {j.pk for j in response.context["page_obj"]}, {j.pk for j in mine}
        )
        for _ in range(10):
            ReportJobFactory(requested_by=self.leader)
        with self.assertNumQueries(6):
            self.client.get(reverse("reporting:report_list"))

    def test_eager_mode_request_renders_within_the_request(self):
        # The embedded default (no broker): the task runs when the request commits.
        self.client.force_login(self.staff)
        response = self.client.post(
            reverse("reporting:report_request"),
            {"kind": "area_catalogue", "as_of": "2023-06-30"},
        )
        job = ReportJob.objects.get()
        self.assertRedirects(
            response, job.get_absolute_url(), fetch_redirect_response=False
        )
