"""The dashboard and its XLSX: what each persona sees (inside their scope
only), the choice of phase and locality and its refusals, the charts with
their tables, what waits for the user, the latest changes, escaping and
formula neutralising, and a constant number of queries whatever the data."""

from __future__ import annotations

import datetime
import io

from django.core.cache import cache
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from campaign.assessments.choices import AssessmentStatus
from campaign.assessments.models import Assessment, Recognition
from campaign.committees.choices import AuditAction
from campaign.committees.models import AuditEntry, SteeringCommittee
from campaign.exports import XlsxSheet, xlsx_workbook_bytes
from campaign.registrations.choices import RegistrationStatus
from campaign.registrations.models import Registration, RegistrationTransition
from reporting import tasks
from reporting.choices import ReportStatus
from reporting.dashboard_cache import refresh_claim
from reporting.forms_dashboard import current_phase
from reporting.selectors import phase_choices
from tests.assessments import builders
from tests.factories import Personas, UserFactory
from tests.reporting.factories import ReportJobFactory
from tests.services import eager_tasks, queued_tasks
from units.choices import OrganisationKind
from units.models import Organisation, WardPolice
from units.text import fold

FORMULA_NAME = '=HYPERLINK("http://evil.invalid","Trường A")'
SCRIPT_NAME = "<script>alert('x')</script> Trường B"
# The other locality's unit: Châu Đốc's, never on Long Xuyên's pages.
CHAU_DOC_UNIT = "Trường THPT Châu Đốc thử"
SHEETS = [
    "Quotas",
    "Localities",
    "Units",
    "Ward police by city",
    "Trajectory to 100 %",
    "Recognitions",
    "Commendations",
    "Pledges",
    "Reviews",
]


def dashboard_url(english: bool = False, export: bool = False, **params) -> str:
    name = "reporting:dashboard_export" if export else "reporting:dashboard"
    with translation.override("en" if english else "vi"):
        address = reverse(name)
    if params:
        address += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return address


def backdate() -> None:
    """Date the records of 2023–2025 in their own years: the dashboard of a
    phase that has ended counts what was recorded by its last day."""
    moment = datetime.datetime(2024, 3, 1, 2, 0, tzinfo=datetime.UTC)
    Registration.objects.filter(year__lte=2025).update(created_at=moment)
    Assessment.objects.filter(year__lte=2025).update(decided_at=moment)
    Recognition.objects.filter(year__lte=2025).update(created_at=moment)


def registration(personas, *, area_key, name=None, status="approved", year=2023):
    made = builders.registration(personas, area_key=area_key, status=status, year=year)
    if name:
        Registration.objects.filter(pk=made.pk).update(
            unit_name=name, search_name=fold(name)
        )
        made.refresh_from_db()
    return made


class DashboardTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        p = cls.p
        # Long Xuyên's units of 2023 (officer A's committee), one of them
        # with a name a spreadsheet would run, one with markup; Châu Đốc's.
        cls.formula = registration(p, area_key="ag89-883-30280", name=FORMULA_NAME)
        cls.script = registration(p, area_key="ag89-883-30283", name=SCRIPT_NAME)
        cls.chau_doc = registration(p, area_key="ag89-884-30316", name=CHAU_DOC_UNIT)
        # Today's ward committee registers its ward in 2026 (so that both
        # phases have registrations in the base data: with none, the queries
        # about them are skipped, which only ever makes fewer).
        registration(p, area_key="ag91-30307", year=2026, status="draft")
        made = builders.assessment(by=p.staff, year=2023, registration=cls.formula)
        builders.recognise(made, by=p.staff)
        # Ward police: two of Long Xuyên's and one of Châu Đốc's in 2023.
        for key in ("ag89-883-30280", "ag89-883-30283", "ag89-884-30316"):
            builders.assessment(by=p.staff, year=2023, ward=builders.ward_police(key))
        # Waiting: a submitted registration, a submitted assessment, a report
        # being prepared.
        registration(p, area_key="ag89-883-30286", status=RegistrationStatus.SUBMITTED)
        builders.assessment(
            by=p.officer_a,
            year=2024,
            ward=builders.ward_police("ag89-883-30286"),
            status=AssessmentStatus.SUBMITTED,
        )
        backdate()
        ReportJobFactory(requested_by=p.leader, status=ReportStatus.RUNNING)
        AuditEntry.objects.create(
            action=AuditAction.REGISTRATION_CREATED,
            actor=p.officer_a,
            object_label=SCRIPT_NAME,
            search_text=fold(SCRIPT_NAME),
            link_name="registrations:registration_detail",
            link_pk=cls.script.pk,
        )

    def setUp(self):
        # Each test starts with nothing kept; the worker's refresh of stale
        # figures runs inside the request, as in the embedded default (the
        # tests of the queued refresh turn this off).
        cache.clear()
        eager = eager_tasks()
        eager.__enter__()
        self.addCleanup(eager.__exit__, None, None, None)

    def client_for(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def workbook(self, user, **params):
        response = self.client_for(user).get(
            dashboard_url(english=True, export=True, **params)
        )
        self.assertEqual(response.status_code, 200, response.content[:500])
        return load_workbook(io.BytesIO(response.content))

    def count_queries(self, user, address: str) -> int:
        client = self.client_for(user)
        client.get(address)  # the session and caches warm
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address)
        self.assertEqual(response.status_code, 200, address)
        return len(queries)


