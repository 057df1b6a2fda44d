"""The registration form's unit pickers as searchable lists: the unit search
endpoint (the units the user may register that year, accents ignored, at
most 20), and the form writing every unit when the list is short and only the
chosen one when it is long, refusing a unit outside the user's area."""

from __future__ import annotations

import re

from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.planning.selectors.periods import exemplary_programme, phases_of
from campaign.registrations.forms.registrations import RegistrationForm
from campaign.registrations.forms.unit_choices import RegistrableUnits
from tests.factories import Personas
from units.choices import OrganisationKind
from units.models import Area, Organisation
from units.text import fold

SEARCH_URL = reverse("registrations:unit_search")
YEAR = 2026


def add_organisations(count: int, *, area: Area) -> None:
    Organisation.objects.bulk_create(
        Organisation(
            name=f"Trường Tiểu học Thử {i:04d}",
            kind=OrganisationKind.SCHOOL,
            area=area,
            managed_by=area,
            search_name=fold(f"Trường Tiểu học Thử {i:04d}"),
        )
        for i in range(count)
    )


class UnitSearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.my_hoa_hung = cls.p.committee_commune.area
        cls.long_xuyen = cls.p.committee_ward.area

    def search(self, user, query: str, **params) -> list[dict]:
        self.client.force_login(user)
        response = self.client.get(SEARCH_URL, {"q": query, "year": YEAR, **params})
        self.assertEqual(response.status_code, 200)
        return response.json()

    def test_it_finds_a_commune_accents_ignored(self):
        for query in ("my hoa hung", "MỸ HÒA HƯNG"):
            with self.subTest(query=query):
                results = self.search(self.p.staff, query)
                self.assertEqual(results[0]["value"], f"area:{self.my_hoa_hung.pk}")
                self.assertEqual(results[0]["label"], self.my_hoa_hung.full_name)

    def test_a_local_officer_finds_only_the_units_of_their_area(self):
        add_organisations(1, area=self.long_xuyen)
        found = [r["value"] for r in self.search(self.p.officer_commune, "long xuyen")]
        self.assertEqual(found, [])
        found = [r["value"] for r in self.search(self.p.officer_ward, "long xuyen")]
        self.assertIn(f"area:{self.long_xuyen.pk}", found)
        found = [r["value"] for r in self.search(self.p.officer_ward, "thu 0000")]
        self.assertEqual(len(found), 1)
        self.assertTrue(found[0].startswith("org:"))
        self.assertEqual(self.search(self.p.officer_commune, "thu 0000"), [])

    def test_kind_area_leaves_the_organisations_out(self):
        add_organisations(3, area=self.long_xuyen)
        self.assertEqual(len(self.search(self.p.staff, "tieu hoc thu")), 3)
        self.assertEqual(self.search(self.p.staff, "tieu hoc thu", kind="area"), [])
        self.assertEqual(len(self.search(self.p.staff, "my hoa hung", kind="area")), 1)

    def test_it_returns_at_most_twenty(self):
        add_organisations(30, area=self.long_xuyen)
        self.assertEqual(len(self.search(self.p.staff, "truong tieu hoc thu")), 20)

    def test_a_director_may_not_search_units_to_register(self):
        self.client.force_login(self.p.leader)
        self.assertEqual(self.client.get(SEARCH_URL, {"q": "my"}).status_code, 403)

    def test_anonymous_users_are_sent_to_log_in(self):
        response = self.client.get(SEARCH_URL, {"q": "my"})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))


class UnitPickerTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.phases = phases_of(exemplary_programme())

    def form(self, user, data=None) -> RegistrationForm:
        return RegistrationForm(
            data,
            year=YEAR,
            phases=self.phases,
            units=RegistrableUnits(user=user, year=YEAR),
        )

    def options(self, form: RegistrationForm, name: str) -> list[str]:
        return re.findall(r'<option value="([^"]*)"', str(form[name]))

    def test_a_short_list_is_written_whole(self):
        form = self.form(self.p.staff)
        values = self.options(form, "unit")
        self.assertGreater(len(values), 100)  # the new An Giang's 102 communes
        self.assertNotIn("data-combobox-url", str(form["unit"]))
        self.assertEqual(form.unit_count, len(values) - 1)

    @override_settings(COMBOBOX_REMOTE_THRESHOLD=10)
    def test_a_long_list_holds_only_the_chosen_unit_and_a_search_url(self):
        area = self.p.committee_commune.area
        form = self.form(self.p.staff, {"unit": f"area:{area.pk}"})
        form.is_valid()
        html = str(form["unit"])
        self.assertEqual(self.options(form, "unit"), ["", f"area:{area.pk}"])
        self.assertIn(f'data-combobox-url="{SEARCH_URL}?year={YEAR}"', html)
        self.assertIn(
            f"{SEARCH_URL}?year={YEAR}&amp;kind=area",
            str(form["new_organisation_area"]),
        )
        self.assertGreater(form.unit_count, 100)

    def test_a_unit_outside_the_users_area_is_refused_in_words(self):
        outside = self.p.committee_ward.area  # phường Long Xuyên
        for threshold in (10, 1000):
            with (
                self.subTest(threshold=threshold),
                self.settings(COMBOBOX_REMOTE_THRESHOLD=threshold),
            ):
                form = self.form(self.p.officer_commune, {"unit": f"area:{outside.pk}"})
                form.is_valid()
                self.assertIn("unit", form.errors)
                own = self.p.committee_commune.area
                form = self.form(self.p.officer_commune, {"unit": f"area:{own.pk}"})
                form.is_valid()
                self.assertNotIn("unit", form.errors)
                self.assertEqual(form.cleaned_data["area"], own)

    @override_settings(COMBOBOX_REMOTE_THRESHOLD=10)
    def test_the_pickers_run_as_many_queries_with_thousands_of_organisations(self):
        area = self.p.committee_commune.area

        def queries() -> int:
            staff = type(self.p.staff).objects.get(pk=self.p.staff.pk)  # no access kept
            with CaptureQueriesContext(connection) as captured:
                form = self.form(staff, {"unit": f"area:{area.pk}"})
                form.is_valid()
                str(form["unit"])
                str(form["new_organisation_area"])
            return len(captured)

        before = queries()
        add_organisations(2000, area=area)
        self.assertEqual(queries(), before)
