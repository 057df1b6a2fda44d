"""Session limits (B5): a session ends after 30 minutes without a request, and
8 hours after the sign-in whatever the activity; the login page says why."""

from __future__ import annotations

import datetime

from django.contrib.auth import SESSION_KEY
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from campaign.committees.middleware import LOGIN_AT, SEEN_AT
from tests.factories import PASSWORD, Personas
from tests.security.helpers import attempt, entries

PAGE = "/areas/"
# The same page in English, so the reason can be read before the Vietnamese
# translations exist (a message is written in the language of the request).
PAGE_EN = "/en/areas/"


def ago(**delta) -> int:
    return int((timezone.now() - datetime.timedelta(**delta)).timestamp())


class SessionLimitTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def setUp(self):
        attempt(self.client, "longxuyen", PASSWORD)
        self.assertEqual(self.client.get(PAGE).status_code, 200)

    def set_times(self, **times) -> None:
        session = self.client.session
        session.update(times)
        session.save()

    def ended_with(self, page: str = PAGE_EN):
        """Request ``page``: it must send to the login page, signed out; the
        login page that follows is returned."""
        response = self.client.get(page, follow=True)
        self.assertEqual(response.redirect_chain[0][1], 302)
        self.assertTrue(response.redirect_chain[-1][0].startswith("/en/login/"))
        self.assertNotIn(SESSION_KEY, self.client.session)
        self.assertFalse(response.context["user"].is_authenticated)
        return response

    def test_the_sign_in_starts_both_clocks(self):
        session = self.client.session
        self.assertAlmostEqual(session[LOGIN_AT], ago(), delta=5)
        self.assertAlmostEqual(session[SEEN_AT], ago(), delta=5)

    def test_thirty_minutes_without_a_request_end_the_session(self):
        self.set_times(**{SEEN_AT: ago(minutes=30, seconds=1)})
        page = self.ended_with()
        self.assertContains(
            page,
            "Your session has ended after 30 minutes without activity. "
            "Please sign in again.",
        )
        # The specific reason replaces the general "your session has ended".
        self.assertNotContains(page, "Please sign in to continue")

    def test_a_request_within_the_limit_keeps_the_session_and_moves_the_clock(self):
        self.set_times(**{SEEN_AT: ago(minutes=29)})
        self.assertEqual(self.client.get(PAGE).status_code, 200)
        self.assertAlmostEqual(self.client.session[SEEN_AT], ago(), delta=5)
        self.set_times(**{SEEN_AT: ago(minutes=29)})
        self.assertEqual(self.client.get(PAGE).status_code, 200)

    def test_requests_within_a_minute_do_not_write_the_session(self):
        seen = ago(seconds=30)
        self.set_times(**{SEEN_AT: seen})
        self.assertEqual(self.client.get(PAGE).status_code, 200)
        self.assertEqual(self.client.session[SEEN_AT], seen)

    def test_eight_hours_after_the_sign_in_the_session_ends_however_active(self):
        self.set_times(**{LOGIN_AT: ago(hours=8, seconds=1), SEEN_AT: ago(seconds=5)})
        page = self.ended_with()
        self.assertContains(page, "a sign-in lasts at most 8 hours")

    def test_just_under_eight_hours_still_works(self):
        self.set_times(**{LOGIN_AT: ago(hours=7, minutes=59), SEEN_AT: ago()})
        self.assertEqual(self.client.get(PAGE).status_code, 200)

    @override_settings(SESSION_IDLE_TIMEOUT_SECONDS=0)
    def test_the_idle_limit_can_be_turned_off(self):
        self.set_times(**{SEEN_AT: ago(hours=3)})
        self.assertEqual(self.client.get(PAGE).status_code, 200)

    @override_settings(SESSION_IDLE_TIMEOUT_SECONDS=600, SESSION_COOKIE_AGE=12 * 3600)
    def test_both_limits_are_configured(self):
        self.set_times(**{SEEN_AT: ago(minutes=10, seconds=1)})
        self.assertContains(self.ended_with(), "after 10 minutes without activity")
        attempt(self.client, "longxuyen", PASSWORD)
        self.set_times(**{LOGIN_AT: ago(hours=11, minutes=59)})
        self.assertEqual(self.client.get(PAGE).status_code, 200)
        self.set_times(**{LOGIN_AT: ago(hours=12)})
        self.assertContains(self.ended_with(), "at most 12 hours")

    def test_a_session_from_before_the_clocks_starts_them(self):
        session = self.client.session
        del session[LOGIN_AT]
        del session[SEEN_AT]
        session.save()
        self.assertEqual(self.client.get(PAGE).status_code, 200)
        self.assertAlmostEqual(self.client.session[LOGIN_AT], ago(), delta=5)

    def test_the_end_of_a_session_is_logged_with_its_reason(self):
        self.set_times(**{SEEN_AT: ago(minutes=31)})
        with self.assertLogs("security", "INFO") as logs:
            self.client.get(PAGE)
        (line,) = [e for e in entries(logs.records) if e["event"] == "logout"]
        self.assertEqual(line["outcome"], "idle_timeout")
        self.assertEqual(line["user"], "longxuyen")

    def test_the_vietnamese_login_page_gives_the_reason_too(self):
        self.set_times(**{SEEN_AT: ago(minutes=31)})
        response = self.client.get(PAGE, follow=True)
        self.assertEqual(response.redirect_chain[-1][0].split("?")[0], reverse("login"))
        self.assertEqual(len(list(response.context["messages"])), 1)
        self.assertNotContains(response, "Vui lòng đăng nhập để tiếp tục")
