"""What a user may see and do — the one place that decides.

A user acts for one or more steering committees through memberships; each
membership has a role. The role gives *capabilities* (functions the user may
use); the committee gives *scope* (which records the user may see):

* a province-level committee sees the whole province;
* a district-level committee sees its area's subtree as it stood on the date
  in question, plus the organisations it manages;
* a commune-level committee sees its commune (and organisations it manages).

A user in several committees gets the union. Views and selectors ask this module
and nothing else. Objects outside the scope are answered with 404 (their
existence is not revealed), functions outside the capabilities with 403.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from campaign.committees.choices import CommitteeLevel, MembershipRole
from campaign.committees.models import Membership, User
from units.compiled_reads import CompiledRead
from units.models import Area
from units.selectors import valid_on_q


class Capability:
    VIEW = "view"
    VIEW_AUDIT = "view_audit"
    MANAGE_COMMITTEES = "manage_committees"
    MANAGE_ACCOUNTS = "manage_accounts"
    MANAGE_DOCUMENTS = "manage_documents"
    MANAGE_TARGETS = "manage_targets"
    REQUEST_REPORTS = "request_reports"
    REGISTER_UNITS = "register_units"
    REVIEW_REGISTRATIONS = "review_registrations"
    ASSESS_UNITS = "assess_units"
    VERIFY_ASSESSMENTS = "verify_assessments"
    MANAGE_CRITERIA = "manage_criteria"
    MANAGE_AWARDS = "manage_awards"
    # Delete anyone's report, see checksums and technical failure details,
    # write the texts of the phase reports: the provincial standing office.
    MANAGE_REPORTS = "manage_reports"


ALL_CAPABILITIES = frozenset(
    value for name, value in vars(Capability).items() if name.isupper()
)

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    MembershipRole.PROVINCIAL_STAFF: ALL_CAPABILITIES,
    MembershipRole.LEADER: frozenset({Capability.VIEW, Capability.REQUEST_REPORTS}),
    # A local officer reports on their own locality (the report kinds keep
    # the scope to their committee and those under it).
    MembershipRole.LOCAL_OFFICER: frozenset(
        {
            Capability.VIEW,
            Capability.REGISTER_UNITS,
            Capability.ASSESS_UNITS,
            Capability.REQUEST_REPORTS,
        }
    ),
    MembershipRole.VIEWER: frozenset({Capability.VIEW}),
}


@dataclass(frozen=True)
class CommitteeGrant:
    committee_id: int
    level: str
    area_id: int
    role: str


@dataclass(frozen=True)
class Access:
    """Everything this module knows about one user, read once per request."""

    grants: tuple[CommitteeGrant, ...]
    capabilities: frozenset[str]
    whole_province: bool

    @property
    def committee_ids(self) -> frozenset[int]:
        return frozenset(g.committee_id for g in self.grants)

    @property
    def committee_area_ids(self) -> frozenset[int]:
        return frozenset(g.area_id for g in self.grants)


NO_ACCESS = Access(grants=(), capabilities=frozenset(), whole_province=False)


class SystemActor:
    """The system itself, acting through a management command (loading the
    reference data, the demo): every capability, the whole province, and no
    user to record — its audit entries have no actor. Views never use it:
    they always act as ``request.user``."""

    is_authenticated: Literal[True] = True
    is_active: Literal[True] = True
    is_superuser: Literal[True] = True
    pk = None

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()
Actor = User | SystemActor
# Whom a selector reads for: a signed-in user, the anonymous user (who sees
# nothing) or the system.
Reader = User | AnonymousUser | SystemActor
_CACHE_ATTRIBUTE = "_campaign_access"
# The user's memberships with their committee's level and area: read on every
# page, its SQL compiled once. Unordered: the memberships' default order
# joins two more tables for grants whose order nothing reads.
_GRANTS = CompiledRead(
    lambda user_id: (
        Membership.objects.filter(user_id=user_id)
        .order_by()
        .values_list("committee_id", "committee__level", "committee__area_id", "role")
    )
)


def access_for(user: Reader) -> Access:
    """The user's access, computed with one query and kept on the user object."""
    if not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    if user.is_superuser:
        access = Access(grants=(), capabilities=ALL_CAPABILITIES, whole_province=True)
    else:
        grants = tuple(
            CommitteeGrant(committee_id=c_id, level=level, area_id=area_id, role=role)
            for c_id, level, area_id, role in _GRANTS.rows(user.pk)
        )
        capabilities = frozenset().union(*(ROLE_CAPABILITIES[g.role] for g in grants))
        access = Access(
            grants=grants,
            capabilities=capabilities,
            whole_province=any(g.level == CommitteeLevel.PROVINCE for g in grants),
        )
    setattr(user, _CACHE_ATTRIBUTE, access)
    return access


