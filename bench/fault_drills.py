"""Fault drills: the report pipeline and the app under the failures of life.

Issue 10, item 4 (reliability plan rows E1, E2 and G3, and a full disk).
Everything runs on throw-away components of its own, never on the machine's
shared PostgreSQL or Redis:

* a PostgreSQL cluster (``initdb`` in a temporary directory, a free port,
  trust authentication on 127.0.0.1; as the ``postgres`` user when run as root),
  migrated and loaded with the areas and the reference data, plus the drill's
  own local officers and approved registrations;
* a ``redis-server`` without persistence on a free port (broker db 0, cache db 1);
* the app's real processes: ``celery -A config worker`` (prefork), ``celery -A
  config beat`` (the reconciler), and for the load run ``gunicorn
  config.wsgi`` — with a short lease (``REPORT_LEASE_SECONDS=3``, heartbeat 1 s),
  the reconciler every 5 s and pending jobs re-sent after 5 s, so a drill takes
  seconds instead of minutes; ``REPORT_RENDER_DELAY_SECONDS`` (the fault-injection
  setting) makes a render last long enough to be killed in the middle.

The drills:

1. ``kill`` — a report is requested and its worker SIGKILLed in the middle of
   rendering, 20 times the pool process and 5 times the whole worker (a new
   one started at once); beat's reconciler must bring every report to done.
2. ``redis`` — 20 reports queued while no worker runs; Redis shut down
   without saving (every message lost) and started again; then a worker and
   beat: the reconciler must re-send all 20, each rendered once.
3. ``postgres`` — officers (HTTP clients with their own sessions) register
   units with a signed document, start assessments, request reports and read
   lists through gunicorn; PostgreSQL is stopped with ``-m immediate`` (a
   crash) in the middle and started again. A write that failed is tried
   again, as a person would. Every registration and assessment answered with
   success must be in the database exactly once, none twice; every report
   must end done or failed with a reason.
4. ``backup`` — ``manage.py backup`` of what the drills before left (rows and
   files), ``manage.py restore`` into a new database of the drill's cluster and
   a new folder: every check of the restore must pass (plan row F6).
5. ``disk`` — the private files on a 2 MiB tmpfs filled to the last byte:
   reports must fail with a reason (none stays running), uploads must be
   refused with an error and no row, and nothing half-written may be left;
   then space is freed and both work again.

Pass (each drill): every report ends done or failed with a reason, none is
left pending or running; no registration or assessment lost or duplicated;
no orphan file (a file no row points at) and no row without its file; the
time from the fault to all done is recorded. The script prints a Markdown
table (for docs/benchmarks.md) and the details of each drill; exit status 1
if a drill fails.

Usage (from the project root, as root for the full-disk drill's tmpfs):

    .venv/bin/python bench/fault_drills.py                   # all five
    .venv/bin/python bench/fault_drills.py kill redis --kills 5 --worker-kills 2
    .venv/bin/python bench/fault_drills.py postgres --clients 8 --load-seconds 60
    .venv/bin/python bench/fault_drills.py --json /tmp/drills.json --keep
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import itertools
import json
import os
import platform
import pwd
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.services import CeleryWorker, RedisServer, free_port, wait_for  # noqa: E402

# The backup drill before the disk drill: the disk drill points its processes
# at another folder, whose files the backup would not find.
DRILLS = ("kill", "redis", "postgres", "backup", "disk")
KIND = "area_catalogue"
LEASE_SECONDS = 3
HEARTBEAT_SECONDS = 1
RECONCILE_SECONDS = 5  # the setting's minimum
RESEND_AFTER_SECONDS = 5
RENDER_DELAY_SECONDS = 2
PHONE = "0296 3852 123"
STATUSES_FINISHED = ("done", "failed")


def log(message: str) -> None:
    stamp = time.strftime("%H:%M:%S", time.gmtime())
    print(f"[{stamp} UTC] {message}", file=sys.stderr, flush=True)


# Each drill asks for reports of its own as-of dates (one person asking twice
# for the same parameters while the first is prepared gets the first job back).
DATE_OFFSETS = {"kill": 0, "redis": 100, "postgres": 200, "disk": 1300}


def report_dates(count: int, *, offset: int = 0) -> list[str]:
    """Distinct as-of dates from 02/01/2023 on (never in the future)."""
    start = datetime.date(2023, 1, 2)
    last = datetime.datetime.now(tz=datetime.UTC).date() - datetime.timedelta(days=1)
    dates = [start + datetime.timedelta(days=offset + i) for i in range(count)]
    if dates and dates[-1] > last:
        raise ValueError("not enough past dates for the reports asked")
    return [day.isoformat() for day in dates]


# --- PostgreSQL cluster of the drill --------------------------------------------------


class PgCluster:
    """A PostgreSQL cluster in a directory of its own, on a free port."""

    def __init__(self, workdir: Path):
        bins = sorted(
            Path("/usr/lib/postgresql").glob("*/bin/initdb"),
            key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
        )
        if not bins:
            raise SystemExit(
                "PostgreSQL server binaries not found (/usr/lib/postgresql)."
            )
        self.bin = bins[-1].parent
        self.root = workdir / "pg"
        self.data = self.root / "data"
        self.socket_dir = self.root / "run"
        self.logfile = self.root / "postgresql.log"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0

    def _run(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_postgres else []
        return subprocess.run(
            [*prefix, *cmd], capture_output=True, text=True, check=check
        )

    def init(self) -> PgCluster:
        self.root.mkdir(mode=0o755)
        self.socket_dir.mkdir()
        if self.as_postgres:
            user = pwd.getpwnam("postgres")
            for path in (self.root, self.socket_dir):
                os.chown(path, user.pw_uid, user.pw_gid)
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "--auth=trust",
            "--username=postgres",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        return self

    def start(self) -> float:
        """Start the server; returns when it accepts connections (the
        monotonic time), polling every 0.05 s (``pg_ctl -w`` polls slower)."""
        options = (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 "
            "-c max_connections=100"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.logfile),
            "-o",
            options,
            "-W",
            "start",
        )
        wait_for(self.ready, 120, "PostgreSQL to accept connections", interval=0.05)
        return time.monotonic()

    def stop(self, mode: str = "fast") -> None:
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"
        )

    def running(self) -> bool:
        return (
            self._run(
                str(self.bin / "pg_ctl"), "-D", str(self.data), "status", check=False
            ).returncode
            == 0
        )

    def ready(self) -> bool:
        return (
            subprocess.run(
                ["pg_isready", "-h", "127.0.0.1", "-p", str(self.port), "-q"],
                check=False,
            ).returncode
            == 0
        )

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def createdb(self, dbname: str) -> None:
        subprocess.run(
            [
                "createdb",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                dbname,
            ],
            check=True,
        )


# --- App processes --------------------------------------------------------------------


class Process:
    """A long-running app process in its own process group, its output in a log."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path):
        self.name = name
        self.argv = argv
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> Process:
        handle = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def stop(self, timeout: float = 20) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


