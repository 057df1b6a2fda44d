"""Child process of ``bench/assessments.py``: one step of the benchmark in a
fresh Python process, so that a page another engineer finishes while the
benchmark waits is imported as it now is.

    python bench/_assessments_child.py STEP [JSON ARGUMENTS]

Steps: ``build`` (the data and the engine's query counts), ``probe`` (the
status of the pages), ``detail`` (the assessment page's query counts),
``time`` (the progress page's query counts, then the interleaved timings).
The environment (database, media directory, ``bench.settings_bench``) is set
by the parent. Progress goes to stderr; the answer is the last line of
stdout, one JSON object.
"""

# The raw SQL below (``scaled``) is made of the models' quoted table and
# column names and of this module's constants; nothing comes from outside.
# ruff: noqa: S608

from __future__ import annotations

import datetime
import io
import json
import random
import statistics
import sys
import time
import uuid
import warnings
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

SEED = 138
YEARS = (2023, 2024, 2025, 2026, 2027)
AS_OF = datetime.date(2027, 12, 31)  # five years of the plan's phases
REFORM = datetime.date(2025, 7, 1)  # the district level ends; new commune-level units
OLD_MERGE = datetime.date(2025, 1, 1)  # wards merged into a neighbour
UPGRADE = datetime.date(2024, 1, 1)  # communes of a city become wards
NEW_MERGE = datetime.date(2027, 1, 1)  # pairs of wards merged into a new ward

# The synthetic rest of the country, per era (in force on any day): with An
# Giang's 156 units and 28 wards before the reform, 102 and 14 after, the
# country has about 3,300 commune-level units of which about 700 are wards.
NATIONAL_PREFIX = "vn"
OTHER_PROVINCES = 33
OTHER_UNITS = 3198
OTHER_WARDS = 686
OTHER_TOWNSHIPS = 330  # before the reform
OTHER_SPECIAL_ZONES = 10  # after it
# Share of the ward police meeting every criterion, by year; the others miss
# one to three required criteria.
MEETS_ALL = {2023: 0.5, 2024: 0.6, 2025: 0.7, 2026: 0.8, 2027: 0.85}

DETAIL_CASES = ("submitted", "accepted")
BARE_PATH = "/bench/bare/"
PROGRESS_PATH = "/progress/"
# The progress page as it opens (today's phase, 2026–2030, on today) and the
# first phase's (every city and town of 2023–2025, on today).
PAGES = {"page": PROGRESS_PATH, "page_2023": f"{PROGRESS_PATH}?phase=2023-2025"}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def answer(payload: dict) -> None:
    print(json.dumps(payload, default=str), flush=True)


def setup() -> None:
    # WhiteNoise warns that STATIC_ROOT does not exist (collectstatic not run).
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()
    from django.conf import settings

    # DEBUG is off and collectstatic has not run: the plain storage finds the
    # static files (as bench/_form_child.py does).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


# --- Helpers ------------------------------------------------------------------------


def _aware(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, 2, tzinfo=datetime.UTC)


def _allocate(total: int, n: int, rng: random.Random, minimum: int) -> list[int]:
    """``total`` split into ``n`` parts of at least ``minimum`` (log-normal
    weights, largest remainder): big and small provinces."""
    weights = [rng.lognormvariate(0, 0.6) for _ in range(n)]
    spare = total - minimum * n
    raw = [w / sum(weights) * spare for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(n), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: spare - sum(counts)]:
        counts[i] += 1
    return [c + minimum for c in counts]


