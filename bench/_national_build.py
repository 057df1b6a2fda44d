"""The national data set for the page benchmarks (issue 11): the builder
functions behind ``bench/national_data.py``, importable by the tests.

Nothing here creates, drops or migrates a database, and nothing reads the
process's environment: every function works on the database Django is
connected to (a migrated one), from its arguments — the scale, the seed and
the day the data is built on — so that ``tests/bench/`` can run a small build
inside pytest-django's test database.

What a build writes, with ``bulk_create`` and, for the largest tables,
PostgreSQL's COPY (no services: they would send notifications and write the
audit trail one row at a time; foreign keys and secondary indexes of the
filled tables are put back and checked once at the end, see ``loading``):

* An Giang's reference data (``load_areas``, ``load_reference_data``) and the
  synthetic rest of the country of ``bench/_assessments_child.py`` (provinces
  ``vn01``…, their areas of both eras, ward police, committees), with a
  provincial committee per province (``bench/_phase_child.py``);
* officers: a local officer per district- and commune-level committee, two
  provincial staff and a leader per provincial committee, and the three
  bench personas (``bench-staff``, ``bench-commune``, ``bench-admin``) with a
  known password;
* organisations, registrations 2023–2030 with their workflow steps and their
  simple-history rows, one per step;
* the ward police assessments of 2023–2027 of ``_assessments_child`` (those
  later than the current year removed, the others kept in the past) with
  their steps, and an assessment of the approved units of each year
  (``_phase_child``);
* notifications of those steps, and report jobs (done, failed, pending; no
  files).

Dates are relative to the day of the build: nothing is later than its
midnight, and years after the current one hold only draft and submitted
registrations. The same seed on the same day gives the same rows, ids
included (on a fresh database).
"""

# The raw SQL below is made of the models' quoted table and column names and
# of this module's constants; nothing comes from outside.
# ruff: noqa: S608

from __future__ import annotations

import datetime
import hashlib
import random
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))
if str(BENCH.parent) not in sys.path:
    sys.path.insert(0, str(BENCH.parent))

# Imported as _phase_child imports it, so that both use one module object
# (its scale constants are set by ``national_scale`` below).
import _assessments_child as national_areas  # noqa: E402
import _phase_child as phase_data  # noqa: E402

FIRST_YEAR = 2023
LAST_YEAR = 2030
PASSWORD_ENV = "BENCH_PASSWORD"
DEFAULT_PASSWORD = "bench-only-password-138"  # noqa: S105 - a throw-away local database
STAFF, COMMUNE, ADMIN = "bench-staff", "bench-commune", "bench-admin"
PERSONAS = (STAFF, COMMUNE, ADMIN)
# bench-commune acts for the committee of phường Long Xuyên (since
# 01/07/2025), as the demo's phuong.longxuyen does: a ward, so that its ward
# police's assessments are the committee's too.
COMMUNE_AREA_KEY = "ag91-30307"
# Its committee registers its own ward and these organisations every year
# from 2026: a few dozen registrations whatever the scale (on top of a
# year's share when the share is smaller: small scales only).
PERSONA_ORGANISATIONS = 6
AN_GIANG_CODES = ("91", "89")  # newest first, as CAMPAIGN_PROVINCE_CODES wants them

AREA_SHARE = 0.58  # of a year's registrations: communes, wards, townships, zones
ORGANISATION_POOL_MARGIN = 1.3
OUTCOMES_PAST = (
    ("draft", 0.06),
    ("submitted", 0.04),
    ("returned", 0.08),
    ("withdrawn", 0.10),
    ("approved", 0.72),
)
OUTCOMES_CURRENT = (
    ("draft", 0.15),
    ("submitted", 0.20),
    ("returned", 0.10),
    ("withdrawn", 0.05),
    ("approved", 0.50),
)
OUTCOMES_FUTURE = (("draft", 0.7), ("submitted", 0.3))
RETURN_CYCLE = 0.10  # of the submitted and approved ones: returned once first
REPORT_OUTCOMES = (("done", 0.72), ("failed", 0.18), ("pending", 0.10))
WITH_EMAIL = 0.3  # of the officers: their notifications go by e-mail too
RETURN_REASON = phase_data.RETURN_REASON
PLAN_TEXT = phase_data.PLAN_TEXT
ORGANISATION_NAMES = {
    "agency": "Cơ quan giả định",
    "enterprise": "Công ty TNHH Giả định",
    "school": "Trường THCS Giả định",
}


@dataclass(frozen=True)
class Scale:
    """How big the synthetic country is (``_assessments_child``'s constants)
    and how many registrations and report jobs it gets."""

    other_provinces: int
    other_units: int
    other_wards: int
    other_townships: int
    other_special_zones: int
    registrations: int
    report_jobs: int


# 34 provinces, about 3,300 commune-level units in force on any day.
NATIONAL = Scale(
    other_provinces=national_areas.OTHER_PROVINCES,
    other_units=national_areas.OTHER_UNITS,
    other_wards=national_areas.OTHER_WARDS,
    other_townships=national_areas.OTHER_TOWNSHIPS,
    other_special_zones=national_areas.OTHER_SPECIAL_ZONES,
    registrations=20000,
    report_jobs=300,
)
# An Giang and one synthetic province: the tests' build.
SMALL = Scale(
    other_provinces=1,
    other_units=100,
    other_wards=20,
    other_townships=10,
    other_special_zones=1,
    registrations=500,
    report_jobs=24,
)


class BenchClock:
    """The build's time: nothing later than the midnight that starts the day
    of the build (so the same day gives the same rows), in local time. Same
    interface as ``_phase_child.Clock``, whose builders take it."""

    def __init__(self, today: datetime.date):
        from django.utils import timezone

        self.tz = timezone.get_current_timezone()
        self.today = today
        self.latest = datetime.datetime.combine(
            today, datetime.time(0), tzinfo=self.tz
        ) - datetime.timedelta(minutes=1)

    def at(self, day: datetime.date, hour: int = 9) -> datetime.datetime:
        moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=self.tz)
        return min(moment, self.latest)

    def clamp(self, moment: datetime.datetime) -> datetime.datetime:
        return min(moment, self.latest)

    def day(self, day: datetime.date) -> datetime.date:
        return min(day, self.today - datetime.timedelta(days=1))

    def past(self, day: datetime.date) -> bool:
        return day < self.today


