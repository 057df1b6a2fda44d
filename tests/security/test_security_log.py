"""The security log (H1–H3): one JSON line per sign-in, failure, lock-out,
sign-out, two-step verification and refused request, with the user, the
client's address, the UTC time and the outcome — never a password or a code,
and always on one line whatever the user name holds."""

from __future__ import annotations

import io
import json
import logging
import re
from contextlib import contextmanager

from django.test import Client, TestCase, override_settings
from django.urls import reverse

from tests.factories import PASSWORD, Personas
from tests.security.helpers import app_code, attempt, entries

WRONG = "not-the-right-password"
UTC_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@contextmanager
def every_log_line():
    """Everything every logger writes meanwhile, formatted, at any level — the
    security log through its own configured handler, so its real output is
    what is read."""
    security_handler = logging.getLogger("security").handlers[0]
    security_out = io.StringIO()
    old_stream = security_handler.setStream(security_out)
    other_out = io.StringIO()
    other = logging.StreamHandler(other_out)
    other.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    quiet = {name: logging.getLogger(name).level for name in ("axes", "django")}
    old_root_level = root.level
    root.addHandler(other)
    root.setLevel(logging.DEBUG)
    for name in quiet:
        logging.getLogger(name).setLevel(logging.DEBUG)
    lines: dict[str, list[str]] = {"security": [], "other": []}
    try:
        yield lines
    finally:
        security_handler.setStream(old_stream)
        root.removeHandler(other)
        root.setLevel(old_root_level)
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)
        lines["security"] = security_out.getvalue().splitlines()
        lines["other"] = other_out.getvalue().splitlines()


class AuthenticationEventTests(TestCase):
    """H1: success, failure, lock-out, sign-out."""

    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def events(self, records) -> list[tuple[str, str, str | None]]:
        return [(e["event"], e["outcome"], e["user"]) for e in entries(records)]

    def test_a_sign_in_and_a_sign_out_are_logged(self):
        with self.assertLogs("security", "INFO") as logs:
            attempt(self.client, "canbo.tinh", PASSWORD)
            self.client.post(reverse("logout"))
        self.assertEqual(
            self.events(logs.records),
            [("login", "success", "canbo.tinh"), ("logout", "success", "canbo.tinh")],
        )
        entry = entries(logs.records)[0]
        self.assertRegex(entry["time"], UTC_TIME)
        self.assertEqual(entry["ip"], "127.0.0.1")
        self.assertEqual(entry["path"], "/login/")

    def test_failures_then_one_lockout_then_refusals_are_logged(self):
        with self.assertLogs("security", "INFO") as logs:
            for _ in range(5):
                attempt(self.client, "canbo.tinh", WRONG)
            attempt(self.client, "canbo.tinh", PASSWORD)
        self.assertEqual(
            self.events(logs.records),
            # Axes reports the lock while it counts the fifth failure.
            [("login", "failure", "canbo.tinh")] * 4
            + [("lockout", "locked", "canbo.tinh")]
            + [("login", "failure", "canbo.tinh")]
            + [("login", "refused_locked", "canbo.tinh")],
        )
        self.assertEqual({r.levelname for r in logs.records[:5]}, {"WARNING"})

    def test_an_unknown_user_name_is_logged_as_typed(self):
        with self.assertLogs("security", "INFO") as logs:
            attempt(self.client, "nobody.here", WRONG)
        self.assertEqual(
            self.events(logs.records), [("login", "failure", "nobody.here")]
        )

    def test_the_address_behind_the_proxy_is_logged(self):
        with (
            override_settings(TRUSTED_PROXY_COUNT=1),
            self.assertLogs("security", "INFO") as logs,
        ):
            attempt(
                self.client,
                "canbo.tinh",
                WRONG,
                REMOTE_ADDR="172.18.0.5",
                HTTP_X_FORWARDED_FOR="203.0.113.7",
            )
        self.assertEqual(entries(logs.records)[0]["ip"], "203.0.113.7")

    @override_settings(TWO_FACTOR_REQUIRED=True, OTP_TOTP_THROTTLE_FACTOR=0)
    def test_two_step_verification_is_logged_and_no_secret_in_any_line(self):
        with every_log_line() as lines:
            client = Client()
            for _ in range(2):
                attempt(client, "canbo.tinh", WRONG)
            attempt(client, "canbo.tinh", PASSWORD)
            client.get(reverse("committees:two_factor_setup"))
            key = client.session["two_factor_setup_key"]
            setup_code = app_code(key)
            client.post(reverse("committees:two_factor_setup"), {"code": setup_code})
            client.post(reverse("logout"))
            attempt(client, "canbo.tinh", PASSWORD)
            wrong_code = "123456" if app_code(key, 1) != "123456" else "654321"
            client.post(reverse("committees:two_factor_verify"), {"code": wrong_code})
            good_code = app_code(key, steps=1)
            client.post(reverse("committees:two_factor_verify"), {"code": good_code})
        security = [json.loads(line) for line in lines["security"]]
        self.assertEqual(
            [(e["event"], e["outcome"]) for e in security],
            [
                ("login", "failure"),
                ("login", "failure"),
                ("login", "success"),
                ("two_factor_setup", "success"),
                ("logout", "success"),
                ("login", "success"),
                ("two_factor", "failure"),
                ("two_factor", "success"),
            ],
        )
        everything = "\n".join(lines["security"] + lines["other"])
        self.assertTrue(lines["other"], "the other loggers were captured too")
        for secret in (PASSWORD, WRONG, key, setup_code, wrong_code, good_code):
            self.assertNotIn(secret, everything)


