"""Reads for what the campaign gives and takes stock of — recognitions,
commendations, emulation pledges, reviews — and for a unit's whole history.

Recognitions, commendations, pledges and reviews are published decisions:
everyone who may ``VIEW`` reads them all. What they link to stays scoped: a
link into a registration, an assessment, a ward police or a committee is
offered only when the user may open it (one query per kind of link, whatever
the number of rows). A unit's history is scoped like its registrations: a
unit the user sees no registration of is a 404.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.text import capfirst

from campaign.assessments.choices import Classification
from campaign.assessments.models import (
    Assessment,
    Commendation,
    EmulationPledge,
    PledgeItem,
    Recognition,
    Review,
    ReviewClassification,
)
from campaign.assessments.selectors.assessments import (
    _in_scope_of_user,
    assessment_scope_q,
    with_counts,
)

# The units a decision can be about are querysets of their own module (the
# searchable unit picker reads them a page at a time); named here too for the
# callers that read them from this one.
from campaign.assessments.selectors.award_units import (  # noqa: F401
    AwardUnits,
    award_units_for_user,
)
from campaign.committees import access
from campaign.committees.access import Capability
from campaign.committees.models import SteeringCommittee
from campaign.committees.selectors.committees import committee_list_for_user
from campaign.planning.choices import ProgrammeKind, UnitKind
from campaign.planning.models import Phase
from campaign.registrations.models import Registration
from campaign.registrations.selectors.registrations import (
    registration_list_for_user,
    registration_scope_q,
)
from units.models import Area, AreaSuccession, Organisation, WardPolice
from units.text import fold

User = access.Reader

# The two kinds of unit a history page is about.
HISTORY_AREA = "area"
HISTORY_ORGANISATION = "organisation"
HISTORY_KINDS = (HISTORY_AREA, HISTORY_ORGANISATION)


# --- Links, scoped ---------------------------------------------------------------


def unit_history_url(registration: Registration) -> str:
    """The history page of a registered unit (its area or organisation)."""
    if registration.area_id is not None:
        return reverse(
            "assessments:unit_history",
            kwargs={"kind": HISTORY_AREA, "pk": registration.area_id},
        )
    return reverse(
        "assessments:unit_history",
        kwargs={"kind": HISTORY_ORGANISATION, "pk": registration.organisation_id},
    )


def visible_registration_ids(*, user: User, ids: Iterable[int | None]) -> set[int]:
    """Which of ``ids`` the user may open (no query for the province)."""
    wanted = {i for i in ids if i is not None}
    if not wanted or not access.can(user, Capability.VIEW):
        return set()
    if access.access_for(user).whole_province:
        return wanted
    return set(
        Registration.objects.filter(
            registration_scope_q(user), pk__in=wanted
        ).values_list("pk", flat=True)
    )


def visible_assessment_ids(*, user: User, ids: Iterable[int | None]) -> set[int]:
    """Which of ``ids`` the user may open (no query for the province)."""
    wanted = {i for i in ids if i is not None}
    if not wanted or not access.can(user, Capability.VIEW):
        return set()
    if access.access_for(user).whole_province:
        return wanted
    return set(
        Assessment.objects.filter(assessment_scope_q(user), pk__in=wanted).values_list(
            "pk", flat=True
        )
    )


def ward_police_visible(*, user: User, ward_police: WardPolice) -> bool:
    """Whether the user may open the ward police's page; no query when its
    area was read with ``area__parent`` (the rule of
    ``ward_police_get_for_user``)."""
    return _in_scope_of_user(user, ward_police.area)


def _ward_police_url(user: User, ward_police: WardPolice | None) -> str:
    if ward_police is None or not ward_police_visible(
        user=user, ward_police=ward_police
    ):
        return ""
    return reverse("assessments:ward_police_detail", kwargs={"pk": ward_police.pk})


def _kind_labels() -> dict[str, str]:
    return {k.value: str(k.label) for k in UnitKind}


@dataclass(frozen=True)
class UnitLink:
    """The unit a decision is about, as shown: its name, its kind, and the
    page the user may open for it ("" when none)."""

    name: str
    kind: str
    url: str = ""


def _unit_link(
    *,
    user: User,
    registration: Registration | None,
    ward_police: WardPolice | None,
    visible_registrations: set[int],
    kinds: dict[str, str],
) -> UnitLink | None:
    if registration is not None:
        return UnitLink(
            name=registration.unit_name,
            kind=kinds.get(registration.unit_kind, registration.unit_kind),
            url=unit_history_url(registration)
            if registration.pk in visible_registrations
            else "",
        )
    if ward_police is not None:
        return UnitLink(
            name=ward_police.name,
            kind=str(capfirst(WardPolice._meta.verbose_name)),
            url=_ward_police_url(user, ward_police),
        )
    return None


# --- Years of the plan -----------------------------------------------------------


def plan_years() -> list[int]:
    """Every year of the plan's phases, newest first (one query)."""
    phases = Phase.objects.values_list("start_year", "end_year")
    return sorted(
        {year for start, end in phases for year in range(start, end + 1)},
        reverse=True,
    )


