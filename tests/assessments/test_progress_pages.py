"""The progress page: the target engine's figures for a phase on a day, its
sections, its checks on the choices, its CSV, and a fixed number of queries."""

from __future__ import annotations

import csv
import datetime
import io
import unittest

from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from campaign.assessments.selectors.progress import campaign_progress
from campaign.planning.selectors.periods import current_period
from tests.assessments import builders
from tests.factories import Personas
from units.models import WardPolice

CITY_TARGET = "model_ward_police/min_share/2025/each_city_town"
MID_2026 = datetime.date(2026, 6, 30)


def progress_url(english: bool = False, **params) -> str:
    with translation.override("en" if english else "vi"):
        address = reverse("assessments:progress")
    if params:
        address += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return address


class ProgressPageTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.new_wards = list(
            WardPolice.objects.select_related("area__parent")
            .filter(area__parent__key="ag91")
            .order_by("pk")
        )
        by = cls.p.staff
        builders.assessment(
            by=by, year=2023, ward=builders.ward_police("ag89-883-30280")
        )
        builders.assessment(
            by=by, year=2023, ward=builders.ward_police("ag89-883-30283")
        )

    def login(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def count_queries(self, address: str) -> int:
        client = self.login(self.p.staff)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address)
        self.assertEqual(response.status_code, 200, address)
        return len(queries)


