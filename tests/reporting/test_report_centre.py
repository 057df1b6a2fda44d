"""The report centre: a form per kind of report, requests refused in words
(nothing queued), a request asked twice answered with the same job, the
history of one's own and of the province's reports, and deleting reports."""

from __future__ import annotations

import datetime
from unittest import mock

from django.contrib.messages import get_messages
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaign.committees.templatetags.people import vn_name
from reporting.choices import ReportKind, ReportStatus
from reporting.models import ReportJob
from tests.factories import Personas
from tests.reporting.factories import ReportJobFactory
from tests.reporting.test_views import done_job, en
from tests.services import eager_tasks

CENTRE = reverse("reporting:report_list")
REQUEST = reverse("reporting:report_request")


def phase_progress(**fields) -> dict:
    data = {
        "kind": "phase_progress",
        "phase_progress-phase": "2023-2025",
        "phase_progress-as_of": "2025-06-30",
        "phase_progress-scope": "",
        "phase_progress-language": "vi",
    }
    data.update({f"phase_progress-{name}": value for name, value in fields.items()})
    return data


def area_catalogue(**fields) -> dict:
    data = {
        "kind": "area_catalogue",
        "area_catalogue-as_of": "2023-06-30",
        "area_catalogue-language": "vi",
    }
    data.update({f"area_catalogue-{name}": value for name, value in fields.items()})
    return data


class RequestTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def setUp(self):
        # Nothing is sent to a queue: the jobs stay pending.
        self.send = mock.patch("reporting.services.jobs._send").start()
        self.addCleanup(mock.patch.stopall)

    def post(self, data, *, user=None, language="vi"):
        self.client.force_login(user or self.p.staff)
        url = en(REQUEST) if language == "en" else REQUEST
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(url, data)

    def assertNothingQueued(self):
        self.assertFalse(ReportJob.objects.exists())
        self.send.assert_not_called()

    def field_errors(self, response, kind, field):
        forms = {spec.key: form for spec, form in response.context["kind_forms"]}
        return forms[kind].errors.get(field, [])


class ReportCentrePageTests(RequestTestCase):
    def test_each_kind_has_its_own_labelled_form_with_its_prefix(self):
        self.client.force_login(self.p.staff)
        response = self.client.get(en(CENTRE))
        self.assertEqual(response.status_code, 200)
        for kind in ("phase_progress", "area_catalogue"):
            self.assertContains(
                response,
                f'<input type="hidden" name="kind" value="{kind}">',
                html=True,
            )
            self.assertContains(response, f'for="id_{kind}-as_of"')
            self.assertContains(response, f'name="{kind}-language"')
        self.assertContains(response, "Progress report of a phase")
        self.assertContains(response, "Catalogue of administrative units")
        self.assertContains(response, "The whole province")

    def test_a_local_officer_is_offered_only_their_own_committees(self):
        self.client.force_login(self.p.officer_ward)
        response = self.client.get(en(CENTRE))
        self.assertContains(
            response, f'<option value="{self.p.committee_ward.pk}"', count=1
        )
        self.assertNotContains(response, f'value="{self.p.committee_commune.pk}"')
        self.assertNotContains(response, "The whole province")

    def test_a_link_from_the_dashboard_preselects_its_phase_and_locality(self):
        self.client.force_login(self.p.staff)
        response = self.client.get(
            f"{en(CENTRE)}?phase=2023-2025&scope={self.p.committee_a.pk}"
        )
        self.assertContains(response, '<option value="2023-2025" selected>', html=False)
        self.assertContains(
            response, f'<option value="{self.p.committee_a.pk}" selected>', html=False
        )

    def test_staff_find_the_texts_page_from_the_centre(self):
        texts = reverse("reporting:report_texts")
        self.client.force_login(self.p.staff)
        self.assertContains(self.client.get(CENTRE), texts)
        self.client.force_login(self.p.leader)
        self.assertNotContains(self.client.get(CENTRE), texts)


