"""The target engine: for each target of the plan, each grouping and each year,
how many units are required, how many achieved it, the gap, and whether the
campaign is on track.

Targets are data (``planning.Target``); this module only reads them:

* **minimum share** (≥ 30 % of the ward police of each city and town by
  2025; 100 % of the province's by 2030): for each year of the phase up to
  the target's year, the wards in force are counted *as they stood on that
  year's date* — 31 December, or ``as_of`` within the year, or the last day
  of the year any city or town still stood (30/06/2025: the district level
  ended on 1 July 2025). Required = share × wards under the target's
  rounding rule (Long Xuyên 11 wards → 4, 10 wards from 01/01/2025 → 3).
  A year before the target year is on track when the achieved count reaches
  that year's even share of the way (``due``); the target year, when it
  reaches the requirement. With the province-wide 100 % target the engine
  also gives the number still needed each remaining year, and warns when it
  exceeds the best yearly gain so far;
* **at least N more each year** (2026–2030): required = the ward police of
  that year's wards that achieved it the year before, plus N;
* **number of units in a year** (exemplary units): the quota of each kind
  against registered, approved, assessed as meeting all criteria and
  recognised; achieved = recognised.

Achieved, for a ward police, is "đạt đủ các tiêu chí" that year: its
assessment for the year is verified and accepted, and every required
criterion is met. A ward police counts only for its own ward: after a merger
the new ward's police is a new unit, its predecessors' results are theirs.
Only the wards of the plan's province count (and of the province it became
part of), however many provinces the database holds.

The whole computation reads the targets, the wards, and the aggregated
results in a fixed number of queries, whatever the number of wards, years
and assessments; the rest is arithmetic in memory.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import cast

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from campaign.assessments.choices import AssessmentStatus
from campaign.assessments.models import (
    Answer,
    Assessment,
    AssessmentTransition,
    Recognition,
)
from campaign.planning.choices import (
    ProgrammeKind,
    RoundingRule,
    TargetGrouping,
    TargetKind,
    UnitKind,
)
from campaign.planning.models import Target
from campaign.registrations.choices import RegistrationStatus
from campaign.registrations.models import Registration, RegistrationTransition
from units.choices import AREA_KIND_PREFIX, AreaKind
from units.models import Area, AreaSuccession

CITY_KINDS = (AreaKind.CITY, AreaKind.TOWN)
PROVINCE_GROUPING = "province"


def share_of(target: Target) -> Decimal:
    """The percentage of a share target (the model requires one for that
    kind; a row without it is broken data, not a zero)."""
    if target.share_percent is None:
        raise ValueError(f"Target {target.pk} has no share percentage.")
    return target.share_percent


def required_count(base: int, share: Decimal, rounding: str) -> int:
    """``share`` % of ``base`` units under the rounding rule (30 % of 11 is
    3.3: 4 rounded up, 3 down or to the nearest)."""
    exact = Decimal(base) * Decimal(share) / Decimal(100)
    if rounding == RoundingRule.DOWN:
        return int(exact.to_integral_value(rounding="ROUND_FLOOR"))
    if rounding == RoundingRule.NEAREST:
        return int(exact.to_integral_value(rounding=ROUND_HALF_UP))
    return int(exact.to_integral_value(rounding="ROUND_CEILING"))


@dataclass(frozen=True)
class ProgressRow:
    """One target, one grouping, one year."""

    target: str  # a stable key: programme/kind/year[/unit kind]
    target_label: str
    programme: str
    kind: str
    grouping: str  # the city, town or province, or "province" for quotas
    grouping_area_id: int | None
    year: int
    required: int
    achieved: int
    on_track: bool
    # What ``required`` was counted from: the wards on ``counted_on``, or the
    # quota; and what was due by this year for ``on_track``.
    base: int = 0
    counted_on: datetime.date | None = None
    due: int = 0
    # Exemplary units: the steps before recognition.
    registered: int | None = None
    approved: int | None = None
    assessed: int | None = None
    # The province-wide 100 % target: how many more each remaining year, and
    # whether that is more than the best year so far.
    needed_per_year: int | None = None
    best_gain: int | None = None
    year_in_progress: bool = False

    @property
    def gap(self) -> int:
        return max(self.required - self.achieved, 0)

    @property
    def warning(self) -> bool:
        return (
            self.needed_per_year is not None
            and self.best_gain is not None
            and self.needed_per_year > self.best_gain
        )

    @property
    def percent(self) -> int:
        """Achieved as a share of the base (the wards), for the charts."""
        if not self.base:
            return 0
        return round(100 * self.achieved / self.base)

    def as_dict(self) -> dict:
        """The row for scripts: exactly these keys."""
        return {
            "target": self.target,
            "grouping": self.grouping,
            "year": self.year,
            "required": self.required,
            "achieved": self.achieved,
            "gap": self.gap,
            "on_track": self.on_track,
        }


@dataclass
class Progress:
    as_of: datetime.date
    rows: list[ProgressRow] = field(default_factory=list)

    def for_target(self, key: str) -> list[ProgressRow]:
        return [r for r in self.rows if r.target == key]

    def for_grouping_area(self, area_id: int) -> list[ProgressRow]:
        return [r for r in self.rows if r.grouping_area_id == area_id]


# --- What is read from the database (a fixed number of queries) ---------------------


@dataclass
class _Ward:
    area_id: int
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    parent_id: int | None
    parent_kind: str
    parent_name: str
    parent_valid_to: datetime.date | None

    def in_force(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day < self.valid_to
        )


def _plan_provinces(targets: list[Target]) -> set[int]:
    """The provinces the plans' targets are about: the area of each plan's
    issuing (provincial) committee and the provinces it became part of (An
    Giang of 2023 → the new An Giang of 01/07/2025). One query."""
    provinces = {t.programme.plan.committee.area_id for t in targets}
    successors = AreaSuccession.objects.filter(
        predecessor_id__in=provinces, successor__kind=AreaKind.PROVINCE
    ).values_list("successor_id", flat=True)
    return provinces | set(successors)


def _wards(provinces: set[int], area_q: Q | None = None) -> list[_Ward]:
    """The wards of ``provinces`` at any date: those right under a province
    (after the reform) and those of its cities and towns (before); only those
    matching ``area_q`` (a report's scope) when given."""
    areas = Area.objects.filter(
        Q(parent_id__in=provinces) | Q(parent__parent_id__in=provinces),
        kind=AreaKind.WARD,
    )
    if area_q is not None:
        areas = areas.filter(area_q)
    return [
        _Ward(
            area_id=pk,
            valid_from=valid_from,
            valid_to=valid_to,
            parent_id=parent_id,
            parent_kind=parent_kind or "",
            parent_name=f"{AREA_KIND_PREFIX[AreaKind(parent_kind)]} {parent_name}"
            if parent_kind
            else "",
            parent_valid_to=parent_valid_to,
        )
        for pk, valid_from, valid_to, parent_id, parent_kind, parent_name, parent_valid_to in (
            areas.values_list(
                "pk",
                "valid_from",
                "valid_to",
                "parent_id",
                "parent__kind",
                "parent__name",
                "parent__valid_to",
            )
        )
    ]


def meets_all_q(known_at: datetime.datetime | None = None) -> Q:
    """Accepted, and no required criterion left unmet: "đạt đủ các tiêu chí".
    A NOT EXISTS on the answers rather than counting them, so the database
    stops at the first unmet criterion (half the engine's time at national
    scale, docs/benchmarks.md).

    With ``known_at``, as it stood then: accepted before that moment (its
    workflow step says when). An accepted assessment is final — no step
    leads out of "accepted" and its answers can no longer change — so its
    answers now are its answers then."""
    unmet = Answer.objects.filter(
        assessment=OuterRef("pk"), criterion__required=True
    ).exclude(met=True)
    # Q & Exists is a Q (django-stubs types it as a Combinable).
    condition = cast(Q, Q(status=AssessmentStatus.ACCEPTED) & ~Exists(unmet))
    if known_at is not None:
        steps = AssessmentTransition.objects.filter(assessment=OuterRef("pk"))
        # Records without workflow steps (imported, or older than the steps)
        # are dated by their decision.
        condition &= Exists(
            steps.filter(to_status=AssessmentStatus.ACCEPTED, at__lt=known_at)
        ) | (~Exists(steps) & Q(decided_at__lt=known_at))
    return condition


def registration_status_then(known_at: datetime.datetime) -> Coalesce:
    """A registration's status as it stood at ``known_at``: the target of its
    last workflow step before then; a draft when its steps all came later;
    its status now when it has no steps at all (imported records)."""
    steps = RegistrationTransition.objects.filter(registration=OuterRef("pk"))
    last_step = (
        steps.filter(at__lt=known_at).order_by("-at", "-pk").values("to_status")[:1]
    )
    return Coalesce(
        Subquery(last_step),
        Case(
            When(Exists(steps), then=Value(RegistrationStatus.DRAFT)),
            default=F("status"),
        ),
    )


def _ward_results(
    first_year: int,
    last_year: int,
    ward_ids: list[int],
    known_at: datetime.datetime | None = None,
) -> set[tuple[int, int]]:
    """(ward area id, year) of every ward police of ``ward_ids`` that met all
    criteria (by ``known_at`` when given)."""
    return set(
        Assessment.objects.filter(
            meets_all_q(known_at),
            ward_police__area_id__in=ward_ids,
            year__gte=first_year,
            year__lte=last_year,
        ).values_list("ward_police__area_id", "year")
    )


# --- Minimum share and yearly increment ---------------------------------------------


def _count_day(
    wards: list[_Ward], year: int, as_of: datetime.date, by_city: bool
) -> datetime.date:
    """The day a year's wards are counted on: 31 December (or ``as_of`` in
    its year); for cities and towns, the last day of the year one still
    stood, when they were gone by then."""
    day = min(as_of, datetime.date(year, 12, 31))
    if not by_city:
        return day
    candidates = [day] + sorted(
        (
            w.parent_valid_to - datetime.timedelta(days=1)
            for w in wards
            if w.parent_kind in CITY_KINDS
            and w.parent_valid_to is not None
            and datetime.date(year, 1, 1) < w.parent_valid_to <= day
        ),
        reverse=True,
    )
    for candidate in candidates:
        if any(w.parent_kind in CITY_KINDS and w.in_force(candidate) for w in wards):
            return candidate
    return day


def _groups(
    wards: list[_Ward], day: datetime.date, by_city: bool
) -> dict[tuple[int | None, str], list[_Ward]]:
    """Wards in force on ``day``, by city or town (or all of them)."""
    groups: dict[tuple[int | None, str], list[_Ward]] = defaultdict(list)
    for ward in wards:
        if not ward.in_force(day):
            continue
        if by_city:
            if ward.parent_kind in CITY_KINDS:
                groups[(ward.parent_id, ward.parent_name)].append(ward)
        else:
            groups[(None, "")].append(ward)
    return groups


def _province_name(wards: list[_Ward], day: datetime.date, default: str) -> tuple:
    for ward in wards:
        if ward.in_force(day) and ward.parent_kind == AreaKind.PROVINCE:
            return ward.parent_id, ward.parent_name
    return None, default


def _share_rows(
    target: Target,
    key: str,
    label: str,
    wards: list[_Ward],
    results: set[tuple[int, int]],
    as_of: datetime.date,
    province: str,
) -> list[ProgressRow]:
    phase = target.phase
    by_city = target.grouping == TargetGrouping.EACH_CITY_TOWN
    last = min(target.year, as_of.year)
    years_to_target = target.year - phase.start_year + 1
    rows: list[ProgressRow] = []
    history: dict[tuple, list[int]] = defaultdict(list)  # grouping -> achieved by year
    for year in range(phase.start_year, last + 1):
        day = _count_day(wards, year, as_of, by_city)
        groups = _groups(wards, day, by_city)
        for (area_id, name), members in sorted(groups.items(), key=lambda g: g[0][1]):
            if not by_city:
                area_id, name = _province_name(wards, day, province)
            base = len(members)
            required = required_count(base, share_of(target), target.rounding)
            achieved = sum(1 for w in members if (w.area_id, year) in results)
            previous = sum(1 for w in members if (w.area_id, year - 1) in results)
            elapsed = year - phase.start_year + 1
            due = (
                required
                if year >= target.year
                else math.ceil(required * elapsed / years_to_target)
            )
            needed = best = None
            if not by_city:
                history[(area_id,)].append(achieved - previous)
                if year < target.year:
                    needed = math.ceil(
                        max(required - achieved, 0) / (target.year - year)
                    )
                    best = max(history[(area_id,)] + [0])
            rows.append(
                ProgressRow(
                    target=key,
                    target_label=label,
                    programme=target.programme.kind,
                    kind=target.kind,
                    grouping=name,
                    grouping_area_id=area_id,
                    year=year,
                    required=required,
                    achieved=achieved,
                    on_track=achieved >= due,
                    base=base,
                    counted_on=day,
                    due=due,
                    needed_per_year=needed,
                    best_gain=best,
                    year_in_progress=as_of < datetime.date(year, 12, 31),
                )
            )
    return rows


def _increment_rows(
    target: Target,
    key: str,
    label: str,
    wards: list[_Ward],
    results: set[tuple[int, int]],
    as_of: datetime.date,
    province: str,
) -> list[ProgressRow]:
    year = target.year
    if year > as_of.year:
        return []
    day = _count_day(wards, year, as_of, by_city=False)
    members = [w for w in wards if w.in_force(day)]
    area_id, name = _province_name(wards, day, province)
    previous = sum(1 for w in members if (w.area_id, year - 1) in results)
    achieved = sum(1 for w in members if (w.area_id, year) in results)
    required = previous + (target.count or 0)
    return [
        ProgressRow(
            target=key,
            target_label=label,
            programme=target.programme.kind,
            kind=target.kind,
            grouping=name,
            grouping_area_id=area_id,
            year=year,
            required=required,
            achieved=achieved,
            on_track=achieved >= required,
            base=len(members),
            counted_on=day,
            due=required,
            year_in_progress=as_of < datetime.date(year, 12, 31),
        )
    ]


# --- Quotas of exemplary units ------------------------------------------------------


def registrations_then(
    known_at: datetime.datetime | None, registration_q: Q | None = None
) -> QuerySet[Registration]:
    """Registrations (of ``registration_q``) with ``status_then``: their
    status now, or as it stood at ``known_at`` for those that existed then."""
    registrations = Registration.objects.all()
    if registration_q is not None:
        registrations = registrations.filter(registration_q)
    if known_at is None:
        return registrations.annotate(status_then=F("status"))
    return registrations.filter(created_at__lt=known_at).annotate(
        status_then=registration_status_then(known_at)
    )


def recognitions_then(
    as_of: datetime.date, known_at: datetime.datetime | None
) -> QuerySet[Recognition]:
    """Recognitions decided by ``as_of`` and, with ``known_at``, recorded
    before then (a decision entered later was not known on that day)."""
    recognitions = Recognition.objects.filter(decided_on__lte=as_of)
    if known_at is not None:
        recognitions = recognitions.filter(created_at__lt=known_at)
    return recognitions


def _quota_figures(
    years: set[int],
    *,
    as_of: datetime.date | None = None,
    known_at: datetime.datetime | None = None,
    registration_q: Q | None = None,
) -> dict[tuple[int, str], dict[str, int]]:
    """Per (year, unit kind): registered, approved, assessed as meeting all,
    recognised (three queries); as they stood at ``known_at`` when given, of
    the registrations matching ``registration_q`` (a report's scope)."""
    figures: dict[tuple[int, str], dict[str, int]] = defaultdict(
        lambda: {"registered": 0, "approved": 0, "assessed": 0, "recognised": 0}
    )
    if not years:
        return figures
    registrations = registrations_then(known_at, registration_q).filter(year__in=years)
    for row in (
        # status_then is annotated by registrations_then (unknown to the stubs).
        registrations.exclude(status_then=RegistrationStatus.WITHDRAWN)  # type: ignore[misc]
        .values("year", "unit_kind")
        .annotate(
            registered=Count("pk"),
            approved=Count("pk", filter=Q(status_then=RegistrationStatus.APPROVED)),
        )
    ):
        figures[(row["year"], row["unit_kind"])].update(
            registered=row["registered"], approved=row["approved"]
        )
    scoped = registration_q is not None
    assessed = Assessment.objects.filter(
        meets_all_q(known_at), registration__isnull=False, year__in=years
    )
    recognised = (
        recognitions_then(as_of, known_at)
        if as_of is not None
        else Recognition.objects.all()
    ).filter(registration__isnull=False, year__in=years)
    if scoped:
        in_scope = Registration.objects.filter(registration_q).values("pk")
        assessed = assessed.filter(registration__in=in_scope)
        recognised = recognised.filter(registration__in=in_scope)
    for year, unit_kind in assessed.values_list("year", "registration__unit_kind"):
        figures[(year, unit_kind)]["assessed"] += 1
    for year, unit_kind in recognised.values_list("year", "registration__unit_kind"):
        figures[(year, unit_kind)]["recognised"] += 1
    return figures


def _quota_row(
    target: Target, key: str, label: str, figures: dict, as_of: datetime.date
) -> ProgressRow:
    found = figures[(target.year, target.unit_kind)]
    required = target.count or 0
    in_progress = as_of < datetime.date(target.year, 12, 31)
    achieved = found["recognised"]
    return ProgressRow(
        target=key,
        target_label=label,
        programme=target.programme.kind,
        kind=target.kind,
        grouping=PROVINCE_GROUPING,
        grouping_area_id=None,
        year=target.year,
        required=required,
        achieved=achieved,
        # A year still running is on track while enough units are approved
        # for it; once over, only the recognised count.
        on_track=achieved >= required
        or (in_progress and found["approved"] >= required),
        base=required,
        due=required,
        registered=found["registered"],
        approved=found["approved"],
        assessed=found["assessed"],
        year_in_progress=in_progress,
    )


# --- The engine ---------------------------------------------------------------------


def target_key(target: Target) -> str:
    parts = [target.programme.kind, target.kind, str(target.year)]
    if target.unit_kind:
        parts.append(target.unit_kind)
    if target.grouping != TargetGrouping.PROVINCE:
        parts.append(target.grouping)
    return "/".join(parts)


def target_label(target: Target) -> str:
    """The target in words (Vietnamese: the language of the plan)."""
    if target.kind == TargetKind.QUOTA:
        return (
            f"Đơn vị điển hình năm {target.year}: {target.count} "
            f"{str(UnitKind(target.unit_kind).label).lower()}"
            if target.unit_kind
            else f"Đơn vị điển hình năm {target.year}: {target.count}"
        )
    if target.kind == TargetKind.YEARLY_INCREMENT:
        return (
            f"Công an phường: năm {target.year} thêm ít nhất {target.count} "
            "đơn vị đạt chuẩn"
        )
    share = f"{share_of(target).normalize():f}"
    where = (
        "mỗi thành phố, thị xã"
        if target.grouping == TargetGrouping.EACH_CITY_TOWN
        else "toàn tỉnh"
    )
    return f"Công an phường: ≥ {share}% {where} đạt chuẩn đến năm {target.year}"


def campaign_progress(
    *,
    as_of: datetime.date | None = None,
    phase: tuple[int, int] | None = None,
    programme_kind: str | None = None,
    known_at: datetime.datetime | None = None,
    ward_area_q: Q | None = None,
    registration_q: Q | None = None,
) -> Progress:
    """Every target's figures on ``as_of`` (today by default), optionally for
    one phase (first and last year) or one programme.

    For a report: ``known_at`` counts only what was recorded before that
    moment (statuses as they stood then, from the workflow steps), so a
    report of a past day does not change when later work is recorded;
    ``ward_area_q`` (on Area) and ``registration_q`` (on Registration) keep
    the figures inside a committee's scope."""
    as_of = as_of or timezone.localdate()
    chosen = Target.objects.select_related(
        "programme__plan__committee", "phase"
    ).order_by("programme__kind", "phase__start_year", "year", "kind", "unit_kind")
    if phase is not None:
        chosen = chosen.filter(phase__start_year=phase[0], phase__end_year=phase[1])
    if programme_kind:
        chosen = chosen.filter(programme__kind=programme_kind)
    targets = [t for t in chosen if t.phase.start_year <= as_of.year]
    progress = Progress(as_of=as_of)
    if not targets:
        return progress
    ward_targets = [
        t for t in targets if t.programme.kind == ProgrammeKind.MODEL_WARD_POLICE
    ]
    quota_targets = [t for t in targets if t.kind == TargetKind.QUOTA]
    wards: list[_Ward] = []
    results: set[tuple[int, int]] = set()
    province = "Tỉnh"
    if ward_targets:
        wards = _wards(_plan_provinces(ward_targets), ward_area_q)
        first = min(t.phase.start_year for t in ward_targets) - 1
        last = max(t.year for t in ward_targets)
        results = _ward_results(first, last, [w.area_id for w in wards], known_at)
    figures = _quota_figures(
        {t.year for t in quota_targets if t.year <= as_of.year},
        as_of=as_of if known_at is not None else None,
        known_at=known_at,
        registration_q=registration_q,
    )
    for target in targets:
        key, label = target_key(target), target_label(target)
        if target.kind == TargetKind.MIN_SHARE:
            progress.rows.extend(
                _share_rows(target, key, label, wards, results, as_of, province)
            )
        elif target.kind == TargetKind.YEARLY_INCREMENT:
            progress.rows.extend(
                _increment_rows(target, key, label, wards, results, as_of, province)
            )
        elif target.kind == TargetKind.QUOTA and target.year <= as_of.year:
            progress.rows.append(_quota_row(target, key, label, figures, as_of))
    return progress
