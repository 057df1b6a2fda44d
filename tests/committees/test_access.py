"""The access module: capabilities by role, scope by committee and date."""

from __future__ import annotations

import datetime

from django.test import TestCase

from campaign.committees import access
from campaign.committees.access import Capability
from campaign.committees.choices import MembershipRole
from campaign.committees.models import Membership
from tests.factories import Personas, UserFactory
from units.models import Area, Organisation

D = datetime.date


class CapabilityTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def test_provincial_staff_may_do_everything(self):
        for capability in access.ALL_CAPABILITIES:
            self.assertTrue(access.can(self.p.staff, capability), capability)

    def test_leader_reads_and_requests_reports_only(self):
        self.assertTrue(access.can(self.p.leader, Capability.REQUEST_REPORTS))
        self.assertTrue(access.can(self.p.leader, Capability.VIEW))
        self.assertFalse(access.can(self.p.leader, Capability.MANAGE_ACCOUNTS))
        self.assertFalse(access.can(self.p.leader, Capability.MANAGE_TARGETS))

    def test_local_officer_registers_but_manages_nothing(self):
        self.assertTrue(access.can(self.p.officer_a, Capability.REGISTER_UNITS))
        self.assertFalse(access.can(self.p.officer_a, Capability.MANAGE_COMMITTEES))
        self.assertFalse(access.can(self.p.officer_a, Capability.MANAGE_REPORTS))
        # Reports of their own locality only (the report kinds keep the scope).
        self.assertTrue(access.can(self.p.officer_a, Capability.REQUEST_REPORTS))

    def test_a_user_without_membership_may_do_nothing(self):
        self.assertFalse(access.can(UserFactory(username="lonely"), Capability.VIEW))

    def test_a_deactivated_user_may_do_nothing(self):
        self.assertFalse(access.can(self.p.deactivated, Capability.VIEW))


class ScopeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def test_local_officer_sees_their_city_and_its_wards_in_2023(self):
        scope = access.area_ids_in_scope(self.p.officer_a, on=D(2023, 6, 30))
        names = set(Area.objects.filter(pk__in=scope).values_list("name", flat=True))
        self.assertIn("Long Xuyên", names)
        self.assertIn("Mỹ Xuyên", names)
        self.assertIn("Đông Xuyên", names)
        self.assertNotIn("Châu Phú A", names)
        self.assertEqual(len(scope), 14)  # the city and its 13 communes

    def test_the_subtree_is_taken_as_it_stood_on_the_date(self):
        scope = access.area_ids_in_scope(self.p.officer_a, on=D(2025, 1, 2))
        names = set(Area.objects.filter(pk__in=scope).values_list("name", flat=True))
        self.assertNotIn("Đông Xuyên", names)  # merged into Mỹ Xuyên on 1/1/2025
        self.assertEqual(len(scope), 13)

    def test_local_officer_cannot_see_other_district(self):
        chau_phu_a = Area.objects.get(name="Châu Phú A", kind="ward")
        self.assertFalse(
            access.area_in_scope(self.p.officer_a, chau_phu_a, on=D(2023, 6, 30))
        )
        self.assertTrue(
            access.area_in_scope(self.p.officer_b, chau_phu_a, on=D(2023, 6, 30))
        )

    def test_provincial_committee_sees_the_whole_province(self):
        self.assertIsNone(access.area_ids_in_scope(self.p.staff, on=D(2023, 6, 30)))
        self.assertIsNone(access.area_ids_in_scope(self.p.leader, on=D(2026, 1, 1)))

    def test_a_user_in_two_committees_gets_the_union(self):
        Membership.objects.create(
            user=self.p.officer_a,
            committee=self.p.committee_b,
            role=MembershipRole.VIEWER,
        )
        access.forget(self.p.officer_a)
        chau_phu_a = Area.objects.get(name="Châu Phú A", kind="ward")
        my_xuyen = Area.objects.get(name="Mỹ Xuyên", kind="ward")
        for area in (chau_phu_a, my_xuyen):
            self.assertTrue(
                access.area_in_scope(self.p.officer_a, area, on=D(2023, 6, 30))
            )

    def test_organisations_managed_by_the_committee_are_in_scope(self):
        long_xuyen = self.p.committee_a.area
        chau_doc = self.p.committee_b.area
        mine = Organisation.objects.create(
            name="Trường THPT Thủ Khoa Nghĩa (giả định)",
            kind="school",
            area=chau_doc,  # located elsewhere, but managed by Long Xuyên
            managed_by=long_xuyen,
        )
        theirs = Organisation.objects.create(
            name="Công ty TNHH Minh Phát (giả định)",
            kind="enterprise",
            area=chau_doc,
            managed_by=chau_doc,
        )
        visible = Organisation.objects.filter(
            access.organisation_scope_q(self.p.officer_a, on=D(2023, 6, 30))
        )
        self.assertIn(mine, visible)
        self.assertNotIn(theirs, visible)

    def test_access_is_read_with_one_query_per_request(self):
        user = self.p.officer_a
        access.forget(user)
        with self.assertNumQueries(1):
            access.can(user, Capability.VIEW)
            access.can(user, Capability.REGISTER_UNITS)
            access.access_for(user)