class RefusedAccessTests(TestCase):
    """H2: each 403 and each 404 of the scope checks."""

    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def test_a_function_the_user_may_not_use_is_logged_as_forbidden(self):
        self.client.force_login(self.p.officer_a)
        url = reverse("committees:account_list")
        with self.assertLogs("security", "INFO") as logs:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 403)
        (entry,) = entries(logs.records)
        self.assertEqual(
            (entry["event"], entry["outcome"], entry["user"], entry["path"]),
            ("access", "forbidden", "longxuyen", url),
        )
        self.assertEqual(entry["status"], "403")

    def test_an_object_outside_the_scope_is_logged_as_not_found(self):
        self.client.force_login(self.p.officer_b)
        url = reverse("committees:committee_detail", args=[self.p.committee_a.pk])
        with self.assertLogs("security", "INFO") as logs:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 404)
        (entry,) = entries(logs.records)
        self.assertEqual(
            (entry["event"], entry["outcome"], entry["user"], entry["status"]),
            ("access", "not_found", "chaudoc", "404"),
        )

    def test_an_allowed_page_logs_nothing(self):
        self.client.force_login(self.p.officer_a)
        with self.assertNoLogs("security"):
            self.assertEqual(self.client.get(reverse("home")).status_code, 200)


class LogInjectionTests(TestCase):
    """H3: whatever a user name holds, an entry is one line."""

    def test_cr_and_lf_in_a_user_name_are_escaped(self):
        hostile = 'foo\r\nINFO {"event": "login", "outcome": "success"}'
        with every_log_line() as lines:
            attempt(self.client, hostile, WRONG)
            attempt(self.client, "Nguyễn\u2028Văn\x1b[31m", WRONG)
        self.assertEqual(len(lines["security"]), 2)
        first, second = (json.loads(line) for line in lines["security"])
        self.assertEqual(first["user"], hostile)
        self.assertEqual(second["user"], "Nguyễn\u2028Văn\x1b[31m")
        for line in lines["security"]:
            self.assertNotIn("\r", line)
            self.assertTrue(line.isascii(), line)
        self.assertIn("foo\\r\\nINFO", lines["security"][0])
