"""Benchmark: the registration list with 20,000 registrations.

Requirement (issue 4): with 20,000 registrations the list page runs a constant
number of queries; its throughput under gunicorn on PostgreSQL is reported as a
ratio to a bare Django view measured in the same run, and against Django
admin's changelist of the same registrations — ours must be faster than the
admin.

What it does:

1. Sets up a dedicated PostgreSQL database (default ``bcd138_reg_bench`` on
   127.0.0.1; created if missing, migrated, areas loaded, committees and the
   plan seeded) and fills it with N registrations (default 20,000) with
   ``bulk_create``: years 2023–2025, every kind, every status, the 11 district
   committees and the provincial one. Communes, wards and townships are
   registered once per year each; the rest are agencies, enterprises and
   schools (``Organisation`` rows created for the purpose), so the database's
   one-unit-per-year constraints hold. Kept between runs; ``--regenerate``
   rebuilds it. ``VACUUM ANALYZE`` afterwards.
2. Two users: ``bench-staff`` (superuser, so the admin works, and a
   ``provincial_staff`` membership of the provincial committee) and
   ``bench-provincial`` (the same membership, not a superuser: the usual
   provincial user, one membership query per request more).
3. Query counts, in this process (Django test ``Client`` +
   ``CaptureQueriesContext``): our list, the admin changelist and the bare view
   at N rows, then again at 200 rows (the others deleted inside a transaction
   that is rolled back). With ``--explain``, EXPLAIN (ANALYZE, BUFFERS) of every
   query touching ``registrations_registration``.
4. Throughput: ``collectstatic`` to a temporary STATIC_ROOT (DEBUG is off, as in
   production), one gunicorn (``bench.bare_wsgi``: the project plus a bare view,
   ``-w 2`` sync workers, 127.0.0.1 only), a real log-in with ``requests`` for
   the session cookie, then ``wrk`` (bounded: ``-d`` seconds, ``-c``
   connections, one thread) on each page in turn, for ``--rounds`` rounds in
   rotating order, after a warm-up. Pages: the bare view (``/bench/bare/``),
   our ``/registrations/`` (both users) and ``/admin/registrations/registration/``
   (first pages, 50 rows each).

Reports req/s (median of rounds), p50/p99 latency (wrk ``--latency``), the
ratios ours/bare and ours/admin, and PASS if ours is faster than the admin.

Usage (from the project root; needs ``wrk``: ``apt-get install -y wrk``):
    .venv/bin/python bench/registration_list.py [--rounds 3 --duration 10]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bcd138_reg_bench"
STAFF_USERNAME = "bench-staff"
PROVINCIAL_USERNAME = "bench-provincial"
# A local, throw-away benchmark database: the password only guards 127.0.0.1.
BENCH_PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-only-Pa55word-138")
SMALL = 200
YEARS = (2023, 2024, 2025)
# Draft, submitted, returned, approved, withdrawn.
STATUS_WEIGHTS = (15, 25, 10, 40, 10)
ORGANISATION_PREFIXES = {
    "agency": (
        "Phòng Văn hóa – Thông tin",
        "Trung tâm Y tế",
        "Chi cục Thuế khu vực",
        "Phòng Tài nguyên và Môi trường",
        "Ban Quản lý chợ",
    ),
    "enterprise": (
        "Công ty TNHH Thương mại Dịch vụ",
        "Công ty Cổ phần Xuất nhập khẩu Thủy sản",
        "Doanh nghiệp tư nhân Phước Thành",
        "Hợp tác xã Nông nghiệp",
    ),
    "school": (
        "Trường Tiểu học",
        "Trường Trung học cơ sở",
        "Trường Trung học phổ thông",
        "Trường Mầm non",
    ),
}
FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Lâm")
GIVEN_NAMES = ("Văn An", "Thị Hoa", "Minh Tâm", "Thanh Hải", "Thị Lan", "Quốc Bảo")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=20_000)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds per page")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument(
        "--with-index",
        action="store_true",
        help="add the proposed index on (year DESC, unit_kind, unit_name, id) "
        "for this run only",
    )
    parser.add_argument("--no-http", action="store_true", help="query counts only")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not 200 <= args.registrations <= 100_000:
        parser.error("--registrations must be between 200 and 100000")
    if not 1 <= args.rounds <= 10 or not 1 <= args.duration <= 120:
        parser.error("--rounds 1..10, --duration 1..120")
    if not 1 <= args.connections <= 32 or not 1 <= args.workers <= 8:
        parser.error("--connections 1..32, --workers 1..8")
    return args


# --- database --------------------------------------------------------------------


def ensure_database(database_url: str) -> None:
    from urllib.parse import urlsplit

    name = urlsplit(database_url).path.strip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        sys.exit(f"{name!r}: use a plain database name (a-z, 0-9, _).")
    found = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-Atqc",
            f"SELECT 1 FROM pg_database WHERE datname = '{name}'",  # noqa: S608 - checked above
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if found != "1":
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True
        )


def prepare_schema() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_areas", verbosity=0)


def seed():
    from campaign.planning.selectors.periods import exemplary_programme

    committees = _common.reference_committees()
    programme = exemplary_programme()
    phase = programme.plan.phases.get(start_year=2023)
    return committees, programme, phase


def bench_users(committees):
    from django.contrib.auth import get_user_model

    from campaign.committees.access import forget
    from campaign.committees.choices import MembershipRole
    from campaign.committees.models import Membership

    users = []
    for username, superuser in ((STAFF_USERNAME, True), (PROVINCIAL_USERNAME, False)):
        user, _ = get_user_model().objects.update_or_create(
            username=username,
            defaults={
                "is_active": True,
                "is_staff": superuser,
                "is_superuser": superuser,
                "first_name": "Bench",
                "last_name": "Staff",
            },
        )
        if not user.check_password(BENCH_PASSWORD):
            user.set_password(BENCH_PASSWORD)
            user.save(update_fields=["password"])
        Membership.objects.update_or_create(
            user=user,
            committee=committees.province_current,
            defaults={"role": MembershipRole.PROVINCIAL_STAFF},
        )
        forget(user)
        users.append(user)
    return users


def _moment(rng: random.Random, year: int, after: datetime.datetime | None = None):
    from django.utils import timezone

    start = after or datetime.datetime(
        year, 3, 1, 8, tzinfo=timezone.get_current_timezone()
    )
    return start + datetime.timedelta(minutes=rng.randrange(0, 200 * 24 * 60))


def generate(*, count: int, committees, programme, phase, user) -> dict:
    """Fill the database with ``count`` registrations (see the module doc)."""
    from django.db import connection, transaction

    from campaign.planning.choices import UnitKind
    from campaign.registrations.choices import RegistrationStatus
    from campaign.registrations.models import Registration
    from campaign.registrations.selectors.registrations import (
        REGISTRABLE_AREA_KINDS,
        scope_day,
    )
    from units.models import Area, Organisation
    from units.selectors import valid_on_q
    from units.text import fold

    rng = random.Random(138)
    statuses = list(RegistrationStatus.values)
    by_district = committees.districts  # area key -> committee
    district_areas = {c.area_id: c for c in by_district.values()}

    def registration(*, committee, unit_kind, unit_name, year, **unit):
        status = rng.choices(statuses, weights=STATUS_WEIGHTS)[0]
        submitted = None if status == RegistrationStatus.DRAFT else _moment(rng, year)
        decided = (
            _moment(rng, year, after=submitted)
            if status in (RegistrationStatus.APPROVED, RegistrationStatus.RETURNED)
            else None
        )
        contact = f"{rng.choice(FAMILY_NAMES)} {rng.choice(GIVEN_NAMES)}"
        return Registration(
            committee=committee,
            unit_kind=unit_kind,
            unit_name=unit_name,
            search_name=fold(unit_name),
            programme=programme,
            phase=phase,
            year=year,
            contact_name=contact,
            contact_search=fold(contact),
            contact_phone=f"09{rng.randrange(10**8):08d}",
            plan_summary="Duy trì tổ tự quản, camera an ninh, tuần tra ban đêm.",
            status=status,
            submitted_at=submitted,
            decided_at=decided,
            created_by=user,
            updated_by=user,
            **unit,
        )

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE registrations_registration, "
                "registrations_registrationtransition, registrations_notification, "
                "registrations_historicalregistration "
                # Tables added since (assessments, recognitions...) point at
                # the registrations: PostgreSQL truncates them too or refuses.
                "RESTART IDENTITY CASCADE"
            )
        Organisation.objects.all().delete()

        rows: list[Registration] = []
        # Communes, wards and townships: each once a year, by its district.
        for year in YEARS:
            areas = Area.objects.filter(
                valid_on_q(scope_day(year)),
                kind__in=REGISTRABLE_AREA_KINDS,
                parent_id__in=district_areas,
            ).select_related("parent")
            for area in areas:
                rows.append(
                    registration(
                        committee=district_areas[area.parent_id],
                        unit_kind=UnitKind(area.kind),
                        unit_name=area.full_name,
                        year=year,
                        area=area,
                    )
                )
        # Agencies, enterprises and schools: enough organisations for the rest,
        # each registered once a year.
        remaining = count - len(rows)
        needed = -(-remaining // len(YEARS))
        communes = list(
            Area.objects.filter(
                valid_on_q(scope_day(2023)),
                kind__in=REGISTRABLE_AREA_KINDS,
                parent_id__in=district_areas,
            ).order_by("pk")
        )
        province_area = committees.province_2023.area
        kinds = list(ORGANISATION_PREFIXES)
        organisations = []
        for i in range(needed):
            area = communes[i % len(communes)]
            kind = kinds[i % len(kinds)]
            prefix = ORGANISATION_PREFIXES[kind][
                (i // 3) % len(ORGANISATION_PREFIXES[kind])
            ]
            name = f"{prefix} {area.name} số {i + 1}"
            # One in twelve is a provincial body, registered by the province.
            managed_by_id = province_area.pk if i % 12 == 0 else area.parent_id
            organisations.append(
                Organisation(
                    name=name,
                    kind=kind,
                    area=area,
                    managed_by_id=managed_by_id,
                    search_name=fold(name),
                )
            )
        organisations = Organisation.objects.bulk_create(organisations, batch_size=2000)
        for year in YEARS:
            for organisation in organisations:
                if len(rows) >= count:
                    break
                committee = (
                    committees.province_2023
                    if organisation.managed_by_id == province_area.pk
                    else district_areas[organisation.managed_by_id]
                )
                rows.append(
                    registration(
                        committee=committee,
                        unit_kind=organisation.kind,
                        unit_name=organisation.name,
                        year=year,
                        organisation=organisation,
                    )
                )
        Registration.objects.bulk_create(rows[:count], batch_size=2000)
    return {"organisations": len(organisations)}


def vacuum_analyze() -> None:
    """Fresh statistics and visibility map (index-only scans), for both pages
    alike: after the bulk insert and after the rolled-back DELETE below."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("registrations_registration", "units_organisation"):
            cursor.execute(f"VACUUM ANALYZE {table}")