class DashboardPageTests(DashboardTestCase):
    def test_staff_see_the_whole_province(self):
        response = self.client_for(self.p.staff).get(dashboard_url(phase="2023-2025"))
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "reporting/dashboard.html")
        data = response.context["data"]
        self.assertIsNone(data.scope.committee)
        self.assertEqual(
            data.as_of, min(timezone.localdate(), datetime.date(2025, 12, 31))
        )
        cities = {r.grouping for r in data.ward_share}
        self.assertEqual(
            cities,
            {
                "Thành phố Long Xuyên",
                "Thành phố Châu Đốc",
                "Thị xã Tân Châu",
                "Thị xã Tịnh Biên",
            },
        )
        localities = {row.name for row in data.localities}
        self.assertTrue(
            {"Thành phố Long Xuyên", "Thành phố Châu Đốc"} <= localities, localities
        )
        self.assertEqual(data.units, [])  # one by one in the workbook only
        commune = next(r for r in data.quota_years[0].rows if r.unit_kind == "ward")
        self.assertEqual(commune.target, 2)  # the 2023 quota of wards
        self.assertContains(response, "<h1", count=1)
        self.assertContains(response, 'id="quotas-heading"')
        self.assertContains(response, 'id="share-heading"')

    def test_the_leader_sees_the_province_and_only_the_lists_of_a_leader(self):
        response = self.client_for(self.p.leader).get(dashboard_url(english=True))
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.context["data"].scope.committee)
        pending = response.context["pending"]
        self.assertIsNone(pending.registrations)
        self.assertIsNone(pending.assessments)
        self.assertEqual(pending.reports, 1)
        self.assertNotContains(response, reverse("registrations:registration_waiting"))
        self.assertContains(response, "report of yours being prepared")
        # The audit trail is the standing office's.
        self.assertIsNone(response.context["recent"])
        self.assertNotContains(response, 'id="recent-heading"')

    def test_staff_see_what_waits_and_the_latest_changes(self):
        response = self.client_for(self.p.staff).get(dashboard_url())
        pending = response.context["pending"]
        self.assertEqual(pending.registrations, 1)
        self.assertEqual(pending.assessments, 1)
        self.assertEqual(pending.reports, 0)
        self.assertContains(response, reverse("registrations:registration_waiting"))
        self.assertContains(response, reverse("assessments:assessment_waiting"))
        self.assertContains(response, 'id="recent-heading"')
        self.assertContains(response, 'class="audit-entry"')
        self.assertContains(response, reverse("committees:audit_list"))
        self.assertContains(
            response,
            reverse("registrations:registration_detail", args=[self.script.pk]),
        )

    def test_names_are_escaped(self):
        response = self.client_for(self.p.staff).get(dashboard_url(phase="2023-2025"))
        content = response.content.decode()
        self.assertNotIn("<script>alert", content)
        self.assertIn("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;", content)

    def test_the_locality_list_escapes_the_committees_names(self):
        SteeringCommittee.objects.filter(pk=self.p.committee_b.pk).update(
            short_name="<b>Châu Đốc</b> & co"
        )
        response = self.client_for(self.p.staff).get(dashboard_url())
        self.assertContains(response, "&lt;b&gt;Châu Đốc&lt;/b&gt; &amp; co (")
        self.assertNotContains(response, "<b>Châu Đốc")
        # The officer's list: their own committee only, chosen.
        response = self.client_for(self.p.officer_b).get(dashboard_url())
        self.assertContains(
            response, f'<option value="{self.p.committee_b.pk}" selected>'
        )
        self.assertNotContains(response, f'<option value="{self.p.committee_a.pk}"')

    def test_each_chart_is_an_image_named_after_the_table_next_to_it(self):
        response = self.client_for(self.p.staff).get(
            dashboard_url(english=True, phase="2023-2025")
        )
        content = response.content.decode()
        self.assertEqual(content.count('role="img"'), 2)  # quotas, cities
        self.assertIn(
            'aria-label="Bar chart: exemplary units recognised against the quota',
            content,
        )
        self.assertIn("The table “Quotas and results per kind of unit”", content)
        self.assertIn("<caption>Quotas and results per kind of unit</caption>", content)
        self.assertIn('class="chart-reference"', content)  # the 30 % line
        self.assertIn("Ward police meeting all criteria in each city and town", content)
        self.assertIn('<th scope="col">', content)
        self.assertIn('<th scope="row"', content)

    def test_the_2026_2030_phase_shows_the_way_to_100_percent(self):
        ward = builders.ward_police("ag91-30307")
        builders.assessment(by=self.p.staff, year=2026, ward=ward)
        response = self.client_for(self.p.staff).get(
            dashboard_url(english=True, phase="2026-2030")
        )
        self.assertEqual(response.status_code, 200)
        data = response.context["data"]
        if not data.years:  # the clock is before 2026: nothing to count yet
            self.assertContains(response, "has not begun")
            return
        self.assertTrue(data.trajectory)
        self.assertEqual(data.trajectory[0]["year"], 2026)
        self.assertGreaterEqual(data.trajectory[0]["achieved"], 1)
        self.assertContains(response, 'id="trajectory-heading"')
        self.assertContains(
            response, "<caption>The way to 100 %, year by year</caption>"
        )
        self.assertIsNotNone(response.context["trajectory_chart"])

    def test_it_opens_on_todays_phase_from_the_plan_and_the_clock(self):
        response = self.client_for(self.p.staff).get(dashboard_url())
        today = timezone.localdate()
        expected = current_phase(phase_choices(), today)
        data = response.context["data"]
        self.assertEqual(data.phase, expected)
        self.assertEqual(
            data.as_of, min(today, datetime.date(expected.end_year, 12, 31))
        )
        self.assertContains(response, f'<option value="{expected.key}" selected>')

    def test_the_pdf_and_xlsx_links_keep_the_choice(self):
        committee = self.p.committee_a
        response = self.client_for(self.p.staff).get(
            dashboard_url(phase="2023-2025", scope=committee.pk)
        )
        query = f"phase=2023-2025&amp;scope={committee.pk}"
        self.assertContains(response, f"{reverse('reporting:report_list')}?{query}")
        self.assertContains(
            response, f"{reverse('reporting:dashboard_export')}?{query}"
        )

    def test_an_unknown_phase_is_explained_with_a_400(self):
        response = self.client_for(self.p.staff).get(
            dashboard_url(english=True, phase="1999-2000")
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response, "There is no phase 1999-2000 in the plan", status_code=400
        )
        self.assertNotIn("data", response.context)

    def test_anonymous_and_deactivated_users_are_sent_to_log_in(self):
        self.assertEqual(Client().get(dashboard_url()).status_code, 302)
        deactivated = self.client_for(self.p.deactivated)
        self.assertEqual(deactivated.get(dashboard_url()).status_code, 302)

    def test_a_user_with_no_role_is_refused(self):
        nobody = UserFactory(username="khongvaitro")
        self.assertEqual(self.client_for(nobody).get(dashboard_url()).status_code, 403)
        self.assertEqual(
            self.client_for(nobody).get(dashboard_url(export=True)).status_code, 403
        )