# --- Recognitions ----------------------------------------------------------------


def _folded_unit_q(q: str) -> Q:
    """Every word of ``q`` in the folded name of the registered unit or of the
    ward police: "my binh" finds "Phường Mỹ Bình"."""
    words = fold(q).split()
    if not words:
        return Q()
    in_registration = Q()
    in_ward_police = Q()
    for word in words:
        in_registration &= Q(registration__search_name__contains=word)
        in_ward_police &= Q(ward_police__search_name__contains=word)
    return in_registration | in_ward_police


def recognition_list(
    *, q: str = "", year: int | None = None, programme: str = ""
) -> QuerySet[Recognition]:
    """Recognition decisions (published: every one), newest year first,
    narrowed by year, programme (``ProgrammeKind``) and a search on the unit,
    accents ignored; with the unit read in the same query."""
    recognitions = Recognition.objects.select_related(
        "registration", "ward_police__area__parent"
    ).order_by("-year", "-decided_on", "pk")
    if year:
        recognitions = recognitions.filter(year=year)
    if programme == ProgrammeKind.EXEMPLARY_UNITS:
        recognitions = recognitions.filter(registration__isnull=False)
    elif programme == ProgrammeKind.MODEL_WARD_POLICE:
        recognitions = recognitions.filter(ward_police__isnull=False)
    if q.strip():
        recognitions = recognitions.filter(
            _folded_unit_q(q) | Q(decision_number__icontains=q.strip())
        )
    return recognitions


@dataclass(frozen=True)
class RecognitionRow:
    recognition: Recognition
    unit: UnitLink | None
    assessment_url: str


def recognition_rows(
    *, user: User, recognitions: Iterable[Recognition]
) -> list[RecognitionRow]:
    """A page of recognitions with their scoped links: the unit's history (or
    the ward police's page) and the assessment, each only when the user may
    open it (at most two queries)."""
    recognitions = list(recognitions)
    registrations = visible_registration_ids(
        user=user, ids=(r.registration_id for r in recognitions)
    )
    assessments = visible_assessment_ids(
        user=user, ids=(r.assessment_id for r in recognitions)
    )
    kinds = _kind_labels()
    return [
        RecognitionRow(
            recognition=r,
            unit=_unit_link(
                user=user,
                registration=r.registration,
                ward_police=r.ward_police,
                visible_registrations=registrations,
                kinds=kinds,
            ),
            assessment_url=reverse(
                "assessments:assessment_detail", kwargs={"pk": r.assessment_id}
            )
            if r.assessment_id in assessments
            else "",
        )
        for r in recognitions
    ]


# --- Commendations ---------------------------------------------------------------


def commendation_list(
    *,
    q: str = "",
    year: int | None = None,
    form: str = "",
    recipient_kind: str = "",
) -> QuerySet[Commendation]:
    """Commendations (published: every one), the latest decision first,
    narrowed by year, form and kind of recipient, and a search: the honoured
    unit's and the recipient's names accents ignored, or the decision number
    as typed."""
    commendations = Commendation.objects.select_related(
        "registration", "ward_police__area__parent"
    ).order_by("-decided_on", "-pk")
    if year:
        commendations = commendations.filter(year=year)
    if form:
        commendations = commendations.filter(form=form)
    if recipient_kind:
        commendations = commendations.filter(recipient_kind=recipient_kind)
    typed = q.strip()
    if typed:
        commendations = commendations.filter(
            _folded_unit_q(typed)
            | Q(recipient_search__contains=fold(typed))
            | Q(decision_number__icontains=typed)
        )
    return commendations


@dataclass(frozen=True)
class CommendationRow:
    commendation: Commendation
    unit: UnitLink | None


def commendation_rows(
    *, user: User, commendations: Iterable[Commendation]
) -> list[CommendationRow]:
    """A page of commendations with the honoured unit's scoped link (at most
    one query)."""
    commendations = list(commendations)
    registrations = visible_registration_ids(
        user=user, ids=(c.registration_id for c in commendations)
    )
    kinds = _kind_labels()
    return [
        CommendationRow(
            commendation=c,
            unit=_unit_link(
                user=user,
                registration=c.registration,
                ward_police=c.ward_police,
                visible_registrations=registrations,
                kinds=kinds,
            ),
        )
        for c in commendations
    ]