def bench_user():
    """The provincial staff member every page is asked as (a membership of
    today's provincial committee, as real staff have)."""
    from django.contrib.auth import get_user_model

    from campaign.committees.choices import MembershipRole
    from campaign.committees.models import Membership, SteeringCommittee

    user, created = get_user_model().objects.get_or_create(
        username="bench-staff", defaults={"first_name": "Bench", "is_staff": True}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        Membership.objects.create(
            user=user,
            committee=SteeringCommittee.objects.get(
                level="province", valid_to__isnull=True
            ),
            role=MembershipRole.PROVINCIAL_STAFF,
        )
    return user


def logged_in_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


# --- Building the data --------------------------------------------------------------


def build_national(rng: random.Random) -> dict:
    """33 synthetic provinces: before the reform, cities and towns with their
    wards (a few merged on 01/01/2025, a few upgraded from communes on
    01/01/2024) and districts with communes and townships, all ending on
    01/07/2025; from then, wards, communes and special zones directly under
    the province (a few pairs of wards merged on 01/01/2027). Every ward has
    its ward police; every district-level unit of the old era and every
    commune-level unit of the new one has its committee. ``bulk_create``."""
    from campaign.committees.choices import CommitteeLevel
    from campaign.committees.models import SteeringCommittee
    from campaign.committees.services.committees import committee_names_for
    from units.choices import AREA_KIND_PREFIX, AreaKind
    from units.models import Area, AreaSuccession, WardPolice
    from units.text import fold

    units = _allocate(OTHER_UNITS, OTHER_PROVINCES, rng, minimum=50)
    wards = _allocate(OTHER_WARDS, OTHER_PROVINCES, rng, minimum=6)
    townships = _allocate(OTHER_TOWNSHIPS, OTHER_PROVINCES, rng, minimum=3)
    zones = Counter(rng.sample(range(OTHER_PROVINCES), OTHER_SPECIAL_ZONES))
    codes = iter(range(40000, 100000))

    rows: list[dict] = []  # in parent-first order
    successions: list[tuple[str, str, datetime.date]] = []

    def area(key, name, kind, parent, valid_from=None, valid_to=None):
        rows.append(
            {
                "key": key,
                "code": str(next(codes)),
                "name": name,
                "kind": kind,
                "parent": parent,
                "valid_from": valid_from,
                "valid_to": valid_to,
            }
        )
        return key

    for p in range(OTHER_PROVINCES):
        pk = f"{NATIONAL_PREFIX}{p + 1:02d}"
        tag = f"{p + 1:02d}"
        area(pk, f"Mẫu {tag}", AreaKind.PROVINCE, None)
        w, total = wards[p], units[p]
        # Before the reform: cities and towns, districts.
        n_cities = 1 + (w >= 15) + (w >= 30) + (w >= 45)
        city_wards = _allocate(w, n_cities, rng, minimum=3)
        upgraded = max(0, round(w * 0.04))
        rest = total - w - townships[p] - 2 * n_cities  # communes of districts
        for c in range(n_cities):
            ck = area(
                f"{pk}-c{c + 1}",
                f"Mẫu {tag}.{c + 1}",
                AreaKind.CITY if c == 0 else AreaKind.TOWN,
                pk,
                valid_to=REFORM,
            )
            names = [f"{n + 1:02d} Mẫu {tag}.{c + 1}" for n in range(city_wards[c])]
            merged = rng.sample(range(1, len(names)), k=round(len(names) * 0.06))
            for n, name in enumerate(names):
                key = f"{ck}-w{n + 1:02d}"
                if upgraded and c == 0 and n >= len(names) - upgraded:
                    # A commune of the city became this ward on 01/01/2024.
                    before = area(
                        f"{ck}-u{n + 1:02d}",
                        name,
                        AreaKind.COMMUNE,
                        ck,
                        valid_to=UPGRADE,
                    )
                    area(key, name, AreaKind.WARD, ck, UPGRADE, REFORM)
                    successions.append((before, key, UPGRADE))
                elif n in merged:
                    area(key, name, AreaKind.WARD, ck, valid_to=OLD_MERGE)
                    successions.append((key, f"{ck}-w{n:02d}", OLD_MERGE))
                else:
                    area(key, name, AreaKind.WARD, ck, valid_to=REFORM)
            for n in range(2):
                area(
                    f"{ck}-x{n + 1}",
                    f"Ven {tag}.{c + 1}.{n + 1}",
                    AreaKind.COMMUNE,
                    ck,
                    valid_to=REFORM,
                )
        n_districts = max(3, round((rest + townships[p]) / 25))
        kinds = [AreaKind.TOWNSHIP] * townships[p] + [AreaKind.COMMUNE] * rest
        rng.shuffle(kinds)
        for d in range(n_districts):
            dk = area(
                f"{pk}-d{d + 1}",
                f"Mẫu {tag}.{n_cities + d + 1}",
                AreaKind.DISTRICT,
                pk,
                valid_to=REFORM,
            )
            for n, kind in enumerate(kinds[d::n_districts]):
                area(
                    f"{dk}-x{n + 1:02d}",
                    f"Làng {tag}.{d + 1}.{n + 1}",
                    kind,
                    dk,
                    valid_to=REFORM,
                )
        # From the reform: wards, communes, special zones under the province.
        pairs = round(w * 0.04)
        for n in range(w):
            key = f"{pk}-nw{n + 1:03d}"
            name = f"Mới {n + 1:02d} Mẫu {tag}"
            if n < 2 * pairs:
                area(key, name, AreaKind.WARD, pk, REFORM, NEW_MERGE)
                merged_key = f"{pk}-nm{n // 2 + 1:02d}"
                if n % 2 == 0:
                    area(
                        merged_key,
                        f"Hợp {n // 2 + 1:02d} Mẫu {tag}",
                        AreaKind.WARD,
                        pk,
                        NEW_MERGE,
                    )
                successions.append((key, merged_key, NEW_MERGE))
            else:
                area(key, name, AreaKind.WARD, pk, REFORM)
            # Each ward of the old era went into a ward of the new one.
        old_wards = [r["key"] for r in rows if r["key"].startswith(f"{pk}-c")]
        old_wards = [k for k in old_wards if "-w" in k]
        for i, key in enumerate(old_wards):
            successions.append((key, f"{pk}-nw{i % w + 1:03d}", REFORM))
        for n in range(zones[p]):
            area(
                f"{pk}-nz{n + 1}",
                f"Đảo {tag}.{n + 1}",
                AreaKind.SPECIAL_ZONE,
                pk,
                REFORM,
            )
        for n in range(total - w - zones[p]):
            area(
                f"{pk}-nx{n + 1:03d}",
                f"Xã mới {n + 1:03d} Mẫu {tag}",
                AreaKind.COMMUNE,
                pk,
                REFORM,
            )

    ids: dict[str, int] = {}
    for level in ("province", "district", "commune"):
        batch = []
        for row in rows:
            kind = row["kind"]
            row_level = (
                "province"
                if kind == AreaKind.PROVINCE
                else "district"
                if kind in (AreaKind.CITY, AreaKind.TOWN, AreaKind.DISTRICT)
                else "commune"
            )
            if row_level != level:
                continue
            full = f"{AREA_KIND_PREFIX[AreaKind(kind)]} {row['name']}"
            batch.append(
                Area(
                    key=row["key"],
                    code=row["code"],
                    name=row["name"],
                    kind=kind,
                    parent_id=ids[row["parent"]] if row["parent"] else None,
                    valid_from=row["valid_from"],
                    valid_to=row["valid_to"],
                    search_name=fold(full),
                )
            )
        Area.objects.bulk_create(batch, batch_size=2000)
        ids.update(
            Area.objects.filter(key__startswith=NATIONAL_PREFIX).values_list(
                "key", "pk"
            )
        )
    AreaSuccession.objects.bulk_create(
        (
            AreaSuccession(
                predecessor_id=ids[a],
                successor_id=ids[b],
                date=day,
                note="Sắp xếp đơn vị hành chính (dữ liệu tổng hợp cho benchmark).",
            )
            for a, b, day in successions
        ),
        batch_size=2000,
    )
    national = list(Area.objects.filter(key__startswith=NATIONAL_PREFIX))
    WardPolice.objects.bulk_create(
        (
            WardPolice(
                area=a,
                name=f"Công an phường {a.name}",
                search_name=fold(f"Công an phường {a.name}"),
            )
            for a in national
            if a.kind == AreaKind.WARD
        ),
        batch_size=2000,
    )
    committees = []
    for a in national:
        if a.kind in (AreaKind.CITY, AreaKind.TOWN, AreaKind.DISTRICT):
            level, start, end = (
                CommitteeLevel.DISTRICT,
                datetime.date(2023, 1, 1),
                REFORM,
            )
        elif a.kind != AreaKind.PROVINCE and (a.valid_from or OLD_MERGE) >= REFORM:
            level, start, end = CommitteeLevel.COMMUNE, a.valid_from, a.valid_to
        else:
            continue
        name, short_name = committee_names_for(a)
        committees.append(
            SteeringCommittee(
                level=level,
                area=a,
                name=name,
                short_name=short_name,
                standing_office="Công an "
                + short_name.removeprefix("Ban Chỉ đạo 138 "),
                valid_from=start,
                valid_to=end,
            )
        )
    SteeringCommittee.objects.bulk_create(committees, batch_size=2000)
    return {
        "areas": len(rows),
        "successions": len(successions),
        "committees": len(committees),
    }


def build_ward_assessments(user, rng: random.Random) -> dict:
    """For every ward police and every year it stood in (2023–2025 for the
    wards of before the reform, 2026–2027 for those after it): an accepted
    assessment with its 22 answers, verified; most meet every criterion
    (``MEETS_ALL``), the others miss one to three required criteria."""
    from campaign.assessments.choices import AssessmentStatus, CriteriaSubject
    from campaign.assessments.models import Answer, Assessment, Criterion
    from campaign.assessments.selectors.assessments import unit_day
    from campaign.assessments.selectors.criteria import criteria_set_current
    from campaign.committees.choices import CommitteeLevel
    from campaign.committees.models import SteeringCommittee
    from units.models import WardPolice
    from units.text import fold

    criteria_set = criteria_set_current(CriteriaSubject.WARD_POLICE)
    criteria = list(
        Criterion.objects.filter(group__criteria_set=criteria_set)
        .order_by("group__position", "position")
        .values_list("pk", "required")
    )
    required = [pk for pk, needed in criteria if needed]
    by_area = defaultdict(list)
    province_committees = []
    for committee in SteeringCommittee.objects.all():
        by_area[committee.area_id].append(committee)
        if committee.level == CommitteeLevel.PROVINCE:
            province_committees.append(committee)

    def committee_for(area, day):
        for area_id in (area.pk, area.parent_id):
            for committee in by_area.get(area_id, []):
                if committee.is_valid_on(day):
                    return committee
        return next(c for c in province_committees if c.is_valid_on(day))

    made = []
    unmet: dict[int, set[int]] = {}
    ward_police = WardPolice.objects.select_related("area").order_by("area__key")
    for wp in ward_police:
        old_era = wp.area.valid_to is not None and wp.area.valid_to <= REFORM
        for year in YEARS:
            if (year <= 2025) != old_era:
                continue
            day = unit_day(wp.area, year)
            if day is None:
                continue
            submitted = _aware(datetime.date(year, 10, 1 + rng.randrange(28)))
            decided = submitted + datetime.timedelta(days=1 + rng.randrange(20))
            assessment = Assessment(
                ward_police=wp,
                year=year,
                criteria_set=criteria_set,
                committee=committee_for(wp.area, day),
                unit_name=wp.name,
                search_name=fold(wp.name),
                status=AssessmentStatus.ACCEPTED,
                created_by=user,
                updated_by=user,
                submitted_at=submitted,
                decided_at=decided,
            )
            made.append(assessment)
            if rng.random() >= MEETS_ALL[year]:
                unmet[len(made) - 1] = set(rng.sample(required, k=rng.randint(1, 3)))
    Assessment.objects.bulk_create(made, batch_size=2000)
    answers = [
        Answer(
            assessment=assessment,
            criterion_id=criterion_id,
            met=criterion_id not in unmet.get(index, ()),
            verified_by=user,
            verified_at=assessment.decided_at,
        )
        for index, assessment in enumerate(made)
        for criterion_id, _required in criteria
    ]
    Answer.objects.bulk_create(answers, batch_size=5000)
    return {
        "assessments": len(made),
        "answers": len(answers),
        "meeting_all": len(made) - len(unmet),
        "criteria_per_assessment": len(criteria),
    }


def small_pdf(text: str) -> bytes:
    """A one-page PDF (pypdf, already a dependency)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def build_detail_assessments(user) -> dict:
    """Four assessments of An Giang communes for 2023 against the commune-level
    set (34 criteria), every criterion answered: submitted and accepted, each
    with no evidence and with two PDF files on every criterion (68)."""
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    from campaign import uploads
    from campaign.assessments.choices import AssessmentStatus, CriteriaSubject
    from campaign.assessments.models import (
        Answer,
        Assessment,
        AssessmentTransition,
        Criterion,
        Evidence,
    )
    from campaign.assessments.selectors.criteria import criteria_set_current
    from campaign.committees.models import SteeringCommittee
    from campaign.planning.selectors.periods import exemplary_programme
    from campaign.registrations.choices import RegistrationStatus
    from campaign.registrations.models import Registration
    from units.models import Area
    from units.text import fold

    criteria_set = criteria_set_current(CriteriaSubject.COMMUNE_LEVEL)
    criteria = list(
        Criterion.objects.filter(group__criteria_set=criteria_set).order_by(
            "group__position", "position"
        )
    )
    programme = exemplary_programme()
    phase = programme.plan.phases.get(start_year=2023)
    communes = list(
        Area.objects.filter(
            key__startswith="ag89-", kind="commune", valid_from__isnull=True
        )
        .exclude(valid_to__lt=datetime.date(2024, 1, 1))
        .select_related("parent")
        .order_by("key")[:4]
    )
    pdf = small_pdf("Minh chứng")
    uploads.check_upload(
        SimpleUploadedFile("minh-chung.pdf", pdf, "application/pdf"),
        allowed=uploads.EVIDENCE_KINDS,
    )  # a real PDF, as an upload is checked
    ids: dict[str, int] = {}
    stored = 0
    cases = [(s, n) for s in DETAIL_CASES for n in (0, 2)]
    for (status, per_answer), commune in zip(cases, communes, strict=True):
        committee = SteeringCommittee.objects.get(
            area=commune.parent, valid_from__lte=datetime.date(2023, 6, 30)
        )
        registration = Registration.objects.create(
            committee=committee,
            area=commune,
            unit_kind="commune",
            unit_name=commune.full_name,
            search_name=fold(commune.full_name),
            programme=programme,
            phase=phase,
            year=2023,
            contact_name="Nguyễn Văn Tư",
            contact_phone="0296 3852 124",
            plan_summary="Kế hoạch xây dựng điển hình.",
            status=RegistrationStatus.APPROVED,
            created_by=user,
            updated_by=user,
        )
        accepted = status == "accepted"
        now = _aware(datetime.date(2023, 11, 20))
        assessment = Assessment.objects.create(
            registration=registration,
            year=2023,
            criteria_set=criteria_set,
            committee=committee,
            unit_name=registration.unit_name,
            search_name=registration.search_name,
            status=AssessmentStatus.ACCEPTED
            if accepted
            else AssessmentStatus.SUBMITTED,
            created_by=user,
            updated_by=user,
            submitted_at=now,
            decided_at=now if accepted else None,
        )
        steps = [
            ("", AssessmentStatus.DRAFT),
            (AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED),
        ]
        if accepted:
            steps.append((AssessmentStatus.SUBMITTED, AssessmentStatus.ACCEPTED))
        AssessmentTransition.objects.bulk_create(
            AssessmentTransition(
                assessment=assessment, from_status=a, to_status=b, actor=user
            )
            for a, b in steps
        )
        answers = Answer.objects.bulk_create(
            Answer(
                assessment=assessment,
                criterion=criterion,
                met=True,
                note="Đã thực hiện; có biên bản và hình ảnh kèm theo.",
                verified_by=user if accepted else None,
                verified_at=now if accepted else None,
            )
            for criterion in criteria
        )
        evidence = []
        for answer_row in answers:
            for n in range(per_answer):
                name = default_storage.save(
                    f"evidence/{uuid.uuid4().hex}.pdf", io.BytesIO(pdf)
                )
                stored += 1
                evidence.append(
                    Evidence(
                        answer=answer_row,
                        file=name,
                        file_name=f"minh-chung-{answer_row.criterion.code}-{n + 1}.pdf",
                        file_size=len(pdf),
                        uploaded_by=user,
                    )
                )
        Evidence.objects.bulk_create(evidence)
        ids[f"{status}_{per_answer * len(criteria)}"] = assessment.pk
    return {
        "assessments": ids,
        "criteria": len(criteria),
        "evidence_files": stored,
        "pdf_bytes": len(pdf),
    }


# --- Scale: the national data and the later years removed, then rolled back --------


def _national_and_years_sql(remove_national: bool, one_year: bool) -> list[str]:
    from django.db import connection

    from campaign.assessments.models import (
        Answer,
        Assessment,
        AssessmentTransition,
        Evidence,
        Recognition,
    )
    from campaign.committees.models import SteeringCommittee
    from units.models import Area, AreaSuccession, WardPolice

    q = connection.ops.quote_name

    def table(model):
        return q(model._meta.db_table)

    statements = []
    targets: list[str] = []
    national = f"SUBSTR({q('key')}, 1, {len(NATIONAL_PREFIX)}) = '{NATIONAL_PREFIX}'"
    areas = f"SELECT {q('id')} FROM {table(Area)} WHERE {national}"
    if remove_national:
        police = f"SELECT {q('id')} FROM {table(WardPolice)} WHERE {q('area_id')} IN ({areas})"
        targets.append(
            f"SELECT {q('id')} FROM {table(Assessment)} "
            f"WHERE {q('ward_police_id')} IN ({police})"
        )
    if one_year:
        targets.append(
            f"SELECT {q('id')} FROM {table(Assessment)} WHERE {q('year')} > {YEARS[0]}"
        )
    for chosen in targets:
        answers = f"SELECT {q('id')} FROM {table(Answer)} WHERE {q('assessment_id')} IN ({chosen})"
        statements += [
            f"DELETE FROM {table(Evidence)} WHERE {q('answer_id')} IN ({answers})",
            f"DELETE FROM {table(Answer)} WHERE {q('assessment_id')} IN ({chosen})",
            f"DELETE FROM {table(AssessmentTransition)} WHERE {q('assessment_id')} IN ({chosen})",
            f"DELETE FROM {table(Recognition)} WHERE {q('assessment_id')} IN ({chosen})",
            f"DELETE FROM {table(Assessment)} WHERE {q('id')} IN ({chosen})",
        ]
    if remove_national:
        statements += [
            f"DELETE FROM {table(WardPolice)} WHERE {q('area_id')} IN ({areas})",
            f"DELETE FROM {table(AreaSuccession)} WHERE {q('predecessor_id')} IN ({areas}) "
            f"OR {q('successor_id')} IN ({areas})",
            f"DELETE FROM {table(SteeringCommittee)} WHERE {q('area_id')} IN ({areas})",
        ]
        for kinds in (
            ("ward", "commune", "township", "special_zone"),
            ("city", "town", "district"),
            ("province",),
        ):
            listed = ", ".join(f"'{k}'" for k in kinds)
            statements.append(
                f"DELETE FROM {table(Area)} WHERE {national} "
                f"AND {q('kind')} IN ({listed})"
            )
    return statements


@contextmanager
def scaled(*, national: bool, years: int):
    """The data as it would be without the 33 other provinces (``national``
    false) and/or with only the first year's assessments (``years`` 1),
    inside a transaction that is rolled back afterwards."""
    from django.db import connection, transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            for statement in _national_and_years_sql(not national, years == 1):
                cursor.execute(statement)
        yield
        transaction.set_rollback(True)


SCALES = (
    ("An Giang only", False, 1),
    ("An Giang only", False, 5),
    ("national", True, 1),
    ("national", True, 5),
)


def data_figures() -> dict:
    from campaign.assessments.models import Answer, Assessment
    from units.choices import COMMUNE_LEVEL_KINDS
    from units.models import Area, WardPolice

    def in_force(day, kinds):
        return (
            Area.objects.filter(kind__in=kinds)
            .exclude(valid_from__gt=day)
            .exclude(valid_to__lte=day)
            .count()
        )

    return {
        "areas": Area.objects.count(),
        "ward_police": WardPolice.objects.count(),
        "ward_assessments": Assessment.objects.filter(
            ward_police__isnull=False
        ).count(),
        "answers": Answer.objects.count(),
        "provinces_2026": in_force(datetime.date(2026, 6, 30), ["province"]),
        "commune_level_2024": in_force(datetime.date(2024, 6, 30), COMMUNE_LEVEL_KINDS),
        "wards_2024": in_force(datetime.date(2024, 6, 30), ["ward"]),
        "commune_level_2026": in_force(datetime.date(2026, 6, 30), COMMUNE_LEVEL_KINDS),
        "wards_2026": in_force(datetime.date(2026, 6, 30), ["ward"]),
        "wards_2027": in_force(datetime.date(2027, 6, 30), ["ward"]),
    }


def engine_queries(as_of: datetime.date = AS_OF) -> tuple[int, list[str], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from campaign.assessments.selectors.progress import campaign_progress

    with CaptureQueriesContext(connection) as captured:
        progress = campaign_progress(as_of=as_of)
    return len(captured), [q["sql"] for q in captured], len(progress.rows)


def engine_median_ms(n: int = 10) -> float:
    from campaign.assessments.selectors.progress import campaign_progress

    durations = []
    for _ in range(n):
        started = time.perf_counter()
        campaign_progress(as_of=AS_OF)
        durations.append(time.perf_counter() - started)
    return statistics.median(durations) * 1000


def step_build(_args: dict) -> dict:
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
    log("reference data loaded")
    user = bench_user()
    t = time.perf_counter()
    national = build_national(random.Random(SEED))
    timings["national areas, ward police, committees"] = time.perf_counter() - t
    log(f"national areas: {national}")
    t = time.perf_counter()
    wards = build_ward_assessments(user, random.Random(SEED + 1))
    timings["ward police assessments and answers"] = time.perf_counter() - t
    log(f"assessments: {wards}")
    t = time.perf_counter()
    detail = build_detail_assessments(user)
    timings["commune-level assessments with evidence"] = time.perf_counter() - t
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["ANALYZE"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started
    log(f"built in {timings['total']:.1f} s")

    figures = data_figures()
    engine = []
    for label, is_national, years in SCALES:
        with scaled(national=is_national, years=years):
            count, sql, rows = engine_queries()
            sub = data_figures()
            engine.append(
                {
                    "scale": label,
                    "years": years,
                    "queries": count,
                    "rows": rows,
                    "wards_2026": sub["wards_2026"],
                    "ward_assessments": sub["ward_assessments"],
                    "answers": sub["answers"],
                    "median_ms_10_calls": engine_median_ms(),
                    "sql": sql,
                }
            )
    as_of_counts = {}
    for day in (datetime.date(2023, 12, 31), datetime.date(2025, 12, 31), AS_OF):
        count, _sql, rows = engine_queries(day)
        as_of_counts[day.isoformat()] = {"queries": count, "rows": rows}
    return {
        "build_seconds": timings,
        "national": national,
        "ward_assessments": wards,
        "detail": detail,
        "figures": figures,
        "engine_queries": engine,
        "engine_queries_by_as_of": as_of_counts,
    }


# --- Probing and measuring the pages ------------------------------------------------


def _get(client, path):
    try:
        response = client.get(path)
    except Exception as error:  # noqa: BLE001 - reported, not handled
        return None, f"{type(error).__name__}: {error}"[:300]
    return response, ""


def step_probe(args: dict) -> dict:
    client = logged_in_client(bench_user())
    found = {}
    paths = {"progress": PROGRESS_PATH, "bare": BARE_PATH}
    for name, pk in args.get("detail", {}).items():
        paths[f"detail_{name}"] = f"/assessments/{pk}/"
    for name, path in paths.items():
        response, error = _get(client, path)
        found[name] = {
            "path": path,
            "status": response.status_code if response is not None else None,
            "error": error,
            "bytes": len(response.content) if response is not None else 0,
        }
    return found


def _page_queries(client, path: str) -> tuple[int, list[str], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # first request: caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    return (
        len(captured),
        [q["sql"] for q in captured],
        response.status_code,
        len(response.content),
    )


def _normalised(sql: str) -> str:
    import re

    return re.sub(r"\b\d+\b", "N", sql)


def _growth(small: list[str], large: list[str]) -> list[dict]:
    """The query shapes (numbers replaced) run more often in ``large``."""
    a, b = Counter(map(_normalised, small)), Counter(map(_normalised, large))
    return [
        {"times_before": a[s], "times_after": b[s], "sql": s[:600]}
        for s in b
        if b[s] > a[s]
    ]


def step_detail(args: dict) -> dict:
    client = logged_in_client(bench_user())
    results = []
    for status in DETAIL_CASES:
        row = {"status": status}
        sql = {}
        for files in (0, args["files"]):
            pk = args["detail"][f"{status}_{files}"]
            count, sql[files], code, size = _page_queries(client, f"/assessments/{pk}/")
            row[f"queries_{files}"] = count
            row[f"status_{files}"] = code
            row[f"bytes_{files}"] = size
        row["equal"] = row["queries_0"] == row[f"queries_{args['files']}"]
        row["grows"] = _growth(sql[0], sql[args["files"]])
        row["sql"] = sql[args["files"]]
        results.append(row)
    return {"detail": results}


def _time_case(run, n: int) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    for _ in range(n):
        c0, w0 = time.process_time(), time.perf_counter()
        run()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return walls, cpus


def step_time(args: dict) -> dict:
    from django.db import connection

    from campaign.assessments.selectors.progress import campaign_progress

    user = bench_user()
    client = logged_in_client(user)
    pages = PAGES if args["page"] else {}
    result: dict = {"page_queries": {}, "page_growth": {}}
    for name, path in pages.items():
        counts = []
        for label, is_national, years in SCALES:
            with scaled(national=is_national, years=years):
                count, sql, code, size = _page_queries(client, path)
                counts.append(
                    {
                        "scale": label,
                        "years": years,
                        "queries": count,
                        "status": code,
                        "bytes": size,
                        "sql": sql,
                    }
                )
        result["page_queries"][name] = counts
        result["page_growth"][name] = _growth(counts[0]["sql"], counts[-1]["sql"])
    # The rolled-back deletions leave PostgreSQL's hint bits and visibility
    # map to settle: settle them before timing (as registration_list.py does).
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
        )

    def get(path):
        def run():
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code}")

        return run

    def engine():
        campaign_progress(as_of=AS_OF)

    cases = {"engine": engine, "bare": get(BARE_PATH)}
    cases.update({name: get(path) for name, path in pages.items()})
    for run in cases.values():  # warm-up
        _time_case(run, 3)
    names = list(cases)
    rounds: dict[str, dict[str, list[float]]] = {
        name: {"wall": [], "cpu": []} for name in names
    }
    for i in range(args["rounds"]):
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            walls, cpus = _time_case(cases[name], args["requests"])
            rounds[name]["wall"].append(statistics.median(walls))
            rounds[name]["cpu"].append(statistics.median(cpus))
        log(f"round {i + 1}/{args['rounds']} done")
    result["rounds"] = rounds
    return result


STEPS = {
    "build": step_build,
    "probe": step_probe,
    "detail": step_detail,
    "time": step_time,
}


def main() -> None:
    step = sys.argv[1]
    args = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    setup()
    answer(STEPS[step](args))


if __name__ == "__main__":
    main()
