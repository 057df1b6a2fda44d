from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.committees import access
from campaign.committees.access import Capability
from campaign.committees.forms.accounts import (
    AccountCreateForm,
    AccountSearchForm,
    MembershipForm,
    PasswordResetByStaffForm,
    ProfileForm,
)
from campaign.committees.selectors import accounts as selectors
from campaign.committees.selectors.audit import (
    audit_list_for_account,
    shown_entries,
)
from campaign.committees.selectors.committees import committee_choices_for_user
from campaign.committees.selectors.two_factor import two_factor_enabled
from campaign.committees.services import accounts as services
from campaign.forms import form_status

ACCOUNTS_PER_PAGE = 50


@require_GET
def account_list(request: HttpRequest) -> HttpResponse:
    form = AccountSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    accounts = selectors.account_list_for_user(user=request.user, query=query)
    page = Paginator(accounts, ACCOUNTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "committees/account_list.html", {"form": form, "page_obj": page}
    )


@require_http_methods(["GET", "POST"])
def account_create(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.MANAGE_ACCOUNTS)
    form = AccountCreateForm(
        request.POST if request.method == "POST" else None,
        committees=committee_choices_for_user(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = services.account_create(
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                password=data["password1"],
                committee=data["committee"],
                role=data["role"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None if hasattr(error, "error_dict") else "password1", error)
        else:
            messages.success(request, _("The account has been created."))
            return redirect("committees:account_detail", pk=account.pk)
    return render(
        request,
        "committees/account_form.html",
        {"form": form},
        status=form_status(form),
    )


def _detail(request: HttpRequest, account, membership_form=None, status: int = 200):
    return render(
        request,
        "committees/account_detail.html",
        {
            "account": account,
            "membership_form": membership_form
            or MembershipForm(committees=committee_choices_for_user(user=request.user)),
            "history": shown_entries(
                audit_list_for_account(user=request.user, account=account)
            ),
            "two_factor_on": two_factor_enabled(account),
        },
        status=status,
    )


@require_GET
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get_for_user(user=request.user, pk=pk)
    return _detail(request, account)


@require_POST
def membership_add(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get_for_user(user=request.user, pk=pk)
    form = MembershipForm(
        request.POST, committees=committee_choices_for_user(user=request.user)
    )
    if form.is_valid():
        try:
            services.membership_add(user=account, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The role has been added."))
            return redirect("committees:account_detail", pk=account.pk)
    return _detail(request, account, membership_form=form, status=400)


@require_POST
def membership_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = selectors.membership_get_for_user(user=request.user, pk=pk)
    services.membership_remove(membership=membership, by=request.user)
    messages.success(request, _("The role has been removed."))
    return redirect("committees:account_detail", pk=membership.user_id)


@require_http_methods(["GET", "POST"])
def account_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get_for_user(user=request.user, pk=pk)
    form = PasswordResetByStaffForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_set_password(
                user=account, password=form.cleaned_data["password1"], by=request.user
            )
        except ValidationError as error:
            form.add_error("password1", error)
        else:
            messages.success(
                request,
                _(
                    "The new password is set. Give it to the user in person; their open sessions have ended."
                ),
            )
            return redirect("committees:account_detail", pk=account.pk)
    return render(
        request,
        "committees/account_password_form.html",
        {"form": form, "account": account},
        status=form_status(form),
    )


def _set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    account = selectors.account_get_for_user(user=request.user, pk=pk)
    try:
        services.account_set_active(user=account, active=active, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The account is active again.")
            if active
            else _(
                "The account has been deactivated; its open sessions no longer work."
            ),
        )
    return redirect("committees:account_detail", pk=account.pk)


@require_POST
def account_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=False)


@require_POST
def account_activate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=True)


@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        initial={
            "last_name": user.last_name,
            "first_name": user.first_name,
            "email": user.email,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(user=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your details have been saved."))
            return redirect("committees:profile")
    memberships = selectors.membership_list_for_self(user=user)
    return render(
        request,
        "committees/profile.html",
        {"form": form, "memberships": memberships},
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(
        request.user, request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        user = services.password_change(
            user=request.user,
            old_password=form.cleaned_data["old_password"],
            new_password=form.cleaned_data["new_password1"],
        )
        # Keep this session; the user's other sessions end with the old password.
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect("committees:profile")
    return render(
        request,
        "committees/password_change.html",
        {"form": form},
        status=form_status(form),
    )
