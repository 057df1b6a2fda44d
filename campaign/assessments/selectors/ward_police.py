"""Reads for the model ward police pages (the programme's overview, a city's,
town's or the province's ward police year by year, one ward police) and for
the progress page (the target engine's figures, as tables and charts).

Scope: the engine's aggregate figures may be shown to everyone with the VIEW
capability; unit-level lists are scoped. A ward police is in a user's scope
when its ward lay in the area of one of the user's committees while it was in
force — the rule of ``ward_police_get_for_user`` (a ward keeps its place while
it lasts: a reorganisation makes a new ward), so a list never shows a unit its
detail page would refuse. A grouping (a city, a town, the province) can be
opened when at least one of its ward police is in the user's scope.

Every page is read in a fixed number of queries, whatever the number of
wards, years and assessments: the engine itself, one query per kind of record
(wards, assessments, successions…) and arithmetic in memory.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.assessments.choices import AssessmentStatus
from campaign.assessments.models import (
    Assessment,
    Commendation,
    Recognition,
    ReviewClassification,
)
from campaign.assessments.selectors.assessments import (
    _in_scope_of_user,
    assessing_committee,
    assessment_scope_q,
    unit_day,
    with_counts,
)
from campaign.assessments.selectors.progress import (
    Progress,
    ProgressRow,
    campaign_progress,
    share_of,
    target_key,
)
from campaign.committees import access
from campaign.committees.access import Capability
from campaign.planning.choices import (
    ProgrammeKind,
    TargetGrouping,
    TargetKind,
    UnitKind,
)
from campaign.planning.models import Phase, Programme, Target
from campaign.planning.selectors.periods import (
    CampaignPeriod,
    current_period,
    phase_for_year,
    phases_of,
    programme_of_kind,
)
from units.choices import AreaKind
from units.models import Area, AreaSuccession, WardPolice
from units.text import fold

User = access.Reader

GROUPING_KINDS = (AreaKind.CITY, AreaKind.TOWN, AreaKind.PROVINCE)


# --- Scope and time ------------------------------------------------------------------


def ward_police_visible_q(user: User, prefix: str = "") -> Q:
    """Ward police the user may see, whatever the date: every one for the
    province; otherwise those whose ward is, or lay under, the area of one of
    the user's committees (its commune, or its city's or town's wards)."""
    if not access.can(user, Capability.VIEW):
        return Q(pk__in=[])
    granted = access.access_for(user)
    if granted.whole_province:
        return Q()
    roots = granted.committee_area_ids
    return (
        Q(**{f"{prefix}area_id__in": roots})
        | Q(**{f"{prefix}area__parent_id__in": roots})
        | Q(**{f"{prefix}area__parent__parent_id__in": roots})
    )


def visible_grouping_ids(user: User) -> frozenset[int] | None:
    """Ids of the groupings (the wards' parent areas) with at least one ward
    police in the user's scope; ``None`` for the whole province (one query
    for a local user, none otherwise)."""
    if access.access_for(user).whole_province:
        return None
    # A ward always has a parent area (its city, town or district).
    parent_ids = cast(
        "QuerySet[WardPolice, int]",
        WardPolice.objects.filter(ward_police_visible_q(user))
        .values_list("area__parent_id", flat=True)
        .distinct(),
    )
    return frozenset(parent_ids)


@dataclass(frozen=True)
class ProgrammeTime:
    """The model ward police programme and where it stands today."""

    programme: Programme | None
    phases: list[Phase]
    period: CampaignPeriod | None
    today: datetime.date

    @property
    def current_year(self) -> int:
        return self.period.year if self.period else self.today.year

    @property
    def years(self) -> list[int]:
        return [y for p in self.phases for y in range(p.start_year, p.end_year + 1)]


def programme_time(*, today: datetime.date | None = None) -> ProgrammeTime:
    """The programme, its plan's phases and today's phase and year, from the
    data and the clock (two queries)."""
    today = today or timezone.localdate()
    programme = programme_of_kind(ProgrammeKind.MODEL_WARD_POLICE)
    phases = phases_of(programme)
    return ProgrammeTime(
        programme=programme,
        phases=phases,
        period=current_period(phases=phases, on=today),
        today=today,
    )


def years_in_force(
    area: Area, years: Iterable[int], *, up_to: int | None = None
) -> list[int]:
    """The years among ``years`` (up to ``up_to``) in which the area was in
    force on at least one day."""
    return [
        y
        for y in years
        if (up_to is None or y <= up_to) and unit_day(area, y) is not None
    ]


