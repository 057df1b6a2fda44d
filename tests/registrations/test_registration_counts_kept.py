"""The registration list keeps its counts by status and its quota table
between requests while no registration changes: a change shows at once, and
nobody sees counts made on another scope."""

from __future__ import annotations

from unittest import mock

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.planning.choices import TargetKind, UnitKind
from campaign.planning.models import Target
from campaign.planning.services import targets as target_services
from campaign.registrations.choices import RegistrationStatus
from campaign.registrations.services import registrations as services
from tests.factories import Personas
from tests.registrations.test_registration_list import (
    ListTestCase,
    Registry,
    area,
)
from units.models import Area

S = RegistrationStatus


def _counted(queries) -> bool:
    """Whether the list counted the registrations by status itself."""
    # registration_counts names its first figure "total" (the quota table,
    # which also counts by status, does not).
    return any(' AS "total"' in q["sql"] for q in queries)


class KeptCountsTests(ListTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.r = Registry(cls.p)
        cls.draft = cls.r.register(
            cls.p.committee_a, "Phường Mỹ Bình", area=area("ag89-883-30280")
        )
        cls.r.register(
            cls.p.committee_a,
            "Phường Mỹ Long",
            area=area("ag89-883-30283"),
            status=S.SUBMITTED,
        )
        cls.r.register(
            cls.p.committee_b,
            "Phường Núi Sam",
            area=area("ag89-884-30325"),
            status=S.APPROVED,
        )

    def setUp(self):
        cache.clear()

    def test_the_second_request_reads_the_kept_counts(self):
        self.get(self.p.staff)
        with CaptureQueriesContext(connection) as queries:
            response = self.get(self.p.staff)
        self.assertFalse(_counted(queries.captured_queries))
        self.assertEqual(response.context["total"], 3)

    def test_the_second_request_reads_the_kept_quota_table(self):
        first = self.get(self.p.staff, year=2023).context["quotas"]
        with CaptureQueriesContext(connection) as queries:
            again = self.get(self.p.staff, year=2023).context["quotas"]
        self.assertFalse(
            any("planning_target" in q["sql"] for q in queries.captured_queries)
        )
        self.assertEqual(again, first)

    def test_a_target_changed_by_the_province_shows_at_once(self):
        before = self.get(self.p.staff, year=2023).context["quotas"]
        target = Target.objects.get(
            programme=self.r.programme,
            year=2023,
            kind=TargetKind.QUOTA,
            unit_kind=UnitKind.COMMUNE,
        )
        target_services.target_update(
            target=target,
            programme=target.programme,
            phase=target.phase,
            kind=target.kind,
            year=target.year,
            unit_kind=target.unit_kind,
            count=7,
            by=self.p.staff,
        )
        after = self.get(self.p.staff, year=2023).context["quotas"]
        self.assertEqual(before.total_target + 1, after.total_target)

    def test_a_registrations_page_shows_an_approval_in_its_quota_at_once(self):
        ward = (
            Area.objects.filter(parent__key="ag89-883")
            .exclude(key__in=["ag89-883-30280", "ag89-883-30283"])
            .order_by("key")
            .first()
        )
        submitted = self.r.register(
            self.p.committee_a, ward.name, area=ward, status=S.SUBMITTED
        )
        url = reverse("registrations:registration_detail", args=[submitted.pk])
        before = self.get(self.p.staff, url).context["quotas"].row_for(UnitKind.WARD)
        with CaptureQueriesContext(connection) as queries:
            self.get(self.p.staff, url)
        self.assertFalse(
            any("planning_target" in q["sql"] for q in queries.captured_queries)
        )
        services.registration_approve(
            registration=submitted, by=self.p.staff, confirm_quota=True
        )
        after = self.get(self.p.staff, url).context["quotas"].row_for(UnitKind.WARD)
        self.assertEqual(after.approved, before.approved + 1)

    def test_a_submitted_registration_is_counted_at_once(self):
        before = dict(
            (value, count)
            for value, _label, count in self.get(self.p.staff).context["status_counts"]
        )
        services.registration_submit(registration=self.draft, by=self.p.officer_a)
        after = dict(
            (value, count)
            for value, _label, count in self.get(self.p.staff).context["status_counts"]
        )
        self.assertEqual(after[S.DRAFT], before[S.DRAFT] - 1)
        self.assertEqual(after[S.SUBMITTED], before[S.SUBMITTED] + 1)

    def test_each_scope_and_filter_keeps_its_own_counts(self):
        self.assertEqual(self.get(self.p.staff).context["total"], 3)
        # Long Xuyên's officer sees their two, not the province's three.
        self.assertEqual(self.get(self.p.officer_a).context["total"], 2)
        self.assertEqual(self.get(self.p.officer_b).context["total"], 1)
        self.assertEqual(self.get(self.p.staff, status=S.APPROVED).context["total"], 1)
        self.assertEqual(self.get(self.p.staff, q="my binh").context["total"], 1)

    def test_counts_are_made_in_the_request_when_the_cache_does_not_answer(self):
        with (
            mock.patch.object(cache, "get", side_effect=ConnectionError),
            mock.patch.object(cache, "set", side_effect=ConnectionError),
        ):
            response = self.get(self.p.staff)
        self.assertEqual(response.context["total"], 3)

    def test_without_keeping_every_request_counts(self):
        self.get(self.p.staff)
        with self.settings(DASHBOARD_CACHE_SECONDS=0):
            with CaptureQueriesContext(connection) as queries:
                self.get(self.p.staff)
        self.assertTrue(_counted(queries.captured_queries))

    def test_counts_older_than_the_keeping_time_are_made_again(self):
        self.get(self.p.staff)
        with mock.patch("campaign.committees.kept.kept_seconds", return_value=-1):
            with CaptureQueriesContext(connection) as queries:
                self.get(self.p.staff)
        self.assertTrue(_counted(queries.captured_queries))