class KeptFiguresTests(DashboardTestCase):
    """The figures are kept between requests under a stamp of the data:
    anything recorded since shows at the next request, and a scope never
    gets another scope's figures."""

    def test_figures_are_kept_until_something_is_recorded(self):
        client = self.client_for(self.p.staff)
        first = client.get(dashboard_url(phase="2023-2025"))
        counted = first.context["data"].registered_total
        again = client.get(dashboard_url(phase="2023-2025"))
        self.assertNotIn("data", again.context)  # kept: not counted again
        self.assertEqual(again.context["figures"], first.context["figures"])
        registration(self.p, area_key="ag89-884-30319")  # Châu Phú A, 2023
        backdate()
        after = client.get(dashboard_url(phase="2023-2025"))
        self.assertEqual(after.context["data"].registered_total, counted + 1)

    def test_after_a_change_the_kept_figures_show_marked_while_the_worker_counts(self):
        client = self.client_for(self.p.staff)
        address = dashboard_url(phase="2023-2025")
        first = client.get(address)
        counted = first.context["data"].registered_total
        self.assertNotContains(first, "Số liệu tính lúc")
        registration(self.p, area_key="ag89-884-30319")  # Châu Phú A, 2023
        backdate()
        with queued_tasks():
            stale = client.get(address)
            # Shown at once, not counted in the request, marked with the time.
            self.assertEqual(stale.status_code, 200)
            self.assertNotIn("data", stale.context)
            self.assertTrue(stale.context["stale"])
            self.assertEqual(stale.context["figures"], first.context["figures"])
            self.assertContains(stale, "Số liệu tính lúc")
            self.assertContains(stale, 'role="status"')
            # Asked for once: the next request finds the refresh claimed.
            self.assertTrue(client.get(address).context["stale"])
            self.assertFalse(
                refresh_claim(
                    (self.p.staff.pk, "province", ("2023-2025", "")),
                )
            )
        # What the worker does with the message the first request sent.
        tasks.dashboard_refresh(self.p.staff.pk, "vi", {"phase": "2023-2025"})
        current = client.get(address)
        self.assertFalse(current.context["stale"])
        self.assertNotContains(current, "Số liệu tính lúc")
        self.assertNotIn("data", current.context)  # the worker counted them
        self.assertNotEqual(current.context["figures"], first.context["figures"])
        self.assertIn(f">{counted + 1}<", current.context["figures"])

    def test_a_refresh_for_a_user_deactivated_since_counts_nothing(self):
        self.p.staff.is_active = False
        self.p.staff.save(update_fields=["is_active"])
        tasks.dashboard_refresh(self.p.staff.pk, "vi", {"phase": "2023-2025"})
        self.p.staff.is_active = True
        self.p.staff.save(update_fields=["is_active"])
        # Nothing was kept for them: their next page is counted in the request.
        response = self.client_for(self.p.staff).get(dashboard_url(phase="2023-2025"))
        self.assertIn("data", response.context)

    def test_an_unreachable_cache_counts_the_figures_in_the_request(self):
        with self.settings(
            CACHES={
                "default": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": "redis://127.0.0.1:1/0",
                }
            }
        ):
            response = self.client_for(self.p.staff).get(
                dashboard_url(phase="2023-2025")
            )
        self.assertEqual(response.status_code, 200)
        self.assertIn("data", response.context)

    def test_a_workflow_step_changes_what_waits(self):
        client = self.client_for(self.p.staff)
        self.assertEqual(
            client.get(dashboard_url()).context["pending"].registrations, 1
        )
        waiting = Registration.objects.get(status=RegistrationStatus.SUBMITTED)
        RegistrationTransition.objects.create(
            registration=waiting,
            from_status=RegistrationStatus.SUBMITTED,
            to_status=RegistrationStatus.APPROVED,
            actor=self.p.staff,
        )
        Registration.objects.filter(pk=waiting.pk).update(
            status=RegistrationStatus.APPROVED
        )
        self.assertEqual(
            client.get(dashboard_url()).context["pending"].registrations, 0
        )

    def test_one_scope_never_gets_anothers_kept_figures(self):
        province = self.client_for(self.p.staff).get(dashboard_url(phase="2023-2025"))
        self.assertContains(province, "Thành phố Châu Đốc")
        officer = self.client_for(self.p.officer_a).get(
            dashboard_url(phase="2023-2025")
        )
        self.assertEqual(officer.context["data"].scope.committee, self.p.committee_a)
        self.assertNotContains(officer, "Thành phố Châu Đốc")
        # The province's people share the figures: the leader gets them kept.
        leader = self.client_for(self.p.leader).get(dashboard_url(phase="2023-2025"))
        self.assertNotIn("data", leader.context)
        self.assertContains(leader, "Thành phố Châu Đốc")

    def test_the_figures_follow_the_language(self):
        client = self.client_for(self.p.staff)
        client.get(dashboard_url(phase="2023-2025"))
        english = client.get(dashboard_url(english=True, phase="2023-2025"))
        self.assertContains(english, "Exemplary units: quotas per unit kind")
        self.assertContains(english, 'href="/en/')


