"""Benchmark: the registration list's exports and deep pages at 20,000 rows.

Requirement (issue 11 item 2): "Exports of 20,000 rows: first byte ≤ 100 ms or
a background job; peak memory of the process recorded"; deep pages and the
accent-insensitive search served by indexes on PostgreSQL.

What it does:

1. A dedicated PostgreSQL database (default ``bcd138_c_bench`` on 127.0.0.1;
   created if missing, migrated, areas and reference data loaded) filled with
   N registrations (default 20,000) by ``bench/registration_list.py``'s
   ``generate`` (kept between runs; ``--regenerate`` rebuilds it), then
   ``VACUUM ANALYZE``. Users: ``bench-staff`` / ``bench-provincial`` from that
   script, and ``bench-local``, a local officer of one district committee.
2. EXPLAIN (ANALYZE, BUFFERS), in this process, of every query the list page
   runs on ``registrations_registration`` (Django test ``Client`` +
   ``CaptureQueriesContext``), for: the first page, ``?page=200``, the last
   page, the status and year filters, a search by unit name (one word and two)
   and by contact person, and the local officer's first and last pages.
   Reported: the database time of each query (median of ``--explain-runs``
   runs), whether the plan sorts (a ``Sort`` node over the table) and which
   indexes it uses.
3. Under gunicorn (``bench.bare_wsgi``, one sync worker, DEBUG off) after a
   real log-in with ``requests``: each export (CSV and XLSX of the whole list,
   N rows) ``--rounds`` times: the time to the first byte of the body and the
   total time (streamed with ``requests``, ``stream=True``), the body's size,
   and the worker's peak memory (``VmHWM`` from ``/proc``, reset before each
   request through ``/proc/<pid>/clear_refs``) against its idle RSS measured
   just before. The XLSX is opened with openpyxl at the end (rows counted).

Usage (from the project root):
    .venv/bin/python bench/exports.py [--rounds 3] [--json /tmp/exports.json]
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402
import registration_list as reglist  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bcd138_c_bench"
LOCAL_USERNAME = "bench-local"
FIRST_BYTE_LIMIT_MS = 100.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=20_000)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--explain-runs", type=int, default=3)
    parser.add_argument("--no-http", action="store_true", help="EXPLAIN only")
    parser.add_argument("--plans", action="store_true", help="print every plan")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not 200 <= args.registrations <= 100_000:
        parser.error("--registrations must be between 200 and 100000")
    if not 1 <= args.rounds <= 10 or not 1 <= args.explain_runs <= 10:
        parser.error("--rounds 1..10, --explain-runs 1..10")
    return args


# --- data ---------------------------------------------------------------------------


def generate(**kwargs) -> dict:
    """``registration_list.generate`` (its TRUNCATE cascades to the tables
    that point at the registrations). The database is the benchmark's own."""
    return reglist.generate(**kwargs)


def local_officer(committees):
    """A local officer of the first district committee of 2023 (by name): the
    list is scoped to that committee's registrations."""
    from django.contrib.auth import get_user_model

    from campaign.committees.access import forget
    from campaign.committees.choices import MembershipRole
    from campaign.committees.models import Membership

    committee = sorted(committees.districts.values(), key=lambda c: c.short_name)[0]
    user, _ = get_user_model().objects.update_or_create(
        username=LOCAL_USERNAME,
        defaults={"is_active": True, "first_name": "Bench", "last_name": "Local"},
    )
    if not user.check_password(reglist.BENCH_PASSWORD):
        user.set_password(reglist.BENCH_PASSWORD)
        user.save(update_fields=["password"])
    Membership.objects.update_or_create(
        user=user, committee=committee, defaults={"role": MembershipRole.LOCAL_OFFICER}
    )
    forget(user)
    return user, committee


# --- EXPLAIN ------------------------------------------------------------------------


def list_queries(user, path: str) -> list[str]:
    """The SQL of the list page's queries on the registrations table."""
    return [
        sql
        for sql in reglist.captured_queries(user, path)
        if "registrations_registration" in sql
    ]


