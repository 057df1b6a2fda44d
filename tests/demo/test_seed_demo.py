"""`manage.py seed_demo`: idempotent, refuses production, gives each demo account
its committee and role."""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from campaign.committees import access
from campaign.committees.access import Capability
from campaign.committees.models import Membership, SteeringCommittee
from campaign.planning.models import Plan

User = get_user_model()


@override_settings(DEBUG=True, DEMO_PASSWORD="demo-password-138")
class SeedDemoTests(TestCase):
    def seed(self):
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        return out.getvalue()

    def test_accounts_get_their_committee_and_role(self):
        output = self.seed()
        for username in (
            "canbo.tinh",
            "giamdoc",
            "longxuyen",
            "chaudoc",
            "phuong.longxuyen",
            "xa.myhoahung",
        ):
            self.assertIn(username, output)
        roles = {
            m.user.username: (m.committee.short_name, m.role)
            for m in Membership.objects.select_related("user", "committee")
        }
        self.assertEqual(
            roles["canbo.tinh"], ("Ban Chỉ đạo 138 tỉnh An Giang", "provincial_staff")
        )
        self.assertEqual(roles["giamdoc"], ("Ban Chỉ đạo 138 tỉnh An Giang", "leader"))
        self.assertEqual(
            roles["phuong.longxuyen"],
            ("Ban Chỉ đạo 138 phường Long Xuyên", "local_officer"),
        )
        self.assertEqual(
            roles["xa.myhoahung"],
            ("Ban Chỉ đạo 138 xã Mỹ Hòa Hưng", "local_officer"),
        )
        self.assertEqual(
            roles["longxuyen"],
            ("Ban Chỉ đạo 138 thành phố Long Xuyên", "local_officer"),
        )
        self.assertEqual(
            roles["chaudoc"], ("Ban Chỉ đạo 138 thành phố Châu Đốc", "local_officer")
        )
        staff = User.objects.get(username="canbo.tinh")
        self.assertTrue(access.can(staff, Capability.MANAGE_ACCOUNTS))
        self.assertTrue(staff.check_password("demo-password-138"))

    def test_running_twice_changes_nothing(self):
        self.seed()
        counts = (
            User.objects.count(),
            Membership.objects.count(),
            SteeringCommittee.objects.count(),
            Plan.objects.count(),
        )
        self.seed()
        self.assertEqual(
            (
                User.objects.count(),
                Membership.objects.count(),
                SteeringCommittee.objects.count(),
                Plan.objects.count(),
            ),
            counts,
        )

    @override_settings(DEBUG=False)
    def test_it_refuses_to_run_with_debug_off(self):
        with self.assertRaisesMessage(CommandError, "DEBUG is off"):
            self.seed()
        self.assertFalse(User.objects.exists())

    @override_settings(DEMO_PASSWORD="")
    def test_it_needs_a_demo_password(self):
        with self.assertRaisesMessage(CommandError, "DEMO_PASSWORD"):
            self.seed()
