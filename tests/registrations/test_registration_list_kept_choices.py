"""The registration list keeps its filter form's phases and locality list
between requests, under the same stamp as its counts (one stamp query a
request): a renamed or new committee shows at once, and nobody is offered
the localities of another scope."""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaign.committees import kept
from campaign.committees.choices import CommitteeLevel
from campaign.committees.forms.localities import LocalityChoices
from campaign.committees.models import AuditEntry, SteeringCommittee
from campaign.committees.services import committees as committee_services
from campaign.planning.models import Phase
from campaign.planning.selectors.periods import every_phase
from campaign.registrations.selectors.registration_list import COUNTS_STAMPED
from tests.committees.test_locality_search import option_values
from tests.factories import Personas
from tests.queries import STAMP_PREFIX, reads, stamp_queries
from tests.registrations.test_registration_list import ListTestCase
from units.models import Area


class KeptFilterChoicesTests(ListTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def setUp(self):
        cache.clear()

    def localities(self, user) -> list[str]:
        return option_values(self.get(user).content.decode(), "locality")

    def test_the_second_request_reads_neither_phases_nor_committees(self):
        self.get(self.p.staff)
        with CaptureQueriesContext(connection) as queries:
            response = self.get(self.p.staff)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(reads(queries.captured_queries, "planning_phase"))
        self.assertFalse(
            reads(queries.captured_queries, "committees_steeringcommittee"),
            [q["sql"] for q in queries.captured_queries],
        )
        self.assertEqual(
            len(self.localities(self.p.staff)) - 1, SteeringCommittee.objects.count()
        )

    def test_one_stamp_query_serves_counts_phases_and_localities(self):
        for _request in ("cold", "warm"):
            with CaptureQueriesContext(connection) as queries:
                self.get(self.p.staff)
            self.assertEqual(stamp_queries(queries.captured_queries), 1, _request)

    def test_a_renamed_committee_shows_at_once(self):
        self.get(self.p.staff)
        committee_services.committee_update(
            committee=self.p.committee_commune,
            short_name="BCĐ 138 xã đổi tên",
            by=self.p.staff,
        )
        html = self.get(self.p.staff).content.decode()
        self.assertIn(">BCĐ 138 xã đổi tên</option>", html)

    def test_a_new_committee_is_offered_at_once(self):
        before = self.localities(self.p.staff)
        commune = (
            Area.objects.filter(parent=self.p.committee_a.area)
            .filter(committees__isnull=True)
            .order_by("key")
            .first()
        )
        created = committee_services.committee_create(
            level=CommitteeLevel.COMMUNE,
            area=commune,
            parent=self.p.committee_a,
            # A committee of the years before the July 2025 reform.
            valid_from=datetime.date(2024, 1, 1),
            valid_to=datetime.date(2025, 7, 1),
            by=self.p.staff,
        )
        after = self.localities(self.p.staff)
        self.assertEqual(len(after), len(before) + 1)
        self.assertIn(str(created.pk), after)

    def test_each_scope_is_offered_its_own_localities(self):
        everyone = self.localities(self.p.staff)
        own_a = self.localities(self.p.officer_a)
        own_b = self.localities(self.p.officer_b)
        # Asked again after the province's list was kept: still their own.
        self.assertEqual(self.localities(self.p.officer_a), own_a)
        self.assertLess(len(own_a), len(everyone))
        self.assertIn(str(self.p.committee_a.pk), own_a)
        self.assertNotIn(str(self.p.committee_b.pk), own_a)
        self.assertIn(str(self.p.committee_b.pk), own_b)
        self.assertNotIn(str(self.p.committee_a.pk), own_b)

    def test_the_locality_list_is_kept_per_language(self):
        vietnamese = self.get(self.p.staff).content.decode()
        english = self.get(self.p.staff, "/en/registrations/").content.decode()
        self.assertIn(f'<optgroup label="{CommitteeLevel.PROVINCE.label}"', english)
        self.assertIn('<optgroup label="Cấp tỉnh"', vietnamese)
        self.assertNotIn('<optgroup label="Cấp tỉnh"', english)

    def test_a_stamp_that_misses_what_the_value_is_made_of_is_refused(self):
        blind = kept.Stamp([(AuditEntry, "at")])
        with self.assertRaises(ValueError):
            LocalityChoices(user=self.p.staff, stamp=blind)
        with self.assertRaises(ValueError):
            every_phase(stamp=blind)
        covering = kept.Stamp(COUNTS_STAMPED)
        self.assertTrue(covering.covers(SteeringCommittee, Phase, AuditEntry))

    def test_the_stamp_is_read_once_and_before_the_value_is_made(self):
        stamp = kept.Stamp(COUNTS_STAMPED)
        with CaptureQueriesContext(connection) as queries:
            phases = every_phase(stamp=stamp)
            LocalityChoices(user=self.p.staff, stamp=stamp).options(limit=5)
        sql = [q["sql"] for q in queries.captured_queries]
        self.assertEqual(stamp_queries(queries.captured_queries), 1)
        self.assertTrue(sql[0].startswith(STAMP_PREFIX), sql)
        self.assertEqual(
            [p.pk for p in phases],
            list(
                Phase.objects.order_by("start_year", "end_year", "pk").values_list(
                    "pk", flat=True
                )
            ),
        )