def _sort_key(name: str) -> str:
    return fold(name)


# --- What a ward police did in a year -----------------------------------------------


@dataclass(frozen=True)
class YearStatus:
    """A ward police in one year: in force or not, its assessment (with the
    counts of ``with_counts``) and recognition, and whether the user may open
    the assessment."""

    year: int
    in_force: bool
    assessment: Assessment | None = None
    recognition: Recognition | None = None
    can_open: bool = False
    merged_into: tuple[str, ...] = ()

    @property
    def state(self) -> str:
        """``not_in_force``, ``not_assessed``, ``recognised`` or the
        assessment's status."""
        if self.assessment is None:
            return "not_assessed" if self.in_force else "not_in_force"
        if self.recognition is not None:
            return "recognised"
        return self.assessment.status

    @property
    def accepted(self) -> bool:
        return (
            self.assessment is not None
            and self.assessment.status == AssessmentStatus.ACCEPTED
        )

    @property
    def meets_all(self) -> bool:
        """Accepted with every required criterion met: the engine's
        "achieved" (``progress.meets_all_q``)."""
        a = self.assessment
        return (
            self.accepted
            and a is not None
            # The counts are annotated by ``with_counts``.
            and a.required_met == a.required_total  # type: ignore[attr-defined]
        )

    @property
    def met(self) -> int:
        # The counts are annotated by ``with_counts``.
        return self.assessment.criteria_met if self.assessment else 0  # type: ignore[attr-defined]

    @property
    def total(self) -> int:
        return self.assessment.criteria_total if self.assessment else 0  # type: ignore[attr-defined]


