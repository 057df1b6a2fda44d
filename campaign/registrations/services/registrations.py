"""Writes for registrations: create, edit (no lost update), the workflow, the
notifications it sends, and the year-end bulk close.

Every change goes through ``Model.save()`` (or simple-history's bulk helpers),
so the audit trail holds every version with its actor; every workflow step is
also logged as a ``RegistrationTransition`` with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from campaign import uploads
from campaign.committees import access
from campaign.committees.access import Capability
from campaign.committees.choices import CommitteeLevel, MembershipRole
from campaign.committees.models import SteeringCommittee
from campaign.planning.choices import UnitKind
from campaign.planning.models import Phase, Programme
from campaign.registrations.choices import NotificationKind, RegistrationStatus
from campaign.registrations.models import (
    Notification,
    Registration,
    RegistrationTransition,
)
from campaign.registrations.selectors.registrations import quota_table, scope_day
from units.models import Area, Organisation
from units.text import fold

S = RegistrationStatus

ALREADY_REGISTERED = _("This unit is already registered for that year.")
OUT_OF_SCOPE = _("This unit is outside your committee's area.")
NOT_EDITABLE = _("Only a draft or a returned registration can be changed.")
YEAR_OUTSIDE_PHASE = _("The year must be within the phase: from %(start)s to %(end)s.")
REASON_REQUIRED = _("Give the reason for returning the registration.")
IMPOSSIBLE = _("A registration that is “%(status)s” cannot be %(action)s.")
OVER_QUOTA = _(
    "Approving it goes beyond the %(year)s quota for %(kind)s: %(approved)s of "
    "%(target)s already approved. Confirm to approve anyway."
)
NO_COMMITTEE = _("Your account does not act for any committee that can register units.")

EDITABLE_FIELDS = ("contact_name", "contact_phone", "plan_summary", "year", "phase")


class RegistrationConflict(Exception):
    """Someone else changed the registration since the form was opened."""

    def __init__(self, current: Registration):
        super().__init__(f"registration {current.pk} is at version {current.version}")
        self.current = current


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    capability: str
    label: str


TRANSITIONS = {
    "submit": Transition(
        "submit",
        (S.DRAFT, S.RETURNED),
        S.SUBMITTED,
        Capability.REGISTER_UNITS,
        _("submitted"),
    ),
    "withdraw": Transition(
        "withdraw",
        (S.DRAFT, S.RETURNED),
        S.WITHDRAWN,
        Capability.REGISTER_UNITS,
        _("withdrawn"),
    ),
    "return": Transition(
        "return",
        (S.SUBMITTED,),
        S.RETURNED,
        Capability.REVIEW_REGISTRATIONS,
        _("returned"),
    ),
    "approve": Transition(
        "approve",
        (S.SUBMITTED,),
        S.APPROVED,
        Capability.REVIEW_REGISTRATIONS,
        _("approved"),
    ),
}


def allowed_actions(*, user: AbstractBaseUser, registration: Registration) -> list[str]:
    """The workflow actions this user may take now (for the buttons shown)."""
    return [
        name
        for name, step in TRANSITIONS.items()
        if registration.status in step.sources and access.can(user, step.capability)
    ]


def _unit_kind_of(*, area: Area | None, organisation: Organisation | None) -> str:
    return UnitKind(area.kind if area is not None else organisation.kind).value


def _committee_for(
    user: AbstractBaseUser,
    *,
    area: Area | None,
    organisation: Organisation | None,
    year: int,
) -> SteeringCommittee | None:
    """The committee a registration belongs to: the user's committee whose scope
    holds the unit (the province's for provincial staff)."""
    granted = access.access_for(user)
    day = scope_day(year)
    candidates = SteeringCommittee.objects.filter(
        pk__in=granted.committee_ids, valid_from__lte=day
    ).order_by("-level")
    for committee in candidates:
        if committee.level == CommitteeLevel.PROVINCE:
            return committee
        if area is not None and (
            area.pk == committee.area_id or area.parent_id == committee.area_id
        ):
            return committee
        if organisation is not None and committee.area_id in (
            organisation.managed_by_id,
            organisation.area_id,
            organisation.area.parent_id,
        ):
            return committee
    if granted.whole_province:
        return (
            SteeringCommittee.objects.filter(
                level=CommitteeLevel.PROVINCE, valid_from__lte=day
            )
            .order_by("-valid_from")
            .first()
        )
    return None


def _check_document(document: UploadedFile | None) -> str:
    if document is None:
        return ""
    try:
        uploads.check_upload(document, allowed=uploads.EVIDENCE_KINDS)
    except ValidationError as error:
        raise ValidationError({"document": error.error_list}) from None
    return uploads.safe_display_name(document.name)


def _check_year(phase: Phase, year: int) -> None:
    if not phase.contains_year(year):
        raise ValidationError(
            {
                "year": ValidationError(
                    YEAR_OUTSIDE_PHASE,
                    params={"start": phase.start_year, "end": phase.end_year},
                )
            }
        )


def _log(registration: Registration, source: str, target: str, by, reason: str = ""):
    RegistrationTransition.objects.create(
        registration=registration,
        from_status=source,
        to_status=target,
        actor=by,
        reason=reason,
    )


@transaction.atomic
def organisation_create(
    *, name: str, kind: str, area: Area, managed_by: Area, by: AbstractBaseUser
) -> Organisation:
    organisation = Organisation(
        name=name.strip(),
        kind=kind,
        area=area,
        managed_by=managed_by,
        search_name=fold(name),
    )
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def registration_create(
    *,
    programme: Programme,
    phase: Phase,
    year: int,
    contact_name: str,
    contact_phone: str,
    plan_summary: str,
    by: AbstractBaseUser,
    area: Area | None = None,
    organisation: Organisation | None = None,
    document: UploadedFile | None = None,
) -> Registration:
    access.require(by, Capability.REGISTER_UNITS)
    _check_year(phase, year)
    day = scope_day(year)
    if area is not None and not access.area_in_scope(by, area, on=day):
        raise ValidationError({"area": OUT_OF_SCOPE})
    if (
        organisation is not None
        and not Organisation.objects.filter(
            access.organisation_scope_q(by, on=day), pk=organisation.pk
        ).exists()
    ):
        raise ValidationError({"organisation": OUT_OF_SCOPE})
    committee = _committee_for(by, area=area, organisation=organisation, year=year)
    if committee is None:
        raise ValidationError(NO_COMMITTEE)
    document_name = _check_document(document)
    unit = area.full_name if area is not None else organisation.name
    registration = Registration(
        committee=committee,
        area=area,
        organisation=organisation,
        unit_kind=_unit_kind_of(area=area, organisation=organisation),
        unit_name=unit,
        search_name=fold(unit),
        programme=programme,
        phase=phase,
        year=year,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        plan_summary=plan_summary.strip(),
        created_by=by,
        updated_by=by,
    )
    if document is not None:
        registration.document = document
        registration.document_name = document_name
        registration.document_size = document.size
    registration.full_clean(
        exclude=["document", "unit_kind"], validate_constraints=False
    )
    registration._history_user = by
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        if registration.document:
            registration.document.storage.delete(registration.document.name)
        raise ValidationError(ALREADY_REGISTERED, code="duplicate") from None
    _log(registration, "", S.DRAFT, by)
    return registration


@transaction.atomic
def registration_update(
    *,
    registration: Registration,
    expected_version: int,
    by: AbstractBaseUser,
    document: UploadedFile | None = None,
    **fields,
) -> Registration:
    """Change a draft or returned registration. Refused with
    ``RegistrationConflict`` when it changed since version ``expected_version``."""
    access.require(by, Capability.REGISTER_UNITS)
    current = Registration.objects.select_for_update().get(pk=registration.pk)
    if current.version != expected_version:
        raise RegistrationConflict(current)
    if current.status not in (S.DRAFT, S.RETURNED):
        raise ValidationError(NOT_EDITABLE, code="not_editable")
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise TypeError(f"registration_update cannot change {name!r}")
        setattr(current, name, value.strip() if isinstance(value, str) else value)
    _check_year(current.phase, current.year)
    old_document = current.document.name if current.document else ""
    if document is not None:
        current.document_name = _check_document(document)
        current.document = document
        current.document_size = document.size
    current.version += 1
    current.updated_by = by
    current._history_user = by
    current.full_clean(exclude=["document"], validate_constraints=False)
    try:
        with transaction.atomic():
            current.save()
    except IntegrityError:
        raise ValidationError(ALREADY_REGISTERED, code="duplicate") from None
    if document is not None and old_document:
        # Keep the old file until the new version is committed.
        storage = current.document.storage
        transaction.on_commit(lambda: storage.delete(old_document))
    return current


def _move(
    *, registration: Registration, action: str, by: AbstractBaseUser, reason: str = ""
) -> tuple[Registration, str, Transition]:
    """Lock the row, check the step is possible, and apply it in memory; the
    caller saves, logs and notifies. Returns (registration, old status, step)."""
    step = TRANSITIONS[action]
    if not access.can(by, step.capability):
        raise PermissionDenied
    current = Registration.objects.select_for_update().get(pk=registration.pk)
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
    current._history_user = by
    current._change_reason = reason[:100] if reason else action
    now = timezone.now()
    if step.target == S.SUBMITTED:
        current.submitted_at = now
        current.return_reason = ""
    if step.target == S.RETURNED:
        current.return_reason = reason
    if step.target in (S.APPROVED, S.RETURNED):
        current.decided_at = now
    return current, source, step


@transaction.atomic
def registration_submit(
    *, registration: Registration, by: AbstractBaseUser
) -> Registration:
    current, source, step = _move(registration=registration, action="submit", by=by)
    current.save()
    _log(current, source, step.target, by)
    _notify_reviewers(current, NotificationKind.SUBMITTED)
    return current


@transaction.atomic
def registration_withdraw(
    *, registration: Registration, by: AbstractBaseUser, reason: str = ""
) -> Registration:
    current, source, step = _move(registration=registration, action="withdraw", by=by)
    current.save()
    _log(current, source, step.target, by, reason)
    return current


@transaction.atomic
def registration_return(
    *, registration: Registration, reason: str, by: AbstractBaseUser
) -> Registration:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    current, source, step = _move(
        registration=registration, action="return", by=by, reason=reason
    )
    current.save()
    _log(current, source, step.target, by, reason)
    _notify_registrants(current, NotificationKind.RETURNED)
    return current


@transaction.atomic
def registration_approve(
    *,
    registration: Registration,
    by: AbstractBaseUser,
    confirm_over_quota: bool = False,
) -> Registration:
    """Approve a submitted registration. Beyond the year's quota for its unit
    kind, approval needs ``confirm_over_quota``, which is recorded."""
    current, source, step = _move(registration=registration, action="approve", by=by)
    row = next(
        (
            r
            for r in quota_table(year=current.year, programme=current.programme).rows
            if r.unit_kind == current.unit_kind
        ),
        None,
    )
    over = row is not None and row.target is not None and row.approved >= row.target
    reason = ""
    if over:
        if not confirm_over_quota:
            raise ValidationError(
                OVER_QUOTA,
                code="over_quota",
                params={
                    "year": current.year,
                    "kind": current.get_unit_kind_display(),
                    "approved": row.approved,
                    "target": row.target,
                },
            )
        current.over_quota_confirmed = True
        reason = (
            f"Vượt chỉ tiêu năm {current.year}: đã duyệt {row.approved}/{row.target}."
        )
    current.save()
    _log(current, source, step.target, by, reason)
    _notify_registrants(current, NotificationKind.APPROVED)
    return current


def _notify(registration: Registration, kind: str, recipients) -> None:
    messages = {
        NotificationKind.SUBMITTED: "{unit} ({year}) đã được gửi để xét duyệt.",
        NotificationKind.RETURNED: "{unit} ({year}) đã bị trả lại: {reason}",
        NotificationKind.APPROVED: "{unit} ({year}) đã được phê duyệt.",
    }
    text = messages[kind].format(
        unit=registration.unit_name,
        year=registration.year,
        reason=registration.return_reason,
    )[:300]
    users = list(recipients)
    Notification.objects.bulk_create(
        Notification(recipient=user, kind=kind, registration=registration, message=text)
        for user in users
    )
    emails = sorted({u.email for u in users if u.email})
    if emails:
        subject = f"[BCĐ 138] {text[:120]}"

        def send() -> None:
            send_mail(subject, text, None, emails, fail_silently=True)

        transaction.on_commit(send)


def _notify_reviewers(registration: Registration, kind: str) -> None:
    reviewers = (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__role=MembershipRole.PROVINCIAL_STAFF,
            memberships__committee__level=CommitteeLevel.PROVINCE,
        )
        .distinct()
    )
    _notify(registration, kind, reviewers)


