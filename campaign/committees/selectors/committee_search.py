"""Committees as a choice list (the localities of the filters): read a few at
a time and searched by name, never listed whole — a national database holds
thousands of them. Scoped as ``committee_list_for_user``."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from campaign.committees import access
from campaign.committees.choices import CommitteeLevel
from campaign.committees.models import SteeringCommittee
from units.selectors import folded_name_search

# The province first, then the districts (until 2025), then the communes.
_LEVEL_RANK = Case(
    *(
        When(level=level, then=Value(rank))
        for rank, level in enumerate(CommitteeLevel.values)
    ),
    output_field=IntegerField(),
)


def committee_choice_list_for_user(
    *, user: access.Reader, scope: Q | None = None
) -> QuerySet[SteeringCommittee]:
    """The committees the user may see (``committee_scope_q``), without the
    member counts of ``committee_list_for_user``: by level, the province
    first, then those in force first and by area name. ``scope``: the
    user's scope computed already (it costs two queries for a local
    officer)."""
    if scope is None:
        scope = access.committee_scope_q(user)
    return (
        SteeringCommittee.objects.filter(scope)
        .annotate(level_rank=_LEVEL_RANK)
        .order_by("level_rank", "-valid_from", "area__search_name", "short_name")
    )


def committee_choices_by_pk(
    *, committees: QuerySet[SteeringCommittee], values: Iterable[str]
) -> QuerySet[SteeringCommittee]:
    """The committees of ``committees`` among the posted ``values`` (anything
    that is not an id is ignored): one query, whatever the list's size."""
    ids = [int(v) for v in values if str(v).isdigit() and len(str(v)) < 12]
    return committees.filter(pk__in=ids)


def committee_search(
    *, committees: QuerySet[SteeringCommittee], query: str, limit: int
) -> QuerySet[SteeringCommittee]:
    """The committees of ``committees`` whose area's name holds every word of
    ``query``, accents ignored ("my hoa" finds xã Mỹ Hòa Hưng): those whose
    name starts with the phrase, or has it at a word start, first. ``__contains``
    on the folded ``Area.search_name``, so its trigram index serves it."""
    return folded_name_search(
        committees,
        query,
        limit=limit,
        then=("level_rank", "-valid_from", "area__search_name", "pk"),
        column="area__search_name",
    )
