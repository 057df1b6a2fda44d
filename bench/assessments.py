"""Benchmark: assessments and the target engine at national scale (issue 8).

Requirement (issue 8): "An assessment page with 34 criteria and their
evidence runs a constant number of queries; the target engine for the whole
province runs a number of queries independent of the number of wards and
years. At national scale (34 provinces, about 3,300 commune-level units, 700
wards, five years of assessments): the engine's time and the progress page's
CPU per request as a ratio to a bare Django view measured in the same run."

Every step runs in a fresh child process (``bench/_assessments_child.py``)
against a throw-away database: a temporary SQLite file, or PostgreSQL with
``--database-url`` (127.0.0.1 only, a database whose name contains "bench";
it is dropped and created again, and dropped at the end).

1. **build** — ``migrate``, An Giang's areas and reference data (the plan,
   phases, targets, the three criteria sets), then 33 synthetic provinces
   (fixed seed) so that about 3,300 commune-level units and 700 wards are in
   force on any day, before and after the reform of 01/07/2025, with wards
   merged on 01/01/2025 and 01/01/2027 and communes upgraded to wards on
   01/01/2024; a ward police per ward; accepted assessments with their 22
   answers for every ward police and year 2023–2027 (``bulk_create``); four
   commune-level assessments (34 criteria; submitted and accepted, with no
   evidence and with two PDF files on every criterion). Then the engine's
   query count for An Giang alone and for the whole country, with one year
   and with five years of assessments (the rest deleted inside a transaction
   that is rolled back).
2. **probe** — whether the assessment page and ``/progress/`` answer 200
   (the pages are being built: with ``--wait-minutes`` the script polls).
3. **detail** — the assessment page's query count, no evidence vs 68 files.
4. **time** — the progress page's query count at the same four scales (as
   it opens, today's phase on today; and ``?phase=2023-2025``, every city
   and town), then R rounds × N calls, interleaved (the order rotates each
   round): ``campaign_progress(as_of=31/12/2027)``, the two progress pages
   and GET ``/bench/bare/`` (``bench/urls_bench.py``: a view returning
   ``b"ok"``, behind the same middleware) through Django's test ``Client``
   as provincial staff; wall time and CPU time (``time.process_time``) per
   call; medians of the rounds' medians.

Usage (from the project root):
    .venv/bin/python bench/assessments.py [--rounds R] [--requests N]
        [--database-url postgres://user:pw@127.0.0.1:5432/bcd138_bench_assess]
        [--wait-minutes M] [--json PATH]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHILD = ROOT / "bench" / "_assessments_child.py"
FORBIDDEN_DATABASES = {"bcd138", "bcd138dev", "test_bcd138", "postgres"}
EVIDENCE_FILES = 68  # two on each of the 34 criteria
PAGES = {  # as bench/_assessments_child.py asks them
    "page": "GET `/progress/` (phase 2026–2030 on today, as it opens)",
    "page_2023": "GET `/progress/?phase=2023-2025` (every city and town)",
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20, help="calls per round")
    parser.add_argument("--database-url", default="", help="PostgreSQL (else SQLite)")
    parser.add_argument(
        "--wait-minutes",
        type=float,
        default=0,
        help="poll until the pages answer 200, at most this long",
    )
    parser.add_argument("--poll-seconds", type=float, default=180)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--keep", action="store_true", help="keep the database and media directory"
    )
    return parser.parse_args()


# --- The throw-away database ----------------------------------------------------------


def _postgres(url: str) -> dict:
    parts = urlsplit(url)
    name = parts.path.strip("/")
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit(f"{url!r}: only postgres:// URLs")
    if parts.hostname != _common.ALLOWED_SERVICE_HOST:
        sys.exit(f"{url!r}: the benchmarks only talk to 127.0.0.1")
    if name in FORBIDDEN_DATABASES or "bench" not in name:
        sys.exit(f"{name!r}: use a throw-away database whose name contains 'bench'")
    return {
        "host": parts.hostname,
        "port": parts.port or 5432,
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "name": name,
    }


def _postgres_admin(pg: dict, statement: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host=pg["host"],
        port=pg["port"],
        user=pg["user"],
        password=pg["password"],
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(sql.SQL(statement).format(sql.Identifier(pg["name"])))


# --- Child processes ------------------------------------------------------------------


class Children:
    def __init__(self, workdir: Path, database_url: str):
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": database_url,
            "SQLITE_PATH": str(workdir / "assessments.sqlite3"),
            "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
            "CELERY_BROKER_URL": "",
            "LOG_LEVEL": "ERROR",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    def run(self, step: str, args: dict | None = None) -> dict:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, str(CHILD), step, json.dumps(args or {})],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            text=True,
        )
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            sys.exit(f"step {step} failed (exit status {done.returncode})")
        result = json.loads(lines[-1])
        result["_seconds"] = time.perf_counter() - started
        return result


def log(message: str) -> None:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", file=sys.stderr, flush=True)


# --- Report ---------------------------------------------------------------------------


def _all_equal(values) -> bool:
    return len(set(values)) <= 1


def _table(header: list[str], rows: list[list]) -> None:
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")
    print()


def summarise(results: dict) -> dict:
    """Medians, ratios and verdicts from the raw results."""
    timing = results.get("time", {})
    medians = {
        name: {
            kind: statistics.median(values)
            for kind, values in series.items()
            if kind in ("wall", "cpu")
        }
        for name, series in timing.get("rounds", {}).items()
    }
    ratios = {}
    bare = medians.get("bare")
    if bare:
        ratios["engine_wall_over_bare_wall"] = medians["engine"]["wall"] / bare["wall"]
        ratios["engine_cpu_over_bare_cpu"] = medians["engine"]["cpu"] / bare["cpu"]
        for page in PAGES:
            if page in medians:
                ratios[f"{page}_cpu_over_bare_cpu"] = medians[page]["cpu"] / bare["cpu"]
                ratios[f"{page}_wall_over_bare_wall"] = (
                    medians[page]["wall"] / bare["wall"]
                )
    engine_counts = [row["queries"] for row in results["build"]["engine_queries"]]
    detail = results.get("detail", {}).get("detail", [])
    page_queries = timing.get("page_queries", {})
    constant = {
        "engine": _all_equal(engine_counts),
        "detail": all(row["equal"] for row in detail) if detail else None,
        "page": all(
            _all_equal([row["queries"] for row in rows])
            for rows in page_queries.values()
        )
        if page_queries
        else None,
    }
    return {"medians_s": medians, "ratios": ratios, "constant": constant}


def report(results: dict, summary: dict, args: argparse.Namespace) -> None:
    build = results["build"]
    print("# Assessments and the target engine (issue 8)\n")
    print(f"Run {results['started']} – {results['finished']} UTC.\n")
    _table(
        ["machine", "value"],
        [[k, v] for k, v in results["machine"]] + [["database", results["database"]]],
    )

    print("## Data\n")
    figures = build["figures"]
    wards = build["ward_assessments"]
    _table(
        ["what", "count"],
        [
            ["areas (An Giang's 288 + synthetic, both eras)", figures["areas"]],
            ["provinces in force (2026)", figures["provinces_2026"]],
            [
                "commune-level units in force, 30/06/2024 / 30/06/2026",
                f"{figures['commune_level_2024']} / {figures['commune_level_2026']}",
            ],
            [
                "wards in force, 30/06/2024 / 30/06/2026 / 30/06/2027",
                f"{figures['wards_2024']} / {figures['wards_2026']} / "
                f"{figures['wards_2027']}",
            ],
            ["ward police (every ward of both eras)", figures["ward_police"]],
            [
                "accepted ward police assessments 2023–2027 (meeting all)",
                f"{wards['assessments']} ({wards['meeting_all']})",
            ],
            ["answers (22 per ward police assessment, + 4 × 34)", figures["answers"]],
        ],
    )
    _table(
        ["build step", "seconds"],
        [[k, f"{v:.1f}"] for k, v in build["build_seconds"].items()],
    )

    print("## Queries\n")
    print("`campaign_progress(as_of=31/12/2027)` (all targets of both phases):\n")
    _table(
        [
            "data",
            "years of assessments",
            "wards (2026)",
            "ward assessments",
            "engine rows",
            "**queries**",
            "engine ms (10 calls, median)",
        ],
        [
            [
                r["scale"],
                r["years"],
                r["wards_2026"],
                r["ward_assessments"],
                r["rows"],
                f"**{r['queries']}**",
                f"{r['median_ms_10_calls']:.1f}",
            ]
            for r in build["engine_queries"]
        ],
    )
    _table(
        ["as_of (national, 5 years)", "engine rows", "queries"],
        [
            [day, v["rows"], v["queries"]]
            for day, v in build["engine_queries_by_as_of"].items()
        ],
    )
    detail = results.get("detail", {}).get("detail")
    if detail:
        print(
            "Assessment page (GET `/assessments/<pk>/`, provincial staff), 34 criteria:\n"
        )
        _table(
            ["assessment", "no evidence", f"{EVIDENCE_FILES} evidence files", "equal"],
            [
                [
                    r["status"],
                    f"{r['queries_0']} queries, {r['bytes_0']:,} B",
                    f"{r[f'queries_{EVIDENCE_FILES}']} queries, "
                    f"{r[f'bytes_{EVIDENCE_FILES}']:,} B",
                    "yes" if r["equal"] else "**NO**",
                ]
                for r in detail
            ],
        )
        for r in detail:
            for g in r["grows"]:
                print(
                    f"* grows ({r['status']}): {g['times_before']} → "
                    f"{g['times_after']} × `{g['sql'][:300]}`"
                )
    else:
        print(
            "Assessment page: **not measured** — it did not answer 200 "
            f"({results['probes'][-1] if results['probes'] else 'not probed'}).\n"
        )
    timing = results.get("time", {})
    for page, rows in timing.get("page_queries", {}).items():
        print(f"Progress page, {PAGES[page]} (provincial staff):\n")
        _table(
            ["data", "years of assessments", "status", "bytes", "**queries**"],
            [
                [r["scale"], r["years"], r["status"], f"{r['bytes']:,}", r["queries"]]
                for r in rows
            ],
        )
        for g in timing["page_growth"][page]:
            print(
                f"* grows: {g['times_before']} → {g['times_after']} × "
                f"`{g['sql'][:300]}`"
            )
    if "time" in results and not timing.get("page_queries"):
        print(
            "Progress page: **not available** — `/progress/` did not answer 200 "
            f"within the wait ({results['probes'][-1]['progress']}).\n"
        )

    print("## Time (national scale, interleaved)\n")
    medians = summary["medians_s"]
    labels = {
        "engine": "`campaign_progress(as_of=31/12/2027)`",
        "bare": "GET `/bench/bare/` (baseline)",
        **{page: f"{label} (test Client)" for page, label in PAGES.items()},
    }
    _table(
        ["call", "wall median (ms)", "CPU median (ms)", "round medians, wall (ms)"],
        [
            [
                labels[name],
                _common.ms(m["wall"]),
                _common.ms(m["cpu"]),
                ", ".join(_common.ms(v) for v in timing["rounds"][name]["wall"]),
            ]
            for name, m in medians.items()
        ],
    )
    print(
        f"{args.rounds} rounds × {args.requests} calls per case, after 3 warm-up "
        "calls each; each figure is the median of the rounds' medians.\n"
    )
    _table(
        ["ratio", "value"],
        [[k, f"{v:.2f}"] for k, v in summary["ratios"].items()],
    )
    constant = summary["constant"]
    words = {True: "constant", False: "**NOT constant**", None: "not measured"}
    print(
        f"Query counts: engine {words[constant['engine']]}, assessment page "
        f"{words[constant['detail']]}, progress page {words[constant['page']]}."
    )


def main() -> int:
    args = parse_args()
    pg = _postgres(args.database_url) if args.database_url else None
    workdir = Path(tempfile.mkdtemp(prefix="bcd138-bench-assess-"))
    results: dict = {
        "started": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M"),
        "database": f"PostgreSQL {pg['name']}" if pg else "SQLite (temporary file)",
        "probes": [],
        "machine": [
            (k, v)
            for k, v in _common.machine_info()
            if k not in ("WeasyPrint", "Celery", "Redis")
        ],
    }
    if pg:
        _postgres_admin(pg, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
        _postgres_admin(pg, "CREATE DATABASE {}")
    children = Children(workdir, args.database_url)
    try:
        log(f"building the data in {workdir} ({results['database']})")
        results["build"] = children.run("build")
        log(f"built in {results['build']['build_seconds']['total']:.1f} s")
        ids = results["build"]["detail"]["assessments"]
        deadline = time.monotonic() + args.wait_minutes * 60
        while True:
            probe = children.run("probe", {"detail": ids})
            probe["at"] = datetime.datetime.now(datetime.UTC).strftime("%H:%M:%S")
            results["probes"].append(
                {k: v["status"] if isinstance(v, dict) else v for k, v in probe.items()}
            )
            detail_ok = all(probe[f"detail_{k}"]["status"] == 200 for k in ids)
            page_ok = probe["progress"]["status"] == 200
            if detail_ok and "detail" not in results:
                log("the assessment page answers: counting its queries")
                results["detail"] = children.run(
                    "detail", {"detail": ids, "files": EVIDENCE_FILES}
                )
            if (detail_ok and page_ok) or time.monotonic() >= deadline:
                break
            waiting = [
                f"{name} {v['status']} {v['error'][:80]}"
                for name, v in probe.items()
                if isinstance(v, dict) and v.get("status") != 200
            ]
            log("waiting for: " + "; ".join(waiting))
            time.sleep(max(0, min(args.poll_seconds, deadline - time.monotonic())))
        results["page_available"] = page_ok
        log(f"timing ({'with' if page_ok else 'WITHOUT'} the progress page)")
        results["time"] = children.run(
            "time",
            {"page": page_ok, "rounds": args.rounds, "requests": args.requests},
        )
    finally:
        if pg and not args.keep:
            _postgres_admin(pg, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
        if args.keep:
            log(f"kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    results["finished"] = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M")
    summary = summarise(results)
    report(results, summary, args)
    if args.json:
        args.json.write_text(
            json.dumps({**results, "summary": summary}, indent=2, default=str)
        )
    complete = results.get("page_available") and "detail" in results
    constant = all(v is not False for v in summary["constant"].values())
    return 0 if complete and constant else 1


if __name__ == "__main__":
    sys.exit(main())
