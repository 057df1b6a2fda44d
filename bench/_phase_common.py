"""Shared by ``bench/phase_report.py`` and ``bench/dashboard.py`` (issue 9):
the throw-away data sets — the demo (``manage.py seed_demo``) and the
national one (``bench/_phase_child.py national``) — in PostgreSQL databases
whose names end in ``bench`` (127.0.0.1 only) or in temporary SQLite files,
and the child processes that measure them.
"""

from __future__ import annotations

import datetime
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402

ROOT = _common.ROOT
CHILD = ROOT / "bench" / "_phase_child.py"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
FORBIDDEN_DATABASES = {"bcd138", "bcd138dev", "test_bcd138", "postgres"}
PHASE = "2023-2025"
AS_OF = "2025-12-31"
REPORT_DATA = {"phase": PHASE, "as_of": AS_OF, "language": "vi"}


def log(message: str) -> None:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", file=sys.stderr, flush=True)


def _check_name(name: str) -> None:
    if name in FORBIDDEN_DATABASES or not name.endswith("bench"):
        sys.exit(f"{name!r}: use a throw-away database whose name ends in 'bench'")


def _admin(statement: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    _check_name(name)
    with psycopg.connect(
        host="127.0.0.1", port=5432, user="postgres", dbname="postgres", autocommit=True
    ) as connection:
        connection.execute(sql.SQL(statement).format(sql.Identifier(name)))


def _count(name: str, table: str) -> int | None:
    """Rows of ``table`` in database ``name``; None if either is missing."""
    import psycopg
    from psycopg import sql

    try:
        with psycopg.connect(
            host="127.0.0.1", port=5432, user="postgres", dbname=name, autocommit=True
        ) as connection:
            row = connection.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()
            return row[0]
    except psycopg.Error:
        return None


@dataclass
class DataSet:
    """One data set: a throw-away database (PostgreSQL ``name`` or a SQLite
    file) as the application is configured for it (``env_extra``). Two data
    sets may share a database (``store``); the ``owner`` builds and drops it.

    * ``demo``: ``manage.py seed_demo`` (An Giang).
    * ``province``: the national database, the application configured as it
      is shipped (``CAMPAIGN_PROVINCE_CODES`` = An Giang): An Giang's report
      with 33 other provinces in the same tables.
    * ``national``: the same database, ``CAMPAIGN_PROVINCE_CODES`` = all 34
      provinces: the national summary.
    """

    label: str
    store: str  # "demo" or "national": which database
    name: str  # PostgreSQL database name, or "" for SQLite
    workdir: Path
    owner: bool = True
    env_extra: dict[str, str] = field(default_factory=dict)
    built_seconds: float = 0.0
    build: dict | None = None
    reused: bool = False

    @property
    def database_url(self) -> str:
        return f"{PG_SERVER}/{self.name}" if self.name else ""

    @property
    def sqlite_path(self) -> Path:
        return self.workdir / f"{self.store}.sqlite3"

    @property
    def media(self) -> Path:
        return self.workdir / f"private-{self.store}"

    @property
    def description(self) -> str:
        if self.name:
            return f"PostgreSQL `{self.name}` (127.0.0.1)"
        return "SQLite (temporary file)"

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": self.database_url,
            "SQLITE_PATH": str(self.sqlite_path),
            "PRIVATE_MEDIA_ROOT": str(self.media),
            "LOG_LEVEL": "ERROR",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "PYTHONDONTWRITEBYTECODE": "1",
            **self.env_extra,
        }
        # Eager Celery (nothing sent anywhere) and a cache in the process,
        # unless the step asks for a broker or a shared cache.
        env.pop("CELERY_BROKER_URL", None)
        env.pop("CACHE_URL", None)
        env.update(extra)
        return env

    def run(
        self, step: str, args: dict | None = None, env: dict[str, str] | None = None
    ) -> dict:
        """One step of ``bench/_phase_child.py`` in a fresh process."""
        done = subprocess.run(
            [sys.executable, str(CHILD), step, json.dumps(args or {})],
            cwd=ROOT,
            env=self.env(**(env or {})),
            stdout=subprocess.PIPE,
            text=True,
        )
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            raise RuntimeError(
                f"{self.label}: step {step} failed (exit status {done.returncode})"
            )
        return json.loads(lines[-1])

    def manage(self, *command: str, **extra: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env={**self.env(**extra), "DJANGO_SETTINGS_MODULE": "config.settings"},
            check=True,
            stdout=subprocess.DEVNULL,
        )

    # -- life cycle ----------------------------------------------------------------

    def prepare(self, *, reuse: bool) -> None:
        """Create and fill the database (or, with ``reuse``, keep a complete
        one left by ``--keep``)."""
        self.media.mkdir(parents=True, exist_ok=True)
        if not self.owner:
            return
        if self.name and reuse and (_count(self.name, "reporting_reportjob") == 0):
            if (_count(self.name, "campaign_registration") or 0) > 0:
                self.reused = True
                log(f"{self.label}: reusing database {self.name}")
                return
        if self.name:
            _admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)
            _admin("CREATE DATABASE {}", self.name)
        started = time.perf_counter()
        if self.store == "demo":
            # As `make demo` does it: DEBUG on for the seed (the command
            # refuses DEBUG off), a password of the run's own.
            password = secrets.token_urlsafe(12)
            self.manage("migrate", "--no-input", "-v", "0", DEBUG="true")
            self.manage("seed_demo", DEBUG="true", DEMO_PASSWORD=password)
            self.build = {"command": "manage.py migrate; manage.py seed_demo"}
        else:
            self.build = self.run("national")
        self.built_seconds = time.perf_counter() - started
        log(f"{self.label}: built in {self.built_seconds:.1f} s")

    def drop(self) -> None:
        if self.name and self.owner:
            _admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)


