"""The unit picker of a new assessment as a searchable list: the whole list
when short (An Giang), only the chosen unit and a search endpoint when long;
the same units as before for every persona and year; a unit outside the
user's scope refused either way, with as many queries whatever the number of
ward police; the endpoint only for those who assess, scoped like the form."""

from __future__ import annotations

from django.db import connection
from django.test import Client, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from campaign.assessments.forms.assessments import (
    AssessableUnitChoices,
    AssessmentCreateForm,
)
from campaign.assessments.selectors.assessable_units import (
    assessable_unit_sets_for_user,
)
from campaign.assessments.services import assessments as services
from campaign.assessments.views.assessment_list import plan_years
from campaign.assessments.views.assessments import _resolve_unit
from tests.assessments.test_assessment_pages import approved_registration
from tests.assessments.test_award_unit_remote_choices import add_ward_police
from tests.committees.test_locality_search import fresh
from tests.factories import Personas
from tests.reporting.test_dashboard_remote_choices import option_values
from units.models import WardPolice

YEAR = 2026

with translation.override("en"):
    SEARCH = reverse("assessments:assessable_unit_search")
    CREATE = reverse("assessments:assessment_create")


def create_form(user, unit: str = "", *, year: int = YEAR, extra_choice=None):
    """The form as the page builds it, posted with ``unit`` when given."""
    return AssessmentCreateForm(
        {"year": str(year), "unit": unit} if unit else None,
        years=plan_years(),
        units=assessable_unit_sets_for_user(user=user, year=year),
        resolve=lambda key: _resolve_unit(user, key),
        extra_choice=extra_choice,
        initial={"year": year, "unit": unit},
    )


