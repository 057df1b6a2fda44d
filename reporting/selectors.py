"""Reads for reports, always scoped to the user asking."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from campaign.committees import access
from campaign.committees.access import Actor, Capability
from campaign.committees.choices import CommitteeLevel
from campaign.committees.models import SteeringCommittee, User
from campaign.planning.models import Phase
from reporting.models import ReportJob, ReportTexts


def report_job_list_for_user(
    *, user: User, mine_only: bool = False
) -> QuerySet[ReportJob]:
    """The jobs a user may see: the ones they requested, and for the
    province's staff and leaders every report of the province (``mine_only``
    narrows it to their own)."""
    jobs = ReportJob.objects.select_related("requested_by", "scope_committee")
    if mine_only or not can_see_province_reports(user):
        jobs = jobs.filter(requested_by=user)
    return jobs.order_by("-created_at", "-pk")


def report_job_get_for_user(*, user: User, public_id: uuid.UUID) -> ReportJob:
    """One job of the user's; anyone else's is a 404, as if it did not exist."""
    try:
        return report_job_list_for_user(user=user).get(public_id=public_id)
    except ReportJob.DoesNotExist:
        raise Http404("No such report.") from None


# --- Phases, scopes and texts of the phase report ------------------------------------


@dataclass(frozen=True)
class PhaseChoice:
    start_year: int
    end_year: int

    @property
    def key(self) -> str:
        return f"{self.start_year}-{self.end_year}"

    @property
    def label(self) -> str:
        return f"{self.start_year}–{self.end_year}"


def phase_choices() -> list[PhaseChoice]:
    """The phases of the plans, oldest first, each once (one query)."""
    years = Phase.objects.values_list("start_year", "end_year").distinct()
    return sorted({PhaseChoice(s, e) for s, e in years}, key=lambda p: p.start_year)


def phase_by_key(key: str) -> PhaseChoice | None:
    return next((p for p in phase_choices() if p.key == key), None)


def report_scope_committees(*, user: Actor) -> QuerySet[SteeringCommittee]:
    """Committees a user may ask a report about: all of them for the
    province, otherwise their own committees and those under them — never the
    ones above (a commune officer sees the provincial committee, but may not
    report on the province)."""
    grants = access.access_for(user)
    committees = SteeringCommittee.objects.select_related("area").order_by(
        "level", "-valid_from", "short_name"
    )
    if grants.whole_province:
        # The configured province's committees (before and after the 2025
        # merger) and those under them, not every province in the database.
        provincial = SteeringCommittee.objects.filter(
            level=CommitteeLevel.PROVINCE,
            area__code__in=settings.CAMPAIGN_PROVINCE_CODES,
        ).values_list("pk", flat=True)
        roots = list(provincial)
        if not roots:
            return committees
        return committees.filter(
            Q(pk__in=roots) | Q(parent_id__in=roots) | Q(parent__parent_id__in=roots)
        )
    own = grants.committee_ids
    if not own:
        return committees.none()
    return committees.filter(
        Q(pk__in=own) | Q(parent_id__in=own) | Q(parent__parent_id__in=own)
    )


def report_scope_get(
    *, user: Actor, committee_id: int | None
) -> SteeringCommittee | None:
    """The committee a report is about, checked against the user's scope:
    ``None`` is the whole province, allowed only to the province's people;
    anything else outside the scope is a 404."""
    if committee_id is None:
        if not access.access_for(user).whole_province:
            raise Http404("No such committee.")
        return None
    try:
        return report_scope_committees(user=user).get(pk=committee_id)
    except (SteeringCommittee.DoesNotExist, ValueError, TypeError):
        raise Http404("No such committee.") from None


def provincial_committee(*, on: datetime.date) -> SteeringCommittee | None:
    """The provincial committee in force on ``on`` (or the latest one)."""
    committees = SteeringCommittee.objects.filter(level=CommitteeLevel.PROVINCE)
    in_force = committees.filter(
        Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gt=on))
    ).first()
    return in_force or committees.order_by("-valid_from").first()


def _phase_row(key: str) -> Phase | None:
    try:
        start, end = (int(part) for part in key.split("-"))
    except (ValueError, AttributeError):
        return None
    return (
        Phase.objects.filter(start_year=start, end_year=end)
        .order_by("-plan_id")
        .first()
    )


def report_texts_get(*, phase_key: str, committee_id: int | None) -> ReportTexts | None:
    """The texts staff wrote for the report of ``phase_key`` and a committee
    (``None``: the provincial committee)."""
    phase = _phase_row(phase_key)
    if phase is None:
        return None
    if committee_id is None:
        committee = provincial_committee(on=datetime.date(phase.end_year, 12, 31))
        committee_id = committee.pk if committee else None
    if committee_id is None:
        return None
    return ReportTexts.objects.filter(phase=phase, committee_id=committee_id).first()


TEXT_FIELDS = (
    "situation",
    "assessment",
    "directions",
    "proposals",
    "signer_name",
    "signer_title",
)


def report_texts_snapshot(*, phase_key: str, committee_id: int | None) -> dict:
    """The texts to copy into a job's parameters (empty strings when none)."""
    texts = report_texts_get(phase_key=phase_key, committee_id=committee_id)
    snapshot = {name: getattr(texts, name, "") or "" for name in TEXT_FIELDS}
    snapshot["recipients"] = [
        line.strip()
        for line in (getattr(texts, "recipients", "") or "").splitlines()
        if line.strip()
    ]
    return snapshot


def can_see_province_reports(user: Actor) -> bool:
    """Staff and leaders of the province see every report of the province."""
    grants = access.access_for(user)
    return grants.whole_province and Capability.REQUEST_REPORTS in grants.capabilities
