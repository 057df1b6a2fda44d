"""Benchmark: every page at demo and at national scale (issue 11).

Requirement (issue 11): "Measured side by side in one run on PostgreSQL under
gunicorn, at demo and at national scale, for provincial staff and for a
commune officer: registration list (plain, filtered, searched, deep page),
registration detail, assessment page, progress pages, dashboard, areas list,
plan, home, report list, exports." Verdicts:

1. every page's server CPU per request (gunicorn worker + its PostgreSQL
   backend) at national scale ≤ 6 × the bare view's, same server, same run;
2. every page's CPU per request at national scale ≤ 1.25 × at demo scale;
3. the registration list ≥ 1.5 × the requests/s of the admin changelist of
   the same 20,000 rows (``wrk``, as the superuser);
4. the exports of 20,000 rows (CSV, XLSX): first byte ≤ 100 ms, or a
   background job; the worker's peak memory recorded.

How:

* **Data**: two PostgreSQL databases on 127.0.0.1, ``bcd138_pages_demo_bench``
  (``bench/national_data.py --demo``: ``seed_demo``) and
  ``bcd138_pages_national_bench`` (``bench/national_data.py``: 34 provinces,
  ~3,300 commune-level units, 20,000 registrations…), built when missing or
  with ``--rebuild``, kept otherwise; their JSON (personas, province codes,
  counts) in ``var/bench/pages/``. Personas ``bench-staff`` (provincial
  staff), ``bench-commune`` (a commune-level officer), ``bench-admin``
  (superuser); ``CAMPAIGN_PROVINCE_CODES`` from the JSON.
* **Queries**: in a child process per database (``bench/_pages_child.py``,
  ``bench.settings_bench``), Django's test ``Client``: each page cold (cache
  emptied) and warm.
* **Servers**: ``collectstatic`` into a temporary ``STATIC_ROOT`` (DEBUG off),
  then one ``gunicorn bench.bare_wsgi`` per database, each with ONE sync
  worker on 127.0.0.1, both up at once so that the rounds alternate between
  them; persistent database connections (``DB_CONN_MAX_AGE=3600``), the cache
  and the broker in Redis dbs 8 and 9 (swapped between the two servers so
  that no cache key is shared; emptied before and after; no Celery worker).
  Real log-ins through the login form (``requests``).
* **CPU per request**: the worker's on-CPU time (``/proc/<pid>/task/*/
  schedstat``, ns) plus that of the PostgreSQL backends connected to its
  database (``pg_stat_activity`` by ``datname``: only that worker connects to
  it; ``/proc/<backend>/schedstat``), over N sequential keep-alive requests ÷
  N. Each round asks every (page, persona) as a *block*, back to back: the
  national page, the national bare view ``/bench/bare/`` and the demo page
  (reversed every other round, the blocks' order rotating). The ratios of
  the verdicts are paired: one per round from the block's own three
  measurements, seconds apart, then their median over the rounds (the
  machine's speed drifts by half between rounds: a ratio of medians taken
  minutes apart carries that drift). The CPU columns are medians over the
  rounds. Every page is checked first: 200, a marker of the page, no
  redirect to the login page. Redis's CPU (the dashboard's cache) is not
  counted: the server is shared. The dashboard is measured warm (its figures
  kept, ``DASHBOARD_CACHE_SECONDS=3600`` so that they stay so for the run).
* **Requests/s**: ``wrk -t1 -c2`` on the national server as ``bench-admin``:
  ``/registrations/`` and ``/admin/registrations/registration/``, alternating,
  ``--wrk-rounds`` × ``--wrk-seconds``.
* **Exports** (national, ``bench-staff``: every registration): time to the
  first byte of the body (one byte read alone) and in total (``stream=True``),
  size (CSV rows counted), CPU, and the worker's ``VmHWM`` (reset through
  ``/proc/<pid>/clear_refs`` before each request) against its RSS before;
  each export asked once untimed first, then ``--export-rounds`` times.
* ``--profile PAGE``: cProfile (cumulative, top 40) of ``--profile-count``
  requests of one page in-process (``bench/_pages_child.py``), as
  ``--profile-persona`` at ``--profile-scale``; nothing else runs.

Usage (from the project root):
    .venv/bin/python bench/pages.py [--rounds 5] [--requests 10] [--pages list,home]
        [--rebuild] [--json PATH] [--profile PAGE [--profile-persona commune]]

Exit status 1 if a requirement fails or a page does not answer.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import _common  # noqa: E402

HOST = "127.0.0.1"
PG_SERVER = f"postgres://postgres@{HOST}:5432"
FORBIDDEN_DATABASES = {"bcd138", "bcd138dev", "test_bcd138", "postgres"}
DATABASES = {
    "demo": "bcd138_pages_demo_bench",
    "national": "bcd138_pages_national_bench",
}
SCALES = ("demo", "national")
REDIS = {"cache": f"redis://{HOST}:6379/8", "broker": f"redis://{HOST}:6379/9"}
JSON_DIR = ROOT / "var" / "bench" / "pages"
CHILD = ROOT / "bench" / "_pages_child.py"
SECRET_KEY = "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-only-password-138")
PERSONAS = {"staff": "bench-staff", "commune": "bench-commune"}
ADMIN = "bench-admin"

LIMIT_BARE = 6.0
LIMIT_SCALE = 1.25
LIMIT_ADMIN = 1.5
LIMIT_FIRST_BYTE_MS = 100.0

LIST_MARKER = 'id="results-heading"'
MAIN_MARKER = 'id="main"'
# page key -> (label, marker in the HTML)
PAGES = {
    "home": ("home", MAIN_MARKER),
    "list": ("registration list", LIST_MARKER),
    "list_filtered": ("list, filtered (approved, this year)", LIST_MARKER),
    "list_searched": ("list, searched (q=xa)", LIST_MARKER),
    "list_deep": ("list, deep page (200, or the last)", LIST_MARKER),
    "detail": ("registration detail", MAIN_MARKER),
    "assessment": ("assessment page", MAIN_MARKER),
    "progress": ("progress (current phase)", MAIN_MARKER),
    "progress_2023": ("progress (2023–2025)", MAIN_MARKER),
    "dashboard": ("dashboard", MAIN_MARKER),
    "areas": ("areas list", MAIN_MARKER),
    "plan": ("plan", MAIN_MARKER),
    "reports": ("report list", MAIN_MARKER),
}
EXPORTS = {
    "export_csv": ("registrations, CSV", "text/csv"),
    "export_xlsx": ("registrations, XLSX", "spreadsheetml"),
}


def log(message: str) -> None:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", file=sys.stderr, flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--requests", type=int, default=10, help="per page and round")
    parser.add_argument(
        "--pages", help="comma-separated subset of: " + ", ".join([*PAGES, *EXPORTS])
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild both databases")
    parser.add_argument(
        "--reuse",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="keep databases already built (default)",
    )
    parser.add_argument("--wrk-seconds", type=int, default=5)
    parser.add_argument("--wrk-rounds", type=int, default=3)
    parser.add_argument("--export-rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--profile", metavar="PAGE", help="cProfile one page, then stop"
    )
    parser.add_argument("--profile-persona", default="staff", choices=list(PERSONAS))
    parser.add_argument("--profile-scale", default="national", choices=SCALES)
    parser.add_argument("--profile-count", type=int, default=20)
    args = parser.parse_args()
    if args.rebuild:
        args.reuse = False
    known = {*PAGES, *EXPORTS}
    args.page_list = [p for p in (args.pages or "").split(",") if p] or sorted(known)
    unknown = set(args.page_list) - known
    if unknown or (args.profile and args.profile not in known):
        parser.error(f"unknown page(s): {sorted(unknown) or args.profile}")
    return args


# --- data sets -------------------------------------------------------------------------


def _check_name(name: str) -> None:
    if name in FORBIDDEN_DATABASES or not name.endswith("bench"):
        sys.exit(f"{name!r}: use a throw-away database whose name ends in 'bench'")


def _pg(dbname: str = "postgres"):
    import psycopg

    return psycopg.connect(
        host=HOST, port=5432, user="postgres", dbname=dbname, autocommit=True
    )


def _database_exists(name: str) -> bool:
    with _pg() as connection:
        row = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
    return row is not None


@dataclass
class DataSet:
    scale: str
    name: str
    info: dict = field(default_factory=dict)
    built: bool = False

    @property
    def url(self) -> str:
        return f"{PG_SERVER}/{self.name}"

    @property
    def json_path(self) -> Path:
        return JSON_DIR / f"{self.name}.json"

    @property
    def redis(self) -> dict[str, str]:
        """The demo's cache is db 8 and its broker db 9; the national one's
        the other way round: the two servers never share a cache key."""
        if self.scale == "demo":
            return {"CACHE_URL": REDIS["cache"], "CELERY_BROKER_URL": REDIS["broker"]}
        return {"CACHE_URL": REDIS["broker"], "CELERY_BROKER_URL": REDIS["cache"]}

    def prepare(self, *, reuse: bool) -> None:
        _check_name(self.name)
        if reuse and self.json_path.exists() and _database_exists(self.name):
            self.info = json.loads(self.json_path.read_text(encoding="utf-8"))
            log(f"{self.scale}: reusing {self.name} (migrated to today's models)")
            # A database built by an older checkout lacks today's migrations
            # (a new index, say): the pages would run on another schema.
            subprocess.run(
                [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"],
                cwd=ROOT,
                env={
                    **os.environ,
                    "DATABASE_URL": self.url,
                    "SECRET_KEY": SECRET_KEY,
                    "DEBUG": "false",
                    "ALLOWED_HOSTS": HOST,
                },
                check=True,
            )
            return
        JSON_DIR.mkdir(parents=True, exist_ok=True)
        log(f"{self.scale}: building {self.name} (bench/national_data.py)")
        command = [
            sys.executable,
            str(ROOT / "bench" / "national_data.py"),
            "--database-url",
            self.url,
            "--json",
            str(self.json_path),
        ]
        if self.scale == "demo":
            command.append("--demo")
        env = {**os.environ, "BENCH_PASSWORD": PASSWORD}
        self.json_path.unlink(missing_ok=True)
        done = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        if not self.json_path.exists():
            sys.exit(
                f"bench/national_data.py failed for {self.name} ({done.returncode})"
            )
        if done.returncode:  # built, but slower than its own limit: said on stderr
            log(f"{self.scale}: national_data.py exit status {done.returncode}")
        self.info = json.loads(self.json_path.read_text(encoding="utf-8"))
        self.built = True

    def env(self, static_root: Path, media: Path) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
            "DEBUG": "false",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": f"{HOST},testserver",
            "DATABASE_URL": self.url,
            "DB_CONN_MAX_AGE": "3600",
            # The dashboard stays warm for the whole run (default 300 s).
            "DASHBOARD_CACHE_SECONDS": "3600",
            "STATIC_ROOT": str(static_root),
            "PRIVATE_MEDIA_ROOT": str(media),
            "LOG_LEVEL": "WARNING",
            "TWO_FACTOR_REQUIRED": "false",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "CAMPAIGN_PROVINCE_CODES": self.info["province_codes"],
            "PYTHONDONTWRITEBYTECODE": "1",
            **self.redis,
        }

    def personas(self) -> dict[str, dict]:
        people = self.info["personas"]
        return {
            **{key: people[username] for key, username in PERSONAS.items()},
            "admin": people[ADMIN],
        }


def run_child(step: str, args: dict, env: dict[str, str]) -> dict:
    done = subprocess.run(
        [sys.executable, str(CHILD), step, json.dumps(args)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"bench/_pages_child.py {step} failed ({done.returncode})")
    return json.loads(lines[-1])


def flush_redis() -> None:
    import redis

    for url in REDIS.values():
        redis.Redis.from_url(url).flushdb()


def collectstatic(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        check=True,
    )


# --- CPU and memory from /proc -----------------------------------------------------


def _schedstat_ns(pid: int) -> int:
    """On-CPU time of every thread of process ``pid`` (ns); 0 once it is gone."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    for tid in tasks:
        try:
            total += int(
                Path(f"/proc/{pid}/task/{tid}/schedstat").read_text().split()[0]
            )
        except (OSError, ValueError, IndexError):
            pass
    return total


