"""Login throttling (django-axes), kept in the database so a lock survives a
restart and holds across every web process.

Two limits, both over the cool-off (``LOGIN_COOLOFF_SECONDS``, counted from
the last failure):

* a user name tried from one address: ``LOGIN_FAILURE_LIMIT`` failures (axes'
  own lock, parameters ``[["username", "ip_address"]]``) — the person at that
  address must wait, while the same user name from elsewhere still works, so
  nobody can lock a colleague out from outside;
* one address, whatever the user names: ``LOGIN_IP_FAILURE_LIMIT`` failures
  (0: off) — someone trying many user names from one place (password
  spraying) is stopped too.

A locked attempt is refused before the password is checked — even the right
password — and it is not counted, so the time shown to the user holds. User
names that exist and user names that do not are counted alike: the answers
never tell them apart.
"""

from __future__ import annotations

import datetime

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
from django.http import HttpRequest


def _recent(request: HttpRequest) -> QuerySet[AccessAttempt]:
    return AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        attempt_time__gte=get_cool_off_threshold(request),
    )


def _address_failures(request: HttpRequest) -> int:
    total = _recent(request).aggregate(total=Sum("failures_since_start"))["total"]
    return total or 0


def address_locked(request: HttpRequest) -> bool:
    """Whether the client's address has failed too often, whatever the names."""
    limit = settings.LOGIN_IP_FAILURE_LIMIT
    return limit > 0 and _address_failures(request) >= limit


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler with the per-address limit added."""

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out:
            return
        # This failure was counted (axes computed the total); if it takes the
        # address over its limit, this very answer is the lock-out page.
        if request.axes_failures_since_start is not None and address_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )


def lock_ends_at(
    request: HttpRequest, credentials: dict | None = None
) -> datetime.datetime | None:
    """When the lock on this attempt ends: the cool-off after the last failure
    that counts towards it (the user name's from this address, or the
    address's when only the address is over its limit)."""
    cool_off = get_cool_off(request)
    if cool_off is None:
        return None
    recent = _recent(request)
    username = get_client_username(request, credentials)
    own = recent.filter(username=username)
    own_failures = own.aggregate(total=Sum("failures_since_start"))["total"] or 0
    counted = own if own_failures >= get_failure_limit(request, credentials) else recent
    last = counted.aggregate(last=Max("attempt_time"))["last"]
    if last is None:
        return None
    return last + cool_off
