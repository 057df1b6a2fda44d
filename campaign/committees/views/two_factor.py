"""Two-step verification pages: the user's settings, setting up the
authenticator app (a QR code drawn as inline SVG, and the secret in text), the
step after the password, the recovery codes, turning it off; and provincial
staff resetting it for a user who lost their phone."""

from __future__ import annotations

import logging

import segno
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from campaign.committees.forms.two_factor import TwoFactorSetupForm, TwoFactorVerifyForm
from campaign.committees.middleware import TWO_FACTOR_STATE
from campaign.committees.security import log_event
from campaign.committees.selectors import accounts as account_selectors
from campaign.committees.selectors.two_factor import (
    totp_secret_for_typing,
    totp_setup_uri,
    two_factor_enabled,
    two_factor_status_for_self,
)
from campaign.committees.services import two_factor as services
from campaign.forms import form_status

# The secret being set up, kept until the user confirms it with a code.
SETUP_KEY = "two_factor_setup_key"
# Recovery codes just made, shown once on the next page and then forgotten.
NEW_CODES = "two_factor_new_codes"
# Fewer recovery codes than this left: the user is told to make new ones.
FEW_CODES_LEFT = 3


def _next_url(request: HttpRequest) -> str:
    """Where to go after the step: a local address from ``next``, else home."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _qr_svg(uri: str) -> SafeString:
    """The QR code as an inline SVG image with its accessible name (segno
    writes only geometry, and the title is escaped)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5,
        border=4,
        dark="#000",
        light="#fff",
        title=escape(_("QR code to scan with the authenticator app")),
    )
    svg = svg.replace("<svg ", '<svg role="img" class="two-factor-qr" ', 1)
    return mark_safe(svg)  # noqa: S308 - segno's geometry, the title escaped  # nosec B308 B703


def _verified(request: HttpRequest, device) -> None:
    """This session passed the step: remember the device, and give the
    session a new key now that it is worth more."""
    otp_login(request, device)
    request.session.cycle_key()
    request.session[TWO_FACTOR_STATE] = "device"


@require_GET
def two_factor(request: HttpRequest) -> HttpResponse:
    """The user's two-step verification settings (from their profile)."""
    status = two_factor_status_for_self(user=request.user)
    return render(
        request,
        "committees/two_factor.html",
        {"status": status, "few_codes_left": FEW_CODES_LEFT},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_verified() and two_factor_enabled(user):
        # Replacing the app is for someone who passed the step with it.
        return redirect("committees:two_factor_verify")
    key = request.session.get(SETUP_KEY)
    if not key:
        key = services.totp_key_new()
        request.session[SETUP_KEY] = key
    form = TwoFactorSetupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.two_factor_enable(
                user=user, key=key, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            form.add_error("code", error)
            log_event(
                "two_factor_setup",
                "failure",
                request=request,
                username=user.get_username(),
                level=logging.WARNING,
            )
        else:
            del request.session[SETUP_KEY]
            # Setting up ends the user's other sessions (the service moved the
            # session epoch on); this one stays, verified by the code.
            update_session_auth_hash(request, device.user)
            _verified(request, device)
            request.session[NEW_CODES] = codes
            log_event(
                "two_factor_setup",
                "success",
                request=request,
                username=user.get_username(),
            )
            messages.success(request, _("Two-step verification is set up."))
            return redirect("committees:two_factor_recovery_codes")
    return render(
        request,
        "committees/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(totp_setup_uri(user=user, key=key)),
            "secret": totp_secret_for_typing(key),
            "replacing": two_factor_enabled(user),
        },
        status=form_status(form),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The step after the password, for a user who has set it up."""
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    if not two_factor_enabled(user):
        # Turned off or reset meanwhile: nothing to verify.
        request.session[TWO_FACTOR_STATE] = "none"
        return redirect(next_url)
    form = TwoFactorVerifyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = services.two_factor_verify(user=user, code=form.cleaned_data["code"])
        if result.device is not None:
            _verified(request, result.device)
            recovery = isinstance(result.device, StaticDevice)
            log_event(
                "two_factor",
                "success",
                request=request,
                username=user.get_username(),
                method="recovery_code" if recovery else "app",
            )
            if recovery:
                left = result.device.token_set.count()
                messages.warning(
                    request,
                    _(
                        "You signed in with a recovery code; %(left)s are left. "
                        "Make new ones in your two-step verification settings."
                    )
                    % {"left": left},
                )
            return redirect(next_url)
        log_event(
            "two_factor",
            "throttled" if result.retry_at else "failure",
            request=request,
            username=user.get_username(),
            level=logging.WARNING,
        )
        if result.retry_at:
            wait = max(1, int((result.retry_at - timezone.now()).total_seconds()) + 1)
            form.add_error(
                "code",
                _(
                    "Too many wrong codes in a row. Wait %(seconds)s seconds, "
                    "then type the code the app shows."
                )
                % {"seconds": wait},
            )
        else:
            form.add_error(
                "code",
                _(
                    "This code is not right, or it was already used. Type the code "
                    "the app shows now, or an unused recovery code."
                ),
            )
    return render(
        request,
        "committees/two_factor_verify.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=form_status(form),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Recovery codes just made, shown once; a POST makes new ones."""
    if request.method == "POST":
        try:
            codes = services.recovery_codes_renew(user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("committees:two_factor")
        request.session[NEW_CODES] = codes
        messages.success(
            request, _("New recovery codes are made; the old ones no longer work.")
        )
        return redirect("committees:two_factor_recovery_codes")
    codes = request.session.pop(NEW_CODES, None)
    if not codes:
        return redirect("committees:two_factor")
    return render(
        request, "committees/two_factor_recovery_codes.html", {"codes": codes}
    )


@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    try:
        services.two_factor_disable(user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        request.session[TWO_FACTOR_STATE] = "none"
        messages.success(request, _("Two-step verification is turned off."))
    return redirect("committees:two_factor")


@require_POST
def account_two_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """Provincial staff remove a user's two-step verification (lost phone)."""
    account = account_selectors.account_get_for_user(user=request.user, pk=pk)
    try:
        services.two_factor_reset(user=account, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _(
                "Two-step verification of this account is removed and its open "
                "sessions have ended. The user sets it up again at the next sign-in."
            ),
        )
    return redirect("committees:account_detail", pk=account.pk)
