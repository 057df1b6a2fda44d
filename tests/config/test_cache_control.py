"""No copy of a page is kept: ``Cache-Control: no-store, private`` on every
response of the app (pages, redirects, downloads, the login page), never on
static files, which WhiteNoise serves for a year."""

from __future__ import annotations

from django.test import Client, TestCase, override_settings
from django.urls import reverse

from tests.factories import Personas
from tests.reporting.test_views import done_job


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


class NoStoreTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def assert_not_stored(self, response):
        self.assertLessEqual({"no-store", "private"}, directives(response))

    def test_a_signed_in_page(self):
        self.client.force_login(self.p.officer_a)
        for url in (
            reverse("home"),
            reverse("registrations:registration_list"),
            "/en" + reverse("registrations:registration_list"),
            reverse("committees:committee_detail", args=[self.p.committee_b.pk]),
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertIn(response.status_code, (200, 404))
                self.assert_not_stored(response)

    def test_a_redirect_of_a_signed_in_user(self):
        self.client.force_login(self.p.staff)
        response = self.client.post(reverse("registrations:notifications_mark_read"))
        self.assertRedirects(response, reverse("registrations:notification_list"))
        self.assert_not_stored(response)

    def test_a_download_keeps_its_own_no_store(self):
        job = done_job(self.p.staff)
        self.client.force_login(self.p.staff)
        response = self.client.get(
            reverse("reporting:report_download", args=[job.public_id])
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(directives(response), {"no-store", "private"})

    def test_a_view_that_chose_a_max_age_still_gets_no_store_when_signed_in(self):
        self.client.force_login(self.p.staff)
        with self.settings(ROOT_URLCONF="tests.config.cache_control_urls"):
            response = self.client.get("/cacheable/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(directives(response), {"max-age=60", "no-store", "private"})

    def test_the_login_page_and_the_redirect_to_it(self):
        response = self.client.get(reverse("login"))
        self.assertEqual(response.status_code, 200)
        self.assert_not_stored(response)
        response = self.client.get(reverse("registrations:registration_list"))
        self.assertEqual(response.status_code, 302)
        self.assert_not_stored(response)

    def test_an_anonymous_response_that_chose_its_caching_keeps_it(self):
        with self.settings(ROOT_URLCONF="tests.config.cache_control_urls"):
            response = self.client.get("/cacheable/")
        self.assertEqual(directives(response), {"max-age=60"})

    @override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
    def test_static_files_are_cached_as_whitenoise_says(self):
        client = Client()  # its middleware is built under these settings
        client.force_login(self.p.staff)
        response = client.get("/static/css/app.css")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("no-store", directives(response))
        self.assertNotIn("private", directives(response))
        self.assertIn("max-age", response["Cache-Control"])
