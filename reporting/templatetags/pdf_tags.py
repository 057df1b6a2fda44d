"""Filters for the official-document (PDF) templates.

Vietnamese wording regardless of the interface language: these documents follow
Decree 30/2020/NĐ-CP and are always written in Vietnamese.
"""

from __future__ import annotations

import datetime

from django import template

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
