"""Django's admin, for superusers only.

The admin is a read-only back office (every ``ModelAdmin`` refuses adding,
changing and deleting: changes go through the app's pages and services, which
apply the access rules, the workflow, the version check and the audit trail).
Who may see what is decided by one module, ``campaign/access.py``, from a
user's memberships; Django's ``is_staff`` flag and model permissions would be a
second, separate system to keep in step with it. So the admin opens to active
superusers — the operators who run the installation (``createsuperuser``) —
and to nobody else, whatever their ``is_staff`` flag says. Provincial staff do
their work on the app's own pages.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class SuperuserAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return user.is_active and user.is_superuser


class SuperuserAdminConfig(AdminConfig):
    """``django.contrib.admin`` with :class:`SuperuserAdminSite` as
    ``admin.site`` (listed in ``INSTALLED_APPS`` in its place)."""

    default_site = "config.admin_site.SuperuserAdminSite"
