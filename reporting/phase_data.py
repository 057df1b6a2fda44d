"""The figures of a phase, for the phase report and the dashboard.

Everything is read as the person asking (their scope) and, for a report, as
the data stood at the end of the as-of day: statuses come from the workflow
steps recorded before then, recognitions, commendations, pledges and reviews
count only when decided by then *and* recorded by then. So a report of a past
day is the same whenever it is rebuilt — later work does not leak into it —
and a signed report can be reproduced from its parameters.

A fixed number of queries whatever the number of units (the dashboard's
query-count test holds it); the rest is arithmetic in memory.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.assessments.choices import Classification
from campaign.assessments.models import (
    Assessment,
    Commendation,
    EmulationPledge,
    Review,
    ReviewClassification,
)
from campaign.assessments.selectors.progress import (
    ProgressRow,
    campaign_progress,
    meets_all_q,
    recognitions_then,
    registrations_then,
)
from campaign.assessments.selectors.ward_police import BarSpec, Chart, build_chart
from campaign.committees import access
from campaign.committees.access import Actor
from campaign.committees.choices import CommitteeLevel
from campaign.committees.models import SteeringCommittee
from campaign.planning.choices import (
    ProgrammeKind,
    TargetGrouping,
    TargetKind,
    UnitKind,
)
from campaign.planning.models import Target
from campaign.registrations.choices import RegistrationStatus
from campaign.registrations.models import Registration
from campaign.registrations.selectors.registrations import registration_scope_q
from reporting.selectors import PhaseChoice, phase_by_key, report_scope_get
from units.choices import AREA_KIND_PREFIX, AreaKind

# The unit kinds of the exemplary-units programme, in the plan's order.
EXEMPLARY_KINDS = (
    UnitKind.COMMUNE,
    UnitKind.WARD,
    UnitKind.TOWNSHIP,
    UnitKind.AGENCY,
    UnitKind.ENTERPRISE,
    UnitKind.SCHOOL,
)
PROVINCE_LEVEL = _("Province level")
# The PDF lists units, recognitions, commendations and pledges one by one up
# to this many each; beyond, a national summary runs to a hundred pages and
# WeasyPrint's boxes for them take the worker past 300 MB (docs/benchmarks.md,
# issue 9: 1,295 recognition rows alone cost 143 MiB; 200 rows each still
# peaked at 301 MB). The tables by kind and
# locality carry the totals; the dashboard's XLSX has every row.
LIST_LIMIT = 150
STATUS_ORDER = (
    RegistrationStatus.DRAFT,
    RegistrationStatus.SUBMITTED,
    RegistrationStatus.RETURNED,
    RegistrationStatus.APPROVED,
    RegistrationStatus.WITHDRAWN,
)


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day`` in the project's time zone: what was
    recorded before it was known "as of" that day."""
    midnight = datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time.min
    )
    return timezone.make_aware(midnight)


# --- Scope ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportScope:
    """What a report covers: the whole province (``committee`` None) or one
    committee and those under it. Always intersected with what the asking
    user may see."""

    user: Actor
    committee: SteeringCommittee | None
    # The committees covered, as a subquery of their ids (``None``: every
    # committee). A subquery, not a list: the province's scope holds every
    # committee under it (thousands at national scale), and sending them as
    # literals cost more than the counting itself.
    committees: QuerySet | None
    area_roots: frozenset[int] | None

    @property
    def name(self) -> str:
        return self.committee.short_name if self.committee else ""

    def registration_q(self) -> Q:
        condition = registration_scope_q(self.user)
        if self.committees is not None:
            condition &= Q(committee_id__in=self.committees)
        return condition

    def area_q(self, prefix: str = "") -> Q:
        """Areas (wards) inside the scope, whatever the date."""
        condition = Q()
        roots = [self.area_roots]
        granted = access.access_for(self.user)
        if not granted.whole_province:
            roots.append(frozenset(granted.committee_area_ids))
        for root in roots:
            if root is None:
                continue
            condition &= (
                Q(**{f"{prefix}pk__in": root})
                | Q(**{f"{prefix}parent_id__in": root})
                | Q(**{f"{prefix}parent__parent_id__in": root})
            )
        return condition

    def unit_q(self, prefix: str = "") -> Q:
        """Records about a unit (recognitions, commendations, classifications)
        inside the scope: of a registration or a ward police in it."""
        from units.models import Area

        registrations = Registration.objects.filter(self.registration_q()).values("pk")
        wards = Area.objects.filter(self.area_q()).values("pk")
        return Q(**{f"{prefix}registration__in": registrations}) | Q(
            **{f"{prefix}ward_police__area__in": wards}
        )

    @property
    def whole_province(self) -> bool:
        return self.committee is None


