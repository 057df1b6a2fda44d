"""Django admin for the legal documents, plan and targets: a read-only back office. Every change goes
through the app's own pages and services, which apply the access rules, the
workflow, the version check and the audit trail; the admin would bypass them,
so it only shows."""

from django.contrib import admin

from campaign.committees.admin import ReadOnlyAdmin
from campaign.planning.models import LegalDocument, Phase, Plan, Programme, Target


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