def explain(sql: str, runs: int) -> dict:
    from django.db import connection

    times, plan = [], ""
    for _ in range(runs):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        found = re.search(r"Execution Time: ([\d.]+) ms", plan)
        times.append(float(found.group(1)) if found else float("nan"))
    sorts = re.findall(r"Sort Method: (\S+(?: \S+)?)\s+Memory: (\d+)kB", plan)
    indexes = sorted(
        set(re.findall(r"Index (?:Only )?Scan(?: Backward)? using (\S+) on", plan))
    )
    bitmap = sorted(set(re.findall(r"Bitmap Index Scan on (\S+)", plan)))
    seq = sorted(set(re.findall(r"Seq Scan on (\S+)", plan)))
    return {
        "ms": statistics.median(times),
        "runs": times,
        "sorts": [f"{method} {kb} kB" for method, kb in sorts],
        "indexes": indexes,
        "bitmap": bitmap,
        "seq_scans": seq,
        "plan": plan,
    }


def explain_cases(users: dict, total: int, local_total: int) -> list[tuple]:
    last = -(-total // 50)
    local_last = max(1, -(-local_total // 50))
    return [
        ("provincial, page 1", users["provincial"], "/registrations/"),
        ("provincial, ?page=200", users["provincial"], "/registrations/?page=200"),
        (
            f"provincial, last page ({last})",
            users["provincial"],
            f"/registrations/?page={last}",
        ),
        (
            "status=approved, page 1",
            users["provincial"],
            "/registrations/?status=approved",
        ),
        (
            "status=approved, ?page=100",
            users["provincial"],
            "/registrations/?status=approved&page=100",
        ),
        (
            "year=2024, ?page=100",
            users["provincial"],
            "/registrations/?year=2024&page=100",
        ),
        ("search q=truong", users["provincial"], "/registrations/?q=truong"),
        (
            "search q=tieu hoc so 1",
            users["provincial"],
            "/registrations/?q=ti%E1%BB%83u+h%E1%BB%8Dc+s%E1%BB%91+1",
        ),
        (
            "search q=thanh hai (contact)",
            users["provincial"],
            "/registrations/?q=thanh+hai",
        ),
        (
            "search q=truong, ?page=50",
            users["provincial"],
            "/registrations/?q=truong&page=50",
        ),
        ("local officer, page 1", users["local"], "/registrations/"),
        (
            f"local officer, last page ({local_last})",
            users["local"],
            f"/registrations/?page={local_last}",
        ),
    ]


def explain_all(users: dict, total: int, local_total: int, runs: int) -> list[dict]:
    results = []
    for name, user, path in explain_cases(users, total, local_total):
        queries = list_queries(user, path)
        results.append(
            {
                "case": name,
                "path": path,
                "queries": [{"sql": sql, **explain(sql, runs)} for sql in queries],
            }
        )
    return results


# --- HTTP ---------------------------------------------------------------------------


_status = _common.proc_status_kib

_reset_peak = _common.reset_peak

_children = _common.child_pids


def fetch(base: str, path: str, cookie: str) -> dict:
    """GET ``path`` streamed: time to the response's headers, to the first
    byte of the body, to the end; size; the body (kept for the XLSX check)."""
    import requests

    started = time.perf_counter()
    with requests.get(
        base + path,
        headers={"Cookie": cookie},
        stream=True,
        allow_redirects=False,
        timeout=120,
    ) as response:
        headers_at = time.perf_counter()
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} -> {response.status_code}")
        chunks = response.raw.stream(64 * 1024, decode_content=True)
        first = next(chunks)
        first_at = time.perf_counter()
        body = io.BytesIO()
        body.write(first)
        for chunk in chunks:
            body.write(chunk)
        done_at = time.perf_counter()
    return {
        "headers_ms": (headers_at - started) * 1000,
        "first_byte_ms": (first_at - started) * 1000,
        "total_ms": (done_at - started) * 1000,
        "bytes": body.tell(),
        "streamed": response.headers.get("Transfer-Encoding") == "chunked",
        "body": body.getvalue(),
    }


def http_benchmark(args, log_dir: Path) -> dict:
    server = reglist.Gunicorn(workers=1, log_dir=log_dir)
    try:
        workers = _children(server.process.pid)
        if len(workers) != 1:
            raise RuntimeError(f"expected one gunicorn worker, found {workers}")
        worker = workers[0]
        cookie = server.log_in(reglist.PROVINCIAL_USERNAME)
        server.check("/registrations/", cookie, 'id="results-heading"')
        paths = {
            "CSV": "/registrations/export/csv/",
            "XLSX": "/registrations/export/xlsx/",
        }
        for path in paths.values():  # warm: imports, translations, caches
            fetch(server.base, path, cookie)
        runs: dict[str, list[dict]] = {name: [] for name in paths}
        last_body: dict[str, bytes] = {}
        for round_no in range(args.rounds):
            order = list(paths.items())
            if round_no % 2:
                order.reverse()
            for name, path in order:
                idle = _status(worker)["VmRSS"]
                _reset_peak(worker)
                result = fetch(server.base, path, cookie)
                result["peak_kb"] = _status(worker)["VmHWM"]
                result["idle_kb"] = idle
                last_body[name] = result.pop("body")
                runs[name].append(result)
        return {"runs": runs, "bodies": last_body}
    finally:
        server.close()


def check_xlsx(body: bytes) -> dict:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(body), read_only=True)
    sheet = workbook.worksheets[0]
    rows = sum(1 for _ in sheet.iter_rows(values_only=True))
    header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True))
    second = next(sheet.iter_rows(min_row=2, max_row=2, values_only=True))
    workbook.close()
    return {"rows": rows, "header": header, "first_row": second}