_status_kib = _common.proc_status_kib

_reset_peak = _common.reset_peak

_children = _common.child_pids


class CpuMeter:
    """CPU of one gunicorn worker and of the PostgreSQL backends connected to
    its database (only that worker connects to it while it is measured)."""

    def __init__(self, monitor, worker: int, database: str):
        self.monitor, self.worker, self.database = monitor, worker, database

    def backends(self) -> list[int]:
        rows = self.monitor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s"
            " AND backend_type = 'client backend'",
            [self.database],
        ).fetchall()
        return [row[0] for row in rows]

    def sample(self) -> tuple[int, dict[int, int]]:
        return _schedstat_ns(self.worker), {
            pid: _schedstat_ns(pid) for pid in self.backends()
        }

    @staticmethod
    def delta(before, after) -> tuple[float, float]:
        """(worker seconds, database seconds) between two samples; a backend
        that appeared in between counts whole."""
        worker = (after[0] - before[0]) / 1e9
        db = sum(ns - before[1].get(pid, 0) for pid, ns in after[1].items()) / 1e9
        return worker, max(db, 0.0)


# --- gunicorn ----------------------------------------------------------------------


_free_port = _common.free_port


class Server:
    """``gunicorn bench.bare_wsgi`` with one sync worker for one data set."""

    def __init__(self, data: DataSet, env: dict[str, str], log_dir: Path, monitor):
        import requests

        self.data = data
        self.port = _free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.log_path = log_dir / f"gunicorn-{data.scale}.log"
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "bench.bare_wsgi",
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                "1",
                "--worker-class",
                "sync",
                "--timeout",
                "300",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log_path.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    "gunicorn exited:\n" + self.log_path.read_text(errors="replace")
                )
            try:
                if requests.get(self.base + "/healthz/", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                self.close()
                raise RuntimeError("gunicorn not answering after 60 s")
            time.sleep(0.2)
        workers = _children(self.process.pid)
        if len(workers) != 1:
            raise RuntimeError(f"expected one gunicorn worker, found {workers}")
        self.worker = workers[0]
        self.meter = CpuMeter(monitor, self.worker, data.name)
        self.sessions: dict[str, object] = {}

    def log_in(self, key: str, username: str) -> None:
        """A real log-in through the login form (CSRF token, password)."""
        import requests

        session = requests.Session()
        page = session.get(self.base + "/login/", timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if token is None:
            raise RuntimeError("no CSRF token on the login page")
        response = session.post(
            self.base + "/login/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "username": username,
                "password": PASSWORD,
                "next": "/",
            },
            headers={"Referer": self.base + "/login/"},
            allow_redirects=False,
            timeout=60,
        )
        location = response.headers.get("Location", "")
        if response.status_code != 302 or "/login/" in location:
            raise RuntimeError(
                f"{self.data.scale}: log-in as {username} failed "
                f"({response.status_code} {location})"
            )
        self.sessions[key] = session

    def cookie(self, key: str) -> str:
        session = self.sessions[key]
        return "; ".join(f"{c.name}={c.value}" for c in session.cookies)

    def get(self, key: str, path: str):
        return self.sessions[key].get(
            self.base + path, allow_redirects=False, timeout=300
        )

    def check(self, key: str, path: str, marker: str) -> str | None:
        """None if the page answers 200 with its marker; else what went wrong."""
        response = self.get(key, path)
        if response.status_code != 200:
            where = response.headers.get("Location", "")
            return f"{response.status_code} {where}".strip()
        if marker not in response.text:
            return f"200 without {marker!r}"
        return None

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


# --- measurements -----------------------------------------------------------------


def measure_batch(server: Server, key: str, path: str, count: int) -> dict:
    """``count`` sequential keep-alive requests: CPU per request and wall."""
    before = server.meter.sample()
    started = time.perf_counter()
    for _ in range(count):
        response = server.get(key, path)
        if response.status_code != 200:
            raise RuntimeError(
                f"{server.data.scale} {key} {path}: {response.status_code}"
            )
    wall = time.perf_counter() - started
    worker, db = CpuMeter.delta(before, server.meter.sample())
    return {"app": worker / count, "db": db / count, "wall": wall / count}


def _cpu(result: dict) -> float:
    return result["app"] + result["db"]


def time_pages(servers: dict[str, Server], cases: list[tuple], args) -> dict:
    """Rounds over every case (scale, persona, page, path), measured in
    *blocks*: each (persona, page) at once as its national page, the national
    bare view and its demo page, back to back (their order reversed every
    other round, the blocks' order rotating). The machine's speed drifts
    (another tenant, the CPU's clock): between rounds the bare view alone
    moved by half, which a ratio of medians taken minutes apart carries in
    full. Within a block the three are seconds apart, so each round gives
    one ratio to the bare view and one to the demo; the verdicts take the
    median of those paired ratios.

    Returns {case id: {app, db, cpu, wall: medians, rounds}} and, under
    ``"paired"``, {persona|page: {by_bare: [...], by_demo: [...]}}."""
    for scale, key, _page, path in cases:  # warm-up: caches, connections
        measure_batch(servers[scale], key, path, 2)
    bare_path = {scale: path for scale, _k, page, path in cases if page == "bare"}
    blocks: dict[tuple[str, str], dict[str, str]] = {}
    for scale, key, page, path in cases:
        if page != "bare":
            blocks.setdefault((key, page), {})[scale] = path
    order_all = list(blocks.items())
    series: dict[str, list[dict]] = {}
    paired: dict[str, dict[str, list[float]]] = {}
    for round_no in range(args.rounds):
        shift = (round_no * 7) % max(len(order_all), 1)
        order = order_all[shift:] + order_all[:shift]
        # The demo's bare view once a round (shown, not a verdict's term).
        if "demo" in bare_path:
            result = measure_batch(
                servers["demo"], "staff", bare_path["demo"], args.requests
            )
            series.setdefault("demo|staff|bare", []).append(result)
        for (key, page), paths in order:
            steps = [("national", page), ("national", "bare"), ("demo", page)]
            if round_no % 2:
                steps.reverse()
            got: dict[tuple[str, str], dict] = {}
            for scale, what in steps:
                if what == "bare":
                    path, who = bare_path.get(scale), "staff"
                else:
                    path, who = paths.get(scale), key
                if path is None:
                    continue
                result = measure_batch(servers[scale], who, path, args.requests)
                got[(scale, what)] = result
                name = f"{scale}|{who}|{what}"
                series.setdefault(name, []).append(result)
            nat = got.get(("national", page))
            bare = got.get(("national", "bare"))
            demo = got.get(("demo", page))
            pair = paired.setdefault(f"{key}|{page}", {"by_bare": [], "by_demo": []})
            if nat and bare:
                pair["by_bare"].append(_cpu(nat) / _cpu(bare))
            if nat and demo:
                pair["by_demo"].append(_cpu(nat) / _cpu(demo))
        log(f"round {round_no + 1}/{args.rounds} done")
    summary: dict = {}
    for case, runs in series.items():
        summary[case] = {
            "app": statistics.median(r["app"] for r in runs),
            "db": statistics.median(r["db"] for r in runs),
            "cpu": statistics.median(_cpu(r) for r in runs),
            "wall": statistics.median(r["wall"] for r in runs),
            "rounds": runs,
        }
    summary["paired"] = paired
    return summary


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _to_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url: str, cookie: str, seconds: int) -> dict:
    output = subprocess.run(
        ["wrk", "-t1", "-c2", f"-d{seconds}s", "--timeout", "30s", "--latency"]
        + ["-H", f"Cookie: {cookie}", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 90,
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50_ms": _to_ms(latency["50"]) if "50" in latency else None,
        "p99_ms": _to_ms(latency["99"]) if "99" in latency else None,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
    }


def requests_loop(server: Server, key: str, path: str, seconds: int) -> dict:
    """Without wrk: two threads of sequential requests for ``seconds``."""
    import threading

    import requests

    counts, errors = [0, 0], [0]
    deadline = time.monotonic() + seconds
    cookie = server.cookie(key)

    def worker(i: int) -> None:
        session = requests.Session()
        while time.monotonic() < deadline:
            response = session.get(
                server.base + path, headers={"Cookie": cookie}, allow_redirects=False
            )
            counts[i] += 1
            errors[0] += response.status_code != 200

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    return {"rps": sum(counts) / wall, "requests": sum(counts), "non_2xx": errors[0]}


def throughput(server: Server, paths: dict[str, str], args) -> dict:
    use_wrk = shutil.which("wrk") is not None
    cookie = server.cookie("admin")
    targets = {"list": paths["list"], "admin_list": paths["admin_list"]}

    def one(path: str, seconds: int) -> dict:
        if use_wrk:
            return wrk(server.base + path, cookie, seconds)
        return requests_loop(server, "admin", path, seconds)

    for path in targets.values():
        one(path, 1)
    runs: dict[str, list[dict]] = {name: [] for name in targets}
    for round_no in range(args.wrk_rounds):
        names = list(targets) if round_no % 2 == 0 else list(reversed(targets))
        for name in names:
            runs[name].append(one(targets[name], args.wrk_seconds))
    return {
        "tool": "wrk -t1 -c2" if use_wrk else "requests, 2 threads",
        "paths": targets,
        "runs": runs,
        "rps": {
            name: statistics.median(r["rps"] for r in rs) for name, rs in runs.items()
        },
        "non_2xx": {name: sum(r["non_2xx"] for r in rs) for name, rs in runs.items()},
    }


def measure_export(server: Server, key: str, path: str, content_type: str) -> dict:
    """One streamed download: first byte of the body, total, size, CPU, the
    worker's peak memory (VmHWM reset just before) against its RSS before."""
    session = server.sessions[key]
    rss_before = _status_kib(server.worker)["VmRSS"]
    _reset_peak(server.worker)
    before = server.meter.sample()
    started = time.perf_counter()
    response = session.get(
        server.base + path, stream=True, allow_redirects=False, timeout=300
    )
    headers_at = time.perf_counter()
    # The first byte alone (a bigger read could wait for more), then the rest.
    # One byte first (a bigger read may wait for more), then the rest.
    chunk = response.raw.read(1, decode_content=True)
    first = time.perf_counter() if chunk else None
    size, lines = 0, 0
    while chunk:
        size += len(chunk)
        lines += chunk.count(b"\n")
        chunk = response.raw.read(65536, decode_content=True)
    total = time.perf_counter() - started
    worker, db = CpuMeter.delta(before, server.meter.sample())
    status = _status_kib(server.worker)
    kind = response.headers.get("Content-Type", "")
    background = response.status_code in (302, 303) and "/login/" not in (
        response.headers.get("Location", "")
    )
    if not background and (response.status_code != 200 or content_type not in kind):
        raise RuntimeError(f"{path}: {response.status_code} {kind}")
    return {
        "status": response.status_code,
        "background_job": background,
        "headers_ms": (headers_at - started) * 1000,
        "first_byte_ms": ((first or headers_at) - started) * 1000,
        "total_ms": total * 1000,
        "bytes": size,
        "csv_rows": lines - 1 if "csv" in kind else None,
        "cpu_ms": (worker + db) * 1000,
        "rss_before_kib": rss_before,
        "peak_kib": status["VmHWM"],
    }


# --- main -----------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    os.chdir(ROOT)
    machine = _common.machine_info()
    started = f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M:%S}"
    data = {scale: DataSet(scale, name) for scale, name in DATABASES.items()}
    for item in data.values():
        item.prepare(reuse=args.reuse)
    workdir = Path(tempfile.mkdtemp(prefix="bcd138-bench-pages-"))
    static_root = workdir / "static"
    results: dict = {
        "started": started,
        "machine": machine,
        "args": {k: v for k, v in vars(args).items() if k != "json"},
        "data": {
            s: {
                "database": d.name,
                "built_now": d.built,
                "counts": d.info.get("counts", {}),
                "province_codes": d.info["province_codes"],
                "personas": d.info["personas"],
            }
            for s, d in data.items()
        },
    }
    servers: dict[str, Server] = {}
    monitor = None
    try:
        envs = {
            s: d.env(static_root, workdir / f"private-{s}") for s, d in data.items()
        }
        for s in SCALES:
            (workdir / f"private-{s}").mkdir()
        flush_redis()
        if args.profile:
            return profile(args, data, envs)
        log("collectstatic")
        collectstatic(envs["national"])
        log("queries (test Client, in child processes)")
        prepared = {
            s: run_child(
                "prepare",
                {"personas": data[s].personas(), "pages": args.page_list},
                envs[s],
            )
            for s in SCALES
        }
        results["paths"] = {s: p["paths"] for s, p in prepared.items()}
        results["queries"] = {s: p["queries"] for s, p in prepared.items()}
        flush_redis()
        import psycopg  # noqa: F401 - the monitor connection

        monitor = _pg()
        for s in SCALES:
            servers[s] = Server(data[s], envs[s], workdir, monitor)
            for key in (*PERSONAS, "admin"):
                servers[s].log_in(key, data[s].personas()[key]["username"])
        log(f"servers up: workers {[srv.worker for srv in servers.values()]}")
        problems, cases = [], []
        for s in SCALES:
            cases.append((s, "staff", "bare", "/bench/bare/"))
            for key in PERSONAS:
                for page, path in results["paths"][s][key].items():
                    if page not in PAGES:
                        continue
                    error = servers[s].check(key, path, PAGES[page][1])
                    if error:
                        problems.append(f"{s} {key} {page} `{path}`: {error}")
                    else:
                        cases.append((s, key, page, path))
        results["problems"] = problems
        for problem in problems:
            log(f"not measured: {problem}")
        log(f"timing {len(cases)} cases × {args.rounds} rounds × {args.requests}")
        results["time"] = time_pages(servers, cases, args)
        national = servers["national"]
        if "list" in args.page_list:
            log("requests/s: list vs admin changelist")
            admin_paths = results["paths"]["national"]["admin"]
            for name, marker in (
                ("list", LIST_MARKER),
                ("admin_list", 'id="result_list"'),
            ):
                error = national.check("admin", admin_paths[name], marker)
                if error:
                    raise RuntimeError(f"admin {name}: {error}")
            results["throughput"] = throughput(national, admin_paths, args)
        exports = [p for p in EXPORTS if p in args.page_list]
        results["exports"] = {}
        results["export_idle_kib"] = _status_kib(national.worker)["VmRSS"]
        for page in exports:
            log(f"export {page}")
            path = results["paths"]["national"]["staff"][page]
            measure_export(national, "staff", path, EXPORTS[page][1])  # warm-up
            results["exports"][page] = [
                measure_export(national, "staff", path, EXPORTS[page][1])
                for _ in range(args.export_rounds)
            ]
    finally:
        for server in servers.values():
            server.close()
        if monitor is not None:
            monitor.close()
        flush_redis()
        shutil.rmtree(workdir, ignore_errors=True)
    results["finished"] = f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M:%S}"
    verdicts = report(results, args)
    results["verdicts"] = verdicts
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(results, indent=2, default=str, ensure_ascii=False)
        )
    ok = bool(verdicts) and all(verdicts.values()) and not results["problems"]
    return 0 if ok else 1


