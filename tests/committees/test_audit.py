"""The audit trail: what grants or defines leaves a trace with its actor — roles
granted and removed, accounts created, deactivated, reactivated, passwords
set, committees and members, documents and targets — and provincial staff read
it on the history page. Reactivating an account never revives its sessions."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest
from django.test import Client, TestCase
from django.urls import reverse

from campaign.committees.access import SYSTEM
from campaign.committees.choices import AuditAction, MembershipRole
from campaign.committees.models import AuditEntry, Membership
from campaign.committees.services import accounts as account_services
from campaign.committees.services import committees as committee_services
from campaign.planning.choices import TargetKind, UnitKind
from campaign.planning.models import Target
from campaign.planning.services import targets as target_services
from tests.factories import PASSWORD, Personas, UserFactory


class AuditTrailTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def latest(self, action) -> AuditEntry:
        return AuditEntry.objects.filter(action=action).latest("at", "pk")

    def test_a_role_granted_and_removed_with_who_did_it(self):
        newcomer = UserFactory(username="moi")
        membership = account_services.membership_add(
            user=newcomer,
            committee=self.p.committee_ward,
            role=MembershipRole.LOCAL_OFFICER,
            by=self.p.staff,
        )
        granted = self.latest(AuditAction.MEMBERSHIP_GRANTED)
        self.assertEqual(granted.actor, self.p.staff)
        self.assertEqual(granted.subject_user, newcomer)
        self.assertEqual(
            granted.object_label, "moi — Ban Chỉ đạo 138 phường Long Xuyên"
        )
        self.assertIn(
            {"field": "role", "old": "", "new": "Local officer", "labels": True},
            granted.changes,
        )
        account_services.membership_remove(membership=membership, by=self.p.staff)
        removed = self.latest(AuditAction.MEMBERSHIP_REMOVED)
        self.assertEqual(
            (removed.actor, removed.subject_user), (self.p.staff, newcomer)
        )
        self.assertIn(
            {"field": "role", "old": "Local officer", "new": "", "labels": True},
            removed.changes,
        )

    def test_a_target_changed_from_what_to_what(self):
        target = Target.objects.get(
            kind=TargetKind.QUOTA, year=2023, unit_kind=UnitKind.COMMUNE
        )
        target_services.target_update(
            target=target,
            programme=target.programme,
            phase=target.phase,
            kind=target.kind,
            year=2023,
            unit_kind=UnitKind.COMMUNE,
            count=7,
            by=self.p.staff,
        )
        entry = self.latest(AuditAction.TARGET_UPDATED)
        self.assertEqual(entry.actor, self.p.staff)
        self.assertIn(
            {"field": "number of units", "old": "6", "new": "7", "labels": False},
            entry.changes,
        )
        self.assertEqual(entry.link_name, "planning:plan_detail")

    def test_accounts_deactivated_reactivated_and_passwords_set_are_recorded(self):
        account_services.account_set_active(
            user=self.p.officer_b, active=False, by=self.p.staff
        )
        account_services.account_set_active(
            user=self.p.officer_b, active=True, by=self.p.staff
        )
        account_services.account_set_password(
            user=self.p.officer_b, password="Mat-khau-moi-2026", by=self.p.staff
        )
        actions = list(
            AuditEntry.objects.filter(subject_user=self.p.officer_b)
            .order_by("pk")
            .values_list("action", "actor__username")
        )
        self.assertEqual(
            actions[-3:],
            [
                (AuditAction.ACCOUNT_DEACTIVATED, "canbo.tinh"),
                (AuditAction.ACCOUNT_REACTIVATED, "canbo.tinh"),
                (AuditAction.PASSWORD_RESET, "canbo.tinh"),
            ],
        )
        # The password itself is never written anywhere in the trail.
        self.assertFalse(
            AuditEntry.objects.filter(changes__icontains="Mat-khau").exists()
        )

    def test_committees_and_members_are_recorded(self):
        member = committee_services.member_add(
            committee=self.p.committee_ward,
            full_name="Nguyễn Văn Nam",
            position="Chủ tịch UBND phường",
            role="head",
            valid_from=self.p.committee_ward.valid_from,
            by=self.p.staff,
        )
        committee_services.member_remove(member=member, by=self.p.staff)
        self.assertEqual(
            list(
                AuditEntry.objects.filter(object_label__startswith="Nguyễn Văn Nam")
                .order_by("pk")
                .values_list("action", flat=True)
            ),
            [AuditAction.MEMBER_ADDED, AuditAction.MEMBER_REMOVED],
        )

    def test_the_reference_data_is_recorded_as_done_by_the_system(self):
        entry = AuditEntry.objects.filter(
            action=AuditAction.COMMITTEE_CREATED,
            object_label="Ban Chỉ đạo 138 phường Long Xuyên",
        ).get()
        self.assertIsNone(entry.actor)
        self.assertTrue(
            AuditEntry.objects.filter(action=AuditAction.REFERENCE_DATA_LOADED).exists()
        )

    def test_the_history_page_is_for_provincial_staff_and_translated(self):
        account_services.membership_add(
            user=UserFactory(username="moi"),
            committee=self.p.committee_ward,
            role=MembershipRole.VIEWER,
            by=self.p.staff,
        )
        url = reverse("committees:audit_list")
        for user in (self.p.leader, self.p.officer_ward):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.p.staff)
        page = self.client.get(url, {"group": "accounts", "q": "moi"})
        self.assertContains(page, "Cấp vai trò")
        self.assertContains(page, "moi — Ban Chỉ đạo 138 phường Long Xuyên")
        self.assertContains(page, "Người xem")  # the role, in Vietnamese
        self.assertContains(page, "Trần Thị Minh")  # who
        page = self.client.get("/en" + url, {"group": "accounts", "q": "moi"})
        self.assertContains(page, "Role granted")
        self.assertContains(page, "Viewer")

    def test_the_account_page_shows_its_history(self):
        account_services.account_set_password(
            user=self.p.officer_b, password="Mat-khau-moi-2026", by=self.p.staff
        )
        self.client.force_login(self.p.staff)
        page = self.client.get(
            reverse("committees:account_detail", args=[self.p.officer_b.pk])
        )
        self.assertContains(page, "Cán bộ tỉnh đặt mật khẩu mới")


class SessionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def signed_in_client(self, user) -> Client:
        client = Client()
        self.assertTrue(
            client.login(
                request=HttpRequest(),  # axes throttles by the request
                username=user.username,
                password=PASSWORD,
            )
        )
        return client

    def test_reactivating_an_account_does_not_revive_its_old_sessions(self):
        old = self.signed_in_client(self.p.officer_b)
        home = reverse("home")
        self.assertEqual(old.get(home).status_code, 200)
        account_services.account_set_active(
            user=self.p.officer_b, active=False, by=self.p.staff
        )
        self.assertEqual(old.get(home).status_code, 302)
        account_services.account_set_active(
            user=self.p.officer_b, active=True, by=self.p.staff
        )
        response = old.get(home)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))
        self.assertNotIn(SESSION_KEY, old.session)
        # Signing in again works.
        again = self.signed_in_client(self.p.officer_b)
        self.assertEqual(again.get(home).status_code, 200)

    def test_a_password_set_by_staff_ends_the_users_sessions(self):
        old = self.signed_in_client(self.p.officer_b)
        account_services.account_set_password(
            user=self.p.officer_b, password="Mat-khau-moi-2026", by=SYSTEM
        )
        self.assertEqual(old.get(reverse("home")).status_code, 302)

    def test_memberships_are_untouched_by_reactivation(self):
        before = list(Membership.objects.filter(user=self.p.officer_b))
        account_services.account_set_active(
            user=self.p.officer_b, active=False, by=self.p.staff
        )
        account_services.account_set_active(
            user=self.p.officer_b, active=True, by=self.p.staff
        )
        self.assertEqual(list(Membership.objects.filter(user=self.p.officer_b)), before)


class CommitteeServiceScopeTests(TestCase):
    """The services themselves refuse an officer: capabilities are checked
    whatever the caller, and nothing changes."""

    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def test_officers_cannot_use_the_committee_and_account_services(self):
        officer = self.p.officer_commune
        before = (
            AuditEntry.objects.count(),
            Membership.objects.count(),
            self.p.committee_ward.short_name,
        )
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        calls = {
            "committee_update": lambda: committee_services.committee_update(
                committee=self.p.committee_ward, by=officer, short_name="x"
            ),
            "member_add": lambda: committee_services.member_add(
                committee=self.p.committee_ward,
                full_name="x",
                position="x",
                role="member",
                valid_from=self.p.committee_ward.valid_from,
                by=officer,
            ),
            "membership_add": lambda: account_services.membership_add(
                user=officer,
                committee=self.p.province,
                role=MembershipRole.PROVINCIAL_STAFF,
                by=officer,
            ),
            "account_set_active": lambda: account_services.account_set_active(
                user=self.p.officer_ward, active=False, by=officer
            ),
            "account_set_password": lambda: account_services.account_set_password(
                user=self.p.officer_ward, password="Mat-khau-moi-2026", by=officer
            ),
        }
        for name, call in calls.items():
            with self.subTest(name):
                with self.assertRaises((PermissionDenied, Http404)):
                    call()
        self.p.committee_ward.refresh_from_db()
        self.assertEqual(
            (
                AuditEntry.objects.count(),
                Membership.objects.count(),
                self.p.committee_ward.short_name,
            ),
            before,
        )
        self.p.officer_ward.refresh_from_db()
        self.assertTrue(self.p.officer_ward.is_active)
