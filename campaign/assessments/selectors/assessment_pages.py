"""Reads behind the assessment pages: the list's filters and exports, the
timeline and recognition of one assessment, and the units an officer may
start an assessment of in a year.

Every function either takes a queryset already scoped to the user
(``assessment_list_for_user``) and only narrows or reads it, or scopes what it
reads itself through the access module: nothing here widens what a user sees.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from campaign.assessments.choices import AssessmentStatus
from campaign.assessments.models import Assessment, AssessmentTransition, Recognition
from campaign.assessments.selectors.assessments import (
    AnswerGroup,
    assessment_answer_groups,
    assessment_scope_q,
    with_row_counts,
)
from campaign.committees import access, kept
from campaign.committees.choices import AuditAction
from campaign.committees.models import AuditEntry
from campaign.registrations.models import Registration
from units.compiled_reads import CompiledRead
from units.models import WardPolice
from units.text import fold

User = access.Reader

UNIT_WARD_POLICE = "ward_police"
UNIT_REGISTRATION = "registration"
EXPORT_CHUNK_SIZE = 2000


# --- The list -----------------------------------------------------------------------


def assessment_filter(
    queryset: QuerySet[Assessment],
    *,
    q: str = "",
    year: int | None = None,
    status: str = "",
    unit_type: str = "",
) -> QuerySet[Assessment]:
    """Narrow ``queryset`` by the list's filters; empty ones are ignored.
    ``q``: every word must appear in the folded unit name, accents and case
    ignored ("long xuyen" finds "Công an phường Long Xuyên")."""
    if year:
        queryset = queryset.filter(year=year)
    if status:
        queryset = queryset.filter(status=status)
    if unit_type == UNIT_WARD_POLICE:
        queryset = queryset.filter(ward_police__isnull=False)
    elif unit_type == UNIT_REGISTRATION:
        queryset = queryset.filter(registration__isnull=False)
    for word in fold(q).split():
        queryset = queryset.filter(search_name__contains=word)
    return queryset


def assessment_list_page(
    assessments: QuerySet[Assessment], *, number: str | int | None, per_page: int
) -> Page:
    """One page of a scoped list made without its counts
    (``assessment_list_for_user(counts=False)``), each row with its derived
    figures counted for the page's rows only (``with_row_counts``). The
    page's ids are chosen on the assessments alone (``ORDER BY … LIMIT``),
    then only those rows are joined to what they show and counted: counted
    over the whole list first, as the ``with_counts`` list is, the figures
    cost about 0.4 s of the database at national scale. The same two queries
    as a plain ``Paginator``: the count and the page."""
    paginator = Paginator(assessments, per_page)
    page = paginator.get_page(number)
    if paginator.count:  # an empty list's page is empty without a query
        ids = assessments.values("pk")[page.start_index() - 1 : page.end_index()]
        page.object_list = with_row_counts(assessments.filter(pk__in=ids))
    return page


@dataclass(frozen=True)
class ListRow:
    """One assessment of a list, with its texts written once per page: the
    address, the status, "3 of 22" and the result badge (the row template's
    ``{% url %}``, labels and nested includes cost more than its rows)."""

    assessment: Assessment
    url: str
    kind_label: str
    status_label: str
    met_label: str
    result_css: str
    result_label: str
    result_note: str


def assessment_list_rows(assessments: Iterable[Assessment]) -> list[ListRow]:
    """The rows of an assessment table, from assessments annotated with their
    counts (``with_counts`` or ``with_row_counts``)."""
    statuses = {s.value: str(s.label) for s in AssessmentStatus}
    kinds = (gettext("Registered unit"), gettext("Ward police"))
    met_of = gettext("%(met)s of %(total)s")
    meets = {True: gettext("Yes — meets all"), False: gettext("Yes, not verified yet")}
    no, pending = gettext("No"), gettext("not verified yet")
    marked = reverse("assessments:assessment_detail", args=[_PK_MARK])
    rows = []
    for a in assessments:
        # The figures annotated by the queryset (not fields of the model).
        counts: Any = a
        accepted = a.status == AssessmentStatus.ACCEPTED
        if meets_all(
            required_met=counts.required_met, required_total=counts.required_total
        ):
            css = "answer-met" if accepted else "answer-none"
            label, note = meets[accepted], ""
        else:
            css, label, note = "answer-not-met", no, "" if accepted else pending
        rows.append(
            ListRow(
                assessment=a,
                url=marked.replace(f"/{_PK_MARK}/", f"/{a.pk}/"),
                kind_label=kinds[a.ward_police_id is not None],
                status_label=statuses.get(a.status, a.status),
                met_label=met_of
                % {"met": counts.criteria_met, "total": counts.criteria_total},
                result_css=css,
                result_label=label,
                result_note=note,
            )
        )
    return rows


# A primary key no assessment has: ``reverse`` once with it, then put each
# row's in its place.
_PK_MARK = 2_147_483_647


def meets_all(*, required_met: int, required_total: int) -> bool:
    """Whether the answers meet every required criterion (derived, never typed)."""
    return required_met == required_total


EXPORT_FIELDS = (
    "pk",
    "year",
    "unit_name",
    "ward_police_id",
    "committee__short_name",
    "criteria_set__title",
    "criteria_set__version",
    "status",
    "criteria_total",
    "criteria_answered",
    "criteria_met",
    "criteria_verified",
    "required_total",
    "required_met",
    "submitted_at",
    "decided_at",
)


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    # Naive local time: spreadsheets have no time zones.
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None)


def assessment_export_rows(queryset: QuerySet[Assessment]) -> Iterator[tuple]:
    """One tuple per assessment of a ``with_counts`` queryset, in its order:
    id, year, unit, unit type, committee, criteria set (title and version),
    status, criteria met, answered, verified, total, required met, required
    total, "meets all the required criteria" in words, submitted at, decided at.

    One query whatever the number of rows; labels are in the language active
    when this is called, even if the rows are consumed later."""
    statuses = {s.value: str(s.label) for s in AssessmentStatus}
    words = {
        "ward_police": gettext("Ward police"),
        "registration": gettext("Registered unit"),
        "yes": gettext("Yes"),
        "pending": gettext("Yes, not verified yet"),
        "no": gettext("No"),
    }
    rows = queryset.values_list(*EXPORT_FIELDS).iterator(chunk_size=EXPORT_CHUNK_SIZE)
    return _export_rows(rows, statuses, words)


def _export_rows(
    rows: Iterator[tuple], statuses: dict[str, str], words: dict[str, str]
) -> Iterator[tuple]:
    for (
        pk,
        year,
        unit_name,
        ward_police_id,
        committee,
        set_title,
        set_version,
        status,
        total,
        answered,
        met,
        verified,
        required_total,
        required_met,
        submitted_at,
        decided_at,
    ) in rows:
        if not meets_all(required_met=required_met, required_total=required_total):
            result = words["no"]
        elif status == AssessmentStatus.ACCEPTED:
            result = words["yes"]
        else:
            result = words["pending"]
        yield (
            pk,
            year,
            unit_name,
            words["ward_police" if ward_police_id else "registration"],
            committee,
            f"{set_title} (v{set_version})",
            statuses.get(status, status),
            met,
            answered,
            verified,
            total,
            required_met,
            required_total,
            result,
            _local(submitted_at),
            _local(decided_at),
        )


# --- One assessment -----------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One line of an assessment's history: a workflow step (``step``) or
    another recorded change — answers, evidence, verifications, the
    recognition — from the audit trail (``action`` and ``note``)."""

    at: datetime.datetime
    actor: object
    step: AssessmentTransition | None = None
    action: str = ""
    note: str = ""


