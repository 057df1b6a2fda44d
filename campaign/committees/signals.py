"""Receivers of the sign-in signals: the security log's lines, and the
session's clocks and two-step state at sign-in. They write nothing to the
database (the session is the request's own)."""

from __future__ import annotations

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver

from campaign.committees.middleware import (
    LOGOUT_REASON_ATTRIBUTE,
    TWO_FACTOR_STATE,
    session_times_start,
)
from campaign.committees.security import log_event
from campaign.committees.selectors.two_factor import two_factor_enabled


@receiver(user_logged_in, dispatch_uid="committees_security_logged_in")
def on_logged_in(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    session_times_start(request)
    request.session[TWO_FACTOR_STATE] = "device" if two_factor_enabled(user) else "none"
    log_event("login", "success", request=request, username=user.get_username())


@receiver(user_login_failed, dispatch_uid="committees_security_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already masked the password in ``credentials``; only the
    # user name is read from it.
    username = credentials.get("username")
    # Axes (connected first) marks a request it refused before the password was
    # checked: locked, and not counted as a new failure.
    refused = (
        request is not None
        and getattr(request, "axes_locked_out", False)
        and getattr(request, "axes_failures_since_start", None) is None
    )
    log_event(
        "login",
        "refused_locked" if refused else "failure",
        request=request,
        username=username,
        level=logging.WARNING,
    )


@receiver(user_locked_out, dispatch_uid="committees_security_locked_out")
def on_locked_out(sender, request=None, username=None, **kwargs) -> None:
    # Sent again for every attempt refused during a lock; only the failure
    # that starts it is a lock-out (the others are logged as refused above).
    if request is not None and request.axes_failures_since_start is None:
        return
    log_event(
        "lockout",
        "locked",
        request=request,
        username=username,
        level=logging.WARNING,
    )


@receiver(user_logged_out, dispatch_uid="committees_security_logged_out")
def on_logged_out(sender, request, user, **kwargs) -> None:
    log_event(
        "logout",
        getattr(request, LOGOUT_REASON_ATTRIBUTE, "success"),
        request=request,
        username=user.get_username() if user is not None else None,
    )
