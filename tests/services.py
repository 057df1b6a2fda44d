"""Real components for service-backed tests: the test database as seen by other
processes, Redis, and Celery worker processes started and killed like in life."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://…")


def require_broker() -> str:
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis"):
        pytest.skip("needs Redis: set CELERY_BROKER_URL=redis://…")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis at {url} does not answer: {error}")
    return url


def test_database_url() -> str:
    """The URL of the test database, for processes started by a test."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = quote(db["PASSWORD"] or "", safe="")
    auth = f"{user}:{password}@" if password else f"{user}@" if user else ""
    return f"postgres://{auth}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def process_env(settings, broker_url: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": broker_url,
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get(
            "SECRET_KEY", "test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
        ),
        "DB_CONN_MAX_AGE": "0",
        "LOG_LEVEL": "INFO",
    }
    env.update(extra)
    return env


def purge_broker(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CeleryWorker:
    """A ``celery -A <app> worker`` process in its own process group (used by the
    service-backed tests and by the benchmarks under bench/)."""

    def __init__(
        self,
        env: dict[str, str],
        log_path: Path,
        *,
        app: str = "config",
        concurrency: int = 1,
        name: str = "test",
    ):
        self.env = env
        self.log_path = log_path
        self.app = app
        self.concurrency = concurrency
        self.name = name
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> CeleryWorker:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                self.app,
                "worker",
                "--pool=prefork",
                f"--concurrency={self.concurrency}",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{self.name}-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.log()}")
            if " ready." in self.log():
                return self
            time.sleep(0.2)
        raise RuntimeError(f"worker not ready after {timeout}s:\n{self.log()}")

    def log(self) -> str:
        return (
            self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        )

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children) at once."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


class RedisServer:
    """A throw-away redis-server without persistence, like the machine's."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--dir",
                str(self.workdir),
                "--logfile",
                str(self.workdir / "redis.log"),
            ],
            check=True,
        )
        self.wait_until(lambda: self.cli("ping") == "PONG")
        return self

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            ["redis-cli", "-p", str(self.port), *args], capture_output=True, text=True
        )
        return result.stdout.strip()

    def restart_without_persistence(self) -> None:
        self.cli("shutdown", "nosave")
        self.wait_until(lambda: self.cli("ping") != "PONG")
        self.start()

    def stop(self) -> None:
        self.cli("shutdown", "nosave")

    @staticmethod
    def wait_until(condition, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("condition not met")
            time.sleep(0.1)


def wait_for(condition, timeout: float, message: str, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s: {message}")
        time.sleep(interval)


class eager_tasks:  # noqa: N801 - used as a context manager, like a function
    """Run Celery tasks inside the test, as the embedded default does, even
    when a broker is configured (CI): for tests of what a task does; the
    service-backed tests drive a real worker instead."""

    def __enter__(self):
        from config.celery_app import app

        self.app = app
        self.previous = app.conf.task_always_eager
        app.conf.task_always_eager = True
        return self

    def __exit__(self, *exc_info):
        self.app.conf.task_always_eager = self.previous
        return False


class queued_tasks(eager_tasks):  # noqa: N801 - used as a context manager
    """Send Celery tasks to the broker, as production does, even where the
    embedded default runs them inside the request: for tests of what the web
    process does while a task waits for the worker (the test then runs the
    task itself, as the worker would)."""

    def __enter__(self):
        super().__enter__()
        self.app.conf.task_always_eager = False
        return self
