"""Reads for assessments, their answers and evidence, and the ward police —
always scoped by the access module.

An assessment belongs to the local committee that assesses the unit (the
district-level committee of a city or town until 30/06/2025, the ward's own
committee after); a user sees the assessments of their committees, provincial
staff and directors see them all. Anyone else's assessment, answer or evidence
file is a 404, whoever asks and however.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404

from campaign.assessments.choices import AssessmentStatus
from campaign.assessments.models import (
    Answer,
    Assessment,
    CriterionGroup,
    Evidence,
)
from campaign.committees import access
from campaign.committees.access import Capability
from campaign.committees.choices import CommitteeLevel
from campaign.committees.models import SteeringCommittee
from units.models import Area, WardPolice

User = access.Reader

# The day of a year a unit is looked at, as for registrations: mid-year when
# it is in force then, otherwise the nearest day of the year it is in force
# (a ward that ended on 30/06/2025 is assessed for 2025 as it stood that day).
MID_YEAR = (6, 30)
_LEVEL_RANK: dict[str, int] = {
    CommitteeLevel.COMMUNE: 0,
    CommitteeLevel.DISTRICT: 1,
    CommitteeLevel.PROVINCE: 2,
}


def unit_day(area: Area, year: int) -> datetime.date | None:
    """The day of ``year`` the area is looked at, or ``None`` when it was not
    in force at any time of that year."""
    first = datetime.date(year, 1, 1)
    last = datetime.date(year, 12, 31)
    if area.valid_from and area.valid_from > first:
        first = area.valid_from
    if area.valid_to and area.valid_to - datetime.timedelta(days=1) < last:
        last = area.valid_to - datetime.timedelta(days=1)
    if first > last:
        return None
    return min(max(datetime.date(year, *MID_YEAR), first), last)


def last_day_in_force(area: Area, *, today: datetime.date) -> datetime.date:
    """The last day the area was in force, or ``today`` while it still is."""
    if area.valid_to is not None:
        return min(area.valid_to - datetime.timedelta(days=1), today)
    return today


# --- Ward police -----------------------------------------------------------------


def ward_police_scope_q(user: User, *, on: datetime.date) -> Q:
    """Ward police the user may see, by their wards' places on ``on``: every
    one for the province; otherwise those in the area of the user's committees
    (their commune, or their city's or town's wards)."""
    if not access.can(user, Capability.VIEW):
        return Q(pk__in=[])
    scope = access.area_ids_in_scope(user, on=on)
    if scope is None:
        return Q()
    return Q(area_id__in=scope)


def _in_scope_of_user(user: User, area: Area) -> bool:
    """Whether the ward lies in the user's area at any time it was in force
    (its place does not change while it lasts: a reorganisation makes a new
    ward)."""
    granted = access.access_for(user)
    if not access.can(user, Capability.VIEW):
        return False
    if granted.whole_province:
        return True
    roots = granted.committee_area_ids
    return bool(
        {area.pk, area.parent_id} & roots
        or (area.parent is not None and area.parent.parent_id in roots)
    )


def ward_police_get_for_user(*, user: User, pk: int) -> WardPolice:
    """One ward police the user may see; another locality's is a 404."""
    try:
        ward_police = WardPolice.objects.select_related("area__parent__parent").get(
            pk=pk
        )
    except WardPolice.DoesNotExist:
        raise Http404("No such ward police.") from None
    if not _in_scope_of_user(user, ward_police.area):
        raise Http404("No such ward police.")
    return ward_police


def assessing_committee(area: Area, day: datetime.date) -> SteeringCommittee | None:
    """The most local committee in force on ``day`` over the area: its own
    commune-level committee, else its city's or town's, else the province's."""
    candidates = [
        c
        for c in SteeringCommittee.objects.filter(
            Q(area_id=area.pk)
            | Q(area_id=area.parent_id)
            | Q(level=CommitteeLevel.PROVINCE),
            valid_from__lte=day,
        ).exclude(valid_to__lte=day)
    ]
    candidates.sort(key=lambda c: (_LEVEL_RANK[c.level], -c.valid_from.toordinal()))
    return candidates[0] if candidates else None