ORDER_INDEX = "bench_registration_list_order"


def set_order_index(present: bool) -> None:
    """``--with-index``: the index proposed in docs/benchmarks.md, created for
    this run only (dropped at the end; the schema stays the migrations')."""
    from django.db import connection

    with connection.cursor() as cursor:
        if present:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {ORDER_INDEX} ON registrations_registration "
                "(year DESC, unit_kind, unit_name, id)"
            )
        else:
            cursor.execute(f"DROP INDEX IF EXISTS {ORDER_INDEX}")


def data_summary() -> dict:
    from django.db.models import Count

    from campaign.registrations.models import Registration

    def by(field):
        return dict(
            Registration.objects.values_list(field)
            .annotate(n=Count("pk"))
            .order_by(field)
            .values_list(field, "n")
        )

    return {
        "total": Registration.objects.count(),
        "by_year": by("year"),
        "by_status": by("status"),
        "by_kind": by("unit_kind"),
        "committees": Registration.objects.values("committee").distinct().count(),
    }


# --- query counts, in process --------------------------------------------------------

PAGES = {
    "bare": "/bench/bare/",
    "ours": "/registrations/",
    "admin": "/admin/registrations/registration/",
}


def captured_queries(user, path: str):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    client.get(path)  # warm (first-request imports, caches)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} as {user.username} -> {response.status_code}")
    client.logout()
    return [q["sql"] for q in captured.captured_queries]