def _notify_registrants(registration: Registration, kind: str) -> None:
    officers = get_user_model().objects.filter(
        is_active=True,
        memberships__committee=registration.committee,
        memberships__role=MembershipRole.LOCAL_OFFICER,
    )
    creator = get_user_model().objects.filter(
        pk=registration.created_by_id, is_active=True
    )
    _notify(registration, kind, (officers | creator).distinct())


@transaction.atomic
def notifications_mark_read(*, user: AbstractBaseUser) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def registrations_close_year(*, year: int, by: AbstractBaseUser) -> int:
    """Year-end close: withdraw the drafts never submitted, in bulk, keeping the
    audit trail complete (bulk_update_with_history writes one history row each)."""
    drafts = list(
        Registration.objects.select_for_update().filter(year=year, status=S.DRAFT)
    )
    now = timezone.now()
    for registration in drafts:
        registration.status = S.WITHDRAWN
        registration.version += 1
        registration.updated_by = by
        registration.updated_at = now
    bulk_update_with_history(
        drafts,
        Registration,
        ["status", "version", "updated_by", "updated_at"],
        default_user=by,
        default_change_reason="close_year",
    )
    RegistrationTransition.objects.bulk_create(
        RegistrationTransition(
            registration=r,
            from_status=S.DRAFT,
            to_status=S.WITHDRAWN,
            actor=by,
            reason=f"Khóa sổ năm {year}: hồ sơ chưa gửi.",
        )
        for r in drafts
    )
    return len(drafts)