def forget(user: User) -> None:
    """Drop the cached access after the user's memberships changed."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def scope_key(user: Reader) -> str:
    """The user's scope as a name, for values kept per scope: ``province``,
    their committees' ids, or ``none``. Two users with the same name see the
    same committees and records."""
    granted = access_for(user)
    if granted.whole_province:
        return "province"
    if not granted.grants:
        return "none"
    return ",".join(str(pk) for pk in sorted(granted.committee_ids))


def can(user: Reader, capability: str) -> bool:
    return capability in access_for(user).capabilities


def require(user: Reader, capability: str) -> None:
    """403 unless the user has ``capability``."""
    if not can(user, capability):
        raise PermissionDenied


def area_ids_in_scope(user: Reader, *, on: datetime.date) -> frozenset[int] | None:
    """Ids of the areas the user may see records of, as the areas stood on
    ``on``; ``None`` means the whole province."""
    access = access_for(user)
    if access.whole_province:
        return None
    if not access.grants:
        return frozenset()
    roots = access.committee_area_ids
    # Administrative trees are at most two levels below a committee's area
    # (district → commune), so two hops cover every subtree.
    children = Area.objects.filter(valid_on_q(on), parent_id__in=roots).values_list(
        "pk", flat=True
    )
    grandchildren = Area.objects.filter(
        valid_on_q(on), parent__parent_id__in=roots
    ).values_list("pk", flat=True)
    return frozenset(roots) | frozenset(children) | frozenset(grandchildren)


def area_in_scope(user: Reader, area: Area, *, on: datetime.date) -> bool:
    scope = area_ids_in_scope(user, on=on)
    return scope is None or area.pk in scope


def committee_scope_q(user: Reader) -> Q:
    """Committees the user may see: their own, the ones under them, and the
    ones above them (a local officer sees the provincial committee too)."""
    from campaign.committees.models import SteeringCommittee

    access = access_for(user)
    if access.whole_province:
        return Q()
    own = access.committee_ids
    if not own:
        return Q(pk__in=[])
    above = SteeringCommittee.objects.filter(pk__in=own).values_list(
        "parent_id", "parent__parent_id"
    )
    # Children and grandchildren as two index lookups joined by UNION ALL:
    # the same condition with OR across the join made PostgreSQL hash the
    # whole table (1.8 ms for 3,550 committees against 0.1 ms).
    below = (
        SteeringCommittee.objects.filter(parent_id__in=own)
        .order_by()
        .values_list("pk", flat=True)
        .union(
            SteeringCommittee.objects.filter(parent__parent_id__in=own)
            .order_by()
            .values_list("pk", flat=True),
            all=True,
        )
    )
    visible = set(own) | set(below)
    for parent_id, grandparent_id in above:
        visible.update(i for i in (parent_id, grandparent_id) if i is not None)
    return Q(pk__in=visible)


def organisation_scope_q(user: Reader, *, on: datetime.date) -> Q:
    """Organisations the user may see: those their committees manage, and those
    located in their area on ``on``."""
    scope = area_ids_in_scope(user, on=on)
    if scope is None:
        return Q()
    managed = access_for(user).committee_area_ids
    return Q(managed_by_id__in=managed) | Q(area_id__in=scope)