@contextmanager
def national_scale(scale: Scale) -> Iterator[None]:
    """``_assessments_child.build_national`` reads its scale from module
    constants: set them for the build, and put them back."""
    names = {
        "OTHER_PROVINCES": scale.other_provinces,
        "OTHER_UNITS": scale.other_units,
        "OTHER_WARDS": scale.other_wards,
        "OTHER_TOWNSHIPS": scale.other_townships,
        "OTHER_SPECIAL_ZONES": scale.other_special_zones,
    }
    saved = {name: getattr(national_areas, name) for name in names}
    try:
        for name, value in names.items():
            setattr(national_areas, name, value)
        yield
    finally:
        for name, value in saved.items():
            setattr(national_areas, name, value)


@contextmanager
def loading(models: list) -> Iterator[dict]:
    """The tables of ``models`` without their foreign keys and secondary
    indexes while they are filled (PostgreSQL, inside the build's
    transaction), then the same constraints and indexes put back — built
    and checked once over the whole table instead of row by row (Django's
    foreign keys are checked at commit, one row at a time: about 20 s at
    national scale). A row that breaks a foreign key or a unique index makes
    the build fail, as it would have without this. The primary keys stay."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield {}
        return
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c WHERE c.contype = 'f' "
            "AND c.conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [tables],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i WHERE i.indrelid::regclass::text = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
            "ORDER BY 1",
            [tables],
        )
        indexes = cursor.fetchall()
        q = connection.ops.quote_name
        # The checks still pending in this transaction (the reference data's)
        # run now: a table with pending checks cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table, name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {q(name)}")
    timings: dict = {}
    yield timings
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # The checks the build's own deletions and updates left pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in foreign_keys:
            cursor.execute(
                f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {definition}"
            )
    timings["seconds"] = round(time.perf_counter() - started, 2)
    timings["indexes"] = len(indexes)
    timings["foreign_keys"] = len(foreign_keys)


def bulk(model, rows, batch_size: int = 5000) -> list:
    return model.objects.bulk_create(rows, batch_size=batch_size)


def copy_rows(model, names: list[str], rows) -> int:
    """Rows (tuples of the fields ``names``, by attribute name: ``actor_id``)
    into ``model``'s table through PostgreSQL's COPY, without their ids
    back: the largest tables (answers, steps, history, notifications) go in
    several times faster than through ``bulk_create`` and model instances,
    and nothing later needs their ids. JSON is adapted as the field adapts
    it; the other values are plain Python values psycopg takes as they are.
    Elsewhere (SQLite), ``bulk_create``."""
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        objs = [model(**dict(zip(names, row, strict=True))) for row in rows]
        return len(model.objects.bulk_create(objs, batch_size=2000))
    fields = {f.attname: f for f in model._meta.concrete_fields}
    json = {
        i: fields[name]
        for i, name in enumerate(names)
        if fields[name].get_internal_type() == "JSONField"
    }
    q = connection.ops.quote_name
    columns = ", ".join(q(fields[name].column) for name in names)
    count = 0
    with connection.cursor() as cursor:
        statement = f"COPY {q(model._meta.db_table)} ({columns}) FROM STDIN"
        with cursor.cursor.copy(statement) as copy:
            for row in rows:
                if json:
                    row = list(row)
                    for i, field in json.items():
                        row[i] = field.get_db_prep_save(row[i], connection)
                copy.write_row(row)
                count += 1
    return count


def copy_insert(model, objs) -> int:
    """Model instances through :func:`copy_rows` (every field but the id,
    as the instance holds it)."""
    names = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    return copy_rows(model, names, (tuple(o.__dict__[n] for n in names) for o in objs))


@contextmanager
def copied(*models) -> Iterator[None]:
    """The reused builders' ``Model.objects.bulk_create`` of ``models``
    through :func:`copy_insert` (they do not use the ids of those rows)."""
    managers = []
    for model in models:
        manager = model.objects

        def through_copy(objs, batch_size=None, _model=model, **_options):
            objs = list(objs)
            copy_insert(_model, objs)
            return objs

        manager.bulk_create = through_copy
        managers.append(manager)
    try:
        yield
    finally:
        for manager in managers:
            del manager.bulk_create


def _hash(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def _password(password: str, salt_source: str) -> str:
    """The hash of ``password`` with a salt derived from the user: the same
    build gives the same row (Django's hashers take a given salt)."""
    from django.contrib.auth.hashers import make_password

    return make_password(password, salt=_hash("salt", salt_source)[:22])


def _unusable(rng: random.Random) -> str:
    # What set_unusable_password stores ("!" + random), drawn from the seed.
    return "!" + "".join(
        rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(40)
    )


def _split(total: int, weights: list[float]) -> list[int]:
    """``total`` in parts proportional to ``weights`` (largest remainder)."""
    raw = [w / sum(weights) * total for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


# --- Reference data, country, committees -------------------------------------------


def build_country(scale: Scale, seed: int) -> dict:
    """An Giang's reference data, the synthetic provinces of
    ``_assessments_child`` and a provincial committee for each (parent of its
    district- and commune-level committees)."""
    from django.core.management import call_command

    call_command("load_areas", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    with national_scale(scale):
        built = national_areas.build_national(random.Random(seed))
    built.update(phase_data.add_provincial_committees())
    return built


def province_codes() -> list[str]:
    """Every province's code, An Giang's first (91 since 01/07/2025, then 89):
    the value of ``CAMPAIGN_PROVINCE_CODES`` for a national scope."""
    from units.models import Area

    codes = list(
        Area.objects.filter(kind="province")
        .order_by("key")
        .values_list("code", flat=True)
    )
    return [c for c in AN_GIANG_CODES if c in codes] + [
        c for c in codes if c not in AN_GIANG_CODES
    ]


# --- People -------------------------------------------------------------------------


@dataclass
class People:
    """Who does what in the generated history: the officer of each committee,
    the provincial staff of each province (by its area), the personas."""

    officer_of: dict[int, int]  # committee pk -> user pk
    staff_of: dict[int, list[int]]  # province area pk -> user pks
    with_email: set[int]
    personas: dict[str, object]  # username -> User
    persona_committee_id: int
    staff_committee_id: int


def build_people(
    seed: int, clock: BenchClock, password: str, *, use_commune_officer: bool = True
) -> People:
    """A local officer per district- and commune-level committee, two
    provincial staff and a leader per provincial committee, and the personas
    (``bench-commune`` is the officer of its committee)."""
    from django.contrib.auth import get_user_model

    from campaign.committees.choices import CommitteeLevel, MembershipRole
    from campaign.committees.models import Membership, SteeringCommittee

    rng = random.Random(seed * 7 + 1)
    User = get_user_model()
    committees = list(
        SteeringCommittee.objects.select_related("area").order_by(
            "area__key", "valid_from", "pk"
        )
    )
    staff_committee = next(
        c
        for c in committees
        if c.level == CommitteeLevel.PROVINCE
        and c.area.code == AN_GIANG_CODES[0]
        and c.valid_to is None
    )
    persona_committee = next(
        c
        for c in committees
        if c.area.key == COMMUNE_AREA_KEY and c.is_valid_on(clock.today)
    )
    joined = clock.at(datetime.date(2023, 1, 3), 8)
    users: list = []
    memberships: list[tuple[int, int, str]] = []  # user index, committee pk, role

    def person(username: str, first: str, last: str, **extra) -> int:
        users.append(
            User(
                username=username,
                first_name=first,
                last_name=last,
                password=extra.pop("password", None) or _unusable(rng),
                date_joined=joined,
                **extra,
            )
        )
        return len(users) - 1

    persona_index = {
        STAFF: person(
            STAFF, "Bench", "Tỉnh", password=_password(password, STAFF), is_staff=True
        ),
        COMMUNE: person(
            COMMUNE, "Bench", "Phường", password=_password(password, COMMUNE)
        ),
        ADMIN: person(
            ADMIN,
            "Bench",
            "Quản trị",
            password=_password(password, ADMIN),
            is_staff=True,
            is_superuser=True,
        ),
    }
    memberships.append(
        (persona_index[STAFF], staff_committee.pk, MembershipRole.PROVINCIAL_STAFF)
    )
    memberships.append(
        (persona_index[COMMUNE], persona_committee.pk, MembershipRole.LOCAL_OFFICER)
    )
    family = "Nguyễn Trần Lê Phạm Huỳnh Võ Phan Đặng Bùi Đỗ".split()
    given = "An Bình Cường Dũng Hà Hạnh Hùng Lan Minh Nam Phúc Tâm Thảo Vy".split()
    officer_index: dict[int, int] = {}
    staff_index: dict[int, list[int]] = defaultdict(list)
    emails: set[int] = set()
    for c in committees:
        tag = f"{c.area.key}.{c.valid_from:%Y%m%d}"
        if c.level == CommitteeLevel.PROVINCE:
            for n, role in enumerate(
                (
                    MembershipRole.PROVINCIAL_STAFF,
                    MembershipRole.PROVINCIAL_STAFF,
                    MembershipRole.LEADER,
                )
            ):
                index = person(
                    f"bt.{tag}.{n + 1}", rng.choice(given), rng.choice(family)
                )
                memberships.append((index, c.pk, role))
                if role == MembershipRole.PROVINCIAL_STAFF:
                    staff_index[c.area_id].append(index)
            continue
        if use_commune_officer and c.pk == persona_committee.pk:
            officer_index[c.pk] = persona_index[COMMUNE]
            continue
        index = person(f"cb.{tag}", rng.choice(given), rng.choice(family))
        if rng.random() < WITH_EMAIL:
            users[index].email = f"cb.{tag}@example.invalid"
            emails.add(index)
        memberships.append((index, c.pk, MembershipRole.LOCAL_OFFICER))
        officer_index[c.pk] = index
    bulk(User, users)
    with phase_data.dated(Membership):
        bulk(
            Membership,
            [
                Membership(
                    user_id=users[i].pk, committee_id=c, role=role, created_at=joined
                )
                for i, c, role in memberships
            ],
        )
    return People(
        officer_of={c: users[i].pk for c, i in officer_index.items()},
        staff_of={a: [users[i].pk for i in idx] for a, idx in staff_index.items()},
        with_email={users[i].pk for i in emails},
        personas={name: users[i] for name, i in persona_index.items()},
        persona_committee_id=persona_committee.pk,
        staff_committee_id=staff_committee.pk,
    )


# --- Registrations ------------------------------------------------------------------


def _year_weights(today: datetime.date) -> dict[int, float]:
    """Years up to the current one are full; registrations ahead of their
    year are fewer (next year's a third, later ones a tenth)."""
    weights = {}
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        if year <= today.year:
            weights[year] = 1.0
        elif year == today.year + 1:
            weights[year] = 0.35
        else:
            weights[year] = 0.1
    return weights


def _province_of(area_id: int, areas: dict) -> int:
    area = areas[area_id]
    while area.parent_id is not None:
        area = areas[area.parent_id]
    return area.pk


def build_registrations(
    scale: Scale, seed: int, clock: BenchClock, people: People
) -> dict:
    """``scale.registrations`` registrations over 2023–2030: the commune-level
    units in force mid-year, registered by their district-level committee
    (2023–2025) or their own committee (from 2026), and organisations managed
    by those committees; their workflow steps (some returned once before
    being submitted again), one simple-history row per step, and the
    notification each step sends."""
    from campaign.committees.choices import CommitteeLevel
    from campaign.committees.models import SteeringCommittee
    from campaign.planning.selectors.periods import exemplary_programme, phases_of
    from campaign.registrations.choices import NotificationKind
    from campaign.registrations.models import Registration, RegistrationTransition
    from campaign.registrations.selectors.registrations import scope_day
    from units.choices import COMMUNE_LEVEL_KINDS
    from units.models import Area, Organisation
    from units.text import fold

    rng = random.Random(seed * 7 + 2)
    programme = exemplary_programme()
    phases = phases_of(programme)
    areas = {a.pk: a for a in Area.objects.order_by("pk")}
    committees: dict[int, list] = defaultdict(list)
    for c in SteeringCommittee.objects.exclude(level=CommitteeLevel.PROVINCE).order_by(
        "pk"
    ):
        committees[c.area_id].append(c)

    def committee_of(area_id: int | None, day: datetime.date):
        return next(
            (c for c in committees.get(area_id, ()) if c.is_valid_on(day)), None
        )

    def units_of(year: int) -> list[tuple]:
        day = scope_day(year)
        pre_reform = day < national_areas.REFORM
        found = []
        for area in areas.values():
            if area.kind not in COMMUNE_LEVEL_KINDS or not area.is_valid_on(day):
                continue
            owner = committee_of(area.parent_id if pre_reform else area.pk, day)
            if owner is not None:
                found.append((area, owner))
        return found

    years = list(range(FIRST_YEAR, LAST_YEAR + 1))
    weights = _year_weights(clock.today)
    per_year = dict(
        zip(
            years, _split(scale.registrations, [weights[y] for y in years]), strict=True
        )
    )
    units = {year: units_of(year) for year in years}

    # Organisations: a pool per era, each managed by a committee of that era
    # and located in its area; they may register every year.
    persona = next(
        c
        for cs in committees.values()
        for c in cs
        if c.pk == people.persona_committee_id
    )
    pools: dict[bool, list[Organisation]] = {}
    organisations: list[Organisation] = []
    serial = 0
    for pre_reform, era_years in (
        (True, [y for y in years if scope_day(y) < national_areas.REFORM]),
        (False, [y for y in years if scope_day(y) >= national_areas.REFORM]),
    ):
        wanted = max(per_year[y] - round(per_year[y] * AREA_SHARE) for y in era_years)
        era_units = units[era_years[0]]
        pool = []
        for _ in range(int(wanted * ORGANISATION_POOL_MARGIN) + 1):
            area, owner = rng.choice(era_units)
            serial += 1
            kind = rng.choices(list(ORGANISATION_NAMES), (4, 2, 3))[0]
            name = f"{ORGANISATION_NAMES[kind]} {serial:05d} ({area.name})"
            pool.append(
                Organisation(
                    name=name,
                    kind=kind,
                    area_id=area.pk,
                    managed_by_id=owner.area_id,
                    search_name=fold(name),
                    created_at=clock.at(datetime.date(era_years[0], 1, 10)),
                )
            )
        pools[pre_reform] = pool
        organisations += pool
    persona_pool = []
    for n in range(PERSONA_ORGANISATIONS):
        kind = list(ORGANISATION_NAMES)[n % len(ORGANISATION_NAMES)]
        name = f"{ORGANISATION_NAMES[kind]} {n + 1:02d} {persona.short_name.removeprefix('Ban Chỉ đạo 138 ')}"
        persona_pool.append(
            Organisation(
                name=name,
                kind=kind,
                area_id=persona.area_id,
                managed_by_id=persona.area_id,
                search_name=fold(name),
                created_at=clock.at(datetime.date(2025, 8, 1)),
            )
        )
    organisations += persona_pool
    with phase_data.dated(Organisation):
        bulk(Organisation, organisations)

    def committee_managing(organisation, day):
        return committee_of(organisation.managed_by_id, day)

    registrations: list[Registration] = []
    steps: list[list[tuple]] = []  # per registration: (from, to, at, actor, reason)
    for year in years:
        day = scope_day(year)
        phase = next(p for p in phases if p.start_year <= year <= p.end_year)
        pre_reform = day < national_areas.REFORM
        outcomes = (
            OUTCOMES_PAST
            if year < clock.today.year
            else OUTCOMES_CURRENT
            if year == clock.today.year
            else OUTCOMES_FUTURE
        )
        chosen: list[tuple] = []  # (area, organisation, committee)
        forced = persona.is_valid_on(day)
        if forced:
            chosen += [(areas[persona.area_id], None, persona)]
            chosen += [(None, o, persona) for o in persona_pool]
        n_areas = min(round(per_year[year] * AREA_SHARE), len(units[year]))
        pool_units = [
            u for u in units[year] if not (forced and u[0].pk == persona.area_id)
        ]
        chosen += [
            (a, None, c)
            for a, c in rng.sample(pool_units, k=max(0, n_areas - (1 if forced else 0)))
        ]
        live = [
            (o, c)
            for o in pools[pre_reform]
            if (c := committee_managing(o, day)) is not None
        ]
        n_orgs = max(0, per_year[year] - len(chosen))
        chosen += [(None, o, c) for o, c in rng.sample(live, k=min(n_orgs, len(live)))]
        for area, organisation, committee in chosen:
            outcome = rng.choices([o for o, _w in outcomes], [w for _o, w in outcomes])[
                0
            ]
            if year <= clock.today.year:
                start = datetime.date(year, 2, 1) + datetime.timedelta(
                    days=rng.randrange(50)
                )
            else:  # registered ahead of its year
                start = clock.today - datetime.timedelta(days=20 + rng.randrange(150))
            made = clock.at(start, 8 + rng.randrange(9))
            officer = people.officer_of[committee.pk]
            province = _province_of(area.pk if area else organisation.area_id, areas)
            reviewer = rng.choice(people.staff_of[province])
            moments = [made]
            for _ in range(4):
                moments.append(
                    clock.clamp(
                        moments[-1]
                        + datetime.timedelta(
                            days=3 + rng.randrange(18), hours=rng.randrange(8)
                        )
                    )
                )
            path: list[tuple] = [("", "draft", moments[0], officer, "")]
            cycle = rng.random() < RETURN_CYCLE
            if outcome == "withdrawn":
                path.append(("draft", "withdrawn", moments[1], officer, ""))
            elif outcome != "draft":
                path.append(("draft", "submitted", moments[1], officer, ""))
                if outcome == "returned" or (
                    cycle and outcome in ("submitted", "approved")
                ):
                    path.append(
                        ("submitted", "returned", moments[2], reviewer, RETURN_REASON)
                    )
                    if outcome != "returned":
                        path.append(("returned", "submitted", moments[3], officer, ""))
                if outcome == "approved":
                    path.append(
                        ("submitted", "approved", moments[len(path)], reviewer, "")
                    )
            name = area.full_name if area else organisation.name
            contact = f"{rng.choice('Nguyễn Trần Lê Phạm Võ'.split())} Văn {rng.choice('ABCDEGHKLMNPQSTV')}"
            submits = [at for a, b, at, _u, _r in path if b == "submitted"]
            decisions = [
                at for a, b, at, _u, _r in path if b in ("returned", "approved")
            ]
            registrations.append(
                Registration(
                    committee_id=committee.pk,
                    area_id=area.pk if area else None,
                    organisation_id=organisation.pk if organisation else None,
                    unit_kind=area.kind if area else organisation.kind,
                    unit_name=name,
                    programme=programme,
                    phase=phase,
                    year=year,
                    contact_name=contact,
                    contact_phone=f"0296 38{rng.randrange(10000, 99999)}",
                    plan_summary=PLAN_TEXT.format(year=year),
                    status=outcome,
                    return_reason=RETURN_REASON if outcome == "returned" else "",
                    version=len(path),
                    search_name=fold(name),
                    contact_search=fold(contact),
                    created_by_id=officer,
                    updated_by_id=path[-1][3],
                    created_at=made,
                    updated_at=path[-1][2],
                    submitted_at=submits[-1]
                    if submits and outcome != "draft"
                    else None,
                    decided_at=decisions[-1]
                    if outcome in ("returned", "approved")
                    else None,
                )
            )
            steps.append(path)
    with phase_data.dated(Registration, RegistrationTransition):
        bulk(Registration, registrations, 2000)
        copy_rows(
            RegistrationTransition,
            ["registration_id", "from_status", "to_status", "actor_id", "at", "reason"],
            (
                (r.pk, a, b, u, at, why)
                for r, path in zip(registrations, steps, strict=True)
                for a, b, at, u, why in path
            ),
        )
    history = write_registration_history(registrations, steps)
    kinds = {
        ("draft", "submitted"): NotificationKind.SUBMITTED,
        ("returned", "submitted"): NotificationKind.RESUBMITTED,
        ("draft", "withdrawn"): NotificationKind.WITHDRAWN,
        ("submitted", "returned"): NotificationKind.RETURNED,
        ("submitted", "approved"): NotificationKind.APPROVED,
    }
    to_reviewers = {
        NotificationKind.SUBMITTED,
        NotificationKind.RESUBMITTED,
        NotificationKind.WITHDRAWN,
    }
    notes: list[tuple] = []
    short = {c.pk: c.short_name for cs in committees.values() for c in cs}
    located = {o.pk: o.area_id for o in organisations}
    for r, path in zip(registrations, steps, strict=True):
        province = _province_of(r.area_id or located[r.organisation_id], areas)
        for a, b, at, _actor, why in path[1:]:
            kind = kinds[(a, b)]
            recipient = (
                people.staff_of[province][r.pk % len(people.staff_of[province])]
                if kind in to_reviewers
                else people.officer_of[r.committee_id]
            )
            params = {
                "unit": r.unit_name,
                "year": r.year,
                "committee": short[r.committee_id],
                "reason": why,
            }
            notes.append((recipient, kind, params, r.pk, "", None, at))
    return {
        "organisations": len(organisations),
        "registrations": len(registrations),
        "workflow_steps": sum(len(p) for p in steps),
        "history_rows": history,
        "by_year": dict(sorted(Counter(r.year for r in registrations).items())),
        "by_status": dict(sorted(Counter(r.status for r in registrations).items())),
        "persona_registrations": sum(
            1 for r in registrations if r.committee_id == persona.pk
        ),
        "notifications": notes,
    }


def write_registration_history(registrations: list, steps: list[list[tuple]]) -> int:
    """The simple-history rows a registration's life would have left: one
    when it was created (``+``) and one at each later step (``~``), each with
    the registration as it stood then."""
    from django.db.models.fields.files import FieldFile

    from campaign.registrations.models import Registration

    History = Registration.history.model
    fields = [
        f.attname
        for f in History._meta.concrete_fields
        if not f.name.startswith("history_")
    ]
    names = [*fields, "history_date", "history_type", "history_user_id"]
    changing = ("status", "version", "return_reason", "submitted_at", "decided_at")
    changing += ("updated_at", "updated_by_id")
    at_ = {name: fields.index(name) for name in changing}

    def rows():
        for r, path in zip(registrations, steps, strict=True):
            # The stored values (a file field's name, not its FieldFile).
            values = [
                getattr(v, "name", v) if isinstance(v, FieldFile) else v
                for v in (getattr(r, name) for name in fields)
            ]
            submitted = decided = None
            for n, (_a, b, at, actor, why) in enumerate(path):
                if b == "submitted":
                    submitted, decided = at, None
                elif b in ("returned", "approved"):
                    decided = at
                row = list(values)
                row[at_["status"]] = b
                row[at_["version"]] = n + 1
                row[at_["return_reason"]] = why if b == "returned" else ""
                row[at_["submitted_at"]] = submitted
                row[at_["decided_at"]] = decided
                row[at_["updated_at"]] = at
                row[at_["updated_by_id"]] = actor
                yield (*row, at, "+" if n == 0 else "~", actor)

    return copy_rows(History, names, rows())


# --- Assessments --------------------------------------------------------------------


def build_assessments(seed: int, clock: BenchClock, people: People) -> dict:
    """The ward police's assessments of ``_assessments_child`` (2023–2027),
    kept in the present: those of years after the current one removed,
    steps later than the build's day not taken yet; their dates as a history
    (created before they were submitted) and their workflow steps. Then an
    assessment of the approved units of each year (``_phase_child``)."""
    from django.db import connection

    from campaign.assessments.models import Answer, Assessment, AssessmentTransition

    staff = people.personas[STAFF]
    with copied(Answer):
        wards = national_areas.build_ward_assessments(staff, random.Random(seed + 1))
    q = connection.ops.quote_name
    assessment, answer, step = (
        q(m._meta.db_table) for m in (Assessment, Answer, AssessmentTransition)
    )
    later = f"SELECT {q('id')} FROM {assessment} WHERE {q('year')} > %s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {answer} WHERE {q('assessment_id')} IN ({later})",
            [clock.today.year],
        )
        cursor.execute(
            f"DELETE FROM {step} WHERE {q('assessment_id')} IN ({later})",
            [clock.today.year],
        )
        cursor.execute(
            f"DELETE FROM {assessment} WHERE {q('year')} > %s", [clock.today.year]
        )
        removed = cursor.rowcount
        cursor.execute(
            f"UPDATE {assessment} SET {q('status')} = 'draft', {q('submitted_at')} = NULL, "
            f"{q('decided_at')} = NULL WHERE {q('submitted_at')} > %s",
            [clock.latest],
        )
        cursor.execute(
            f"UPDATE {assessment} SET {q('status')} = 'submitted', {q('decided_at')} = NULL "
            f"WHERE {q('decided_at')} > %s",
            [clock.latest],
        )
        cursor.execute(
            f"UPDATE {answer} SET {q('verified_by_id')} = NULL, {q('verified_at')} = NULL "
            f"WHERE {q('assessment_id')} IN (SELECT {q('id')} FROM {assessment} "
            f"WHERE {q('status')} <> 'accepted')"
        )
        # Created before they were submitted, last changed when decided.
        cursor.execute(
            f"UPDATE {assessment} SET "
            f"{q('created_at')} = LEAST(COALESCE({q('submitted_at')}, %s) - INTERVAL '12 days', %s), "
            f"{q('updated_at')} = LEAST(COALESCE({q('decided_at')}, {q('submitted_at')}, %s), %s)",
            [clock.latest, clock.latest, clock.latest, clock.latest],
        )
    made = list(
        Assessment.objects.filter(ward_police__isnull=False)
        .order_by("pk")
        .values_list("pk", "status", "created_at", "submitted_at", "decided_at")
    )
    transitions = []
    for pk, status, created, submitted, decided in made:
        transitions.append(
            AssessmentTransition(
                assessment_id=pk,
                from_status="",
                to_status="draft",
                actor=staff,
                at=created,
            )
        )
        if submitted:
            transitions.append(
                AssessmentTransition(
                    assessment_id=pk,
                    from_status="draft",
                    to_status="submitted",
                    actor=staff,
                    at=submitted,
                )
            )
        if decided and status == "accepted":
            transitions.append(
                AssessmentTransition(
                    assessment_id=pk,
                    from_status="submitted",
                    to_status="accepted",
                    actor=staff,
                    at=decided,
                )
            )
    with phase_data.dated(AssessmentTransition):
        copy_insert(AssessmentTransition, transitions)
    with copied(Answer, AssessmentTransition):
        units = phase_data.build_unit_assessments(staff, random.Random(seed + 2), clock)
    return {
        "ward_police_assessments": len(made),
        "ward_police_assessments_removed_after_this_year": removed,
        "ward_police_answers_built": wards["answers"],
        **units,
    }


def assessment_notifications(people: People, year: int) -> list[tuple]:
    """What the assessments of ``year`` told: submitted to a reviewer of the
    province, accepted to the committee's officer (with the result). Only
    the current year's: the reference data set of the issue has about one
    notification per registration step and few besides."""
    from django.db.models import Count, Q

    from campaign.assessments.models import Assessment
    from campaign.registrations.choices import NotificationKind
    from units.models import Area

    areas = {a.pk: a for a in Area.objects.only("pk", "parent_id")}
    notes = []
    rows = (
        Assessment.objects.filter(year=year)
        .annotate(
            total=Count("answers"), met=Count("answers", filter=Q(answers__met=True))
        )
        .select_related("committee", "registration__organisation")
        .order_by("pk")
    )
    for a in rows:
        if a.submitted_at is None:
            continue
        province = _province_of(a.committee.area_id, areas)
        # A province without staff of its own (none here): the bench's.
        staff = people.staff_of.get(province) or [people.personas[STAFF].pk]
        params = {
            "unit": a.unit_name,
            "year": a.year,
            "committee": a.committee.short_name,
            "reason": "",
        }
        link = "assessments:assessment_detail"
        notes.append(
            (
                staff[a.pk % len(staff)],
                NotificationKind.ASSESSMENT_SUBMITTED,
                params,
                None,
                link,
                a.pk,
                a.submitted_at,
            )
        )
        if a.status == "accepted" and a.committee_id in people.officer_of:
            result = {**params, "result": f"đạt {a.met}/{a.total} tiêu chí"}
            notes.append(
                (
                    people.officer_of[a.committee_id],
                    NotificationKind.ASSESSMENT_ACCEPTED,
                    result,
                    None,
                    link,
                    a.pk,
                    a.decided_at,
                )
            )
    return notes


def write_notifications(
    notes: list[tuple], seed: int, clock: BenchClock, people: People
) -> dict:
    """The notifications, read some days later when they are old enough;
    those of recipients with an e-mail address sent (a few failed for good)."""
    from campaign.registrations.choices import EmailStatus
    from campaign.registrations.models import Notification

    rng = random.Random(seed * 7 + 3)
    rows = []
    for recipient, kind, params, registration_id, link_name, link_pk, at in notes:
        read = None
        if at < clock.latest - datetime.timedelta(days=10) and rng.random() < 0.85:
            read = clock.clamp(
                at
                + datetime.timedelta(days=rng.randrange(1, 6), hours=rng.randrange(9))
            )
        status, sent, attempts, error = EmailStatus.NOT_NEEDED, None, 0, ""
        if recipient in people.with_email:
            if rng.random() < 0.02:
                status, attempts = EmailStatus.FAILED, 5
                error = "SMTP 550: mailbox unavailable (dữ liệu benchmark)"
            else:
                status, attempts, sent = (
                    EmailStatus.SENT,
                    1,
                    clock.clamp(at + datetime.timedelta(minutes=1)),
                )
        rows.append(
            (
                recipient,
                str(kind),
                params,
                registration_id,
                link_name,
                link_pk,
                at,
                read,
                str(status),
                attempts,
                sent,
                error,
            )
        )
    names = ["recipient_id", "kind", "params", "registration_id", "link_name"]
    names += ["link_pk", "created_at", "read_at", "email_status", "email_attempts"]
    names += ["email_sent_at", "email_error"]
    # In time order, as they were made (ids follow the dates).
    rows.sort(key=lambda n: (n[6], n[0], n[1], n[5] or 0, n[3] or 0))
    copy_rows(Notification, names, rows)
    return {
        "notifications": len(rows),
        "by_kind": dict(sorted(Counter(r[1] for r in rows).items())),
    }


# --- Report jobs --------------------------------------------------------------------


def build_report_jobs(
    scale: Scale, seed: int, clock: BenchClock, people: People
) -> dict:
    """Report jobs as requesters leave them: done (a checksum, no file),
    failed (with a reason) and pending (asked in the last hour before the
    build's day). Their parameters come from the kinds' own forms, as a
    request stores them (each distinct request cleaned once)."""
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from campaign.committees.choices import MembershipRole
    from campaign.committees.models import Membership
    from reporting.choices import FailureReason, ReportKind
    from reporting.kinds import get_kind
    from reporting.models import ReportJob
    from reporting.services import params_key

    rng = random.Random(seed * 7 + 4)
    User = get_user_model()
    provincial = list(
        Membership.objects.filter(
            role__in=[MembershipRole.PROVINCIAL_STAFF, MembershipRole.LEADER]
        )
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    locals_ = sorted(people.officer_of.items())
    cleaned: dict[tuple, dict] = {}
    users: dict[int, object] = {}
    jobs = []
    outcomes = [o for o, _w in REPORT_OUTCOMES]
    weights = [w for _o, w in REPORT_OUTCOMES]
    reasons = list(FailureReason.values)
    skipped = 0
    for n in range(scale.report_jobs):
        local = rng.random() < 0.3
        if local:
            committee_id, user_id = rng.choice(locals_)
        else:
            committee_id, user_id = None, rng.choice(provincial)
        status = rng.choices(outcomes, weights)[0]
        if status == "pending":
            created = clock.latest - datetime.timedelta(minutes=5 + rng.randrange(50))
        else:
            created = clock.clamp(
                clock.at(datetime.date(2023, 3, 1), 8)
                + datetime.timedelta(
                    seconds=rng.randrange(
                        int(
                            (
                                clock.latest - clock.at(datetime.date(2023, 3, 1), 8)
                            ).total_seconds()
                        )
                    )
                )
            )
        day = created.astimezone(clock.tz).date()
        kind = (
            ReportKind.PHASE_PROGRESS
            if local or rng.random() < 0.6
            else ReportKind.AREA_CATALOGUE
        )
        data = {"as_of": day.isoformat(), "language": "vi"}
        if kind == ReportKind.PHASE_PROGRESS:
            data["phase"] = "2023-2025" if day.year <= 2025 else "2026-2030"
            if local:
                data["scope"] = str(committee_id)
        if user_id not in users:
            users[user_id] = User.objects.get(pk=user_id)
        key = (kind, tuple(sorted(data.items())), user_id if local else "province")
        if key not in cleaned:
            try:
                cleaned[key] = get_kind(kind).clean(data=data, user=users[user_id])
            except ValidationError:
                # Not a request the form takes (none with these parameters
                # so far): left out, and counted.
                skipped += 1
                continue
        params = {**cleaned[key], "issued_on": day.isoformat()}
        public_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        started = created + datetime.timedelta(seconds=2 + rng.randrange(30))
        finished = started + datetime.timedelta(seconds=3 + rng.randrange(60))
        job = ReportJob(
            public_id=public_id,
            kind=kind,
            params=params,
            params_key=params_key(kind=kind, params=params)
            if status != "pending"
            else _hash("pending", n),
            status=status,
            scope_committee_id=params.get("scope"),
            requested_by_id=user_id,
            created_at=created,
            enqueued_at=created,
            attempts=0 if status == "pending" else 1,
        )
        if status == "done":
            size = 40000 + rng.randrange(200000)
            job.progress, job.started_at, job.finished_at = 100, started, finished
            job.sha256 = _hash("pdf", public_id)
            job.file_size = size
        elif status == "failed":
            job.error_code = rng.choice(reasons)
            job.attempts = 3
            job.error_params = {"attempts": 3}
            job.error = "Dữ liệu benchmark: không có tệp."
            job.started_at, job.finished_at = started, finished
        jobs.append(job)
    with phase_data.dated(ReportJob):
        bulk(ReportJob, jobs, 1000)
    return {
        "report_jobs": len(jobs),
        "skipped_invalid": skipped,
        "by_status": dict(sorted(Counter(j.status for j in jobs).items())),
    }


# --- Personas' ids, counts, checksum -------------------------------------------------


def current_phase() -> dict:
    from campaign.planning.selectors.periods import (
        current_period,
        exemplary_programme,
        phases_of,
    )

    period = current_period(phases=phases_of(exemplary_programme()))
    if period is None:
        return {}
    return {
        "id": period.phase.pk,
        "label": str(period.phase),
        "key": f"{period.phase.start_year}-{period.phase.end_year}",
        "year": period.year,
    }


def persona_ids(username: str) -> dict:
    """A registration and an assessment the persona sees, through the scoped
    selectors (the ones the pages use): the latest approved registration
    and the latest accepted assessment of its scope (or the latest of any
    state)."""
    from django.contrib.auth import get_user_model

    from campaign.assessments.models import Assessment
    from campaign.assessments.selectors.assessments import assessment_scope_q
    from campaign.registrations.selectors.registrations import (
        registration_list_for_user,
    )

    user = get_user_model().objects.get(username=username)
    registrations = registration_list_for_user(user=user)
    registration = (
        registrations.filter(status="approved").order_by("-year", "-pk").first()
        or registrations.order_by("-pk").first()
    )
    assessments = Assessment.objects.filter(assessment_scope_q(user))
    assessment = (
        assessments.filter(status="accepted").order_by("-year", "-pk").first()
        or assessments.order_by("-pk").first()
    )
    memberships = list(user.memberships.select_related("committee").order_by("pk"))
    return {
        "username": username,
        "password_env": PASSWORD_ENV,
        "registration_pk": registration.pk if registration else None,
        "assessment_pk": assessment.pk if assessment else None,
        "registrations_visible": registrations.count(),
        "assessments_visible": assessments.count(),
        "is_superuser": user.is_superuser,
        "committee_id": memberships[0].committee_id if memberships else None,
        "committee": memberships[0].committee.short_name if memberships else "",
        "role": memberships[0].role
        if memberships
        else ("superuser" if user.is_superuser else ""),
    }


def counted_models() -> list:
    from django.apps import apps

    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label
        in {
            "auth",
            "committees",
            "units",
            "planning",
            "registrations",
            "assessments",
            "reporting",
        }
        or m._meta.app_label.startswith("campaign")
    ]


def table_counts() -> dict[str, int]:
    """Rows of every table of the app's models that holds any."""
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for model in counted_models():
            table = model._meta.db_table
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            n = cursor.fetchone()[0]
            if n:
                counts[table] = n
    return dict(sorted(counts.items()))


# Tables written by the build, and the columns left out of the checksum
# because the reference data or Django set them to the time of the build.
CHECKSUM_EXCLUDED = ("created_at", "updated_at", "published_at", "at", "date_joined")


def checksum() -> dict[str, str]:
    """An MD5 per table of every row (in id order, as JSON), the columns the
    build does not choose (times of the build itself, in the reference data)
    left out: equal for two builds from the same seed on the same day."""
    from django.db import connection

    from campaign.assessments.models import Answer, Assessment, AssessmentTransition
    from campaign.committees.models import Membership, SteeringCommittee, User
    from campaign.registrations.models import (
        Notification,
        Registration,
        RegistrationTransition,
    )
    from reporting.models import ReportJob
    from units.models import Area, AreaSuccession, Organisation, WardPolice

    own = {
        User,
        Membership,
        Organisation,
        Registration,
        RegistrationTransition,
        Notification,
        ReportJob,
        Registration.history.model,
    }
    models = [
        Area,
        AreaSuccession,
        WardPolice,
        SteeringCommittee,
        Assessment,
        Answer,
        AssessmentTransition,
        *own,
    ]
    sums = {}
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            excluded = (
                [] if model in own and model is not User else list(CHECKSUM_EXCLUDED)
            )
            if model is Assessment:
                excluded = []  # their times are the build's, set from its clock
            pk = q(model._meta.pk.column)
            cursor.execute(
                f"SELECT COUNT(*), md5(COALESCE(string_agg((to_jsonb(t) - %s::text[])::text, "
                f"E'\\n' ORDER BY t.{pk}), '')) FROM {q(table)} t",
                [excluded],
            )
            n, digest = cursor.fetchone()
            sums[table] = f"{n}:{digest}"
    return sums


def reset_sequences() -> None:
    """Every id sequence set just past its table's largest id: a build after
    a rolled-back one gets the ids a fresh database would give (the tests)."""
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(
            no_style(), counted_models()
        ):
            cursor.execute(statement)


# --- The whole build ----------------------------------------------------------------


def build(
    *,
    scale: Scale,
    seed: int,
    today: datetime.date,
    password: str,
    log: Callable[[str], None] = lambda _m: None,
) -> dict:
    """Everything above, in order, on the connected (migrated) database;
    returns the figures, the personas' ids and each step's time."""
    from django.conf import settings
    from django.db import transaction

    timings: dict[str, float] = {}
    started = time.perf_counter()

    @contextmanager
    def step(name: str):
        t = time.perf_counter()
        yield
        timings[name] = round(time.perf_counter() - t, 2)
        log(f"{name}: {timings[name]:.1f} s")

    clock = BenchClock(today)
    from campaign.assessments.models import Answer, Assessment, AssessmentTransition
    from campaign.committees.models import Membership
    from campaign.registrations.models import (
        Notification,
        Registration,
        RegistrationTransition,
    )
    from reporting.models import ReportJob
    from units.models import Organisation

    filled = [
        Membership,
        Organisation,
        Registration,
        RegistrationTransition,
        Registration.history.model,
        Assessment,
        Answer,
        AssessmentTransition,
        Notification,
        ReportJob,
    ]
    with transaction.atomic():
        with step("reference data and the 33 other provinces"):
            country = build_country(scale, seed)
        with loading(filled) as restored:
            with step("officers, staff, leaders, personas"):
                people = build_people(seed, clock, password)
            with step("organisations, registrations, steps, history"):
                registered = build_registrations(scale, seed, clock, people)
            notes = registered.pop("notifications")
            with step("assessments (ward police, units), answers, steps"):
                assessed = build_assessments(seed, clock, people)
            with step("notifications"):
                notes += assessment_notifications(people, today.year)
                notified = write_notifications(notes, seed, clock, people)
            with step("report jobs"):
                reports = build_report_jobs(scale, seed, clock, people)
        timings["indexes and foreign keys put back"] = restored.get("seconds", 0.0)
        t = time.perf_counter()
    timings["commit"] = round(time.perf_counter() - t, 2)
    timings["build total"] = round(time.perf_counter() - started, 2)
    codes = province_codes()
    return {
        "seed": seed,
        "built_on": today.isoformat(),
        "scale": asdict(scale),
        "province_codes": ",".join(codes),
        "province_codes_list": codes,
        "two_factor_required": settings.TWO_FACTOR_REQUIRED,
        "current_phase": current_phase(),
        "personas": {name: persona_ids(name) for name in PERSONAS},
        "country": country,
        "registrations": registered,
        "assessments": assessed,
        "notifications": notified,
        "report_jobs": reports,
        "timings": timings,
    }
