"""Writes for steering committees and their members."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from campaign.committees.choices import CommitteeLevel, CommitteeRole
from campaign.committees.models import CommitteeMember, SteeringCommittee
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
    by: AbstractBaseUser | None,
) -> SteeringCommittee:
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
    return committee


@transaction.atomic
def committee_update(
    *, committee: SteeringCommittee, by: AbstractBaseUser, **fields
) -> SteeringCommittee:
    allowed = {
        "name",
        "short_name",
        "standing_office",
        "parent",
        "valid_from",
        "valid_to",
    }
    for field, value in fields.items():
        if field not in allowed:
            raise TypeError(f"committee_update cannot change {field!r}")
        setattr(committee, field, value)
    _check(committee)
    committee.save()
    return committee


@transaction.atomic
def committee_for_area(
    *, area: Area, on: datetime.date, by: AbstractBaseUser | None
) -> SteeringCommittee:
    """The commune-level committee of ``area`` in force on ``on``, set up from the
    area when it does not exist yet (commune committees are created as needed)."""
    existing = (
        SteeringCommittee.objects.filter(area=area, valid_from__lte=on)
        .exclude(valid_to__lte=on)
        .first()
    )
    if existing is not None:
        return existing
    parent = (
        SteeringCommittee.objects.filter(area_id=area.parent_id, valid_from__lte=on)
        .exclude(valid_to__lte=on)
        .first()
    )
    return committee_create(
        level=CommitteeLevel.COMMUNE,
        area=area,
        parent=parent,
        valid_from=max(on, area.valid_from) if area.valid_from else on,
        valid_to=area.valid_to,
        standing_office=f"Công an {AREA_KIND_PREFIX[AreaKind(area.kind)].lower()} {area.name}",
        by=by,
    )


@transaction.atomic
def member_add(
    *,
    committee: SteeringCommittee,
    full_name: str,
    position: str,
    role: str,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    by: AbstractBaseUser | None,
) -> CommitteeMember:
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
    return member


@transaction.atomic
def member_update(
    *, member: CommitteeMember, by: AbstractBaseUser, **fields
) -> CommitteeMember:
    allowed = {"full_name", "position", "role", "valid_from", "valid_to"}
    for field, value in fields.items():
        if field not in allowed:
            raise TypeError(f"member_update cannot change {field!r}")
        setattr(member, field, value)
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def member_remove(*, member: CommitteeMember, by: AbstractBaseUser) -> None:
    member.delete()