# --- Emulation pledges -----------------------------------------------------------


def pledge_list(*, year: int | None = None) -> QuerySet[EmulationPledge]:
    """Pledges (published: every one), the latest signing first, with their
    numbers of committees and items (one query)."""
    pledges = EmulationPledge.objects.annotate(
        committee_count=Count("committees", distinct=True),
        item_count=Count("items", distinct=True),
    ).order_by("-signed_on", "-pk")
    if year:
        pledges = pledges.filter(year=year)
    return pledges


def pledge_get(*, pk: int) -> EmulationPledge:
    """One pledge with its items and committees (three queries)."""
    try:
        return (
            EmulationPledge.objects.select_related("created_by")
            .prefetch_related(
                Prefetch("items", queryset=PledgeItem.objects.order_by("position")),
                Prefetch(
                    "committees",
                    queryset=SteeringCommittee.objects.select_related("area").order_by(
                        "level", "short_name"
                    ),
                ),
            )
            .get(pk=pk)
        )
    except EmulationPledge.DoesNotExist:
        raise Http404("No such pledge.") from None


def visible_committee_ids(*, user: User, ids: Iterable[int]) -> set[int]:
    """Which of the committees ``ids`` the user may open (one query)."""
    wanted = set(ids)
    if not wanted:
        return set()
    return set(
        SteeringCommittee.objects.filter(
            access.committee_scope_q(user), pk__in=wanted
        ).values_list("pk", flat=True)
    )


def signing_committees_for_user(
    *, user: User, on: datetime.date
) -> list[SteeringCommittee]:
    """The committees in force on ``on`` the user may see: those that can sign
    a pledge that day, the province first (one query)."""
    return list(
        committee_list_for_user(user=user, current_on=on).order_by(
            "level", "area__search_name", "short_name"
        )
    )


def committees_for_user(*, user: User) -> QuerySet[SteeringCommittee]:
    """Every committee the user may see, whatever its dates: what a posted
    signing committee is looked up in (the service checks the dates)."""
    return SteeringCommittee.objects.filter(access.committee_scope_q(user))


# --- Reviews ---------------------------------------------------------------------


def review_list(*, kind: str = "") -> QuerySet[Review]:
    """Reviews (published: every one), the latest first, with their number of
    classified models (one query)."""
    reviews = Review.objects.annotate(
        classification_count=Count("classifications")
    ).order_by("-held_on", "-pk")
    if kind:
        reviews = reviews.filter(kind=kind)
    return reviews


def review_get(*, pk: int) -> Review:
    try:
        return Review.objects.select_related("created_by").get(pk=pk)
    except Review.DoesNotExist:
        raise Http404("No such review.") from None


@dataclass(frozen=True)
class ClassifiedUnit:
    classification: ReviewClassification
    unit: UnitLink


@dataclass(frozen=True)
class ClassificationGroup:
    value: str
    label: str
    rows: list[ClassifiedUnit]

    @property
    def count(self) -> int:
        return len(self.rows)


def review_classification_groups(
    *, user: User, review: Review
) -> list[ClassificationGroup]:
    """The review's classifications by grade, from excellent to weak (every
    grade, empty ones too, so the counts read as a whole), each unit with its
    scoped link: two queries whatever the number of rows."""
    classifications = list(
        review.classifications.select_related(
            "registration", "ward_police__area__parent"
        ).order_by("unit_name", "pk")
    )
    registrations = visible_registration_ids(
        user=user, ids=(c.registration_id for c in classifications)
    )
    kinds = _kind_labels()
    by_grade: dict[str, list[ClassifiedUnit]] = defaultdict(list)
    for c in classifications:
        unit = _unit_link(
            user=user,
            registration=c.registration,
            ward_police=c.ward_police,
            visible_registrations=registrations,
            kinds=kinds,
        ) or UnitLink(name=c.unit_name, kind="")
        by_grade[c.classification].append(ClassifiedUnit(classification=c, unit=unit))
    return [
        ClassificationGroup(
            value=grade.value, label=str(grade.label), rows=by_grade[grade.value]
        )
        for grade in Classification
    ]


# --- A unit's whole history ------------------------------------------------------


@dataclass
class HistoryYear:
    """Everything about the unit in one year."""

    year: int
    registrations: list[Registration] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    recognitions: list[Recognition] = field(default_factory=list)
    commendations: list[Commendation] = field(default_factory=list)
    classifications: list[ReviewClassification] = field(default_factory=list)


