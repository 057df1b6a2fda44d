"""Accent folding for search: "my xuyen" finds "Mỹ Xuyên" on SQLite and PostgreSQL.

The database keeps a folded copy of each searchable name, so the same plain
``icontains`` lookup works on every backend without extensions (unaccent).
"""

from __future__ import annotations

import unicodedata

# Letters that Unicode does not decompose into a base letter plus a mark.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lowercase ``text`` and strip Vietnamese diacritics: "Mỹ Xuyên" -> "my xuyen"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
