"""Accounts managed by provincial staff, and a user's own profile."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.test import Client, TestCase
from django.urls import reverse

from campaign.committees.choices import MembershipRole
from campaign.committees.models import Membership
from tests.factories import PASSWORD, Personas

User = get_user_model()
NEW_PASSWORD = "Song-Hau-river-2023"


class AccountManagementTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def setUp(self):
        self.client.force_login(self.p.staff)

    def test_staff_creates_an_account_for_a_local_committee(self):
        response = self.client.post(
            reverse("committees:account_create"),
            {
                "username": "tanchau",
                "last_name": "Lê Văn",
                "first_name": "Tâm",
                "email": "tanchau@example.invalid",
                "committee": self.p.committee_b.pk,
                "role": MembershipRole.LOCAL_OFFICER,
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
        )
        user = User.objects.get(username="tanchau")
        self.assertRedirects(
            response, reverse("committees:account_detail", args=[user.pk])
        )
        self.assertTrue(user.check_password(NEW_PASSWORD))
        self.assertEqual(user.memberships.get().committee, self.p.committee_b)

    def test_a_weak_password_is_explained_and_nothing_saved(self):
        response = self.client.post(
            reverse("committees:account_create"),
            {
                "username": "yeu",
                "last_name": "A",
                "first_name": "B",
                "committee": self.p.committee_b.pk,
                "role": MembershipRole.LOCAL_OFFICER,
                "password1": "12345678",
                "password2": "12345678",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(User.objects.filter(username="yeu").exists())

    def test_a_duplicate_membership_is_refused_with_a_message(self):
        url = reverse("committees:membership_add", args=[self.p.officer_a.pk])
        response = self.client.post(
            url, {"committee": self.p.committee_a.pk, "role": MembershipRole.VIEWER}
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response,
            "Người dùng này đã có vai trò trong Ban Chỉ đạo này",
            status_code=400,
        )
        self.assertEqual(Membership.objects.filter(user=self.p.officer_a).count(), 1)

    def test_staff_resets_a_password_and_old_sessions_end(self):
        officer = Client()
        officer.force_login(self.p.officer_a)
        self.assertEqual(officer.get(reverse("committees:profile")).status_code, 200)
        response = self.client.post(
            reverse("committees:account_password_reset", args=[self.p.officer_a.pk]),
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
        self.assertRedirects(
            response, reverse("committees:account_detail", args=[self.p.officer_a.pk])
        )
        self.assertEqual(officer.get(reverse("committees:profile")).status_code, 302)
        self.assertTrue(
            Client().login(
                request=HttpRequest(),  # axes throttles by the request
                username="longxuyen",
                password=NEW_PASSWORD,
            )
        )

    def test_a_deactivated_users_open_sessions_stop_working(self):
        officer = Client()
        officer.force_login(self.p.officer_b)
        self.assertEqual(
            officer.get(reverse("committees:committee_list")).status_code, 200
        )
        self.client.post(
            reverse("committees:account_deactivate", args=[self.p.officer_b.pk])
        )
        response = officer.get(reverse("committees:committee_list"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))
        self.assertFalse(
            Client().login(request=HttpRequest(), username="chaudoc", password=PASSWORD)
        )

    def test_staff_cannot_deactivate_themselves(self):
        self.client.post(
            reverse("committees:account_deactivate", args=[self.p.staff.pk])
        )
        self.p.staff.refresh_from_db()
        self.assertTrue(self.p.staff.is_active)

    def test_accounts_search_ignores_accents(self):
        response = self.client.get(
            reverse("committees:account_list"), {"q": "pham thi"}
        )
        self.assertEqual(
            [u.username for u in response.context["page_obj"]], ["chaudoc"]
        )

    def test_other_roles_cannot_manage_accounts(self):
        for user in (self.p.leader, self.p.officer_a):
            client = Client()
            client.force_login(user)
            self.assertEqual(
                client.get(reverse("committees:account_list")).status_code, 403
            )
            response = client.post(
                reverse("committees:account_deactivate", args=[self.p.officer_b.pk])
            )
            self.assertEqual(response.status_code, 403)


class ProfileTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def test_fields_not_on_the_self_edit_form_are_refused_and_nothing_saved(self):
        self.client.force_login(self.p.officer_a)
        response = self.client.post(
            reverse("committees:profile"),
            {
                "last_name": "Nguyễn Văn",
                "first_name": "Hùng",
                "email": "hung@example.invalid",
                "committee": self.p.province.pk,
                "role": MembershipRole.PROVINCIAL_STAFF,
                "is_staff": "on",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "committee, is_staff, role", status_code=400)
        self.assertContains(response, "Chưa lưu gì", status_code=400)
        user = User.objects.get(pk=self.p.officer_a.pk)
        self.assertEqual(user.email, "longxuyen@example.invalid")
        self.assertFalse(user.is_staff or user.is_superuser)
        self.assertEqual(
            list(user.memberships.values_list("committee", "role")),
            [(self.p.committee_a.pk, MembershipRole.LOCAL_OFFICER)],
        )

    def test_own_details_are_saved(self):
        self.client.force_login(self.p.officer_a)
        response = self.client.post(
            reverse("committees:profile"),
            {
                "last_name": "Nguyễn Văn",
                "first_name": "Hùng",
                "email": "hung@example.invalid",
            },
        )
        self.assertRedirects(response, reverse("committees:profile"))
        user = User.objects.get(pk=self.p.officer_a.pk)
        self.assertEqual(user.email, "hung@example.invalid")

    def test_a_bad_email_is_explained(self):
        self.client.force_login(self.p.officer_a)
        response = self.client.post(
            reverse("committees:profile"),
            {"last_name": "A", "first_name": "B", "email": "not-an-email"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Nhập địa chỉ email.", status_code=400)

    def test_password_change_keeps_this_session(self):
        self.client.force_login(self.p.officer_a)
        response = self.client.post(
            reverse("committees:password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        self.assertRedirects(response, reverse("committees:profile"))
        self.assertEqual(
            self.client.get(reverse("committees:profile")).status_code, 200
        )
