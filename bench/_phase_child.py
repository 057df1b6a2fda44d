"""Child process of ``bench/phase_report.py`` and ``bench/dashboard.py``
(issue 9): one step in a fresh Python process against the database the
parent set in the environment (``DATABASE_URL``, ``PRIVATE_MEDIA_ROOT``,
``bench.settings_bench``, DEBUG off, no broker: Celery eager).

    python bench/_phase_child.py STEP [JSON ARGUMENTS]

Steps:

* ``national`` — the national data set: ``migrate``, An Giang's reference
  data and the 33 synthetic provinces, ward police and their assessments of
  ``bench/_assessments_child.py`` (issue 8), then exemplary-unit
  registrations for every province and every year of the plan up to today's,
  with their workflow steps, and what follows them: assessments with answers,
  recognitions (of units and of ward police), commendations, emulation
  pledges and reviews with classifications (``bulk_create``, fixed seed);
  ``ANALYZE``.
* ``users`` — the requesters: ``bench-staff`` and ``bench-phase-01``… (a
  ``provincial_staff`` membership of today's provincial committee each, so
  that twenty identical requests are twenty jobs, not one reused).
* ``figures`` — what the data set holds and what the report lists.
* ``build`` — the build benchmark: ``report_job_run`` on fresh pending jobs
  vs ``render_pdf`` on the same final HTML, interleaved; optional cProfile.
* ``probe`` / ``dashboard_queries`` / ``dashboard_time`` — the dashboard.

Progress goes to stderr; the answer is the last line of stdout, one JSON
object.
"""

# The raw SQL below is made of the models' quoted table names; nothing comes
# from outside.
# ruff: noqa: S608

from __future__ import annotations

import datetime
import gc
import json
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import _assessments_child as national_areas  # noqa: E402

KIND = "phase_progress"
SEED = 913
FIRST_YEAR = 2023
BARE_PATH = "/bench/bare/"
DASHBOARD_PATH = "/reports/dashboard/"
REQUESTER = "bench-staff"  # _assessments_child.bench_user()
BATCH_USER_PREFIX = "bench-phase-"

# Registrations per province and year, by unit kind, for a province of
# average size (scaled by its size, 0.5–2×): 22, against An Giang's quota of
# 16 a year — about 3,000 over 2023–2026 for the 34 provinces.
PER_PROVINCE_YEAR = {
    "commune": 8,
    "ward": 3,
    "township": 2,
    "agency": 4,
    "enterprise": 2,
    "school": 3,
}
# What became of them (the rest approved).
OUTCOMES = (
    ("draft", 0.10),
    ("submitted", 0.08),
    ("returned", 0.07),
    ("withdrawn", 0.05),
    ("approved", 0.70),
)
ASSESSED_ACCEPTED = 0.90  # of the approved units, assessed and accepted
MEETS_ALL = 0.75  # of those accepted
RECOGNISED = 0.80  # of those meeting every criterion
WARD_POLICE_RECOGNISED = 0.40  # of the ward police meeting every criterion
COMMENDATIONS_PER_PROVINCE_YEAR = 3
PLEDGE_ITEMS = 5

RETURN_REASON = "Bổ sung biên bản họp Ban Chỉ đạo và chữ ký của Chủ tịch UBND."
PLAN_TEXT = (
    "Xây dựng và nhân rộng mô hình tự phòng, tự quản, tự bảo vệ, tự hòa giải; "
    "tuyên truyền đến 100% hộ gia đình; phấn đấu đạt các tiêu chí năm {year}."
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def answer(payload: dict) -> None:
    print(json.dumps(payload, default=str), flush=True)


def setup() -> None:
    national_areas.setup()  # django.setup(), plain static storage (DEBUG off)


# --- Timestamps: bulk_create with the dates of a made-up history -------------------


@contextmanager
def dated(*models):
    """``auto_now``/``auto_now_add`` off for the models' date fields, so that
    ``bulk_create`` keeps the dates given (a history spread over years)."""
    saved = []
    for model in models:
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(
                field, "auto_now_add", False
            ):
                saved.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, now, add in saved:
            field.auto_now, field.auto_now_add = now, add


class Clock:
    """Local times of a year, never later than an hour ago (the data must be
    in the past whatever day the benchmark runs)."""

    def __init__(self):
        from django.utils import timezone

        self.tz = timezone.get_current_timezone()
        self.latest = timezone.now() - datetime.timedelta(hours=1)
        self.today = timezone.localdate()

    def at(self, day: datetime.date, hour: int = 9) -> datetime.datetime:
        moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=self.tz)
        return min(moment, self.latest)

    def day(self, day: datetime.date) -> datetime.date:
        return min(day, self.today - datetime.timedelta(days=1))

    def past(self, day: datetime.date) -> bool:
        return day < self.today


# --- The national data set --------------------------------------------------------------


def _province_of(area, areas: dict):
    while area.parent_id is not None:
        area = areas[area.parent_id]
    return area