def explain(sql: str) -> tuple[float, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    found = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return (float(found.group(1)) if found else float("nan")), plan


def query_counts(users, *, explain_plans: bool) -> dict:
    from django.db import connection, transaction

    staff, provincial = users
    cases = [
        ("ours", staff, PAGES["ours"]),
        ("ours (non-superuser provincial staff)", provincial, PAGES["ours"]),
        ("admin", staff, PAGES["admin"]),
        ("bare", staff, PAGES["bare"]),
    ]
    result: dict = {"full": {}, "small": {}, "explain": {}}
    for name, user, path in cases:
        queries = captured_queries(user, path)
        result["full"][name] = len(queries)
        if explain_plans and name in ("ours", "admin"):
            result["explain"][name] = [
                (sql, *explain(sql))
                for sql in queries
                if "registrations_registration" in sql
            ]
    # The same at SMALL rows: delete the rest inside a transaction, then roll
    # back. Raw SQL: Registration's delete signal (simple-history) is not wanted.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM registrations_registration WHERE id NOT IN "
                "(SELECT id FROM registrations_registration ORDER BY id LIMIT %s)",
                [SMALL],
            )
        for name, user, path in cases:
            result["small"][name] = len(captured_queries(user, path))
        transaction.set_rollback(True)
    return result