# Recorded by the workflow steps themselves: not shown twice.
_STEP_ACTIONS = frozenset(
    {
        AuditAction.ASSESSMENT_CREATED,
        AuditAction.ASSESSMENT_SUBMITTED,
        AuditAction.ASSESSMENT_RETURNED,
        AuditAction.ASSESSMENT_ACCEPTED,
    }
)


# The audit trail's link to an assessment (``services.assessments._record``).
ASSESSMENT_LINK = "assessments:assessment_detail"
# The id of the newest audit entry about an assessment: part of its page's
# stamp, read on every view of the page (its SQL compiled once).
_NEWEST_AUDIT_ENTRY = CompiledRead(
    lambda assessment_id: (
        AuditEntry.objects.filter(link_pk=assessment_id, link_name=ASSESSMENT_LINK)
        .order_by("-pk")
        .values_list("pk")[:1]
    )
)
# What ``vn_name`` writes of an actor.
_ACTOR_NAME = ("actor__first_name", "actor__last_name", "actor__username")


def assessment_timeline(*, assessment: Assessment) -> list[TimelineEntry]:
    """Everything that happened to the assessment, oldest first: its workflow
    steps with their actors and reasons, and every other change the audit
    trail recorded for it — answers saved, evidence added or removed,
    criteria verified or released, the recognition (two queries)."""
    # Only the columns the page shows: the audit entries' changes (JSON,
    # decoded row by row) and the actors' other columns cost more to compile,
    # read and build than everything the timeline writes.
    entries = [
        TimelineEntry(at=step.at, actor=step.actor, step=step)
        for step in assessment.transitions.select_related("actor").only(
            "assessment_id",
            "at",
            "from_status",
            "to_status",
            "reason",
            "actor_id",
            *_ACTOR_NAME,
        )
    ]
    recorded = (
        AuditEntry.objects.filter(link_name=ASSESSMENT_LINK, link_pk=assessment.pk)
        .exclude(action__in=_STEP_ACTIONS)
        .select_related("actor")
        .only("at", "action", "note", "actor_id", *_ACTOR_NAME)
    )
    entries += [
        TimelineEntry(
            at=entry.at,
            actor=entry.actor,
            action=entry.get_action_display(),
            note=entry.note,
        )
        for entry in recorded
    ]
    return sorted(entries, key=lambda e: e.at)


