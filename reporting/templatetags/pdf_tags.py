"""Filters for the official-document (PDF) templates.

Vietnamese wording regardless of the interface language: these documents follow
Decree 30/2020/NĐ-CP and are always written in Vietnamese.
"""

from __future__ import annotations

import datetime

from django import template
from django.utils import translation

from units.choices import AREA_KIND_PREFIX, COMMUNE_LEVEL_KINDS

register = template.Library()

KIND_LABELS: dict[str, str] = {
    str(kind): label for kind, label in AREA_KIND_PREFIX.items()
}


def vn_long_date(day: datetime.date) -> str:
    """Like "ngày 08 tháng 02 năm 2023": days < 10 and months 1–2 zero-padded
    (Decree 30)."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_date(place: str, day: datetime.date) -> str:
    """The header line "An Giang, ngày 08 tháng 02 năm 2023"."""
    return f"{place}, {vn_long_date(day)}"


@register.filter
def vn_date(day: datetime.date | None) -> str:
    return vn_long_date(day) if day else ""


@register.filter
def vn_kind(kind: str) -> str:
    """Vietnamese label of an area kind: "ward" → "Phường"."""
    return KIND_LABELS.get(str(kind), str(kind))


@register.filter
def kind_counts(counts: dict[str, int]) -> str:
    """{"ward": 3, "commune": 7} → "3 phường, 7 xã" (zero counts left out)."""
    parts = [
        f"{counts[str(kind)]} {KIND_LABELS[str(kind)].lower()}"
        for kind in COMMUNE_LEVEL_KINDS
        if counts.get(str(kind))
    ]
    return ", ".join(parts)


@register.simple_tag
def vi_en(vietnamese: str, english: str) -> str:
    """The fixed wording of an official document in the document's language:
    the Vietnamese is the authoritative text (written here, next to its
    English rendering, rather than looked up in a catalogue that could drift
    from the decree's wording)."""
    language = translation.get_language() or "vi"
    return english if language.startswith("en") else vietnamese


@register.filter
def share(part: int, whole: int) -> str:
    """``part`` of ``whole`` in per cent, one decimal in the Vietnamese way
    ("36,4 %"); a dash when there is no whole."""
    if not whole:
        return "–"
    value = f"{100 * part / whole:.1f}".rstrip("0").rstrip(".")
    language = translation.get_language() or "vi"
    if not language.startswith("en"):
        value = value.replace(".", ",")
    return f"{value} %"


@register.filter
def dash(value) -> str:
    """A number, or an en dash when there is none."""
    return "–" if value is None or value == "" else str(value)
