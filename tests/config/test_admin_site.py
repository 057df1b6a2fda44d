"""Django's admin is the operators' read-only back office: superusers only.
Provincial staff — staff in Django's sense too — are sent to its login page,
and nobody can add, change or delete through it."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory, TestCase
from django.urls import reverse

from config.admin_site import SuperuserAdminSite
from tests.factories import Personas

# The project's own apps: their admin only shows (changes go through the
# services). Third-party apps keep their own admin (axes: a superuser may
# delete a lock-out).
PROJECT_APPS = {
    "units",
    "committees",
    "planning",
    "registrations",
    "assessments",
    "reporting",
}


class AdminSiteTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.operator = get_user_model().objects.create_superuser(
            "quantri", "quantri@example.invalid", "Quan-tri-vien-2026"
        )

    def test_the_default_site_is_for_superusers(self):
        self.assertIsInstance(admin.site, SuperuserAdminSite)

    def test_a_superuser_reads_every_model(self):
        self.client.force_login(self.operator)
        response = self.client.get("/admin/")
        self.assertEqual(response.status_code, 200)
        for model in ("registration", "steeringcommittee", "target", "user"):
            with self.subTest(model=model):
                self.assertContains(response, f"/{model}/")
        response = self.client.get(
            reverse("admin:registrations_registration_changelist")
        )
        self.assertEqual(response.status_code, 200)

    def test_provincial_staff_with_is_staff_is_sent_to_the_admin_login(self):
        self.assertTrue(self.p.staff.is_staff)
        self.client.force_login(self.p.staff)
        for url in (
            "/admin/",
            reverse("admin:registrations_registration_changelist"),
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith("/admin/login/"))
        # The login page says the account may not open the admin.
        response = self.client.get("/admin/login/?next=/admin/")
        self.assertContains(response, "canbo.tinh")

    def test_an_inactive_superuser_is_refused(self):
        get_user_model().objects.filter(pk=self.operator.pk).update(is_active=False)
        self.operator.refresh_from_db()
        self.assertFalse(SuperuserAdminSite().has_permission(_request(self.operator)))

    def test_nothing_can_be_added_changed_or_deleted(self):
        request = _request(self.operator)
        ours = [
            (model, model_admin)
            for model, model_admin in admin.site._registry.items()
            if model._meta.app_label in PROJECT_APPS
        ]
        self.assertGreaterEqual(len(ours), 10)
        for model, model_admin in ours:
            with self.subTest(model=model.__name__):
                self.assertFalse(model_admin.has_add_permission(request))
                self.assertFalse(model_admin.has_change_permission(request))
                self.assertFalse(model_admin.has_delete_permission(request))
        self.client.force_login(self.operator)
        response = self.client.get(reverse("admin:committees_user_add"))
        self.assertEqual(response.status_code, 403)


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request
