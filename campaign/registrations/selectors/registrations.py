"""Reads for registrations, always scoped by the access module."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from campaign.committees import access
from campaign.committees.access import Capability
from campaign.committees.templatetags.people import vn_name
from campaign.planning.choices import TargetKind, UnitKind
from campaign.planning.models import Phase, Programme, Target
from campaign.registrations.choices import RegistrationStatus
from campaign.registrations.models import Notification, Registration
from units.choices import AreaKind
from units.models import Area, Organisation
from units.selectors import valid_on_q

# Registrations of a year are scoped by the areas as they stood mid-year: a
# ward created on 10 April 2023 belongs to the 2023 scope of its town.
SCOPE_DAY = (6, 30)
REGISTRABLE_AREA_KINDS = (
    AreaKind.COMMUNE,
    AreaKind.WARD,
    AreaKind.TOWNSHIP,
    AreaKind.SPECIAL_ZONE,
)


def scope_day(year: int) -> datetime.date:
    return datetime.date(year, *SCOPE_DAY)


def registration_scope_q(user: AbstractBaseUser | AnonymousUser) -> Q:
    """Registrations the user may see: every one for the provincial committee;
    otherwise those of their own committees (which covers every unit in their
    scope, since a unit is registered by the committee whose scope holds it)."""
    granted = access.access_for(user)
    if not access.can(user, Capability.VIEW):
        return Q(pk__in=[])
    if granted.whole_province:
        return Q()
    return Q(committee_id__in=granted.committee_ids)


def registration_list_for_user(
    *, user: AbstractBaseUser | AnonymousUser
) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(registration_scope_q(user))
        .select_related("committee", "area", "organisation", "phase")
        .order_by("-year", "unit_kind", "unit_name", "pk")
    )


def registration_get_for_user(
    *, user: AbstractBaseUser | AnonymousUser, pk: int
) -> Registration:
    """One registration of the user's scope; anyone else's is a 404."""
    try:
        return (
            registration_list_for_user(user=user)
            .select_related("programme", "created_by", "updated_by")
            .get(pk=pk)
        )
    except Registration.DoesNotExist:
        raise Http404("No such registration.") from None


def registrable_areas_for_user(
    *, user: AbstractBaseUser | AnonymousUser, year: int
) -> QuerySet[Area]:
    """Communes, wards and townships in the user's scope, in force mid-year."""
    day = scope_day(year)
    areas = Area.objects.filter(valid_on_q(day), kind__in=REGISTRABLE_AREA_KINDS)
    scope = access.area_ids_in_scope(user, on=day)
    if scope is not None:
        areas = areas.filter(pk__in=scope)
    return areas.select_related("parent").order_by("parent__name", "kind", "name")


def registrable_organisations_for_user(
    *, user: AbstractBaseUser | AnonymousUser, year: int
) -> QuerySet[Organisation]:
    return (
        Organisation.objects.filter(
            access.organisation_scope_q(user, on=scope_day(year))
        )
        .select_related("area")
        .order_by("kind", "name")
    )


def waiting_for_user(
    *, user: AbstractBaseUser | AnonymousUser
) -> QuerySet[Registration]:
    """The registrations waiting for this user: submitted ones for those who
    review, returned ones for those who register."""
    registrations = registration_list_for_user(user=user)
    waiting = Q(pk__in=[])
    if access.can(user, Capability.REVIEW_REGISTRATIONS):
        waiting |= Q(status=RegistrationStatus.SUBMITTED)
    if (
        access.can(user, Capability.REGISTER_UNITS)
        and not access.access_for(user).whole_province
    ):
        waiting |= Q(status=RegistrationStatus.RETURNED)
    return registrations.filter(waiting).order_by("updated_at", "pk")


@dataclass(frozen=True)
class QuotaRow:
    unit_kind: str
    label: str
    target: int | None
    submitted: int
    approved: int

    @property
    def remaining(self) -> int | None:
        return None if self.target is None else max(self.target - self.approved, 0)

    @property
    def reached(self) -> bool:
        return self.target is not None and self.approved >= self.target


@dataclass(frozen=True)
class QuotaTable:
    year: int
    rows: list[QuotaRow]

    @property
    def total_target(self) -> int:
        return sum(r.target or 0 for r in self.rows)

    @property
    def total_submitted(self) -> int:
        return sum(r.submitted for r in self.rows)

    @property
    def total_approved(self) -> int:
        return sum(r.approved for r in self.rows)


