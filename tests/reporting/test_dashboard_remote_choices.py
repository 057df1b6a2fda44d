"""The committees of the reports as a searchable list: the scope search
endpoint (the committees the user may report on, accents ignored), and the
dashboard's locality filter, which writes every locality when the list is
short and only the chosen one when it is long — refusing a locality outside
the user's scope, with as many queries whatever the number of committees."""

from __future__ import annotations

import datetime
import re

from django.core.cache import cache
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaign.committees.choices import CommitteeLevel
from campaign.committees.models import SteeringCommittee
from reporting.forms_dashboard import DashboardFilterForm, localities_for
from reporting.scope_choices import ReportScopeChoices
from reporting.selectors import report_scope_committees
from tests.committees.test_locality_search import fresh
from tests.factories import Personas, UserFactory
from units.choices import AreaKind
from units.models import Area
from units.text import fold

SEARCH_URL = reverse("reporting:scope_search")
DASHBOARD_URL = reverse("reporting:dashboard")


def add_committees(count: int, *, parent: SteeringCommittee, prefix: str) -> None:
    """``count`` more commune committees under ``parent`` ("Xã Thử <prefix>0001",
    …), as a national database has thousands."""
    areas = Area.objects.bulk_create(
        Area(
            key=f"test-{prefix}{i:04d}",
            code=f"T{prefix}{i:04d}",
            name=f"Thử {prefix}{i:04d}",
            kind=AreaKind.COMMUNE,
            parent=parent.area,
            valid_from=datetime.date(2025, 7, 1),
            search_name=fold(f"Xã Thử {prefix}{i:04d}"),
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
    select = re.search(rf'<select[^>]* name="{name}".*?</select>', html, re.S)
    return re.findall(r'<option value="([^"]*)"', select.group(0))


class ScopeSearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def search(self, user, query: str) -> list[dict]:
        self.client.force_login(user)
        response = self.client.get(SEARCH_URL, {"q": query})
        self.assertEqual(response.status_code, 200)
        return response.json()

    def test_it_finds_a_committee_accents_ignored_named_with_its_period(self):
        committee = self.p.committee_commune
        for query in ("my hoa", "MỸ HÒA HƯNG"):
            with self.subTest(query=query):
                first = self.search(self.p.staff, query)[0]
                self.assertEqual(first["value"], str(committee.pk))
                self.assertEqual(
                    first["label"],
                    f"{committee.short_name} (từ {committee.valid_from:%d/%m/%Y})",
                )

    def test_a_local_officer_finds_only_the_committees_they_may_report_on(self):
        found = [r["value"] for r in self.search(self.p.officer_commune, "long xuyen")]
        self.assertEqual(found, [])
        # The provincial committee is above them: not in their report scope.
        found = [r["value"] for r in self.search(self.p.officer_commune, "an giang")]
        self.assertNotIn(str(self.p.province.pk), found)
        own = [r["value"] for r in self.search(self.p.officer_ward, "long xuyen")]
        self.assertIn(str(self.p.committee_ward.pk), own)
        self.assertNotIn(str(self.p.committee_a.pk), own)

    def test_it_returns_at_most_twenty_and_nothing_for_an_empty_query(self):
        self.assertEqual(len(self.search(self.p.staff, "xa")), 20)
        self.assertEqual(self.search(self.p.staff, " "), [])

    def test_anonymous_users_log_in_others_without_a_committee_are_refused(self):
        response = self.client.get(SEARCH_URL, {"q": "my"})
        self.assertEqual(response.status_code, 302)
        self.client.force_login(UserFactory(username="khongvaitro"))
        self.assertEqual(self.client.get(SEARCH_URL, {"q": "my"}).status_code, 403)
        self.client.force_login(self.p.staff)
        self.assertEqual(self.client.post(SEARCH_URL, {"q": "my"}).status_code, 405)

    def test_the_source_reads_the_report_scope(self):
        source = ReportScopeChoices(user=self.p.officer_a)
        listed = {int(v) for v, _label, _group in source.options(limit=1000)}
        self.assertEqual(
            listed,
            set(
                report_scope_committees(user=self.p.officer_a).values_list(
                    "pk", flat=True
                )
            ),
        )
        self.assertEqual(source.options_for([str(self.p.committee_b.pk), "x"]), [])


class DashboardLocalityTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def setUp(self):
        cache.clear()  # the localities are kept between requests

    def page(self, user, status: int = 200, **params) -> str:
        self.client.force_login(user)
        response = self.client.get(DASHBOARD_URL, params)
        self.assertEqual(response.status_code, status)
        return response.content.decode()

    def test_a_short_list_is_written_whole_without_a_search_url(self):
        html = self.page(self.p.staff, scope=self.p.committee_commune.pk)
        values = option_values(html, "scope")
        self.assertEqual(values[0], "")
        # In the list's order, as before the list could be searched.
        listed = report_scope_committees(user=self.p.staff).values_list("pk", flat=True)
        self.assertEqual(values[1:], [str(pk) for pk in listed])
        self.assertNotIn("data-combobox-url", html)
        self.assertIn(f'value="{self.p.committee_commune.pk}" selected', html)

    @override_settings(COMBOBOX_REMOTE_THRESHOLD=5)
    def test_a_long_list_holds_only_the_chosen_locality_and_a_search_url(self):
        chosen = self.p.committee_commune
        html = self.page(self.p.staff, scope=chosen.pk)
        self.assertEqual(option_values(html, "scope"), ["", str(chosen.pk)])
        self.assertIn(f'data-combobox-url="{SEARCH_URL}"', html)
        self.assertIn(
            f'<option value="{chosen.pk}" selected>{chosen.short_name} (', html
        )

    @override_settings(COMBOBOX_REMOTE_THRESHOLD=1)
    def test_a_local_officers_default_is_their_own_committee_in_a_long_list(self):
        html = self.page(self.p.officer_a)
        self.assertEqual(option_values(html, "scope"), [str(self.p.committee_a.pk)])
        self.assertIn(f'value="{self.p.committee_a.pk}" selected', html)

    def test_another_localitys_committee_is_refused(self):
        for threshold in (1, 1000):
            for value in (self.p.committee_ward.pk, self.p.province.pk, 99999999):
                with (
                    self.subTest(threshold=threshold, value=value),
                    self.settings(COMBOBOX_REMOTE_THRESHOLD=threshold),
                ):
                    cache.clear()
                    self.page(self.p.officer_commune, status=400, scope=value)

    def test_a_committee_of_the_scope_is_accepted(self):
        for threshold in (1, 1000):
            with (
                self.subTest(threshold=threshold),
                self.settings(COMBOBOX_REMOTE_THRESHOLD=threshold),
            ):
                form = self.form(self.p.officer_a, self.p.committee_a.pk)
                self.assertTrue(form.is_valid(), form.errors)
                self.assertEqual(form.chosen().committee_id, self.p.committee_a.pk)

    def form(self, user, scope) -> DashboardFilterForm:
        return DashboardFilterForm(
            {"scope": str(scope)},
            user=user,
            today=timezone.localdate(),
            localities=localities_for(user=user),
        )

    def queries_to_build_clean_and_render(self, user, chosen) -> int:
        with CaptureQueriesContext(connection) as queries:
            form = self.form(user, chosen.pk)
            self.assertTrue(form.is_valid(), form.errors)
            form.chosen()
            html = str(form["scope"])
        self.assertIn(f'value="{chosen.pk}" selected', html)
        return len(queries)

    # Below the number of committees of either user: the list is searched
    # before and after (the short list reads no committee to check a choice).
    @override_settings(COMBOBOX_REMOTE_THRESHOLD=1)
    def test_the_filter_runs_as_many_queries_with_thousands_of_committees(self):
        add_committees(2, parent=self.p.committee_a, prefix="b")
        cases = (
            (self.p.staff, self.p.committee_commune),
            (self.p.officer_a, self.p.committee_a),
        )
        before = [self.queries_to_build_clean_and_render(fresh(u), c) for u, c in cases]
        add_committees(1200, parent=self.p.province, prefix="p")
        add_committees(60, parent=self.p.committee_a, prefix="a")
        after = [self.queries_to_build_clean_and_render(fresh(u), c) for u, c in cases]
        self.assertEqual(after, before)
        html = self.page(fresh(self.p.staff))
        self.assertEqual(option_values(html, "scope"), [""])

    @override_settings(COMBOBOX_REMOTE_THRESHOLD=50, DASHBOARD_CACHE_SECONDS=0)
    def test_the_page_runs_as_many_queries_with_thousands_of_committees(self):
        def count() -> int:
            self.page(fresh(self.p.staff), scope=self.p.committee_commune.pk)
            with CaptureQueriesContext(connection) as queries:
                html = self.page(fresh(self.p.staff), scope=self.p.committee_commune.pk)
            self.assertEqual(len(re.findall("<option", html)) > 0, True)
            return len(queries)

        before = count()
        add_committees(1200, parent=self.p.province, prefix="p")
        self.assertEqual(count(), before)