@dataclass(frozen=True)
class UnitHistory:
    kind: str
    area: Area | None
    organisation: Organisation | None
    years: list[HistoryYear]
    # The ward's police, when the unit is a ward and the user may see it.
    ward_police: WardPolice | None
    predecessors: list[AreaSuccession]
    successors: list[AreaSuccession]
    visible_assessment_ids: set[int]

    @property
    def name(self) -> str:
        if self.area is not None:
            return self.area.full_name
        return self.organisation.name if self.organisation else ""

    @property
    def recognised_years(self) -> list[int]:
        return [y.year for y in self.years if y.recognitions]

    @property
    def registered_years(self) -> list[int]:
        return [y.year for y in self.years if y.registrations]


def _history_subject(kind: str, pk: int) -> Area | Organisation:
    found: Area | Organisation | None
    if kind == HISTORY_AREA:
        found = Area.objects.select_related("parent__parent").filter(pk=pk).first()
    elif kind == HISTORY_ORGANISATION:
        found = (
            Organisation.objects.select_related("area__parent", "managed_by")
            .filter(pk=pk)
            .first()
        )
    else:
        found = None
    if found is None:
        raise Http404("No such unit.")
    return found


def unit_history(*, user: User, kind: str, pk: int) -> UnitHistory:
    """A commune-level unit's (``kind`` "area") or an organisation's whole
    history across years: every registration of it the user may see, their
    assessments the user may see (with "met N of M"), the recognitions,
    commendations and review classifications of those registrations, year by
    year, oldest first. A unit the user sees no registration of is a 404
    (another locality's unit is not revealed), as is any other ``kind``.

    A fixed number of queries (at most nine) whatever the number of years and
    records."""
    if not access.can(user, Capability.VIEW):
        raise Http404("No such unit.")
    subject = _history_subject(kind, pk)
    unit_q = (
        Q(area_id=subject.pk) if kind == HISTORY_AREA else Q(organisation_id=subject.pk)
    )
    registrations = list(
        registration_list_for_user(user=user)
        .filter(unit_q)
        .order_by("year", "created_at", "pk")
    )
    if not registrations:
        raise Http404("No such unit.")
    ids = [r.pk for r in registrations]
    assessments = list(
        with_counts(
            Assessment.objects.filter(
                assessment_scope_q(user), registration_id__in=ids
            ).select_related("criteria_set")
        ).order_by("year", "pk")
    )
    recognitions = list(
        Recognition.objects.filter(registration_id__in=ids).order_by(
            "year", "decided_on", "pk"
        )
    )
    commendations = list(
        Commendation.objects.filter(registration_id__in=ids).order_by(
            "year", "decided_on", "pk"
        )
    )
    classifications = list(
        ReviewClassification.objects.filter(registration_id__in=ids)
        .select_related("review")
        .order_by("review__held_on", "pk")
    )

    years: dict[int, HistoryYear] = {}

    def year(number: int) -> HistoryYear:
        return years.setdefault(number, HistoryYear(year=number))

    for registration in registrations:
        year(registration.year).registrations.append(registration)
    for assessment in assessments:
        year(assessment.year).assessments.append(assessment)
    for recognition in recognitions:
        year(recognition.year).recognitions.append(recognition)
    for commendation in commendations:
        year(commendation.year).commendations.append(commendation)
    for classification in classifications:
        # A review looks back over its period: it is told in the year it was held.
        year(classification.review.held_on.year).classifications.append(classification)

    ward_police = None
    predecessors: list[AreaSuccession] = []
    successors: list[AreaSuccession] = []
    if kind == HISTORY_AREA:
        ward_police = (
            WardPolice.objects.select_related("area__parent")
            .filter(area_id=subject.pk)
            .first()
        )
        if ward_police is not None and not ward_police_visible(
            user=user, ward_police=ward_police
        ):
            ward_police = None
        for succession in AreaSuccession.objects.filter(
            Q(predecessor_id=subject.pk) | Q(successor_id=subject.pk)
        ).select_related("predecessor", "successor"):
            if succession.predecessor_id == subject.pk:
                successors.append(succession)
            else:
                predecessors.append(succession)

    return UnitHistory(
        kind=kind,
        area=subject if isinstance(subject, Area) else None,
        organisation=subject if isinstance(subject, Organisation) else None,
        years=[years[number] for number in sorted(years)],
        ward_police=ward_police,
        predecessors=predecessors,
        successors=successors,
        visible_assessment_ids={a.pk for a in assessments},
    )
