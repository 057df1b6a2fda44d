"""Reads for the units app.

Administrative areas are public reference data: every signed-in user may read
all of them, so these selectors take no user. Campaign objects that belong to a
locality are read through the scoped selectors of the campaign app.
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.urls import reverse

from units.choices import COMMUNE_LEVEL_KINDS, DISTRICT_LEVEL_KINDS, AreaKind
from units.models import Area, AreaSuccession, Organisation
from units.text import fold

logger = logging.getLogger(__name__)


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
    # By code: GSO codes are given in order within each parent (a district's
    # communes, then the next district's), so this is the order of the
    # hierarchy, and an index on the code serves it without sorting every
    # unit in force (about 3,300 at national scale).
    return areas.order_by("code", "name", "pk")


@dataclass(frozen=True)
class AreaRow:
    """One row of the areas list, every value ready to print."""

    code: str
    full_name: str
    url: str
    kind_label: str
    parent_name: str


def area_rows(areas: Iterable[Area], *, as_of: datetime.date) -> list[AreaRow]:
    """The list's rows for ``areas`` (a page, read with its parents), each
    linking to the area as of ``as_of``.

    Done here once per page rather than per row in the template: the kind
    labels are translated once, the detail URL is reversed once and the date
    formatted once (the template language costs about 0.2 ms per row for
    those lookups, a tenth of the whole page at 50 rows).
    """
    kind_labels = {kind.value: str(kind.label) for kind in AreaKind}
    # Reversed once with a placeholder id, filled in per row.
    placeholder = 2_147_483_647
    detail_url = reverse("units:area_detail", kwargs={"pk": placeholder})
    query = f"?as_of={as_of:%Y-%m-%d}"
    return [
        AreaRow(
            code=area.code,
            full_name=area.full_name,
            url=detail_url.replace(str(placeholder), str(area.pk)) + query,
            kind_label=kind_labels.get(area.kind, area.kind),
            parent_name=area.parent.full_name if area.parent is not None else "",
        )
        for area in areas
    ]


def area_list_any_date(*, query: str, limit: int = 10) -> list[Area]:
    """Units matching ``query`` at any date — to point a search that found
    nothing on the chosen date to the periods when such units existed."""
    folded = fold(query)
    return list(
        Area.objects.filter(Q(search_name__contains=folded) | Q(code=query.strip()))
        .select_related("parent")
        .order_by(F("valid_from").desc(nulls_last=True), "code")[:limit]
    )


def _match_rank(phrase: str, column: str = "search_name") -> Case:
    """0: the folded name starts with the phrase or has it at a word start;
    1: elsewhere; 2: only the words, scattered."""
    return Case(
        When(**{f"{column}__startswith": phrase}, then=Value(0)),
        When(**{f"{column}__contains": f" {phrase}"}, then=Value(0)),
        When(**{f"{column}__contains": phrase}, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def _search_words(query: str) -> tuple[str, list[str]]:
    phrase = fold(query)
    return phrase, phrase.split()


def folded_name_search(
    rows: QuerySet,
    query: str,
    *,
    limit: int,
    then: tuple[Any, ...] = ("search_name", "pk"),
    column: str = "search_name",
) -> QuerySet:
    """The rows of ``rows`` (already scoped by the caller) whose folded
    ``column`` (``search_name``, or a related one: ``area__search_name``) holds every word of ``query``, accents ignored: those with
    the phrase at the start or at a word's start first, then anywhere, then the
    words scattered; ties in the order of ``then``. One query: ``__contains``
    on the folded column, which its trigram index serves on PostgreSQL. Shared
    by the comboboxes' searches of areas, organisations, registrations and
    ward police."""
    phrase, words = _search_words(query)
    for word in words:
        rows = rows.filter(**{f"{column}__contains": word})
    return rows.annotate(match_rank=_match_rank(phrase, column)).order_by(
        "match_rank", *then
    )[:limit]


def area_search(*, areas: QuerySet[Area], query: str, limit: int) -> QuerySet[Area]:
    """The areas of ``areas`` (already scoped) matching ``query``
    (``folded_name_search``)."""
    return folded_name_search(areas, query, limit=limit)


def organisation_search(
    *, organisations: QuerySet[Organisation], query: str, limit: int
) -> QuerySet[Organisation]:
    """As ``area_search``, for organisations (agencies, enterprises, schools)."""
    return folded_name_search(organisations, query, limit=limit)


def area_get(*, pk: int) -> Area:
    try:
        return Area.objects.select_related("parent").get(pk=pk)
    except Area.DoesNotExist:
        raise Http404("No such area.") from None


# How long the count of areas by kind is kept; areas change only when
# ``load_areas`` runs, which starts a new generation (``AREAS_GENERATION_KEY``).
AREA_COUNTS_SECONDS = 3600
AREAS_GENERATION_KEY = "units:areas-generation"


def _area_counts_key(as_of: datetime.date) -> str:
    # The newest area's id and the database's name are in the key: a bulk
    # load that bypasses ``areas_load`` (benchmarks) or another database
    # sharing the cache (tests, demo and benchmark runs) never reads counts
    # made on other rows.
    newest = Area.objects.aggregate(newest=Max("pk"))["newest"]
    database = connection.settings_dict["NAME"]
    return f"units:area-counts:{database}:{newest}:{as_of.isoformat()}"


def area_counts_by_kind(*, as_of: datetime.date) -> dict[str, int]:
    """How many areas of each kind are in force on ``as_of``.

    Counted in the database (GROUP BY) and kept in the cache for the current
    generation of the area data: about 3,300 commune-level units at national
    scale would otherwise be read on every request of the areas list. One
    index lookup and one cache round trip when kept.
    """
    key = _area_counts_key(as_of)
    try:
        kept = None
        found = cache.get_many([AREAS_GENERATION_KEY, key])
        generation = found.get(AREAS_GENERATION_KEY, 0)
        entry = found.get(key)
        if entry is not None and entry[0] == generation:
            kept = entry[1]
    except Exception:  # noqa: BLE001 - the cache is unreachable: count in the request
        logger.warning("the cache did not answer: area counts", exc_info=True)
        generation, kept = None, None
    if kept is not None:
        return kept
    counts = dict(
        Area.objects.filter(valid_on_q(as_of))
        .order_by()
        .values_list("kind")
        .annotate(count=Count("pk"))
    )
    result = {kind.value: counts.get(kind.value, 0) for kind in AreaKind}
    if generation is not None:
        try:
            cache.set(key, (generation, result), AREA_COUNTS_SECONDS)
        except Exception:  # noqa: BLE001 - keeping is only a saving
            logger.warning("the cache did not answer: area counts", exc_info=True)
    return result


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