# --- report -------------------------------------------------------------------------


def _mib(kb: float) -> str:
    return f"{kb / 1024:.1f} MiB"


def print_explain(results: list[dict], plans: bool) -> None:
    print("## Database time of the list page's queries (EXPLAIN ANALYZE)\n")
    print(
        "Every query the page runs on `registrations_registration`, median of "
        "the EXPLAIN (ANALYZE, BUFFERS) runs; *sort* is a Sort node of the plan "
        "(method, memory), *indexes* the index scans used.\n"
    )
    print(
        "| case | queries | total ms | per query: ms — sort — indexes (bitmap) — seq scans |"
    )
    print("|---|---|---|---|")
    for case in results:
        total = sum(q["ms"] for q in case["queries"])
        parts = []
        for q in case["queries"]:
            parts.append(
                f"{q['ms']:.2f} — {', '.join(q['sorts']) or 'no sort'} — "
                f"{', '.join(q['indexes']) or '-'}"
                + (f" ({', '.join(q['bitmap'])})" if q["bitmap"] else "")
                + (f" — seq: {', '.join(q['seq_scans'])}" if q["seq_scans"] else "")
            )
        print(
            f"| {case['case']} | {len(case['queries'])} | {total:.2f} | "
            + "<br>".join(parts)
            + " |"
        )
    print()
    if plans:
        for case in results:
            print(f"### {case['case']} (`{case['path']}`)\n")
            for q in case["queries"]:
                print(f"* {q['ms']:.2f} ms — `{q['sql'][:200]}…`\n")
                print("```\n" + q["plan"] + "\n```\n")


