"""The campaign's time: which phase and year it is, read from the plan's phases
and today's date — never from constants.

"Today" is the local date in Asia/Ho_Chi_Minh. A year belongs to the phase
whose first and last years enclose it; the current year is today's year while
it lies within a phase of the plan, otherwise the nearest year that does (the
first year before the plan starts, the last year after it ends), with
``in_plan`` false so that pages can say so.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from campaign.committees import kept
from campaign.committees.models import AuditEntry
from campaign.planning.choices import ProgrammeKind
from campaign.planning.models import Phase, Programme


def today() -> datetime.date:
    return timezone.localdate()


def programme_of_kind(kind: str) -> Programme | None:
    """The programme of that kind in the most recent plan that has it."""
    return (
        Programme.objects.filter(kind=kind)
        .select_related("plan")
        .order_by("-plan_id", "pk")
        .first()
    )


def exemplary_programme() -> Programme | None:
    return programme_of_kind(ProgrammeKind.EXEMPLARY_UNITS)


def phases_of(programme: Programme | None) -> list[Phase]:
    """The phases of the programme's plan, oldest first (one query)."""
    if programme is None:
        return []
    return list(Phase.objects.filter(plan_id=programme.plan_id).order_by("start_year"))


def every_phase(*, stamp: kept.Stamp | None = None) -> list[Phase]:
    """Every plan's phases, oldest first (one query). With ``stamp`` (a
    page's ``kept.Stamp`` naming the phases and the audit trail, which the
    reference data's loading writes) they are kept between requests."""
    if stamp is None:
        return _every_phase()
    stamp.require(Phase, AuditEntry)
    return kept.kept_value(("every-phase",), _every_phase, stamp=stamp)


def _every_phase() -> list[Phase]:
    return list(Phase.objects.order_by("start_year", "end_year", "pk"))


def phase_for_year(phases: list[Phase], year: int) -> Phase | None:
    return next((p for p in phases if p.contains_year(year)), None)


def campaign_years(phases: list[Phase]) -> list[int]:
    """Every year of the phases, in order."""
    return [y for p in phases for y in range(p.start_year, p.end_year + 1)]


@dataclass(frozen=True)
class CampaignPeriod:
    """Where the campaign stands today: its phase and year."""

    phase: Phase
    year: int
    today: datetime.date
    in_plan: bool


def current_period(
    *, phases: list[Phase], on: datetime.date | None = None
) -> CampaignPeriod | None:
    """The phase and year of ``on`` (today by default); ``None`` without
    phases (a fresh install before ``load_reference_data``)."""
    if not phases:
        return None
    on = on or today()
    phase = phase_for_year(phases, on.year)
    if phase is not None:
        return CampaignPeriod(phase=phase, year=on.year, today=on, in_plan=True)
    if on.year < phases[0].start_year:
        first = phases[0]
        return CampaignPeriod(
            phase=first, year=first.start_year, today=on, in_plan=False
        )
    last = phases[-1]
    return CampaignPeriod(phase=last, year=last.end_year, today=on, in_plan=False)


def current_year_of_programme(
    programme: Programme | None, *, on: datetime.date | None = None
) -> int:
    """The current campaign year of the programme (today's year when it has
    no phase yet)."""
    period = current_period(phases=phases_of(programme), on=on)
    return period.year if period else (on or today()).year
