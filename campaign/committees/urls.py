from django.urls import path

from campaign.committees.views import (
    accounts,
    audit,
    committees,
    pick_search,
    search,
    two_factor,
)

app_name = "committees"

urlpatterns = [
    # Steering committees and their members
    path("committees/", committees.committee_list, name="committee_list"),
    path("committees/new/", committees.committee_create, name="committee_create"),
    path("committees/search/", search.committee_search, name="committee_search"),
    path(
        "committees/search/parents/",
        pick_search.parent_committee_search,
        name="parent_committee_search",
    ),
    path(
        "committees/search/areas/",
        pick_search.committee_area_search,
        name="committee_area_search",
    ),
    path(
        "committees/search/memberships/",
        pick_search.membership_committee_search,
        name="membership_committee_search",
    ),
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
    # Two-step verification (the user's own; staff may reset another's)
    path("profile/two-factor/", two_factor.two_factor, name="two_factor"),
    path(
        "profile/two-factor/setup/",
        two_factor.two_factor_setup,
        name="two_factor_setup",
    ),
    path(
        "profile/two-factor/verify/",
        two_factor.two_factor_verify,
        name="two_factor_verify",
    ),
    path(
        "profile/two-factor/recovery-codes/",
        two_factor.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path(
        "profile/two-factor/disable/",
        two_factor.two_factor_disable,
        name="two_factor_disable",
    ),
    path(
        "accounts/<int:pk>/two-factor/reset/",
        two_factor.account_two_factor_reset,
        name="account_two_factor_reset",
    ),
    # The audit trail
    path("history/", audit.audit_list, name="audit_list"),
    path("profile/password/", accounts.password_change, name="password_change"),
]
