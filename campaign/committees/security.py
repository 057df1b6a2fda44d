"""The security log and the client's address.

One line per event on the ``security`` logger — a sign-in, a failed one, a
lock-out, a sign-out, a session ended by a time limit, a two-step
verification passed or failed, a page refused (403) or an object outside the
user's scope (404) — written as one JSON object: the UTC time, the event, the
outcome, the user name, the client's address and the path. Nothing secret is
ever passed in (no password, code, token or session key), and JSON escapes
CR/LF and every other control character, so a user name such as
``"foo\\r\\nINFO fake"`` cannot start a forged line.

The client's address: behind a reverse proxy ``REMOTE_ADDR`` is the proxy's;
the client is read from ``X-Forwarded-For``, counting only the entries the
``TRUSTED_PROXY_COUNT`` proxies in front of the app appended (anything further
left was sent by the client and may be forged).
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import logging

from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger("security")

# A user name longer than this is cut in the log (the form allows 150).
_MAX_TEXT = 200


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the outermost trusted proxy saw it; with no
    trusted proxy, the peer address of the connection."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    chain = [*forwarded, remote] if remote else forwarded
    # The last entry is the proxy next to us (REMOTE_ADDR); each trusted proxy
    # appended the address it received the request from.
    if len(chain) <= proxies:
        # Fewer hops than proxies configured: the request did not come through
        # them all, so nothing in the header can be trusted.
        return remote
    candidate = chain[-(proxies + 1)]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _text(value: object) -> str:
    text = str(value)
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "…"


def log_event(
    event: str,
    outcome: str,
    *,
    request: HttpRequest | None = None,
    username: str | None = None,
    level: int = logging.INFO,
    **details: object,
) -> None:
    """Write one entry of the security log. ``details`` are short facts (a
    status code, a reason, a number of minutes) — never a secret."""
    entry: dict[str, object] = {
        "time": datetime.datetime.now(datetime.UTC)
        .isoformat(timespec="seconds")
        .replace("+00:00", "Z"),
        "level": logging.getLevelName(level),
        "event": event,
        "outcome": outcome,
        "user": _text(username) if username is not None else None,
        "ip": client_ip(request) if request is not None else None,
        "path": _text(request.path) if request is not None else None,
    }
    entry.update({key: _text(value) for key, value in details.items()})
    # ensure_ascii: a Vietnamese or hostile user name is written as \\uXXXX
    # escapes, so the line is plain ASCII whatever the log's encoding.
    logger.log(level, json.dumps(entry, ensure_ascii=True, sort_keys=False))


def username_of(user: object) -> str | None:
    """The user name of a signed-in user; ``None`` for anyone else."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.get_username()  # type: ignore[attr-defined]
