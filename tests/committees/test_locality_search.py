"""Localities as a searchable choice list: the committee search endpoint
(scoped like the committee list, accents ignored, at most 20) and the
registration list's locality filter, which writes every committee when the
list is short and only the chosen one when it is long — validated against the
user's scope in one query, with as many queries whatever the number of
committees."""

from __future__ import annotations

import datetime
import re

from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.committees.choices import CommitteeLevel
from campaign.committees.forms.localities import LocalityChoices
from campaign.committees.models import SteeringCommittee
from campaign.registrations.forms.registration_list import RegistrationFilterForm
from tests.factories import Personas, UserFactory
from units.choices import AreaKind
from units.models import Area
from units.text import fold

SEARCH_URL = reverse("committees:committee_search")
LIST_URL = reverse("registrations:registration_list")


def add_committees(count: int, *, parent: SteeringCommittee) -> None:
    """``count`` more commune committees under ``parent`` ("Xã Thử 0001", …),
    as a national database has thousands."""
    areas = Area.objects.bulk_create(
        Area(
            key=f"test-{i:04d}",
            code=f"T{i:04d}",
            name=f"Thử {i:04d}",
            kind=AreaKind.COMMUNE,
            parent=parent.area,
            valid_from=datetime.date(2025, 7, 1),
            search_name=fold(f"Xã Thử {i:04d}"),
        )
        for i in range(count)
    )
    SteeringCommittee.objects.bulk_create(
        SteeringCommittee(
            level=CommitteeLevel.COMMUNE,
            area=area,
            parent=parent,
            name=f"Ban Chỉ đạo 138 {area.full_name}",
            short_name=f"BCĐ 138 {area.full_name}",
            valid_from=datetime.date(2025, 7, 1),
        )
        for area in areas
    )