# --- Assessments -----------------------------------------------------------------


def assessment_scope_q(user: User, prefix: str = "") -> Q:
    """Assessments the user may see: all for the province, otherwise those of
    the user's committees."""
    if not access.can(user, Capability.VIEW):
        return Q(pk__in=[])
    granted = access.access_for(user)
    if granted.whole_province:
        return Q()
    return Q(**{f"{prefix}committee_id__in": granted.committee_ids})


def with_counts(assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """Annotate the derived figures, never typed: criteria answered, met,
    verified, and the required ones met (one aggregate in the same query)."""
    return assessments.annotate(
        criteria_total=Count("answers", distinct=True),
        criteria_answered=Count(
            "answers", filter=Q(answers__met__isnull=False), distinct=True
        ),
        criteria_met=Count("answers", filter=Q(answers__met=True), distinct=True),
        criteria_verified=Count(
            "answers", filter=Q(answers__verified_at__isnull=False), distinct=True
        ),
        required_total=Count(
            "answers", filter=Q(answers__criterion__required=True), distinct=True
        ),
        required_met=Count(
            "answers",
            filter=Q(answers__criterion__required=True, answers__met=True),
            distinct=True,
        ),
    )


def _answers_counted(**conditions: Any) -> Subquery:
    """How many of the assessment's answers meet ``conditions``: a subquery
    read for each row returned, by the index on the answers' assessment. The
    count is a plain function (no ``GROUP BY`` added): one aggregate row,
    0 when there is no answer."""
    answers = (
        Answer.objects.filter(assessment_id=OuterRef("pk"), **conditions)
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return Subquery(answers, output_field=IntegerField())


def with_row_counts(assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """The figures of ``with_counts``, each counted by a subquery of the row.
    For a page of a long list: PostgreSQL reads the subqueries after the
    ``ORDER BY … LIMIT``, for the page's rows only, where ``with_counts``
    joins and groups every answer of the whole list first."""
    return assessments.annotate(
        criteria_total=_answers_counted(),
        criteria_answered=_answers_counted(met__isnull=False),
        criteria_met=_answers_counted(met=True),
        criteria_verified=_answers_counted(verified_at__isnull=False),
        required_total=_answers_counted(criterion__required=True),
        required_met=_answers_counted(criterion__required=True, met=True),
    )


def assessment_list_for_user(
    *, user: User, counts: bool = True
) -> QuerySet[Assessment]:
    """The user's assessments, newest year first. Without ``counts`` the
    derived figures are left out: a list shown a page at a time counts them
    for that page only (``with_row_counts``)."""
    # The lists show the unit's name and the committee's: nothing else is
    # joined (each joined row is a model instance made per row).
    assessments = Assessment.objects.filter(assessment_scope_q(user)).select_related(
        "committee"
    )
    if counts:
        assessments = with_counts(assessments)
    return assessments.order_by("-year", "unit_name", "pk")


# What the detail page shows of an assessment's relations, its recognition
# included (a left join on a unique column: one query fewer than reading it
# apart). Every further table joined costs PostgreSQL about 0.4 ms more to
# plan the query: the full set below took 3.8 ms to plan and 0.5 ms to run
# (a prepared statement plans it once per connection).
PAGE_RELATED = ("committee", "criteria_set", "created_by", "recognition")
FULL_RELATED = (
    "committee",
    "criteria_set",
    "created_by",
    "ward_police__area__parent",
    "registration__programme",
    "updated_by",
)


def assessment_get_for_user(
    *,
    user: User,
    pk: int,
    for_update: bool = False,
    counts: bool = True,
    for_page: bool = False,
) -> Assessment:
    """One assessment of the user's scope; anyone else's is a 404. With
    ``for_update`` (inside a service's transaction) the row is locked and
    read without the derived figures; without ``counts`` it is read without
    them too, for a page that counts them from the answers it reads anyway
    (``count_answers``). ``for_page`` reads only the relations the detail
    page shows (``PAGE_RELATED``)."""
    assessments = Assessment.objects.filter(assessment_scope_q(user)).select_related(
        *(PAGE_RELATED if for_page else FULL_RELATED)
    )
    if for_update:
        assessments = assessments.select_for_update(of=("self",))
    elif counts:
        assessments = with_counts(assessments)
    try:
        return assessments.get(pk=pk)
    except Assessment.DoesNotExist:
        raise Http404("No such assessment.") from None


def answer_get_for_user(*, user: User, pk: int, for_update: bool = False) -> Answer:
    """One answer of an assessment of the user's scope; anyone else's is a 404."""
    answers = Answer.objects.filter(
        assessment_scope_q(user, prefix="assessment__")
    ).select_related("criterion", "assessment")
    if for_update:
        answers = answers.select_for_update(of=("self",))
    try:
        return answers.get(pk=pk)
    except Answer.DoesNotExist:
        raise Http404("No such answer.") from None


def evidence_get_for_user(*, user: User, pk: int) -> Evidence:
    """One evidence file of an assessment of the user's scope; anyone else's
    is a 404 (its existence is not revealed)."""
    try:
        return Evidence.objects.select_related(
            "answer__assessment", "answer__criterion"
        ).get(assessment_scope_q(user, prefix="answer__assessment__"), pk=pk)
    except Evidence.DoesNotExist:
        raise Http404("No such file.") from None


@dataclass(frozen=True)
class AnswerGroup:
    group: CriterionGroup
    answers: list[Answer]


def assessment_answer_groups(*, assessment: Assessment) -> list[AnswerGroup]:
    """The assessment's answers by criterion group, each with its criterion,
    evidence and verifier: two queries whatever the number of criteria."""
    answers = list(
        assessment.answers.select_related("criterion__group", "verified_by")
        # The page keeps these answers in the cache: never a password hash.
        .defer("verified_by__password")
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=Evidence.objects.order_by("uploaded_at", "pk"),
            )
        )
        .order_by("criterion__group__position", "criterion__position", "pk")
    )
    groups: dict[int, CriterionGroup] = {}
    grouped: dict[int, list[Answer]] = {}
    for answer in answers:
        group = answer.criterion.group
        groups.setdefault(group.pk, group)
        grouped.setdefault(group.pk, []).append(answer)
    return [
        AnswerGroup(group=groups[group_id], answers=rows)
        for group_id, rows in grouped.items()
    ]


def count_answers(assessment: Assessment, answers: list[Answer]) -> None:
    """Set the derived figures of ``with_counts`` on ``assessment`` from all
    its answers (with their criteria), already read: the same figures
    without a second pass over the answers in the database."""
    required = [a for a in answers if a.criterion.required]
    figures: Any = assessment
    figures.criteria_total = len(answers)
    figures.criteria_answered = sum(1 for a in answers if a.met is not None)
    figures.criteria_met = sum(1 for a in answers if a.met)
    figures.criteria_verified = sum(1 for a in answers if a.verified_at is not None)
    figures.required_total = len(required)
    figures.required_met = sum(1 for a in required if a.met)


def waiting_assessments_for_user(
    *, user: User, counts: bool = True
) -> QuerySet[Assessment]:
    """The assessments waiting for this user: submitted ones for those who
    verify, returned ones for those who assess. Without ``counts`` (to count
    them) the answers are not joined: the count then reads only assessments."""
    waiting = Q(pk__in=[])
    if access.can(user, Capability.VERIFY_ASSESSMENTS):
        waiting |= Q(status=AssessmentStatus.SUBMITTED)
    if (
        access.can(user, Capability.ASSESS_UNITS)
        and not access.access_for(user).whole_province
    ):
        waiting |= Q(status=AssessmentStatus.RETURNED)
    return assessment_list_for_user(user=user, counts=counts).filter(waiting)
