"""Writes of the plan's targets, with the rules that make a target meaningful.

Every service checks the actor's capability, re-reads the plan or the target,
and records the change in the audit trail (who changed a target, from what to
what)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from campaign.committees import access, audit
from campaign.committees.access import Actor, Capability
from campaign.committees.choices import AuditAction
from campaign.planning.choices import RoundingRule, TargetGrouping, TargetKind
from campaign.planning.models import Phase, Plan, Programme, Target
from campaign.planning.selectors.plans import plan_get, target_get

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TARGET_PROGRAMME_NOT_IN_PLAN = _("This programme is not part of this plan.")
TARGET_PHASE_NOT_IN_PLAN = _("This phase is not part of this plan.")
TARGET_YEAR_OUTSIDE_PHASE = _(
    "The year must be within the phase: from %(start)s to %(end)s."
)
TARGET_NEEDS_UNIT_KIND = _("A number of units needs the kind of unit.")
TARGET_NEEDS_COUNT = _("Enter the number of units.")
TARGET_COUNT_AT_LEAST_ONE = _("The number of units must be at least 1.")
TARGET_NEEDS_SHARE = _("A minimum share needs the share in per cent.")
TARGET_SHARE_OUT_OF_RANGE = _("The share must be between 0 and 100 %.")
TARGET_NOT_USED_BY_KIND = _("Leave this empty for this kind of target.")
TARGET_FIELDS = (
    "programme",
    "phase",
    "kind",
    "year",
    "unit_kind",
    "count",
    "share_percent",
    "grouping",
    "rounding",
    "note",
)

TARGET_DUPLICATE = _(
    "This target already exists: the programme already has a target of this "
    "kind in this phase for the same year, unit kind and grouping."
)


def target_check(
    *,
    plan: Plan,
    programme: Programme,
    phase: Phase,
    kind: str,
    year: int,
    unit_kind: str,
    count: int | None,
    share_percent: Decimal | None,
    grouping: str,
    exclude_pk: int | None = None,
) -> None:
    """Raise a ``ValidationError`` (messages by field) unless these values make
    a valid, new target of ``plan``. Used by the form, to show every problem at
    once, and by the services, which never trust their caller."""
    errors: dict[str, list] = {}

    def add(field: str, message: StrOrPromise, **params: Any) -> None:
        errors.setdefault(field, []).append(
            ValidationError(message, params=params or None)
        )

    if programme.plan_id != plan.pk:
        add("programme", TARGET_PROGRAMME_NOT_IN_PLAN)
    if phase.plan_id != plan.pk:
        add("phase", TARGET_PHASE_NOT_IN_PLAN)
    elif not phase.contains_year(year):
        add(
            "year",
            TARGET_YEAR_OUTSIDE_PHASE,
            start=phase.start_year,
            end=phase.end_year,
        )

    if kind == TargetKind.QUOTA:
        if not unit_kind:
            add("unit_kind", TARGET_NEEDS_UNIT_KIND)
    if kind in (TargetKind.QUOTA, TargetKind.YEARLY_INCREMENT):
        if count is None:
            add("count", TARGET_NEEDS_COUNT)
        elif count < 1:
            add("count", TARGET_COUNT_AT_LEAST_ONE)
        if share_percent is not None:
            add("share_percent", TARGET_NOT_USED_BY_KIND)
    if kind == TargetKind.MIN_SHARE:
        if share_percent is None:
            add("share_percent", TARGET_NEEDS_SHARE)
        elif not Decimal(0) <= share_percent <= Decimal(100):
            add("share_percent", TARGET_SHARE_OUT_OF_RANGE)
        if count is not None:
            add("count", TARGET_NOT_USED_BY_KIND)

    if not errors:
        duplicates = Target.objects.filter(
            programme=programme,
            phase=phase,
            kind=kind,
            year=year,
            unit_kind=unit_kind,
            grouping=grouping,
        )
        if exclude_pk is not None:
            duplicates = duplicates.exclude(pk=exclude_pk)
        if duplicates.exists():
            add(NON_FIELD_ERRORS, TARGET_DUPLICATE)
    if errors:
        raise ValidationError(errors)


def _save(target: Target) -> Target:
    target.full_clean()
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:
        # The same target saved by someone else since the check.
        raise ValidationError(TARGET_DUPLICATE, code="duplicate") from None
    return target


@transaction.atomic
def target_create(
    *,
    plan: Plan,
    programme: Programme,
    phase: Phase,
    kind: str,
    year: int,
    unit_kind: str = "",
    count: int | None = None,
    share_percent: Decimal | None = None,
    grouping: str = TargetGrouping.PROVINCE,
    rounding: str = RoundingRule.UP,
    note: str = "",
    by: Actor,
) -> Target:
    access.require(by, Capability.MANAGE_TARGETS)
    plan = plan_get(user=by, pk=plan.pk)
    target_check(
        plan=plan,
        programme=programme,
        phase=phase,
        kind=kind,
        year=year,
        unit_kind=unit_kind,
        count=count,
        share_percent=share_percent,
        grouping=grouping,
    )
    target = _save(
        Target(
            programme=programme,
            phase=phase,
            kind=kind,
            year=year,
            unit_kind=unit_kind,
            count=count,
            share_percent=share_percent,
            grouping=grouping,
            rounding=rounding,
            note=note.strip(),
        )
    )
    audit.record(
        action=AuditAction.TARGET_CREATED,
        by=by,
        object_label=target_label(target),
        link=("planning:plan_detail", plan.pk),
        changes=audit.created(target, TARGET_FIELDS),
    )
    return target


@transaction.atomic
def target_update(
    *,
    target: Target,
    programme: Programme,
    phase: Phase,
    kind: str,
    year: int,
    unit_kind: str = "",
    count: int | None = None,
    share_percent: Decimal | None = None,
    grouping: str = TargetGrouping.PROVINCE,
    rounding: str = RoundingRule.UP,
    note: str = "",
    by: Actor,
) -> Target:
    """Change a target; it stays in its plan."""
    access.require(by, Capability.MANAGE_TARGETS)
    target = target_get(user=by, pk=target.pk, for_update=True)
    before = audit.snapshot(target, TARGET_FIELDS)
    target_check(
        plan=target.programme.plan,
        programme=programme,
        phase=phase,
        kind=kind,
        year=year,
        unit_kind=unit_kind,
        count=count,
        share_percent=share_percent,
        grouping=grouping,
        exclude_pk=target.pk,
    )
    target.programme = programme
    target.phase = phase
    target.kind = kind
    target.year = year
    target.unit_kind = unit_kind
    target.count = count
    target.share_percent = share_percent
    target.grouping = grouping
    target.rounding = rounding
    target.note = note.strip()
    _save(target)
    diff = audit.changes(target, before)
    if diff:
        audit.record(
            action=AuditAction.TARGET_UPDATED,
            by=by,
            object_label=target_label(target),
            link=("planning:plan_detail", target.programme.plan_id),
            changes=diff,
        )
    return target


@transaction.atomic
def target_delete(*, target: Target, by: Actor) -> None:
    access.require(by, Capability.MANAGE_TARGETS)
    target = target_get(user=by, pk=target.pk, for_update=True)
    label = target_label(target)
    diff = audit.removed(target, TARGET_FIELDS)
    plan_pk = target.programme.plan_id
    target.delete()
    audit.record(
        action=AuditAction.TARGET_DELETED,
        by=by,
        object_label=label,
        link=("planning:plan_detail", plan_pk),
        changes=diff,
    )


def target_label(target: Target) -> str:
    """How the trail names a target: "Exemplary units… — 2023, Commune"."""
    parts = [str(target.year)]
    with translation.override("vi"):
        if target.unit_kind:
            parts.append(str(target.get_unit_kind_display()))
        parts.append(str(target.get_kind_display()))
    return f"{target.programme.name} — {', '.join(parts)}"