def report_scope(*, user: Actor, committee_id: int | None) -> ReportScope:
    """The scope of a report asked by ``user``; 404 outside their scope. The
    whole province is the configured province's committees (the province's
    before and after the 2025 merger, and those under them), so other
    provinces held in the same database never count in its figures."""
    committee = report_scope_get(user=user, committee_id=committee_id)
    if committee is None:
        provincial = list(
            SteeringCommittee.objects.filter(
                level=CommitteeLevel.PROVINCE,
                area__kind=AreaKind.PROVINCE,
                area__code__in=settings.CAMPAIGN_PROVINCE_CODES,
            ).values_list("pk", "area_id")
        )
        if not provincial:
            return ReportScope(
                user=user, committee=None, committees=None, area_roots=None
            )
        return ReportScope(
            user=user,
            committee=None,
            committees=_with_committees_below({pk for pk, _area in provincial}),
            area_roots=frozenset(area for _pk, area in provincial),
        )
    return ReportScope(
        user=user,
        committee=committee,
        committees=_with_committees_below({committee.pk}),
        area_roots=frozenset({committee.area_id}),
    )


def _with_committees_below(roots: set[int]) -> QuerySet:
    """The ids of ``roots`` and of the committees one or two levels under
    them, as a subquery."""
    return SteeringCommittee.objects.filter(
        Q(pk__in=roots) | Q(parent_id__in=roots) | Q(parent__parent_id__in=roots)
    ).values("pk")


# --- The figures ---------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaRow:
    """One unit kind in one year: the quota (province reports only) and how
    many were registered, approved, met all criteria and were recognised."""

    year: int
    unit_kind: str
    label: str
    target: int | None
    registered: int
    approved: int
    meets_all: int
    recognised: int

    @property
    def on_track(self) -> bool | None:
        if self.target is None:
            return None
        return self.recognised >= self.target


@dataclass(frozen=True)
class QuotaYear:
    year: int
    rows: tuple[QuotaRow, ...]

    def _sum(self, name: str) -> int:
        return sum(getattr(r, name) or 0 for r in self.rows)

    @property
    def has_targets(self) -> bool:
        return any(r.target is not None for r in self.rows)

    @property
    def totals(self) -> dict[str, int]:
        return {
            name: self._sum(name)
            for name in ("target", "registered", "approved", "meets_all", "recognised")
        }


@dataclass(frozen=True)
class LocalityRow:
    """The registrations of one registering committee, by status."""

    name: str
    counts: tuple[int, ...]  # in STATUS_ORDER
    recognised: int

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class UnitRow:
    name: str
    kind: str
    year: int
    locality: str
    status: str
    meets_all: bool
    recognised: bool


@dataclass(frozen=True)
class RecognitionRow:
    unit: str
    year: int
    decision: str
    decided_on: datetime.date
    authority: str


@dataclass(frozen=True)
class CommendationRow:
    form: str
    recipient: str
    year: int
    decision: str
    decided_on: datetime.date
    authority: str


@dataclass(frozen=True)
class PledgeRow:
    title: str
    signed_on: datetime.date
    year: int
    committees: str
    items: int
    result: str


