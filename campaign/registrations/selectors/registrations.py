"""Reads for registrations, always scoped by the access module."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from campaign.committees import access
from campaign.committees.access import Capability
from campaign.committees.models import SteeringCommittee
from campaign.committees.models import User as Account
from campaign.committees.templatetags.people import vn_name
from campaign.planning.choices import TargetKind, UnitKind
from campaign.planning.models import Phase, Programme, Target
from campaign.registrations.choices import RegistrationStatus
from campaign.registrations.models import Notification, Registration
from units.choices import AreaKind
from units.compiled_reads import CompiledRead
from units.models import Area, AreaSuccession, Organisation
from units.selectors import valid_on_q

User = access.Reader

# Registrations of a year are scoped by the areas as they stood mid-year: a
# ward created on 10 April 2023 belongs to the 2023 scope of its town, and the
# units of 2025 are those before the reform of 1 July 2025.
SCOPE_DAY = (6, 30)
REGISTRABLE_AREA_KINDS = (
    AreaKind.COMMUNE,
    AreaKind.WARD,
    AreaKind.TOWNSHIP,
    AreaKind.SPECIAL_ZONE,
)


def scope_day(year: int) -> datetime.date:
    return datetime.date(year, *SCOPE_DAY)


def registration_scope_q(user: User) -> Q:
    """Registrations the user may see: every one for the provincial committee;
    otherwise those of their own committees (which covers every unit in their
    scope, since a unit is registered by the committee whose scope holds it)."""
    granted = access.access_for(user)
    if not access.can(user, Capability.VIEW):
        return Q(pk__in=[])
    if granted.whole_province:
        return Q()
    return Q(committee_id__in=granted.committee_ids)


def registration_list_for_user(*, user: User) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(registration_scope_q(user))
        .select_related("committee", "area", "organisation", "phase")
        .order_by("-year", "unit_kind", "unit_name", "pk")
    )


def registration_get_for_user(
    *, user: User, pk: int, for_update: bool = False
) -> Registration:
    """One registration of the user's scope; anyone else's is a 404. With
    ``for_update`` (inside a service's transaction), the row is locked."""
    # Not the two users (created_by, updated_by): the page does not show them,
    # and with them the query joins eight tables, which costs PostgreSQL's
    # planner about 7 ms per request (three times the rest of the query).
    registrations = registration_list_for_user(user=user).select_related("programme")
    if for_update:
        registrations = registrations.select_for_update(of=("self",))
    try:
        return registrations.get(pk=pk)
    except Registration.DoesNotExist:
        raise Http404("No such registration.") from None


def registering_committees_for_user(
    *, user: User, year: int
) -> list[SteeringCommittee]:
    """The user's committees in force mid-``year``: those a registration of
    that year can belong to (a district committee of 2023 cannot register
    anything for 2026)."""
    day = scope_day(year)
    return list(
        SteeringCommittee.objects.filter(
            pk__in=access.access_for(user).committee_ids, valid_from__lte=day
        )
        .exclude(valid_to__lte=day)
        .select_related("area")
        .order_by("level", "short_name")
    )


def _registering_roots(user: User, year: int) -> list[int] | None:
    """Areas of the user's committees in force that year; ``None``: the whole
    province."""
    if access.access_for(user).whole_province:
        return None
    return [c.area_id for c in registering_committees_for_user(user=user, year=year)]


def registrable_areas_for_user(*, user: User, year: int) -> QuerySet[Area]:
    """Communes, wards, townships and special zones in force mid-year, in the
    area of the user's committees in force that year."""
    day = scope_day(year)
    areas = Area.objects.filter(valid_on_q(day), kind__in=REGISTRABLE_AREA_KINDS)
    roots = _registering_roots(user, year)
    if roots is not None:
        areas = areas.filter(
            Q(pk__in=roots) | Q(parent_id__in=roots) | Q(parent__parent_id__in=roots)
        )
    return areas.select_related("parent").order_by("parent__name", "kind", "name")


def registrable_organisations_for_user(
    *, user: User, year: int
) -> QuerySet[Organisation]:
    """Organisations the user's committees in force that year manage, or that
    are located in their area."""
    organisations = Organisation.objects.all()
    roots = _registering_roots(user, year)
    if roots is not None:
        day = scope_day(year)
        located = Area.objects.filter(valid_on_q(day)).filter(
            Q(pk__in=roots) | Q(parent_id__in=roots) | Q(parent__parent_id__in=roots)
        )
        organisations = organisations.filter(
            Q(managed_by_id__in=roots) | Q(area__in=located)
        )
    return organisations.select_related("area").order_by("kind", "name")


def area_unavailable_reason(*, user: User, area: Area, year: int) -> str:
    """Why ``area`` cannot be registered for ``year`` by ``user``, in words
    (never an id): not a commune-level unit, not in force that year (and what
    it became), or outside the user's area."""
    day = scope_day(year)
    name = area.full_name
    if area.kind not in REGISTRABLE_AREA_KINDS:
        return _(
            "%(unit)s is not a commune, ward, township or special zone: it cannot "
            "be registered."
        ) % {"unit": name}
    if area.valid_from and day < area.valid_from:
        return _(
            "%(unit)s did not exist yet in %(year)s: it was set up on %(day)s. "
            "Choose a unit that existed that year, or another year."
        ) % {"unit": name, "year": year, "day": f"{area.valid_from:%d/%m/%Y}"}
    if area.valid_to and day >= area.valid_to:
        successors = [
            s.successor.full_name
            for s in AreaSuccession.objects.filter(predecessor=area).select_related(
                "successor"
            )
        ]
        last = area.valid_to - datetime.timedelta(days=1)
        if successors:
            return _(
                "%(unit)s no longer existed in %(year)s: its last day was %(day)s, "
                "after which it became part of %(successors)s. Choose a unit that "
                "exists that year."
            ) % {
                "unit": name,
                "year": year,
                "day": f"{last:%d/%m/%Y}",
                "successors": ", ".join(successors),
            }
        return _(
            "%(unit)s no longer existed in %(year)s: its last day was %(day)s. "
            "Choose a unit that exists that year."
        ) % {"unit": name, "year": year, "day": f"{last:%d/%m/%Y}"}
    if not registrable_areas_for_user(user=user, year=year).filter(pk=area.pk).exists():
        return _(
            "%(unit)s is not in the area of your committee in %(year)s: it is "
            "registered by its own commune-level committee."
        ) % {"unit": name, "year": year}
    return ""


def waiting_for_user(*, user: User) -> QuerySet[Registration]:
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


def has_waiting_list(*, user: User) -> bool:
    """Whether anything can ever wait for this user (reviewers and registrants;
    a director has no list of their own)."""
    return access.can(user, Capability.REVIEW_REGISTRATIONS) or (
        access.can(user, Capability.REGISTER_UNITS)
        and not access.access_for(user).whole_province
    )


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

    @property
    def has_targets(self) -> bool:
        return any(r.target is not None for r in self.rows)

    def row_for(self, unit_kind: str) -> QuotaRow:
        found = next((r for r in self.rows if r.unit_kind == unit_kind), None)
        return found or QuotaRow(
            unit_kind=unit_kind,
            label=str(UnitKind(unit_kind).label),
            target=None,
            submitted=0,
            approved=0,
        )


def quota_table(*, year: int, programme: Programme | None) -> QuotaTable:
    """Target vs submitted vs approved per unit kind for a year (two queries).
    Province-wide figures: quotas are the province's."""
    if programme is None:
        return QuotaTable(year=year, rows=[])
    targets = dict(
        Target.objects.filter(
            programme=programme, year=year, kind=TargetKind.QUOTA
        ).values_list("unit_kind", "count")
    )
    counts = {
        row["unit_kind"]: row
        for row in Registration.objects.filter(programme=programme, year=year)
        .values("unit_kind")
        # COUNT(status), not COUNT(id): every column read is then in the
        # (programme, year, unit_kind, status) index, which PostgreSQL reads
        # alone (an index-only scan) instead of visiting each row — the year's
        # 4,300 registrations of 34 provinces cost 2.5 ms the other way.
        .annotate(
            submitted=Count("status", filter=Q(status=RegistrationStatus.SUBMITTED)),
            approved=Count("status", filter=Q(status=RegistrationStatus.APPROVED)),
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


@dataclass(frozen=True)
class ApprovalCheck:
    """What approving a registration means for its year's quota: the row of
    its unit kind, and whether a confirmation is needed (the quota is already
    reached, or there is no target for that kind and year)."""

    quotas: QuotaTable
    row: QuotaRow

    @property
    def over_quota(self) -> bool:
        return self.row.reached

    @property
    def without_target(self) -> bool:
        return self.row.target is None

    @property
    def needs_confirmation(self) -> bool:
        return self.over_quota or self.without_target


def approval_check(*, registration: Registration) -> ApprovalCheck:
    quotas = quota_table(year=registration.year, programme=registration.programme)
    return ApprovalCheck(quotas=quotas, row=quotas.row_for(registration.unit_kind))


def notification_list_for_user(*, user: Account) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("registration")


def notification_get_for_user(*, user: Account, pk: int) -> Notification:
    """One of the user's own notifications; anyone else's is a 404."""
    try:
        return Notification.objects.get(recipient=user, pk=pk)
    except Notification.DoesNotExist:
        raise Http404("No such notification.") from None


# The page header's badge, on every page: its SQL compiled once. Grouped by
# the one recipient asked for: no row when nothing is unread.
_UNREAD = CompiledRead(
    lambda user_id: (
        Notification.objects.filter(recipient_id=user_id, read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(unread=Count("pk"))
        .values_list("unread")
    )
)


def unread_notification_count(*, user: Account) -> int:
    rows = _UNREAD.rows(user.pk)
    return rows[0][0] if rows else 0


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


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


def registration_timeline(*, registration: Registration) -> list[TimelineEntry]:
    """Every change of a registration, oldest first: its workflow steps (with
    actor and reason) and every field change from the audit trail (with actor,
    before and after). Two queries whatever the length of the history (three
    when it shows a change of phase)."""
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
    # The phases' names are read only when a change of phase is shown: most
    # histories have none, and the page then runs one query less.
    phases: dict[int, str] = {}

    def shown(field: str, value: Any) -> str:
        if field != "phase":
            return _shown(value)
        if not phases:
            phases.update((p.pk, str(p)) for p in Phase.objects.all())
        return phases.get(value, _shown(value))

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
    user: User,
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
