"""What every request of a signed-in user passes through: the session's time
limits, the two-step verification step, and the security log of refused
requests.

None of them adds a query to an ordinary page: the times and the user's
two-step state are kept in the session, which is read anyway, and the session
is written at most once a minute for the activity time.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from campaign.committees.security import log_event, username_of
from campaign.committees.selectors.two_factor import (
    two_factor_enabled,
    two_factor_required_for,
)

# Session keys. The times are whole seconds since the epoch (UTC).
LOGIN_AT = "security_login_at"
SEEN_AT = "security_seen_at"
# "device": the user has set up two-step verification and must pass it in
# this session; "none": they have not.
TWO_FACTOR_STATE = "security_two_factor"
# Why the session was ended, for the security log's logout line.
LOGOUT_REASON_ATTRIBUTE = "_security_logout_reason"

# The activity time is written when it is older than this: an idle limit of
# 30 minutes then ends a session between 30 and 31 minutes after the last
# request, and most requests do not write the session at all.
ACTIVITY_RESOLUTION_SECONDS = 60

ABSOLUTE_LIMIT_MESSAGE = _(
    "Your session has ended: a sign-in lasts at most %(hours)s hours. "
    "Please sign in again."
)

# Pages a user who still owes the verification step may open.
_ALWAYS_OPEN = frozenset({"logout", "admin:logout", "set_language", "healthz"})
OPEN_BEFORE_VERIFICATION = _ALWAYS_OPEN | {"committees:two_factor_verify"}
OPEN_BEFORE_SETUP = _ALWAYS_OPEN | {"committees:two_factor_setup"}


def _now() -> int:
    return int(timezone.now().timestamp())


def session_times_start(request: HttpRequest) -> None:
    """Start both clocks of a new sign-in."""
    now = _now()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now


def idle_limit_message(seconds: int) -> str:
    minutes = max(1, seconds // 60)
    return ngettext(
        "Your session has ended after %(minutes)s minute without activity. "
        "Please sign in again.",
        "Your session has ended after %(minutes)s minutes without activity. "
        "Please sign in again.",
        minutes,
    ) % {"minutes": minutes}


class SessionTimeoutMiddleware:
    """Ends a session after ``SESSION_IDLE_TIMEOUT_SECONDS`` without a request
    and ``SESSION_COOKIE_AGE`` after the sign-in, whatever the activity; the
    login page then says why. Runs before the login requirement, which sends
    the now anonymous visitor to the login page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        session = request.session
        now = _now()
        login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
        if not isinstance(login_at, int) or not isinstance(seen_at, int):
            # A session opened before the clocks existed starts them now.
            session_times_start(request)
            return
        idle_limit = settings.SESSION_IDLE_TIMEOUT_SECONDS
        if now - login_at >= settings.SESSION_COOKIE_AGE:
            self._end(
                request,
                "absolute_timeout",
                ABSOLUTE_LIMIT_MESSAGE
                % {"hours": f"{settings.SESSION_COOKIE_AGE / 3600:g}"},
            )
        elif idle_limit and now - seen_at >= idle_limit:
            self._end(request, "idle_timeout", idle_limit_message(idle_limit))
        elif now - seen_at >= ACTIVITY_RESOLUTION_SECONDS:
            session[SEEN_AT] = now

    @staticmethod
    def _end(request: HttpRequest, reason: str, message: str) -> None:
        setattr(request, LOGOUT_REASON_ATTRIBUTE, reason)
        logout(request)
        messages.info(request, message)


def _verification_url(request: HttpRequest) -> str:
    url = reverse("committees:two_factor_verify")
    if request.method == "GET":
        url += "?" + urlencode({"next": request.get_full_path()})
    return url


class TwoFactorMiddleware:
    """Sends a signed-in user who has set up two-step verification to the
    verification step, and a user whose role requires it but who has not set
    it up to the set-up page, before any other page (the admin included)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        state = request.session.get(TWO_FACTOR_STATE)
        if state is None:
            state = "device" if two_factor_enabled(user) else "none"
            request.session[TWO_FACTOR_STATE] = state
        name = request.resolver_match.view_name if request.resolver_match else ""
        if state == "device":
            if name in OPEN_BEFORE_VERIFICATION:
                return None
            return redirect(_verification_url(request))
        if two_factor_required_for(user) and name not in OPEN_BEFORE_SETUP:
            return redirect("committees:two_factor_setup")
        return None


class SecurityLogMiddleware:
    """One line of the security log for each request a view refused: a
    function the user may not use (403) or an object outside their scope
    (404, raised by the scoped selectors)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        # Nothing is returned: Django answers the exception as it always does.
        if isinstance(exception, PermissionDenied):
            outcome, status = "forbidden", 403
        elif isinstance(exception, Http404):
            outcome, status = "not_found", 404
        else:
            return
        log_event(
            "access",
            outcome,
            request=request,
            username=username_of(request.user),
            status=status,
            method=request.method,
        )