@dataclass(frozen=True)
class AssessmentPageData:
    """What the assessment's page reads besides the assessment itself: its
    answers by group (with their criteria, evidence and verifiers) and its
    timeline."""

    groups: list[AnswerGroup]
    timeline: list[TimelineEntry]


def assessment_page_data(*, assessment: Assessment) -> AssessmentPageData:
    """``assessment_answer_groups`` and ``assessment_timeline`` (four queries),
    kept between requests while the assessment has not changed: every answer
    saved, criterion verified or released and workflow step raises its
    ``version``, and evidence added or removed — which does not — writes an
    audit entry about it, so the newest such entry is part of the stamp (one
    index lookup). ``assessment`` must have been read through the user's
    scope (``assessment_get_for_user``): what is kept is about that one
    assessment, whoever may open it. A verifier renamed meanwhile shows
    within ``DASHBOARD_CACHE_SECONDS``."""

    def read_stamp() -> str:
        newest = _NEWEST_AUDIT_ENTRY.rows(assessment.pk)
        return (
            f"{assessment.version}|{assessment.updated_at.isoformat()}|"
            f"{newest[0][0] if newest else None}"
        )

    return kept.kept_value(
        ("assessment-page", assessment.pk),
        lambda: AssessmentPageData(
            groups=assessment_answer_groups(assessment=assessment),
            timeline=assessment_timeline(assessment=assessment),
        ),
        stamp=kept.ReadStamp(read_stamp),
    )


def assessment_recognition(*, assessment: Assessment) -> Recognition | None:
    """The recognition made on this assessment, if any: none before it is
    accepted (only an accepted assessment can be recognised, and acceptance
    is final); read with the assessment when the page's read joined it
    (``PAGE_RELATED``), else one query."""
    if assessment.status != AssessmentStatus.ACCEPTED:
        return None
    try:
        return assessment.recognition
    except Recognition.DoesNotExist:
        return None


# --- Starting an assessment ---------------------------------------------------------


def default_assessment_year(unit: WardPolice | Registration, *, current: int) -> int:
    """The year a unit is assessed for by default: the current year when the
    unit can be assessed then, else the nearest year it can (a ward that ended
    on 30/06/2025 → 2025; a registration of the phase 2023–2025 → 2025)."""
    if isinstance(unit, WardPolice):
        first = unit.valid_from.year if unit.valid_from else current
        last = (
            (unit.valid_to - datetime.timedelta(days=1)).year
            if unit.valid_to
            else current
        )
    else:
        first, last = unit.year, unit.phase.end_year
    return min(max(current, first), last)


def existing_assessment_for_user(
    *,
    user: User,
    year: int,
    ward_police: WardPolice | None = None,
    registration: Registration | None = None,
) -> Assessment | None:
    """The assessment of that unit and year the user may see, if there is one
    (to lead to it when a second one is refused)."""
    assessments = Assessment.objects.filter(assessment_scope_q(user), year=year)
    if ward_police is not None:
        return assessments.filter(ward_police=ward_police).first()
    if registration is not None:
        return assessments.filter(registration=registration).first()
    return None
