"""The committees and areas the staff's forms pick from — a membership's
committee, a committee's parent and area — read a few at a time and searched
by name (a national database holds thousands). The forms and their search
endpoints read the same querysets, so an endpoint never offers what its form
would refuse."""

from __future__ import annotations

from django.db.models import QuerySet

from campaign.committees import access
from campaign.committees.choices import CommitteeLevel
from campaign.committees.models import SteeringCommittee
from campaign.committees.selectors.committees import committee_list_for_user
from units.models import Area
from units.selectors import folded_name_search


def parent_committee_choices_for_user(
    *, user: access.Reader
) -> QuerySet[SteeringCommittee]:
    """Committees that may be a committee's parent: those the user may see,
    communes excepted (nothing is under a commune)."""
    return committee_list_for_user(user=user).exclude(level=CommitteeLevel.COMMUNE)


def committee_area_choices() -> QuerySet[Area]:
    """The areas a committee may be set up for: every area (the service checks
    the level and the period), by kind and name."""
    return Area.objects.select_related("parent").order_by(
        "kind", "name", "valid_from", "pk"
    )


def committee_pick_search(
    *, committees: QuerySet[SteeringCommittee], query: str, limit: int
) -> QuerySet[SteeringCommittee]:
    """The committees of ``committees`` (already scoped) whose area's name
    holds every word of ``query``, accents ignored: those starting with the
    phrase, or having it at a word start, first, then in the queryset's own
    order. ``__contains`` on the folded ``Area.search_name`` (trigram index)."""
    return folded_name_search(
        committees,
        query,
        limit=limit,
        then=(*committees.query.order_by, "pk"),
        column="area__search_name",
    )