@dataclass(frozen=True)
class ReviewRow:
    kind: str
    title: str
    held_on: datetime.date
    period: str
    counts: tuple[int, ...]  # in Classification order

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class PhaseReportData:
    phase: PhaseChoice
    as_of: datetime.date
    known_at: datetime.datetime
    scope: ReportScope
    years: list[int]
    quota_years: list[QuotaYear] = field(default_factory=list)
    localities: list[LocalityRow] = field(default_factory=list)
    units: list[UnitRow] = field(default_factory=list)
    ward_share: list[ProgressRow] = field(default_factory=list)
    ward_province: list[ProgressRow] = field(default_factory=list)
    ward_increments: list[ProgressRow] = field(default_factory=list)
    recognitions: list[RecognitionRow] = field(default_factory=list)
    commendations: list[CommendationRow] = field(default_factory=list)
    pledges: list[PledgeRow] = field(default_factory=list)
    reviews: list[ReviewRow] = field(default_factory=list)
    share_percent: str = ""  # the city/town target's share, "30"
    quiet_years: list[int] = field(default_factory=list)  # no quota, no unit
    # The lists stop at ``list_limit`` rows; these count every row.
    units_total: int = 0
    recognitions_total: int = 0
    commendations_total: int = 0
    pledges_total: int = 0

    @property
    def units_cut(self) -> bool:
        return self.units_total > len(self.units)

    @property
    def recognitions_cut(self) -> bool:
        return self.recognitions_total > len(self.recognitions)

    @property
    def commendations_cut(self) -> bool:
        return self.commendations_total > len(self.commendations)

    @property
    def pledges_cut(self) -> bool:
        return self.pledges_total > len(self.pledges)

    @property
    def status_labels(self) -> list[str]:
        return [str(RegistrationStatus(s).label) for s in STATUS_ORDER]

    @property
    def classification_labels(self) -> list[str]:
        return [str(c.label) for c in Classification]

    @property
    def registered_total(self) -> int:
        return sum(q.totals["registered"] for q in self.quota_years)

    @property
    def recognised_total(self) -> int:
        return sum(q.totals["recognised"] for q in self.quota_years)

    @property
    def latest_share_rows(self) -> list[ProgressRow]:
        """The city/town rows of the last year counted."""
        if not self.ward_share:
            return []
        last = max(r.year for r in self.ward_share)
        return [r for r in self.ward_share if r.year == last]

    @property
    def trajectory(self) -> list[dict]:
        """2026–2030: each year's wards, those meeting all criteria, the new
        ones, the yearly requirement and the way to 100 %."""
        increments = {r.year: r for r in self.ward_increments}
        rows = []
        previous = None
        for row in self.ward_province:
            increment = increments.get(row.year)
            rows.append(
                {
                    "year": row.year,
                    "wards": row.base,
                    "achieved": row.achieved,
                    "new": None if previous is None else row.achieved - previous,
                    "required": increment.required if increment else None,
                    "on_track": increment.on_track if increment else row.on_track,
                    "percent": row.percent,
                    "needed_per_year": row.needed_per_year,
                    "due": row.due,
                    "in_progress": row.year_in_progress,
                }
            )
            previous = row.achieved
        return rows

    # The charts: the same geometry on the dashboard and in the PDF.

    def quota_chart(self) -> Chart | None:
        groups = [
            (
                str(q.year),
                [
                    BarSpec(
                        label=r.label,
                        required=r.target or 0,
                        achieved=r.recognised,
                        value=f"{r.recognised} / {r.target}",
                        on_track=r.on_track,
                    )
                    for r in q.rows
                    if r.target is not None
                ],
            )
            for q in self.quota_years
            if q.has_targets
        ]
        if not groups:
            return None
        return build_chart(groups, label_width=96)

    def share_chart(self) -> Chart | None:
        if not self.ward_share:
            return None
        groups = []
        for year in sorted({r.year for r in self.ward_share}):
            specs = [
                BarSpec(
                    label=r.grouping.replace("Thành phố ", "TP ").replace(
                        "Thị xã ", "TX "
                    ),
                    required=100 * r.required / r.base if r.base else 0,
                    achieved=r.percent,
                    value=f"{r.achieved} / {r.base}",
                    on_track=r.on_track,
                )
                for r in self.ward_share
                if r.year == year
            ]
            groups.append((str(year), specs))
        share = float(self.share_percent or 30)
        return build_chart(
            groups,
            label_width=96,
            percent=True,
            reference=share,
            reference_label=f"{self.share_percent or 30} %",
        )

    def trajectory_chart(self) -> Chart | None:
        """Each year's share against what that year requires: the yearly
        increment when the plan sets one (as the table judges it), else the
        even way to 100 %."""
        if not self.ward_province:
            return None
        increments = {r.year: r for r in self.ward_increments}
        specs = []
        for r in self.ward_province:
            step = increments.get(r.year)
            required = step.required if step else r.due
            specs.append(
                BarSpec(
                    label=str(r.year),
                    required=100 * required / r.base if r.base else 0,
                    achieved=r.percent,
                    value=f"{r.achieved} / {r.base}",
                    on_track=step.on_track if step else r.on_track,
                )
            )
        return build_chart(
            [("", specs)],
            label_width=52,
            percent=True,
            reference=100,
            reference_label="100 %",
        )


