"""Writes for steering committees and their members.

Every service checks the actor's capability and re-reads the record through
the actor's scope (another locality's committee is a 404), and records what it
did in the audit trail."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from campaign.committees import access, audit
from campaign.committees.access import Actor, Capability
from campaign.committees.choices import AuditAction, CommitteeLevel, CommitteeRole
from campaign.committees.models import CommitteeMember, SteeringCommittee
from campaign.committees.selectors.committees import (
    committee_get_for_user,
    member_get_for_user,
)
from units.choices import (
    AREA_KIND_PREFIX,
    COMMUNE_LEVEL_KINDS,
    DISTRICT_LEVEL_KINDS,
    AreaKind,
)
from units.models import Area

FULL_NAME_STEM = (
    "Ban Chỉ đạo phòng, chống tội phạm, HIV/AIDS, tệ nạn xã hội và xây dựng phong "
    "trào toàn dân bảo vệ an ninh Tổ quốc"
)
AREA_NOT_VALID = _("%(area)s is not in force on %(day)s, the committee's start date.")
LEVEL_DOES_NOT_FIT_AREA = _("A %(level)s committee cannot be set up for %(area)s.")
PARENT_LEVEL_WRONG = _("The parent committee must be one level above.")
PARENT_REQUIRED = _("Choose the parent committee.")

LEVEL_KINDS = {
    CommitteeLevel.PROVINCE: (AreaKind.PROVINCE,),
    CommitteeLevel.DISTRICT: DISTRICT_LEVEL_KINDS,
    CommitteeLevel.COMMUNE: COMMUNE_LEVEL_KINDS,
}
PARENT_LEVEL = {
    CommitteeLevel.DISTRICT: (CommitteeLevel.PROVINCE,),
    CommitteeLevel.COMMUNE: (CommitteeLevel.DISTRICT, CommitteeLevel.PROVINCE),
}


def committee_names_for(area: Area) -> tuple[str, str]:
    """The official and short names of an area's committee ("… thành phố Long
    Xuyên", "Ban Chỉ đạo 138 thành phố Long Xuyên")."""
    place = f"{AREA_KIND_PREFIX[AreaKind(area.kind)].lower()} {area.name}"
    return f"{FULL_NAME_STEM} {place}", f"Ban Chỉ đạo 138 {place}"


def _check(committee: SteeringCommittee) -> None:
    errors: dict[str, list] = {}
    area = committee.area
    if not area.is_valid_on(committee.valid_from):
        errors.setdefault("area", []).append(
            ValidationError(
                AREA_NOT_VALID,
                params={
                    "area": area.full_name,
                    "day": f"{committee.valid_from:%d/%m/%Y}",
                },
                code="area_not_valid",
            )
        )
    if area.kind not in LEVEL_KINDS[CommitteeLevel(committee.level)]:
        errors.setdefault("area", []).append(
            ValidationError(
                LEVEL_DOES_NOT_FIT_AREA,
                params={
                    "level": CommitteeLevel(committee.level).label.lower(),
                    "area": area.full_name,
                },
                code="level_mismatch",
            )
        )
    if committee.level == CommitteeLevel.PROVINCE:
        committee.parent = None
    elif committee.parent is None:
        errors.setdefault("parent", []).append(ValidationError(PARENT_REQUIRED))
    elif committee.parent.level not in PARENT_LEVEL[CommitteeLevel(committee.level)]:
        errors.setdefault("parent", []).append(ValidationError(PARENT_LEVEL_WRONG))
    if errors:
        raise ValidationError(errors)
    committee.full_clean()


COMMITTEE_FIELDS = (
    "level",
    "area",
    "parent",
    "name",
    "short_name",
    "standing_office",
    "valid_from",
    "valid_to",
)
MEMBER_FIELDS = ("full_name", "position", "role", "valid_from", "valid_to")


def _link(committee: SteeringCommittee) -> tuple[str, int]:
    return ("committees:committee_detail", committee.pk)