def build_registrations(user, rng: random.Random, clock: Clock) -> dict:
    """Exemplary-unit registrations of every province for every year of the
    plan up to today's, with their workflow steps: communes, wards, townships
    (special zones after the reform) registered by the district-level
    committee of their day (2023–2025) or by their own commune-level committee
    (from 2026), and agencies, enterprises and schools (``Organisation`` rows
    made for the purpose) registered by the same committees."""
    from campaign.committees.choices import CommitteeLevel
    from campaign.committees.models import SteeringCommittee
    from campaign.planning.selectors.periods import exemplary_programme, phases_of
    from campaign.registrations.models import Registration, RegistrationTransition
    from campaign.registrations.selectors.registrations import scope_day
    from units.choices import COMMUNE_LEVEL_KINDS, AreaKind
    from units.models import Area, Organisation
    from units.text import fold

    programme = exemplary_programme()
    phases = phases_of(programme)
    areas = {a.pk: a for a in Area.objects.all()}
    committees = defaultdict(list)
    for committee in SteeringCommittee.objects.exclude(level=CommitteeLevel.PROVINCE):
        committees[committee.area_id].append(committee)

    def committee_of(area_id: int, day: datetime.date):
        return next((c for c in committees[area_id] if c.is_valid_on(day)), None)

    last_year = min(clock.today.year, phases[-1].end_year)
    years = range(FIRST_YEAR, last_year + 1)
    registrations: list[Registration] = []
    steps: list[tuple[int, str, str, datetime.datetime, str]] = []
    organisations: list[tuple[int, Organisation]] = []
    outcomes, weights = zip(*OUTCOMES, strict=True)
    counter = 0
    for year in years:
        day = scope_day(year)
        phase = next(p for p in phases if p.start_year <= year <= p.end_year)
        pre_reform = day < national_areas.REFORM
        # Commune-level units of that day and their registering committee.
        by_province: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for area in areas.values():
            if area.kind not in COMMUNE_LEVEL_KINDS or not area.is_valid_on(day):
                continue
            owner = committee_of(area.parent_id if pre_reform else area.pk, day)
            if owner is None:
                continue
            province = _province_of(area, areas)
            by_province[province.pk][area.kind].append((area, owner))
        sizes = {
            p: sum(len(v) for v in kinds.values()) for p, kinds in by_province.items()
        }
        average = statistics.mean(sizes.values())
        for province_id in sorted(by_province):
            kinds = by_province[province_id]
            scale = min(2.0, max(0.5, sizes[province_id] / average))
            owners = [owner for units in kinds.values() for _a, owner in units]
            for unit_kind, base in PER_PROVINCE_YEAR.items():
                wanted = max(1, round(base * scale))
                if unit_kind in ("agency", "enterprise", "school"):
                    chosen = []
                    for _ in range(wanted):
                        counter += 1
                        owner = rng.choice(owners)
                        name = {
                            "agency": "Cơ quan giả định",
                            "enterprise": "Công ty TNHH Giả định",
                            "school": "Trường THCS Giả định",
                        }[unit_kind] + f" {counter:05d} ({owner.short_name[-24:]})"
                        organisation = Organisation(
                            name=name,
                            kind=unit_kind,
                            area_id=next(
                                a.pk
                                for units in kinds.values()
                                for a, o in units
                                if o == owner
                            ),
                            managed_by_id=owner.area_id,
                            search_name=fold(name),
                        )
                        chosen.append((None, organisation, owner, name))
                else:
                    kind = unit_kind
                    if kind == "township" and not pre_reform:
                        kind = AreaKind.SPECIAL_ZONE
                    pool = kinds.get(kind, [])
                    picked = rng.sample(pool, k=min(wanted, len(pool)))
                    chosen = [(a, None, owner, a.full_name) for a, owner in picked]
                for area, organisation, owner, name in chosen:
                    outcome = rng.choices(outcomes, weights)[0]
                    made = clock.at(
                        datetime.date(year, 2, 1)
                        + datetime.timedelta(days=rng.randrange(40))
                    )
                    submitted = made + datetime.timedelta(days=5 + rng.randrange(15))
                    decided = submitted + datetime.timedelta(days=5 + rng.randrange(15))
                    submitted, decided = (
                        min(submitted, clock.latest),
                        min(decided, clock.latest),
                    )
                    contact = f"Nguyễn Văn {rng.choice('ABCDEGHKLMNPQSTV')}"
                    registration = Registration(
                        committee=owner,
                        area=area,
                        unit_kind=area.kind if area else unit_kind,
                        unit_name=name,
                        programme=programme,
                        phase=phase,
                        year=year,
                        contact_name=contact,
                        contact_phone=f"0296 38{rng.randrange(10000, 99999)}",
                        plan_summary=PLAN_TEXT.format(year=year),
                        status=outcome,
                        return_reason=RETURN_REASON if outcome == "returned" else "",
                        search_name=fold(name),
                        contact_search=fold(contact),
                        created_by=user,
                        updated_by=user,
                        created_at=made,
                        updated_at=decided,
                        submitted_at=submitted
                        if outcome in ("submitted", "returned", "approved")
                        else None,
                        decided_at=decided
                        if outcome in ("returned", "approved")
                        else None,
                    )
                    index = len(registrations)
                    registrations.append(registration)
                    if organisation is not None:
                        organisations.append((index, organisation))
                    steps.append((index, "", "draft", made, ""))
                    if outcome == "withdrawn":
                        steps.append((index, "draft", "withdrawn", submitted, ""))
                    elif outcome != "draft":
                        steps.append((index, "draft", "submitted", submitted, ""))
                        if outcome in ("returned", "approved"):
                            reason = RETURN_REASON if outcome == "returned" else ""
                            steps.append((index, "submitted", outcome, decided, reason))
    with dated(Organisation):
        for _index, organisation in organisations:
            organisation.created_at = clock.latest
        Organisation.objects.bulk_create(
            [o for _i, o in organisations], batch_size=2000
        )
    for index, organisation in organisations:
        registrations[index].organisation = organisation
    with dated(Registration, RegistrationTransition):
        Registration.objects.bulk_create(registrations, batch_size=2000)
        RegistrationTransition.objects.bulk_create(
            (
                RegistrationTransition(
                    registration=registrations[index],
                    from_status=a,
                    to_status=b,
                    actor=user,
                    at=at,
                    reason=reason,
                )
                for index, a, b, at, reason in steps
            ),
            batch_size=5000,
        )
    return {
        "registrations": len(registrations),
        "workflow_steps": len(steps),
        "organisations": len(organisations),
        "by_year": dict(Counter(r.year for r in registrations)),
        "by_status": dict(Counter(r.status for r in registrations)),
    }


