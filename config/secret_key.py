"""What makes a ``SECRET_KEY`` unfit for a deployment.

Django signs sessions, password-reset links, CSRF tokens and the app's own
signed values (kept uploads) with ``SECRET_KEY``: whoever knows it can forge
them. ``manage.py check --deploy`` only *warns* about a weak key
(``security.W009``), and a placeholder copied from ``.env.example`` is long
and varied enough to pass that check. So settings refuse to start with DEBUG
off when :func:`weakness` finds anything; the rules are Django's own (at least
50 characters, at least 5 different ones, not a ``django-insecure-`` key from
``startproject``) plus the placeholders this project ships.
"""

from __future__ import annotations

import re

MIN_LENGTH = 50
MIN_UNIQUE_CHARACTERS = 5
HOW_TO_MAKE_ONE = 'python3 -c "import secrets; print(secrets.token_urlsafe(50))"'

# Placeholders and throw-away keys that appear in this repository or Django's.
KNOWN_PLACEHOLDERS = frozenset(
    {
        "change-me-to-50-random-characters-for-production-use",  # .env.example
        "insecure-development-key-only-for-DEBUG",  # settings, DEBUG only
    }
)
_PLACEHOLDER_WORDS = re.compile(r"change[-_ ]?me|changeme|replace[-_ ]?me", re.I)


def weakness(key: str) -> str | None:
    """Why ``key`` must not sign anything in a deployment, or ``None``.

    The reason never contains the key itself (it ends up in logs)."""
    if key in KNOWN_PLACEHOLDERS or _PLACEHOLDER_WORDS.search(key):
        return "is a placeholder"
    if key.startswith("django-insecure-"):
        return "is a development key made by startproject ('django-insecure-')"
    if len(key) < MIN_LENGTH:
        return f"is too short ({len(key)} characters; at least {MIN_LENGTH})"
    if len(set(key)) < MIN_UNIQUE_CHARACTERS:
        return (
            f"has too few different characters ({len(set(key))}; "
            f"at least {MIN_UNIQUE_CHARACTERS})"
        )
    return None