def phase_report_data(
    *,
    user: Actor,
    phase_key: str,
    as_of: datetime.date,
    committee_id: int | None = None,
    list_limit: int | None = LIST_LIMIT,
    awards: bool = True,
) -> PhaseReportData:
    """The figures of phase ``phase_key`` as they stood at the end of
    ``as_of``, inside ``user``'s scope (and ``committee_id``'s, when given).
    404 for an unknown phase or a committee outside the user's scope.
    ``units``, ``recognitions``, ``commendations`` and ``pledges`` list at
    most ``list_limit`` rows each (None: all); ``*_total`` count them all.
    Without ``awards`` the recognitions, commendations, pledges and reviews
    are not read (the dashboard's page does not show them)."""
    phase = phase_by_key(phase_key)
    if phase is None:
        raise Http404("No such phase.")
    scope = report_scope(user=user, committee_id=committee_id)
    known_at = end_of_day(as_of)
    last_year = min(phase.end_year, as_of.year)
    years = list(range(phase.start_year, last_year + 1))
    data = PhaseReportData(
        phase=phase, as_of=as_of, known_at=known_at, scope=scope, years=years
    )
    if not years:
        return data
    _exemplary(data, list_limit)
    _ward_police(data)
    if awards:
        _awards(data, list_limit)
    return data


def _exemplary(data: PhaseReportData, list_limit: int | None) -> None:
    scope, years, known_at = data.scope, data.years, data.known_at
    registrations = list(
        registrations_then(known_at, scope.registration_q())
        .filter(year__in=years)
        .values_list(
            "pk",
            "unit_name",
            "unit_kind",
            "year",
            "committee__level",
            "committee__area__kind",
            "committee__area__name",
            "status_then",
        )
        .order_by("year", "committee__area__name", "unit_kind", "unit_name", "pk")
    )
    # The same registrations as a subquery (not their ids as literals).
    counted = Registration.objects.filter(
        scope.registration_q(), year__in=years
    ).values("pk")
    meets_all = set(
        Assessment.objects.filter(
            meets_all_q(known_at), registration__in=counted, year__in=years
        ).values_list("registration_id", "year")
    )
    recognised = set(
        recognitions_then(data.as_of, known_at)
        .filter(registration__in=counted, year__in=years)
        .values_list("registration_id", "year")
    )
    targets: dict[tuple[int, str], int] = {}
    if scope.whole_province:
        targets = {
            (t.year, t.unit_kind): t.count or 0
            for t in Target.objects.filter(
                kind=TargetKind.QUOTA,
                year__in=years,
                programme__kind=ProgrammeKind.EXEMPLARY_UNITS,
            )
        }
    figures: dict[tuple[int, str], Counter] = defaultdict(Counter)
    by_locality: dict[str, Counter] = defaultdict(Counter)
    kind_labels = {k.value: str(k.label) for k in UnitKind}
    status_labels = {s.value: str(s.label) for s in RegistrationStatus}
    for pk, name, unit_kind, year, level, area_kind, area_name, status in registrations:
        locality = _locality(level, area_kind, area_name)
        met = (pk, year) in meets_all
        done = (pk, year) in recognised
        by_locality[locality][status] += 1
        by_locality[locality]["recognised"] += int(done)
        if status != RegistrationStatus.WITHDRAWN:
            cell = figures[(year, unit_kind)]
            cell["registered"] += 1
            cell["approved"] += int(status == RegistrationStatus.APPROVED)
            cell["meets_all"] += int(met)
            cell["recognised"] += int(done)
        data.units_total += 1
        if list_limit is not None and len(data.units) >= list_limit:
            continue
        data.units.append(
            UnitRow(
                name=name,
                kind=kind_labels.get(unit_kind, unit_kind),
                year=year,
                locality=locality,
                status=status_labels.get(status, status),
                meets_all=met,
                recognised=done,
            )
        )
    registered_years = {r[3] for r in registrations}
    target_years = {year for year, _kind in targets}
    for year in data.years:
        if year not in registered_years and year not in target_years:
            # Nothing registered, no quota: one line in the report, not a
            # table of zeros.
            data.quiet_years.append(year)
            continue
        rows = tuple(
            QuotaRow(
                year=year,
                unit_kind=kind.value,
                label=str(kind.label),
                target=targets.get((year, kind.value)),
                registered=figures[(year, kind.value)]["registered"],
                approved=figures[(year, kind.value)]["approved"],
                meets_all=figures[(year, kind.value)]["meets_all"],
                recognised=figures[(year, kind.value)]["recognised"],
            )
            for kind in EXEMPLARY_KINDS
        )
        data.quota_years.append(QuotaYear(year=year, rows=rows))
    data.localities = [
        LocalityRow(
            name=name,
            counts=tuple(counts[s] for s in STATUS_ORDER),
            recognised=counts["recognised"],
        )
        for name, counts in sorted(
            by_locality.items(),
            key=lambda item: (item[0] != str(PROVINCE_LEVEL), item[0]),
        )
    ]


