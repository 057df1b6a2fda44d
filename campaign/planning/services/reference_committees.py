"""The steering committees of An Giang as data: the provincial committee (before
and after the July 2025 merger) and the 11 district-level committees of 2023."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction

from campaign.committees.choices import CommitteeLevel, CommitteeRole
from campaign.committees.models import CommitteeMember, SteeringCommittee
from campaign.committees.services.committees import FULL_NAME_STEM, committee_names_for
from units.choices import DISTRICT_LEVEL_KINDS
from units.models import Area
from units.selectors import valid_on_q

COVERAGE_START = datetime.date(2023, 1, 1)
REFORM_DAY = datetime.date(2025, 7, 1)

PROVINCIAL_MEMBERS_2023 = (
    # From the provincial police news item of 30 August 2023 (source article).
    ("Nguyễn Thanh Bình", "Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh", CommitteeRole.HEAD),
    ("Lâm Phước Nguyên", "Giám đốc Công an tỉnh", CommitteeRole.STANDING_DEPUTY),
    ("Nguyễn Thanh Hà", "Phó Giám đốc Công an tỉnh", CommitteeRole.MEMBER),
)


@dataclass(frozen=True)
class SeededCommittees:
    province_2023: SteeringCommittee
    province_current: SteeringCommittee
    districts: dict[str, SteeringCommittee]  # by area key


def _upsert(area: Area, **fields) -> SteeringCommittee:
    committee, _ = SteeringCommittee.objects.update_or_create(
        area=area, valid_from=fields.pop("valid_from"), defaults=fields
    )
    return committee


@transaction.atomic
def committees_seed() -> SeededCommittees:
    """Create or refresh the committees; safe to run again."""
    province_name = f"{FULL_NAME_STEM} tỉnh An Giang"
    province_2023 = _upsert(
        Area.objects.get(key="ag89"),
        level=CommitteeLevel.PROVINCE,
        parent=None,
        name=province_name,
        short_name="Ban Chỉ đạo 138 tỉnh An Giang (đến 30/6/2025)",
        standing_office="Công an tỉnh (Phòng PV05)",
        valid_from=COVERAGE_START,
        valid_to=REFORM_DAY,
    )
    province_current = _upsert(
        Area.objects.get(key="ag91"),
        level=CommitteeLevel.PROVINCE,
        parent=None,
        name=province_name,
        short_name="Ban Chỉ đạo 138 tỉnh",
        standing_office="Công an tỉnh (Phòng PV05)",
        valid_from=REFORM_DAY,
        valid_to=None,
    )
    for full_name, position, role in PROVINCIAL_MEMBERS_2023:
        CommitteeMember.objects.update_or_create(
            committee=province_2023,
            full_name=full_name,
            defaults={
                "position": position,
                "role": role,
                "valid_from": COVERAGE_START,
                "valid_to": REFORM_DAY,
            },
        )

    districts: dict[str, SteeringCommittee] = {}
    district_areas = Area.objects.filter(
        parent__key="ag89", kind__in=DISTRICT_LEVEL_KINDS
    ).order_by("code", "valid_from")
    for area in district_areas:
        name, short_name = committee_names_for(area)
        place = short_name.removeprefix("Ban Chỉ đạo 138 ")
        districts[area.key] = _upsert(
            area,
            level=CommitteeLevel.DISTRICT,
            parent=province_2023,
            name=name,
            short_name=short_name,
            standing_office=f"Công an {place}",
            valid_from=max(area.valid_from or COVERAGE_START, COVERAGE_START),
            valid_to=area.valid_to,
        )
    return SeededCommittees(
        province_2023=province_2023,
        province_current=province_current,
        districts=districts,
    )


def district_committee_for(area_name: str, on: datetime.date) -> SteeringCommittee:
    """The district-level committee of the named city/town/district on a date."""
    return SteeringCommittee.objects.get(
        valid_on_q(on, prefix="area__"),
        level=CommitteeLevel.DISTRICT,
        area__name=area_name,
        valid_from__lte=on,
    )
