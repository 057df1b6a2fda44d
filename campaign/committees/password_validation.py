"""A password validator for the words everyone here tries first.

Django's ``CommonPasswordValidator`` knows the world's common passwords
("password123") but not this site's: "matkhau123456" (mật khẩu = password),
"AnGiang@2026", "CongAn138138". This one refuses a password whose letters,
accents and case ignored, are only such words — one or several, with any
digits and signs around them (ASVS 6.2.11, context-specific words). It sets
no composition rule: any password with other words in it passes.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from units.text import fold

# Folded, letters only. The site, its place and its people, and the words
# for "password" and "admin" in Vietnamese and English.
CONTEXT_WORDS = (
    "matkhau",
    "password",
    "passwd",
    "angiang",
    "longxuyen",
    "chaudoc",
    "bancd",
    "banchidao",
    "bcd",
    "congan",
    "conganphuong",
    "antoan",
    "anninh",
    "quantri",
    "admin",
    "administrator",
    "vietnam",
    "abc",
    "qwerty",
    "asdf",
    "iloveyou",
    "anhyeuem",
    "emyeuanh",
)
_ONLY_CONTEXT_WORDS = re.compile(
    "^(?:" + "|".join(sorted(CONTEXT_WORDS, key=len, reverse=True)) + ")+$"
)


def _letters(password: str) -> str:
    return re.sub(r"[^a-z]", "", fold(password))


class ContextWordPasswordValidator:
    """Refuses a password made only of the site's obvious words and digits."""

    def validate(self, password: str, user=None) -> None:
        if _ONLY_CONTEXT_WORDS.match(_letters(password)):
            raise ValidationError(
                _(
                    "This password is too easy to guess: it is made only of words "
                    "anyone would try here first (such as “mật khẩu” or “An "
                    "Giang”) with digits or signs."
                ),
                code="password_context_words",
            )

    def get_help_text(self) -> str:
        return _(
            "Your password cannot be only words such as “mật khẩu” or “An Giang” "
            "with digits."
        )
