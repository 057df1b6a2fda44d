"""Signing in and out, in Vietnamese and English; nothing is reachable anonymously."""

from __future__ import annotations

import uuid

from django.contrib.sessions.models import Session
from django.test import TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import PASSWORD, provincial_staff

# Pages that must answer without a login.
PUBLIC = {"login", "set_language", "healthz"}
SAMPLE_KWARGS = {
    "pk": 1,
    "public_id": uuid.uuid4(),
    "fmt": "csv",
    "subject": "ward_police",
    "answer_pk": 1,
    "area_pk": 1,
    "kind": "area",
}


def project_url_names():
    """(name, url) for every named pattern outside Django's admin."""

    def walk(patterns, namespace=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue
                inner = (
                    f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                )
                yield from walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern) and entry.name:
                name = namespace + entry.name
                kwargs = {k: SAMPLE_KWARGS[k] for k in entry.pattern.regex.groupindex}
                yield name, reverse(name, kwargs=kwargs)

    return list(walk(get_resolver().url_patterns))


class AnonymousVisitorTests(TestCase):
    def test_every_page_redirects_an_anonymous_visitor_to_the_login_page(self):
        names = project_url_names()
        self.assertGreater(len(names), 5)
        for name, url in names:
            if name in PUBLIC:
                continue
            for method in ("get", "post"):
                with self.subTest(name=name, method=method):
                    response = getattr(self.client, method)(url)
                    self.assertEqual(response.status_code, 302)
                    self.assertTrue(
                        response["Location"].startswith(reverse("login") + "?next="),
                        response["Location"],
                    )

    def test_admin_sends_an_anonymous_visitor_to_a_login_page(self):
        response = self.client.get("/admin/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("login", response["Location"])

    def test_login_page_and_health_check_are_public(self):
        self.assertEqual(self.client.get(reverse("login")).status_code, 200)
        self.assertEqual(self.client.get(reverse("healthz")).status_code, 200)


class LoginTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = provincial_staff()

    def test_login_and_logout_in_vietnamese(self):
        response = self.client.get(reverse("login"))
        self.assertContains(response, '<html lang="vi"')
        self.assertContains(response, "Đăng nhập")
        response = self.client.post(
            reverse("login"),
            {"username": "canbo.tinh", "password": PASSWORD},
            follow=True,
        )
        self.assertEqual(response.context["user"], self.user)
        self.assertContains(response, "Đăng xuất")
        response = self.client.post(reverse("logout"), follow=True)
        self.assertFalse(response.context["user"].is_authenticated)
        self.assertEqual(response.redirect_chain[-1][0], reverse("login"))

    def test_login_and_logout_in_english(self):
        response = self.client.get("/en/login/")
        self.assertContains(response, '<html lang="en"')
        response = self.client.post(
            "/en/login/", {"username": "canbo.tinh", "password": PASSWORD}, follow=True
        )
        self.assertEqual(response.context["user"], self.user)
        self.assertContains(response, "Log out")
        response = self.client.post("/en/logout/", follow=True)
        self.assertEqual(response.redirect_chain[-1][0], "/en/login/")

    def test_wrong_password_is_explained_in_vietnamese(self):
        response = self.client.post(
            reverse("login"), {"username": "canbo.tinh", "password": "wrong"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "mật khẩu chính xác")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_wrong_password_is_explained_in_english(self):
        response = self.client.post(
            "/en/login/", {"username": "nobody", "password": "x"}
        )
        self.assertContains(response, "Please enter a correct username and password")

    def test_an_expired_session_asks_to_sign_in_again(self):
        self.client.force_login(self.user)
        self.assertEqual(self.client.get(reverse("units:area_list")).status_code, 200)
        Session.objects.all().delete()  # the session ran out
        response = self.client.get(reverse("units:area_list"), follow=True)
        self.assertEqual(response.redirect_chain[0][1], 302)
        self.assertContains(response, "Vui lòng đăng nhập để tiếp tục")

    def test_language_switch_keeps_the_page(self):
        self.client.force_login(self.user)
        response = self.client.post(
            reverse("set_language"),
            {"language": "en", "next": reverse("units:area_list")},
        )
        self.assertRedirects(response, "/en/areas/", fetch_redirect_response=False)

    def test_logout_by_get_is_refused(self):
        self.client.force_login(self.user)
        self.assertEqual(self.client.get(reverse("logout")).status_code, 405)