def profile(args, data: dict[str, DataSet], envs: dict[str, dict]) -> int:
    """cProfile of one page in-process (no collectstatic: plain static files)."""
    scale = args.profile_scale
    envs = {s: {**env, "BENCH_PLAIN_STATIC": "1"} for s, env in envs.items()}
    persona = data[scale].personas()[args.profile_persona]
    paths = run_child(
        "prepare", {"personas": {"p": persona}, "pages": [args.profile]}, envs[scale]
    )["paths"]["p"]
    if args.profile not in paths:
        sys.exit(f"{args.profile}: no such page for {persona['username']} at {scale}")
    result = run_child(
        "profile",
        {
            "username": persona["username"],
            "path": paths[args.profile],
            "count": args.profile_count,
        },
        envs[scale],
    )
    print(
        f"# cProfile: {result['count']} requests of `{result['path']}` as "
        f"{persona['username']}, {scale} scale (status {result['status']}, "
        f"{result['wall_ms_per_request']} ms each under the profiler)\n"
    )
    print("```\n" + result["profile"].strip() + "\n```")
    return 0


# --- report ----------------------------------------------------------------------------


def table(header: list[str], rows: list[list]) -> None:
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")
    print()


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def report(results: dict, args) -> dict[str, bool]:
    verdicts: dict[str, bool] = {}
    print("# Every page at demo and at national scale (issue 11)\n")
    print(
        f"Run {results['started']} – {results['finished']} UTC; PostgreSQL on "
        f"{HOST}; `gunicorn bench.bare_wsgi`, one sync worker per database, DEBUG "
        f"off; {args.rounds} rounds × {args.requests} sequential keep-alive "
        "requests per page; each round measures every (page, persona) as a "
        "block: national page, national `/bench/bare/`, demo page, back to "
        "back; CPU = gunicorn worker + its PostgreSQL backend "
        "(`/proc/*/schedstat`), per request, median over the rounds; the "
        "ratios are the medians of each round's paired ratios.\n"
    )
    table(["machine", "value"], [[k, v] for k, v in results["machine"]])
    counts = {s: results["data"][s]["counts"] for s in SCALES}
    rows = []
    for table_name, label in (
        ("units_area", "areas"),
        ("committees_steeringcommittee", "committees"),
        ("registrations_registration", "registrations"),
        ("assessments_assessment", "assessments"),
        ("registrations_notification", "notifications"),
        ("reporting_reportjob", "report jobs"),
    ):
        rows.append([label, *(f"{counts[s].get(table_name, 0):,}" for s in SCALES)])
    rows.append(
        [
            "`CAMPAIGN_PROVINCE_CODES`",
            *(
                f"{len(results['data'][s]['province_codes'].split(','))} codes"
                for s in SCALES
            ),
        ]
    )
    table(["data", *(f"{s} (`{DATABASES[s]}`)" for s in SCALES)], rows)
    for problem in results["problems"]:
        print(f"* **not measured**: {problem}")
    if results["problems"]:
        print()
    time_ = results["time"]
    bare = {s: time_.get(f"{s}|staff|bare") for s in SCALES}
    rows = []
    for key in PERSONAS:
        for page, (label, _marker) in PAGES.items():
            cells = {s: time_.get(f"{s}|{key}|{page}") for s in SCALES}
            if not any(cells.values()):
                continue
            q = {
                s: results["queries"][s].get(key, {}).get(page, {}).get("warm", "–")
                for s in SCALES
            }
            demo, nat = cells["demo"], cells["national"]
            pair = time_.get("paired", {}).get(f"{key}|{page}", {})
            by_bare = (
                statistics.median(pair["by_bare"]) if pair.get("by_bare") else None
            )
            by_demo = (
                statistics.median(pair["by_demo"]) if pair.get("by_demo") else None
            )
            ok = (
                by_bare is not None
                and by_bare <= LIMIT_BARE
                and (by_demo is None or by_demo <= LIMIT_SCALE)
            )
            verdicts[f"{key}:{page}"] = ok
            rows.append(
                [
                    label,
                    key,
                    _ms(demo["cpu"]) if demo else "–",
                    _ms(nat["cpu"]) if nat else "–",
                    f"{_ms(nat['app'])} + {_ms(nat['db'])}" if nat else "–",
                    _ms(bare["national"]["cpu"]),
                    f"{by_bare:.2f}" if by_bare is not None else "–",
                    f"{by_demo:.2f}" if by_demo is not None else "–",
                    f"{q['demo']} / {q['national']}",
                    "PASS" if ok else "**FAIL**",
                ]
            )
    print("## CPU per request\n")
    table(
        [
            "page",
            "persona",
            "demo CPU ms",
            "national CPU ms",
            "national: app + db ms",
            "bare CPU ms (national)",
            f"national ÷ bare, paired (≤ {LIMIT_BARE:g})",
            f"national ÷ demo, paired (≤ {LIMIT_SCALE:g})",
            "queries demo / national",
            "verdict",
        ],
        rows,
    )
    print(
        "Bare view `/bench/bare/`: "
        + ", ".join(
            f"{s} {_ms(bare[s]['cpu'])} ms CPU ({_ms(bare[s]['wall'])} ms wall)"
            for s in SCALES
            if bare[s]
        )
        + ". Queries: warm (the page asked once before); cold counts in the JSON.\n"
    )
    rows = [
        [PAGES[page][0], key, *(f"`{paths[s][key].get(page, '–')}`" for s in SCALES)]
        for paths in (results["paths"],)
        for key in PERSONAS
        for page in PAGES
        if any(page in paths[s][key] for s in SCALES)
    ]
    if rows:
        print("Paths measured:\n")
        table(["page", "persona", "demo", "national"], rows)
    tp = results.get("throughput")
    if tp:
        ratio = tp["rps"]["list"] / tp["rps"]["admin_list"]
        ok = ratio >= LIMIT_ADMIN and not any(tp["non_2xx"].values())
        verdicts["throughput"] = ok
        print(f"## Requests/s, national, `{ADMIN}` ({tp['tool']}, one worker)\n")
        table(
            ["page", "req/s (median)", "rounds", "non-2xx"],
            [
                [
                    f"`{tp['paths'][name]}`",
                    f"{tp['rps'][name]:.1f}",
                    ", ".join(f"{r['rps']:.1f}" for r in tp["runs"][name]),
                    tp["non_2xx"][name],
                ]
                for name in ("list", "admin_list")
            ],
        )
        print(
            f"List ÷ admin changelist: **{ratio:.2f}** (≥ {LIMIT_ADMIN:g}): "
            f"**{'PASS' if ok else 'FAIL'}**\n"
        )
    exports = results.get("exports")
    if exports:
        print(f"## Exports, national, `{PERSONAS['staff']}` (every registration)\n")
        rows = []
        for page, runs in exports.items():
            background = all(r["background_job"] for r in runs)
            first = statistics.median(r["first_byte_ms"] for r in runs)
            first_max = max(r["first_byte_ms"] for r in runs)
            ok = background or first <= LIMIT_FIRST_BYTE_MS
            verdicts[page] = ok
            rows.append(
                [
                    EXPORTS[page][0],
                    "background job"
                    if background
                    else f"{first:.1f} (max {first_max:.1f})",
                    f"{statistics.median(r['total_ms'] for r in runs):.0f}",
                    f"{max(r['bytes'] for r in runs):,}"
                    + (
                        f" ({runs[0]['csv_rows']:,} rows)"
                        if runs[0].get("csv_rows") is not None
                        else ""
                    ),
                    f"{statistics.median(r['cpu_ms'] for r in runs):.0f}",
                    f"{max(r['rss_before_kib'] for r in runs) / 1024:.1f}",
                    f"{max(r['peak_kib'] for r in runs) / 1024:.1f}",
                    "PASS" if ok else "**FAIL**",
                ]
            )
        table(
            [
                "export",
                f"first byte ms, median (≤ {LIMIT_FIRST_BYTE_MS:g})",
                "total ms",
                "bytes",
                "CPU ms",
                "worker RSS before MiB",
                "worker peak (VmHWM) MiB",
                "verdict",
            ],
            rows,
        )
    if exports:
        print(
            "The worker's RSS before the first export (after the pages): "
            f"{results['export_idle_kib'] / 1024:.1f} MiB; each export is asked "
            "once before it is measured; VmHWM is reset before each request.\n"
        )
    failed = [name for name, ok in verdicts.items() if not ok]
    print(
        "Exit status: "
        + (
            "0 (PASS)"
            if verdicts and not failed and not results["problems"]
            else f"1 (FAIL: {', '.join(failed) or 'pages not measured'})"
        )
    )
    return verdicts


if __name__ == "__main__":
    sys.exit(main())
