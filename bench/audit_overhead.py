"""Benchmark (issue 10): the overhead of the audit trail on a save -- the
ratio of a registration edit's time with the audit trail and without it.

The save is the real service, ``campaign.registrations.services.
registrations.registration_update`` (the edit of a draft: version check under
``SELECT ... FOR UPDATE``, the checks, ``full_clean``, ``save``, in one
transaction committed to PostgreSQL), called in this process as the view
calls it, by a local officer on their own registration. With the audit trail
it writes, besides the row, one django-simple-history row
(``HistoricalRegistration``) and one ``AuditEntry`` (``campaign.committees.
audit.record``). Four modes, in this process only:

* **on**: as shipped;
* **history off**: ``SIMPLE_HISTORY_ENABLED = False`` (simple-history's own
  switch, read by its ``post_save`` receiver);
* **audit entry off**: ``audit.record`` replaced by a no-op;
* **both off**: the two together -- the save without any audit trail.

``audit.snapshot`` and ``audit.changes`` (the before/after values handed to
``record``) still run in every mode; their cost is timed apart and printed.
Each mode is checked: the rows it writes per save (1 + 1 on, 0 + 0 both off).

Rounds are interleaved: each round runs N saves in each mode, the order of
the modes rotating from round to round, so that all four see the same
machine. Reported: per mode the median of the rounds' medians of wall time,
of this process's CPU time (``time.process_time``) and of the CPU time of the
PostgreSQL backend serving its connection (``/proc/<pid>/schedstat``), the
queries per save, and the ratios on ÷ both off (the figure), on ÷ history
off and on ÷ audit entry off (each part's share), with the range of the
per-round ratios. On a shared machine the wall times follow the other
processes; the CPU ratio (this process + its backend) hardly does.

Its own throw-away database (``--database``, default
``bcd138_h6_audit_bench``, 127.0.0.1, user postgres; the name must end in
``bench``): dropped and created, ``migrate``, ``load_areas``,
``load_reference_data``, one officer and one draft registration (a new
organisation of its commune) made through the services; dropped at the end
(``--keep`` keeps it).

Usage (from the project root):
    .venv/bin/python bench/audit_overhead.py                 # 20 rounds x 25 saves
    .venv/bin/python bench/audit_overhead.py --rounds 40 --saves 25 --json /tmp/audit.json
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402

MODES = ("on", "history off", "audit entry off", "both off")
HOST = "127.0.0.1"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--saves", type=int, default=25, help="per mode and round")
    parser.add_argument("--warmup", type=int, default=20, help="saves per mode first")
    parser.add_argument("--database", default="bcd138_h6_audit_bench")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json", type=Path)
    return parser.parse_args()


def admin_sql(statement: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    if not name.endswith("bench") or name in ("bcd138", "postgres"):
        sys.exit(f"{name!r}: use a throw-away database whose name ends in 'bench'")
    with psycopg.connect(
        host=HOST, port=5432, user="postgres", dbname="postgres", autocommit=True
    ) as connection:
        connection.execute(sql.SQL(statement).format(sql.Identifier(name)))


def configure(database: str, media: Path) -> None:
    os.chdir(_common.ROOT)
    if str(_common.ROOT) not in sys.path:
        sys.path.insert(0, str(_common.ROOT))
    for key in ("CELERY_BROKER_URL", "CACHE_URL"):
        os.environ.pop(key, None)  # Celery eager, the cache in the process
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"postgres://postgres@{HOST}:5432/{database}",
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "testserver",
            "PRIVATE_MEDIA_ROOT": str(media),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
        }
    )


def backend_cpu(pid: int) -> float:
    """CPU seconds of the PostgreSQL backend ``pid`` (the scheduler's own
    nanoseconds on the CPU)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9


def build():
    """The officer and the draft registration the saves edit."""
    from django.core.management import call_command

    from campaign.committees.access import SYSTEM
    from campaign.committees.choices import CommitteeLevel, MembershipRole
    from campaign.committees.models import SteeringCommittee
    from campaign.committees.services.accounts import account_create
    from campaign.demo.registrations import demo_document
    from campaign.planning.selectors.periods import (
        current_period,
        exemplary_programme,
        phases_of,
    )
    from campaign.registrations.services import registrations as services

    quiet = io.StringIO()
    call_command("migrate", verbosity=0, interactive=False, stdout=quiet)
    call_command("load_areas", verbosity=0, stdout=quiet)
    call_command("load_reference_data", verbosity=0, stdout=quiet)
    committee = (
        SteeringCommittee.objects.filter(
            level=CommitteeLevel.COMMUNE, valid_to__isnull=True
        )
        .select_related("area")
        .order_by("area__key")
        .first()
    )
    user = account_create(
        username="bench.audit",
        first_name="Đo",
        last_name="Cán bộ",
        email="bench.audit@bench.angiang.invalid",
        password=f"Bench-audit-{os.urandom(8).hex()}",
        committee=committee,
        role=MembershipRole.LOCAL_OFFICER,
        by=SYSTEM,
    )
    programme = exemplary_programme()
    year = current_period(phases=phases_of(programme)).year
    name = "Cơ quan đo nhật ký"
    registration = services.registration_create(
        programme=programme,
        year=year,
        new_organisation=services.NewOrganisation(
            name=name, kind="agency", area=committee.area
        ),
        contact_name="Nguyễn Văn Đo",
        contact_phone="0296 3852 123",
        plan_summary="Kế hoạch ban đầu.",
        document=demo_document(name),
        by=user,
    )
    return user, registration


