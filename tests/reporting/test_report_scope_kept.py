"""The report centre keeps the first entries of its committee list between
requests, per scope: a renamed committee shows at once, and nobody is
offered the committees of another scope."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.committees import kept
from campaign.committees.models import AuditEntry
from campaign.committees.services import committees as committee_services
from reporting.scope_choices import SCOPE_STAMPED, ReportScopeChoices
from tests.committees.test_locality_search import option_values
from tests.factories import Personas
from tests.queries import reads

URL = reverse("reporting:report_list")
FIELD = "phase_progress-scope"


class KeptReportScopeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def setUp(self):
        cache.clear()

    def offered(self, user) -> list[str]:
        self.client.force_login(user)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        return option_values(response.content.decode(), FIELD)

    def test_the_second_request_reads_no_committee(self):
        first = self.offered(self.p.staff)
        with CaptureQueriesContext(connection) as queries:
            again = self.offered(self.p.staff)
        self.assertFalse(
            reads(queries.captured_queries, "committees_steeringcommittee")
        )
        self.assertEqual(again, first)
        self.assertGreater(len(first), 2)

    def test_a_renamed_committee_shows_at_once(self):
        self.client.force_login(self.p.staff)
        self.client.get(URL)
        committee_services.committee_update(
            committee=self.p.committee_commune,
            short_name="BCĐ 138 xã đổi tên",
            by=self.p.staff,
        )
        self.assertContains(self.client.get(URL), "BCĐ 138 xã đổi tên")

    def test_each_scope_is_offered_its_own_committees(self):
        everyone = self.offered(self.p.staff)
        own_a = self.offered(self.p.officer_a)
        own_b = self.offered(self.p.officer_b)
        self.assertEqual(self.offered(self.p.officer_a), own_a)
        self.assertLess(len(own_a), len(everyone))
        self.assertIn(str(self.p.committee_a.pk), own_a)
        self.assertNotIn(str(self.p.committee_b.pk), own_a)
        self.assertIn(str(self.p.committee_b.pk), own_b)
        self.assertNotIn(str(self.p.committee_a.pk), own_b)

    def test_a_stamp_that_misses_the_committees_is_refused(self):
        with self.assertRaises(ValueError):
            ReportScopeChoices(
                user=self.p.staff, stamp=kept.Stamp([(AuditEntry, "at")])
            )
        ReportScopeChoices(user=self.p.staff, stamp=kept.Stamp(SCOPE_STAMPED))
