"""What the login-protection tests share: a sign-in attempt, codes of an
authenticator app, the security log's entries, pages compared for equality."""

from __future__ import annotations

import json
import re
import time
from binascii import unhexlify

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP


def attempt(client: Client, username: str, password: str, url: str = "", **extra):
    """One sign-in through the login form (or the admin's, with ``url``)."""
    return client.post(
        url or reverse("login"), {"username": username, "password": password}, **extra
    )


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def app_code(key: str, steps: int = 0) -> str:
    """The code an authenticator app holding ``key`` shows now (or ``steps``
    periods of 30 seconds later)."""
    totp = TOTP(unhexlify(key))
    totp.time = time.time() + 30 * steps
    return f"{totp.token():06d}"


def entries(records) -> list[dict]:
    """The security log's records (from ``assertLogs("security")``) as dicts."""
    return [json.loads(record.getMessage()) for record in records]


_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')
_HX_TOKEN = re.compile(r'("X-CSRFToken": ")[^"]+(")')


def without_tokens(body: bytes, *typed: str) -> str:
    """A page with its CSRF tokens (different on every page) and the given
    typed values blanked, for comparing two answers."""
    text = body.decode()
    text = _CSRF.sub(r"\1…\2", text)
    text = _HX_TOKEN.sub(r"\1…\2", text)
    for value in typed:
        text = text.replace(value, "…")
    return text
