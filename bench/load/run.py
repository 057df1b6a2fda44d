"""The load test of issue 10 (item 5): 50 local officers for 60 s against
gunicorn (3 sync workers, the production settings with DEBUG off) +
PostgreSQL + Redis + a real Celery worker, all on 127.0.0.1.

How to run (from the project root; needs PostgreSQL on 127.0.0.1:5432, user
``postgres`` with trust auth, and ``redis-server`` on the PATH -- the script
starts its own Redis on a free port; nothing else)::

    .venv/bin/python bench/load/run.py                       # 50 users, 10/s, 60 s
    .venv/bin/python bench/load/run.py --users 10 --duration 20
    .venv/bin/python bench/load/run.py --wait-min 0.5 --wait-max 1.5 --json /tmp/load.json
    .venv/bin/python bench/load/run.py --keep                # keep the database
    .venv/bin/python bench/load/run.py --quiet-load 2.5      # wait for a quieter machine

What it does, in order:

1. **Database**: drops and creates ``--database`` (default
   ``bcd138_h6_load_bench``; the name must end in ``bench``), ``manage.py
   migrate``, ``manage.py seed_demo`` (DEBUG on for the seed only, a random
   ``DEMO_PASSWORD``, Celery eager), then ``bench/load/_data.py setup``: one
   local officer per commune-level committee in force today (``load.000``
   ...), each with its own draft registrations and draft assessments of
   approved registrations, all through the services (see that file).
2. **Services**: its own ``redis-server`` (no persistence, a free port, db 0
   the broker, db 1 the cache ``CACHE_URL``); ``collectstatic`` into a
   temporary ``STATIC_ROOT``; a real ``celery -A config worker --pool=prefork
   --concurrency=2`` (as docker-compose.yml); ``gunicorn bench.load.wsgi -w 3``
   on 127.0.0.1 (the project's settings and URLs plus the bare view
   ``/bench/bare/`` of ``bench/urls_bench.py``, behind the same middleware;
   ``bench/load/wsgi.py`` adds the CPU time of each request to its answer),
   access log on. Environment as in production: ``DEBUG=false``, a random
   ``SECRET_KEY``, ``ALLOWED_HOSTS=127.0.0.1``, ``DB_CONN_MAX_AGE`` default
   (60), ``LOG_LEVEL=INFO``; e-mail to files in a temporary folder.
3. **Load**: ``locust --headless -u 50 -r 10 -t 60s --stop-timeout 30`` with
   ``bench/load/locustfile.py`` in a process of its own (``--csv`` files are
   kept with the results); with ``--quiet-load L`` it first waits (at most
   ``--quiet-wait`` minutes) for the 1-minute load average to fall below L.
   Each locust user logs in once as its own officer, then works with a think
   time of 1-3 s between tasks (``--wait-min``/``--wait-max``). The mix
   (tasks): 60 % reads, 30 % writes, 10 % evidence uploads of ~100 KB (PDF
   and PNG), plus the bare view (weight 10 on top of the 100); see the
   locustfile. ``--stop-timeout`` lets every task under way finish, so that
   what locust counted is all that was sent.
4. **After**: waits until the worker has sent every e-mail queued
   (notifications no longer pending) and counts, for every officer, the rows
   written during the run (``_data.py count`` before and after):
   registrations, their history rows, versions, workflow steps, evidence rows
   and their files, audit entries -- each must equal what locust saw
   succeed; stops gunicorn and the worker. Also: PostgreSQL's deadlock
   counter for the database (``pg_stat_database.deadlocks``), the 5xx in
   gunicorn's access log, tracebacks in its error log, failed tasks in the
   worker's log.
5. **Report** (Markdown on stdout, JSON with ``--json``), per request type:

   * as locust saw it, whole run: count, failures, 5xx, connection errors,
     req/s, p50/p95/p99/max (ms, nearest rank over every request's own time,
     not locust's rounded histogram), req/s and p95 ÷ the bare view's. Users
     never stop asking (a closed loop): req/s ÷ bare mostly restates the mix,
     and once the server is saturated every type waits in the same queue;
   * in the server, from gunicorn's access log: wall time without the wait
     for a free worker, CPU time of the worker process (p50, mean) and
     "throughput ÷ bare" = the bare view's mean CPU ÷ this type's (the
     figure that stays put when other processes share the cores);
   * as locust saw it after the last login finished (the 50 logins, ~0.3-0.4
     s of PBKDF2 each, hold the 3 workers for the first 10-60 s).

   PASS if 0 failed requests (no 5xx, no connection error, no unexpected
   answer), rows = successful POSTs for every officer and kind, 0 deadlocks,
   0 server tracebacks, 0 failed tasks. Exit status 1 otherwise. The J1 p95
   limits (GET 500 ms, POST 1,000 ms) are printed, not enforced.
6. **Tear-down**: gunicorn, the worker and Redis stopped (their process
   groups, by pid), the database dropped (``--keep`` keeps it), the temporary
   folder removed; locust's CSV files, the logs and the JSON stay in
   ``bench/results/load-<UTC time>/`` (git-ignored).

The machine is shared and has 2 cores: absolute times move from run to run;
compare the ratios to the bare view, measured in the same run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
HOST = "127.0.0.1"
FORBIDDEN_DATABASES = {"bcd138", "bcd138dev", "test_bcd138", "postgres"}
BARE = "GET /bench/bare/"
# Status, method, path, time in the worker (ms: from the request read to the
# response sent; the wait for a free worker is not in it), request type.
# CPU ms of the worker process on the request (bench/load/wsgi.py).
ACCESS_FORMAT = '%(s)s %(m)s "%(U)s" %(M)s "%({x-load-name}i)s" %({x-load-cpu-ms}o)s'
ACCESS_LINE = re.compile(r'^(\d{3}) (\S+) "([^"]*)" (\d+) "([^"]*)" (\S+)$')

# What locust counted (tally) and the rows each kind of POST writes.
ROW_CHECKS = [
    # (label, {tally key: rows per successful POST}, key of _data.py count)
    ("registrations", {"registration_create": 1}, "registrations"),
    (
        "registration history rows, created (+)",
        {"registration_create": 1},
        "history_created",
    ),
    (
        "registration history rows, changed (~)",
        {"registration_edit": 1, "registration_submit": 1},
        "history_changed",
    ),
    (
        "sum of registration versions",
        {"registration_create": 1, "registration_edit": 1, "registration_submit": 1},
        "registration_versions",
    ),
    (
        "registration workflow steps → submitted",
        {"registration_submit": 1},
        "registration_submitted_steps",
    ),
    (
        "sum of assessment versions",
        {"assessment_answers": 1, "assessment_submit": 1},
        "assessment_versions",
    ),
    (
        "assessment workflow steps → submitted",
        {"assessment_submit": 1},
        "assessment_submitted_steps",
    ),
    ("evidence rows", {"evidence_upload": 1}, "evidence"),
    (
        "audit: registration created",
        {"registration_create": 1},
        "audit:registration_created",
    ),
    (
        "audit: registration changed",
        {"registration_edit": 1},
        "audit:registration_updated",
    ),
    (
        "audit: registration submitted",
        {"registration_submit": 1},
        "audit:registration_submitted",
    ),
    (
        "audit: assessment answers changed",
        {"assessment_answers": 1},
        "audit:assessment_updated",
    ),
    (
        "audit: assessment submitted",
        {"assessment_submit": 1},
        "audit:assessment_submitted",
    ),
    ("audit: evidence added", {"evidence_upload": 1}, "audit:evidence_added"),
]


def log(message: str) -> None:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def check_database_name(name: str) -> None:
    if name in FORBIDDEN_DATABASES or not name.endswith("bench"):
        sys.exit(f"{name!r}: use a throw-away database whose name ends in 'bench'")


def admin_sql(statement: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    check_database_name(name)
    with psycopg.connect(
        host=HOST, port=5432, user="postgres", dbname="postgres", autocommit=True
    ) as connection:
        connection.execute(sql.SQL(statement).format(sql.Identifier(name)))


def deadlocks(name: str) -> int:
    import psycopg

    with psycopg.connect(
        host=HOST, port=5432, user="postgres", dbname="postgres", autocommit=True
    ) as connection:
        row = connection.execute(
            "SELECT deadlocks FROM pg_stat_database WHERE datname = %s", [name]
        ).fetchone()
    return int(row[0]) if row else 0


def percentile(values: list[float], q: float) -> float:
    """Nearest rank (q in 0..100)."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


