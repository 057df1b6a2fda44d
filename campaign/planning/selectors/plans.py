"""Reads of the plan, its programmes, phases and targets, and the arithmetic of
targets ("at least 30 % of the wards" → how many wards)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, IntegerField, Prefetch, QuerySet, Value, When
from django.http import Http404
from django.urls import reverse

from campaign.committees import access, kept
from campaign.committees.access import Capability
from campaign.committees.models import AuditEntry, SteeringCommittee
from campaign.planning.choices import RoundingRule, TargetGrouping, TargetKind, UnitKind
from campaign.planning.models import LegalDocument, Phase, Plan, Programme, Target

User = access.Reader

_ROUNDING = {
    RoundingRule.UP: ROUND_CEILING,
    RoundingRule.DOWN: ROUND_FLOOR,
    RoundingRule.NEAREST: ROUND_HALF_UP,
}


def required_count(*, share_percent: Decimal, total: int, rounding: str) -> int:
    """How many of ``total`` units make "at least ``share_percent`` %", rounded
    by ``rounding`` ("up", "down", "nearest" — halves go up).

    30 % of 11 wards is 3.3: 4 rounding up, 3 rounding down or to nearest.
    Exact decimal arithmetic: 30 % of 10 is 3 whatever the rule.
    """
    share = Decimal(share_percent)
    if not share.is_finite() or not Decimal(0) <= share <= Decimal(100):
        raise ValueError(
            f"share_percent must be between 0 and 100, not {share_percent}"
        )
    if total < 0:
        raise ValueError(f"total must not be negative, not {total}")
    try:
        mode = _ROUNDING[RoundingRule(rounding)]
    except ValueError:
        raise ValueError(f"Unknown rounding rule: {rounding!r}") from None
    return int((share * total / 100).quantize(Decimal(1), rounding=mode))


# --- Plans ------------------------------------------------------------------------


def plan_list(*, user: User) -> QuerySet[Plan]:
    if not access.can(user, Capability.VIEW):
        return Plan.objects.none()
    return (
        Plan.objects.select_related("document", "committee")
        .annotate(
            programme_count=Count("programmes", distinct=True),
            phase_count=Count("phases", distinct=True),
            target_count=Count("programmes__targets", distinct=True),
        )
        .order_by("pk")
    )


def plan_get(*, user: User, pk: int) -> Plan:
    if not access.can(user, Capability.VIEW):
        raise Http404("No such plan.")
    try:
        return Plan.objects.select_related("document", "committee").get(pk=pk)
    except Plan.DoesNotExist:
        raise Http404("No such plan.") from None


@dataclass(frozen=True)
class PhaseTargets:
    phase: Phase
    targets: list[Target]


@dataclass(frozen=True)
class ProgrammeTargets:
    programme: Programme
    legal_basis: list[LegalDocument]
    phases: list[PhaseTargets]

    @property
    def target_count(self) -> int:
        return sum(len(p.targets) for p in self.phases)


@dataclass(frozen=True)
class PlanDetail:
    plan: Plan
    legal_basis: list[LegalDocument]
    phases: list[Phase]
    programmes: list[ProgrammeTargets]

    @property
    def target_count(self) -> int:
        return sum(p.target_count for p in self.programmes)


# What a plan's page is made of. A new row moves a table's newest id; every
# other change (a target edited or deleted, a document edited, the
# reference data loaded) is written to the audit trail by its service.
PLAN_STAMPED = (
    (Plan, None),
    (LegalDocument, None),
    (Phase, None),
    (Programme, None),
    (Target, None),
    (SteeringCommittee, None),
    (AuditEntry, "at"),
)


def plan_detail(*, user: User, pk: int) -> PlanDetail:
    """The plan with its legal basis, phases, programmes and their targets,
    grouped by programme then phase — in a fixed number of queries, however
    many targets there are; kept between requests while none of it has
    changed (``campaign.committees.kept``: one stamp query instead of six).
    The same for everyone who may see plans: nothing in it depends on who
    asks (the page's buttons are the view's)."""
    if not access.can(user, Capability.VIEW):
        raise Http404("No such plan.")
    return kept.kept_value(
        ("plan-detail", pk),
        lambda: _plan_detail(user=user, pk=pk),
        stamped=PLAN_STAMPED,
    )


def _plan_detail(*, user: User, pk: int) -> PlanDetail:
    plan = plan_get(user=user, pk=pk)
    legal_basis = list(plan.legal_basis.all())
    phases = list(plan.phases.order_by("start_year"))
    programmes = list(
        plan.programmes.order_by("pk").prefetch_related(
            Prefetch("legal_basis", queryset=LegalDocument.objects.all())
        )
    )
    by_group: dict[tuple[int, int], list[Target]] = {}
    # Unit kinds in the order the plan lists them: xã, phường, thị trấn, cơ quan…
    unit_rank = Case(
        *(
            When(unit_kind=kind, then=Value(rank))
            for rank, kind in enumerate(UnitKind.values)
        ),
        default=Value(len(UnitKind.values)),
        output_field=IntegerField(),
    )
    for ranked in (
        Target.objects.filter(programme__plan=plan)
        .annotate(unit_rank=unit_rank)
        .order_by("year", "kind", "unit_rank", "grouping", "pk")
    ):
        by_group.setdefault((ranked.programme_id, ranked.phase_id), []).append(ranked)
    phase_by_id = {phase.pk: phase for phase in phases}
    # Each label translated once per page and set on the targets (not model
    # fields): get_FOO_display() rebuilds the choices' dict on every call,
    # which cost about 6 ms per page for the plan's 13 targets.
    labels = {
        "kind": {c.value: str(c.label) for c in TargetKind},
        "unit_kind": {c.value: str(c.label) for c in UnitKind},
        "grouping": {c.value: str(c.label) for c in TargetGrouping},
        "rounding": {c.value: str(c.label) for c in RoundingRule},
    }
    # The edit and delete addresses reversed once, filled in per target.
    placeholder = "2147483647"
    edit_url = reverse("planning:target_edit", args=[placeholder])
    delete_url = reverse("planning:target_delete", args=[placeholder])
    for targets in by_group.values():
        for target in targets:
            for field, names in labels.items():
                value = getattr(target, field)
                setattr(target, f"{field}_label", names.get(value, value or ""))
            target.edit_url = edit_url.replace(placeholder, str(target.pk))  # type: ignore[attr-defined]
            target.delete_url = delete_url.replace(placeholder, str(target.pk))  # type: ignore[attr-defined]
    grouped = []
    for programme in programmes:
        # Reuse the loaded objects so that templates never query again.
        rows = []
        for phase in phases:
            targets = by_group.get((programme.pk, phase.pk), [])
            for target in targets:
                target.programme = programme
                target.phase = phase_by_id[target.phase_id]
            rows.append(PhaseTargets(phase=phase, targets=targets))
        grouped.append(
            ProgrammeTargets(
                programme=programme,
                legal_basis=list(programme.legal_basis.all()),
                phases=rows,
            )
        )
    for programme in programmes:
        programme.plan = plan
    for phase in phases:
        phase.plan = plan
    return PlanDetail(
        plan=plan, legal_basis=legal_basis, phases=phases, programmes=grouped
    )


def target_get(*, user: User, pk: int, for_update: bool = False) -> Target:
    if not access.can(user, Capability.VIEW):
        raise Http404("No such target.")
    targets = Target.objects.select_related(
        "programme__plan__document", "programme__plan__committee", "phase"
    )
    if for_update:
        targets = targets.select_for_update(of=("self",))
    try:
        return targets.get(pk=pk)
    except Target.DoesNotExist:
        raise Http404("No such target.") from None
