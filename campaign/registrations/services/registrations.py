"""Writes for registrations: create (a new organisation included), edit (no
lost update), the workflow, and the year-end bulk close.

Every service checks the actor's role *and* re-reads the registration through
the actor's scope (another commune's registration is a 404, whoever calls the
service). Every change goes through ``Model.save()`` (or simple-history's bulk
helper), so the registration's own history holds every version with its actor;
every workflow step is also logged as a ``RegistrationTransition`` with its
reason, and recorded in the audit trail. A file stored by a service that then
fails (a refused value, a dropped database connection) is deleted: a rolled-back
registration never leaves its document behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from campaign import uploads
from campaign.committees import access, audit
from campaign.committees.access import Capability
from campaign.committees.choices import AuditAction, CommitteeLevel
from campaign.committees.models import SteeringCommittee, User
from campaign.planning.choices import UnitKind
from campaign.planning.models import Phase, Programme
from campaign.planning.selectors.periods import phase_for_year, phases_of
from campaign.registrations.choices import NotificationKind, RegistrationStatus
from campaign.registrations.models import Registration, RegistrationTransition
from campaign.registrations.selectors.registrations import (
    approval_check,
    area_unavailable_reason,
    registrable_organisations_for_user,
    registration_get_for_user,
    scope_day,
)
from campaign.registrations.services.notifications import notify
from units.choices import OrganisationKind
from units.models import Area, Organisation
from units.text import fold

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

S = RegistrationStatus

ALREADY_REGISTERED = _("This unit is already registered for that year.")
OUT_OF_SCOPE = _("This unit is outside your committee's area.")
NOT_EDITABLE = _("Only a draft or a returned registration can be changed.")
YEAR_OUTSIDE_PHASES = _(
    "%(year)s is not a year of the plan: its phases are %(phases)s. Choose a "
    "year within them."
)
NO_PLAN = _(
    "The plan and its phases are not loaded yet: ask the provincial standing "
    "office (manage.py load_reference_data)."
)
REASON_REQUIRED = _("Give the reason for returning the registration.")
IMPOSSIBLE = _("A registration that is “%(status)s” cannot be %(action)s.")
CONFIRM_OVER_QUOTA = _(
    "Approving it goes beyond the %(year)s quota for %(kind)s: %(approved)s of "
    "%(target)s already approved. Confirm to approve anyway."
)
CONFIRM_WITHOUT_TARGET = _(
    "There is no target for %(kind)s in %(year)s (%(approved)s approved so "
    "far). Confirm to approve without a target."
)
NO_COMMITTEE = _(
    "Your account does not act for a committee in force in %(year)s that can "
    "register this unit."
)
UNIT_MISSING = _("Choose the unit to register, or enter a new organisation.")
UNIT_TWICE = _("Choose a unit from the list or enter a new organisation — not both.")
ORGANISATION_EXISTS = _(
    "%(name)s already exists in %(area)s: choose it from the list instead."
)

EDITABLE_FIELDS = ("contact_name", "contact_phone", "plan_summary", "year")
AUDITED_FIELDS = (
    "unit_name",
    "year",
    "phase",
    "contact_name",
    "contact_phone",
    "plan_summary",
    "document_name",
)


class RegistrationConflict(Exception):
    """Someone else changed the registration since the form was opened."""

    def __init__(self, current: Registration):
        super().__init__(f"registration {current.pk} is at version {current.version}")
        self.current = current


@dataclass(frozen=True)
class NewOrganisation:
    """An agency, enterprise or school registered for the first time: created
    with its registration, in the same transaction."""

    name: str
    kind: str
    area: Area


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


def allowed_actions(*, user: User, registration: Registration) -> list[str]:
    """The workflow actions this user may take now (for the buttons shown)."""
    return [
        name
        for name, step in TRANSITIONS.items()
        if registration.status in step.sources and access.can(user, step.capability)
    ]


def can_edit(*, user: User, registration: Registration) -> bool:
    return registration.status in (S.DRAFT, S.RETURNED) and access.can(
        user, Capability.REGISTER_UNITS
    )


# --- Checks shared by create and update ---------------------------------------------


def _phase_of(programme: Programme, year: int) -> Phase:
    phases = phases_of(programme)
    if not phases:
        raise ValidationError(NO_PLAN, code="no_plan")
    phase = phase_for_year(phases, year)
    if phase is None:
        raise ValidationError(
            {
                "year": ValidationError(
                    YEAR_OUTSIDE_PHASES,
                    code="year_outside_phases",
                    params={
                        "year": year,
                        "phases": ", ".join(
                            f"{p.start_year}–{p.end_year}" for p in phases
                        ),
                    },
                )
            }
        )
    return phase


def _check_area(by: User, area: Area, year: int, field: str) -> None:
    reason = area_unavailable_reason(user=by, area=area, year=year)
    if reason:
        raise ValidationError({field: ValidationError(reason, code="unit_unavailable")})


def _check_organisation(by: User, organisation: Organisation, year: int) -> None:
    visible = (
        registrable_organisations_for_user(user=by, year=year)
        .filter(pk=organisation.pk)
        .exists()
    )
    if not visible:
        raise ValidationError({"unit": ValidationError(OUT_OF_SCOPE, code="scope")})


def _committee_for(
    by: User,
    *,
    area: Area | None,
    organisation: Organisation | None,
    year: int,
) -> SteeringCommittee:
    """The committee a registration belongs to: the user's committee in force
    mid-year whose scope holds the unit (the province's for provincial staff)."""
    granted = access.access_for(by)
    day = scope_day(year)
    in_force = SteeringCommittee.objects.filter(valid_from__lte=day).exclude(
        valid_to__lte=day
    )
    for committee in in_force.filter(pk__in=granted.committee_ids).order_by("-level"):
        if committee.level == CommitteeLevel.PROVINCE:
            return committee
        if area is not None and committee.area_id in (area.pk, area.parent_id):
            return committee
        if organisation is not None and committee.area_id in (
            organisation.managed_by_id,
            organisation.area_id,
            organisation.area.parent_id,
        ):
            return committee
    if granted.whole_province:
        province = (
            in_force.filter(level=CommitteeLevel.PROVINCE)
            .order_by("-valid_from")
            .first()
        )
        if province is not None:
            return province
    raise ValidationError(NO_COMMITTEE, code="no_committee", params={"year": year})


def _check_document(document: UploadedFile | None) -> uploads.CleanUpload | None:
    if document is None:
        return None
    try:
        return uploads.clean_upload(document, allowed=uploads.EVIDENCE_KINDS)
    except ValidationError as error:
        raise ValidationError({"document": error.error_list}) from None


def _store_document(
    registration: Registration, document: uploads.CleanUpload, stored: list[str]
) -> None:
    """Write the file now (under a generated name with the extension of what
    the file is — an image as re-encoded without its metadata) and note it, so
    that it is deleted if anything after this fails."""
    field = registration.document
    field.save(document.file_name, document.file, save=False)
    stored.append(field.name)
    registration.document_name = document.display_name
    registration.document_size = document.size


def _log(
    registration: Registration, source: str, target: str, by: User, reason: str = ""
) -> None:
    RegistrationTransition.objects.create(
        registration=registration,
        from_status=source,
        to_status=target,
        actor=by,
        reason=reason,
    )


def _record(registration: Registration, action: str, by: User, **extra: Any) -> None:
    audit.record(
        action=action,
        by=by,
        object_label=f"{registration.unit_name} ({registration.year})",
        link=("registrations:registration_detail", registration.pk),
        **extra,
    )


def _live_duplicate_exists(registration: Registration) -> bool:
    unit: dict[str, Area | Organisation | None] = (
        {"area": registration.area}
        if registration.area_id
        else {"organisation": registration.organisation}
    )
    return (
        Registration.objects.filter(
            programme=registration.programme, year=registration.year, **unit
        )
        .exclude(status=S.WITHDRAWN)
        .exclude(pk=registration.pk)
        .exists()
    )


# --- Create -------------------------------------------------------------------------


def _new_organisation(by: User, new: NewOrganisation, year: int) -> Organisation:
    _check_area(by, new.area, year, "new_organisation_area")
    name = " ".join(new.name.split())
    if Organisation.objects.filter(
        name__iexact=name, kind=new.kind, area=new.area
    ).exists():
        raise ValidationError(
            {
                "new_organisation_name": ValidationError(
                    ORGANISATION_EXISTS,
                    code="organisation_exists",
                    params={"name": name, "area": new.area.full_name},
                )
            }
        )
    committee = _committee_for(by, area=new.area, organisation=None, year=year)
    organisation = Organisation(
        name=name,
        kind=OrganisationKind(new.kind),
        area=new.area,
        # Managed by the committee that registers it: the commune's, or the
        # province's for a body registered by provincial staff.
        managed_by=committee.area,
        search_name=fold(name),
    )
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def registration_create(
    *,
    programme: Programme,
    year: int,
    contact_name: str,
    contact_phone: str,
    plan_summary: str,
    by: User,
    area: Area | None = None,
    organisation: Organisation | None = None,
    new_organisation: NewOrganisation | None = None,
    document: UploadedFile | None = None,
) -> Registration:
    """Register a unit — an area, an organisation, or a new organisation
    created here — for ``year``; its phase follows from the year. One
    transaction: a refusal leaves neither the organisation nor the file."""
    access.require(by, Capability.REGISTER_UNITS)
    chosen = [u for u in (area, organisation, new_organisation) if u is not None]
    if not chosen:
        raise ValidationError({"unit": ValidationError(UNIT_MISSING, code="missing")})
    if len(chosen) > 1:
        raise ValidationError(UNIT_TWICE, code="unit_twice")
    phase = _phase_of(programme, year)
    if area is not None:
        _check_area(by, area, year, "unit")
    if organisation is not None:
        _check_organisation(by, organisation, year)
    checked = _check_document(document)
    storage = Registration._meta.get_field("document").storage
    with uploads.stored_files_removed_on_error(storage) as stored:
        if new_organisation is not None:
            organisation = _new_organisation(by, new_organisation, year)
        committee = _committee_for(by, area=area, organisation=organisation, year=year)
        if area is not None:
            unit, kind = area.full_name, area.kind
        elif organisation is not None:
            unit, kind = organisation.name, organisation.kind
        else:  # not reached: one unit was chosen above
            raise ValidationError(
                {"unit": ValidationError(UNIT_MISSING, code="missing")}
            )
        registration = Registration(
            committee=committee,
            area=area,
            organisation=organisation,
            unit_kind=UnitKind(kind).value,
            unit_name=unit,
            search_name=fold(unit),
            programme=programme,
            phase=phase,
            year=year,
            contact_name=contact_name.strip(),
            contact_phone=contact_phone.strip(),
            contact_search=fold(contact_name),
            plan_summary=plan_summary.strip(),
            created_by=by,
            updated_by=by,
        )
        if _live_duplicate_exists(registration):
            raise ValidationError(ALREADY_REGISTERED, code="duplicate")
        registration.full_clean(
            exclude=["document", "unit_kind"], validate_constraints=False
        )
        if checked is not None:
            _store_document(registration, checked, stored)
        registration._history_user = by  # type: ignore[attr-defined]  # simple_history reads it
        try:
            with transaction.atomic():
                registration.save()
        except IntegrityError:
            # The same unit registered by someone else a moment ago.
            raise ValidationError(ALREADY_REGISTERED, code="duplicate") from None
        _log(registration, "", S.DRAFT, by)
        _record(
            registration,
            AuditAction.REGISTRATION_CREATED,
            by,
            changes=audit.created(registration, AUDITED_FIELDS),
        )
    return registration


# --- Edit ---------------------------------------------------------------------------


@transaction.atomic
def registration_update(
    *,
    registration: Registration,
    expected_version: int,
    by: User,
    document: UploadedFile | None = None,
    **fields: Any,
) -> Registration:
    """Change a draft or returned registration. Refused with
    ``RegistrationConflict`` when it changed since version ``expected_version``."""
    access.require(by, Capability.REGISTER_UNITS)
    current = registration_get_for_user(user=by, pk=registration.pk, for_update=True)
    if current.version != expected_version:
        raise RegistrationConflict(current)
    if current.status not in (S.DRAFT, S.RETURNED):
        raise ValidationError(NOT_EDITABLE, code="not_editable")
    before = audit.snapshot(current, AUDITED_FIELDS)
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise TypeError(f"registration_update cannot change {name!r}")
        setattr(current, name, value.strip() if isinstance(value, str) else value)
    current.contact_search = fold(current.contact_name)
    if "year" in fields:
        current.phase = _phase_of(current.programme, current.year)
        if current.area is not None:
            _check_area(by, current.area, current.year, "year")
        elif current.organisation is not None:
            _check_organisation(by, current.organisation, current.year)
        if _live_duplicate_exists(current):
            raise ValidationError(ALREADY_REGISTERED, code="duplicate")
    checked = _check_document(document)
    old_document = current.document.name if current.document else ""
    storage = Registration._meta.get_field("document").storage
    with uploads.stored_files_removed_on_error(storage) as stored:
        if checked is not None:
            _store_document(current, checked, stored)
        current.version += 1
        current.updated_by = by
        current._history_user = by  # type: ignore[attr-defined]  # simple_history reads it
        current.full_clean(exclude=["document"], validate_constraints=False)
        try:
            with transaction.atomic():
                current.save()
        except IntegrityError:
            raise ValidationError(ALREADY_REGISTERED, code="duplicate") from None
        diff = audit.changes(current, before)
        if diff:
            _record(current, AuditAction.REGISTRATION_UPDATED, by, changes=diff)
    if document is not None and old_document:
        # Keep the old file until the new version is committed.
        transaction.on_commit(lambda: storage.delete(old_document))
    return current


# --- Workflow -----------------------------------------------------------------------


def _move(
    *, registration: Registration, action: str, by: User, reason: str = ""
) -> tuple[Registration, str, Transition]:
    """Check the role, re-read and lock the row through the actor's scope,
    check the step is possible, and apply it in memory; the caller saves, logs
    and notifies. Returns (registration, old status, step)."""
    step = TRANSITIONS[action]
    if not access.can(by, step.capability):
        raise PermissionDenied
    current = registration_get_for_user(user=by, pk=registration.pk, for_update=True)
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
    # simple_history reads both when the row is saved.
    current._history_user = by  # type: ignore[attr-defined]
    current._change_reason = reason[:100] if reason else action  # type: ignore[attr-defined]
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
def registration_submit(*, registration: Registration, by: User) -> Registration:
    current, source, step = _move(registration=registration, action="submit", by=by)
    current.save()
    again = source == S.RETURNED
    _log(current, source, step.target, by)
    _record(
        current,
        AuditAction.REGISTRATION_RESUBMITTED
        if again
        else AuditAction.REGISTRATION_SUBMITTED,
        by,
    )
    notify(
        current,
        NotificationKind.RESUBMITTED if again else NotificationKind.SUBMITTED,
    )
    return current


@transaction.atomic
def registration_withdraw(
    *, registration: Registration, by: User, reason: str = ""
) -> Registration:
    current, source, step = _move(registration=registration, action="withdraw", by=by)
    current.save()
    _log(current, source, step.target, by, reason)
    _record(current, AuditAction.REGISTRATION_WITHDRAWN, by, note=reason)
    if source == S.RETURNED:
        # The reviewers saw it: they learn it will not come back.
        notify(current, NotificationKind.WITHDRAWN)
    return current


@transaction.atomic
def registration_return(
    *, registration: Registration, reason: str, by: User
) -> Registration:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    current, source, step = _move(
        registration=registration, action="return", by=by, reason=reason
    )
    current.save()
    _log(current, source, step.target, by, reason)
    _record(current, AuditAction.REGISTRATION_RETURNED, by, note=reason)
    notify(current, NotificationKind.RETURNED)
    return current


@transaction.atomic
def registration_approve(
    *,
    registration: Registration,
    by: User,
    confirm_quota: bool = False,
) -> Registration:
    """Approve a submitted registration. When its year's quota for its unit
    kind is already reached, or there is no target for that kind and year,
    approval needs ``confirm_quota``; the confirmation is recorded."""
    current, source, step = _move(registration=registration, action="approve", by=by)
    check = approval_check(registration=current)
    row = check.row
    params = {
        "year": current.year,
        "kind": current.get_unit_kind_display(),
        "approved": row.approved,
        "target": row.target,
    }
    reason = ""
    if check.needs_confirmation:
        message = CONFIRM_OVER_QUOTA if check.over_quota else CONFIRM_WITHOUT_TARGET
        if not confirm_quota:
            raise ValidationError(message, code="confirm_quota", params=params)
        current.over_quota_confirmed = True
        reason = (
            f"Vượt chỉ tiêu năm {current.year}: đã duyệt {row.approved}/{row.target}."
            if check.over_quota
            else f"Năm {current.year} chưa có chỉ tiêu cho loại đơn vị này "
            f"(đã duyệt {row.approved})."
        )
    current.save()
    _log(current, source, step.target, by, reason)
    _record(current, AuditAction.REGISTRATION_APPROVED, by, note=reason)
    notify(current, NotificationKind.APPROVED)
    return current


@transaction.atomic
def registrations_close_year(*, year: int, by: User) -> int:
    """Year-end close: withdraw the drafts never submitted, in bulk, keeping the
    audit trail complete (bulk_update_with_history writes one history row each).
    Provincial staff only."""
    access.require(by, Capability.REVIEW_REGISTRATIONS)
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
    reason = f"Khóa sổ năm {year}: hồ sơ chưa gửi."
    RegistrationTransition.objects.bulk_create(
        RegistrationTransition(
            registration=r,
            from_status=S.DRAFT,
            to_status=S.WITHDRAWN,
            actor=by,
            reason=reason,
        )
        for r in drafts
    )
    for registration in drafts:
        _record(registration, AuditAction.REGISTRATION_WITHDRAWN, by, note=reason)
    return len(drafts)
