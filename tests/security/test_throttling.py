"""Login throttling (B1) and no user enumeration (B2): a user name tried from
one address is locked after five failures for fifteen minutes, even with the
right password; other user names and other addresses still sign in; the
lock is in the database; the answers never tell a real user name from an
invented one."""

from __future__ import annotations

import datetime

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.db.models import F
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from campaign.committees.security import client_ip
from tests.factories import PASSWORD, Personas
from tests.security.helpers import attempt, signed_in_user_id, without_tokens

WRONG = "not-the-right-password"


def cool_off_passes(seconds: int = 15 * 60 + 1) -> None:
    """The failures happened ``seconds`` earlier (the clock moves on)."""
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - datetime.timedelta(seconds=seconds)
    )


class LockoutTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def fail(self, times: int, username: str = "canbo.tinh", **extra) -> list[int]:
        return [
            attempt(self.client, username, WRONG, **extra).status_code
            for _ in range(times)
        ]

    def test_the_fifth_failure_locks_and_even_the_right_password_is_then_refused(self):
        self.assertEqual(self.fail(5), [200, 200, 200, 200, 429])
        response = attempt(self.client, "canbo.tinh", PASSWORD)
        self.assertEqual(response.status_code, 429)
        self.assertIsNone(signed_in_user_id(self.client))
        self.assertContains(response, 'id="login-locked"', status_code=429)

    def test_twenty_more_tries_during_the_lock_are_refused_and_do_not_extend_it(self):
        self.fail(5)
        until = AccessAttempt.objects.get().attempt_time
        self.assertEqual(set(self.fail(20)), {429})
        attempt_row = AccessAttempt.objects.get()
        self.assertEqual(attempt_row.failures_since_start, 5)
        self.assertEqual(attempt_row.attempt_time, until)

    def test_the_lock_page_says_when_to_try_again(self):
        self.fail(4)
        response = attempt(self.client, "canbo.tinh", WRONG)
        self.assertEqual(response.status_code, 429)
        retry_after = int(response["Retry-After"])
        self.assertTrue(14 * 60 < retry_after <= 15 * 60, retry_after)
        ends = timezone.localtime(AccessAttempt.objects.get().attempt_time) + (
            datetime.timedelta(minutes=15)
        )
        self.assertContains(response, f"{ends:%H:%M}", status_code=429)
        english = self.client.post(
            "/en/login/", {"username": "canbo.tinh", "password": PASSWORD}
        )
        self.assertContains(
            english,
            f"signing in is paused until {ends:%H:%M} (in about 15 minutes)",
            status_code=429,
        )

    def test_another_user_name_from_the_same_address_still_signs_in(self):
        self.fail(5)
        response = attempt(self.client, "giamdoc", PASSWORD)
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)
        self.assertEqual(signed_in_user_id(self.client), str(self.p.leader.pk))

    def test_the_same_user_name_from_another_address_still_signs_in(self):
        self.fail(5, REMOTE_ADDR="198.51.100.20")
        response = attempt(
            self.client, "canbo.tinh", PASSWORD, REMOTE_ADDR="198.51.100.21"
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(signed_in_user_id(self.client), str(self.p.staff.pk))

    def test_the_lock_ends_after_the_cool_off(self):
        self.fail(5)
        cool_off_passes(15 * 60 - 30)
        self.assertEqual(attempt(self.client, "canbo.tinh", PASSWORD).status_code, 429)
        cool_off_passes(31)
        response = attempt(self.client, "canbo.tinh", PASSWORD)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(signed_in_user_id(self.client), str(self.p.staff.pk))

    def test_a_success_clears_the_earlier_failures(self):
        self.fail(4)
        self.assertEqual(attempt(self.client, "canbo.tinh", PASSWORD).status_code, 302)
        self.client.post(reverse("logout"))
        self.assertEqual(self.fail(4), [200, 200, 200, 200])

    def test_the_lock_is_kept_in_the_database_and_outlives_the_process_state(self):
        self.fail(5)
        self.assertTrue(AccessAttempt.objects.filter(username="canbo.tinh").exists())
        # A restarted process builds its handler again; the lock is still there.
        AxesProxyHandler.get_implementation(force=True)
        self.assertEqual(attempt(self.client, "canbo.tinh", PASSWORD).status_code, 429)

    def test_the_password_is_not_kept_with_the_failures(self):
        self.fail(2)
        row = AccessAttempt.objects.get()
        self.assertNotIn(WRONG, row.post_data)
        self.assertNotIn(WRONG, row.get_data)

    def test_the_admin_login_is_throttled_and_shares_the_lock(self):
        admin_login = "/admin/login/"
        statuses = [
            attempt(self.client, "canbo.tinh", WRONG, url=admin_login).status_code
            for _ in range(5)
        ]
        self.assertEqual(statuses, [200, 200, 200, 200, 429])
        response = attempt(self.client, "canbo.tinh", PASSWORD, url=admin_login)
        self.assertEqual(response.status_code, 429)
        self.assertEqual(attempt(self.client, "canbo.tinh", PASSWORD).status_code, 429)
        self.assertIsNone(signed_in_user_id(self.client))


@override_settings(LOGIN_IP_FAILURE_LIMIT=8)
class AddressLimitTests(TestCase):
    """Many user names tried from one address (password spraying)."""

    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def test_an_address_trying_many_user_names_is_locked_for_every_name(self):
        statuses = [
            attempt(self.client, f"guess{i}", WRONG).status_code for i in range(8)
        ]
        self.assertEqual(statuses, [200] * 7 + [429])
        self.assertEqual(attempt(self.client, "giamdoc", PASSWORD).status_code, 429)
        self.assertIsNone(signed_in_user_id(self.client))
        # Another address is not concerned.
        response = attempt(self.client, "giamdoc", PASSWORD, REMOTE_ADDR="198.51.100.9")
        self.assertEqual(response.status_code, 302)

    def test_the_address_lock_ends_after_the_cool_off(self):
        for i in range(8):
            attempt(self.client, f"guess{i}", WRONG)
        cool_off_passes()
        self.assertEqual(attempt(self.client, "giamdoc", PASSWORD).status_code, 302)


class NoEnumerationTests(TestCase):
    """B2: a wrong password for a real user and any password for an invented
    (or deactivated) one get the same status and the same page."""

    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def test_a_real_and_an_invented_user_name_get_the_same_answer(self):
        real = attempt(self.client, "canbo.tinh", WRONG)
        invented = attempt(self.client, "canbo.tinx", WRONG)
        deactivated = attempt(self.client, "nghiviec", PASSWORD)
        self.assertEqual(real.status_code, invented.status_code)
        self.assertEqual(real.status_code, deactivated.status_code)
        self.assertEqual(
            without_tokens(real.content, "canbo.tinh"),
            without_tokens(invented.content, "canbo.tinx"),
        )
        self.assertEqual(
            without_tokens(real.content, "canbo.tinh"),
            without_tokens(deactivated.content, "nghiviec"),
        )

    def test_a_real_and_an_invented_user_name_are_locked_alike(self):
        real = [attempt(self.client, "canbo.tinh", WRONG) for _ in range(6)]
        invented = [attempt(self.client, "canbo.tinx", WRONG) for _ in range(6)]
        self.assertEqual(
            [r.status_code for r in real], [r.status_code for r in invented]
        )
        # The lock page shows nothing typed: identical but for the CSRF token.
        self.assertEqual(
            without_tokens(real[-1].content), without_tokens(invented[-1].content)
        )
        self.assertNotContains(real[-1], "canbo.tinh", status_code=429)


class ClientAddressTests(TestCase):
    """The address the limits count: behind the configured number of reverse
    proxies, the one the outermost proxy saw; never a header a client wrote."""

    def request(self, remote: str, forwarded: str | None = None):
        from django.test import RequestFactory

        extra = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded
        return RequestFactory().get("/", **extra)

    @override_settings(TRUSTED_PROXY_COUNT=0)
    def test_without_a_proxy_the_header_is_ignored(self):
        request = self.request("203.0.113.5", forwarded="198.51.100.1")
        self.assertEqual(client_ip(request), "203.0.113.5")

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_behind_one_proxy_its_entry_is_the_client(self):
        self.assertEqual(
            client_ip(self.request("172.18.0.5", "203.0.113.7")), "203.0.113.7"
        )
        # A client sending its own header cannot choose its address.
        self.assertEqual(
            client_ip(self.request("172.18.0.5", "198.51.100.1, 203.0.113.7")),
            "203.0.113.7",
        )

    @override_settings(TRUSTED_PROXY_COUNT=2)
    def test_behind_two_proxies(self):
        request = self.request("10.0.0.2", "198.51.100.1, 203.0.113.7, 10.0.0.1")
        self.assertEqual(client_ip(request), "203.0.113.7")

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_a_missing_or_malformed_header_falls_back_to_the_peer(self):
        self.assertEqual(client_ip(self.request("172.18.0.5")), "172.18.0.5")
        self.assertEqual(
            client_ip(self.request("172.18.0.5", "not-an-address")), "172.18.0.5"
        )


@override_settings(TRUSTED_PROXY_COUNT=1)
class ThrottlingBehindProxyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def test_clients_behind_the_same_proxy_are_counted_apart(self):
        proxy = {"REMOTE_ADDR": "172.18.0.5"}
        for _ in range(5):
            attempt(
                self.client,
                "canbo.tinh",
                WRONG,
                HTTP_X_FORWARDED_FOR="203.0.113.7",
                **proxy,
            )
        locked = attempt(
            self.client,
            "canbo.tinh",
            PASSWORD,
            HTTP_X_FORWARDED_FOR="203.0.113.7",
            **proxy,
        )
        self.assertEqual(locked.status_code, 429)
        self.assertEqual(AccessAttempt.objects.get().ip_address, "203.0.113.7")
        other = attempt(
            self.client,
            "canbo.tinh",
            PASSWORD,
            HTTP_X_FORWARDED_FOR="203.0.113.8",
            **proxy,
        )
        self.assertEqual(other.status_code, 302)
