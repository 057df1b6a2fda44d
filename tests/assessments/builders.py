"""Assessments built straight in the database, for tests of what reads them
(the target engine, the pages): the services are tested on their own."""

from __future__ import annotations

import datetime

from django.utils import timezone

from campaign.assessments.choices import AssessmentStatus, CriteriaSubject
from campaign.assessments.models import Answer, Assessment, Criterion, Recognition
from campaign.assessments.selectors.assessments import assessing_committee, unit_day
from campaign.assessments.selectors.criteria import (
    SUBJECT_OF_UNIT_KIND,
    criteria_set_current,
)
from units.models import WardPolice
from units.text import fold


def ward_police(area_key: str) -> WardPolice:
    return WardPolice.objects.select_related("area__parent").get(area__key=area_key)


def assessment(
    *,
    by,
    year: int,
    ward=None,
    registration=None,
    status: str = AssessmentStatus.ACCEPTED,
    meets_all: bool = True,
    verified: bool | None = None,
) -> Assessment:
    """An assessment with every answer given: all met (or the first one not),
    verified when accepted (or as asked)."""
    if ward is not None:
        subject = CriteriaSubject.WARD_POLICE
        # A stray result (a unit not in force that year) is kept with the
        # committee of the unit's last day, for tests of what must ignore it.
        day = unit_day(ward.area, year) or (
            ward.area.valid_to - datetime.timedelta(days=1)
        )
        committee = assessing_committee(ward.area, day)
        name = ward.name
    else:
        subject = SUBJECT_OF_UNIT_KIND[registration.unit_kind]
        committee = registration.committee
        name = registration.unit_name
    criteria_set = criteria_set_current(subject)
    now = timezone.now()
    decided = status in (AssessmentStatus.ACCEPTED, AssessmentStatus.RETURNED)
    made = Assessment.objects.create(
        ward_police=ward,
        registration=registration,
        year=year,
        criteria_set=criteria_set,
        committee=committee,
        unit_name=name,
        search_name=fold(name),
        status=status,
        created_by=by,
        updated_by=by,
        submitted_at=now if status != AssessmentStatus.DRAFT else None,
        decided_at=now if decided else None,
    )
    verified = status == AssessmentStatus.ACCEPTED if verified is None else verified
    criteria = Criterion.objects.filter(group__criteria_set=criteria_set).order_by(
        "group__position", "position"
    )
    Answer.objects.bulk_create(
        Answer(
            assessment=made,
            criterion=criterion,
            met=meets_all or index > 0,
            verified_by=by if verified else None,
            verified_at=now if verified else None,
        )
        for index, criterion in enumerate(criteria)
    )
    return made


def recognise(made: Assessment, *, by, number: str = "01/QĐ-BCĐ") -> Recognition:
    return Recognition.objects.create(
        registration=made.registration,
        ward_police=made.ward_police,
        year=made.year,
        assessment=made,
        decision_number=number,
        decided_on=datetime.date(made.year, 12, 20),
        authority="Ban Chỉ đạo 138 tỉnh An Giang",
        created_by=by,
    )


def registration(
    personas, *, area_key: str, status: str = "approved", year: int = 2023
):
    """A registration of the area by its committee of that year (the Long
    Xuyên city committee for its 2023 wards)."""
    from campaign.registrations.models import Registration
    from units.models import Area

    area = Area.objects.get(key=area_key)
    phase = personas.plan.phases.get(start_year__lte=year, end_year__gte=year)
    committee = (
        personas.committee_a if area.parent.key == "ag89-883" else personas.committee_b
    )
    if year >= 2026:
        committee = personas.committee_ward
    return Registration.objects.create(
        committee=committee,
        area=area,
        unit_kind=area.kind,
        unit_name=area.full_name,
        search_name=fold(area.full_name),
        programme=personas.programme,
        phase=phase,
        year=year,
        contact_name="Nguyễn Văn Tư",
        contact_phone="0296 3852 124",
        plan_summary="Kế hoạch xây dựng điển hình.",
        status=status,
        created_by=personas.officer_a,
        updated_by=personas.officer_a,
    )