def _locality(level: str, area_kind: str | None, area_name: str | None) -> str:
    """Where a registration comes from: "Cấp tỉnh" for the provincial
    committee, else the committee's area ("Thành phố Long Xuyên")."""
    if level == "province" or not area_kind:
        return str(PROVINCE_LEVEL)
    return f"{AREA_KIND_PREFIX[AreaKind(area_kind)]} {area_name}"


def _ward_police(data: PhaseReportData) -> None:
    progress = campaign_progress(
        as_of=data.as_of,
        phase=(data.phase.start_year, data.phase.end_year),
        programme_kind=ProgrammeKind.MODEL_WARD_POLICE,
        known_at=data.known_at,
        ward_area_q=data.scope.area_q(),
    )
    share_targets = {
        t.year: t
        for t in Target.objects.filter(
            kind=TargetKind.MIN_SHARE,
            grouping=TargetGrouping.EACH_CITY_TOWN,
            phase__start_year=data.phase.start_year,
        )
    }
    for target in share_targets.values():
        data.share_percent = f"{target.share_percent.normalize():f}"
    for row in progress.rows:
        if row.kind == TargetKind.YEARLY_INCREMENT:
            data.ward_increments.append(row)
        elif row.kind == TargetKind.MIN_SHARE and row.target.endswith(
            TargetGrouping.EACH_CITY_TOWN
        ):
            data.ward_share.append(row)
        elif row.kind == TargetKind.MIN_SHARE:
            data.ward_province.append(row)


def _room(rows: list, limit: int | None) -> bool:
    return limit is None or len(rows) < limit


def _awards(data: PhaseReportData, list_limit: int | None = LIST_LIMIT) -> None:
    scope, as_of, known_at, years = data.scope, data.as_of, data.known_at, data.years
    in_scope = scope.unit_q()
    recognitions = (
        recognitions_then(as_of, known_at)
        .filter(in_scope, year__in=years)
        .select_related("registration", "ward_police")
        .order_by("year", "decided_on", "pk")
    )
    for r in recognitions:
        unit = r.registration.unit_name if r.registration else str(r.ward_police)
        data.recognitions_total += 1
        if not _room(data.recognitions, list_limit):
            continue
        data.recognitions.append(
            RecognitionRow(
                unit=unit,
                year=r.year,
                decision=r.decision_number,
                decided_on=r.decided_on,
                authority=r.authority,
            )
        )
    commendations = Commendation.objects.filter(
        decided_on__lte=as_of, created_at__lt=known_at, year__in=years
    )
    if scope.whole_province:
        # A commendation of a person or a collective that is no unit of the
        # campaign names no locality: the province's report carries it.
        commendations = commendations.filter(
            in_scope | Q(registration__isnull=True, ward_police__isnull=True)
        )
    else:
        commendations = commendations.filter(in_scope)
    for c in commendations.order_by("year", "decided_on", "pk"):
        data.commendations_total += 1
        if not _room(data.commendations, list_limit):
            continue
        data.commendations.append(
            CommendationRow(
                form=c.get_form_display(),
                recipient=c.recipient_name,
                year=c.year,
                decision=c.decision_number,
                decided_on=c.decided_on,
                authority=c.authority,
            )
        )
    pledges = EmulationPledge.objects.filter(
        signed_on__lte=as_of, created_at__lt=known_at, year__in=years
    ).prefetch_related("committees", "items")
    if scope.committees is not None:
        pledges = pledges.filter(committees__in=scope.committees).distinct()
    for p in pledges.order_by("year", "signed_on", "pk"):
        result_known = (
            p.result_recorded_on is not None and p.result_recorded_on <= as_of
        )
        data.pledges_total += 1
        if not _room(data.pledges, list_limit):
            continue
        data.pledges.append(
            PledgeRow(
                title=p.title,
                signed_on=p.signed_on,
                year=p.year,
                committees=", ".join(sorted(c.short_name for c in p.committees.all())),
                items=len(p.items.all()),
                result=p.year_end_result if result_known else "",
            )
        )
    reviews = Review.objects.filter(
        held_on__lte=as_of,
        created_at__lt=known_at,
        period_start__lte=data.phase.end_year,
        period_end__gte=data.phase.start_year,
    ).order_by("held_on", "pk")
    classifications = ReviewClassification.objects.filter(in_scope, review__in=reviews)
    counts: dict[int, Counter] = defaultdict(Counter)
    for review_id, grade in classifications.values_list("review_id", "classification"):
        counts[review_id][grade] += 1
    has_classifications = set(
        ReviewClassification.objects.filter(review__in=reviews).values_list(
            "review_id", flat=True
        )
    )
    for review in reviews:
        # A review that graded units, none of them in the scope, is another
        # locality's (or province's); one that graded none belongs to the
        # province's report only.
        if not counts[review.pk] and (
            review.pk in has_classifications or not scope.whole_province
        ):
            continue
        data.reviews.append(
            ReviewRow(
                kind=review.get_kind_display(),
                title=review.title,
                held_on=review.held_on,
                period=f"{review.period_start}–{review.period_end}",
                counts=tuple(counts[review.pk][c] for c in Classification),
            )
        )