# --- HTTP ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    def __init__(self, *, workers: int, log_dir: Path):
        import requests

        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / "gunicorn.log"
        env = {
            **os.environ,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "bench.bare_wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--log-level",
                "warning",
            ],
            cwd=_common.ROOT,
            env=env,
            stdout=self.log_path.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    "gunicorn exited:\n" + self.log_path.read_text(errors="replace")
                )
            try:
                if requests.get(self.base + "/healthz/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                self.close()
                raise RuntimeError("gunicorn not answering after 30 s")
            time.sleep(0.2)

    def log_in(self, username: str) -> str:
        """A real log-in through the login form; returns the session cookie."""
        import requests
        from django.conf import settings

        session = requests.Session()
        page = session.get(self.base + "/login/", timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if token is None:
            raise RuntimeError("no CSRF token on the login page")
        response = session.post(
            self.base + "/login/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "username": username,
                "password": BENCH_PASSWORD,
                "next": "/",
            },
            headers={"Referer": self.base + "/login/"},
            allow_redirects=False,
            timeout=30,
        )
        cookie = session.cookies.get(settings.SESSION_COOKIE_NAME)
        if response.status_code != 302 or not cookie:
            raise RuntimeError(f"log-in as {username} failed ({response.status_code})")
        return f"{settings.SESSION_COOKIE_NAME}={cookie}"

    def check(self, path: str, cookie: str, marker: str) -> int:
        import requests

        response = requests.get(
            self.base + path,
            headers={"Cookie": cookie},
            allow_redirects=False,
            timeout=30,
        )
        if response.status_code != 200 or marker not in response.text:
            raise RuntimeError(
                f"GET {path} -> {response.status_code}, marker {marker!r} missing"
            )
        return len(response.content)

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _to_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url: str, cookie: str, *, duration: int, connections: int) -> dict:
    output = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "--latency",
            "-H",
            f"Cookie: {cookie}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 60,
    ).stdout
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", output, re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)$", output, re.MULTILINE)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50_ms": _to_ms(latency["50"]),
        "p90_ms": _to_ms(latency["90"]),
        "p99_ms": _to_ms(latency["99"]),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


