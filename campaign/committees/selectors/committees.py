"""Reads for committees, scoped by the access module."""

from __future__ import annotations

import datetime

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404

from campaign.committees import access
from campaign.committees.choices import CommitteeRole
from campaign.committees.models import (
    CommitteeMember,
    Membership,
    SteeringCommittee,
)


def committee_list_for_user(
    *,
    user: access.Reader,
    level: str = "",
    current_on: datetime.date | None = None,
) -> QuerySet[SteeringCommittee]:
    """Committees the user may see, with member counts (one query)."""
    committees = (
        SteeringCommittee.objects.filter(access.committee_scope_q(user))
        .select_related("area", "parent")
        .annotate(member_count=Count("members", distinct=True))
        .order_by("level", "-valid_from", "area__search_name", "short_name")
    )
    if level:
        committees = committees.filter(level=level)
    if current_on is not None:
        committees = committees.filter(
            Q(valid_from__lte=current_on)
            & (Q(valid_to__isnull=True) | Q(valid_to__gt=current_on))
        )
    return committees


def committee_get_for_user(
    *, user: access.Reader, pk: int, for_update: bool = False
) -> SteeringCommittee:
    """One committee the user may see, with its members, sub-committees and the
    users acting for it; another locality's committee is a 404. With
    ``for_update`` (inside a service's transaction): the row alone, locked."""
    if for_update:
        try:
            return (
                SteeringCommittee.objects.select_for_update()
                .filter(access.committee_scope_q(user))
                .get(pk=pk)
            )
        except SteeringCommittee.DoesNotExist:
            raise Http404("No such committee.") from None
    try:
        return (
            committee_list_for_user(user=user)
            .prefetch_related(
                Prefetch(
                    "members",
                    # Head first, then the standing deputy, deputies, members.
                    queryset=CommitteeMember.objects.annotate(
                        role_rank=Case(
                            *(
                                When(role=role, then=Value(rank))
                                for rank, role in enumerate(CommitteeRole.values)
                            ),
                            output_field=IntegerField(),
                        )
                    ).order_by("role_rank", "full_name"),
                ),
                Prefetch(
                    "children",
                    queryset=SteeringCommittee.objects.select_related("area").order_by(
                        "short_name"
                    ),
                ),
                Prefetch(
                    "memberships",
                    queryset=Membership.objects.select_related("user").order_by(
                        "user__username"
                    ),
                ),
            )
            .get(pk=pk)
        )
    except SteeringCommittee.DoesNotExist:
        raise Http404("No such committee.") from None


def member_get_for_user(
    *, user: access.Reader, pk: int, for_update: bool = False
) -> CommitteeMember:
    members = CommitteeMember.objects.select_related("committee")
    if for_update:
        members = members.select_for_update(of=("self",))
    try:
        return members.get(
            pk=pk,
            committee__in=SteeringCommittee.objects.filter(
                access.committee_scope_q(user)
            ).values("pk"),
        )
    except CommitteeMember.DoesNotExist:
        raise Http404("No such member.") from None


def committee_choices_for_user(*, user: access.Reader) -> QuerySet[SteeringCommittee]:
    """Committees a user may assign people to: every committee in their scope,
    those still in force first (records of ended committees stay reachable)."""
    return committee_list_for_user(user=user).order_by(
        F("valid_to").desc(nulls_first=True), "level", "short_name"
    )