class LocalOfficerTests(DashboardTestCase):
    def test_an_officer_sees_their_own_committee_by_default(self):
        response = self.client_for(self.p.officer_a).get(
            dashboard_url(phase="2023-2025")
        )
        self.assertEqual(response.status_code, 200)
        data = response.context["data"]
        self.assertEqual(data.scope.committee, self.p.committee_a)
        localities = {row.name for row in data.localities}
        self.assertEqual(localities, {"Thành phố Long Xuyên"})
        self.assertEqual(
            {r.grouping for r in data.ward_share}, {"Thành phố Long Xuyên"}
        )
        self.assertNotContains(response, "Thành phố Châu Đốc")
        # No "whole province" choice for a local officer.
        self.assertNotContains(response, '<option value="">')

    def test_another_locality_is_refused_and_shows_nothing_of_it(self):
        client = self.client_for(self.p.officer_a)
        for scope in (self.p.committee_b.pk, self.p.province.pk, 999999, "x"):
            with self.subTest(scope=scope):
                response = client.get(
                    dashboard_url(english=True, phase="2023-2025", scope=scope)
                )
                self.assertEqual(response.status_code, 400)
                self.assertContains(
                    response, "That locality is not in your scope", status_code=400
                )
                self.assertNotIn("data", response.context)
                self.assertNotContains(response, "Thành phố Châu Đốc", status_code=400)
                export = client.get(
                    dashboard_url(export=True, phase="2023-2025", scope=scope)
                )
                self.assertEqual(export.status_code, 400)

    def test_the_officers_workbook_holds_their_locality_only(self):
        book = self.workbook(self.p.officer_a, phase="2023-2025")
        names = [row[0] for row in book["Units"].iter_rows(min_row=2, values_only=True)]
        self.assertNotIn(CHAU_DOC_UNIT, names)
        self.assertIn(SCRIPT_NAME, names)
        cities = [
            row[1]
            for row in book["Ward police by city"].iter_rows(
                min_row=2, values_only=True
            )
        ]
        self.assertEqual(set(cities), {"Thành phố Long Xuyên"})