class AssessableUnitTestCase(TestCase):
    def setUp(self):
        # The English texts, whatever the Vietnamese translations say.
        translation.activate("en")
        self.addCleanup(translation.deactivate)

    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        # Today's phường Long Xuyên (officer_ward's) and a 2023 ward of Long
        # Xuyên city (officer_a's then).
        cls.ward_police = WardPolice.objects.select_related("area__parent").get(
            area__key="ag91-30307"
        )
        cls.ward_police_2023 = (
            WardPolice.objects.filter(area__parent__key="ag89-883")
            .order_by("name")
            .first()
        )
        cls.registration = approved_registration(cls.p)  # officer_a's, 2023
        services.assessment_create(
            year=YEAR, ward_police=cls.ward_police, by=cls.p.officer_ward
        )

    def login(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client


class AssessableUnitScopeTests(AssessableUnitTestCase):
    def test_a_unit_outside_the_scope_is_refused_long_list_or_short(self):
        cases = (
            (self.p.officer_b, f"wp:{self.ward_police.pk}"),
            (self.p.officer_b, f"reg:{self.registration.pk}"),
            (self.p.officer_ward, f"wp:{self.ward_police_2023.pk}"),
            (self.p.staff, "wp:99999999"),
            (self.p.staff, "abc"),
        )
        for threshold in (1, 1000):
            for user, value in cases:
                with (
                    self.subTest(threshold=threshold, value=value),
                    self.settings(COMBOBOX_REMOTE_THRESHOLD=threshold),
                ):
                    form = create_form(user, value)
                    self.assertFalse(form.is_valid())
                    self.assertIn("not one you may assess", str(form.errors["unit"]))


class AssessableUnitFormTests(AssessableUnitTestCase):
    def test_the_short_list_is_written_whole_grouped_and_marked(self):
        form = create_form(self.p.officer_a, year=2023)
        html = str(form["unit"])
        units = assessable_unit_sets_for_user(user=self.p.officer_a, year=2023)
        listed = [
            *(f"wp:{w.pk}" for w in units.ward_police),
            *(f"reg:{r.pk}" for r in units.registrations),
        ]
        self.assertNotIn("data-combobox-url", html)
        self.assertEqual(option_values(html, "unit"), ["", *listed])
        self.assertIn('<optgroup label="Ward police">', html)
        self.assertIn('<optgroup label="Registered units (approved)">', html)
        self.assertEqual(form.unit_count, len(listed))
        self.assertTrue(form.has_choices)
        marked = str(create_form(self.p.officer_ward)["unit"])
        self.assertIn(f"{self.ward_police.name} — already assessed", marked)

    def test_the_page_works_without_javascript_when_short(self):
        page = self.login(self.p.officer_ward).get(CREATE, {"year": YEAR})
        self.assertNotContains(page, "data-combobox-url")
        self.assertContains(page, f'<option value="wp:{self.ward_police.pk}">')
        self.assertContains(page, "1 unit of yours can be assessed for 2026.")

    @override_settings(COMBOBOX_REMOTE_THRESHOLD=5)
    def test_the_long_list_holds_only_the_chosen_unit_and_a_search_url(self):
        form = create_form(self.p.staff, f"wp:{self.ward_police.pk}")
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.chosen_unit, self.ward_police)
        html = str(form["unit"])
        self.assertEqual(option_values(html, "unit"), ["", f"wp:{self.ward_police.pk}"])
        self.assertIn(f"{self.ward_police.name} — already assessed</option>", html)
        self.assertIn(f'data-combobox-url="{SEARCH}?year={YEAR}"', html)
        units = assessable_unit_sets_for_user(user=self.p.staff, year=YEAR)
        self.assertEqual(
            form.unit_count, units.ward_police.count() + units.registrations.count()
        )
        self.assertTrue(form.has_choices)
        empty = str(create_form(self.p.staff)["unit"])
        self.assertEqual(option_values(empty, "unit"), [""])

    @override_settings(COMBOBOX_REMOTE_THRESHOLD=5)
    def test_a_unit_asked_for_outside_the_years_list_is_offered_apart(self):
        page = self.login(self.p.staff).get(
            CREATE, {"ward_police": self.ward_police_2023.pk, "year": YEAR}
        )
        self.assertContains(page, "data-combobox-url")
        self.assertContains(page, '<optgroup label="Asked for">')
        self.assertContains(page, "not in the list of 2026")
        self.assertEqual(
            option_values(page.content.decode(), "unit"),
            ["", f"wp:{self.ward_police_2023.pk}"],
        )

    def queries(self, chosen: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            # 2025: both the new ward's police and the 2023 registration.
            form = create_form(fresh(self.p.staff), chosen, year=2025)
            self.assertTrue(form.is_valid(), form.errors)
            html = str(form["unit"])
            self.assertGreater(form.unit_count, 5)
        self.assertIn(f'value="{chosen}" selected', html)
        return len(queries)

    @override_settings(COMBOBOX_REMOTE_THRESHOLD=5)
    def test_as_many_queries_with_thousands_of_ward_police(self):
        def counts():
            return [
                self.queries(f"wp:{self.ward_police.pk}"),
                self.queries(f"reg:{self.registration.pk}"),
            ]

        before = counts()
        add_ward_police(1200, city=self.ward_police.area.parent)
        self.assertEqual(counts(), before)


class AssessableUnitSearchTests(AssessableUnitTestCase):
    def search(self, user, params, status=200):
        response = self.login(user).get(SEARCH, params)
        self.assertEqual(response.status_code, status)
        return response.json() if status == 200 else None

    def test_officers_find_their_units_accents_ignored_and_marked(self):
        found = self.search(self.p.officer_ward, {"year": YEAR, "q": "LONG XUYÊN"})
        self.assertEqual(
            found,
            [
                {
                    "value": f"wp:{self.ward_police.pk}",
                    "label": f"{self.ward_police.name} — already assessed",
                    "group": "Ward police",
                }
            ],
        )
        found = self.search(self.p.officer_a, {"year": 2023, "q": "my binh"})
        values = [r["value"] for r in found]
        self.assertIn(f"reg:{self.registration.pk}", values)

    def test_a_local_officer_cannot_find_another_localitys_units(self):
        for year, query in ((2023, "my binh"), (YEAR, "long xuyen")):
            with self.subTest(year=year):
                found = self.search(self.p.officer_b, {"year": year, "q": query})
                values = {r["value"] for r in found}
                self.assertNotIn(f"reg:{self.registration.pk}", values)
                self.assertNotIn(f"wp:{self.ward_police.pk}", values)
                self.assertNotIn(f"wp:{self.ward_police_2023.pk}", values)
        units = AssessableUnitChoices(
            assessable_unit_sets_for_user(user=self.p.officer_b, year=2023)
        )
        self.assertEqual(
            units.options_for(
                [f"wp:{self.ward_police_2023.pk}", f"reg:{self.registration.pk}"]
            ),
            [],
        )

    def test_only_those_who_assess_may_search(self):
        self.search(self.p.leader, {"year": YEAR, "q": "long"}, status=403)
        self.assertEqual(self.login(self.p.staff).post(SEARCH).status_code, 405)

    def test_no_query_or_a_year_outside_the_plan_no_results_at_most_twenty(self):
        self.assertEqual(self.search(self.p.staff, {"year": YEAR, "q": " "}), [])
        self.assertEqual(self.search(self.p.staff, {"q": "cong an"}), [])
        self.assertEqual(self.search(self.p.staff, {"year": 1999, "q": "cong"}), [])
        add_ward_police(30, city=self.ward_police.area.parent)
        self.assertEqual(
            len(self.search(self.p.staff, {"year": YEAR, "q": "cong an"})), 20
        )
