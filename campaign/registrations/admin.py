"""Django admin for the registrations: a read-only back office. Every change goes
through the app's own pages and services, which apply the access rules, the
workflow, the version check and the audit trail; the admin would bypass them,
so it only shows."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from campaign.committees.admin import ReadOnlyAdmin
from campaign.registrations.models import Registration


@admin.register(Registration)
class RegistrationAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["unit_name", "unit_kind", "year", "status", "committee"]
    list_filter = ["status", "year", "unit_kind", "committee"]
    search_fields = ["unit_name", "search_name", "contact_name"]
    list_select_related = ["committee"]
    # The same page size as the registry's own list, so that the benchmark
    # (bench/registration_list.py) compares pages of the same length.
    list_per_page = 50
    raw_id_fields = [
        "committee",
        "area",
        "organisation",
        "programme",
        "phase",
        "created_by",
        "updated_by",
    ]
    readonly_fields = ["search_name", "version", "created_at", "updated_at"]