def build_unit_assessments(user, rng: random.Random, clock: Clock) -> dict:
    """An assessment of every approved registration whose year is over (or
    nearly: assessed in October–November), accepted for most of them, with
    its answers and workflow steps; most meet every criterion."""
    from campaign.assessments.choices import AssessmentStatus, CriteriaSubject
    from campaign.assessments.models import (
        Answer,
        Assessment,
        AssessmentTransition,
        Criterion,
    )
    from campaign.assessments.selectors.criteria import criteria_set_current
    from campaign.registrations.models import Registration

    sets = {}
    for subject in (CriteriaSubject.COMMUNE_LEVEL, CriteriaSubject.ORGANISATION):
        criteria_set = criteria_set_current(subject)
        criteria = list(
            Criterion.objects.filter(group__criteria_set=criteria_set).values_list(
                "pk", "required"
            )
        )
        sets[subject] = (criteria_set, criteria)
    made: list[Assessment] = []
    unmet: dict[int, set[int]] = {}
    steps: list[tuple[int, str, str, datetime.datetime]] = []
    for registration in Registration.objects.filter(status="approved").order_by("pk"):
        opened = datetime.date(registration.year, 9, 1 + rng.randrange(25))
        if not clock.past(opened):
            continue
        subject = (
            CriteriaSubject.COMMUNE_LEVEL
            if registration.area_id
            else CriteriaSubject.ORGANISATION
        )
        criteria_set, criteria = sets[subject]
        created = clock.at(opened)
        submitted = min(
            created + datetime.timedelta(days=10 + rng.randrange(20)), clock.latest
        )
        decided = min(
            submitted + datetime.timedelta(days=3 + rng.randrange(20)), clock.latest
        )
        accepted = rng.random() < ASSESSED_ACCEPTED
        assessment = Assessment(
            registration=registration,
            year=registration.year,
            criteria_set=criteria_set,
            committee_id=registration.committee_id,
            unit_name=registration.unit_name,
            search_name=registration.search_name,
            status=AssessmentStatus.ACCEPTED
            if accepted
            else AssessmentStatus.SUBMITTED,
            created_by=user,
            updated_by=user,
            created_at=created,
            updated_at=decided if accepted else submitted,
            submitted_at=submitted,
            decided_at=decided if accepted else None,
        )
        index = len(made)
        made.append(assessment)
        steps += [
            (index, "", AssessmentStatus.DRAFT, created),
            (index, AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED, submitted),
        ]
        if accepted:
            steps.append(
                (index, AssessmentStatus.SUBMITTED, AssessmentStatus.ACCEPTED, decided)
            )
        if rng.random() >= MEETS_ALL:
            required = [pk for pk, needed in criteria if needed]
            unmet[index] = set(rng.sample(required, k=rng.randint(1, 3)))
    with dated(Assessment, AssessmentTransition):
        Assessment.objects.bulk_create(made, batch_size=2000)
        AssessmentTransition.objects.bulk_create(
            (
                AssessmentTransition(
                    assessment=made[index],
                    from_status=a,
                    to_status=b,
                    actor=user,
                    at=at,
                )
                for index, a, b, at in steps
            ),
            batch_size=5000,
        )
    answers = 0
    batch: list[Answer] = []
    for index, assessment in enumerate(made):
        _criteria_set, criteria = sets[
            CriteriaSubject.COMMUNE_LEVEL
            if assessment.registration.area_id
            else CriteriaSubject.ORGANISATION
        ]
        accepted = assessment.status == AssessmentStatus.ACCEPTED
        for criterion_id, _required in criteria:
            batch.append(
                Answer(
                    assessment=assessment,
                    criterion_id=criterion_id,
                    met=criterion_id not in unmet.get(index, ()),
                    note="Đã thực hiện; có biên bản kèm theo.",
                    verified_by=user if accepted else None,
                    verified_at=assessment.decided_at if accepted else None,
                )
            )
        if len(batch) >= 20000:
            Answer.objects.bulk_create(batch, batch_size=5000)
            answers += len(batch)
            batch = []
    Answer.objects.bulk_create(batch, batch_size=5000)
    answers += len(batch)
    return {
        "unit_assessments": len(made),
        "accepted": sum(1 for a in made if a.status == AssessmentStatus.ACCEPTED),
        "answers": answers,
    }