class Processes:
    """The processes this run started, each in its own process group; stopped
    by their own ids only."""

    def __init__(self):
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, label: str, command: list[str], env: dict, log_path: Path):
        handle = log_path.open("ab")
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append((label, process))
        return process

    def stop(self, process: subprocess.Popen, timeout: float = 30) -> None:
        if process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def stop_all(self) -> None:
        while self.started:
            _label, process = self.started.pop()
            self.stop(process)


class Redis:
    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir

    def url(self, db: int) -> str:
        return f"redis://{HOST}:{self.port}/{db}"

    def cli(self, *args: str) -> str:
        return subprocess.run(
            ["redis-cli", "-h", HOST, "-p", str(self.port), *args],
            capture_output=True,
            text=True,
        ).stdout.strip()

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                HOST,
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--dir",
                str(self.workdir),
                "--pidfile",
                str(self.workdir / "redis.pid"),
                "--logfile",
                str(self.workdir / "redis.log"),
            ],
            check=True,
        )
        deadline = time.monotonic() + 10
        while self.cli("ping") != "PONG":
            if time.monotonic() > deadline:
                sys.exit("redis-server did not answer")
            time.sleep(0.1)

    def stop(self) -> None:
        pid_file = self.workdir / "redis.pid"
        if self.cli("ping") == "PONG":
            self.cli("shutdown", "nosave")
        elif pid_file.exists():  # pragma: no cover - it stopped answering
            try:
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
            except (OSError, ValueError):
                pass


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            # noqa below: the URL is always http://127.0.0.1:<port>/healthz/.
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer 200 within {timeout:.0f} s")
        time.sleep(0.3)