class ReportRequestTests(RequestTestCase):
    def test_a_request_is_queued_once_and_leads_to_its_progress_page(self):
        response = self.post(area_catalogue())
        job = ReportJob.objects.get()
        self.assertRedirects(
            response, job.get_absolute_url(), fetch_redirect_response=False
        )
        self.send.assert_called_once_with(job.pk)
        self.assertEqual(job.requested_by, self.p.staff)
        self.assertEqual(job.params["as_of"], "2023-06-30")

    def test_dd_mm_yyyy_is_accepted(self):
        self.post(area_catalogue(as_of="30/06/2023"))
        self.assertEqual(ReportJob.objects.get().params["as_of"], "2023-06-30")

    def test_asking_again_while_it_is_prepared_leads_to_the_same_report(self):
        first = self.post(phase_progress(), language="en")
        second = self.post(phase_progress(), language="en")
        job = ReportJob.objects.get()
        self.assertEqual(first["Location"], second["Location"])
        self.assertEqual(
            [str(m) for m in get_messages(second.wsgi_request)][-1],
            "This report is already being prepared: here it is.",
        )
        self.send.assert_called_once_with(job.pk)

    def test_a_local_officer_can_request_a_report_of_their_own_committee(self):
        response = self.post(
            phase_progress(scope=self.p.committee_ward.pk), user=self.p.officer_ward
        )
        job = ReportJob.objects.get()
        self.assertRedirects(
            response, job.get_absolute_url(), fetch_redirect_response=False
        )
        self.assertEqual(job.scope_committee, self.p.committee_ward)
        self.assertEqual(job.kind, ReportKind.PHASE_PROGRESS)
        self.assertEqual(job.params["scope"], self.p.committee_ward.pk)
        self.send.assert_called_once_with(job.pk)

    def test_a_scope_outside_the_officers_is_refused_next_to_the_field(self):
        response = self.post(
            phase_progress(scope=self.p.committee_commune.pk),
            user=self.p.officer_ward,
            language="en",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn(
            "That committee is not in your scope: choose one from the list.",
            self.field_errors(response, "phase_progress", "scope"),
        )
        self.assertContains(
            response,
            "That committee is not in your scope: choose one from the list.",
            status_code=400,
        )
        self.assertContains(response, "The report was not requested.", status_code=400)
        self.assertNothingQueued()

    def test_the_whole_province_is_refused_to_a_local_officer(self):
        response = self.post(
            phase_progress(scope=""), user=self.p.officer_ward, language="en"
        )
        self.assertEqual(response.status_code, 400)
        self.assertTrue(self.field_errors(response, "phase_progress", "scope"))
        self.assertNothingQueued()

    def test_an_as_of_date_before_the_phase_is_refused(self):
        response = self.post(phase_progress(as_of="2022-12-31"), language="en")
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response,
            "The phase 2023–2025 starts on 01/01/2023: choose a date from then on.",
            status_code=400,
        )
        self.assertTrue(self.field_errors(response, "phase_progress", "as_of"))
        self.assertNothingQueued()

    def test_an_as_of_date_in_the_future_is_refused(self):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        response = self.post(
            phase_progress(phase="2026-2030", as_of=tomorrow.isoformat()),
            language="en",
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response,
            "The report cannot be as of a day that has not come yet.",
            status_code=400,
        )
        self.assertNothingQueued()

    def test_the_refused_form_keeps_what_was_typed_and_the_others_are_fresh(self):
        response = self.post(phase_progress(as_of="2022-12-31"), language="en")
        self.assertContains(response, 'value="2022-12-31"', status_code=400)
        forms = {spec.key: form for spec, form in response.context["kind_forms"]}
        self.assertTrue(forms["phase_progress"].is_bound)
        self.assertFalse(forms["area_catalogue"].is_bound)

    def test_dates_outside_1900_2100_or_malformed_are_explained(self):
        for value in ("1899-12-31", "2101-01-01", "31/02/2023", "hôm qua", ""):
            with self.subTest(value=value):
                response = self.post(area_catalogue(as_of=value))
                self.assertEqual(response.status_code, 400)
                self.assertTrue(self.field_errors(response, "area_catalogue", "as_of"))
        self.assertNothingQueued()

    def test_out_of_range_message_in_english(self):
        response = self.post(area_catalogue(as_of="2101-01-01"), language="en")
        self.assertContains(
            response,
            "Choose a date between 01/01/1900 and 31/12/2100.",
            status_code=400,
        )

    def test_out_of_range_message_in_vietnamese(self):
        response = self.post(area_catalogue(as_of="2101-01-01"))
        self.assertContains(
            response,
            "Hãy chọn ngày trong khoảng 01/01/1900 đến 31/12/2100.",
            status_code=400,
        )

    def test_an_unknown_kind_is_explained_and_nothing_is_queued(self):
        for kind in ("salaries", ""):
            with self.subTest(kind=kind):
                response = self.post({"kind": kind}, language="en")
                self.assertEqual(response.status_code, 400)
                self.assertContains(
                    response, "There is no such kind of report.", status_code=400
                )
        self.assertNothingQueued()

    def test_fields_that_are_not_on_the_form_are_refused(self):
        response = self.post(area_catalogue(phase="2023-2025"), language="en")
        self.assertContains(
            response,
            "The form was sent with fields that are not on it",
            status_code=400,
        )
        self.assertNothingQueued()

    def test_get_on_the_request_url_is_not_allowed(self):
        self.client.force_login(self.p.staff)
        response = self.client.get(REQUEST)
        self.assertEqual(response.status_code, 405)

    def test_eager_mode_request_renders_within_the_request(self):
        # The embedded default (no broker): the task runs when the request commits.
        mock.patch.stopall()
        self.client.force_login(self.p.staff)
        # Eager whatever the test run's broker (CI has Redis configured).
        with eager_tasks(), self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(REQUEST, area_catalogue())
        job = ReportJob.objects.get()
        self.assertRedirects(
            response, job.get_absolute_url(), fetch_redirect_response=False
        )
        job.refresh_from_db()
        self.assertEqual(job.status, ReportStatus.DONE)


class ReportHistoryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def listed(self, user, query=""):
        self.client.force_login(user)
        response = self.client.get(en(CENTRE) + query)
        self.assertEqual(response.status_code, 200)
        return response, {job.pk for job in response.context["page_obj"]}

    def test_everyone_sees_their_own_reports_by_default(self):
        leaders = ReportJobFactory(requested_by=self.p.leader)
        ReportJobFactory(requested_by=self.p.staff)
        officers = ReportJobFactory(requested_by=self.p.officer_ward)
        self.assertEqual(self.listed(self.p.leader)[1], {leaders.pk})
        self.assertEqual(self.listed(self.p.officer_ward)[1], {officers.pk})

    def test_staff_and_leaders_see_the_provinces_reports_with_who_asked(self):
        jobs = {
            ReportJobFactory(requested_by=user).pk
            for user in (self.p.leader, self.p.staff, self.p.officer_ward)
        }
        for user in (self.p.staff, self.p.leader):
            with self.subTest(user=user.username):
                response, listed = self.listed(user, "?who=all")
                self.assertEqual(listed, jobs)
                self.assertContains(response, "Requested by")
                self.assertContains(response, "The province's reports")
                self.assertContains(response, vn_name(self.p.officer_ward))

    def test_a_local_officer_sees_only_their_own_even_when_asking_for_all(self):
        mine = ReportJobFactory(requested_by=self.p.officer_a)
        ReportJobFactory(requested_by=self.p.staff)
        response, listed = self.listed(self.p.officer_a, "?who=all")
        self.assertEqual(listed, {mine.pk})
        self.assertNotContains(response, 'href="/en/reports/?who=all"')
        self.assertNotContains(response, "Requested by")

    def test_a_row_names_the_report_its_phase_date_and_scope(self):
        ReportJobFactory(
            requested_by=self.p.officer_ward,
            kind=ReportKind.PHASE_PROGRESS,
            scope_committee=self.p.committee_ward,
            params={"phase": "2023-2025", "as_of": "2025-06-30", "language": "vi"},
        )
        response, _listed = self.listed(self.p.officer_ward)
        self.assertContains(response, "Progress report of a phase 2023–2025")
        self.assertContains(response, "30/06/2025")
        self.assertContains(response, self.p.committee_ward.short_name)

    def test_the_download_and_delete_actions_name_the_report(self):
        job = done_job(self.p.leader)
        ReportJobFactory(requested_by=self.p.leader)  # pending: neither
        response, _listed = self.listed(self.p.leader)
        self.assertContains(
            response,
            reverse("reporting:report_download", args=[job.public_id]),
            count=1,
        )
        self.assertContains(
            response, reverse("reporting:report_delete", args=[job.public_id]), count=1
        )
        self.assertContains(
            response,
            '<span class="visually-hidden">: Catalogue of administrative units, '
            "30/06/2023</span>",
            count=2,
        )

    def test_a_leader_is_not_offered_to_delete_the_staffs_reports(self):
        job = done_job(self.p.staff)
        response, _listed = self.listed(self.p.leader, "?who=all")
        self.assertNotContains(
            response, reverse("reporting:report_delete", args=[job.public_id])
        )
        response, _listed = self.listed(self.p.staff)
        self.assertContains(
            response, reverse("reporting:report_delete", args=[job.public_id])
        )

    def test_the_history_is_paginated_keeping_the_view(self):
        for _ in range(21):
            ReportJobFactory(requested_by=self.p.officer_a)
        response, listed = self.listed(self.p.staff, "?who=all")
        self.assertEqual(len(listed), 20)
        self.assertContains(response, "?who=all&amp;page=2")

    def queries(self, user, query):
        self.client.force_login(user)
        self.client.get(CENTRE + query)  # the session and caches warmed up
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(CENTRE + query)
        self.assertEqual(response.status_code, 200)
        return len(captured)

    def test_the_history_runs_as_many_queries_for_one_job_as_for_ten(self):
        for user, query in (
            (self.p.leader, ""),
            (self.p.leader, "?who=all"),
            (self.p.staff, "?who=all"),
            (self.p.officer_ward, ""),
        ):
            with self.subTest(user=user.username, query=query):
                ReportJob.objects.all().delete()
                done_job(self.p.officer_ward, scope_committee=self.p.committee_ward)
                done_job(user)
                one = self.queries(user, query)
                for _ in range(9):
                    done_job(self.p.officer_ward, scope_committee=self.p.committee_ward)
                    ReportJobFactory(requested_by=user, status=ReportStatus.FAILED)
                with self.assertNumQueries(one):
                    response = self.client.get(CENTRE + query)
                self.assertGreaterEqual(len(response.context["page_obj"]), 10)


class ReportDeleteTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def url(self, job):
        return reverse("reporting:report_delete", args=[job.public_id])

    def delete(self, job, user):
        self.client.force_login(user)
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.url(job))

    def test_the_owner_confirms_then_deletes_their_report_and_its_file(self):
        job = done_job(self.p.officer_ward)
        storage, name = job.file.storage, job.file.name
        self.client.force_login(self.p.officer_ward)
        response = self.client.get(en(self.url(job)))
        self.assertContains(
            response, "Delete “Catalogue of administrative units” as of 30/06/2023"
        )
        self.assertContains(response, "csrfmiddlewaretoken")
        self.assertTrue(ReportJob.objects.filter(pk=job.pk).exists())
        response = self.delete(job, self.p.officer_ward)
        self.assertRedirects(
            response, reverse("reporting:report_list"), fetch_redirect_response=False
        )
        self.assertFalse(ReportJob.objects.filter(pk=job.pk).exists())
        self.assertFalse(storage.exists(name))

    def test_the_owner_deletes_a_failed_report(self):
        job = ReportJobFactory(requested_by=self.p.leader, status=ReportStatus.FAILED)
        self.delete(job, self.p.leader)
        self.assertFalse(ReportJob.objects.filter(pk=job.pk).exists())

    def test_staff_delete_anyones_finished_report_and_return_to_the_provinces(self):
        job = done_job(self.p.officer_ward)
        response = self.delete(job, self.p.staff)
        self.assertRedirects(
            response, CENTRE + "?who=all", fetch_redirect_response=False
        )
        self.assertFalse(ReportJob.objects.filter(pk=job.pk).exists())

    def test_a_leader_may_read_but_not_delete_the_staffs_report(self):
        job = done_job(self.p.staff)
        self.client.force_login(self.p.leader)
        self.assertEqual(self.client.get(self.url(job)).status_code, 403)
        self.assertEqual(self.delete(job, self.p.leader).status_code, 403)
        self.assertTrue(ReportJob.objects.filter(pk=job.pk).exists())

    def test_another_officers_report_is_a_404_and_stays(self):
        job = done_job(self.p.officer_b)
        self.assertEqual(self.delete(job, self.p.officer_a).status_code, 404)
        self.assertTrue(ReportJob.objects.filter(pk=job.pk).exists())

    def test_a_report_being_prepared_cannot_be_deleted(self):
        job = ReportJobFactory(
            requested_by=self.p.officer_ward, status=ReportStatus.RUNNING
        )
        self.client.force_login(self.p.officer_ward)
        response = self.client.get(en(self.url(job)))
        self.assertRedirects(
            response, job.get_absolute_url(), fetch_redirect_response=False
        )
        response = self.delete(job, self.p.officer_ward)
        self.assertRedirects(
            response, job.get_absolute_url(), fetch_redirect_response=False
        )
        self.assertEqual(
            [str(m) for m in get_messages(response.wsgi_request)],
            [
                "This report is still being prepared and cannot be deleted yet. Wait "
                "until it is ready or has failed."
            ]
            * 2,
        )
        self.assertTrue(ReportJob.objects.filter(pk=job.pk).exists())
