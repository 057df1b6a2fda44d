from django.urls import path

from campaign.views import (
    accounts,
    committees,
    documents,
    notifications,
    plans,
    registration_list,
    registrations,
)

app_name = "campaign"

urlpatterns = [
    # Steering committees and their members
    path("committees/", committees.committee_list, name="committee_list"),
    path("committees/new/", committees.committee_create, name="committee_create"),
    path("committees/<int:pk>/", committees.committee_detail, name="committee_detail"),
    path("committees/<int:pk>/edit/", committees.committee_edit, name="committee_edit"),
    path("committees/<int:pk>/members/add/", committees.member_add, name="member_add"),
    path("members/<int:pk>/edit/", committees.member_edit, name="member_edit"),
    path("members/<int:pk>/remove/", committees.member_remove, name="member_remove"),
    # Accounts (managed by provincial staff) and one's own profile
    path("accounts/", accounts.account_list, name="account_list"),
    path("accounts/new/", accounts.account_create, name="account_create"),
    path("accounts/<int:pk>/", accounts.account_detail, name="account_detail"),
    path(
        "accounts/<int:pk>/memberships/add/",
        accounts.membership_add,
        name="membership_add",
    ),
    path(
        "memberships/<int:pk>/remove/",
        accounts.membership_remove,
        name="membership_remove",
    ),
    path(
        "accounts/<int:pk>/password/",
        accounts.account_password_reset,
        name="account_password_reset",
    ),
    path(
        "accounts/<int:pk>/deactivate/",
        accounts.account_deactivate,
        name="account_deactivate",
    ),
    path(
        "accounts/<int:pk>/activate/",
        accounts.account_activate,
        name="account_activate",
    ),
    path("profile/", accounts.profile, name="profile"),
    path("profile/password/", accounts.password_change, name="password_change"),
    # Legal documents
    path("documents/", documents.document_list, name="document_list"),
    path("documents/new/", documents.document_create, name="document_create"),
    path("documents/<int:pk>/", documents.document_detail, name="document_detail"),
    path("documents/<int:pk>/edit/", documents.document_edit, name="document_edit"),
    path(
        "documents/<int:pk>/file/",
        documents.document_download,
        name="document_download",
    ),
    # The plan, its programmes, phases and targets
    path("plans/", plans.plan_list, name="plan_list"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/targets/new/", plans.target_create, name="target_create"),
    path("targets/<int:pk>/edit/", plans.target_edit, name="target_edit"),
    path("targets/<int:pk>/delete/", plans.target_delete, name="target_delete"),
    # Registrations of candidate exemplary units
    path(
        "registrations/",
        registration_list.registration_list,
        name="registration_list",
    ),
    path(
        "registrations/export/<str:fmt>/",
        registration_list.registration_export,
        name="registration_export",
    ),
    path(
        "registrations/waiting/",
        registrations.registration_waiting,
        name="registration_waiting",
    ),
    path(
        "registrations/new/",
        registrations.registration_create,
        name="registration_create",
    ),
    path(
        "registrations/<int:pk>/",
        registrations.registration_detail,
        name="registration_detail",
    ),
    path(
        "registrations/<int:pk>/edit/",
        registrations.registration_edit,
        name="registration_edit",
    ),
    path(
        "registrations/<int:pk>/document/",
        registrations.registration_document,
        name="registration_document",
    ),
    path(
        "registrations/<int:pk>/submit/",
        registrations.registration_submit,
        name="registration_submit",
    ),
    path(
        "registrations/<int:pk>/withdraw/",
        registrations.registration_withdraw,
        name="registration_withdraw",
    ),
    path(
        "registrations/<int:pk>/return/",
        registrations.registration_return,
        name="registration_return",
    ),
    path(
        "registrations/<int:pk>/approve/",
        registrations.registration_approve,
        name="registration_approve",
    ),
    path("notifications/", notifications.notification_list, name="notification_list"),
    path(
        "notifications/read/",
        notifications.notifications_mark_read,
        name="notifications_mark_read",
    ),
]