LABELS = ("demo", "province", "national")


def data_sets(prefix: str, *, sqlite: bool) -> tuple[Path, list[DataSet]]:
    """The data sets of one script: databases ``<prefix>_demo_bench`` and
    ``<prefix>_national_bench``, or SQLite files in a temporary directory."""
    workdir = Path(tempfile.mkdtemp(prefix=f"{prefix}-"))
    sets = []
    for label, store, owner in (
        ("demo", "demo", True),
        ("national", "national", True),
        ("province", "national", False),
    ):
        name = "" if sqlite else f"{prefix}_{store}_bench"
        if name:
            _check_name(name)
        sets.append(
            DataSet(label=label, store=store, name=name, workdir=workdir, owner=owner)
        )
    return workdir, sets


def prepare_all(sets: list[DataSet], *, reuse: bool, batch_users: int) -> list[str]:
    """Build (or reuse) the databases, make the users, and configure the
    national data set for all its provinces; returns their codes."""
    for data_set in sets:
        data_set.prepare(reuse=reuse)
    national = next(s for s in sets if s.label == "national")
    codes = national.run("province_codes")["codes"]
    ordered = ["91", "89", *(c for c in codes if c not in ("91", "89"))]
    national.env_extra["CAMPAIGN_PROVINCE_CODES"] = ",".join(ordered)
    for data_set in sets:
        if data_set.owner:
            data_set.run("users", {"count": batch_users})
    sets.sort(key=lambda s: LABELS.index(s.label))
    return ordered


def cleanup(workdir: Path, sets: list[DataSet], *, keep: bool) -> None:
    if keep:
        log(f"kept: {workdir} and databases {[s.name for s in sets if s.name]}")
        return
    for data_set in sets:
        data_set.drop()
    shutil.rmtree(workdir, ignore_errors=True)


def table(header: list[str], rows: list[list]) -> None:
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")
    print()


def machine_rows() -> list[list[str]]:
    return [[k, v] for k, v in _common.machine_info()]