def build_awards(user, rng: random.Random, clock: Clock) -> dict:
    """Recognitions (of units meeting every criterion and of ward police),
    commendations, emulation pledges with their items and reviews with the
    classification of the units they reviewed — for every province."""
    from campaign.assessments.choices import (
        Classification,
        CommendationForm,
        RecipientKind,
        ReviewKind,
    )
    from campaign.assessments.models import (
        Assessment,
        Commendation,
        EmulationPledge,
        PledgeItem,
        Recognition,
        Review,
        ReviewClassification,
    )
    from campaign.assessments.selectors.progress import meets_all_q
    from campaign.committees.choices import CommitteeLevel
    from campaign.committees.models import SteeringCommittee
    from units.models import Area
    from units.text import fold

    areas = {a.pk: a for a in Area.objects.all()}

    def province_tag(area_id: int) -> str:
        province = _province_of(areas[area_id], areas)
        return province.name

    recognitions: list[Recognition] = []
    serial = Counter()
    qualifying = (
        Assessment.objects.filter(meets_all_q())
        .select_related(
            "registration__area", "registration__organisation", "ward_police"
        )
        .order_by("pk")
    )
    for assessment in qualifying:
        share = RECOGNISED if assessment.registration_id else WARD_POLICE_RECOGNISED
        if rng.random() >= share:
            continue
        decided_on = datetime.date(assessment.year, 12, 5 + rng.randrange(20))
        if not clock.past(decided_on) or assessment.decided_at.date() > decided_on:
            continue
        if assessment.registration_id:
            registration = assessment.registration
            place = registration.area_id or registration.organisation.area_id
        else:
            place = assessment.ward_police.area_id
        province = province_tag(place)
        serial[(province, assessment.year)] += 1
        recognitions.append(
            Recognition(
                registration_id=assessment.registration_id,
                ward_police_id=assessment.ward_police_id,
                year=assessment.year,
                assessment=assessment,
                decision_number=f"{serial[(province, assessment.year)]}/QĐ-BCĐ",
                decided_on=decided_on,
                authority=f"Ban Chỉ đạo 138 tỉnh {province}",
                created_by=user,
                created_at=clock.at(decided_on + datetime.timedelta(days=1), 10),
            )
        )
    with dated(Recognition):
        Recognition.objects.bulk_create(recognitions, batch_size=2000)

    by_province_year: dict[tuple[str, int], list[Recognition]] = defaultdict(list)
    for r in recognitions:
        if r.registration_id:
            registration = r.assessment.registration
            key_area = registration.area_id or registration.organisation.area_id
        else:
            key_area = r.assessment.ward_police.area_id
        by_province_year[(province_tag(key_area), r.year)].append(r)

    commendations: list[Commendation] = []
    for (province, year), recognised in sorted(by_province_year.items()):
        for n, r in enumerate(
            rng.sample(
                recognised, k=min(len(recognised), COMMENDATIONS_PER_PROVINCE_YEAR)
            )
        ):
            decided_on = r.decided_on + datetime.timedelta(days=3)
            if not clock.past(decided_on):
                continue
            name = r.assessment.unit_name
            commendations.append(
                Commendation(
                    form=list(CommendationForm.values)[
                        n % len(CommendationForm.values)
                    ],
                    authority=f"Chủ tịch UBND tỉnh {province}",
                    recipient_kind=RecipientKind.COLLECTIVE,
                    recipient_name=name,
                    recipient_search=fold(name),
                    registration_id=r.registration_id,
                    ward_police_id=r.ward_police_id,
                    year=year,
                    decision_number=f"{100 + n}/QĐ-UBND",
                    decided_on=decided_on,
                    reason="Có thành tích xuất sắc trong phong trào toàn dân bảo vệ ANTQ.",
                    created_by=user,
                    created_at=clock.at(decided_on, 15),
                )
            )
    with dated(Commendation):
        Commendation.objects.bulk_create(commendations, batch_size=2000)

    # One pledge a year per province, signed by its committees of the day
    # (districts before the reform, at most eight communes after it).
    committees = defaultdict(list)
    for committee in SteeringCommittee.objects.exclude(level=CommitteeLevel.PROVINCE):
        committees[province_tag(committee.area_id)].append(committee)
    pledges: list[tuple[EmulationPledge, list]] = []
    for province in sorted(committees):
        for year in range(FIRST_YEAR, clock.today.year + 1):
            signed_on = datetime.date(year, 3, 15)
            if not clock.past(signed_on):
                continue
            signing = [c for c in committees[province] if c.is_valid_on(signed_on)][:8]
            if not signing:
                continue
            result_on = datetime.date(year, 12, 20)
            known = clock.past(result_on)
            pledges.append(
                (
                    EmulationPledge(
                        title=f"Giao ước thi đua năm {year} — tỉnh {province}",
                        signed_on=signed_on,
                        year=year,
                        year_end_result="Hoàn thành các nội dung giao ước."
                        if known
                        else "",
                        result_recorded_on=result_on if known else None,
                        created_by=user,
                        created_at=clock.at(signed_on, 16),
                    ),
                    signing,
                )
            )
    with dated(EmulationPledge):
        EmulationPledge.objects.bulk_create([p for p, _c in pledges], batch_size=1000)
    through = EmulationPledge.committees.through
    through.objects.bulk_create(
        (
            through(emulationpledge_id=p.pk, steeringcommittee_id=c.pk)
            for p, signing in pledges
            for c in signing
        ),
        batch_size=5000,
    )
    PledgeItem.objects.bulk_create(
        (
            PledgeItem(pledge=p, position=i + 1, text=f"Nội dung giao ước {i + 1}")
            for p, _c in pledges
            for i in range(PLEDGE_ITEMS)
        ),
        batch_size=5000,
    )

    # An interim review of 2023–2024 and the final review of 2023–2025 in
    # every province, classifying the units recognised in the period.
    reviews: list[tuple[Review, list[Recognition]]] = []
    for province in sorted({p for p, _y in by_province_year}):
        for kind, start, end, held_on in (
            (ReviewKind.INTERIM, 2023, 2024, datetime.date(2024, 12, 28)),
            (ReviewKind.FINAL, 2023, 2025, datetime.date(2025, 12, 29)),
        ):
            if not clock.past(held_on):
                continue
            reviewed = {
                (r.registration_id, r.ward_police_id): r
                for year in range(start, end + 1)
                for r in by_province_year.get((province, year), [])
            }
            reviews.append(
                (
                    Review(
                        kind=kind,
                        title=f"Hội nghị {'sơ kết' if kind == ReviewKind.INTERIM else 'tổng kết'} "
                        f"{start}–{end} tỉnh {province}",
                        held_on=held_on,
                        period_start=start,
                        period_end=end,
                        created_by=user,
                        created_at=clock.at(held_on, 17),
                    ),
                    list(reviewed.values()),
                )
            )
    with dated(Review):
        Review.objects.bulk_create([r for r, _u in reviews], batch_size=1000)
    grades = list(Classification.values)
    classifications = [
        ReviewClassification(
            review=review,
            registration_id=r.registration_id,
            ward_police_id=r.ward_police_id,
            unit_name=r.assessment.unit_name,
            classification=rng.choices(grades, (30, 45, 20, 5))[0],
        )
        for review, units in reviews
        for r in units
    ]
    ReviewClassification.objects.bulk_create(classifications, batch_size=5000)
    return {
        "recognitions": len(recognitions),
        "recognitions_of_units": sum(1 for r in recognitions if r.registration_id),
        "commendations": len(commendations),
        "pledges": len(pledges),
        "reviews": len(reviews),
        "classifications": len(classifications),
    }