class Modes:
    """Switch the audit trail's two parts off in this process only."""

    def __init__(self):
        from django.test.utils import override_settings

        from campaign.committees import audit

        self.audit = audit
        self.original_record = audit.record
        self.override = override_settings(SIMPLE_HISTORY_ENABLED=False)
        self.current = "on"

    def set(self, mode: str) -> None:
        if self.current in ("history off", "both off"):
            self.override.disable()
        self.audit.record = self.original_record
        if mode in ("history off", "both off"):
            self.override.enable()
        if mode in ("audit entry off", "both off"):
            self.audit.record = lambda **kwargs: None
        self.current = mode


def main() -> int:
    args = parse_args()
    media = Path(tempfile.mkdtemp(prefix="bcd138-audit-bench-"))
    configure(args.database, media)
    admin_sql("DROP DATABASE IF EXISTS {} WITH (FORCE)", args.database)
    admin_sql("CREATE DATABASE {}", args.database)
    try:
        import django

        django.setup()
        return run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin_sql("DROP DATABASE IF EXISTS {} WITH (FORCE)", args.database)
        import shutil

        shutil.rmtree(media, ignore_errors=True)


def run(args) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from campaign.committees import audit
    from campaign.committees.models import AuditEntry
    from campaign.registrations.models import Registration
    from campaign.registrations.services import registrations as services

    started = time.perf_counter()
    user, registration = build()
    built = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg_version = cursor.fetchone()[0].split(" on ")[0]
        cursor.execute("SHOW synchronous_commit")
        synchronous_commit = cursor.fetchone()[0]
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    modes = Modes()
    counter = {"n": 0}

    def save() -> tuple[float, float, float]:
        counter["n"] += 1
        current = Registration.objects.only("pk", "version").get(pk=registration.pk)
        b0 = backend_cpu(backend)
        t0, c0 = time.perf_counter(), time.process_time()
        services.registration_update(
            registration=current,
            expected_version=current.version,
            by=user,
            plan_summary=f"Kế hoạch sửa lần {counter['n']}: tuyên truyền, tuần tra.",
            contact_name=f"Nguyễn Văn Đo {counter['n'] % 7}",
        )
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        return wall, cpu, backend_cpu(backend) - b0

    def rows() -> tuple[int, int]:
        return (
            Registration.history.filter(id=registration.pk).count(),
            AuditEntry.objects.filter(actor=user).count(),
        )

    # Warm-up, the rows each mode writes, the queries of a save.
    written, queries = {}, {}
    for mode in MODES:
        modes.set(mode)
        for _ in range(args.warmup):
            save()
        history0, audit0 = rows()
        with CaptureQueriesContext(connection) as captured:
            save()
        history1, audit1 = rows()
        written[mode] = (history1 - history0, audit1 - audit0)
        queries[mode] = len(captured.captured_queries)
    modes.set("on")
    expected = {
        "on": (1, 1),
        "history off": (0, 1),
        "audit entry off": (1, 0),
        "both off": (0, 0),
    }
    if written != expected:
        print(f"The modes did not switch as intended: {written}", file=sys.stderr)
        return 1

    # The snapshot and diff handed to audit.record (run in every mode).
    fields = services.AUDITED_FIELDS
    current = Registration.objects.get(pk=registration.pk)
    t0 = time.perf_counter()
    for _ in range(1000):
        before = audit.snapshot(current, fields)
        audit.changes(current, before)
    diff_seconds = (time.perf_counter() - t0) / 1000

    # Interleaved rounds.
    wall = {m: [] for m in MODES}
    cpu = {m: [] for m in MODES}
    pg_cpu = {m: [] for m in MODES}
    total_cpu = {m: [] for m in MODES}
    load_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
    for r in range(args.rounds):
        order = MODES[r % len(MODES) :] + MODES[: r % len(MODES)]
        for mode in order:
            modes.set(mode)
            times = [save() for _ in range(args.saves)]
            wall[mode].append(statistics.median(t[0] for t in times))
            cpu[mode].append(statistics.median(t[1] for t in times))
            pg_cpu[mode].append(statistics.median(t[2] for t in times))
            total_cpu[mode].append(statistics.median(t[1] + t[2] for t in times))
    modes.set("on")
    load_end = " ".join(f"{x:.2f}" for x in os.getloadavg())

    med = {m: statistics.median(wall[m]) for m in MODES}
    med_cpu = {m: statistics.median(cpu[m]) for m in MODES}
    med_pg = {m: statistics.median(pg_cpu[m]) for m in MODES}
    med_total = {m: statistics.median(total_cpu[m]) for m in MODES}

    def per_round(a: str, b: str, series=wall) -> list[float]:
        return [x / y for x, y in zip(series[a], series[b], strict=True)]

    ratios = {
        "on ÷ both off": per_round("on", "both off"),
        "on ÷ history off": per_round("on", "history off"),
        "on ÷ audit entry off": per_round("on", "audit entry off"),
        "on ÷ both off, CPU": per_round("on", "both off", total_cpu),
        "on ÷ history off, CPU": per_round("on", "history off", total_cpu),
        "on ÷ audit entry off, CPU": per_round("on", "audit entry off", total_cpu),
    }
    result = {
        "rounds": args.rounds,
        "saves_per_mode_and_round": args.saves,
        "database": f"{pg_version}, synchronous_commit={synchronous_commit}",
        "built_seconds": round(built, 1),
        "load_average": [load_start, load_end],
        "modes": {
            m: {
                "wall_ms_median": med[m] * 1000,
                "cpu_ms_median": med_cpu[m] * 1000,
                "postgres_cpu_ms_median": med_pg[m] * 1000,
                "total_cpu_ms_median": med_total[m] * 1000,
                "queries_per_save": queries[m],
                "history_rows_per_save": written[m][0],
                "audit_entries_per_save": written[m][1],
                "round_medians_ms": [x * 1000 for x in wall[m]],
            }
            for m in MODES
        },
        "ratio_wall": med["on"] / med["both off"],
        "ratio_cpu": med_total["on"] / med_total["both off"],
        "ratio_cpu_history": med_total["on"] / med_total["history off"],
        "ratio_cpu_audit_entry": med_total["on"] / med_total["audit entry off"],
        "ratio_history": med["on"] / med["history off"],
        "ratio_audit_entry": med["on"] / med["audit entry off"],
        "per_round_ratios": {k: [round(x, 3) for x in v] for k, v in ratios.items()},
        "snapshot_and_diff_ms": diff_seconds * 1000,
    }
    report(result, ratios)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    return 0


