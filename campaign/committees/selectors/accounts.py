"""Reads for accounts: only provincial staff manage them."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from campaign.committees import access
from campaign.committees.models import Membership, SteeringCommittee, User
from units.text import fold


def account_list_for_user(*, user: access.Reader, query: str = "") -> QuerySet:
    """Accounts the user may manage, with their memberships (two queries)."""
    access.require(user, access.Capability.MANAGE_ACCOUNTS)
    accounts = (
        get_user_model()
        .objects.prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("committee").order_by(
                    "committee__level", "committee__short_name"
                ),
            )
        )
        .order_by("username")
    )
    if query:
        # Names are few and short: match them folded, accents ignored.
        folded = fold(query)
        matching = [
            pk
            for pk, username, first, last, email in get_user_model().objects.values_list(
                "pk", "username", "first_name", "last_name", "email"
            )
            if folded in fold(f"{username} {last} {first} {email}")
        ]
        accounts = accounts.filter(Q(pk__in=matching))
    return accounts


def account_get_for_user(
    *, user: access.Reader, pk: int, for_update: bool = False
) -> User:
    """One account the user may manage; with ``for_update`` (inside a
    service's transaction) the row alone, locked."""
    if for_update:
        access.require(user, access.Capability.MANAGE_ACCOUNTS)
        accounts = get_user_model().objects.select_for_update()
    else:
        accounts = account_list_for_user(user=user)
    try:
        return accounts.get(pk=pk)
    except get_user_model().DoesNotExist:
        raise Http404("No such account.") from None


def membership_get_for_user(
    *, user: access.Reader, pk: int, for_update: bool = False
) -> Membership:
    access.require(user, access.Capability.MANAGE_ACCOUNTS)
    memberships = Membership.objects.select_related("user", "committee").filter(
        committee__in=SteeringCommittee.objects.filter(
            access.committee_scope_q(user)
        ).values("pk")
    )
    if for_update:
        memberships = memberships.select_for_update(of=("self",))
    try:
        return memberships.get(pk=pk)
    except Membership.DoesNotExist:
        raise Http404("No such membership.") from None


def membership_list_for_self(*, user: User) -> QuerySet[Membership]:
    """The committees and roles of the signed-in user, for their profile."""
    return (
        Membership.objects.filter(user=user)
        .select_related("committee")
        .order_by("committee__short_name")
    )
