"""The units a commendation or a review row may be about — approved
registrations and ward police of the user's scope — as querysets, so that the
searchable unit picker (units/widgets.py) reads at most threshold + 1 rows of
them and searches them in one query each, whatever their number. Walking
every ward police in Python to keep those in scope cost one row per ward
police of the country."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from campaign.assessments.selectors.ward_police import ward_police_visible_q
from campaign.committees import access
from campaign.registrations.choices import RegistrationStatus
from campaign.registrations.models import Registration
from campaign.registrations.selectors.registrations import registration_scope_q
from units.models import WardPolice
from units.selectors import folded_name_search

User = access.Reader


@dataclass(frozen=True)
class AwardUnits:
    """The units a commendation or a review row may be about, as the user may
    choose them: approved registrations (newest year first) and ward police
    (by name), both scoped querysets."""

    registrations: QuerySet[Registration]
    ward_police: QuerySet[WardPolice]


def award_ward_police_scope_q(user: User) -> Q:
    """Ward police whose ward lies in the user's area at any time it was in
    force: the rule of ``ward_police_get_for_user`` (the ward, its city or
    town, or its commune-level parent is the area of one of the user's
    committees), as a filter."""
    return ward_police_visible_q(user)


def award_units_for_user(*, user: User) -> AwardUnits:
    """Approved registrations and ward police the user may see (no query
    until read)."""
    registrations = Registration.objects.filter(
        registration_scope_q(user), status=RegistrationStatus.APPROVED
    ).order_by("-year", "unit_name", "pk")
    ward_police = (
        WardPolice.objects.filter(award_ward_police_scope_q(user))
        .select_related("area__parent")
        .order_by("search_name", "area__valid_from", "pk")
    )
    return AwardUnits(registrations=registrations, ward_police=ward_police)


def award_registration_search(
    *, registrations: QuerySet[Registration], query: str, limit: int
) -> QuerySet[Registration]:
    """The registrations of ``registrations`` (already scoped) whose unit's
    name holds every word of ``query``, accents ignored, best matches then
    the newest year first; one query."""
    return folded_name_search(
        registrations, query, limit=limit, then=("-year", "search_name", "pk")
    )


def award_ward_police_search(
    *, ward_police: QuerySet[WardPolice], query: str, limit: int
) -> QuerySet[WardPolice]:
    """As ``award_registration_search``, for ward police."""
    return folded_name_search(
        ward_police, query, limit=limit, then=("search_name", "area__valid_from", "pk")
    )