def report(result: dict, ratios: dict) -> None:
    print("## The audit trail's overhead on a save (registration edit)\n")
    print(
        f"{result['rounds']} interleaved rounds × {result['saves_per_mode_and_round']} "
        f"saves per mode (`registration_update` through the service, each its own "
        f"transaction); {result['database']}; load average at start / end "
        f"{result['load_average'][0]} / {result['load_average'][1]} (2 cores, shared).\n"
    )
    print(
        "| mode | wall ms | CPU ms, this process | CPU ms, PostgreSQL backend "
        "| CPU ms, both | queries per save | history rows per save "
        "| audit entries per save |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for mode, row in result["modes"].items():
        print(
            f"| {mode} | {row['wall_ms_median']:.2f} | {row['cpu_ms_median']:.2f} | "
            f"{row['postgres_cpu_ms_median']:.2f} | {row['total_cpu_ms_median']:.2f} | "
            f"{row['queries_per_save']} | {row['history_rows_per_save']} | "
            f"{row['audit_entries_per_save']} |"
        )
    print()
    print("(medians of the rounds' medians)\n")
    print(
        "| ratio | wall, of the medians | wall per round: median (min – max) "
        "| CPU (process + backend), of the medians | CPU per round: median (min – max) |"
    )
    print("|---|---|---|---|---|")
    figures = {
        "on ÷ both off (the audit trail)": (
            "on ÷ both off",
            result["ratio_wall"],
            result["ratio_cpu"],
        ),
        "on ÷ history off (simple-history's part)": (
            "on ÷ history off",
            result["ratio_history"],
            result["ratio_cpu_history"],
        ),
        "on ÷ audit entry off (the AuditEntry's part)": (
            "on ÷ audit entry off",
            result["ratio_audit_entry"],
            result["ratio_cpu_audit_entry"],
        ),
    }
    for label, (key, wall, cpu) in figures.items():
        w, c = ratios[key], ratios[f"{key}, CPU"]
        print(
            f"| {label} | **{wall:.2f}** | {statistics.median(w):.2f} "
            f"({min(w):.2f} – {max(w):.2f}) | **{cpu:.2f}** | "
            f"{statistics.median(c):.2f} ({min(c):.2f} – {max(c):.2f}) |"
        )
    print()
    print(
        f"`audit.snapshot` + `audit.changes` (run in every mode): "
        f"{result['snapshot_and_diff_ms'] * 1000:.0f} µs per save.\n"
    )


if __name__ == "__main__":
    sys.exit(main())
