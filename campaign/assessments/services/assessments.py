"""Writes for yearly assessments: start one (of an approved registration or of
a ward police), answer the criteria (no lost update), attach and remove
evidence, and the workflow — submit, verify criterion by criterion, return,
accept.

As for registrations, every service checks the actor's role *and* re-reads
what it changes through the actor's scope: another commune's assessment,
answer or evidence file is a 404 whoever calls the service. A verified answer
is locked for the officer: only provincial staff can release it. "Met N of M"
and "meets all criteria" are never stored; they are counted from the answers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaign import uploads
from campaign.assessments.choices import AssessmentStatus, CriteriaSubject
from campaign.assessments.models import (
    Answer,
    Assessment,
    AssessmentTransition,
    Criterion,
    Evidence,
)
from campaign.assessments.selectors.assessments import (
    answer_get_for_user,
    assessing_committee,
    assessment_get_for_user,
    evidence_get_for_user,
    unit_day,
    ward_police_get_for_user,
)
from campaign.assessments.selectors.criteria import (
    SUBJECT_OF_UNIT_KIND,
    criteria_set_current,
)
from campaign.committees import access, audit
from campaign.committees.access import Capability
from campaign.committees.choices import AuditAction
from campaign.committees.models import SteeringCommittee, User
from campaign.planning.choices import ProgrammeKind
from campaign.planning.selectors.periods import (
    phase_for_year,
    phases_of,
    programme_of_kind,
)
from campaign.registrations.choices import NotificationKind, RegistrationStatus
from campaign.registrations.models import Registration
from campaign.registrations.selectors.registrations import registration_get_for_user
from campaign.registrations.services.notifications import (
    committee_officers,
    notify_users,
    reviewers,
)
from units.models import AreaSuccession, WardPolice
from units.text import fold

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

S = AssessmentStatus

ALREADY_ASSESSED = _("This unit is already assessed for %(year)s.")
NOT_APPROVED = _(
    "Only an approved registration can be assessed: this one is “%(status)s”."
)
YEAR_OUTSIDE_PHASE = _(
    "%(year)s is outside the phase %(phase)s of this unit: choose a year from "
    "%(first)s to %(last)s."
)
YEAR_BEFORE_REGISTRATION = _(
    "The unit was registered for %(registered)s: it cannot be assessed for %(year)s."
)
YEAR_OUTSIDE_PLAN = _("%(year)s is not a year of the plan: its phases are %(phases)s.")
NOT_IN_FORCE = _(
    "%(unit)s did not exist in %(year)s (it existed %(span)s)%(successors)s: "
    "choose a year it existed."
)
NO_CRITERIA = _(
    "No criteria set is published for %(subject)s yet: ask the provincial "
    "standing office to publish one."
)
NO_COMMITTEE = _("No steering committee was in force over %(unit)s in %(year)s.")
NOT_EDITABLE = _("Only a draft or a returned assessment can be changed.")
LOCKED = _(
    "Criterion %(code)s has been verified by the province and is locked: it "
    "was not changed."
)
UNANSWERED = _(
    "Answer every criterion before submitting: %(count)s not answered yet (%(codes)s)."
)
NOT_ALL_VERIFIED = _(
    "Verify every criterion before accepting: %(count)s not verified yet (%(codes)s)."
)
NOT_SUBMITTED = _("Criteria can only be verified while the assessment is submitted.")
REASON_REQUIRED = _("Give the reason for returning the assessment.")
IMPOSSIBLE = _("An assessment that is “%(status)s” cannot be %(action)s.")
EVIDENCE_LOCKED = _(
    "Criterion %(code)s has been verified: its evidence can no longer change."
)
WRONG_ASSESSMENT = _("This criterion is not part of this assessment.")

AUDITED = ("unit_name", "year", "status")


class AssessmentConflict(Exception):
    """Someone else changed the assessment since the form was opened."""

    def __init__(self, current: Assessment):
        super().__init__(f"assessment {current.pk} is at version {current.version}")
        self.current = current


@dataclass(frozen=True)
class AnswerInput:
    """What the officer says of one criterion."""

    met: bool | None
    note: str = ""


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    capability: str
    label: StrOrPromise


TRANSITIONS = {
    "submit": Transition(
        "submit",
        (S.DRAFT, S.RETURNED),
        S.SUBMITTED,
        Capability.ASSESS_UNITS,
        _("submitted"),
    ),
    "return": Transition(
        "return",
        (S.SUBMITTED,),
        S.RETURNED,
        Capability.VERIFY_ASSESSMENTS,
        _("returned"),
    ),
    "accept": Transition(
        "accept",
        (S.SUBMITTED,),
        S.ACCEPTED,
        Capability.VERIFY_ASSESSMENTS,
        _("accepted"),
    ),
}


def allowed_actions(*, user: User, assessment: Assessment) -> list[str]:
    """The workflow steps this user may take now (for the buttons shown)."""
    return [
        name
        for name, step in TRANSITIONS.items()
        if assessment.status in step.sources and access.can(user, step.capability)
    ]


def can_answer(*, user: User, assessment: Assessment) -> bool:
    return assessment.status in (S.DRAFT, S.RETURNED) and access.can(
        user, Capability.ASSESS_UNITS
    )


def can_verify(*, user: User, assessment: Assessment) -> bool:
    return assessment.status == S.SUBMITTED and access.can(
        user, Capability.VERIFY_ASSESSMENTS
    )


def _record(assessment: Assessment, action: str, by: User, **extra: Any) -> None:
    audit.record(
        action=action,
        by=by,
        object_label=f"{assessment.unit_name} ({assessment.year})",
        link=("assessments:assessment_detail", assessment.pk),
        **extra,
    )


def _log(
    assessment: Assessment, source: str, target: str, by: User, reason: str = ""
) -> None:
    AssessmentTransition.objects.create(
        assessment=assessment,
        from_status=source,
        to_status=target,
        actor=by,
        reason=reason,
    )


def _notify(
    assessment: Assessment, kind: str, *, to_reviewers: bool, **params: Any
) -> None:
    recipients = (
        reviewers()
        if to_reviewers
        else committee_officers(assessment.committee, also=assessment.created_by)
    )
    notify_users(
        list(recipients),
        kind,
        {
            "unit": assessment.unit_name,
            "year": assessment.year,
            "committee": assessment.committee.short_name,
            "reason": assessment.return_reason,
            **params,
        },
        link=("assessments:assessment_detail", assessment.pk),
    )


# --- Start an assessment ------------------------------------------------------------


def _year_error(message: StrOrPromise, **params: Any) -> ValidationError:
    return ValidationError(
        {"year": ValidationError(message, code="year", params=params)}
    )


def _check_registration_year(registration: Registration, year: int) -> None:
    phase = registration.phase
    if year < registration.year:
        raise _year_error(
            YEAR_BEFORE_REGISTRATION, registered=registration.year, year=year
        )
    if not phase.contains_year(year):
        raise _year_error(
            YEAR_OUTSIDE_PHASE,
            year=year,
            phase=str(phase),
            first=max(phase.start_year, registration.year),
            last=phase.end_year,
        )


def _check_ward_police_year(ward_police: WardPolice, year: int) -> datetime.date:
    phases = phases_of(programme_of_kind(ProgrammeKind.MODEL_WARD_POLICE))
    if phases and phase_for_year(phases, year) is None:
        raise _year_error(
            YEAR_OUTSIDE_PLAN,
            year=year,
            phases=", ".join(f"{p.start_year}–{p.end_year}" for p in phases),
        )
    area = ward_police.area
    day = unit_day(area, year)
    if day is None:
        first = f"{area.valid_from:%d/%m/%Y}" if area.valid_from else "…"
        last = (
            f"{area.valid_to - datetime.timedelta(days=1):%d/%m/%Y}"
            if area.valid_to
            else gettext("today")
        )
        successors = [
            s.successor.full_name
            for s in AreaSuccession.objects.filter(predecessor=area).select_related(
                "successor"
            )
        ]
        raise _year_error(
            NOT_IN_FORCE,
            unit=ward_police.name,
            year=year,
            span=f"{first} – {last}",
            successors=(
                gettext("; its ward became part of %(successors)s")
                % {"successors": ", ".join(successors)}
                if successors
                else ""
            ),
        )
    return day


@transaction.atomic
def assessment_create(
    *,
    year: int,
    by: User,
    registration: Registration | None = None,
    ward_police: WardPolice | None = None,
) -> Assessment:
    """Start the assessment of a unit for ``year``, against the latest version
    of its criteria set, with one empty answer per criterion. The unit is
    re-read through the actor's scope (another locality's is a 404)."""
    access.require(by, Capability.ASSESS_UNITS)
    if (registration is None) == (ward_police is None):
        raise TypeError("assess a registration or a ward police, not both")
    committee: SteeringCommittee | None
    if registration is not None:
        registration = registration_get_for_user(user=by, pk=registration.pk)
        if registration.status != RegistrationStatus.APPROVED:
            raise ValidationError(
                NOT_APPROVED,
                code="not_approved",
                params={"status": registration.get_status_display()},
            )
        _check_registration_year(registration, year)
        subject = SUBJECT_OF_UNIT_KIND[registration.unit_kind]
        committee = registration.committee
        unit_name = registration.unit_name
        duplicate = Assessment.objects.filter(registration=registration, year=year)
    elif ward_police is not None:
        ward_police = ward_police_get_for_user(user=by, pk=ward_police.pk)
        day = _check_ward_police_year(ward_police, year)
        subject = CriteriaSubject.WARD_POLICE
        committee = assessing_committee(ward_police.area, day)
        unit_name = ward_police.name
        duplicate = Assessment.objects.filter(ward_police=ward_police, year=year)
        if committee is None:
            raise ValidationError(
                NO_COMMITTEE,
                code="no_committee",
                params={"unit": unit_name, "year": year},
            )
        granted = access.access_for(by)
        if not granted.whole_province and committee.pk not in granted.committee_ids:
            # Seen through a committee that no longer assesses it (a district
            # officer of 2023 looking at a ward in 2026): not theirs to assess.
            raise PermissionDenied
    if duplicate.exists():
        raise ValidationError(ALREADY_ASSESSED, code="duplicate", params={"year": year})
    criteria_set = criteria_set_current(subject)
    if criteria_set is None:
        raise ValidationError(
            NO_CRITERIA,
            code="no_criteria",
            params={"subject": CriteriaSubject(subject).label},
        )
    assessment = Assessment(
        registration=registration,
        ward_police=ward_police,
        year=year,
        criteria_set=criteria_set,
        committee=committee,
        unit_name=unit_name,
        search_name=fold(unit_name),
        created_by=by,
        updated_by=by,
    )
    try:
        with transaction.atomic():
            assessment.save()
    except IntegrityError:
        # The same unit and year started by someone else a moment ago.
        raise ValidationError(
            ALREADY_ASSESSED, code="duplicate", params={"year": year}
        ) from None
    Answer.objects.bulk_create(
        Answer(assessment=assessment, criterion=criterion)
        for criterion in Criterion.objects.filter(
            group__criteria_set=criteria_set
        ).order_by("group__position", "position")
    )
    _log(assessment, "", S.DRAFT, by)
    _record(
        assessment,
        AuditAction.ASSESSMENT_CREATED,
        by,
        changes=audit.created(assessment, AUDITED),
        note=str(criteria_set),
    )
    return assessment


# --- Answers ------------------------------------------------------------------------


def _editable(by: User, pk: int) -> Assessment:
    access.require(by, Capability.ASSESS_UNITS)
    current = assessment_get_for_user(user=by, pk=pk, for_update=True)
    if current.status not in (S.DRAFT, S.RETURNED):
        raise ValidationError(NOT_EDITABLE, code="not_editable")
    return current


@transaction.atomic
def assessment_answers_update(
    *,
    assessment: Assessment,
    expected_version: int,
    answers: dict[int, AnswerInput],
    by: User,
) -> Assessment:
    """Save the officer's answers (by answer id). Refused with
    ``AssessmentConflict`` when the assessment changed since
    ``expected_version``; a verified answer that would change is refused
    with nothing saved."""
    current = _editable(by, assessment.pk)
    if current.version != expected_version:
        raise AssessmentConflict(current)
    stored = {
        a.pk: a
        for a in current.answers.select_related("criterion").select_for_update(
            of=("self",)
        )
    }
    changed: list[Answer] = []
    for answer_id, given in answers.items():
        answer = stored.get(answer_id)
        if answer is None:
            raise ValidationError(WRONG_ASSESSMENT, code="wrong_assessment")
        note = (given.note or "").strip()
        if answer.met == given.met and answer.note == note:
            continue
        if answer.verified:
            raise ValidationError(
                LOCKED, code="locked", params={"code": answer.criterion.code}
            )
        answer.met = given.met
        answer.note = note
        changed.append(answer)
    if changed:
        Answer.objects.bulk_update(changed, ["met", "note"])
        current.version += 1
        current.updated_by = by
        current.save(update_fields=["version", "updated_by", "updated_at"])
        _record(
            current,
            AuditAction.ASSESSMENT_UPDATED,
            by,
            note=", ".join(a.criterion.code for a in changed)[:500],
        )
    return current


# --- Evidence -----------------------------------------------------------------------


@transaction.atomic
def evidence_add(
    *, assessment: Assessment, answer_id: int, file: UploadedFile, by: User
) -> Evidence:
    """Attach an evidence file to one answer: checked by content and size
    like the registration documents, stored under a generated name, deleted
    again if anything after fails."""
    current = _editable(by, assessment.pk)
    answer = answer_get_for_user(user=by, pk=answer_id, for_update=True)
    if answer.assessment_id != current.pk:
        raise ValidationError(WRONG_ASSESSMENT, code="wrong_assessment")
    if answer.verified:
        raise ValidationError(
            EVIDENCE_LOCKED, code="locked", params={"code": answer.criterion.code}
        )
    try:
        checked = uploads.clean_upload(file, allowed=uploads.EVIDENCE_KINDS)
    except ValidationError as error:
        raise ValidationError({"file": error.error_list}) from None
    storage = Evidence._meta.get_field("file").storage
    with uploads.stored_files_removed_on_error(storage) as stored:
        evidence = Evidence(
            answer=answer,
            file_name=checked.display_name,
            file_size=checked.size,
            uploaded_by=by,
        )
        # Stored under a generated name with the extension of what the file
        # is (its content), never of what its name says ("scan", "a.b c");
        # an image as re-encoded without its metadata.
        evidence.file.save(checked.file_name, checked.file, save=False)
        stored.append(evidence.file.name)
        evidence.save()
        _record(
            current,
            AuditAction.EVIDENCE_ADDED,
            by,
            note=f"{answer.criterion.code}: {evidence.file_name}",
        )
    return evidence


@transaction.atomic
def evidence_remove(*, evidence_id: int, by: User) -> Assessment:
    """Remove an evidence file of an answer not yet verified; the file is
    deleted from storage once the removal is committed."""
    evidence = evidence_get_for_user(user=by, pk=evidence_id)
    current = _editable(by, evidence.answer.assessment_id)
    if evidence.answer.verified:
        raise ValidationError(
            EVIDENCE_LOCKED,
            code="locked",
            params={"code": evidence.answer.criterion.code},
        )
    name = evidence.file.name
    storage = evidence.file.storage
    label = f"{evidence.answer.criterion.code}: {evidence.file_name}"
    evidence.delete()
    _record(current, AuditAction.EVIDENCE_REMOVED, by, note=label)
    transaction.on_commit(lambda: storage.delete(name))
    return current


# --- Workflow -----------------------------------------------------------------------


def _move(
    *, assessment: Assessment, action: str, by: User, reason: str = ""
) -> tuple[Assessment, str, Transition]:
    step = TRANSITIONS[action]
    if not access.can(by, step.capability):
        raise PermissionDenied
    current = assessment_get_for_user(user=by, pk=assessment.pk, for_update=True)
    if current.status not in step.sources:
        raise ValidationError(
            IMPOSSIBLE,
            code="impossible",
            params={"status": current.get_status_display(), "action": step.label},
        )
    source = current.status
    current.status = step.target
    current.version += 1
    current.updated_by = by
    now = timezone.now()
    if step.target == S.SUBMITTED:
        current.submitted_at = now
        current.return_reason = ""
    if step.target == S.RETURNED:
        current.return_reason = reason
    if step.target in (S.ACCEPTED, S.RETURNED):
        current.decided_at = now
    return current, source, step


def _codes(answers: list[Answer]) -> str:
    codes = [a.criterion.code for a in answers]
    return ", ".join(codes[:8]) + (" …" if len(codes) > 8 else "")


@transaction.atomic
def assessment_submit(*, assessment: Assessment, by: User) -> Assessment:
    """Send the assessment to the province; every criterion must be answered."""
    current, source, step = _move(assessment=assessment, action="submit", by=by)
    unanswered = list(
        current.answers.filter(met__isnull=True).select_related("criterion")
    )
    if unanswered:
        raise ValidationError(
            UNANSWERED,
            code="unanswered",
            params={"count": len(unanswered), "codes": _codes(unanswered)},
        )
    current.save()
    _log(current, source, step.target, by)
    _record(current, AuditAction.ASSESSMENT_SUBMITTED, by)
    _notify(current, NotificationKind.ASSESSMENT_SUBMITTED, to_reviewers=True)
    return current


def _verifiable(
    by: User, assessment_pk: int, answer_id: int
) -> tuple[Assessment, Answer]:
    access.require(by, Capability.VERIFY_ASSESSMENTS)
    current = assessment_get_for_user(user=by, pk=assessment_pk, for_update=True)
    answer = answer_get_for_user(user=by, pk=answer_id, for_update=True)
    if answer.assessment_id != current.pk:
        raise ValidationError(WRONG_ASSESSMENT, code="wrong_assessment")
    if current.status != S.SUBMITTED:
        raise ValidationError(NOT_SUBMITTED, code="not_submitted")
    return current, answer


@transaction.atomic
def answers_verify(
    *,
    assessment: Assessment,
    findings: dict[int, bool],
    by: User,
) -> list[Answer]:
    """Provincial staff verify criteria — each with its own finding, met or
    not (by answer id): the findings are recorded and locked for the officer.
    One step for several criteria, one entry of the audit trail."""
    access.require(by, Capability.VERIFY_ASSESSMENTS)
    current = assessment_get_for_user(user=by, pk=assessment.pk, for_update=True)
    if current.status != S.SUBMITTED:
        raise ValidationError(NOT_SUBMITTED, code="not_submitted")
    answers = []
    for answer_id in findings:
        answer = answer_get_for_user(user=by, pk=answer_id, for_update=True)
        if answer.assessment_id != current.pk:
            raise ValidationError(WRONG_ASSESSMENT, code="wrong_assessment")
        answers.append(answer)
    now = timezone.now()
    notes = []
    for answer in answers:
        met = findings[answer.pk]
        shown = "đạt" if met else "không đạt"
        corrected = "" if answer.met == met else " (sửa kết quả của đơn vị)"
        notes.append(f"{answer.criterion.code}: {shown}{corrected}")
        answer.met = met
        answer.verified_by = by
        answer.verified_at = now
    Answer.objects.bulk_update(answers, ["met", "verified_by", "verified_at"])
    if answers:
        current.version += 1
        current.updated_by = by
        current.save(update_fields=["version", "updated_by", "updated_at"])
        _record(current, AuditAction.ASSESSMENT_VERIFIED, by, note="; ".join(notes))
    return answers


@transaction.atomic
def answer_verify(
    *,
    assessment: Assessment,
    answer_id: int,
    met: bool,
    by: User,
    note: str = "",
) -> Answer:
    """Provincial staff verify one criterion: the verified finding (met or
    not) is recorded and locked for the officer."""
    if note.strip():
        _, answer = _verifiable(by, assessment.pk, answer_id)
        answer.note = note.strip()
        answer.save(update_fields=["note"])
    (answer,) = answers_verify(assessment=assessment, findings={answer_id: met}, by=by)
    return answer


@transaction.atomic
def answer_unverify(*, assessment: Assessment, answer_id: int, by: User) -> Answer:
    """Release a verified criterion (a mistake) while the assessment is
    submitted: the officer can change it again if it is returned."""
    current, answer = _verifiable(by, assessment.pk, answer_id)
    answer.verified_by = None
    answer.verified_at = None
    answer.save(update_fields=["verified_by", "verified_at"])
    current.version += 1
    current.updated_by = by
    current.save(update_fields=["version", "updated_by", "updated_at"])
    _record(
        current,
        AuditAction.ASSESSMENT_VERIFIED,
        by,
        note=f"{answer.criterion.code}: bỏ xác minh",
    )
    return answer


@transaction.atomic
def assessment_return(*, assessment: Assessment, reason: str, by: User) -> Assessment:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    current, source, step = _move(
        assessment=assessment, action="return", by=by, reason=reason
    )
    current.save()
    _log(current, source, step.target, by, reason)
    _record(current, AuditAction.ASSESSMENT_RETURNED, by, note=reason)
    _notify(current, NotificationKind.ASSESSMENT_RETURNED, to_reviewers=False)
    return current


@transaction.atomic
def assessment_accept(*, assessment: Assessment, by: User) -> Assessment:
    """Accept a submitted assessment once every criterion is verified; its
    result (met N of M, meets all or not) is what the answers say."""
    current, source, step = _move(assessment=assessment, action="accept", by=by)
    answers = list(current.answers.select_related("criterion"))
    unverified = [a for a in answers if not a.verified]
    if unverified:
        raise ValidationError(
            NOT_ALL_VERIFIED,
            code="unverified",
            params={"count": len(unverified), "codes": _codes(unverified)},
        )
    current.save()
    met = sum(1 for a in answers if a.met)
    meets_all = all(a.met for a in answers if a.criterion.required)
    result = f"đạt {met}/{len(answers)} tiêu chí" + (
        ", đạt đủ các tiêu chí" if meets_all else ", chưa đạt đủ các tiêu chí"
    )
    _log(current, source, step.target, by, result)
    _record(current, AuditAction.ASSESSMENT_ACCEPTED, by, note=result)
    _notify(
        current, NotificationKind.ASSESSMENT_ACCEPTED, to_reviewers=False, result=result
    )
    return current