def http_benchmark(args, log_dir: Path) -> dict:
    server = Gunicorn(workers=args.workers, log_dir=log_dir)
    try:
        staff_cookie = server.log_in(STAFF_USERNAME)
        provincial_cookie = server.log_in(PROVINCIAL_USERNAME)
        targets = [
            ("bare", PAGES["bare"], staff_cookie, "ok"),
            ("ours", PAGES["ours"], staff_cookie, 'id="results-heading"'),
            (
                "ours (non-superuser provincial staff)",
                PAGES["ours"],
                provincial_cookie,
                'id="results-heading"',
            ),
            ("admin", PAGES["admin"], staff_cookie, 'id="result_list"'),
        ]
        sizes = {name: server.check(path, c, m) for name, path, c, m in targets}
        for _name, path, cookie, _marker in targets:
            wrk(
                server.base + path,
                cookie,
                duration=args.warmup,
                connections=args.connections,
            )
        runs: dict[str, list[dict]] = {name: [] for name, *_ in targets}
        for round_no in range(args.rounds):
            shift = round_no % len(targets)
            for name, path, cookie, _marker in targets[shift:] + targets[:shift]:
                runs[name].append(
                    wrk(
                        server.base + path,
                        cookie,
                        duration=args.duration,
                        connections=args.connections,
                    )
                )
        for _name, path, cookie, marker in targets:  # still signed in and correct
            server.check(path, cookie, marker)
        return {"sizes": sizes, "runs": runs}
    finally:
        server.close()


def median_of(runs: list[dict], key: str) -> float:
    return _common.median([r[key] for r in runs])


