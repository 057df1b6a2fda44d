"""The password policy (B6): at least 12 characters, no common password, not
like the user's own details, not only the words everyone here tries first —
and no composition rule: a long passphrase of any characters is accepted."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.urls import reverse

from campaign.committees.models import User
from tests.factories import PASSWORD, Personas

LONG_64 = "Sông Hậu chảy qua Long Xuyên mùa nước nổi năm nay về sớm hơn mọi"
LONG_128 = ("Phong trào toàn dân bảo vệ an ninh Tổ quốc; " * 3)[:128]


class PasswordPolicyTests(TestCase):
    def assert_refused(self, password: str, user=None) -> None:
        with self.assertRaises(ValidationError, msg=password):
            password_validation.validate_password(password, user)

    def test_short_common_and_numeric_passwords_are_refused(self):
        for password in (
            "12345678",
            "matkhau123",
            "Ab1!Ab1!Ab1",  # 11 characters
            "123456789012",
            "passwordpassword",
        ):
            with self.subTest(password=password):
                self.assert_refused(password)

    def test_the_words_everyone_here_tries_first_are_refused(self):
        for password in (
            "matkhau123456",
            "Mật khẩu 2026!!",
            "AnGiang@20262026",
            "CongAn138138138",
            "admin-matkhau-2026",
        ):
            with self.subTest(password=password):
                self.assert_refused(password)

    def test_a_password_like_the_users_own_details_is_refused(self):
        user = User(username="longxuyen", first_name="Hùng", last_name="Nguyễn Văn")
        self.assert_refused("longxuyen2023!", user)

    def test_long_passphrases_of_any_characters_are_accepted(self):
        self.assertEqual((len(LONG_64), len(LONG_128)), (64, 128))
        for password in (
            LONG_64,
            LONG_128,
            "x" * 200 + "Y",
            "đi chợ nổi Cái Răng",
            "twelve chars",
        ):
            with self.subTest(password=password[:20]):
                password_validation.validate_password(password)

    def test_the_demo_and_test_passwords_pass_the_policy(self):
        for username in ("canbo.tinh", "giamdoc", "longxuyen", "phuong.longxuyen"):
            user = User(username=username)
            password_validation.validate_password("AnGiang-138-demo", user)
            password_validation.validate_password(PASSWORD, user)

    @override_settings(DEBUG=True, DEMO_PASSWORD="short-demo")
    def test_the_demo_refuses_a_password_the_policy_refuses_before_anything_runs(self):
        with self.assertRaisesMessage(CommandError, "DEMO_PASSWORD"):
            call_command("seed_demo")
        self.assertFalse(User.objects.filter(username="giamdoc").exists())


class PasswordChangePolicyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def setUp(self):
        self.client.force_login(self.p.officer_a)

    def change(self, new: str):
        return self.client.post(
            reverse("committees:password_change"),
            {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        )

    def test_a_64_character_password_is_accepted_on_the_page(self):
        response = self.change(LONG_64)
        self.assertRedirects(response, reverse("committees:profile"))
        self.p.officer_a.refresh_from_db()
        self.assertTrue(self.p.officer_a.check_password(LONG_64))

    def test_a_weak_password_is_refused_on_the_page(self):
        for password in ("12345678", "matkhau123", "matkhau123456"):
            with self.subTest(password=password):
                self.assertEqual(self.change(password).status_code, 400)
        self.p.officer_a.refresh_from_db()
        self.assertTrue(self.p.officer_a.check_password(PASSWORD))