def wait_log(path: Path, marker: str, process: subprocess.Popen, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while marker not in (path.read_text(errors="replace") if path.exists() else ""):
        if process.poll() is not None:
            raise RuntimeError(f"{path.name}: the process ended early")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{path.name}: {marker!r} not seen in {timeout:.0f} s")
        time.sleep(0.2)


# --- the report -----------------------------------------------------------------------


ORDER = [
    BARE,
    "GET /reports/dashboard/",
    "GET /registrations/",
    "GET /registrations/[id]/",
    "GET /assessments/",
    "GET /assessments/[id]/",
    "GET /progress/",
    "GET /reports/",
    "GET /registrations/new/",
    "POST /registrations/new/",
    "GET /registrations/[id]/edit/",
    "POST /registrations/[id]/edit/",
    "POST /registrations/[id]/submit/",
    "POST /assessments/[id]/answers/",
    "POST /assessments/[id]/submit/",
    "POST /assessments/[id]/answers/[id]/evidence/",
    "GET /registrations/[id]/ (after POST)",
    "GET /assessments/[id]/ (after POST)",
    "GET /login/",
    "POST /login/",
]


def _times(items: list[float]) -> dict:
    if not items:
        return {"count": 0, "p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0, "mean": 0.0}
    return {
        "count": len(items),
        "p50": percentile(items, 50),
        "p95": percentile(items, 95),
        "p99": percentile(items, 99),
        "max": max(items),
        "mean": sum(items) / len(items),
    }


def request_stats(records: list, server: dict, cpu: dict) -> tuple[list[dict], dict]:
    """Per request type: count, failures, 5xx, connection errors, the times
    locust saw (whole run, and after the last login), the times in the
    server (gunicorn's access log)."""
    if not records:
        return [], {"window": 0.0, "steady_from": 0.0, "steady_window": 0.0}
    first = min(r[2] for r in records)
    last = max(r[2] + r[3] / 1000 for r in records)
    logins = [r[2] + r[3] / 1000 for r in records if r[1] == "POST /login/"]
    steady_from = max(logins) if logins else first
    window = last - first
    steady_window = last - steady_from
    by_name: dict[str, list] = defaultdict(list)
    for record in records:
        by_name[record[1]].append(record)
    rows = []
    for name, items in by_name.items():
        steady = [r[3] for r in items if r[2] >= steady_from]
        rows.append(
            {
                "name": name,
                "failures": sum(1 for r in items if not r[5]),
                "server_errors": sum(1 for r in items if r[4] >= 500),
                "connection_errors": sum(1 for r in items if r[4] == 0),
                "rps": len(items) / window if window else 0.0,
                **_times([r[3] for r in items]),
                "steady": {
                    **_times(steady),
                    "rps": len(steady) / steady_window if steady_window else 0.0,
                },
                "server": _times(server.get(name, [])),
                "cpu": _times(cpu.get(name, [])),
            }
        )
    rows.sort(
        key=lambda r: (ORDER.index(r["name"]) if r["name"] in ORDER else 99, r["name"])
    )
    return rows, {
        "window": window,
        "steady_from": steady_from - first,
        "steady_window": steady_window,
    }


def server_times(lines: list[str]) -> tuple[dict, dict, int, int]:
    """Wall and CPU times in the server by request type, the 5xx, the
    requests of locust counted."""
    times: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    errors = 0
    counted = 0
    for line in lines:
        match = ACCESS_LINE.match(line)
        if not match:
            continue
        status, _method, _path, ms, name, cpu_ms = match.groups()
        if int(status) >= 500:
            errors += 1
        if name and name != "-":
            counted += 1
            times[name].append(float(ms))
            if cpu_ms != "-":
                cpu[name].append(float(cpu_ms))
    return times, cpu, errors, counted


def _delta(before: dict, after: dict, key: str) -> int:
    if key.startswith("audit:"):
        action = key.split(":", 1)[1]
        return after["audit"].get(action, 0) - before["audit"].get(action, 0)
    return after[key] - before[key]


def rows_check(tally: dict, before: dict, after: dict) -> tuple[list[dict], list[str]]:
    totals = []
    mismatches = []
    for label, weights, key in ROW_CHECKS:
        expected_total = 0
        found_total = 0
        for username, counts in tally.items():
            expected = sum(counts.get(k, 0) * f for k, f in weights.items())
            found = _delta(before["users"][username], after["users"][username], key)
            expected_total += expected
            found_total += found
            if expected != found:
                mismatches.append(
                    f"{username}: {label}: locust {expected}, database {found}"
                )
        totals.append(
            {"rows": label, "successful_posts": expected_total, "database": found_total}
        )
    missing_files = sum(u["evidence_files_missing"] for u in after["users"].values())
    totals.append(
        {
            "rows": "evidence files missing or of another size",
            "successful_posts": 0,
            "database": missing_files,
        }
    )
    if missing_files:
        mismatches.append(f"{missing_files} evidence files missing or of another size")
    return totals, mismatches


def fmt(value: float) -> str:
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def report(result: dict) -> None:
    print(f"## Load test (issue 10, item 5) — {result['verdict']}\n")
    print(
        f"{result['users']} locust users (spawn {result['spawn_rate']}/s) for "
        f"{result['duration']} s, think time {result['wait'][0]}–{result['wait'][1]} s; "
        f"gunicorn {result['gunicorn_workers']} sync workers, Celery worker prefork "
        f"concurrency {result['worker_concurrency']}, PostgreSQL and Redis, all on "
        f"127.0.0.1; {result['started']} UTC; load average at start "
        f"{result['loadavg_start']}, at end {result['loadavg_end']} (2 cores, shared).\n"
    )
    bare = next((r for r in result["requests"] if r["name"] == BARE), None)
    windows = result["windows"]
    print(
        f"Whole run ({windows['window']:.1f} s from the first request to the end of the "
        "last); times as locust saw them (the wait for a free gunicorn worker included), "
        "nearest-rank percentiles of every request:\n"
    )
    print(
        "| request type | requests | failed | 5xx | conn. errors | req/s | req/s ÷ bare "
        "| p50 ms | p95 ms | p99 ms | max ms | p95 ÷ bare p95 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in result["requests"]:
        rps_ratio = row["rps"] / bare["rps"] if bare and bare["rps"] else 0
        p95_ratio = row["p95"] / bare["p95"] if bare and bare["p95"] else 0
        print(
            f"| `{row['name']}` | {row['count']} | {row['failures']} | "
            f"{row['server_errors']} | {row['connection_errors']} | {row['rps']:.2f} | "
            f"{rps_ratio:.2f} | {fmt(row['p50'])} | {fmt(row['p95'])} | "
            f"{fmt(row['p99'])} | {fmt(row['max'])} | {p95_ratio:.1f} |"
        )
    total = result["totals"]
    print(
        f"| **all** | {total['count']} | {total['failures']} | {total['server_errors']} | "
        f"{total['connection_errors']} | {total['rps']:.2f} | | {fmt(total['p50'])} | "
        f"{fmt(total['p95'])} | {fmt(total['p99'])} | {fmt(total['max'])} | |\n"
    )
    print(
        f"GET p95 {fmt(result['get_p95'])} ms, POST p95 {fmt(result['post_p95'])} ms "
        f"(J1 limits on 2 cores: 500 / 1,000 ms); after the last login: GET p95 "
        f"{fmt(result['steady_get_p95'])} ms, POST p95 {fmt(result['steady_post_p95'])} ms.\n"
    )
    print(
        "In the server (gunicorn's access log): wall time from the request read to "
        "the response sent (without the wait for a free worker), and the CPU time of "
        "the worker process on the request (`bench/load/wsgi.py`; PostgreSQL's CPU "
        'not included); "throughput ÷ bare" = the bare view\'s mean CPU ÷ this '
        "type's: how many of these a worker can serve, per bare view, when CPU is "
        "the limit. Then the times locust saw after the last login finished "
        f"(+{windows['steady_from']:.1f} s; {windows['steady_window']:.1f} s left).\n"
    )
    print(
        "| request type | server p50 ms | server p95 ms | server p95 ÷ bare "
        "| CPU p50 ms | CPU mean ms | throughput ÷ bare (CPU) "
        "| after logins: requests | p50 ms | p95 ms | p95 ÷ bare |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.1f}" if b else "–"

    b_server = bare["server"] if bare else {"p95": 0, "mean": 0}
    b_cpu = bare["cpu"] if bare else {"mean": 0}
    b_steady = bare["steady"] if bare else {"p95": 0}
    for row in result["requests"]:
        server, cpu, steady = row["server"], row["cpu"], row["steady"]
        throughput = f"{b_cpu['mean'] / cpu['mean']:.3f}" if cpu["mean"] else "–"
        print(
            f"| `{row['name']}` | {fmt(server['p50'])} | {fmt(server['p95'])} | "
            f"{ratio(server['p95'], b_server['p95'])} | {fmt(cpu['p50'])} | "
            f"{fmt(cpu['mean'])} | {throughput} | {steady['count']} | "
            f"{fmt(steady['p50'])} | {fmt(steady['p95'])} | "
            f"{ratio(steady['p95'], b_steady['p95'])} |"
        )
    print()
    print(
        "| rows written during the run (all officers) | successful POSTs seen by locust | in the database | equal |"
    )
    print("|---|---|---|---|")
    for row in result["rows"]:
        equal = "yes" if row["successful_posts"] == row["database"] else "**NO**"
        print(
            f"| {row['rows']} | {row['successful_posts']} | {row['database']} | {equal} |"
        )
    print()
    writes = result["writes"]
    print(
        "Successful writes: "
        + ", ".join(f"{k} {v}" for k, v in writes.items())
        + f"; 409 conflicts: {result['conflicts_409']} (each officer writes only its own rows).\n"
    )
    print("| check | value |")
    print("|---|---|")
    for key, value in result["checks"].items():
        print(f"| {key} | {value} |")
    print()
    if result["mismatches"]:
        print("Mismatches:\n")
        for line in result["mismatches"][:50]:
            print(f"* {line}")
        print()
    if result["failure_samples"]:
        print("Failed requests (first of each kind):\n")
        for line in result["failure_samples"]:
            print(f"* {line}")
        print()


# --- main -------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", type=int, default=60, help="seconds")
    parser.add_argument("--wait-min", type=float, default=1.0)
    parser.add_argument("--wait-max", type=float, default=3.0)
    parser.add_argument("--upload-kb", type=int, default=100)
    parser.add_argument("--gunicorn-workers", type=int, default=3)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--assessments", type=int, default=3, help="per officer")
    parser.add_argument("--drafts", type=int, default=3, help="per officer")
    parser.add_argument(
        "--quiet-load",
        type=float,
        help="before the load, wait until the 1-minute load average is below this",
    )
    parser.add_argument(
        "--quiet-wait", type=float, default=20, help="minutes to wait at most for it"
    )
    parser.add_argument("--database", default="bcd138_h6_load_bench")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    check_database_name(args.database)

    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    results = ROOT / "bench" / "results" / f"load-{stamp}"
    results.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="bcd138-load-"))
    for sub in ("private", "static", "mail"):
        (workdir / sub).mkdir()
    processes = Processes()
    redis = Redis(workdir)
    database_url = f"postgres://postgres@{HOST}:5432/{args.database}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CELERY_", "DJANGO_", "LOAD_"))
        and key not in ("DATABASE_URL", "CACHE_URL", "EMAIL_BACKEND", "DEMO_PASSWORD")
    }
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "DATABASE_URL": database_url,
            "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
            "STATIC_ROOT": str(workdir / "static"),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(workdir / "mail"),
            "LOG_LEVEL": "INFO",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    eager = dict(env, DJANGO_SETTINGS_MODULE="config.settings", LOG_LEVEL="WARNING")
    status = 1
    try:
        # 1. The database.
        log(f"database {args.database}: create, migrate, seed_demo")
        admin_sql("DROP DATABASE IF EXISTS {} WITH (FORCE)", args.database)
        admin_sql("CREATE DATABASE {}", args.database)

        def manage(*command: str, **extra: str) -> None:
            subprocess.run(
                [PY, "manage.py", *command],
                cwd=ROOT,
                env={**eager, **extra},
                check=True,
                stdout=subprocess.DEVNULL,
            )

        manage("migrate", "--no-input", "-v", "0")
        manage(
            "seed_demo",
            DEBUG="true",
            DEMO_PASSWORD=secrets.token_urlsafe(12),
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        )
        manage("collectstatic", "--no-input", "-v", "0")

        def data(command: str, payload: dict) -> dict:
            done = subprocess.run(
                [
                    PY,
                    str(ROOT / "bench" / "load" / "_data.py"),
                    command,
                    json.dumps(payload),
                ],
                cwd=ROOT,
                env={
                    **eager,
                    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
                },
                check=True,
                stdout=subprocess.PIPE,
                text=True,
            )
            return json.loads(done.stdout.strip().splitlines()[-1])

        log(f"{args.users} officers and their rows")
        plan = data(
            "setup",
            {
                "users": args.users,
                "assessments": args.assessments,
                "drafts": args.drafts,
            },
        )
        plan_path = workdir / "plan.json"
        plan_path.write_text(json.dumps(plan))
        usernames = [u["username"] for u in plan["users"]]
        log(f"set up in {plan['seconds']} s")

        # 2. The services.
        redis.start()
        env.update({"CELERY_BROKER_URL": redis.url(0), "CACHE_URL": redis.url(1)})
        worker_log = workdir / "worker.log"
        worker = processes.start(
            "worker",
            [
                PY,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                f"--concurrency={args.worker_concurrency}",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"load-{secrets.token_hex(4)}@%h",
            ],
            {**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
            worker_log,
        )
        wait_log(worker_log, " ready.", worker)
        port = free_port()
        access_log = workdir / "gunicorn-access.log"
        error_log = workdir / "gunicorn-error.log"
        gunicorn = processes.start(
            "gunicorn",
            [
                PY,
                "-m",
                "gunicorn",
                "bench.load.wsgi",
                "-w",
                str(args.gunicorn_workers),
                "-b",
                f"{HOST}:{port}",
                "--access-logfile",
                str(access_log),
                "--error-logfile",
                str(error_log),
                "--access-logformat",
                ACCESS_FORMAT,
                "--no-control-socket",
            ],
            {**env, "DJANGO_SETTINGS_MODULE": "bench.settings_bench"},
            workdir / "gunicorn-stdout.log",
        )
        base = f"http://{HOST}:{port}"
        wait_http(f"{base}/healthz/")
        log(f"gunicorn on {base}, worker ready")
        before = data("count", {"usernames": usernames})
        deadlocks_before = deadlocks(args.database)

        # 3. The load, in locust's own process (on a machine quiet enough).
        if args.quiet_load:
            deadline = time.monotonic() + args.quiet_wait * 60
            while os.getloadavg()[0] >= args.quiet_load:
                if time.monotonic() > deadline:
                    log(f"load average still {os.getloadavg()[0]:.2f}: going on")
                    break
                time.sleep(10)
        loadavg_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
        started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M")
        locust_out = workdir / "locust"
        log(f"locust: {args.users} users, {args.spawn_rate}/s, {args.duration} s")
        locust = subprocess.run(
            [
                str(Path(PY).parent / "locust"),
                "-f",
                str(ROOT / "bench" / "load" / "locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(args.spawn_rate),
                "-t",
                f"{args.duration}s",
                "--stop-timeout",
                "30",
                "--host",
                base,
                "--csv",
                str(results / "locust"),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--exit-code-on-error",
                "0",
            ],
            cwd=ROOT,
            env={
                **{k: v for k, v in env.items() if k not in ("SECRET_KEY",)},
                "LOAD_PLAN": str(plan_path),
                "LOAD_OUT": str(locust_out),
                "LOAD_WAIT_MIN": str(args.wait_min),
                "LOAD_WAIT_MAX": str(args.wait_max),
                "LOAD_UPLOAD_KB": str(args.upload_kb),
            },
            stdout=(results / "locust-stdout.txt").open("w"),
            stderr=subprocess.STDOUT,
        )
        loadavg_end = " ".join(f"{x:.2f}" for x in os.getloadavg())
        if locust.returncode != 0:
            log(f"locust exited with {locust.returncode} (see locust-stdout.txt)")

        # 4. After: the e-mails sent, the services stopped, the rows counted.
        deadline = time.monotonic() + 120
        while True:
            after = data("count", {"usernames": usernames})
            waiting = sum(
                after["notifications"].get(s, 0) for s in ("pending", "sending")
            )
            if not waiting or time.monotonic() > deadline:
                break
            time.sleep(2)
        processes.stop(gunicorn)
        processes.stop(worker, timeout=90)
        # Read once their backends have ended (a backend reports its
        # statistics at most once a second, and when it exits).
        time.sleep(1.5)
        deadlocks_after = deadlocks(args.database)

        tally = json.loads((locust_out / "tally.json").read_text())
        records = json.loads((locust_out / "requests.json").read_text())
        access = access_log.read_text(errors="replace").splitlines()
        server, cpu, server_5xx, server_counted = server_times(access)
        rows, windows = request_stats(records, server, cpu)
        window = windows["window"]
        row_totals, mismatches = rows_check(tally, before, after)
        all_times = [r[3] for r in records]
        steady_from = (
            (min(r[2] for r in records) + windows["steady_from"]) if records else 0
        )
        gets = [r[3] for r in records if r[0] == "GET"]
        posts = [r[3] for r in records if r[0] == "POST"]
        steady_gets = [r[3] for r in records if r[0] == "GET" and r[2] >= steady_from]
        steady_posts = [r[3] for r in records if r[0] == "POST" and r[2] >= steady_from]
        error_text = error_log.read_text(errors="replace")
        worker_text = worker_log.read_text(errors="replace")
        failed_tasks = sum(
            1
            for line in worker_text.splitlines()
            if "raised unexpected" in line or ": ERROR/" in line or "Traceback" in line
        )
        mix_cpu = [
            value
            for name, values in cpu.items()
            if not name.endswith("/login/")
            for value in values
        ]
        mean_cpu = sum(mix_cpu) / len(mix_cpu) if mix_cpu else 0.0
        failure_samples = []
        seen = set()
        failures_csv = results / "locust_failures.csv"
        if failures_csv.exists():
            for line in failures_csv.read_text().splitlines()[1:]:
                key = line.split(",")[1] if "," in line else line
                if key not in seen:
                    seen.add(key)
                    failure_samples.append(line)
        writes = defaultdict(int)
        conflicts = 0
        for counts in tally.values():
            conflicts += counts.get("conflicts_409", 0)
            for key, value in counts.items():
                if key != "conflicts_409":
                    writes[key] += value
        checks = {
            "failed requests (locust)": sum(r["failures"] for r in rows),
            "5xx in gunicorn's access log": server_5xx,
            "tracebacks in gunicorn's error log": error_text.count("Traceback"),
            "deadlocks (pg_stat_database, this database)": deadlocks_after
            - deadlocks_before,
            "Celery tasks succeeded / failed (worker log)": (
                f"{worker_text.count(' succeeded in ')} / {failed_tasks}"
            ),
            "notifications by e-mail status after the run": json.dumps(
                after["notifications"]
            ),
            "e-mail files written by the worker": len(
                list((workdir / "mail").iterdir())
            ),
            "requests of locust in gunicorn's access log / seen by locust": (
                f"{server_counted} / {len(records)}"
            ),
            "mean CPU of a gunicorn worker per request, logins left out (ms)": (
                f"{mean_cpu:.1f}"
            ),
            "locust exit status": locust.returncode,
        }
        totals = {
            "count": len(records),
            "failures": sum(r["failures"] for r in rows),
            "server_errors": sum(r["server_errors"] for r in rows),
            "connection_errors": sum(r["connection_errors"] for r in rows),
            "rps": len(records) / window if window else 0,
            "p50": percentile(all_times, 50) if all_times else 0,
            "p95": percentile(all_times, 95) if all_times else 0,
            "p99": percentile(all_times, 99) if all_times else 0,
            "max": max(all_times) if all_times else 0,
        }
        failed = (
            totals["failures"]
            or server_5xx
            or totals["connection_errors"]
            or mismatches
            or checks["tracebacks in gunicorn's error log"]
            or checks["deadlocks (pg_stat_database, this database)"]
            or failed_tasks
            or not records
        )
        result = {
            "verdict": "FAIL" if failed else "PASS",
            "users": args.users,
            "spawn_rate": args.spawn_rate,
            "duration": args.duration,
            "wait": [args.wait_min, args.wait_max],
            "gunicorn_workers": args.gunicorn_workers,
            "worker_concurrency": args.worker_concurrency,
            "started": started,
            "loadavg_start": loadavg_start,
            "loadavg_end": loadavg_end,
            "windows": windows,
            "requests": rows,
            "totals": totals,
            "get_p95": percentile(gets, 95) if gets else 0,
            "post_p95": percentile(posts, 95) if posts else 0,
            "steady_get_p95": percentile(steady_gets, 95) if steady_gets else 0,
            "steady_post_p95": percentile(steady_posts, 95) if steady_posts else 0,
            "rows": row_totals,
            "mismatches": mismatches,
            "writes": dict(writes),
            "conflicts_409": conflicts,
            "checks": checks,
            "failure_samples": failure_samples,
        }
        report(result)
        (results / "result.json").write_text(
            json.dumps(result, indent=1, ensure_ascii=False)
        )
        if args.json:
            args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False))
        status = 0 if not failed else 1
    finally:
        processes.stop_all()
        redis.stop()
        for name in (
            "worker.log",
            "gunicorn-access.log",
            "gunicorn-error.log",
            "gunicorn-stdout.log",
        ):
            if (workdir / name).exists():
                shutil.copy(workdir / name, results / name)
        if (workdir / "locust").exists():
            for path in (workdir / "locust").iterdir():
                shutil.copy(path, results / path.name)
        if not args.keep:
            try:
                admin_sql("DROP DATABASE IF EXISTS {} WITH (FORCE)", args.database)
            except Exception as error:  # noqa: BLE001 - report, keep tearing down
                log(f"could not drop {args.database}: {error}")
        shutil.rmtree(workdir, ignore_errors=True)
        log(f"results in {results.relative_to(ROOT)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