def exemplary_programme() -> Programme | None:
    return Programme.objects.filter(kind="exemplary_units").order_by("pk").first()


def quota_table(*, year: int, programme: Programme | None = None) -> QuotaTable:
    """Target vs submitted vs approved per unit kind for a year (two queries).
    Province-wide figures: quotas are the province's."""
    programme = programme or exemplary_programme()
    targets = dict(
        Target.objects.filter(
            programme=programme, year=year, kind=TargetKind.QUOTA
        ).values_list("unit_kind", "count")
    )
    counts = {
        row["unit_kind"]: row
        for row in Registration.objects.filter(programme=programme, year=year)
        .values("unit_kind")
        .annotate(
            submitted=Count("pk", filter=Q(status=RegistrationStatus.SUBMITTED)),
            approved=Count("pk", filter=Q(status=RegistrationStatus.APPROVED)),
        )
    }
    rows = []
    for kind in UnitKind:
        if kind.value not in targets and kind.value not in counts:
            continue
        found = counts.get(kind.value, {})
        rows.append(
            QuotaRow(
                unit_kind=kind.value,
                label=str(kind.label),
                target=targets.get(kind.value),
                submitted=found.get("submitted", 0),
                approved=found.get("approved", 0),
            )
        )
    return QuotaTable(year=year, rows=rows)


def notification_list_for_user(*, user: AbstractBaseUser) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("registration")


def unread_notification_count(*, user: AbstractBaseUser) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    actor: str
    kind: str  # "created", "changed" or "status"
    status: str = ""
    status_label: str = ""
    reason: str = ""
    changes: tuple[FieldChange, ...] = ()


# Bookkeeping fields that every save touches; the workflow log says it better.
_QUIET_FIELDS = {
    "version",
    "updated_at",
    "updated_by",
    "status",
    "submitted_at",
    "decided_at",
    "return_reason",
    "over_quota_confirmed",
    "document_size",
    "document",  # a generated name; the original file name is shown instead
}


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


def registration_timeline(*, registration: Registration) -> list[TimelineEntry]:
    """Every change of a registration, oldest first: its workflow steps (with
    actor and reason) and every field change from the audit trail (with actor,
    before and after). Three queries whatever the length of the history."""
    entries: list[TimelineEntry] = []
    for step in registration.transitions.select_related("actor").order_by("at", "pk"):
        entries.append(
            TimelineEntry(
                at=step.at,
                actor=vn_name(step.actor),
                kind="created" if not step.from_status else "status",
                status=step.to_status,
                status_label=str(RegistrationStatus(step.to_status).label),
                reason=step.reason,
            )
        )
    records = list(
        registration.history.select_related("history_user").order_by(
            "history_date", "history_id"
        )
    )
    labels = {f.name: str(f.verbose_name) for f in Registration._meta.fields}
    phases = {p.pk: str(p) for p in Phase.objects.all()}

    def shown(field: str, value) -> str:
        return phases.get(value, _shown(value)) if field == "phase" else _shown(value)

    for previous, record in zip(records, records[1:], strict=False):
        delta = record.diff_against(previous)
        changes = tuple(
            FieldChange(
                label=labels.get(change.field, change.field),
                old=shown(change.field, change.old),
                new=shown(change.field, change.new),
            )
            for change in delta.changes
            if change.field not in _QUIET_FIELDS
        )
        if changes:
            entries.append(
                TimelineEntry(
                    at=record.history_date,
                    actor=vn_name(record.history_user) if record.history_user else "—",
                    kind="changed",
                    changes=changes,
                )
            )
    return sorted(entries, key=lambda e: e.at)


def live_registration_of(
    *,
    user: AbstractBaseUser | AnonymousUser,
    area: Area | None,
    organisation: Organisation | None,
    year: int,
) -> Registration | None:
    """The user's visible registration of a unit for a year, if not withdrawn."""
    if area is None and organisation is None:
        return None
    unit = Q(area=area) if area is not None else Q(organisation=organisation)
    return (
        registration_list_for_user(user=user)
        .filter(unit, year=year)
        .exclude(status=RegistrationStatus.WITHDRAWN)
        .first()
    )


def latest_registration_year(default: int = 2023) -> int:
    """The most recent year that has registrations (the dashboard's year)."""
    latest = (
        Registration.objects.order_by("-year").values_list("year", flat=True).first()
    )
    return latest or default