def add_provincial_committees() -> dict:
    """A provincial committee for each synthetic province, parent of the
    province's district-level (2023–2025) and commune-level (from 2026)
    committees: what the report's scope follows from the provinces of
    ``CAMPAIGN_PROVINCE_CODES`` down (``reporting.phase_data.report_scope``)."""
    from campaign.committees.choices import CommitteeLevel
    from campaign.committees.models import SteeringCommittee
    from campaign.committees.services.committees import committee_names_for
    from units.models import Area

    prefix = national_areas.NATIONAL_PREFIX
    provinces = list(Area.objects.filter(kind="province", key__startswith=prefix))
    made = []
    for area in provinces:
        name, short_name = committee_names_for(area)
        made.append(
            SteeringCommittee(
                level=CommitteeLevel.PROVINCE,
                area=area,
                name=name,
                short_name=short_name,
                standing_office=f"Công an tỉnh {area.name}",
                valid_from=datetime.date(2023, 1, 1),
            )
        )
    SteeringCommittee.objects.bulk_create(made)
    by_key = {c.area.key: c.pk for c in made}
    updated = 0
    for key, pk in by_key.items():
        updated += (
            SteeringCommittee.objects.filter(area__key__startswith=f"{key}-")
            .exclude(level=CommitteeLevel.PROVINCE)
            .update(parent_id=pk)
        )
    return {"provincial_committees": len(made), "committees_under_them": updated}


def step_province_codes(_args: dict) -> dict:
    """The GSO codes of every province in the database: An Giang's (89, 91)
    and the synthetic ones, for ``CAMPAIGN_PROVINCE_CODES``."""
    from units.models import Area

    codes = list(
        Area.objects.filter(kind="province")
        .order_by("key")
        .values_list("code", flat=True)
    )
    return {"codes": codes}


