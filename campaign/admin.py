"""Django admin for the campaign's records: a read-only back office for
superusers. Every change goes through the app's own pages and services, which
apply the access rules, the workflow, the version check and the audit trail; the
admin would bypass them, so it only shows."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from campaign.models import (
    CommitteeMember,
    LegalDocument,
    Membership,
    Phase,
    Plan,
    Programme,
    Registration,
    SteeringCommittee,
    Target,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows records; adding, changing and deleting happen in the app."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SteeringCommittee)
class SteeringCommitteeAdmin(ReadOnlyAdmin):
    list_display = ["short_name", "level", "area", "valid_from", "valid_to"]
    list_filter = ["level"]
    search_fields = ["short_name", "name"]
    list_select_related = ["area"]
    raw_id_fields = ["area", "parent"]


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(ReadOnlyAdmin):
    list_display = ["full_name", "role", "committee", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = ["full_name", "position"]
    list_select_related = ["committee"]
    raw_id_fields = ["committee"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "committee", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "committee"]
    raw_id_fields = ["user", "committee"]


@admin.register(LegalDocument)
class LegalDocumentAdmin(ReadOnlyAdmin):
    list_display = ["number_symbol", "doc_type", "issued_on", "issuer", "title"]
    list_filter = ["doc_type"]
    search_fields = ["number_symbol", "title", "issuer"]


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["title", "document", "committee"]
    list_select_related = ["document", "committee"]
    raw_id_fields = ["document", "committee"]


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "plan"]
    list_select_related = ["plan"]


@admin.register(Phase)
class PhaseAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "plan", "start_year", "end_year"]
    list_select_related = ["plan"]


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ["programme", "phase", "kind", "year", "unit_kind", "count"]
    list_filter = ["kind", "year", "unit_kind"]
    list_select_related = ["programme", "phase"]


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