def option_values(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', select)


class CommitteeSearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def search(self, user, query: str) -> list[dict]:
        self.client.force_login(user)
        response = self.client.get(SEARCH_URL, {"q": query})
        self.assertEqual(response.status_code, 200)
        return response.json()

    def test_it_finds_a_committee_accents_ignored(self):
        for query in ("my hoa", "MỸ HÒA", "Mỹ  hòa hưng"):
            with self.subTest(query=query):
                results = self.search(self.p.staff, query)
                self.assertEqual(results[0]["value"], str(self.p.committee_commune.pk))
                self.assertEqual(
                    results[0]["label"], self.p.committee_commune.short_name
                )
                self.assertEqual(results[0]["group"], str(CommitteeLevel.COMMUNE.label))

    def test_a_local_officer_never_finds_another_localitys_committee(self):
        found = [r["value"] for r in self.search(self.p.officer_commune, "long xuyen")]
        self.assertNotIn(str(self.p.committee_ward.pk), found)
        self.assertNotIn(str(self.p.committee_a.pk), found)
        own = [r["value"] for r in self.search(self.p.officer_ward, "long xuyen")]
        self.assertIn(str(self.p.committee_ward.pk), own)

    def test_it_returns_at_most_twenty_the_phrase_at_a_word_start_first(self):
        results = self.search(self.p.staff, "xa")
        self.assertEqual(len(results), 20)
        # "Hòa Hưng" starts with the phrase; "Mỹ Hòa Hưng" and "Vĩnh Hòa Hưng"
        # have it at a word start; none of the rest of the province has it.
        labels = [r["label"] for r in self.search(self.p.staff, "hoa hung")]
        self.assertTrue(labels[0].endswith("xã Hòa Hưng"), labels)
        self.assertIn(self.p.committee_commune.short_name, labels)

    def test_an_empty_query_finds_nothing(self):
        self.assertEqual(self.search(self.p.staff, "  "), [])

    def test_it_runs_one_query_per_search_for_the_province(self):
        choices = LocalityChoices(user=self.p.staff)
        from campaign.committees import access

        access.access_for(self.p.staff)
        with CaptureQueriesContext(connection) as queries:
            choices.search("my hoa", limit=20)
        self.assertEqual(len(queries), 1)

    def test_anonymous_users_are_sent_to_log_in(self):
        response = self.client.get(SEARCH_URL, {"q": "my"})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_a_user_without_a_committee_is_refused(self):
        self.client.force_login(UserFactory(username="khongvaitro"))
        self.assertEqual(self.client.get(SEARCH_URL, {"q": "my"}).status_code, 403)

    def test_it_refuses_a_post(self):
        self.client.force_login(self.p.staff)
        self.assertEqual(self.client.post(SEARCH_URL, {"q": "my"}).status_code, 405)


class LocalityFilterTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def page(self, user, **params) -> str:
        self.client.force_login(user)
        response = self.client.get(LIST_URL, params)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_a_short_list_is_written_whole_without_a_search_url(self):
        html = self.page(self.p.staff)
        values = option_values(html, "locality")
        self.assertEqual(values[0], "")
        self.assertEqual(
            len(values) - 1,
            SteeringCommittee.objects.count(),
        )
        self.assertNotIn("data-combobox-url", html)

    @override_settings(COMBOBOX_REMOTE_THRESHOLD=5)
    def test_a_long_list_holds_only_the_chosen_locality_and_a_search_url(self):
        chosen = self.p.committee_commune
        html = self.page(self.p.staff, locality=chosen.pk)
        self.assertEqual(option_values(html, "locality"), ["", str(chosen.pk)])
        self.assertIn(f'data-combobox-url="{SEARCH_URL}"', html)
        self.assertIn(f'<option value="{chosen.pk}" selected>{chosen.short_name}', html)

    def test_the_province_comes_first_then_the_districts_and_communes(self):
        form = RegistrationFilterForm(user=self.p.staff)
        html = str(form["locality"])
        groups = re.findall(r'<optgroup label="([^"]*)"', html)
        self.assertEqual(
            groups,
            [str(level.label) for level in CommitteeLevel],
        )

    def test_a_locality_of_the_users_scope_is_accepted(self):
        for threshold in (1, 1000):
            with (
                self.subTest(threshold=threshold),
                self.settings(COMBOBOX_REMOTE_THRESHOLD=threshold),
            ):
                form = RegistrationFilterForm(
                    {"locality": str(self.p.committee_commune.pk)},
                    user=self.p.officer_commune,
                )
                self.assertTrue(form.is_valid(), form.errors)
                self.assertEqual(
                    form.filters()["locality"], self.p.committee_commune.pk
                )

    def test_another_localitys_committee_is_refused(self):
        for threshold in (1, 1000):
            for value in (str(self.p.committee_ward.pk), "abc", "99999999"):
                with (
                    self.subTest(threshold=threshold, value=value),
                    self.settings(COMBOBOX_REMOTE_THRESHOLD=threshold),
                ):
                    form = RegistrationFilterForm(
                        {"locality": value}, user=self.p.officer_commune
                    )
                    self.assertFalse(form.is_valid())
                    self.assertIn("locality", form.errors)

    def queries_to_build_clean_and_render(self, user) -> int:
        chosen = str(self.p.committee_commune.pk)
        with CaptureQueriesContext(connection) as queries:
            form = RegistrationFilterForm({"locality": chosen}, user=user)
            self.assertTrue(form.is_valid(), form.errors)
            html = str(form["locality"])
        self.assertIn(f'value="{chosen}" selected', html)
        return len(queries)

    @override_settings(COMBOBOX_REMOTE_THRESHOLD=50)
    def test_the_filter_runs_as_many_queries_with_thousands_of_committees(self):
        users = (self.p.staff, self.p.officer_commune)
        before = {u.pk: self.queries_to_build_clean_and_render(fresh(u)) for u in users}
        add_committees(1200, parent=self.p.province)
        after = {u.pk: self.queries_to_build_clean_and_render(fresh(u)) for u in users}
        self.assertEqual(after, before)
        html = self.page(fresh(self.p.staff))
        self.assertLess(len(option_values(html, "locality")), 3)


def fresh(user):
    """The user read again, without the access kept on the object."""
    return type(user).objects.get(pk=user.pk)
