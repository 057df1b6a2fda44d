"""Reads for the units app.

Administrative areas are public reference data: every signed-in user may read
all of them, so these selectors take no user. Campaign objects that belong to a
locality are read through the scoped selectors of the campaign app.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.http import Http404

from units.choices import COMMUNE_LEVEL_KINDS, DISTRICT_LEVEL_KINDS, AreaKind
from units.models import Area, AreaSuccession
from units.text import fold


def valid_on_q(day: datetime.date, prefix: str = "") -> Q:
    """The condition "in force on ``day``" for an Area (optionally through a relation)."""
    return (
        Q(**{f"{prefix}valid_from__isnull": True})
        | Q(**{f"{prefix}valid_from__lte": day})
    ) & (Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day}))


def area_list(
    *,
    as_of: datetime.date,
    query: str = "",
    kind: str = "",
    parent: Area | None = None,
) -> QuerySet[Area]:
    """Areas in force on ``as_of``; ``query`` matches name or code, accents ignored."""
    areas = Area.objects.filter(valid_on_q(as_of)).select_related("parent")
    if query:
        folded = fold(query)
        areas = areas.filter(Q(search_name__contains=folded) | Q(code=query.strip()))
    if kind:
        areas = areas.filter(kind=kind)
    if parent is not None:
        areas = areas.filter(parent=parent)
    return areas.order_by("parent__code", "code", "name")


def area_list_any_date(*, query: str, limit: int = 10) -> list[Area]:
    """Units matching ``query`` at any date — to point a search that found
    nothing on the chosen date to the periods when such units existed."""
    folded = fold(query)
    return list(
        Area.objects.filter(Q(search_name__contains=folded) | Q(code=query.strip()))
        .select_related("parent")
        .order_by(F("valid_from").desc(nulls_last=True), "code")[:limit]
    )


def area_get(*, pk: int) -> Area:
    try:
        return Area.objects.select_related("parent").get(pk=pk)
    except Area.DoesNotExist:
        raise Http404("No such area.") from None


def area_counts_by_kind(*, as_of: datetime.date) -> dict[str, int]:
    counts = Counter(
        Area.objects.filter(valid_on_q(as_of)).values_list("kind", flat=True)
    )
    return {kind.value: counts.get(kind.value, 0) for kind in AreaKind}


def area_successions(
    *, area: Area
) -> tuple[list[AreaSuccession], list[AreaSuccession]]:
    """(what this area came from, what it became)."""
    related = list(
        AreaSuccession.objects.filter(Q(predecessor=area) | Q(successor=area))
        .select_related("predecessor__parent", "successor__parent")
        .order_by("date", "pk")
    )
    came_from = [s for s in related if s.successor_id == area.pk]
    became = [s for s in related if s.predecessor_id == area.pk]
    return came_from, became


@dataclass(frozen=True)
class DistrictSummary:
    """One district-level unit (or the province itself after 2025) and its communes."""

    area: Area
    communes: list[Area]
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return len(self.communes)


@dataclass(frozen=True)
class ProvinceCatalogue:
    as_of: datetime.date
    province: Area | None
    districts: list[DistrictSummary]
    totals: dict[str, int]

    @property
    def commune_level_total(self) -> int:
        return sum(self.totals[k] for k in COMMUNE_LEVEL_KINDS)

    @property
    def district_level_total(self) -> int:
        return sum(self.totals[k] for k in DISTRICT_LEVEL_KINDS)


def province_catalogue(
    *, as_of: datetime.date, province_codes: tuple[str, ...] = ()
) -> ProvinceCatalogue:
    """The province's administrative units in force on ``as_of``, grouped by the
    district-level unit they belong to (or directly by the province after the
    district level was abolished on 1 July 2025). The province is the first of
    ``province_codes`` in force on ``as_of`` (GSO codes change with a merger:
    An Giang was 89, the new An Giang is 91); without codes, the only province
    in force. Only that province's units are listed and counted, however many
    provinces the table holds. Two queries in all."""
    provinces = list(
        Area.objects.filter(valid_on_q(as_of), kind=AreaKind.PROVINCE).order_by("code")
    )
    if province_codes:
        rank = {code: i for i, code in enumerate(province_codes)}
        provinces = sorted(
            (p for p in provinces if p.code in rank), key=lambda p: rank[p.code]
        )
    elif len(provinces) > 1:
        provinces = []  # ambiguous: never guess which one is meant
    province = provinces[0] if provinces else None
    areas = (
        list(
            Area.objects.filter(
                Q(parent=province) | Q(parent__parent=province), valid_on_q(as_of)
            ).order_by("code", "name")
        )
        if province is not None
        else []
    )
    children: dict[int | None, list[Area]] = {}
    for area in areas:
        children.setdefault(area.parent_id, []).append(area)
    groups: list[DistrictSummary] = []
    district_kinds = set(DISTRICT_LEVEL_KINDS)
    commune_kinds = set(COMMUNE_LEVEL_KINDS)
    if province is not None:
        direct = children.get(province.pk, [])
        for district in (a for a in direct if a.kind in district_kinds):
            communes = [
                c for c in children.get(district.pk, []) if c.kind in commune_kinds
            ]
            groups.append(_summary(district, communes))
        direct_communes = [a for a in direct if a.kind in commune_kinds]
        if direct_communes:
            groups.append(_summary(province, direct_communes))
    totals = Counter(a.kind for a in areas)
    if province is not None:
        totals[province.kind] += 1
    return ProvinceCatalogue(
        as_of=as_of,
        province=province,
        districts=groups,
        totals={kind.value: totals.get(kind.value, 0) for kind in AreaKind},
    )


def configured_province_catalogue(*, as_of: datetime.date) -> ProvinceCatalogue:
    """The catalogue of the province this deployment serves
    (``CAMPAIGN_PROVINCE_CODES``)."""
    return province_catalogue(
        as_of=as_of, province_codes=tuple(settings.CAMPAIGN_PROVINCE_CODES)
    )


def _summary(area: Area, communes: list[Area]) -> DistrictSummary:
    counts = Counter(c.kind for c in communes)
    return DistrictSummary(
        area=area,
        communes=sorted(communes, key=lambda c: c.code),
        counts={kind.value: counts.get(kind.value, 0) for kind in COMMUNE_LEVEL_KINDS},
    )