def _assessments_by_unit(
    user: User, ward_police_ids: Iterable[int], years: Iterable[int] | None = None
) -> tuple[dict[tuple[int | None, int], Assessment], set[int]]:
    """The assessments of these ward police (optionally only those years)
    with their counts and recognition, by (ward police id, year); and the ids
    of those the user may open (``assessment_scope_q``). One query."""
    ids = list(ward_police_ids)
    if not ids:
        return {}, set()
    assessments = Assessment.objects.filter(ward_police_id__in=ids)
    if years is not None:
        assessments = assessments.filter(year__in=list(years))
    scope = assessment_scope_q(user)
    everything = scope == Q()
    if not everything:
        assessments = assessments.annotate(
            user_may_open=Case(
                When(scope, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    found = {
        (a.ward_police_id, a.year): a
        for a in with_counts(assessments.select_related("recognition")).order_by()
    }
    # user_may_open is annotated above when the scope is not everything.
    visible = {a.pk for a in found.values() if everything or a.user_may_open}  # type: ignore[attr-defined]
    return found, visible


def _recognition_of(assessment: Assessment | None) -> Recognition | None:
    if assessment is None:
        return None
    try:
        return assessment.recognition
    except Recognition.DoesNotExist:
        return None


def _year_status(
    ward: WardPolice,
    year: int,
    found: dict[tuple[int | None, int], Assessment],
    visible: set[int],
    merged_into: dict[int, tuple[str, ...]],
) -> YearStatus:
    assessment = found.get((ward.pk, year))
    in_force = unit_day(ward.area, year) is not None
    ended = (
        not in_force
        and ward.area.valid_to is not None
        and year >= ward.area.valid_to.year
    )
    return YearStatus(
        year=year,
        in_force=in_force,
        assessment=assessment,
        recognition=_recognition_of(assessment),
        can_open=assessment is not None and assessment.pk in visible,
        merged_into=merged_into.get(ward.area_id, ()) if ended else (),
    )


def _successor_names(area_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """What each of these areas became part of, by area id (one query)."""
    names: dict[int, list[str]] = defaultdict(list)
    for predecessor_id, kind, name in (
        AreaSuccession.objects.filter(predecessor_id__in=list(area_ids))
        .order_by("date", "pk")
        .values_list("predecessor_id", "successor__kind", "successor__name")
    ):
        names[predecessor_id].append(Area(kind=kind, name=name).full_name)
    return {k: tuple(v) for k, v in names.items()}


# --- The engine's figures, shaped for pages -----------------------------------------


@dataclass(frozen=True)
class TargetFigures:
    """One target's rows for one grouping (or the province), by year."""

    key: str
    label: str
    kind: str
    rows: tuple[ProgressRow, ...]

    @property
    def latest(self) -> ProgressRow:
        return self.rows[-1]


def series_key(row: ProgressRow) -> str:
    """Rows of one series: a target's years, or every year's "N more each
    year" target together."""
    if row.kind == TargetKind.YEARLY_INCREMENT:
        return f"{row.programme}/{row.kind}"
    return row.target


def _by_target(rows: Iterable[ProgressRow]) -> list[TargetFigures]:
    grouped: dict[str, list[ProgressRow]] = {}
    for row in rows:
        grouped.setdefault(series_key(row), []).append(row)
    figures = []
    for key, members in grouped.items():
        ordered = tuple(sorted(members, key=lambda r: r.year))
        figures.append(
            TargetFigures(
                key=key,
                label=ordered[-1].target_label,
                kind=ordered[-1].kind,
                rows=ordered,
            )
        )
    return figures


# --- Charts: the geometry of small accessible SVG bar charts -------------------------
#
# One kind of chart serves every page: horizontal "bullet" bars, one row per
# year (or unit kind), optionally in groups (a city). The required figure is a
# white frame with a dark outline, the achieved figure a solid bar inside it,
# the value is written at the end of the row, on track or not is a ✓ or ✗
# mark, and an optional reference line (30 %, 100 %) is dashed and labelled.
# Horizontal rows stay readable on a 390 px screen: the width is the scale,
# the height grows with the rows. The page shows the same figures in a table.

CHART_WIDTH = 400
CHART_TOP = 26
CHART_ROW = 28
CHART_HEADING = 24
CHART_AXIS = 28
CHART_VALUE_WIDTH = 78


@dataclass(frozen=True)
class ChartItem:
    """A group heading (``bar`` false) or one bar row, its coordinates in the
    chart's viewBox."""

    label: str
    y: float  # the row's top
    bar: bool = True
    outline_width: float = 0.0
    solid_width: float = 0.0
    value: str = ""
    mark: str = ""  # "on", "off" or ""
    has_solid: bool = True

    @property
    def label_y(self) -> float:
        return self.y + (19 if self.bar else 17)

    @property
    def outline_y(self) -> float:
        return self.y + 4

    @property
    def solid_y(self) -> float:
        return self.y + 9


@dataclass(frozen=True)
class ChartTick:
    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart: ``items`` from the top, ``ticks`` on the axis,
    an optional dashed reference line at ``reference_x``."""

    items: tuple[ChartItem, ...]
    ticks: tuple[ChartTick, ...]
    left: float
    right: float
    height: float
    reference_x: float | None = None
    reference_label: str = ""
    width: int = CHART_WIDTH

    @property
    def axis_y(self) -> float:
        return self.height - CHART_AXIS

    @property
    def grid_top(self) -> float:
        return CHART_TOP - 6

    @property
    def label_x(self) -> float:
        return self.left - 6

    @property
    def tick_label_y(self) -> float:
        return self.axis_y + 18

    @property
    def value_x(self) -> float:
        return self.right + 8

    @property
    def mark_x(self) -> float:
        return self.width - 4

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height:g}"


@dataclass(frozen=True)
class BarSpec:
    """What a row shows, before the geometry: the required figure (frame),
    the achieved one (solid bar, ``None`` when not known yet), the text at the
    end, and on track (``None``: no mark)."""

    label: str
    required: float
    achieved: float | None
    value: str
    on_track: bool | None = None


def _nice_maximum(value: float) -> tuple[float, float]:
    """A round top of the scale and the step of its ticks (≤ 5 ticks)."""
    value = max(value, 1)
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if value / step <= 5:
            return math.ceil(value / step) * step, step
    step = 10 ** math.ceil(math.log10(value / 5))
    return math.ceil(value / step) * step, step


def build_chart(
    groups: Sequence[tuple[str, Sequence[BarSpec]]],
    *,
    label_width: int = 52,
    maximum: float | None = None,
    percent: bool = False,
    reference: float | None = None,
    reference_label: str = "",
) -> Chart:
    """The geometry of a bar chart of ``groups`` (heading, rows); a heading
    that is empty is not drawn. ``percent`` scales 0–100 %."""
    left = float(label_width)
    right = float(CHART_WIDTH - CHART_VALUE_WIDTH)
    values = [
        v
        for _heading, specs in groups
        for s in specs
        for v in (s.required, s.achieved or 0)
    ]
    if reference is not None:
        values.append(reference)
    if percent:
        # 0–50 % while every figure stays below half, else 0–100 %.
        top = 50.0 if max(values, default=0) <= 50 else 100.0
        step = top / 4 if top == 100 else 10.0
    else:
        top, step = _nice_maximum(maximum or max(values, default=1))

    def x_of(value: float) -> float:
        return round((right - left) * min(value, top) / top, 1)

    items: list[ChartItem] = []
    y = float(CHART_TOP)
    for heading, specs in groups:
        if heading:
            items.append(ChartItem(label=heading, y=y, bar=False))
            y += CHART_HEADING
        for spec in specs:
            items.append(
                ChartItem(
                    label=spec.label,
                    y=y,
                    outline_width=x_of(spec.required),
                    solid_width=x_of(spec.achieved or 0),
                    has_solid=spec.achieved is not None and spec.achieved > 0,
                    value=spec.value,
                    mark=""
                    if spec.on_track is None
                    else ("on" if spec.on_track else "off"),
                )
            )
            y += CHART_ROW
    ticks = []
    value = 0.0
    while value <= top + 1e-9:
        label = f"{value:g} %" if percent else f"{value:g}"
        ticks.append(ChartTick(x=round(left + x_of(value), 1), label=label))
        value += step
    return Chart(
        items=tuple(items),
        ticks=tuple(ticks),
        left=left,
        right=right,
        height=y + 8 + CHART_AXIS,
        reference_x=None if reference is None else round(left + x_of(reference), 1),
        reference_label=reference_label,
    )


def _count_bars(rows: Iterable[ProgressRow]) -> list[BarSpec]:
    return [
        BarSpec(
            label=str(r.year),
            required=r.required,
            achieved=r.achieved,
            value=f"{r.achieved} / {r.required}",
            on_track=r.on_track,
        )
        for r in rows
    ]


def target_chart(figures: TargetFigures) -> Chart:
    """Achieved against required, year by year, for one target."""
    return build_chart([("", _count_bars(figures.rows))])


# --- The programme's overview --------------------------------------------------------


@dataclass(frozen=True)
class GroupingSummary:
    """A city, town or the province in one phase: the engine's figures of
    each target, and whether the user may open its page."""

    area_id: int
    name: str
    targets: tuple[TargetFigures, ...]
    can_open: bool

    @property
    def wards(self) -> int:
        return max((t.latest.base for t in self.targets), default=0)


@dataclass(frozen=True)
class PhaseSummary:
    phase: Phase
    current: bool
    groupings: tuple[GroupingSummary, ...]
    # Groupings of this phase outside the user's scope, not listed.
    hidden: int = 0

    @property
    def by_city(self) -> bool:
        return any(
            t.key.endswith(f"/{TargetGrouping.EACH_CITY_TOWN}")
            for g in self.groupings
            for t in g.targets
        )


@dataclass(frozen=True)
class WardPoliceOverview:
    time: ProgrammeTime
    phases: tuple[PhaseSummary, ...]  # today's phase first, then the earlier ones
    whole_province: bool


def _rows_by_phase(
    progress: Progress, phases: list[Phase]
) -> dict[int, dict[int, list[ProgressRow]]]:
    """phase id -> grouping area id -> rows."""
    grouped: dict[int, dict[int, list[ProgressRow]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in progress.rows:
        phase = phase_for_year(phases, row.year)
        if phase is None or row.grouping_area_id is None:
            continue
        grouped[phase.pk][row.grouping_area_id].append(row)
    return grouped


def ward_police_overview(
    *, user: User, today: datetime.date | None = None
) -> WardPoliceOverview:
    """The programme's landing page: for today's phase and each earlier one,
    the groupings (the province; the cities and towns in 2023–2025) with the
    engine's figures, limited for a local officer to the groupings of their
    scope."""
    time = programme_time(today=today)
    progress = campaign_progress(
        as_of=time.today, programme_kind=ProgrammeKind.MODEL_WARD_POLICE
    )
    visible = visible_grouping_ids(user)
    grouped = _rows_by_phase(progress, time.phases)
    current = time.period.phase if time.period else None
    ordered = sorted(
        (p for p in time.phases if p.start_year <= time.current_year),
        key=lambda p: (p != current, -p.start_year),
    )
    summaries = []
    for phase in ordered:
        groupings = []
        hidden = 0
        for area_id, rows in grouped.get(phase.pk, {}).items():
            can_open = visible is None or area_id in visible
            if not can_open:
                hidden += 1
                continue
            groupings.append(
                GroupingSummary(
                    area_id=area_id,
                    name=rows[0].grouping,
                    targets=tuple(_by_target(rows)),
                    can_open=can_open,
                )
            )
        groupings.sort(key=lambda g: _sort_key(g.name))
        summaries.append(
            PhaseSummary(
                phase=phase,
                current=phase == current,
                groupings=tuple(groupings),
                hidden=hidden,
            )
        )
    return WardPoliceOverview(
        time=time, phases=tuple(summaries), whole_province=visible is None
    )


# --- A grouping: its ward police year by year ----------------------------------------


@dataclass(frozen=True)
class GroupingUnit:
    ward_police: WardPolice
    years: tuple[YearStatus, ...]


@dataclass(frozen=True)
class TargetSection:
    figures: TargetFigures
    chart: Chart


@dataclass(frozen=True)
class WardPoliceGrouping:
    area: Area
    years: tuple[int, ...]
    units: tuple[GroupingUnit, ...]
    targets: tuple[TargetSection, ...]
    whole_province: bool
    time: ProgrammeTime

    @property
    def first_year(self) -> int | None:
        return self.years[0] if self.years else None

    @property
    def last_year(self) -> int | None:
        return self.years[-1] if self.years else None

    def achieved_in(self, year: int) -> int:
        """How many of the listed ward police met all criteria that year."""
        return sum(
            1 for u in self.units for s in u.years if s.year == year and s.meets_all
        )

    @property
    def totals(self) -> list[int]:
        return [self.achieved_in(y) for y in self.years]


def ward_police_grouping_get(
    *, user: User, area_pk: int, today: datetime.date | None = None
) -> WardPoliceGrouping:
    """A city's, town's or the province's ward police over the years the
    grouping was in force (up to this year), with each one's status per year
    and the engine's figures. A 404 for an area that is not a grouping of
    ward police, or whose ward police all lie outside the user's scope."""
    try:
        area = Area.objects.select_related("parent").get(
            pk=area_pk, kind__in=GROUPING_KINDS
        )
    except Area.DoesNotExist:
        raise Http404("No such grouping of ward police.") from None
    units = sorted(
        WardPolice.objects.filter(ward_police_visible_q(user), area__parent=area)
        .select_related("area")
        .order_by(),
        key=lambda w: _sort_key(w.name),
    )
    if not units:
        raise Http404("No ward police of this grouping in the user's scope.")
    time = programme_time(today=today)
    years = years_in_force(area, time.years, up_to=time.current_year)
    found, visible = _assessments_by_unit(user, (w.pk for w in units), years)
    merged = (
        _successor_names(
            w.area_id
            for w in units
            if w.area.valid_to is not None and w.area.valid_to.year <= years[-1]
        )
        if years
        else {}
    )
    progress = campaign_progress(
        as_of=time.today, programme_kind=ProgrammeKind.MODEL_WARD_POLICE
    )
    targets = _by_target(progress.for_grouping_area(area.pk))
    return WardPoliceGrouping(
        area=area,
        years=tuple(years),
        units=tuple(
            GroupingUnit(
                ward_police=w,
                years=tuple(_year_status(w, y, found, visible, merged) for y in years),
            )
            for w in units
        ),
        targets=tuple(TargetSection(figures=t, chart=target_chart(t)) for t in targets),
        whole_province=access.access_for(user).whole_province,
        time=time,
    )


# --- One ward police ----------------------------------------------------------------


@dataclass(frozen=True)
class PredecessorHistory:
    """A predecessor ward (or commune) of this unit's ward, and what its own
    ward police did: its results are its own and do not count here."""

    area: Area
    date: datetime.date  # the day it became part of its successor
    successor_name: str
    ward_police: WardPolice | None
    can_open: bool
    years: tuple[YearStatus, ...]
    level: int  # 1: merged into this ward; 2: into one of those

    @property
    def results(self) -> tuple[YearStatus, ...]:
        """The years with an assessment."""
        return tuple(s for s in self.years if s.assessment is not None)


@dataclass(frozen=True)
class SuccessorLink:
    area: Area
    date: datetime.date
    ward_police: WardPolice | None
    can_open: bool


@dataclass(frozen=True)
class WardPoliceDetail:
    ward_police: WardPolice
    area: Area
    grouping: Area | None
    can_open_grouping: bool
    years: tuple[YearStatus, ...]
    commendations: tuple[Commendation, ...]
    classifications: tuple[ReviewClassification, ...]
    predecessors: tuple[PredecessorHistory, ...]
    successors: tuple[SuccessorLink, ...]
    start_year: int | None  # the year the user may start its assessment for
    time: ProgrammeTime = field(repr=False)

    @property
    def recognitions(self) -> tuple[YearStatus, ...]:
        return tuple(s for s in self.years if s.recognition is not None)


def _start_year(
    user: User, ward: WardPolice, assessed: set[int], time: ProgrammeTime
) -> int | None:
    """The current campaign year, when the user may start this unit's
    assessment for it: they assess units, the unit is in force that year and
    not yet assessed, and the committee that assesses it is theirs (or they
    act for the province). One query at most."""
    if not access.can(user, Capability.ASSESS_UNITS) or time.period is None:
        return None
    year = time.current_year
    day = unit_day(ward.area, year)
    if day is None or year in assessed:
        return None
    granted = access.access_for(user)
    if granted.whole_province:
        return year
    committee = assessing_committee(ward.area, day)
    if committee is None or committee.pk not in granted.committee_ids:
        return None
    return year


def _predecessors(
    user: User, area: Area, time: ProgrammeTime
) -> list[PredecessorHistory]:
    """The wards (and communes) that merged into ``area``, and those that had
    merged into them (two levels), with their ward police's years (four
    queries)."""
    first = list(
        AreaSuccession.objects.filter(successor=area)
        .select_related("predecessor__parent", "predecessor__ward_police")
        .order_by("date", "pk")
    )
    second = (
        list(
            AreaSuccession.objects.filter(
                successor_id__in=[s.predecessor_id for s in first]
            )
            .exclude(predecessor=area)
            .select_related(
                "predecessor__parent",
                "predecessor__ward_police",
                "successor",
            )
            .order_by("date", "pk")
        )
        if first
        else []
    )
    # Each ward, then the wards that had merged into it.
    successions = []
    for s in first:
        successions.append((s, 1, area.full_name))
        successions.extend(
            (d, 2, d.successor.full_name)
            for d in second
            if d.successor_id == s.predecessor_id
        )
    units: dict[int, WardPolice] = {}
    for succession, _level, _name in successions:
        try:
            units[succession.predecessor_id] = succession.predecessor.ward_police
        except WardPolice.DoesNotExist:
            pass
    found, visible = _assessments_by_unit(user, (w.pk for w in units.values()))
    history = []
    for succession, level, successor_name in successions:
        predecessor = succession.predecessor
        ward = units.get(predecessor.pk)
        years: tuple[YearStatus, ...] = ()
        if ward is not None:
            ward.area = predecessor
            wanted = sorted(
                set(years_in_force(predecessor, time.years, up_to=time.current_year))
                | {y for (pk, y) in found if pk == ward.pk}
            )
            years = tuple(_year_status(ward, y, found, visible, {}) for y in wanted)
        history.append(
            PredecessorHistory(
                area=predecessor,
                date=succession.date,
                successor_name=successor_name,
                ward_police=ward,
                can_open=ward is not None and _in_scope_of_user(user, predecessor),
                years=years,
                level=level,
            )
        )
    return history


def ward_police_detail(
    *, user: User, ward_police: WardPolice, today: datetime.date | None = None
) -> WardPoliceDetail:
    """Everything about one ward police (already read through the user's
    scope): its years, recognitions, commendations, classifications, the
    history of the wards it came from and what it became part of."""
    time = programme_time(today=today)
    area = ward_police.area
    found, visible = _assessments_by_unit(user, [ward_police.pk])
    wanted = sorted(
        set(years_in_force(area, time.years, up_to=time.current_year))
        | {y for (_pk, y) in found}
    )
    successions = list(
        AreaSuccession.objects.filter(predecessor=area)
        .select_related("successor__parent", "successor__ward_police")
        .order_by("date", "pk")
    )
    merged = {area.pk: tuple(s.successor.full_name for s in successions)}
    years = tuple(_year_status(ward_police, y, found, visible, merged) for y in wanted)
    successors = [
        SuccessorLink(
            area=s.successor,
            date=s.date,
            ward_police=getattr(s.successor, "ward_police", None),
            can_open=_in_scope_of_user(user, s.successor),
        )
        for s in successions
    ]
    grouping = area.parent
    return WardPoliceDetail(
        ward_police=ward_police,
        area=area,
        grouping=grouping,
        can_open_grouping=grouping is not None and grouping.kind in GROUPING_KINDS,
        years=years,
        commendations=tuple(
            Commendation.objects.filter(ward_police=ward_police).order_by(
                "-year", "-decided_on", "pk"
            )
        ),
        classifications=tuple(
            ReviewClassification.objects.filter(ward_police=ward_police)
            .select_related("review")
            .order_by("-review__held_on", "pk")
        ),
        predecessors=tuple(_predecessors(user, area, time)),
        successors=tuple(successors),
        start_year=_start_year(user, ward_police, {y for (_pk, y) in found}, time),
        time=time,
    )


# --- The progress page --------------------------------------------------------------


@dataclass(frozen=True)
class CityYear:
    """One city or town in one year (section a)."""

    row: ProgressRow

    @property
    def required_percent(self) -> float:
        return 100 * self.row.required / self.row.base if self.row.base else 0.0

    @property
    def achieved_percent(self) -> float:
        return 100 * self.row.achieved / self.row.base if self.row.base else 0.0


@dataclass(frozen=True)
class CitySection:
    """Section (a): the minimum share in each city and town, per year."""

    label: str
    share: float | None
    target_year: int
    groupings: tuple[tuple[str, int | None, tuple[ProgressRow, ...]], ...]
    chart: Chart


@dataclass(frozen=True)
class PathYear:
    """A year of the province-wide section: the engine's rows, or none yet."""

    year: int
    increment: ProgressRow | None
    share: ProgressRow | None
    path: int  # the even path to the share target


@dataclass(frozen=True)
class ProvinceSection:
    """Section (b): the province-wide targets of a phase — at least N more
    each year, and a share (100 %) by the last year."""

    grouping: str
    grouping_area_id: int | None
    years: tuple[PathYear, ...]
    increment_label: str
    share_label: str
    share_target_year: int | None
    latest_share: ProgressRow | None
    chart: Chart | None

    @property
    def increments(self) -> tuple[ProgressRow, ...]:
        return tuple(y.increment for y in self.years if y.increment is not None)


@dataclass(frozen=True)
class QuotaRow:
    row: ProgressRow
    unit_kind_label: str


@dataclass(frozen=True)
class QuotaSection:
    """Section (c): the quotas of exemplary units per kind and year."""

    years: tuple[tuple[int, tuple[QuotaRow, ...]], ...]
    chart: Chart


@dataclass(frozen=True)
class ProgressPage:
    phase: Phase
    as_of: datetime.date
    progress: Progress
    cities: tuple[CitySection, ...]
    province: ProvinceSection | None
    quotas: QuotaSection | None

    @property
    def rows(self) -> list[ProgressRow]:
        return self.progress.rows

    @property
    def empty(self) -> bool:
        return not self.progress.rows


def plan_phases() -> list[Phase]:
    """The phases of the plan the programmes belong to (two queries)."""
    return phases_of(programme_of_kind(ProgrammeKind.MODEL_WARD_POLICE))


def _city_sections(
    rows: list[ProgressRow], targets: dict[str, Target]
) -> list[CitySection]:
    sections = []
    by_target: dict[str, list[ProgressRow]] = {}
    for row in rows:
        by_target.setdefault(row.target, []).append(row)
    for key, members in by_target.items():
        target = targets.get(key)
        share = float(target.share_percent) if target and target.share_percent else None
        grouped: dict[tuple[str, int | None], list[ProgressRow]] = {}
        for row in members:
            grouped.setdefault((row.grouping, row.grouping_area_id), []).append(row)
        groupings = tuple(
            (name, area_id, tuple(sorted(found, key=lambda r: r.year)))
            for (name, area_id), found in sorted(
                grouped.items(), key=lambda g: _sort_key(g[0][0])
            )
        )
        chart = build_chart(
            [
                (
                    name,
                    [
                        BarSpec(
                            label=str(r.year),
                            required=CityYear(r).required_percent,
                            achieved=CityYear(r).achieved_percent,
                            value=f"{r.achieved} / {r.required}",
                            on_track=r.on_track,
                        )
                        for r in found
                    ],
                )
                for name, _area_id, found in groupings
            ],
            percent=True,
            reference=share,
            reference_label=f"{share:g} %" if share is not None else "",
        )
        sections.append(
            CitySection(
                label=members[0].target_label,
                share=share,
                target_year=target.year if target else members[-1].year,
                groupings=groupings,
                chart=chart,
            )
        )
    return sections


def _province_section(
    rows: list[ProgressRow], targets: dict[str, Target], phase: Phase
) -> ProvinceSection | None:
    if not rows:
        return None
    increments = {r.year: r for r in rows if r.kind == TargetKind.YEARLY_INCREMENT}
    shares = {r.year: r for r in rows if r.kind == TargetKind.MIN_SHARE}
    share_targets = [
        t
        for t in targets.values()
        if t.kind == TargetKind.MIN_SHARE
        and t.grouping == TargetGrouping.PROVINCE
        and t.programme.kind == ProgrammeKind.MODEL_WARD_POLICE
    ]
    share_target = share_targets[0] if share_targets else None
    latest = shares[max(shares)] if shares else None
    base = latest.base if latest else max((r.base for r in rows), default=0)
    last_year = share_target.year if share_target else phase.end_year
    span = last_year - phase.start_year + 1
    years = []
    for year in range(phase.start_year, phase.end_year + 1):
        share = shares.get(year)
        if share is not None:
            path = share.due
        elif share_target is not None and span > 0:
            required = math.ceil(base * float(share_of(share_target)) / 100)
            path = min(
                required, math.ceil(required * (year - phase.start_year + 1) / span)
            )
        else:
            path = 0
        years.append(
            PathYear(year=year, increment=increments.get(year), share=share, path=path)
        )
    chart = None
    if share_target is not None:
        chart = build_chart(
            [
                (
                    "",
                    [
                        BarSpec(
                            label=str(y.year),
                            required=y.path,
                            achieved=y.share.achieved if y.share else None,
                            value=(
                                f"{y.share.achieved} / {y.path}"
                                if y.share
                                else f"— / {y.path}"
                            ),
                            on_track=y.share.on_track if y.share else None,
                        )
                        for y in years
                    ],
                )
            ],
            maximum=base,
            reference=base,
            reference_label=f"{share_of(share_target).normalize():f} %",
        )
    first = latest or increments[max(increments)]
    return ProvinceSection(
        grouping=first.grouping,
        grouping_area_id=first.grouping_area_id,
        years=tuple(years),
        increment_label=increments[max(increments)].target_label if increments else "",
        share_label=latest.target_label if latest else "",
        share_target_year=share_target.year if share_target else None,
        latest_share=latest,
        chart=chart,
    )


def _quota_section(
    rows: list[ProgressRow], targets: dict[str, Target]
) -> QuotaSection | None:
    if not rows:
        return None
    by_year: dict[int, list[QuotaRow]] = defaultdict(list)
    for row in rows:
        target = targets.get(row.target)
        kind = target.unit_kind if target else ""
        label = str(UnitKind(kind).label) if kind else _("All kinds")
        by_year[row.year].append(QuotaRow(row=row, unit_kind_label=label))
    years = tuple(
        (year, tuple(sorted(found, key=lambda q: _sort_key(q.unit_kind_label))))
        for year, found in sorted(by_year.items())
    )
    chart = build_chart(
        [
            (
                str(year) if len(years) > 1 else "",
                [
                    BarSpec(
                        label=q.unit_kind_label,
                        required=q.row.required,
                        achieved=q.row.achieved,
                        value=f"{q.row.achieved} / {q.row.required}",
                        on_track=q.row.on_track,
                    )
                    for q in found
                ],
            )
            for year, found in years
        ],
        label_width=112,
    )
    return QuotaSection(years=years, chart=chart)


def progress_page(*, phase: Phase, as_of: datetime.date) -> ProgressPage:
    """The engine's figures for one phase on ``as_of``, in the page's three
    sections: (a) the share in each city and town, (b) the province-wide
    ward police targets, (c) the quotas of exemplary units. A fixed number
    of queries (the engine's, and one for the targets' details)."""
    progress = campaign_progress(as_of=as_of, phase=(phase.start_year, phase.end_year))
    targets = {
        target_key(t): t
        for t in Target.objects.filter(phase=phase).select_related("programme")
    }
    city_rows: list[ProgressRow] = []
    province_rows: list[ProgressRow] = []
    quota_rows: list[ProgressRow] = []
    for row in progress.rows:
        if row.kind == TargetKind.QUOTA:
            quota_rows.append(row)
        elif row.programme != ProgrammeKind.MODEL_WARD_POLICE:
            continue
        elif row.target.endswith(f"/{TargetGrouping.EACH_CITY_TOWN}"):
            city_rows.append(row)
        else:
            province_rows.append(row)
    return ProgressPage(
        phase=phase,
        as_of=as_of,
        progress=progress,
        cities=tuple(_city_sections(city_rows, targets)),
        province=_province_section(province_rows, targets, phase),
        quotas=_quota_section(quota_rows, targets),
    )
