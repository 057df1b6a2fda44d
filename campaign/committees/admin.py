"""Django admin for the committees, memberships and accounts: a read-only back office. Every change goes
through the app's own pages and services, which apply the access rules, the
workflow, the version check and the audit trail; the admin would bypass them,
so it only shows."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from campaign.committees.models import (
    CommitteeMember,
    Membership,
    SteeringCommittee,
    User,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shows records; adding, changing and deleting happen in the app."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class AccountAdmin(ReadOnlyAdmin, UserAdmin):
    """Accounts are created and changed on the app's account pages."""


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
