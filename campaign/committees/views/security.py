"""The answer to a locked sign-in (django-axes' lockout callable), on the app's
own login page and for Django's admin login alike."""

from __future__ import annotations

import math

from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from campaign.committees.throttling import lock_ends_at

# Too Many Requests: the client is asked to slow down, not refused for good.
LOCKED_STATUS = 429


def login_locked(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The login page with the time the user may try again. The page is the
    same whether the user name exists or not: an empty form (nothing typed is
    echoed back) and the same message."""
    until = lock_ends_at(request, credentials)
    next_url = request.POST.get("next", request.GET.get("next", ""))
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    seconds = (
        max(1, math.ceil((until - timezone.now()).total_seconds())) if until else None
    )
    response = render(
        request,
        "registration/login.html",
        {
            "form": AuthenticationForm(request),
            "next": next_url,
            "locked": True,
            "locked_until": until,
            "locked_minutes": math.ceil(seconds / 60) if seconds else None,
        },
        status=LOCKED_STATUS,
    )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