@transaction.atomic
def committee_create(
    *,
    level: str,
    area: Area,
    parent: SteeringCommittee | None,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    name: str = "",
    short_name: str = "",
    standing_office: str = "",
    by: Actor,
) -> SteeringCommittee:
    access.require(by, Capability.MANAGE_COMMITTEES)
    if parent is not None:
        parent = committee_get_for_user(user=by, pk=parent.pk)
    default_name, default_short = committee_names_for(area)
    committee = SteeringCommittee(
        level=level,
        area=area,
        parent=parent,
        name=name or default_name,
        short_name=short_name or default_short,
        standing_office=standing_office,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    _check(committee)
    committee.save()
    audit.record(
        action=AuditAction.COMMITTEE_CREATED,
        by=by,
        object_label=committee.short_name,
        link=_link(committee),
        changes=audit.created(committee, COMMITTEE_FIELDS),
    )
    return committee


@transaction.atomic
def committee_update(
    *, committee: SteeringCommittee, by: Actor, **fields: Any
) -> SteeringCommittee:
    access.require(by, Capability.MANAGE_COMMITTEES)
    allowed = {
        "name",
        "short_name",
        "standing_office",
        "parent",
        "valid_from",
        "valid_to",
    }
    current = committee_get_for_user(user=by, pk=committee.pk, for_update=True)
    before = audit.snapshot(current, COMMITTEE_FIELDS)
    for field, value in fields.items():
        if field not in allowed:
            raise TypeError(f"committee_update cannot change {field!r}")
        if field == "parent" and value is not None:
            value = committee_get_for_user(user=by, pk=value.pk)
        setattr(current, field, value)
    _check(current)
    current.save()
    diff = audit.changes(current, before)
    if diff:
        audit.record(
            action=AuditAction.COMMITTEE_UPDATED,
            by=by,
            object_label=current.short_name,
            link=_link(current),
            changes=diff,
        )
    return current


@transaction.atomic
def member_add(
    *,
    committee: SteeringCommittee,
    full_name: str,
    position: str,
    role: str,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    by: Actor,
) -> CommitteeMember:
    access.require(by, Capability.MANAGE_COMMITTEES)
    committee = committee_get_for_user(user=by, pk=committee.pk)
    member = CommitteeMember(
        committee=committee,
        full_name=full_name.strip(),
        position=position.strip(),
        role=CommitteeRole(role),
        valid_from=valid_from,
        valid_to=valid_to,
    )
    member.full_clean()
    member.save()
    audit.record(
        action=AuditAction.MEMBER_ADDED,
        by=by,
        object_label=f"{member.full_name} — {committee.short_name}",
        link=_link(committee),
        changes=audit.created(member, MEMBER_FIELDS),
    )
    return member


@transaction.atomic
def member_update(
    *, member: CommitteeMember, by: Actor, **fields: Any
) -> CommitteeMember:
    access.require(by, Capability.MANAGE_COMMITTEES)
    allowed = set(MEMBER_FIELDS)
    current = member_get_for_user(user=by, pk=member.pk, for_update=True)
    before = audit.snapshot(current, MEMBER_FIELDS)
    for field, value in fields.items():
        if field not in allowed:
            raise TypeError(f"member_update cannot change {field!r}")
        setattr(current, field, value.strip() if isinstance(value, str) else value)
    current.full_clean()
    current.save()
    diff = audit.changes(current, before)
    if diff:
        audit.record(
            action=AuditAction.MEMBER_UPDATED,
            by=by,
            object_label=f"{current.full_name} — {current.committee.short_name}",
            link=_link(current.committee),
            changes=diff,
        )
    return current


@transaction.atomic
def member_remove(*, member: CommitteeMember, by: Actor) -> None:
    access.require(by, Capability.MANAGE_COMMITTEES)
    current = member_get_for_user(user=by, pk=member.pk, for_update=True)
    label = f"{current.full_name} — {current.committee.short_name}"
    diff = audit.removed(current, MEMBER_FIELDS)
    committee = current.committee
    current.delete()
    audit.record(
        action=AuditAction.MEMBER_REMOVED,
        by=by,
        object_label=label,
        link=_link(committee),
        changes=diff,
    )
