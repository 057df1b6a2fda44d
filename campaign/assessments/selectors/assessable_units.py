"""The units an officer may start an assessment of in a year — ward police in
force that year and approved registrations whose phase holds it — as scoped
querysets, so that the searchable unit picker (units/widgets.py) reads at most
threshold + 1 rows of them and searches them in one query each, whatever their
number. The list it replaces read every ward
police of the country in force that year, and the user's scope once per day
those wards were looked at."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from campaign.assessments.models import Assessment
from campaign.assessments.selectors.award_units import award_ward_police_scope_q
from campaign.committees import access
from campaign.planning.models import Phase
from campaign.registrations.choices import RegistrationStatus
from campaign.registrations.models import Registration
from campaign.registrations.selectors.registrations import registration_scope_q
from units.models import WardPolice
from units.selectors import folded_name_search

User = access.Reader


def _in_force_in_year_q(year: int, prefix: str = "") -> Q:
    """In force on at least one day of ``year``."""
    first = datetime.date(year, 1, 1)
    last = datetime.date(year, 12, 31)
    return (
        Q(**{f"{prefix}valid_from__isnull": True})
        | Q(**{f"{prefix}valid_from__lte": last})
    ) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": first})
    )


@dataclass(frozen=True)
class AssessableUnitSets:
    """What an officer may start an assessment of in ``year``: the ward
    police (by name) and the approved registrations (by unit name) of their
    scope, both scoped querysets (no query until read)."""

    year: int
    ward_police: QuerySet[WardPolice]
    registrations: QuerySet[Registration]


def assessable_unit_sets_for_user(*, user: User, year: int) -> AssessableUnitSets:
    """The ward police and approved registrations the user may assess for
    ``year``.

    A ward police is the user's when its ward lies in their area: the ward, its
    city or town, or its commune-level parent is the area of one of their
    committees. The list used to check that on the day each ward is looked at
    (``unit_day``), but a ward's place does not change while it is in force
    (a reorganisation makes a new ward), and that day is always one it is in
    force: so the rule holds whatever the day, and is one filter."""
    ward_police = WardPolice.objects.filter(
        _in_force_in_year_q(year, "area__"), award_ward_police_scope_q(user)
    ).order_by("name", "pk")
    registrations = Registration.objects.filter(
        registration_scope_q(user),
        status=RegistrationStatus.APPROVED,
        year__lte=year,
        phase__in=Phase.objects.filter(start_year__lte=year, end_year__gte=year),
    ).order_by("unit_name", "pk")
    return AssessableUnitSets(
        year=year, ward_police=ward_police, registrations=registrations
    )


def assessable_unit_count(units: AssessableUnitSets) -> int:
    """How many units the sets hold, in one query (the page says it)."""
    return (
        units.ward_police.order_by()
        .values("pk")
        .union(units.registrations.order_by().values("pk"), all=True)
        .count()
    )


def assessed_unit_ids(
    *,
    year: int,
    ward_police_ids: Iterable[int],
    registration_ids: Iterable[int],
) -> tuple[frozenset[int], frozenset[int]]:
    """Which of these ward police and registrations already have an
    assessment of ``year`` (to say so beside them), in one query; none when
    no id is given."""
    ward_police_ids = list(ward_police_ids)
    registration_ids = list(registration_ids)
    if not ward_police_ids and not registration_ids:
        return frozenset(), frozenset()
    rows = (
        Assessment.objects.filter(year=year)
        .filter(
            Q(ward_police_id__in=ward_police_ids)
            | Q(registration_id__in=registration_ids)
        )
        .values_list("ward_police_id", "registration_id")
    )
    ward_police: set[int] = set()
    registrations: set[int] = set()
    for ward_police_id, registration_id in rows:
        if ward_police_id:
            ward_police.add(ward_police_id)
        if registration_id:
            registrations.add(registration_id)
    return frozenset(ward_police), frozenset(registrations)


def assessable_ward_police_search(
    *, ward_police: QuerySet[WardPolice], query: str, limit: int
) -> QuerySet[WardPolice]:
    """The ward police of ``ward_police`` (already scoped) whose name holds
    every word of ``query``, accents ignored, best matches first; one query."""
    return folded_name_search(
        ward_police, query, limit=limit, then=("search_name", "pk")
    )


def assessable_registration_search(
    *, registrations: QuerySet[Registration], query: str, limit: int
) -> QuerySet[Registration]:
    """As ``assessable_ward_police_search``, for registrations."""
    return folded_name_search(
        registrations, query, limit=limit, then=("search_name", "pk")
    )
