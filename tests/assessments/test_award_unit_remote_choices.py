"""The unit picker of a commendation and of a review's rows as a searchable
list: the whole list when short (An Giang), only the chosen unit and a search
endpoint when long; a unit outside the user's list refused either way, with
as many queries whatever the number of ward police; the endpoint only for
those who may record awards, and the list scoped like the ward police pages."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from campaign.assessments.forms.awards import (
    CommendationCreateForm,
    UnitChoices,
    classification_formset,
)
from campaign.assessments.selectors.award_units import award_units_for_user
from campaign.assessments.selectors.awards import ward_police_visible
from campaign.registrations.choices import RegistrationStatus
from tests.assessments import builders
from tests.assessments.test_award_pages import approved_registration
from tests.committees.test_locality_search import fresh
from tests.factories import Personas
from tests.reporting.test_dashboard_remote_choices import option_values
from units.choices import AreaKind
from units.models import Area, WardPolice
from units.text import fold

with translation.override("en"):
    SEARCH = reverse("assessments:award_unit_search")


def add_ward_police(count: int, *, city: Area) -> None:
    """``count`` more wards of ``city`` with their ward police ("Công an
    phường Thử 0001", …), as a national database has thousands."""
    wards = Area.objects.bulk_create(
        Area(
            key=f"test-w{i:04d}",
            code=f"TW{i:04d}",
            name=f"Thử {i:04d}",
            kind=AreaKind.WARD,
            parent=city,
            valid_from=datetime.date(2025, 7, 1),
            search_name=fold(f"Phường Thử {i:04d}"),
        )
        for i in range(count)
    )
    WardPolice.objects.bulk_create(
        WardPolice(
            area=ward,
            name=f"Công an phường Thử {i:04d}",
            search_name=fold(f"Công an phường Thử {i:04d}"),
        )
        for i, ward in enumerate(wards)
    )


def commendation_form(user, unit: str) -> CommendationCreateForm:
    return CommendationCreateForm(
        {
            "form": "merit",
            "authority": "Chủ tịch UBND tỉnh",
            "recipient_kind": "collective",
            "recipient_name": "Nhân dân phường Mỹ Bình",
            "unit": unit,
            "year": "2023",
            "decision_number": "1234/QĐ-UBND",
            "decided_on": "2024-01-15",
            "reason": "Có thành tích xuất sắc.",
        },
        units=award_units_for_user(user=user),
        years=[2023, 2024, 2025],
    )


def review_rows(user, units: list[str]):
    data = {
        "c-TOTAL_FORMS": str(len(units)),
        "c-INITIAL_FORMS": "0",
        "c-MIN_NUM_FORMS": "0",
        "c-MAX_NUM_FORMS": "500",
    }
    for index, unit in enumerate(units):
        data[f"c-{index}-unit"] = unit
        data[f"c-{index}-classification"] = "good" if unit else ""
        data[f"c-{index}-note"] = ""
    return classification_formset(
        data, units=UnitChoices(award_units_for_user(user=user))
    )


class AwardUnitTestCase(TestCase):
    def setUp(self):
        # The English texts, whatever the Vietnamese translations say.
        translation.activate("en")
        self.addCleanup(translation.deactivate)

    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.registration = approved_registration(
            cls.p, area=Area.objects.get(key="ag89-883-30280")
        )
        cls.draft = approved_registration(
            cls.p,
            area=Area.objects.get(key="ag89-883-30283"),
            status=RegistrationStatus.DRAFT,
        )
        cls.ward_police = builders.ward_police("ag89-883-30280")  # Long Xuyên's
        cls.other_ward_police = builders.ward_police("ag89-884-30316")  # Châu Đốc's


class AwardUnitSearchTests(AwardUnitTestCase):
    def search(self, user, query, status=200):
        self.client.force_login(user)
        response = self.client.get(SEARCH, {"q": query})
        self.assertEqual(response.status_code, status)
        return response.json() if status == 200 else None

    def test_staff_find_registrations_and_ward_police_accents_ignored(self):
        found = self.search(self.p.staff, "MỸ BÌNH")
        values = [r["value"] for r in found]
        self.assertIn(f"reg:{self.registration.pk}", values)
        self.assertIn(f"wp:{self.ward_police.pk}", values)
        self.assertNotIn(f"reg:{self.draft.pk}", values)
        first = found[0]
        self.assertEqual(first["value"], f"reg:{self.registration.pk}")
        self.assertEqual(first["group"], "Exemplary units of 2023")
        police = next(r for r in found if r["value"] == f"wp:{self.ward_police.pk}")
        self.assertTrue(police["label"].startswith(self.ward_police.name))

    def test_only_those_who_record_awards_may_search(self):
        for user in (self.p.officer_a, self.p.officer_commune, self.p.leader):
            with self.subTest(user=user.username):
                self.search(user, "my binh", status=403)

    def test_no_query_no_results_and_at_most_twenty(self):
        self.client.force_login(self.p.staff)
        self.assertEqual(self.client.post(SEARCH).status_code, 405)
        self.assertEqual(self.search(self.p.staff, " "), [])
        self.assertEqual(len(self.search(self.p.staff, "cong an")), 20)


class AwardUnitScopeTests(AwardUnitTestCase):
    def test_the_list_holds_the_ward_police_the_user_may_open(self):
        # The queryset's filter is the rule of the ward police pages.
        every = WardPolice.objects.select_related("area__parent")
        for user in (
            self.p.staff,
            self.p.officer_a,
            self.p.officer_b,
            self.p.officer_ward,
            self.p.officer_commune,
        ):
            with self.subTest(user=user.username):
                listed = {w.pk for w in award_units_for_user(user=user).ward_police}
                visible = {
                    w.pk for w in every if ward_police_visible(user=user, ward_police=w)
                }
                self.assertEqual(listed, visible)
        local = {w.pk for w in award_units_for_user(user=self.p.officer_a).ward_police}
        self.assertIn(self.ward_police.pk, local)
        self.assertNotIn(self.other_ward_police.pk, local)

    def test_another_localitys_units_are_not_found_nor_accepted(self):
        units = UnitChoices(award_units_for_user(user=self.p.officer_b))
        found = [o[0] for o in units.search("my binh", limit=20)]
        self.assertNotIn(f"wp:{self.ward_police.pk}", found)
        self.assertNotIn(f"reg:{self.registration.pk}", found)
        self.assertEqual(
            units.options_for(
                [f"wp:{self.ward_police.pk}", f"reg:{self.registration.pk}"]
            ),
            [],
        )


class AwardUnitFormTests(AwardUnitTestCase):
    def test_the_short_list_is_written_whole_grouped(self):
        units = award_units_for_user(user=self.p.staff)
        html = str(CommendationCreateForm(units=units, years=[2023])["unit"])
        self.assertNotIn("data-combobox-url", html)
        self.assertEqual(
            option_values(html, "unit"),
            [
                "",
                *(f"reg:{r.pk}" for r in units.registrations),
                *(f"wp:{w.pk}" for w in units.ward_police),
            ],
        )
        self.assertIn('<optgroup label="Exemplary units of 2023">', html)
        self.assertIn('<optgroup label="Model ward police">', html)

    @override_settings(COMBOBOX_REMOTE_THRESHOLD=5)
    def test_the_long_list_holds_only_the_chosen_unit_and_a_search_url(self):
        form = commendation_form(self.p.staff, f"wp:{self.ward_police.pk}")
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["ward_police"], self.ward_police)
        self.assertIsNone(form.cleaned_data["registration"])
        html = str(form["unit"])
        self.assertEqual(option_values(html, "unit"), ["", f"wp:{self.ward_police.pk}"])
        self.assertIn(f'data-combobox-url="{SEARCH}"', html)
        formset = review_rows(self.p.staff, [f"reg:{self.registration.pk}", ""])
        self.assertTrue(formset.is_valid(), formset.errors)
        self.assertEqual(formset.chosen_rows()[0]["registration"], self.registration)
        html = str(formset.forms[0]["unit"])
        self.assertEqual(
            option_values(html, "c-0-unit"), ["", f"reg:{self.registration.pk}"]
        )
        self.assertEqual(option_values(str(formset.forms[1]["unit"]), "c-1-unit"), [""])

    def test_a_unit_outside_the_list_is_refused(self):
        cases = (
            (self.p.staff, f"reg:{self.draft.pk}"),
            (self.p.staff, "wp:99999999"),
            (self.p.staff, "abc"),
            (self.p.staff, f"reg:{self.ward_police.pk}x"),
        )
        for threshold in (1, 1000):
            for user, value in cases:
                with (
                    self.subTest(threshold=threshold, value=value),
                    self.settings(COMBOBOX_REMOTE_THRESHOLD=threshold),
                ):
                    form = commendation_form(user, value)
                    self.assertFalse(form.is_valid())
                    self.assertIn("This unit cannot be chosen", str(form.errors))
                    formset = review_rows(user, [value])
                    self.assertFalse(formset.is_valid())
                    self.assertIn("unit", formset.forms[0].errors)

    def queries(self, chosen: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            form = commendation_form(fresh(self.p.staff), chosen)
            self.assertTrue(form.is_valid(), form.errors)
            html = str(form["unit"])
            formset = review_rows(fresh(self.p.staff), [chosen, "", ""])
            self.assertTrue(formset.is_valid(), formset.errors)
            html += "".join(str(row["unit"]) for row in formset.forms)
        self.assertEqual(html.count(f'value="{chosen}" selected'), 2)
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