# --- report ---------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    os.environ.setdefault("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")
    env = _common.configure(broker=False)
    machine = _common.machine_info()  # the load average before this run
    if not args.no_http and shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install -y wrk), or use --no-http.")
    static_root = _common.make_temp_dir("bcd138-bench-static-")
    os.environ["STATIC_ROOT"] = str(static_root)
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    ensure_database(env["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from campaign.registrations.models import Registration

    log_dir = _common.make_temp_dir("bcd138-bench-reg-")
    try:
        prepare_schema()
        call_command("collectstatic", interactive=False, verbosity=0)
        committees, programme, phase = seed()
        users = bench_users(committees)
        generated = None
        if args.regenerate or Registration.objects.count() != args.registrations:
            t0 = time.perf_counter()
            generated = generate(
                count=args.registrations,
                committees=committees,
                programme=programme,
                phase=phase,
                user=users[0],
            )
            generated["seconds"] = time.perf_counter() - t0
        set_order_index(args.with_index)
        vacuum_analyze()
        summary = data_summary()
        counts = query_counts(users, explain_plans=args.explain)
        vacuum_analyze()
        http = None if args.no_http else http_benchmark(args, log_dir)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg_version = cursor.fetchone()[0]
        # The benchmark's own sessions (two log-ins, the in-process clients):
        # the database is the benchmark's alone.
        from django.contrib.sessions.models import Session

        Session.objects.all().delete()
    finally:
        if args.with_index:
            set_order_index(False)
        _common.remove_temp_dirs()

    wrk_version = _common._run("wrk", "-v").splitlines()
    print("# Registration list benchmark (`bench/registration_list.py`)\n")
    print(
        f"Run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M:%S} UTC; database "
        f"{env['DATABASE_URL']} (PostgreSQL {pg_version}); "
        f"{summary['total']:,} registrations"
        + (
            f" (generated now in {generated['seconds']:.1f} s, "
            f"{generated['organisations']:,} organisations)"
            if generated
            else " (kept from an earlier run)"
        )
        + f"; by year {summary['by_year']}; by status {summary['by_status']}; "
        f"by kind {summary['by_kind']}; {summary['committees']} registering committees"
        + (
            f"; **with the proposed index** `{ORDER_INDEX}` on "
            "(year DESC, unit_kind, unit_name, id), for this run only"
            if args.with_index
            else "; schema as migrated"
        )
        + ".\n"
    )
    print("| machine | value |")
    print("|---|---|")
    for key, value in machine:
        print(f"| {key} | {value} |")
    print(f"| wrk | {wrk_version[0] if wrk_version else '?'} |")
    print(
        f"| gunicorn | {_common._run(str(Path(sys.executable).with_name('gunicorn')), '--version')} |\n"
    )

    print("## Queries per page (in process, `CaptureQueriesContext`)\n")
    print(f"| page | at {summary['total']:,} rows | at {SMALL} rows | constant |")
    print("|---|---|---|---|")
    for name, full in counts["full"].items():
        small = counts["small"][name]
        print(f"| {name} | {full} | {small} | {'yes' if full == small else '**no**'} |")
    print()
    constant = counts["full"]["ours"] == counts["small"]["ours"]

    if counts["explain"]:
        print("## EXPLAIN ANALYZE of the queries on `registrations_registration`\n")
        for name, plans in counts["explain"].items():
            total = sum(ms for _sql, ms, _plan in plans)
            print(
                f"### {name}: {len(plans)} queries, {total:.2f} ms execution in all\n"
            )
            for sql, ms, plan in plans:
                print(f"* {ms:.2f} ms — `{sql[:160]}…`\n")
                print("```\n" + plan + "\n```\n")

    verdict = "PASS" if constant else "FAIL"
    if http:
        runs = http["runs"]
        bare = median_of(runs["bare"], "rps")
        admin = median_of(runs["admin"], "rps")
        ours = median_of(runs["ours"], "rps")
        print(
            f"## Throughput under gunicorn (`bench.bare_wsgi`, {args.workers} sync "
            f"workers, DEBUG off), wrk -t1 -c{args.connections}, {args.rounds} rounds "
            f"× {args.duration} s per page, rotating order, after a {args.warmup} s "
            "warm-up per page\n"
        )
        print(
            "| page | response | req/s (median of rounds) | rounds | p50 | p99 "
            "| ÷ bare | ours ÷ this |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for name, name_runs in runs.items():
            rps = median_of(name_runs, "rps")
            rounds = ", ".join(f"{r['rps']:.1f}" for r in name_runs)
            print(
                f"| {name} | {http['sizes'][name]:,} B | **{rps:.1f}** | {rounds} "
                f"| {median_of(name_runs, 'p50_ms'):.1f} ms "
                f"| {median_of(name_runs, 'p99_ms'):.1f} ms | {rps / bare:.3f} "
                f"| {ours / rps:.2f} |"
            )
        bad = {
            name: (sum(r["non_2xx"] for r in rs), {r["socket_errors"] for r in rs})
            for name, rs in runs.items()
        }
        print()
        print(
            "Non-2xx responses / socket errors per page: "
            + "; ".join(
                f"{n}: {b[0]} / {', '.join(sorted(b[1])) or 'none'}"
                for n, b in bad.items()
            )
            + "\n"
        )
        faster = ours > admin
        errors = any(b[0] for b in bad.values())
        verdict = "PASS" if constant and faster and not errors else "FAIL"
        print(
            f"Verdict (constant queries, ours faster than the admin changelist): "
            f"**{verdict}** — ours {ours:.1f} req/s = {ours / admin:.2f} × admin "
            f"({admin:.1f} req/s), {ours / bare:.3f} × the bare view ({bare:.1f} req/s); "
            f"queries {counts['full']['ours']} at {summary['total']:,} rows, "
            f"{counts['small']['ours']} at {SMALL}."
        )
    else:
        print(f"Verdict (constant queries): **{verdict}**")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "env": env,
                    "summary": summary,
                    "counts": {k: v for k, v in counts.items() if k != "explain"},
                    "http": http,
                    "verdict": verdict,
                },
                indent=2,
                default=str,
            )
        )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