# --- The report's template context ----------------------------------------------------


def phase_report_context(*, params: dict, user: Actor) -> dict:
    """Everything the phase report's template needs, read as ``user``."""
    from reporting.documents import OfficialDocument
    from reporting.kinds.common import issued_on

    as_of = datetime.date.fromisoformat(params["as_of"])
    data = phase_report_data(
        user=user,
        phase_key=params["phase"],
        as_of=as_of,
        committee_id=params.get("scope"),
        list_limit=LIST_LIMIT,
    )
    texts = params.get("texts") or {}
    committee = data.scope.committee
    parent_body = "UBND TỈNH AN GIANG"
    place = None
    if committee is not None and committee.area_id and committee.level != "province":
        area = committee.area
        parent_body = f"UBND {area.full_name}".upper()
        place = area.name
    english = params.get("language") == "en"
    subject = (
        f"Results of building exemplary units and model ward police, phase "
        f"{data.phase.label}"
        if english
        else "Kết quả xây dựng mô hình điển hình và Công an phường điển hình, "
        f"kiểu mẫu giai đoạn {data.phase.label}"
    )
    if committee is not None and committee.level != "province":
        subject += f" ({committee.short_name})"
    document_kwargs = {
        "subject": subject,
        "doc_type": "REPORT" if english else "BÁO CÁO",
        "issued_on": issued_on(params),
        "parent_body": parent_body,
        "issuing_body": "BAN CHỈ ĐẠO 138",
        "keywords": "BCĐ 138; điển hình; Công an phường kiểu mẫu",
        "language": params.get("language") or "vi",
        "signer_authority": "ON BEHALF OF THE STEERING COMMITTEE"
        if english
        else "TM. BAN CHỈ ĐẠO",
        "signer_title": (
            texts.get("signer_title") or ("HEAD" if english else "TRƯỞNG BAN")
        ).upper(),
        "signer_name": texts.get("signer_name") or "",
    }
    if committee is not None and committee.level != "province":
        # A local committee reports up to the province and to its own
        # authorities; it keeps its own copy ("Lưu").
        document_kwargs["issuer_short"] = committee.short_name
        document_kwargs["recipients"] = [
            "Ban Chỉ đạo 138 tỉnh (để báo cáo);",
            "Thường trực Đảng ủy, UBND "
            f"{AREA_KIND_PREFIX[AreaKind(committee.area.kind)].lower()} "
            f"{committee.area.name} (để báo cáo);",
            "Các thành viên Ban Chỉ đạo;",
            "Lưu: VT.",
        ]
    if texts.get("recipients"):
        document_kwargs["recipients"] = list(texts["recipients"])
    if place:
        document_kwargs["place"] = place
    document = OfficialDocument(**document_kwargs)
    return {
        "document": document,
        "data": data,
        "texts": texts,
        "quota_chart": data.quota_chart(),
        "share_chart": data.share_chart(),
        "trajectory_chart": data.trajectory_chart(),
    }