def step_national(_args: dict) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    timings = {}
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    timings["migrate"] = time.perf_counter() - started
    t = time.perf_counter()
    call_command("load_areas", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    timings["load_areas + load_reference_data"] = time.perf_counter() - t
    user = national_areas.bench_user()
    t = time.perf_counter()
    built = national_areas.build_national(random.Random(national_areas.SEED))
    timings["33 provinces: areas, ward police, committees"] = time.perf_counter() - t
    log(f"national areas: {built}")
    t = time.perf_counter()
    wards = national_areas.build_ward_assessments(
        user, random.Random(national_areas.SEED + 1)
    )
    timings["ward police assessments 2023–2027"] = time.perf_counter() - t
    log(f"ward police assessments: {wards}")
    provincial = add_provincial_committees()
    log(f"provincial committees: {provincial}")
    clock = Clock()
    rng = random.Random(SEED)
    t = time.perf_counter()
    registrations = build_registrations(user, rng, clock)
    timings["registrations and workflow steps"] = time.perf_counter() - t
    log(f"registrations: {registrations}")
    t = time.perf_counter()
    assessed = build_unit_assessments(user, rng, clock)
    timings["unit assessments, answers, steps"] = time.perf_counter() - t
    log(f"unit assessments: {assessed}")
    t = time.perf_counter()
    awards = build_awards(user, rng, clock)
    timings["recognitions, commendations, pledges, reviews"] = time.perf_counter() - t
    log(f"awards: {awards}")
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["ANALYZE"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started
    assert get_user_model().objects.filter(username=REQUESTER).exists()
    return {
        "build_seconds": timings,
        "areas": built,
        "ward_assessments": wards,
        "registrations": registrations,
        "unit_assessments": assessed,
        "awards": awards,
    }


def step_users(args: dict) -> dict:
    """``bench-staff`` and ``count`` batch requesters, provincial staff each."""
    from django.contrib.auth import get_user_model

    from campaign.committees.choices import MembershipRole
    from campaign.committees.models import Membership, SteeringCommittee

    national_areas.bench_user()
    province = SteeringCommittee.objects.get(
        level="province", valid_to__isnull=True, area__key__startswith="ag"
    )
    names = []
    for n in range(1, args.get("count", 0) + 1):
        username = f"{BATCH_USER_PREFIX}{n:02d}"
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(
            user=user,
            committee=province,
            defaults={"role": MembershipRole.PROVINCIAL_STAFF},
        )
        names.append(username)
    return {"requester": REQUESTER, "batch_users": names}


def step_figures(args: dict) -> dict:
    """What the data set holds, and what the report lists."""
    from campaign.assessments.models import (
        Answer,
        Assessment,
        Commendation,
        EmulationPledge,
        Recognition,
        Review,
    )
    from campaign.committees.access import SYSTEM
    from campaign.registrations.models import Registration, RegistrationTransition
    from reporting.phase_data import phase_report_data
    from units.choices import COMMUNE_LEVEL_KINDS
    from units.models import Area

    def in_force(day, kinds):
        return (
            Area.objects.filter(kind__in=kinds)
            .exclude(valid_from__gt=day)
            .exclude(valid_to__lte=day)
            .count()
        )

    from django.utils import timezone

    as_of = (
        timezone.localdate()
        if args["as_of"] == "today"
        else datetime.date.fromisoformat(args["as_of"])
    )
    data = phase_report_data(user=SYSTEM, phase_key=args["phase"], as_of=as_of)
    return {
        "provinces_2026": in_force(datetime.date(2026, 6, 30), ["province"]),
        "commune_level_2024": in_force(datetime.date(2024, 6, 30), COMMUNE_LEVEL_KINDS),
        "commune_level_2026": in_force(datetime.date(2026, 6, 30), COMMUNE_LEVEL_KINDS),
        "areas": Area.objects.count(),
        "registrations": Registration.objects.count(),
        "registration_years": sorted(
            set(Registration.objects.values_list("year", flat=True))
        ),
        "workflow_steps": RegistrationTransition.objects.count(),
        "assessments": Assessment.objects.count(),
        "answers": Answer.objects.count(),
        "recognitions": Recognition.objects.count(),
        "commendations": Commendation.objects.count(),
        "pledges": EmulationPledge.objects.count(),
        "reviews": Review.objects.count(),
        "report": {
            "registrations_in_phase": data.units_total,
            "units_listed": len(data.units),
            "units_cut": data.units_cut,
            "localities": len(data.localities),
            "recognitions": len(data.recognitions),
            "commendations": len(data.commendations),
            "pledges": len(data.pledges),
            # Every row, where the report stops its lists (LIST_LIMIT).
            "recognitions_total": getattr(
                data, "recognitions_total", len(data.recognitions)
            ),
            "commendations_total": getattr(
                data, "commendations_total", len(data.commendations)
            ),
            "pledges_total": getattr(data, "pledges_total", len(data.pledges)),
            "reviews": len(data.reviews),
            "ward_share_rows": len(data.ward_share),
            "quota_years": len(data.quota_years),
        },
    }


# --- The build benchmark: report_job_run vs render_pdf ---------------------------------


def step_build(args: dict) -> dict:
    """``runs`` fresh pending jobs of ``data`` for ``requester``: total
    ``report_job_run`` vs ``render_pdf`` on the same final HTML, alternating
    which goes first; GC time inside each call; the job's own time in
    ``render_pdf``; ``render_job_html`` time; optional cProfile."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from report_build import GcMeter, Timing

    from campaign.committees.access import SYSTEM
    from reporting import documents, services
    from reporting import pdf as pdf_module
    from reporting.choices import ReportStatus
    from reporting.kinds import get_kind
    from reporting.models import ReportJob
    from reporting.pdf import render_pdf

    user = get_user_model().objects.get(username=args["requester"])
    spec = get_kind(KIND)
    params = spec.clean(data=args["data"], user=user)
    key = services.params_key(kind=KIND, params=params)
    archival = params.get("archival", False)
    created: list[int] = []
    meter = GcMeter()
    collect = args.get("gc_collect", False)

    def new_job() -> ReportJob:
        # What services.report_request records, without sending a message.
        job = ReportJob.objects.create(
            kind=KIND,
            params=params,
            params_key=key,
            scope_committee_id=params.get("scope"),
            requested_by=user,
            enqueued_at=timezone.now(),
        )
        created.append(job.pk)
        return job

    def timed(call):
        if collect:
            gc.collect()
        gc0, gen2_0 = meter.total, meter.gen2
        cpu0, t0 = time.process_time(), time.perf_counter()
        value = call()
        t1, cpu1 = time.perf_counter(), time.process_time()
        return Timing(
            t1 - t0, cpu1 - cpu0, meter.total - gc0, meter.gen2 - gen2_0
        ), value

    def timed_total(job):
        inner: list[float] = []

        def render_pdf_timed(html, **kwargs):
            t0 = time.perf_counter()
            try:
                return render_pdf(html, **kwargs)
            finally:
                inner.append(time.perf_counter() - t0)

        pdf_module.render_pdf = render_pdf_timed
        try:
            timing, done = timed(lambda: services.report_job_run(job_id=job.pk))
        finally:
            pdf_module.render_pdf = render_pdf
        if done is None or done.status != ReportStatus.DONE:
            raise RuntimeError(f"job {job.pk} did not finish: {done and done.error}")
        timing.inner_pdf = sum(inner)
        return timing, done

    def timed_alone(html: str):
        return timed(lambda: render_pdf(html, archival=archival))

    try:
        # Warm-up: the HTML timed alone must be the job's own, and the same
        # as the system (whole province) would get.
        job = new_job()
        captured: list[str] = []
        original = documents.render_job_html

        def capturing(job_, user_):
            html_ = original(job_, user_)
            captured.append(html_)
            return html_

        documents.render_job_html = capturing
        try:
            _timing, warm = timed_total(job)
        finally:
            documents.render_job_html = original
        html = documents.render_job_html(job, user)
        if captured != [html]:
            raise RuntimeError("the HTML timed alone differs from the job's own")
        as_system = documents.render_job_html(job, SYSTEM) == html
        timed_alone(html)

        totals, alones, htmls, pdf_sizes = [], [], [], []
        for run in range(args["runs"]):
            job = new_job()
            t0 = time.perf_counter()
            html = documents.render_job_html(job, user)
            htmls.append(time.perf_counter() - t0)
            if run % 2 == 0:
                total, done = timed_total(job)
                alone, pdf = timed_alone(html)
            else:
                alone, pdf = timed_alone(html)
                total, done = timed_total(job)
            totals.append(total)
            alones.append(alone)
            pdf_sizes.append((done.file_size, len(pdf)))
            log(
                f"  {args['label']} run {run + 1}/{args['runs']}: total "
                f"{total.wall * 1000:.0f} ms (in render_pdf {total.inner_pdf * 1000:.0f}, "
                f"gc {total.gc * 1000:.0f}), alone {alone.wall * 1000:.0f} ms "
                f"(gc {alone.gc * 1000:.0f})"
            )
        profile = (
            _profile(args.get("profile", 0), new_job) if args.get("profile") else ""
        )
        pages = _pages(pdf)
    finally:
        from _common import delete_jobs

        deleted = delete_jobs(created)
    return {
        "label": args["label"],
        "data": args["data"],
        "requester": args["requester"],
        "same_html_as_system": as_system,
        "html_chars": len(html),
        "pdf_bytes": pdf_sizes[-1][0],
        "pdf_bytes_alone": pdf_sizes[-1][1],
        "pages": pages,
        "warm_total_s": _timing.wall,
        "totals": [t.__dict__ for t in totals],
        "alones": [a.__dict__ for a in alones],
        "render_html_s": htmls,
        "profile": profile,
        "deleted_jobs": deleted,
        "database": _database(),
    }


def _pages(pdf: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _database() -> str:
    from django.db import connection

    return f"{connection.vendor} {connection.settings_dict['NAME']}"


def _profile(count: int, new_job) -> str:
    """cProfile over ``count`` job runs: top functions by cumulative and by
    own time."""
    import cProfile
    import io
    import pstats

    from reporting import services

    profiler = cProfile.Profile()
    for _ in range(count):
        job = new_job()
        profiler.enable()
        services.report_job_run(job_id=job.pk)
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    return out.getvalue()


# --- Where the memory goes -------------------------------------------------------------


def _vm_kib() -> dict[str, int]:
    values = {}
    with open("/proc/self/status") as handle:
        for line in handle:
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                values[key] = int(rest.split()[0])
    return values


def step_pdf_memory(args: dict) -> dict:
    """Peak RSS (VmHWM) of this fresh process rendering the report: after
    importing WeasyPrint, after the context and template
    (``render_job_html``), after ``render_pdf`` of the final HTML — or of the
    HTML without the table(s) of class ``data <variant>`` — so that the
    difference to the full document is what those rows cost."""
    import io
    import re

    import weasyprint  # noqa: F401 - imported before the baseline, as a worker has it
    from django.contrib.auth import get_user_model
    from pypdf import PdfReader

    from reporting import documents
    from reporting.kinds import get_kind
    from reporting.models import ReportJob
    from reporting.pdf import render_pdf

    user = get_user_model().objects.get(username=args["requester"])
    params = get_kind(KIND).clean(data=args["data"], user=user)
    job = ReportJob(kind=KIND, params=params)
    before = _vm_kib()
    html = documents.render_job_html(job, user)
    after_html = _vm_kib()
    removed_rows = 0
    variant = args["variant"]
    if variant != "full":
        pattern = re.compile(rf'<table class="data {variant}".*?</table>', re.S)
        removed_rows = sum(m.group(0).count("<tr") for m in pattern.finditer(html))
        html = pattern.sub("", html)
    started = time.perf_counter()
    pdf = render_pdf(html, archival=params.get("archival", False))
    seconds = time.perf_counter() - started
    return {
        "variant": variant,
        "removed_rows": removed_rows,
        "tables": dict(Counter(re.findall(r'<table class="data (\w+)"', html))),
        "rows_left": html.count("<tr"),
        "before_kib": before,
        "after_html_kib": after_html,
        "end_kib": _vm_kib(),
        "render_s": seconds,
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "pdf_bytes": len(pdf),
    }


def step_pdf_tracemalloc(args: dict) -> dict:
    """What is alive once WeasyPrint has laid the document out (``render()``,
    before ``write_pdf``: the moment of the peak), by the file and line that
    allocated it (``tracemalloc``: Python objects only; the RSS is not
    comparable here, tracemalloc's own records inflate it)."""
    import tracemalloc

    from django.contrib.auth import get_user_model
    from weasyprint import HTML

    from reporting import documents
    from reporting.kinds import get_kind
    from reporting.models import ReportJob
    from reporting.pdf import StaticOnlyURLFetcher, static_base_url

    user = get_user_model().objects.get(username=args["requester"])
    params = get_kind(KIND).clean(data=args["data"], user=user)
    html = documents.render_job_html(ReportJob(kind=KIND, params=params), user)
    gc.collect()
    tracemalloc.start(args.get("frames", 1))
    document = HTML(
        string=html, base_url=static_base_url(), url_fetcher=StaticOnlyURLFetcher()
    ).render()
    snapshot = tracemalloc.take_snapshot()
    traced, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    import sysconfig

    root = sysconfig.get_paths()["purelib"] + "/"
    by_file = []
    for stat in snapshot.statistics("filename")[: args.get("top", 15)]:
        name = stat.traceback[0].filename.replace(root, "")
        by_file.append({"file": name, "kib": stat.size / 1024, "count": stat.count})
    by_line = []
    for stat in snapshot.statistics("lineno")[: args.get("top", 15)]:
        frame = stat.traceback[0]
        by_line.append(
            {
                "where": f"{frame.filename.replace(root, '')}:{frame.lineno}",
                "kib": stat.size / 1024,
                "count": stat.count,
            }
        )
    return {
        "pages": len(document.pages),
        "traced_kib": traced / 1024,
        "traced_peak_kib": peak / 1024,
        "by_file": by_file,
        "by_line": by_line,
    }


# --- The dashboard -------------------------------------------------------------------------


def _client(username: str):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    client.session_user = user
    return client


def step_probe(args: dict) -> dict:
    client = _client(args["user"])
    found = {}
    for name, path in args["paths"].items():
        try:
            response = client.get(path)
            found[name] = {
                "status": response.status_code,
                "bytes": len(response.content),
                "error": "",
            }
        except Exception as error:  # noqa: BLE001 - reported, not handled
            found[name] = {
                "status": None,
                "bytes": 0,
                "error": f"{type(error).__name__}: {error}"[:300],
            }
    return found


def _clear_cache() -> None:
    from django.core.cache import cache

    cache.clear()


def step_dashboard_queries(args: dict) -> dict:
    """Queries of each page as it is asked: ``cold`` (the cache emptied just
    before: the figures are counted), ``warm`` (asked a second time: the
    figures come from the cache) and ``stale`` (a change recorded since: the
    kept figures shown, the refresh sent to the broker)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(args["user"])
    counts = {}
    for name, path in args["paths"].items():
        client.get(path)  # first request of this client
        for mode in ("cold", "warm", "stale"):
            if mode == "cold":
                _clear_cache()
            elif mode == "stale":
                _make_stale(client.session_user, path)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            timed = sorted(
                ((float(q["time"]), q["sql"]) for q in captured), reverse=True
            )
            counts[f"{name}:{mode}"] = {
                "status": response.status_code,
                "bytes": len(response.content),
                "queries": len(captured),
                "sql_seconds": sum(t for t, _sql in timed),
                "slowest": [{"s": t, "sql": sql[:500]} for t, sql in timed[:5]],
                "sql": [q["sql"] for q in captured],
            }
    return counts


def step_dashboard_profile(args: dict) -> dict:
    """cProfile over ``count`` requests of ``path`` with the cache emptied
    before each (the figures counted every time)."""
    import cProfile
    import io
    import pstats

    client = _client(args["user"])
    for _ in range(3):
        client.get(args["path"])
    profiler = cProfile.Profile()
    for _ in range(args["count"]):
        _clear_cache()
        profiler.enable()
        response = client.get(args["path"])
        profiler.disable()
        assert response.status_code == 200, response.status_code
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(20)
    return {"path": args["path"], "count": args["count"], "profile": out.getvalue()}


def _backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _proc_cpu(pid: int | None) -> float:
    """CPU time of a local process (the PostgreSQL backend serving this
    connection), seconds: ``/proc/<pid>/schedstat`` (the scheduler's own
    nanoseconds on the CPU), or utime + stime (10 ms ticks) without it."""
    if pid is None:
        return 0.0
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        pass
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _params(path: str):
    from django.http import QueryDict

    return QueryDict(path.partition("?")[2])


def _make_stale(user, path: str) -> None:
    """A change recorded since the page's parts were kept (an entry of the
    audit trail, as every service writes), and no refresh asked for yet: the
    request shows the kept parts marked stale and sends the refresh to the
    broker (nobody consumes it here; the queue is emptied at the end)."""
    from django.utils import translation

    from campaign.committees.choices import AuditAction
    from campaign.committees.models import AuditEntry
    from reporting.dashboard_cache import refresh_release
    from reporting.dashboard_page import refresh_key_parts

    AuditEntry.objects.create(
        action=AuditAction.REPORT_TEXTS_SAVED, object_label="bench", search_text="bench"
    )
    with translation.override("vi"):
        refresh_release(refresh_key_parts(user, _params(path)))


def _make_current(user, path: str) -> None:
    """The page's parts kept and current (counted again, as the worker does,
    when a change made them stale)."""
    from django.utils import translation

    from reporting.dashboard_page import dashboard_page

    with translation.override("vi"):
        if dashboard_page(user=user, params=_params(path)).stale:
            dashboard_page(user=user, params=_params(path), force=True)


def step_dashboard_time(args: dict) -> dict:
    """R rounds × N requests per case, the order rotating each round: wall
    time, CPU time of this process and (PostgreSQL) of the database backend
    serving it, per request; medians per round. Before each request, outside
    the timing: ``name:cold`` empties the cache (the figures are counted in
    the request); ``name:stale`` records a change (the kept figures are shown
    marked stale and the refresh is sent to the broker); ``name:warm`` makes
    sure the kept figures are current."""
    from django.db import connection

    client = _client(args["user"])
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
        )
    cases = args["cases"]

    user = client.session_user  # set by _client

    def run(case: str) -> tuple[float, float]:
        # Outside the timing: the state the case names.
        if case.endswith(":cold"):
            _clear_cache()
        elif case.endswith(":stale"):
            _make_stale(user, cases[case])
        elif case.endswith(":warm"):
            _make_current(user, cases[case])
        c0, w0 = time.process_time(), time.perf_counter()
        response = client.get(cases[case])
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        if response.status_code != 200:
            raise RuntimeError(f"{cases[case]}: {response.status_code}")
        return wall, cpu

    backend = _backend_pid()
    for case in cases:  # warm-up
        for _ in range(3):
            run(case)
    names = list(cases)
    rounds = {
        name: {"wall": [], "cpu": [], "db_cpu": [], "db_cpu_total": [], "n": []}
        for name in names
    }
    for i in range(args["rounds"]):
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            walls, cpus = [], []
            db0 = _proc_cpu(backend)
            for _ in range(args["requests"]):
                wall, cpu = run(name)
                walls.append(wall)
                cpus.append(cpu)
            rounds[name]["wall"].append(statistics.median(walls))
            rounds[name]["cpu"].append(statistics.median(cpus))
            db_total = _proc_cpu(backend) - db0
            rounds[name]["db_cpu"].append(db_total / args["requests"])
            rounds[name]["db_cpu_total"].append(db_total)
            rounds[name]["n"].append(args["requests"])
        log(f"round {i + 1}/{args['rounds']} done")
    return {"rounds": rounds, "backend_pid": backend, "database": _database()}


STEPS = {
    "national": step_national,
    "users": step_users,
    "province_codes": step_province_codes,
    "figures": step_figures,
    "build": step_build,
    "pdf_memory": step_pdf_memory,
    "pdf_tracemalloc": step_pdf_tracemalloc,
    "probe": step_probe,
    "dashboard_queries": step_dashboard_queries,
    "dashboard_time": step_dashboard_time,
    "dashboard_profile": step_dashboard_profile,
}


def main() -> None:
    step = sys.argv[1]
    args = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    setup()
    answer(STEPS[step](args))


if __name__ == "__main__":
    main()
