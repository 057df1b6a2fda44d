"""Headers every page carries: a strict Content-Security-Policy and friends."""

from django.test import TestCase
from django.urls import reverse

from tests.factories import Personas


class SecurityHeaderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def assert_secure(self, response):
        csp = response["Content-Security-Policy"]
        for directive in (
            "default-src 'self'",
            "script-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ):
            self.assertIn(directive, csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Referrer-Policy"], "same-origin")

    def test_login_page(self):
        self.assert_secure(self.client.get(reverse("login")))

    def test_signed_in_pages_and_errors(self):
        self.client.force_login(self.p.officer_a)
        for url in (
            reverse("home"),
            reverse("registrations:registration_list"),
            reverse("committees:committee_detail", args=[self.p.committee_b.pk]),  # 404
            reverse("committees:account_list"),  # 403
        ):
            with self.subTest(url=url):
                self.assert_secure(self.client.get(url))
