"""What the assessment pages write once or keep between requests (issue 11,
"pages that cost little"): the list's figures counted for its page only, the
progress page's figures kept while the data are unchanged, and the report
centre's list of committees kept per scope."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.assessments.choices import AssessmentStatus
from campaign.assessments.models import Assessment
from campaign.assessments.selectors.assessments import with_counts
from tests.assessments import builders
from tests.factories import Personas

LIST = reverse("assessments:assessment_list")
PROGRESS = reverse("assessments:progress") + "?phase=2023-2025&as_of=2025-12-31"
LONG_XUYEN_WARDS = ("ag89-883-30280", "ag89-883-30283", "ag89-883-30286")


def figures_of(response) -> str:
    """The figures' part of the progress page (after the filter form)."""
    html = response.content.decode()
    return html[html.index('id="export-label"') : html.index("</main>")]


class PagesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        wards = [builders.ward_police(key) for key in LONG_XUYEN_WARDS]
        builders.assessment(by=cls.p.staff, year=2023, ward=wards[0])
        builders.assessment(by=cls.p.staff, year=2023, ward=wards[1], meets_all=False)
        builders.assessment(
            by=cls.p.staff,
            year=2024,
            ward=wards[0],
            status=AssessmentStatus.SUBMITTED,
        )
        cls.spare_ward = wards[2]

    def get(self, user, address: str):
        client = Client()
        client.force_login(user)
        response = client.get(address)
        self.assertEqual(response.status_code, 200, address)
        return response


class ListFiguresTests(PagesTestCase):
    def test_each_row_shows_the_figures_of_its_own_assessment(self):
        response = self.get(self.p.staff, LIST)
        rows = response.context["rows"]
        self.assertEqual(len(rows), 3)
        expected = {a.pk: a for a in with_counts(Assessment.objects.all())}
        for row in rows:
            a, counted = row.assessment, expected[row.assessment.pk]
            with self.subTest(assessment=a.pk):
                self.assertEqual(
                    (a.criteria_met, a.criteria_total),
                    (counted.criteria_met, counted.criteria_total),
                )
                self.assertEqual(
                    (a.required_met, a.required_total),
                    (counted.required_met, counted.required_total),
                )
                self.assertEqual(row.url, counted.get_absolute_url())
        badges = {
            (row.assessment.status, row.result_css, bool(row.result_note))
            for row in rows
        }
        self.assertIn(("accepted", "answer-met", False), badges)
        self.assertIn(("accepted", "answer-not-met", False), badges)

    def test_a_page_past_the_end_shows_the_last_one(self):
        response = self.get(self.p.staff, f"{LIST}?page=99")
        self.assertEqual(len(response.context["rows"]), 3)

    def test_a_search_that_finds_nothing_shows_an_empty_page(self):
        response = self.get(self.p.staff, f"/en{LIST}?q=zzzz")
        self.assertEqual(response.context["rows"], [])
        self.assertContains(response, "No assessment matches these filters.")


class ProgressKeptTests(PagesTestCase):
    def count(self, address: str):
        client = Client()
        client.force_login(self.p.staff)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address)
        return response, len(queries)

    def test_kept_figures_are_shown_without_counting_them_again(self):
        first, cold = self.count(PROGRESS)
        second, warm = self.count(PROGRESS)
        self.assertLess(warm, cold)
        self.assertEqual(figures_of(second), figures_of(first))

    def test_a_change_shows_at_once(self):
        before = figures_of(self.get(self.p.staff, PROGRESS))
        builders.assessment(by=self.p.staff, year=2023, ward=self.spare_ward)
        after = figures_of(self.get(self.p.staff, PROGRESS))
        self.assertNotEqual(after, before)
        cache.clear()
        self.assertEqual(figures_of(self.get(self.p.staff, PROGRESS)), after)

    def test_each_language_keeps_its_own_figures(self):
        vietnamese = self.get(self.p.staff, PROGRESS)
        english = self.get(self.p.staff, "/en" + PROGRESS)
        self.assertContains(english, "Model ward police in each city and town")
        self.assertNotContains(vietnamese, "Model ward police in each city and town")