class Beat(Process):
    def __init__(self, env: dict[str, str], workdir: Path):
        super().__init__(
            "beat",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "beat",
                "--loglevel=INFO",
                "--schedule",
                str(workdir / f"beat-{uuid.uuid4().hex[:6]}"),
            ],
            env,
            workdir / "beat.log",
        )


class Gunicorn(Process):
    def __init__(self, env: dict[str, str], workdir: Path, workers: int):
        self.port = free_port()
        super().__init__(
            "gunicorn",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
            ],
            env,
            workdir / "gunicorn.log",
        )
        self.base = f"http://127.0.0.1:{self.port}"

    def start(self) -> Gunicorn:
        import requests

        super().start()

        def up() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{tail(self.log_path)}")
            try:
                return (
                    requests.get(f"{self.base}/healthz/", timeout=2).status_code == 200
                )
            except requests.RequestException:
                return False

        wait_for(up, 60, "gunicorn to answer /healthz/", interval=0.3)
        return self


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def pool_children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


# --- The drill's world ----------------------------------------------------------------


@dataclass
class Officer:
    username: str
    password: str
    user_id: int
    area_id: int
    area_name: str
    to_assess: list[int] = field(default_factory=list)  # approved registrations


class World:
    """The components of the drills and the Django of this process, pointed
    at them."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.workdir = Path(tempfile.mkdtemp(prefix="bcd138-drills-"))
        # The postgres user walks into pg/ (only pg/ is handed over to it).
        os.chmod(self.workdir, 0o755)  # noqa: S103
        self.media = self.workdir / "private"
        self.media.mkdir()
        self.static = self.workdir / "static"
        self.pg = PgCluster(self.workdir)
        self.redis = RedisServer(self.workdir)
        self.processes: list[Process | CeleryWorker] = []
        self.mounts: list[Path] = []
        self.officers: list[Officer] = []
        self.secret_key = secrets.token_urlsafe(50)
        self.load_at_start = os.getloadavg()[0]
        self.log_numbers = itertools.count()

    # environment -------------------------------------------------------------
    def env(self, **extra: str) -> dict[str, str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": self.pg.url("drills"),
            "CELERY_BROKER_URL": self.redis.url,
            "CACHE_URL": self.redis.url.rsplit("/", 1)[0] + "/1",
            "PRIVATE_MEDIA_ROOT": str(self.media),
            "STATIC_ROOT": str(self.static),
            "SECRET_KEY": self.secret_key,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "HTTPS": "false",
            "LOG_LEVEL": "INFO",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "DB_CONN_MAX_AGE": "60",
            "REPORT_LEASE_SECONDS": str(LEASE_SECONDS),
            "REPORT_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
            "REPORT_RECONCILE_INTERVAL_SECONDS": str(RECONCILE_SECONDS),
            "REPORT_RESEND_AFTER_SECONDS": str(RESEND_AFTER_SECONDS),
            "REPORT_MAX_ATTEMPTS": "3",
            "REPORT_RENDER_DELAY_SECONDS": "0",
            "CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT": "5",
            "TWO_FACTOR_REQUIRED": "false",
        }
        for name in ("PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD"):
            env.pop(name, None)
        env.update(extra)
        return env

    # set-up ------------------------------------------------------------------
    def up(self) -> None:
        log(f"work directory {self.workdir}")
        self.pg.init().start()
        self.pg.createdb("drills")
        self.redis.start()
        log(
            f"PostgreSQL {self.pg.bin.parts[-2]} on port {self.pg.port}, Redis on {self.redis.port}"
        )
        os.environ.update(self.env(DB_CONN_MAX_AGE="0", LOG_LEVEL="WARNING"))
        import django

        django.setup()
        from django.core.management import call_command

        quiet = io.StringIO()
        started = time.monotonic()
        # gunicorn runs with DEBUG off: the pages need the collected (and
        # compressed: ~40 s) static files. Meanwhile, the database.
        self.collectstatic = subprocess.Popen(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=self.env(),
        )
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_areas", stdout=quiet)
        call_command("load_reference_data", stdout=quiet)
        self._people()
        # Not while the drills are timed: compressing takes both cores.
        if self.collectstatic.wait() != 0:
            raise RuntimeError("collectstatic failed")
        log(f"database and static files ready in {time.monotonic() - started:.1f}s")

    def _people(self) -> None:
        """A provincial staff member (approves) and one local officer per client,
        each of a commune-level committee of today, with approved registrations
        of this year to assess."""
        from django.contrib.auth import get_user_model
        from django.core.files.uploadedfile import SimpleUploadedFile

        from campaign.committees.choices import CommitteeLevel, MembershipRole
        from campaign.committees.models import Membership, SteeringCommittee
        from campaign.planning.selectors.periods import (
            current_year_of_programme,
            exemplary_programme,
        )
        from campaign.registrations.services import registrations as services

        User = get_user_model()  # noqa: N806 - Django's idiom
        self.programme = exemplary_programme()
        self.year = current_year_of_programme(self.programme)
        province = SteeringCommittee.objects.get(
            level=CommitteeLevel.PROVINCE, valid_to__isnull=True
        )
        self.staff = User.objects.create_user(
            "drill.staff", password=secrets.token_urlsafe(18), is_staff=True
        )
        Membership.objects.create(
            user=self.staff, committee=province, role=MembershipRole.PROVINCIAL_STAFF
        )
        communes = list(
            SteeringCommittee.objects.filter(
                level=CommitteeLevel.COMMUNE,
                valid_to__isnull=True,
                area__kind="commune",
            )
            .select_related("area")
            .order_by("area__name")[: self.args.clients]
        )
        started = time.monotonic()
        for index, committee in enumerate(communes):
            password = secrets.token_urlsafe(18)
            user = User.objects.create_user(f"drill.officer{index}", password=password)
            Membership.objects.create(
                user=user, committee=committee, role=MembershipRole.LOCAL_OFFICER
            )
            officer = Officer(
                user.username, password, user.pk, committee.area_id, committee.area.name
            )
            for n in range(self.args.assessable):
                registration = services.registration_create(
                    programme=self.programme,
                    year=self.year,
                    new_organisation=services.NewOrganisation(
                        name=f"Trường drill {index}-{n}",
                        kind="school",
                        area=committee.area,
                    ),
                    contact_name="Nguyễn Văn Diễn",
                    contact_phone=PHONE,
                    plan_summary="Diễn tập: đơn vị được duyệt để đánh giá.",
                    document=SimpleUploadedFile(
                        "Bản đăng ký.pdf", pdf_bytes(), content_type="application/pdf"
                    ),
                    by=user,
                )
                registration = services.registration_submit(
                    registration=registration, by=user
                )
                services.registration_approve(
                    registration=registration, by=self.staff, confirm_quota=True
                )
                officer.to_assess.append(registration.pk)
            self.officers.append(officer)
        log(
            f"{len(self.officers)} officers with {self.args.assessable} approved "
            f"registrations each, in {time.monotonic() - started:.1f}s"
        )

    # processes ---------------------------------------------------------------
    def worker(
        self, *, concurrency: int = 1, delay: int = 0, **extra: str
    ) -> CeleryWorker:
        worker = CeleryWorker(
            self.env(REPORT_RENDER_DELAY_SECONDS=str(delay), **extra),
            self.workdir / f"worker-{next(self.log_numbers)}.log",
            concurrency=concurrency,
            name="drill",
        )
        self.processes.append(worker)
        return worker.start()

    def beat(self, **extra: str) -> Beat:
        beat = Beat(self.env(**extra), self.workdir)
        self.processes.append(beat)
        beat.start()
        return beat

    def gunicorn(self, **extra: str) -> Gunicorn:
        if self.collectstatic.wait() != 0:
            raise RuntimeError("collectstatic failed")
        server = Gunicorn(self.env(**extra), self.workdir, self.args.web_workers)
        self.processes.append(server)
        return server.start()

    def stop_processes(self) -> None:
        while self.processes:
            self.processes.pop().stop()

    def down(self) -> None:
        self.stop_processes()
        if getattr(self, "collectstatic", None) and self.collectstatic.poll() is None:
            self.collectstatic.kill()
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        with contextlib.suppress(Exception):
            self.redis.stop()
        with contextlib.suppress(Exception):
            if self.pg.running():
                self.pg.stop("fast")
        for mount in self.mounts:
            subprocess.run(["umount", str(mount)], check=False)
        if self.args.keep:
            log(f"kept {self.workdir}")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)


def scan_pdf(size: int) -> bytes:
    """A scanned page: a PDF holding a JPEG of noise, about ``size`` bytes."""
    from PIL import Image

    side = int((size * 1.6) ** 0.5)
    image = Image.frombytes("L", (side, side), os.urandom(side * side))
    buffer = io.BytesIO()
    image.save(buffer, format="PDF", resolution=150, quality=85)
    return buffer.getvalue()


def pdf_bytes(title: str = "Bản đăng ký") -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- Report jobs and files ------------------------------------------------------------


def job_rows(ids) -> dict[int, dict]:
    from reporting.models import ReportJob

    return {
        row["pk"]: row
        for row in ReportJob.objects.filter(pk__in=list(ids)).values(
            "pk",
            "public_id",
            "status",
            "attempts",
            "progress",
            "error_code",
            "error",
            "file",
            "sha256",
        )
    }


def wait_finished(ids, timeout: float) -> float | None:
    """Poll until every job is done or failed; the monotonic time it happened,
    or None on timeout."""
    from django.db import connection

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            rows = job_rows(ids)
        except Exception:  # noqa: BLE001 - the database may be restarting
            connection.close()
            time.sleep(0.5)
            continue
        if len(rows) == len(set(ids)) and all(
            r["status"] in STATUSES_FINISHED for r in rows.values()
        ):
            return time.monotonic()
        time.sleep(0.1)
    return None


def files_under(root: Path, top: str) -> dict[str, int]:
    base = root / top
    if not base.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): path.stat().st_size
        for path in base.rglob("*")
        if path.is_file()
    }


def report_file_audit(media: Path, job_ids=None) -> dict:
    """Every done job has its file, with the SHA-256 its row recorded; no
    file in reports/ is left without a job pointing at it."""
    import hashlib

    from reporting.models import ReportJob

    jobs = ReportJob.objects.all()
    referenced = {
        name: digest
        for name, digest in jobs.exclude(file="").values_list("file", "sha256")
    }
    present = files_under(media, "reports")
    orphans = sorted(set(present) - set(referenced))
    missing = sorted(n for n in referenced if n not in present)
    bad = [
        n
        for n, digest in referenced.items()
        if n in present
        and hashlib.sha256((media / n).read_bytes()).hexdigest() != digest
    ]
    done_without_file = 0
    if job_ids is not None:
        done_without_file = sum(
            1
            for r in job_rows(job_ids).values()
            if r["status"] == "done" and not r["file"]
        )
    return {
        "files": len(present),
        "orphans": orphans,
        "missing": missing,
        "checksum_mismatch": bad,
        "done_without_file": done_without_file,
    }


def summarise_jobs(ids) -> dict:
    rows = job_rows(ids)
    statuses = Counter(r["status"] for r in rows.values())
    failed_without_reason = [
        r["pk"]
        for r in rows.values()
        if r["status"] == "failed" and not r["error_code"]
    ]
    return {
        "jobs": len(ids),
        "rows": len(rows),
        "statuses": dict(statuses),
        "unfinished": statuses.get("pending", 0) + statuses.get("running", 0),
        "failed_without_reason": failed_without_reason,
        "attempts": dict(Counter(r["attempts"] for r in rows.values())),
        "errors": dict(
            Counter(r["error_code"] for r in rows.values() if r["status"] == "failed")
        ),
    }


def requester():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="drill.officer0")


def request_report(user, as_of: str) -> int:
    from reporting.services import report_request

    job = report_request(kind=KIND, data={"as_of": as_of, "language": "vi"}, by=user)
    return job.pk


def seconds(values) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0]:.1f} s"
    return (
        f"median {statistics.median(values):.1f} s, max {max(values):.1f} s "
        f"(n = {len(values)})"
    )


# --- Drill 1: worker killed mid-render -----------------------------------------------


def drill_kill(world: World) -> dict:
    """SIGKILL the pool process (``kills`` times) or the whole worker
    (``worker_kills`` times, a new worker started at once) while a report
    renders; the reconciler (beat, every 5 s) must bring each to done."""
    args = world.args
    user = requester()
    worker = world.worker(concurrency=1, delay=RENDER_DELAY_SECONDS)
    world.beat()
    runs = []
    dates = iter(report_dates(100, offset=DATE_OFFSETS["kill"]))
    plan = ["pool"] * args.kills + ["worker"] * args.worker_kills
    for number, target in enumerate(plan, start=1):
        for _try in range(5):
            job_id = request_report(user, next(dates))
            wait_for(
                lambda j=job_id: job_rows([j])[j]["status"] == "running",
                60,
                f"job {job_id} to start",
                interval=0.05,
            )
            # A random point of the render: the injected delay, WeasyPrint
            # itself (≈ 1 s here), or storing the file.
            offset = random.uniform(0.05, RENDER_DELAY_SECONDS + 1.5)
            time.sleep(offset)
            before = job_rows([job_id])[job_id]
            if before["status"] != "running":
                wait_finished([job_id], 60)
                continue  # finished before the kill: not a kill in the middle
            if target == "pool":
                children = pool_children(worker.process.pid)
                if not children:
                    raise RuntimeError(f"no pool process:\n{worker.log()}")
                os.kill(children[0], signal.SIGKILL)
                fault = time.monotonic()
            else:
                worker.kill()
                fault = time.monotonic()
                world.processes.remove(worker)
                worker = world.worker(concurrency=1, delay=RENDER_DELAY_SECONDS)
            finished = wait_finished([job_id], 120)
            row = job_rows([job_id])[job_id]
            runs.append(
                {
                    "run": number,
                    "killed": target,
                    "progress_at_kill": before["progress"],
                    "seconds_into_run": round(offset, 2),
                    "job": job_id,
                    "status": row["status"],
                    "attempts": row["attempts"],
                    "error_code": row["error_code"],
                    "fault_to_done": None if finished is None else finished - fault,
                }
            )
            log(
                f"kill {number}/{len(plan)} ({target}, at {before['progress']} %): "
                f"{row['status']} after attempt {row['attempts']}, "
                f"{'–' if finished is None else f'{finished - fault:.1f}s'}"
            )
            break
        else:
            raise RuntimeError("five renders in a row finished before the kill")
    ids = [r["job"] for r in runs]
    time.sleep(LEASE_SECONDS + RECONCILE_SECONDS)  # anything left would show now
    jobs = summarise_jobs(ids)
    files = report_file_audit(world.media, ids)
    world.stop_processes()
    lost = (
        len(ids)
        - jobs["statuses"].get("done", 0)
        - len([r for r in runs if r["status"] == "failed" and r["error_code"]])
    )
    passed = (
        jobs["unfinished"] == 0
        and not jobs["failed_without_reason"]
        and lost == 0
        and not files["orphans"]
        and not files["missing"]
        and not files["checksum_mismatch"]
        and not files["done_without_file"]
    )
    by_target = defaultdict(list)
    for run in runs:
        by_target[run["killed"]].append(run["fault_to_done"])
    return {
        "drill": "kill",
        "fault": f"worker SIGKILLed mid-render: pool process × {args.kills}, "
        f"whole worker × {args.worker_kills} (new worker at once)",
        "jobs": jobs,
        "files": files,
        "lost": lost,
        "duplicates": 0 if not files["orphans"] else len(files["orphans"]),
        "runs": runs,
        "timings": {k: v for k, v in by_target.items()},
        "time": "; ".join(
            f"{target}: {seconds(values)}" for target, values in by_target.items()
        ),
        "pass": passed,
    }


# --- Drill 2: Redis restarted without persistence -------------------------------------


def drill_redis(world: World) -> dict:
    args = world.args
    user = requester()
    from django.db import connection

    world.redis.cli("flushall")
    ids = [
        request_report(user, d)
        for d in report_dates(args.queued, offset=DATE_OFFSETS["redis"])
    ]
    queued = int(world.redis.cli("llen", "celery") or 0)
    log(f"{len(ids)} reports requested, {queued} messages in Redis; restarting it")
    fault = time.monotonic()
    world.redis.restart_without_persistence()
    after = int(world.redis.cli("llen", "celery") or 0)
    connection.close()
    world.worker(concurrency=2, delay=0)
    world.beat()
    finished = wait_finished(ids, 180)
    log(
        f"all {len(ids)} finished {finished - fault:.1f}s after the restart"
        if finished
        else "timed out"
    )
    time.sleep(1)
    jobs = summarise_jobs(ids)
    files = report_file_audit(world.media, ids)
    world.stop_processes()
    lost = len(ids) - jobs["statuses"].get("done", 0)
    passed = (
        queued == len(ids)
        and after == 0
        and lost == 0
        and jobs["unfinished"] == 0
        and jobs["attempts"] == {1: len(ids)}
        and not files["orphans"]
        and not files["missing"]
        and not files["checksum_mismatch"]
    )
    return {
        "drill": "redis",
        "fault": f"Redis shut down without saving with {len(ids)} reports queued "
        f"({queued} messages before, {after} after), then a worker "
        "(concurrency 2) and beat started",
        "jobs": jobs,
        "files": files,
        "lost": lost,
        "duplicates": sum(n for a, n in jobs["attempts"].items() if a > 1),
        "time": "–"
        if finished is None
        else f"{finished - fault:.1f} s (all {len(ids)})",
        "timings": {"all": None if finished is None else finished - fault},
        "pass": passed,
    }


# --- HTTP clients (drills 3 and 4) -----------------------------------------------------

REGISTRATION_URL = re.compile(r"/registrations/(\d+)/$")
ASSESSMENT_URL = re.compile(r"/assessments/(\d+)/$")
REPORT_URL = re.compile(r"/reports/([0-9a-f-]{36})/$")


@dataclass
class Attempt:
    started: float
    ended: float
    outcome: str  # ok, refused, http_500, error, …
    key: str | None = None
    detail: str = ""


@dataclass
class Item:
    """One thing an officer wants saved (a registration, an assessment, a
    report request), with every attempt at it."""

    kind: str
    name: str
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def succeeded(self) -> Attempt | None:
        return next((a for a in self.attempts if a.outcome == "ok"), None)


class Client:
    """An officer in a browser: a session of their own, CSRF token included."""

    def __init__(self, base: str, officer: Officer, year: int):
        import requests

        self.base = base
        self.officer = officer
        self.year = year
        self.session = requests.Session()
        self.items: list[Item] = []
        self.retry: list[Item] = []
        self.reads: list[Attempt] = []
        self.counter = 0

    def login(self) -> None:
        page = self.session.get(f"{self.base}/login/", timeout=30)
        page.raise_for_status()
        response = self.session.post(
            f"{self.base}/login/",
            data={
                "username": self.officer.username,
                "password": self.officer.password,
                "csrfmiddlewaretoken": self.session.cookies.get("csrftoken", ""),
            },
            allow_redirects=False,
            timeout=30,
        )
        if response.status_code != 302 or "/login/" in response.headers.get(
            "Location", ""
        ):
            raise RuntimeError(
                f"{self.officer.username} could not sign in: {response.status_code}"
            )

    def _post(self, path: str, data: dict, files=None, expect=None) -> Attempt:
        import requests

        started = time.monotonic()
        try:
            response = self.session.post(
                f"{self.base}{path}",
                data={
                    **data,
                    "csrfmiddlewaretoken": self.session.cookies.get("csrftoken", ""),
                },
                files=files,
                allow_redirects=False,
                timeout=30,
            )
        except requests.RequestException as error:
            return Attempt(
                started, time.monotonic(), "error", detail=type(error).__name__
            )
        ended = time.monotonic()
        if response.status_code == 302:
            location = response.headers.get("Location", "")
            match = expect.search(location) if expect else None
            if match:
                return Attempt(started, ended, "ok", key=match.group(1))
            if "/login/" in location:
                return Attempt(started, ended, "signed_out", detail=location)
            return Attempt(started, ended, "redirect", detail=location)
        if response.status_code in (200, 400):
            # The form again, with its errors (400 since issue 10).
            return Attempt(started, ended, "refused", detail=form_errors(response.text))
        return Attempt(started, ended, f"http_{response.status_code}")

    def _get(self, path: str) -> Attempt:
        import requests

        started = time.monotonic()
        try:
            response = self.session.get(f"{self.base}{path}", timeout=30)
        except requests.RequestException as error:
            return Attempt(
                started, time.monotonic(), "error", detail=type(error).__name__
            )
        outcome = (
            "ok" if response.status_code == 200 else f"http_{response.status_code}"
        )
        return Attempt(started, time.monotonic(), outcome)

    # the actions -------------------------------------------------------------
    def new_registration(self, item: Item | None = None, *, size: int = 0) -> Item:
        if item is None:
            self.counter += 1
            item = Item(
                "registration",
                f"Doanh nghiệp drill {self.officer.username.removeprefix('drill.')}-"
                f"{self.counter}-"
                f"{uuid.uuid4().hex[:4]}",
            )
            self.items.append(item)
        document = scan_pdf(size) if size else pdf_bytes(item.name)
        attempt = self._post(
            "/registrations/new/",
            {
                "year": str(self.year),
                "unit": "",
                "new_organisation_name": item.name,
                "new_organisation_kind": "enterprise",
                "new_organisation_area": f"area:{self.officer.area_id}",
                "contact_name": "Trần Thị Diễn Tập",
                "contact_phone": PHONE,
                "plan_summary": "Diễn tập sự cố: đăng ký đơn vị điển hình.",
                "document_token": "",
            },
            files={"document": ("Bản đăng ký đã ký.pdf", document, "application/pdf")},
            expect=REGISTRATION_URL,
        )
        item.attempts.append(attempt)
        return item

    def new_assessment(self, item: Item | None = None) -> Item | None:
        if item is None:
            if not self.officer.to_assess:
                return None
            item = Item("assessment", str(self.officer.to_assess.pop()))
            self.items.append(item)
        item.attempts.append(
            self._post(
                "/assessments/new/",
                {"unit": f"reg:{item.name}", "year": str(self.year)},
                expect=ASSESSMENT_URL,
            )
        )
        return item

    def new_report(self, item: Item | None = None, *, as_of: str | None = None) -> Item:
        if item is None:
            self.counter += 1
            item = Item("report", as_of or "")
            self.items.append(item)
        item.attempts.append(
            self._post(
                "/reports/request/",
                {
                    "kind": KIND,
                    f"{KIND}-as_of": item.name,
                    f"{KIND}-language": "vi",
                },
                expect=REPORT_URL,
            )
        )
        return item

    def read(self) -> None:
        self.reads.append(
            self._get(random.choice(["/registrations/", "/assessments/", "/reports/"]))
        )

    def again(self, item: Item) -> None:
        if item.kind == "registration":
            self.new_registration(item)
        elif item.kind == "assessment":
            self.new_assessment(item)
        else:
            self.new_report(item)


def form_errors(html: str) -> str:
    found = re.findall(
        r'class="[^"]*invalid-feedback[^"]*"[^>]*>\s*(?:<strong>)?([^<]+)', html
    )
    found += re.findall(r'class="alert[^"]*"[^>]*>\s*([^<]+)', html)
    return " | ".join(" ".join(f.split()) for f in found)[:300]


# --- Drill 3: PostgreSQL restarted under load ------------------------------------------


def drill_postgres(world: World) -> dict:
    args = world.args
    server = world.gunicorn()
    world.worker(concurrency=2, delay=0)
    world.beat()
    clients = [Client(server.base, officer, world.year) for officer in world.officers]
    for client in clients:
        client.login()
    first_job = last_job_id()
    dates = iter(report_dates(1100, offset=DATE_OFFSETS["postgres"]))
    dates_lock = threading.Lock()
    start = time.monotonic()
    stop_at = start + args.load_seconds
    events: dict[str, float] = {}

    def run(client: Client) -> None:
        rng = random.Random(client.officer.username)
        while time.monotonic() < stop_at:
            roll = rng.random()
            if client.retry:
                # A person who got an error page tries again, before anything
                # else; after another error, a little later.
                item = client.retry.pop(0)
                client.again(item)
                if item.attempts[-1].outcome not in ("ok", "refused"):
                    client.retry.insert(0, item)
                    time.sleep(0.5)
            elif roll < 0.45:
                client.read()
            elif roll < 0.80:
                item = client.new_registration()
                if item.attempts[-1].outcome not in ("ok", "refused"):
                    client.retry.append(item)
            elif roll < 0.95 and client.officer.to_assess:
                item = client.new_assessment()
                if item.attempts[-1].outcome not in ("ok", "refused"):
                    client.retry.append(item)
            elif roll < 0.95:
                client.read()
            else:
                # Reports are rarer than edits: 5 %, about what two workers
                # render here while gunicorn and PostgreSQL share the cores.
                with dates_lock:
                    as_of = next(dates)
                item = client.new_report(as_of=as_of)
                if item.attempts[-1].outcome not in ("ok", "refused"):
                    client.retry.append(item)
            time.sleep(rng.uniform(0.05, 0.25))

    def fault() -> None:
        time.sleep(args.fault_at)
        events["fault"] = time.monotonic()
        events["fault_wall"] = time.time()
        log("PostgreSQL: stop -m immediate")
        world.pg.stop("immediate")
        time.sleep(args.pg_down_seconds)
        events["back"] = world.pg.start()
        events["back_wall"] = time.time()
        log(f"PostgreSQL back after {events['back'] - events['fault']:.1f}s")

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    threads.append(threading.Thread(target=fault))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # What failed is tried again, as the officer would after an error page.
    for _round in range(5):
        pending = [(c, item) for c in clients for item in c.retry]
        if not pending:
            break
        for client in clients:
            items, client.retry = client.retry, []
            for item in items:
                client.again(item)
                if item.attempts[-1].outcome not in ("ok", "refused"):
                    client.retry.append(item)
        time.sleep(1)
    from django.db import connection

    connection.close()
    report_ids = accepted_report_ids(clients, after=first_job)
    finished = wait_finished(report_ids, 180)
    result = account(world, clients, report_ids)
    world.stop_processes()
    fault_at, back = events["fault"], events["back"]
    failed = [
        a
        for c in clients
        for i in c.items
        for a in i.attempts
        if a.outcome not in ("ok", "refused")
    ] + [a for c in clients for a in c.reads if a.outcome != "ok"]
    after_recovery = [a for a in failed if a.started > back + 1.0]
    retried_ok = [
        i.succeeded.ended
        for c in clients
        for i in c.items
        if i.succeeded and any(a.outcome not in ("ok", "refused") for a in i.attempts)
    ]
    # All done: every write that failed because of the fault saved by its
    # retry, and every report asked for before PostgreSQL was back finished.
    caught = [
        events["fault"] + (t - events["fault_wall"])
        for t in reports_finished_before(report_ids, events["back_wall"])
    ]
    last_retry = max(retried_ok, default=back)
    last_caught_report = max(caught, default=back)
    all_done = max(back, last_retry, last_caught_report)
    total = sum(len(c.items) + len(c.reads) for c in clients) + sum(
        len(i.attempts) - 1 for c in clients for i in c.items
    )
    result.update(
        {
            "drill": "postgres",
            "fault": f"PostgreSQL stopped with -m immediate after {args.fault_at} s of "
            f"load ({len(clients)} officers over HTTP, gunicorn × {args.web_workers}, "
            f"worker × 2, beat), started again {args.pg_down_seconds} s later",
            "requests": total,
            "failed_requests": dict(Counter(a.outcome for a in failed)),
            "failed_after_recovery": len(after_recovery),
            "pg_down_seconds": back - fault_at,
            "first_write_ok_after_back": first_ok_after(clients, back),
            "retried_and_saved": len(retried_ok),
            "time": f"{all_done - fault_at:.1f} s (PostgreSQL down {back - fault_at:.1f} s; "
            f"first save {first_ok_after(clients, back):.1f} s after it was back)"
            if finished
            else "reports did not finish",
            "timings": {
                "fault_to_all_done": all_done - fault_at if finished else None,
                "pg_down": back - fault_at,
                "fault_to_last_failed_write_saved": last_retry - fault_at,
                "fault_to_last_report_requested_before_recovery_done": (
                    last_caught_report - fault_at
                ),
            },
        }
    )
    result["pass"] = result["pass"] and finished is not None and not after_recovery
    return result


def reports_finished_before(ids, wall: float) -> list[float]:
    """When (wall clock) each report requested before ``wall`` finished."""
    from reporting.models import ReportJob

    moment = datetime.datetime.fromtimestamp(wall, tz=datetime.UTC)
    return [
        finished.timestamp()
        for finished in ReportJob.objects.filter(
            pk__in=ids, created_at__lte=moment, finished_at__isnull=False
        ).values_list("finished_at", flat=True)
    ]


def first_ok_after(clients: list[Client], moment: float) -> float:
    times = [
        a.ended - moment
        for c in clients
        for i in c.items
        for a in i.attempts
        if a.outcome == "ok" and a.started >= moment
    ]
    return min(times) if times else float("nan")


def accepted_report_ids(clients: list[Client], after: int = 0) -> list[int]:
    """The report jobs the clients' officers have (those after job ``after``)."""
    from reporting.models import ReportJob

    officers = [c.officer.user_id for c in clients]
    return list(
        ReportJob.objects.filter(requested_by_id__in=officers, pk__gt=after)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def last_job_id() -> int:
    from reporting.models import ReportJob

    return ReportJob.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def account(world: World, clients: list[Client], report_ids: list[int]) -> dict:
    """The rows against the answers: every success saved exactly once; no row
    for a request that was never answered with success (unless a failed
    attempt did commit — found by the retry, reported apart); no orphan file."""
    from campaign.assessments.models import Assessment
    from campaign.registrations.models import Registration
    from reporting.models import ReportJob
    from units.models import Organisation

    items = [i for c in clients for i in c.items]
    registrations = [i for i in items if i.kind == "registration"]
    assessments = [i for i in items if i.kind == "assessment"]
    reports = [i for i in items if i.kind == "report"]

    rows = Counter(
        Registration.objects.filter(
            organisation__name__startswith="Doanh nghiệp drill "
        ).values_list("organisation__name", flat=True)
    )
    organisations = Counter(
        Organisation.objects.filter(name__startswith="Doanh nghiệp drill ").values_list(
            "name", flat=True
        )
    )
    pk_of = dict(
        Registration.objects.filter(
            organisation__name__in=[i.name for i in registrations]
        ).values_list("organisation__name", "pk")
    )
    assessed = Counter(
        Assessment.objects.filter(
            registration_id__in=[int(i.name) for i in assessments], year=world.year
        ).values_list("registration_id", flat=True)
    )
    assessment_pk = dict(
        Assessment.objects.filter(
            registration_id__in=[int(i.name) for i in assessments], year=world.year
        ).values_list("registration_id", "pk")
    )
    jobs = {
        str(public_id): pk
        for public_id, pk in ReportJob.objects.filter(pk__in=report_ids).values_list(
            "public_id", "pk"
        )
    }

    def check(kind_items, count_of, pk_lookup):
        lost, duplicated, unacknowledged, wrong = [], [], [], []
        for item in kind_items:
            n = count_of(item)
            ok = item.succeeded
            if n > 1:
                duplicated.append(item.name)
            if ok and n == 0:
                lost.append(item.name)
            if not ok and n:
                unacknowledged.append(item.name)
            if ok and n and str(pk_lookup(item)) != ok.key:
                wrong.append(item.name)
        return lost, duplicated, unacknowledged, wrong

    reg = check(registrations, lambda i: rows[i.name], lambda i: pk_of.get(i.name))
    org_duplicates = [name for name, n in organisations.items() if n > 1]
    unknown_rows = sorted(set(rows) - {i.name for i in registrations})
    ass = check(
        assessments,
        lambda i: assessed[int(i.name)],
        lambda i: assessment_pk.get(int(i.name)),
    )
    rep_lost = [i.name for i in reports if i.succeeded and i.succeeded.key not in jobs]
    job_summary = summarise_jobs(report_ids)
    files = report_file_audit(world.media, report_ids)
    # Registration documents: each row's file is there, no file without a row.
    documents = set(
        Registration.objects.exclude(document="").values_list("document", flat=True)
    )
    present = files_under(world.media, "registrations")
    document_orphans = sorted(set(present) - documents)
    document_missing = sorted(documents - set(present))
    kept = files_under(world.media, "pending")
    lost = len(reg[0]) + len(ass[0]) + len(rep_lost)
    duplicates = len(reg[1]) + len(ass[1]) + len(org_duplicates)
    passed = (
        lost == 0
        and duplicates == 0
        and not reg[3]
        and not ass[3]
        and not unknown_rows
        and job_summary["unfinished"] == 0
        and not job_summary["failed_without_reason"]
        and not files["orphans"]
        and not files["missing"]
        and not document_orphans
        and not document_missing
    )
    return {
        "registrations": {
            "tried": len(registrations),
            "answered_ok": sum(1 for i in registrations if i.succeeded),
            "rows": sum(rows.values()),
            "lost": reg[0],
            "duplicated": reg[1] + org_duplicates,
            "saved_but_answered_with_an_error": reg[2],
            "wrong_row": reg[3],
            "rows_nobody_asked_for": unknown_rows,
            "never_saved": [
                i.name for i in registrations if not i.succeeded and not rows[i.name]
            ],
        },
        "assessments": {
            "tried": len(assessments),
            "answered_ok": sum(1 for i in assessments if i.succeeded),
            "rows": sum(assessed.values()),
            "lost": ass[0],
            "duplicated": ass[1],
            "saved_but_answered_with_an_error": ass[2],
            "wrong_row": ass[3],
        },
        "reports": {
            "requested": len(reports),
            "answered_ok": sum(1 for i in reports if i.succeeded),
            "lost": rep_lost,
        },
        "jobs": job_summary,
        "files": files,
        "documents": {
            "files": len(present),
            "orphans": document_orphans,
            "missing": document_missing,
            "kept_uploads": len(kept),
        },
        "refusals": [
            a.detail for i in items for a in i.attempts if a.outcome == "refused"
        ][:10],
        "lost": lost,
        "duplicates": duplicates,
        "pass": passed,
    }


# --- Drill 4: the disk of the private files is full -------------------------------------


def fill(path: Path) -> int:
    """Write ``path`` until the file system refuses another byte."""
    written = 0
    with path.open("wb", buffering=0) as handle:
        for chunk in (64 * 1024, 4096, 512, 1):
            block = b"\0" * chunk
            while True:
                try:
                    written += handle.write(block)
                except OSError:
                    break
    return written


def drill_disk(world: World) -> dict:
    args = world.args
    if os.geteuid() != 0:
        return skipped("disk", "not root: mounting a tmpfs needs root (CAP_SYS_ADMIN)")
    full = world.workdir / "full-private"
    full.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0755", "tmpfs", str(full)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        return skipped("disk", f"mount -t tmpfs refused: {mounted.stderr.strip()}")
    world.mounts.append(full)
    filler = full / "filler.bin"
    filled = fill(filler)
    free = shutil.disk_usage(full).free
    log(f"tmpfs of 2 MiB at {full}: {filled} bytes of filler, {free} bytes free")
    media = {"PRIVATE_MEDIA_ROOT": str(full)}
    server = world.gunicorn(**media)
    world.worker(concurrency=2, delay=0, **media)
    world.beat(**media)
    client = Client(server.base, world.officers[0], world.year)
    client.login()

    from django.db import connection

    connection.close()
    started_ids = set(accepted_report_ids([client]))
    dates = report_dates(args.disk_reports + 1, offset=DATE_OFFSETS["disk"])
    report_items = [client.new_report(as_of=d) for d in dates[: args.disk_reports]]
    log(f"scan PDF of {len(scan_pdf(60_000))} bytes per upload")
    upload_items = [
        client.new_registration(size=60_000) for _ in range(args.disk_uploads)
    ]
    ids = sorted(set(accepted_report_ids([client])) - started_ids)
    finished_full = wait_finished(ids, 120)
    jobs_full = summarise_jobs(ids)
    errors = [
        r["error"][:120] for r in job_rows(ids).values() if r["status"] == "failed"
    ]
    leftovers = {
        p.relative_to(full).as_posix(): p.stat().st_size
        for p in full.rglob("*")
        if p.is_file() and p != filler
    }
    from campaign.registrations.models import Registration

    upload_rows = Registration.objects.filter(
        organisation__name__in=[i.name for i in upload_items]
    ).count()
    upload_answers = Counter(i.attempts[-1].outcome for i in upload_items)
    upload_pages = [i.attempts[-1].detail for i in upload_items]
    log(
        f"full: reports {jobs_full['statuses']}, uploads {dict(upload_answers)}, "
        f"{len(leftovers)} file(s) left: {list(leftovers)[:5]}"
    )

    # Space again: a new report and a new upload must work at once.
    filler.unlink()
    freed = time.monotonic()
    before = set(accepted_report_ids([client]))
    client.new_report(as_of=dates[-1])
    upload_after = client.new_registration(size=60_000)
    new_ids = sorted(set(accepted_report_ids([client])) - before)
    finished_after = wait_finished(new_ids, 60)
    jobs_after = summarise_jobs(new_ids)
    world.stop_processes()
    ok_after = (
        jobs_after["statuses"].get("done", 0) == len(new_ids) == 1
        and upload_after.attempts[-1].outcome == "ok"
    )
    files_after = {
        p.relative_to(full).as_posix() for p in full.rglob("*") if p.is_file()
    }
    passed = (
        jobs_full["unfinished"] == 0
        and jobs_full["statuses"].get("failed", 0) == len(ids)
        and not jobs_full["failed_without_reason"]
        and upload_rows == 0
        and all(o != "ok" for o in upload_answers)
        and not leftovers
        and ok_after
    )
    clear_upload_error = all(o in ("refused", "http_507") for o in upload_answers)
    return {
        "drill": "disk",
        "fault": f"private files on a 2 MiB tmpfs filled to the last byte; "
        f"{len(ids)} reports requested and {len(upload_items)} documents uploaded "
        "(60 kB) over HTTP; then the filler deleted",
        "jobs": jobs_full,
        "report_errors": errors[:3],
        "uploads": {
            "answers": dict(upload_answers),
            "rows": upload_rows,
            "pages": upload_pages,
            "clear_error": clear_upload_error,
        },
        "half_written_files": leftovers,
        "after_space_freed": {
            "report": jobs_after["statuses"],
            "upload": upload_after.attempts[-1].outcome,
            "files": sorted(files_after),
        },
        "lost": 0 if ok_after else 1,
        "duplicates": 0,
        "files": {"orphans": sorted(leftovers)},
        "time": (
            f"reports failed {finished_full - min(a.started for i in report_items for a in i.attempts):.1f} s "
            f"after the request; after freeing space a report done in "
            f"{finished_after - freed:.1f} s"
            if finished_full and finished_after
            else "did not finish"
        ),
        "timings": {
            "full_to_all_failed": None
            if not finished_full
            else finished_full
            - min(a.started for i in report_items for a in i.attempts),
            "freed_to_done": None if not finished_after else finished_after - freed,
        },
        "pass": passed,
        "notes": []
        if clear_upload_error
        else [
            "uploads on a full disk were answered with "
            + ", ".join(sorted(upload_answers))
            + ": the generic server-error page (nothing saved, the error logged), "
            "not a message saying that the file storage is full"
        ],
    }


# --- Drill 5: backup and restore (reliability plan F6) ----------------------------------


def drill_backup(world: World) -> dict:
    """``manage.py backup`` of the drill's database and private files (what the
    drills before left: registrations with their documents, assessments,
    reports), ``manage.py restore`` into a new database of the same cluster and
    a new folder, as an operator runs them; the restore verifies row counts and
    the SHA-256 of every file."""
    backup = world.workdir / "backups" / "drill"
    env = world.env()
    started = time.monotonic()
    made = subprocess.run(
        [sys.executable, "manage.py", "backup", "--output", str(backup)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    backup_seconds = time.monotonic() - started
    if made.returncode != 0:
        raise RuntimeError(f"backup failed: {made.stderr or made.stdout}")
    manifest = json.loads((backup / "manifest.json").read_text())
    started = time.monotonic()
    restored = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "restore",
            "--from",
            str(backup),
            "--database-url",
            world.pg.url("drills_restored"),
            "--media-root",
            str(world.workdir / "restored-private"),
            "--create-database",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    restore_seconds = time.monotonic() - started
    checks = [
        line
        for line in restored.stdout.splitlines()
        if line.startswith(("PASS", "FAIL"))
    ]
    log("\n".join(checks))
    passed = restored.returncode == 0 and all(c.startswith("PASS") for c in checks)
    return {
        "drill": "backup",
        "fault": "the database and private files backed up (`manage.py backup`) while "
        "nothing runs, restored (`manage.py restore`) into a new database and folder",
        "backup": {
            "tables": len(manifest["database"]["tables"]),
            "rows": manifest["database"]["total_rows"],
            "dump_bytes": manifest["database"]["size"],
            "files": manifest["files"]["count"],
            "file_bytes": manifest["files"]["total_bytes"],
            "seconds": round(backup_seconds, 1),
        },
        "restore": {
            "seconds": round(restore_seconds, 1),
            "checks": checks,
            "exit_status": restored.returncode,
        },
        "lost": 0 if passed else "?",
        "duplicates": 0 if passed else "?",
        "files": {"orphans": []},
        "time": f"backup {backup_seconds:.1f} s, restore and verification "
        f"{restore_seconds:.1f} s ({manifest['database']['total_rows']} rows, "
        f"{manifest['files']['count']} files)",
        "timings": {"backup": backup_seconds, "restore": restore_seconds},
        "pass": passed,
    }


def skipped(name: str, reason: str) -> dict:
    return {"drill": name, "skipped": reason, "pass": None}


# --- Report ------------------------------------------------------------------------------


def markdown(results: list[dict], world: World, elapsed: float) -> str:
    out = io.StringIO()
    w = out.write
    w("## Fault drills (issue 10)\n\n")
    w(
        f"`bench/fault_drills.py`, {datetime.datetime.now(tz=datetime.UTC):%Y-%m-%d %H:%M} UTC, "
        f"{elapsed / 60:.1f} min. Own PostgreSQL {world.pg.bin.parts[-2]} cluster and "
        f"Redis; lease {LEASE_SECONDS} s (heartbeat {HEARTBEAT_SECONDS} s), reconciler "
        f"every {RECONCILE_SECONDS} s, pending re-sent after {RESEND_AFTER_SECONDS} s, "
        f"3 attempts. Machine: {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}; load average (1 min) "
        f"{world.load_at_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end "
        "(other processes share the cores: the times are upper bounds).\n\n"
    )
    w(
        "| drill | fault | reports: end state | lost | duplicated | orphan files "
        "| left running | time from fault to all done | result |\n"
    )
    w("|---|---|---|---|---|---|---|---|---|\n")
    for r in results:
        if r.get("skipped"):
            w(
                f"| {r['drill']} | – | – | – | – | – | – | – | skipped: {r['skipped']} |\n"
            )
            continue
        jobs = r.get("jobs", {})
        states = ", ".join(
            f"{n} {s}" for s, n in sorted(jobs.get("statuses", {}).items())
        )
        if jobs.get("errors"):
            states += (
                " (" + ", ".join(f"{c}: {n}" for c, n in jobs["errors"].items()) + ")"
            )
        orphans = len(r.get("files", {}).get("orphans", [])) + len(
            r.get("documents", {}).get("orphans", [])
        )
        w(
            f"| {r['drill']} | {r['fault']} | {states or '–'} | {r['lost']} | "
            f"{r['duplicates']} | {orphans} | {jobs.get('unfinished', 0)} | {r['time']} | "
            f"{'PASS' if r['pass'] else 'FAIL'} |\n"
        )
    for r in results:
        if r.get("skipped"):
            continue
        w(f"\n### {r['drill']}\n\n")
        details = {
            k: v
            for k, v in r.items()
            if k not in ("drill", "fault", "time", "pass", "runs")
        }
        w(
            "```json\n"
            + json.dumps(details, indent=1, ensure_ascii=False, default=str)
            + "\n```\n"
        )
        if r.get("runs"):
            w(
                "\n| run | killed | seconds after it started | at progress | status "
                "| attempts | fault → done |\n"
            )
            w("|---|---|---|---|---|---|---|\n")
            for run in r["runs"]:
                t = run["fault_to_done"]
                w(
                    f"| {run['run']} | {run['killed']} | {run['seconds_into_run']} s | "
                    f"{run['progress_at_kill']} % | "
                    f"{run['status']} | {run['attempts']} | "
                    f"{'–' if t is None else f'{t:.1f} s'} |\n"
                )
    return out.getvalue()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("drills", nargs="*", help=f"any of {', '.join(DRILLS)} (all)")
    parser.add_argument("--kills", type=int, default=20, help="pool-process kills (20)")
    parser.add_argument(
        "--worker-kills", type=int, default=5, help="whole-worker kills (5)"
    )
    parser.add_argument(
        "--queued",
        type=int,
        default=20,
        help="reports queued before the Redis restart (20)",
    )
    parser.add_argument(
        "--clients", type=int, default=6, help="officers under load (6)"
    )
    parser.add_argument(
        "--assessable",
        type=int,
        default=15,
        help="approved registrations per officer (15)",
    )
    parser.add_argument(
        "--web-workers", type=int, default=2, help="gunicorn workers (2)"
    )
    parser.add_argument("--load-seconds", type=float, default=40)
    parser.add_argument(
        "--fault-at", type=float, default=12, help="seconds into the load (12)"
    )
    parser.add_argument("--pg-down-seconds", type=float, default=3)
    parser.add_argument("--disk-reports", type=int, default=5)
    parser.add_argument("--disk-uploads", type=int, default=3)
    parser.add_argument("--seed", type=int, default=138)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--keep", action="store_true", help="keep the work directory (logs)"
    )
    args = parser.parse_args()
    args.drills = list(dict.fromkeys(args.drills or DRILLS))
    unknown = set(args.drills) - set(DRILLS)
    if unknown:
        parser.error(f"unknown drill(s): {', '.join(sorted(unknown))}")
    if args.fault_at >= args.load_seconds:
        parser.error("--fault-at must come before the end of --load-seconds")
    return args


def main() -> int:
    args = parse_args()
    random.seed(args.seed)
    for tool in ("redis-server", "redis-cli", "pg_isready", "createdb"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed")
    world = World(args)
    results: list[dict] = []
    started = time.monotonic()
    try:
        world.up()
        runners = {
            "kill": drill_kill,
            "redis": drill_redis,
            "postgres": drill_postgres,
            "disk": drill_disk,
            "backup": drill_backup,
        }
        for name in args.drills:
            log(f"== drill {name}")
            try:
                results.append(runners[name](world))
            except Exception as error:  # noqa: BLE001 - reported as a failed drill
                import traceback

                traceback.print_exc()
                results.append(
                    {
                        "drill": name,
                        "fault": "–",
                        "error": f"{type(error).__name__}: {error}",
                        "lost": "?",
                        "duplicates": "?",
                        "time": "–",
                        "pass": False,
                    }
                )
                world.stop_processes()
                for log_name in ("worker.log", "gunicorn.log", "beat.log"):
                    log(f"--- {log_name}\n{tail(world.workdir / log_name, 15)}")
    finally:
        elapsed = time.monotonic() - started
        world.down()
    print(markdown(results, world, elapsed))
    if args.json:
        args.json.write_text(
            json.dumps(results, indent=1, ensure_ascii=False, default=str)
        )
    return 0 if all(r["pass"] is not False for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
