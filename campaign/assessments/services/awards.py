"""Writes for what the campaign gives and takes stock of: recognitions of a
year, commendations, emulation pledges with their year-end result, and
reviews (sơ kết, tổng kết) with the classification of each model.

Provincial staff record them (``MANAGE_AWARDS``); the unit each one is about
is re-read through the actor's scope.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.assessments.choices import (
    AssessmentStatus,
    Classification,
    CommendationForm,
    RecipientKind,
    ReviewKind,
)
from campaign.assessments.models import (
    Assessment,
    Commendation,
    EmulationPledge,
    PledgeItem,
    Recognition,
    Review,
    ReviewClassification,
)
from campaign.assessments.selectors.assessments import (
    assessment_get_for_user,
    ward_police_get_for_user,
)
from campaign.committees import access, audit
from campaign.committees.access import Capability
from campaign.committees.choices import AuditAction
from campaign.committees.models import SteeringCommittee, User
from campaign.registrations.models import Registration
from campaign.registrations.selectors.registrations import registration_get_for_user
from units.models import WardPolice
from units.text import fold

NOT_ACCEPTED = _(
    "Only an assessment verified and accepted by the province can lead to a "
    "recognition: this one is “%(status)s”."
)
NOT_ALL_MET = _(
    "The assessment meets %(met)s of %(total)s criteria: a unit is recognised "
    "only when it meets all the required criteria."
)
ALREADY_RECOGNISED = _(
    "This assessment already has its recognition (decision %(number)s)."
)
BEFORE_ASSESSMENT = _(
    "The decision is dated %(day)s, before the assessment was accepted on "
    "%(accepted)s: check the date."
)
IN_THE_FUTURE = _("The date %(day)s is in the future.")
REQUIRED = _("This field is required.")
TWO_UNITS = _("A commendation is of one unit at most.")
NO_COMMITTEE = _("Choose at least one signing committee.")
NO_ITEMS = _("Write at least one pledged item.")
NO_CLASSIFICATION = _("Classify at least one model.")
YEAR_ORDER = _("The last year cannot be before the first.")
PLEDGE_BEFORE_SIGNING = _("The result cannot be recorded before the signing date.")
COMMITTEE_NOT_IN_FORCE = _(
    "%(committees)s: not in force on %(day)s, the signing date. Choose the "
    "committees that were in force that day."
)
NO_UNIT = _("Each classification is of one unit: a registered unit or a ward police.")


def _not_future(day: datetime.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError(
            {
                field: ValidationError(
                    IN_THE_FUTURE, code="future", params={"day": f"{day:%d/%m/%Y}"}
                )
            }
        )


def _required(field: str, value: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise ValidationError({field: ValidationError(REQUIRED, code="required")})
    return value


# --- Recognition --------------------------------------------------------------------


@transaction.atomic
def recognition_record(
    *,
    assessment: Assessment,
    decision_number: str,
    decided_on: datetime.date,
    authority: str,
    by: User,
    note: str = "",
) -> Recognition:
    """Recognise the unit for the assessment's year, on its accepted
    assessment that meets every required criterion. A later year needs its
    own assessment and recognition: a recognition lapses with its year."""
    access.require(by, Capability.MANAGE_AWARDS)
    current = assessment_get_for_user(user=by, pk=assessment.pk, for_update=True)
    if current.status != AssessmentStatus.ACCEPTED:
        raise ValidationError(
            NOT_ACCEPTED,
            code="not_accepted",
            params={"status": current.get_status_display()},
        )
    existing = Recognition.objects.filter(assessment=current).first()
    if existing is not None:
        raise ValidationError(
            ALREADY_RECOGNISED,
            code="duplicate",
            params={"number": existing.decision_number},
        )
    answers = list(current.answers.select_related("criterion"))
    if not all(a.met for a in answers if a.criterion.required):
        raise ValidationError(
            NOT_ALL_MET,
            code="not_all_met",
            params={"met": sum(1 for a in answers if a.met), "total": len(answers)},
        )
    decision_number = _required("decision_number", decision_number)
    authority = _required("authority", authority)
    accepted_on = timezone.localdate(current.decided_at)
    if decided_on < accepted_on:
        raise ValidationError(
            {
                "decided_on": ValidationError(
                    BEFORE_ASSESSMENT,
                    code="before_assessment",
                    params={
                        "day": f"{decided_on:%d/%m/%Y}",
                        "accepted": f"{accepted_on:%d/%m/%Y}",
                    },
                )
            }
        )
    _not_future(decided_on, "decided_on")
    recognition = Recognition.objects.create(
        registration=current.registration,
        ward_police=current.ward_police,
        year=current.year,
        assessment=current,
        decision_number=decision_number,
        decided_on=decided_on,
        authority=authority,
        note=" ".join(note.split()),
        created_by=by,
    )
    audit.record(
        action=AuditAction.RECOGNITION_RECORDED,
        by=by,
        object_label=f"{current.unit_name} ({current.year})",
        link=("assessments:assessment_detail", current.pk),
        note=f"{decision_number} ngày {decided_on:%d/%m/%Y} — {authority}",
    )
    return recognition


# --- Commendations ------------------------------------------------------------------


@transaction.atomic
def commendation_record(
    *,
    form: str,
    authority: str,
    recipient_kind: str,
    recipient_name: str,
    year: int,
    decision_number: str,
    decided_on: datetime.date,
    reason: str,
    by: User,
    registration: Registration | None = None,
    ward_police: WardPolice | None = None,
) -> Commendation:
    """Record a commendation of a collective or an individual, attached to
    the unit it honours when there is one."""
    access.require(by, Capability.MANAGE_AWARDS)
    CommendationForm(form)
    RecipientKind(recipient_kind)
    if registration is not None and ward_police is not None:
        raise ValidationError(TWO_UNITS, code="two_units")
    if registration is not None:
        registration = registration_get_for_user(user=by, pk=registration.pk)
    if ward_police is not None:
        ward_police = ward_police_get_for_user(user=by, pk=ward_police.pk)
    _not_future(decided_on, "decided_on")
    commendation = Commendation(
        form=form,
        authority=_required("authority", authority),
        recipient_kind=recipient_kind,
        recipient_name=_required("recipient_name", recipient_name),
        recipient_search=fold(recipient_name),
        registration=registration,
        ward_police=ward_police,
        year=year,
        decision_number=_required("decision_number", decision_number),
        decided_on=decided_on,
        reason=_required("reason", reason),
        created_by=by,
    )
    commendation.full_clean()
    commendation.save()
    audit.record(
        action=AuditAction.COMMENDATION_RECORDED,
        by=by,
        object_label=str(commendation),
        note=f"{commendation.decision_number} ngày {decided_on:%d/%m/%Y} — "
        f"{commendation.authority}",
    )
    return commendation


# --- Emulation pledges --------------------------------------------------------------


@transaction.atomic
def pledge_record(
    *,
    title: str,
    signed_on: datetime.date,
    year: int,
    committees: list[SteeringCommittee],
    items: list[str],
    by: User,
) -> EmulationPledge:
    """Record an emulation pledge (giao ước thi đua) and its pledged items."""
    access.require(by, Capability.MANAGE_AWARDS)
    items = [" ".join(i.split()) for i in items if i and i.strip()]
    if not committees:
        raise ValidationError({"committees": ValidationError(NO_COMMITTEE)})
    if not items:
        raise ValidationError({"items": ValidationError(NO_ITEMS)})
    _not_future(signed_on, "signed_on")
    not_in_force = [c for c in committees if not c.is_valid_on(signed_on)]
    if not_in_force:
        raise ValidationError(
            {
                "committees": ValidationError(
                    COMMITTEE_NOT_IN_FORCE,
                    code="not_in_force",
                    params={
                        "committees": ", ".join(c.short_name for c in not_in_force),
                        "day": f"{signed_on:%d/%m/%Y}",
                    },
                )
            }
        )
    pledge = EmulationPledge.objects.create(
        title=_required("title", title),
        signed_on=signed_on,
        year=year,
        created_by=by,
    )
    pledge.committees.set(committees)
    PledgeItem.objects.bulk_create(
        PledgeItem(pledge=pledge, position=index, text=text)
        for index, text in enumerate(items, start=1)
    )
    audit.record(
        action=AuditAction.PLEDGE_RECORDED,
        by=by,
        object_label=str(pledge),
        link=("assessments:pledge_detail", pledge.pk),
        note=f"{len(committees)} Ban Chỉ đạo, {len(items)} nội dung",
    )
    return pledge


@transaction.atomic
def pledge_result_record(
    *,
    pledge: EmulationPledge,
    year_end_result: str,
    item_results: dict[int, str],
    recorded_on: datetime.date,
    by: User,
) -> EmulationPledge:
    """Record the year-end result of a pledge, overall and item by item."""
    access.require(by, Capability.MANAGE_AWARDS)
    current = EmulationPledge.objects.select_for_update().get(pk=pledge.pk)
    if recorded_on < current.signed_on:
        raise ValidationError(
            {"result_recorded_on": ValidationError(PLEDGE_BEFORE_SIGNING)}
        )
    _not_future(recorded_on, "result_recorded_on")
    current.year_end_result = _required("year_end_result", year_end_result)
    current.result_recorded_on = recorded_on
    current.save(update_fields=["year_end_result", "result_recorded_on"])
    items = {i.pk: i for i in current.items.all()}
    for item_id, text in item_results.items():
        if item_id in items:
            items[item_id].result = " ".join((text or "").split())
    PledgeItem.objects.bulk_update(list(items.values()), ["result"])
    audit.record(
        action=AuditAction.PLEDGE_RESULT_RECORDED,
        by=by,
        object_label=str(current),
        link=("assessments:pledge_detail", current.pk),
        note=current.year_end_result[:500],
    )
    return current


# --- Reviews ------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassificationInput:
    classification: str
    registration: Registration | None = None
    ward_police: WardPolice | None = None
    note: str = ""


@transaction.atomic
def review_record(
    *,
    kind: str,
    title: str,
    held_on: datetime.date,
    period_start: int,
    period_end: int,
    notes: str,
    classifications: list[ClassificationInput],
    by: User,
) -> Review:
    """Record a review (sơ kết or tổng kết) and how it graded each model."""
    access.require(by, Capability.MANAGE_AWARDS)
    ReviewKind(kind)
    if period_end < period_start:
        raise ValidationError({"period_end": ValidationError(YEAR_ORDER)})
    if not classifications:
        raise ValidationError(NO_CLASSIFICATION, code="empty")
    _not_future(held_on, "held_on")
    review = Review.objects.create(
        kind=kind,
        title=_required("title", title),
        held_on=held_on,
        period_start=period_start,
        period_end=period_end,
        notes=notes.strip(),
        created_by=by,
    )
    rows = []
    for given in classifications:
        Classification(given.classification)
        if (given.registration is None) == (given.ward_police is None):
            raise ValidationError(NO_UNIT, code="no_unit")
        registration = (
            registration_get_for_user(user=by, pk=given.registration.pk)
            if given.registration is not None
            else None
        )
        ward_police = (
            ward_police_get_for_user(user=by, pk=given.ward_police.pk)
            if given.ward_police is not None
            else None
        )
        unit = (
            registration.unit_name
            if registration
            else (ward_police.name if ward_police else "")
        )
        rows.append(
            ReviewClassification(
                review=review,
                registration=registration,
                ward_police=ward_police,
                unit_name=unit,
                classification=given.classification,
                note=" ".join(given.note.split()),
            )
        )
    ReviewClassification.objects.bulk_create(rows)
    audit.record(
        action=AuditAction.REVIEW_RECORDED,
        by=by,
        object_label=str(review),
        link=("assessments:review_detail", review.pk),
        note=f"{'Tổng kết' if kind == ReviewKind.FINAL else 'Sơ kết'} "
        f"{period_start}–{period_end}: "
        f"{len(rows)} mô hình",
    )
    return review
