"""The staff's pickers — a membership's committee, a committee's parent and
area — as searchable lists: the whole list when short (An Giang), only the
chosen entry and a search endpoint when long; a value outside the list
refused either way, with as many queries whatever the number of committees
and areas; the endpoints only for those who may use the forms."""

from __future__ import annotations

from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.committees.choices import CommitteeLevel
from campaign.committees.forms.accounts import MembershipForm
from campaign.committees.forms.committees import CommitteeEditForm, CommitteeForm
from campaign.committees.selectors.committee_pick import (
    committee_area_choices,
    parent_committee_choices_for_user,
)
from campaign.committees.selectors.committees import committee_choices_for_user
from tests.committees.test_locality_search import fresh
from tests.factories import Personas
from tests.reporting.test_dashboard_remote_choices import (
    add_committees,
    option_values,
)
from units.models import Area

MEMBERSHIP_SEARCH = reverse("committees:membership_committee_search")
PARENT_SEARCH = reverse("committees:parent_committee_search")
AREA_SEARCH = reverse("committees:committee_area_search")


def membership_form(user, committee):
    return MembershipForm(
        {"committee": str(committee), "role": "local_officer"},
        committees=committee_choices_for_user(user=user),
    )


def parent_form(user, committee):
    return CommitteeEditForm(
        {
            "name": "Ban Chỉ đạo 138 thử",
            "short_name": "BCĐ 138 thử",
            "standing_office": "",
            "parent": str(committee),
            "valid_from": "01/07/2025",
        },
        parents=parent_committee_choices_for_user(user=user),
    )


class PickerSearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def search(self, url, user, query, status=200):
        self.client.force_login(user)
        response = self.client.get(url, {"q": query})
        self.assertEqual(response.status_code, status)
        return response.json() if status == 200 else None

    def test_staff_find_committees_and_areas_accents_ignored(self):
        commune = self.p.committee_commune
        first = self.search(MEMBERSHIP_SEARCH, self.p.staff, "MỸ HÒA HƯNG")[0]
        self.assertEqual(
            first, {"value": str(commune.pk), "label": commune.short_name, "group": ""}
        )
        # The commune of 2023 and that of the 2025 reform.
        areas = [
            r["value"] for r in self.search(AREA_SEARCH, self.p.staff, "my hoa hung")
        ]
        self.assertIn(str(commune.area.pk), areas)
        parents = self.search(PARENT_SEARCH, self.p.staff, "long xuyen")
        self.assertIn(str(self.p.committee_a.pk), [r["value"] for r in parents])
        # Nothing is under a commune: no commune is offered as a parent.
        self.assertEqual(self.search(PARENT_SEARCH, self.p.staff, "my hoa hung"), [])

    def test_local_officers_may_not_search_the_staffs_pickers(self):
        for url in (MEMBERSHIP_SEARCH, PARENT_SEARCH, AREA_SEARCH):
            for user in (self.p.officer_a, self.p.officer_commune, self.p.leader):
                with self.subTest(url=url, user=user.username):
                    self.search(url, user, "long xuyen", status=403)

    def test_the_endpoints_read_the_forms_lists(self):
        self.client.force_login(self.p.staff)
        self.assertEqual(self.client.post(MEMBERSHIP_SEARCH).status_code, 405)
        self.assertEqual(self.search(AREA_SEARCH, self.p.staff, " "), [])
        self.assertEqual(len(self.search(AREA_SEARCH, self.p.staff, "xa")), 20)


class PickerFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def test_short_lists_are_written_whole(self):
        html = str(
            MembershipForm(committees=committee_choices_for_user(user=self.p.staff))[
                "committee"
            ]
        )
        self.assertEqual(
            option_values(html, "committee")[1:],
            [str(c.pk) for c in committee_choices_for_user(user=self.p.staff)],
        )
        self.assertNotIn("data-combobox-url", html)
        form = CommitteeForm(
            parents=parent_committee_choices_for_user(user=self.p.staff)
        )
        html = str(form["area"])
        # An Giang's areas of both periods stay a plain list.
        self.assertEqual(len(option_values(html, "area")) - 1, Area.objects.count())
        self.assertNotIn("data-combobox-url", html)
        html = str(form["parent"])
        self.assertNotIn(
            str(self.p.committee_commune.pk), option_values(html, "parent")
        )
        self.assertIn(str(self.p.province.pk), option_values(html, "parent"))

    @override_settings(COMBOBOX_REMOTE_THRESHOLD=5)
    def test_long_lists_hold_only_the_chosen_entry_and_a_search_url(self):
        chosen = self.p.committee_a
        form = membership_form(self.p.staff, chosen.pk)
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["committee"], chosen)
        html = str(form["committee"])
        self.assertEqual(option_values(html, "committee"), ["", str(chosen.pk)])
        self.assertIn(f'data-combobox-url="{MEMBERSHIP_SEARCH}"', html)
        form = parent_form(self.p.staff, self.p.province.pk)
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["parent"], self.p.province)
        html = str(form["parent"])
        self.assertEqual(option_values(html, "parent"), ["", str(self.p.province.pk)])
        self.assertIn(f'data-combobox-url="{PARENT_SEARCH}"', html)
        area = self.p.committee_commune.area
        html = str(CommitteeForm(initial={"area": area})["area"])
        self.assertEqual(option_values(html, "area"), ["", str(area.pk)])
        self.assertIn(f'data-combobox-url="{AREA_SEARCH}"', html)

    def test_the_edit_form_shows_the_committees_parent(self):
        for threshold in (1, 1000):
            with (
                self.subTest(threshold=threshold),
                self.settings(COMBOBOX_REMOTE_THRESHOLD=threshold),
            ):
                form = CommitteeEditForm(
                    initial={"parent": self.p.province},
                    parents=parent_committee_choices_for_user(user=self.p.staff),
                )
                self.assertIn(
                    f'value="{self.p.province.pk}" selected', str(form["parent"])
                )

    def test_a_value_outside_the_list_is_refused(self):
        for threshold in (1, 1000):
            cases = (
                (membership_form, "committee", 99999999),
                (membership_form, "committee", "abc"),
                (parent_form, "parent", self.p.committee_commune.pk),
                (parent_form, "parent", 99999999),
            )
            for build, name, value in cases:
                with (
                    self.subTest(threshold=threshold, field=name, value=value),
                    self.settings(COMBOBOX_REMOTE_THRESHOLD=threshold),
                ):
                    form = build(self.p.staff, value)
                    self.assertFalse(form.is_valid())
                    self.assertIn(name, form.errors)

    def queries(self, build, name, chosen) -> int:
        with CaptureQueriesContext(connection) as queries:
            form = build(fresh(self.p.staff), chosen.pk)
            self.assertTrue(form.is_valid(), form.errors)
            html = str(form[name])
        self.assertIn(f'value="{chosen.pk}" selected', html)
        return len(queries)

    def area_queries(self, area) -> int:
        with CaptureQueriesContext(connection) as queries:
            form = CommitteeForm(
                {"level": CommitteeLevel.COMMUNE, "area": str(area.pk)},
                parents=parent_committee_choices_for_user(user=fresh(self.p.staff)),
            )
            form.is_valid()
            self.assertNotIn("area", form.errors)
            self.assertEqual(form.cleaned_data["area"], area)
            html = str(form["area"])
        self.assertIn(f'value="{area.pk}" selected', html)
        return len(queries)

    @override_settings(COMBOBOX_REMOTE_THRESHOLD=5)
    def test_the_pickers_run_as_many_queries_with_thousands_of_committees(self):
        area = self.p.committee_commune.area

        def counts():
            return [
                self.queries(membership_form, "committee", self.p.committee_a),
                self.queries(parent_form, "parent", self.p.committee_a),
                self.area_queries(area),
            ]

        before = counts()
        add_committees(1200, parent=self.p.province, prefix="p")
        add_committees(60, parent=self.p.committee_a, prefix="a")
        self.assertEqual(
            committee_area_choices().filter(key__startswith="test-").count(), 1260
        )
        self.assertEqual(counts(), before)