class DashboardExportTests(DashboardTestCase):
    def test_the_workbook_has_a_sheet_per_table_and_the_figures(self):
        response = self.client_for(self.p.staff).get(
            dashboard_url(english=True, export=True, phase="2023-2025")
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        self.assertIn(
            'attachment; filename="so-lieu-giai-doan-2023-2025.xlsx"',
            response["Content-Disposition"],
        )
        self.assertIn("no-store", response["Cache-Control"])
        book = load_workbook(io.BytesIO(response.content))
        self.assertEqual(book.sheetnames, SHEETS)
        quotas = list(book["Quotas"].iter_rows(values_only=True))
        self.assertEqual(
            quotas[0],
            (
                "Year",
                "Unit kind",
                "Quota",
                "Registered",
                "Approved",
                "Meet all criteria",
                "Recognised",
            ),
        )
        # 2023: 6 communes, 2 wards, 2 townships, 3 agencies, 1 enterprise,
        # 2 schools; the two Long Xuyên wards registered, one recognised.
        by_year = [row[2] for row in quotas[1:] if row[0] == 2023]
        self.assertEqual(by_year, [6, 2, 2, 3, 1, 2])
        wards_2023 = next(
            row for row in quotas[1:] if row[0] == 2023 and row[2] == 2 and row[3] >= 2
        )
        self.assertGreaterEqual(wards_2023[6], 1)
        share = {
            (row[0], row[1]): row
            for row in book["Ward police by city"].iter_rows(
                min_row=2, values_only=True
            )
        }
        long_xuyen = share[(2023, "Thành phố Long Xuyên")]
        self.assertEqual(long_xuyen[5], 2)  # meet all criteria
        self.assertIsInstance(long_xuyen[2], datetime.datetime)  # counted on, a date
        recognitions = list(book["Recognitions"].iter_rows(min_row=2, values_only=True))
        self.assertEqual(recognitions[0][0], FORMULA_NAME.replace("=", "'=", 1))

    def test_a_name_a_spreadsheet_would_run_is_neutralised(self):
        book = self.workbook(self.p.staff, phase="2023-2025")
        names = [row[0] for row in book["Units"].iter_rows(min_row=2, values_only=True)]
        self.assertIn("'" + FORMULA_NAME, names)
        self.assertNotIn(FORMULA_NAME, names)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    self.assertNotEqual(cell.data_type, "f", (sheet.title, cell.value))

    def test_the_headers_follow_the_language(self):
        response = self.client_for(self.p.staff).get(
            dashboard_url(export=True, phase="2023-2025")
        )
        book = load_workbook(io.BytesIO(response.content))
        with translation.override("vi"):
            self.assertEqual(
                book.worksheets[0]["A1"].value, translation.gettext("Year")
            )
        self.assertEqual(len(book.sheetnames), len(SHEETS))

    def test_the_workbook_of_one_committee_is_named_after_it(self):
        response = self.client_for(self.p.staff).get(
            dashboard_url(export=True, phase="2023-2025", scope=self.p.committee_a.pk)
        )
        self.assertIn("so-lieu-giai-doan-2023-2025-", response["Content-Disposition"])


class DashboardQueryTests(DashboardTestCase):
    def grow(self, factor: int = 10) -> None:
        """Ten times the registrations (every state, both localities, both
        phases) and the assessments (more ward police and years)."""
        more = factor - 1
        count = Registration.objects.count()
        phase_2026 = self.p.plan.phases.get(start_year=2026)
        committees = (self.p.committee_a, self.p.committee_b, self.p.committee_ward)
        schools = Organisation.objects.bulk_create(
            Organisation(
                name=f"Trường thử {i}",
                kind=OrganisationKind.SCHOOL,
                area=committees[i % 3].area,
                managed_by=committees[i % 3].area,
                search_name=fold(f"Trường thử {i}"),
            )
            for i in range(more * count)
        )
        statuses = RegistrationStatus.values
        created = Registration.objects.bulk_create(
            Registration(
                committee=committees[i % 3],
                organisation=school,
                unit_kind="school",
                unit_name=school.name,
                search_name=school.search_name,
                programme=self.p.programme,
                phase=self.formula.phase if i % 3 < 2 else phase_2026,
                year=2023 + i % 3 if i % 3 < 2 else 2026,
                contact_name="Nguyễn Văn A",
                contact_phone="0296 3852 123",
                plan_summary="x",
                status=statuses[i % len(statuses)],
                created_by=self.p.officer_a,
                updated_by=self.p.officer_a,
            )
            for i, school in enumerate(schools)
        )
        wards = WardPolice.objects.select_related("area__parent").filter(
            area__parent__key__in=["ag89-883", "ag89-884", "ag91"]
        )
        for ward in wards:
            for year in (2024, 2025, 2026):
                if ward.area.valid_from and ward.area.valid_from.year > year:
                    continue
                if ward.area.valid_to and ward.area.valid_to.year <= year:
                    continue
                if ward.assessments.filter(year=year).exists():
                    continue
                made = builders.assessment(by=self.p.staff, year=year, ward=ward)
                if year == 2024:
                    builders.recognise(
                        made, by=self.p.staff, number=f"{ward.pk}/{year}"
                    )
        # The approved schools assessed, half of them recognised.
        for n, made in enumerate(r for r in created if r.status == "approved"):
            assessed = builders.assessment(
                by=self.p.staff, year=made.year, registration=made
            )
            if n % 2:
                builders.recognise(assessed, by=self.p.staff, number=f"{made.pk}/T")
        backdate()

    CASES = (
        ("staff", {"phase": "2023-2025"}, False),
        ("staff", {"phase": "2026-2030"}, False),
        ("leader", {}, False),
        ("officer_a", {"phase": "2023-2025"}, False),
        ("officer_ward", {}, False),
        ("staff", {"phase": "2023-2025"}, True),  # the workbook
    )

    def counts(self) -> list[int]:
        return [
            self.count_queries(
                getattr(self.p, persona), dashboard_url(export=export, **params)
            )
            for persona, params, export in self.CASES
        ]

    def test_counted_afresh_the_queries_do_not_grow_with_the_data(self):
        with self.settings(DASHBOARD_CACHE_SECONDS=0):
            before = self.counts()
            rows_before = Registration.objects.count()
            assessments_before = Assessment.objects.count()
            self.grow(10)
            self.assertGreaterEqual(Registration.objects.count(), 10 * rows_before)
            self.assertGreaterEqual(Assessment.objects.count(), 10 * assessments_before)
            self.assertEqual(before, self.counts())

    def test_kept_figures_take_fewer_queries_and_do_not_grow_either(self):
        with self.settings(DASHBOARD_CACHE_SECONDS=0):
            afresh = self.counts()
        kept = self.counts()  # each counted on its second request
        for fresh, warm, case in zip(afresh, kept, self.CASES, strict=True):
            if not case[2]:  # the workbook is always counted afresh
                self.assertLess(warm, fresh, case)
        self.grow(10)
        self.assertEqual(kept, self.counts())


class WorkbookHelperTests(TestCase):
    """``campaign.exports.xlsx_workbook_bytes``, shared: several sheets, each
    title as a spreadsheet allows it, formulas neutralised, dates as dates."""

    def test_several_sheets_with_safe_titles(self):
        content = xlsx_workbook_bytes(
            [
                XlsxSheet(title="Năm 2023/2024: [A]", header=["Tên"], rows=[("=1+1",)]),
                XlsxSheet(
                    title="Năm 2023/2024: [A]",
                    header=["Ngày"],
                    rows=[(datetime.date(2025, 12, 31),)],
                ),
                XlsxSheet(title="'" + "x" * 40, header=["a"], rows=[]),
            ]
        )
        book = load_workbook(io.BytesIO(content))
        self.assertEqual(
            book.sheetnames,
            ["Năm 2023 2024 A", "Năm 2023 2024 A (2)", "x" * 31],
        )
        self.assertEqual(book.worksheets[0]["A2"].value, "'=1+1")
        self.assertEqual(book.worksheets[0]["A2"].data_type, "s")
        self.assertEqual(book.worksheets[1]["A2"].number_format, "dd/mm/yyyy")
