"""Two-step verification (B3): required of provincial staff and leaders when
the deployment asks for it — every page sends them to the set-up, or to the
verification step once set up; a code is accepted once; a recovery code works
once; users who must use it cannot turn it off; staff reset it for a user
who lost their phone."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from campaign.committees.choices import AuditAction
from campaign.committees.models import AuditEntry
from campaign.committees.services import two_factor as services
from tests.config.test_auth import project_url_names
from tests.factories import PASSWORD, Personas
from tests.security.helpers import app_code, attempt

SETUP = reverse("committees:two_factor_setup")
VERIFY = reverse("committees:two_factor_verify")
RECOVERY = reverse("committees:two_factor_recovery_codes")
# Pages a user who owes the step may still open (and the login page, which a
# signed-in user leaves at once).
OPEN = {
    "logout",
    "set_language",
    "healthz",
    "committees:two_factor_setup",
    "committees:two_factor_verify",
}


def enrol(client: Client) -> tuple[str, list[str]]:
    """Set up the app through the pages; returns its key and recovery codes."""
    client.get(SETUP)
    key = client.session["two_factor_setup_key"]
    response = client.post(SETUP, {"code": app_code(key)})
    assert response.status_code == 302, response.content[:500]
    codes = client.get(RECOVERY).context["codes"]
    return key, codes


def password_login(username: str) -> Client:
    client = Client()
    response = attempt(client, username, PASSWORD)
    assert response.status_code == 302, response.status_code
    return client


@override_settings(TWO_FACTOR_REQUIRED=True)
class RequiredTwoFactorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def test_staff_and_leaders_without_it_are_sent_to_the_setup_from_every_page(self):
        names = [(n, u) for n, u in project_url_names() if n not in OPEN | {"login"}]
        self.assertGreater(len(names), 50)
        for username in ("canbo.tinh", "giamdoc"):
            client = password_login(username)
            for name, url in [*names, ("admin", "/admin/")]:
                with self.subTest(user=username, url=name):
                    response = client.get(url)
                    self.assertRedirects(response, SETUP, fetch_redirect_response=False)

    def test_once_set_up_every_page_asks_for_the_code_first(self):
        client = password_login("canbo.tinh")
        enrol(client)
        client.post(reverse("logout"))
        client = password_login("canbo.tinh")
        names = [(n, u) for n, u in project_url_names() if n not in OPEN | {"login"}]
        for name, url in [*names, ("admin", "/admin/")]:
            with self.subTest(url=name):
                response = client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(VERIFY), name)
        # The set-up page is no way around the step.
        self.assertTrue(client.get(SETUP)["Location"].startswith(VERIFY))

    def test_a_local_officer_is_not_asked(self):
        client = password_login("longxuyen")
        self.assertEqual(client.get(reverse("home")).status_code, 200)

    def test_the_setup_shows_a_qr_code_and_the_key_in_text(self):
        client = password_login("canbo.tinh")
        response = client.get(SETUP)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<svg role="img"')
        self.assertContains(response, "<title>")
        self.assertContains(response, response.context["secret"])
        self.assertEqual(len(response.context["secret"].replace(" ", "")), 32)
        # The same key until it is confirmed (a reload does not break the scan).
        self.assertEqual(
            client.get(SETUP).context["secret"], response.context["secret"]
        )

    def test_setting_up_needs_a_right_code(self):
        client = password_login("canbo.tinh")
        client.get(SETUP)
        response = client.post(SETUP, {"code": "000000"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(TOTPDevice.objects.filter(user=self.p.staff).exists())
        self.assertRedirects(client.get(reverse("home")), SETUP)

    def test_setting_up_opens_the_site_and_shows_ten_recovery_codes_once(self):
        client = password_login("canbo.tinh")
        key, codes = enrol(client)
        self.assertEqual(len(codes), 10)
        self.assertEqual(len(set(codes)), 10)
        self.assertTrue(TOTPDevice.objects.get(user=self.p.staff).confirmed)
        self.assertEqual(
            StaticToken.objects.filter(device__user=self.p.staff).count(), 10
        )
        # Shown once: the page does not show them again.
        self.assertRedirects(client.get(RECOVERY), reverse("committees:two_factor"))
        self.assertEqual(client.get(reverse("home")).status_code, 200)
        self.assertTrue(
            AuditEntry.objects.filter(
                action=AuditAction.TWO_FACTOR_ENABLED, subject_user=self.p.staff
            ).exists()
        )

    def test_the_code_that_confirmed_the_setup_cannot_be_used_again(self):
        client = password_login("canbo.tinh")
        client.get(SETUP)
        key = client.session["two_factor_setup_key"]
        code = app_code(key)
        client.post(SETUP, {"code": code})
        client.post(reverse("logout"))
        client = password_login("canbo.tinh")
        response = client.post(VERIFY, {"code": code})
        self.assertEqual(response.status_code, 400)
        self.assertNotIn(DEVICE_ID_SESSION_KEY, client.session)

    @override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
    def test_a_code_is_accepted_once(self):
        client = password_login("canbo.tinh")
        key, _codes = enrol(client)
        client.post(reverse("logout"))
        code = app_code(key, steps=1)
        first = password_login("canbo.tinh")
        response = first.post(VERIFY + "?next=/areas/", {"code": code})
        self.assertRedirects(response, "/areas/", fetch_redirect_response=False)
        self.assertEqual(first.get(reverse("home")).status_code, 200)
        # The same code again, in another session: refused.
        second = password_login("canbo.tinh")
        replay = second.post(VERIFY, {"code": code})
        self.assertEqual(replay.status_code, 400)
        self.assertContains(replay, "đã được dùng", status_code=400)
        self.assertRedirects(
            second.get(reverse("home")),
            f"{VERIFY}?next=%2F",
            fetch_redirect_response=False,
        )

    @override_settings(OTP_STATIC_THROTTLE_FACTOR=0)
    def test_a_recovery_code_works_once(self):
        client = password_login("canbo.tinh")
        _key, codes = enrol(client)
        client.post(reverse("logout"))
        first = password_login("canbo.tinh")
        response = first.post(VERIFY, {"code": codes[0].upper()})
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)
        self.assertEqual(
            StaticToken.objects.filter(device__user=self.p.staff).count(), 9
        )
        second = password_login("canbo.tinh")
        self.assertEqual(second.post(VERIFY, {"code": codes[0]}).status_code, 400)
        response = second.post(VERIFY, {"code": codes[1]})
        self.assertEqual(response.status_code, 302)

    def test_wrong_codes_in_a_row_slow_the_next_try_down(self):
        client = password_login("canbo.tinh")
        key, _codes = enrol(client)
        client.post(reverse("logout"))
        client = password_login("canbo.tinh")
        self.assertEqual(client.post(VERIFY, {"code": "000000"}).status_code, 400)
        # Right away, even the right code is not checked.
        response = client.post(VERIFY, {"code": app_code(key, steps=1)})
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response, "Nhập sai mã nhiều lần liên tiếp", status_code=400
        )
        self.assertNotIn(DEVICE_ID_SESSION_KEY, client.session)

    def test_new_recovery_codes_replace_the_old_ones(self):
        client = password_login("canbo.tinh")
        _key, old = enrol(client)
        response = client.post(RECOVERY)
        self.assertRedirects(response, RECOVERY, fetch_redirect_response=False)
        new = client.get(RECOVERY).context["codes"]
        self.assertEqual(len(new), 10)
        self.assertFalse(set(old) & set(new))
        self.assertFalse(
            StaticToken.objects.filter(
                device__user=self.p.staff, token__in=old
            ).exists()
        )

    def test_it_cannot_be_turned_off_when_required(self):
        client = password_login("canbo.tinh")
        enrol(client)
        client.post(reverse("committees:two_factor_disable"))
        self.assertTrue(TOTPDevice.objects.filter(user=self.p.staff).exists())

    def test_setting_up_ends_the_users_other_sessions(self):
        other = Client()
        other.force_login(self.p.leader)
        client = password_login("giamdoc")
        enrol(client)
        response = other.get(reverse("home"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))
        self.assertNotIn(SESSION_KEY, other.session)
        self.assertEqual(client.get(reverse("home")).status_code, 200)


class OptionalTwoFactorTests(TestCase):
    """TWO_FACTOR_REQUIRED off (the default, and the demo's): nobody is sent
    anywhere, but a user who set it up passes the step."""

    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def test_staff_without_it_open_pages_at_once(self):
        client = password_login("canbo.tinh")
        self.assertEqual(client.get(reverse("home")).status_code, 200)

    def test_a_user_who_set_it_up_passes_the_step_and_may_turn_it_off(self):
        client = password_login("longxuyen")
        key, _codes = enrol(client)
        client.post(reverse("logout"))
        client = password_login("longxuyen")
        self.assertTrue(client.get(reverse("home"))["Location"].startswith(VERIFY))
        client.post(VERIFY, {"code": app_code(key, steps=1)})
        self.assertEqual(client.get(reverse("home")).status_code, 200)
        response = client.post(reverse("committees:two_factor_disable"))
        self.assertRedirects(response, reverse("committees:two_factor"))
        self.assertFalse(TOTPDevice.objects.filter(user=self.p.officer_a).exists())
        client.post(reverse("logout"))
        client = password_login("longxuyen")
        self.assertEqual(client.get(reverse("home")).status_code, 200)

    def test_the_step_never_sends_the_user_to_another_site(self):
        client = password_login("longxuyen")
        key, _codes = enrol(client)
        client.post(reverse("logout"))
        client = password_login("longxuyen")
        response = client.post(
            VERIFY + "?next=https://evil.example/", {"code": app_code(key, steps=1)}
        )
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)

    def test_the_profile_links_to_the_settings(self):
        client = password_login("longxuyen")
        response = client.get(reverse("committees:profile"))
        self.assertContains(response, reverse("committees:two_factor"))


class StaffResetTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def test_staff_reset_a_users_two_factor_and_end_their_sessions(self):
        officer = password_login("chaudoc")
        enrol(officer)
        staff = Client()
        staff.force_login(self.p.staff)
        detail = reverse("committees:account_detail", args=[self.p.officer_b.pk])
        reset = reverse(
            "committees:account_two_factor_reset", args=[self.p.officer_b.pk]
        )
        self.assertContains(staff.get(detail), f'action="{reset}"')
        response = staff.post(reset)
        self.assertRedirects(response, detail)
        self.assertFalse(TOTPDevice.objects.filter(user=self.p.officer_b).exists())
        self.assertEqual(officer.get(reverse("home")).status_code, 302)
        self.assertTrue(
            AuditEntry.objects.filter(
                action=AuditAction.TWO_FACTOR_RESET, actor=self.p.staff
            ).exists()
        )

    def test_officers_may_not_reset_anyones(self):
        officer = Client()
        officer.force_login(self.p.officer_a)
        response = officer.post(
            reverse("committees:account_two_factor_reset", args=[self.p.officer_b.pk])
        )
        self.assertEqual(response.status_code, 403)

    def test_the_service_checks_the_actor_too(self):
        from django.core.exceptions import PermissionDenied

        with self.assertRaises(PermissionDenied):
            services.two_factor_reset(user=self.p.officer_b, by=self.p.officer_a)