class ProgressPageTests(ProgressPageTestCase):
    def test_every_persona_with_a_role_sees_the_provinces_figures(self):
        for user in (
            self.p.staff,
            self.p.leader,
            self.p.officer_a,
            self.p.officer_b,
            self.p.officer_ward,
            self.p.officer_commune,
        ):
            with self.subTest(user=user.username):
                response = self.login(user).get(progress_url(phase="2023-2025"))
                self.assertEqual(response.status_code, 200)
                self.assertTemplateUsed(response, "assessments/progress_overview.html")
                self.assertEqual(len(response.context["page"].cities[0].groupings), 4)

    def test_anonymous_and_deactivated_users_are_sent_to_log_in(self):
        self.assertEqual(Client().get(progress_url()).status_code, 302)
        self.assertEqual(
            self.login(self.p.deactivated).get(progress_url()).status_code, 302
        )

    def test_it_opens_on_todays_phase_from_the_plan(self):
        response = self.login(self.p.staff).get(progress_url())
        page = response.context["page"]
        phases = response.context["phases"]
        expected = current_period(phases=phases).phase
        self.assertEqual(page.phase, expected)
        self.assertEqual(page.as_of, timezone.localdate())
        self.assertContains(
            response,
            f'<option value="{expected.start_year}-{expected.end_year}" selected>',
        )

    def test_2023_requires_4_2_2_3_and_long_xuyen_3_in_2025(self):
        response = self.login(self.p.staff).get(
            progress_url(phase="2023-2025", as_of="2025-12-31")
        )
        (section,) = response.context["page"].cities
        rows = {
            (name, row.year): row
            for name, _area, found in section.groupings
            for row in found
        }
        self.assertEqual(
            [
                rows[(name, 2023)].required
                for name in (
                    "Thành phố Long Xuyên",
                    "Thành phố Châu Đốc",
                    "Thị xã Tân Châu",
                    "Thị xã Tịnh Biên",
                )
            ],
            [4, 2, 2, 3],
        )
        self.assertEqual(rows[("Thành phố Long Xuyên", 2023)].achieved, 2)
        self.assertEqual(rows[("Thành phố Long Xuyên", 2025)].required, 3)
        self.assertEqual(
            rows[("Thành phố Long Xuyên", 2025)].counted_on, datetime.date(2025, 6, 30)
        )
        self.assertEqual(section.share, 30)
        # The 30 % line and the chart's text alternative.
        self.assertContains(response, 'role="img"')
        self.assertContains(response, "30 %")
        self.assertContains(response, "<table", count=2)  # cities and quotas

    def test_the_quotas_of_exemplary_units_are_shown_with_each_step(self):
        response = self.login(self.p.staff).get(
            progress_url(english=True, phase="2023-2025")
        )
        quotas = response.context["page"].quotas
        ((year, rows),) = quotas.years
        self.assertEqual(year, 2023)
        self.assertEqual(sorted(q.row.required for q in rows), [1, 2, 2, 2, 3, 6])
        for heading in ("Quota", "Registered", "Approved", "Recognised"):
            self.assertContains(response, heading)

    def test_the_province_section_of_2026_2030(self):
        if timezone.localdate() < MID_2026:  # pragma: no cover - the clock
            raise unittest.SkipTest("needs a clock past 30/06/2026")
        response = self.login(self.p.staff).get(
            progress_url(english=True, phase="2026-2030", as_of="2026-06-30")
        )
        province = response.context["page"].province
        self.assertEqual(province.grouping, "Tỉnh An Giang")
        (increment,) = province.increments
        self.assertEqual(
            (increment.year, increment.base, increment.required), (2026, 14, 1)
        )
        self.assertEqual(
            [y.year for y in province.years], [2026, 2027, 2028, 2029, 2030]
        )
        self.assertEqual(province.latest_share.required, 14)
        self.assertContains(response, "Wards in force")
        self.assertContains(response, "Needed per year from now")
        self.assertEqual(response.context["page"].cities, ())

    def test_the_warning_appears_when_more_is_needed_than_the_best_year(self):
        if timezone.localdate() < MID_2026:  # pragma: no cover - the clock
            raise unittest.SkipTest("needs a clock past 30/06/2026")
        address = progress_url(english=True, phase="2026-2030", as_of="2026-06-30")
        response = self.login(self.p.staff).get(address)
        share = response.context["page"].province.latest_share
        # Nothing achieved: 14 wards in 4 more years, best year 0.
        self.assertEqual((share.needed_per_year, share.best_gain), (4, 0))
        self.assertTrue(share.warning)
        self.assertContains(response, 'class="alert alert-warning" role="status"')
        self.assertContains(response, "more than the best year so far")

        # Ten of the fourteen meet all criteria in 2026: one a year is enough.
        for ward in self.new_wards[:10]:
            builders.assessment(by=self.p.staff, year=2026, ward=ward)
        response = self.login(self.p.staff).get(address)
        share = response.context["page"].province.latest_share
        self.assertEqual((share.needed_per_year, share.best_gain), (1, 10))
        self.assertFalse(share.warning)
        self.assertNotContains(response, "more than the best year so far")
        self.assertContains(response, "within what the best year so far achieved")

    def test_a_bad_date_or_phase_is_explained_and_the_defaults_are_used(self):
        client = self.login(self.p.staff)
        for params, message in (
            ({"as_of": "2099-01-01"}, "The figures are counted up to today"),
            ({"as_of": "2020-05-01"}, "The plan begins in 2023"),
            ({"as_of": "31-31-2024"}, "Enter a valid date"),
            ({"phase": "2020-2021"}, "Choose one of the plan&#x27;s phases"),
        ):
            with self.subTest(params=params):
                response = client.get(progress_url(english=True, **params))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)
                self.assertContains(response, "the figures below use the default")
                page = response.context["page"]
                if "as_of" in params:
                    self.assertEqual(page.as_of, timezone.localdate())

    def test_a_day_before_the_phase_began_has_no_figures(self):
        response = self.login(self.p.staff).get(
            progress_url(english=True, phase="2026-2030", as_of="2025-03-01")
        )
        self.assertTrue(response.context["page"].empty)
        self.assertContains(response, "the phase had not begun")

    def test_the_figures_download_as_csv_with_the_engines_keys(self):
        response = self.login(self.p.officer_commune).get(
            progress_url(phase="2023-2025", as_of="2025-12-31", format="csv")
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("attachment;", response["Content-Disposition"])
        self.assertIn("2023-2025-20251231.csv", response["Content-Disposition"])
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        self.assertEqual(
            list(rows[0]),
            ["target", "grouping", "year", "required", "achieved", "gap", "on_track"],
        )
        engine = campaign_progress(
            as_of=datetime.date(2025, 12, 31), phase=(2023, 2025)
        )
        self.assertEqual(len(rows), len(engine.rows))
        long_xuyen_2023 = next(
            r
            for r in rows
            if r["target"] == CITY_TARGET
            and r["grouping"] == "Thành phố Long Xuyên"
            and r["year"] == "2023"
        )
        self.assertEqual(
            long_xuyen_2023,
            {
                "target": CITY_TARGET,
                "grouping": "Thành phố Long Xuyên",
                "year": "2023",
                "required": "4",
                "achieved": "2",
                "gap": "2",
                "on_track": "true",
            },
        )

    def test_an_unknown_format_is_a_404(self):
        response = self.login(self.p.staff).get(progress_url(format="xml"))
        self.assertEqual(response.status_code, 404)

    def test_the_number_of_queries_does_not_grow_with_wards_years_or_records(self):
        addresses = [
            progress_url(phase="2023-2025"),
            progress_url(phase="2026-2030"),
            progress_url(phase="2023-2025", format="csv"),
        ]
        before = [self.count_queries(a) for a in addresses]
        for year in (2023, 2024):
            for ward in WardPolice.objects.select_related("area").filter(
                area__parent__key__in=["ag89-883", "ag89-884", "ag89-887"]
            ):
                if ward.assessments.filter(year=year).exists():
                    continue
                if ward.area.valid_to and ward.area.valid_to.year <= year:
                    continue
                made = builders.assessment(by=self.p.staff, year=year, ward=ward)
                builders.recognise(made, by=self.p.staff, number=f"{ward.pk}/{year}")
        for ward in self.new_wards:
            builders.assessment(by=self.p.staff, year=2025, ward=ward)
        self.assertEqual(before, [self.count_queries(a) for a in addresses])