def print_http(http: dict, total: int, rounds: int, checked: dict) -> bool:
    print(
        f"## Exports of the whole list ({total:,} rows) under gunicorn "
        f"(`bench.bare_wsgi`, one sync worker, DEBUG off), {rounds} rounds\n"
    )
    print(
        "| export | first byte (median) | total (median) | rounds: first byte / total "
        "| size | streamed | worker idle RSS | worker peak (VmHWM, max) | peak − idle |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    ok = True
    for name, runs in http["runs"].items():
        first = statistics.median(r["first_byte_ms"] for r in runs)
        whole = statistics.median(r["total_ms"] for r in runs)
        peak = max(r["peak_kb"] for r in runs)
        idle = statistics.median(r["idle_kb"] for r in runs)
        ok = ok and first <= FIRST_BYTE_LIMIT_MS
        detail = "; ".join(
            f"{r['first_byte_ms']:.0f} / {r['total_ms']:.0f} ms" for r in runs
        )
        print(
            f"| {name} | **{first:.1f} ms** | {whole:.0f} ms | {detail} "
            f"| {runs[-1]['bytes'] / 1024:,.0f} KiB | "
            f"{'yes' if runs[-1]['streamed'] else 'no'} | {_mib(idle)} | {_mib(peak)} "
            f"| {_mib(peak - idle)} |"
        )
    print()
    print(
        f"The XLSX opens in openpyxl: {checked['rows']:,} rows including the "
        f"header {checked['header'][:3]}…\n"
    )
    return ok


def main() -> int:
    args = parse_args()
    os.environ.setdefault("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")
    env = _common.configure(broker=False)
    machine = _common.machine_info()
    static_root = _common.make_temp_dir("bcd138-bench-static-")
    os.environ["STATIC_ROOT"] = str(static_root)
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    reglist.ensure_database(env["DATABASE_URL"])

    import django

    django.setup()
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.db import connection

    from campaign.registrations.models import Registration

    log_dir = _common.make_temp_dir("bcd138-bench-exports-")
    try:
        reglist.prepare_schema()
        if not args.no_http:
            call_command("collectstatic", interactive=False, verbosity=0)
        committees, programme, phase = reglist.seed()
        staff, provincial = reglist.bench_users(committees)
        local, local_committee = local_officer(committees)
        generated = None
        if args.regenerate or Registration.objects.count() != args.registrations:
            t0 = time.perf_counter()
            generated = generate(
                count=args.registrations,
                committees=committees,
                programme=programme,
                phase=phase,
                user=staff,
            )
            generated["seconds"] = time.perf_counter() - t0
        reglist.vacuum_analyze()
        total = Registration.objects.count()
        local_total = Registration.objects.filter(committee=local_committee).count()
        users = {"provincial": provincial, "local": local}
        explained = explain_all(users, total, local_total, args.explain_runs)
        http = None if args.no_http else http_benchmark(args, log_dir)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg_version = cursor.fetchone()[0]
        Session.objects.all().delete()
    finally:
        _common.remove_temp_dirs()

    print("# Exports and deep pages benchmark (`bench/exports.py`)\n")
    print(
        f"Run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M:%S} UTC; database "
        f"{env['DATABASE_URL']} (PostgreSQL {pg_version}); {total:,} registrations"
        + (
            f" (generated now in {generated['seconds']:.1f} s)"
            if generated
            else " (kept from an earlier run)"
        )
        + f"; the local officer's committee ({local_committee.short_name}) has "
        f"{local_total:,}. The machine is shared (2 cores): figures are indicative.\n"
    )
    print("| machine | value |")
    print("|---|---|")
    for key, value in machine:
        print(f"| {key} | {value} |")
    print()
    print_explain(explained, args.plans)
    verdict = "PASS"
    checked = None
    if http:
        checked = check_xlsx(http["bodies"]["XLSX"])
        if checked["rows"] != total + 1:
            verdict = "FAIL"
        if not print_http(http, total, args.rounds, checked):
            verdict = "FAIL"
        print(
            f"Verdict (first byte of both exports ≤ {FIRST_BYTE_LIMIT_MS:.0f} ms, "
            f"the XLSX holds every row): **{verdict}**"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "env": env,
                    "total": total,
                    "local_total": local_total,
                    "explain": explained,
                    "http": http and http["runs"],
                    "xlsx_check": checked,
                    "verdict": verdict,
                },
                indent=2,
                default=str,
            )
        )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
