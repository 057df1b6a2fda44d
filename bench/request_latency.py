"""Benchmark: latency of the report request (POST reporting:report_request).

Requirement: "The report request itself returns in <= 50 ms median (it only
records and enqueues)."

Broker: Redis db 14, NOT eager: each request saves the ReportJob and publishes
a Celery message on commit. No worker runs, so the messages pile up in db 14
(the script checks there is one per request) and are purged at the end.

Two transports (``--transport``):

* ``client`` (default): Django's test ``Client`` in this process; the full
  middleware stack and view, without HTTP parsing and without the CSRF check
  (the test Client skips it).
* ``http``: gunicorn (``config.wsgi``, 2 sync workers, 127.0.0.1, a free port)
  and ``requests``: real HTTP and the CSRF check.

A signed-in user is created (``bench-user``); after ``--warmup`` pairs, M times
(default 200) it POSTs the form (kind=area_catalogue, as_of) and GETs
``/healthz/`` (one ``SELECT 1``, the trivial baseline), alternating which goes
first, and reports median, p90, p99 and PASS/FAIL against 50 ms, with the
ratio to the baseline. Created jobs, the session and db 14 are cleaned up.

Usage (from the project root):
    .venv/bin/python bench/request_latency.py [M] [--transport client|http]
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402

LIMIT_S = 0.050
AS_OF = "2023-06-30"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "requests",
        nargs="?",
        type=int,
        default=200,
        help="timed requests (default 200)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=20,
        help="untimed request pairs first (default 20)",
    )
    parser.add_argument("--transport", choices=("client", "http"), default="client")
    parser.add_argument(
        "--json", type=Path, help="also write the results as JSON to this file"
    )
    args = parser.parse_args()
    if not 1 <= args.requests <= 5000:
        parser.error("requests must be between 1 and 5000")
    if not 0 <= args.warmup <= 500:
        parser.error("--warmup must be between 0 and 500")
    return args


class ClientTransport:
    """Django's test Client, in this process."""

    name = "in-process Django test `Client` (full middleware stack, no HTTP, no CSRF check)"

    def __init__(self, user):
        from django.test import Client
        from django.urls import reverse

        self.client = Client()
        self.client.force_login(user)
        self.post_url = reverse("reporting:report_request")
        self.get_url = reverse("healthz")

    def post(self) -> tuple[int, str]:
        response = self.client.post(
            self.post_url,
            {
                "kind": _common.KIND,
                f"{_common.KIND}-as_of": AS_OF,
                f"{_common.KIND}-language": "vi",
            },
        )
        return response.status_code, response.get("Location", "")

    def get(self) -> int:
        return self.client.get(self.get_url).status_code

    def close(self) -> None:
        self.client.logout()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class HttpTransport:
    """gunicorn on 127.0.0.1 and ``requests`` (real HTTP, CSRF checked)."""

    name = "HTTP: gunicorn `config.wsgi` (2 sync workers) on 127.0.0.1 + `requests`"

    def __init__(self, user, log_dir: Path):
        import requests
        from django.conf import settings
        from django.contrib.sessions.backends.db import SessionStore
        from django.middleware.csrf import _get_new_csrf_string
        from django.urls import reverse

        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING"}
        self.log_path = log_dir / "gunicorn.log"
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
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
        self.session = requests.Session()
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    "gunicorn exited:\n" + self.log_path.read_text(errors="replace")
                )
            try:
                if (
                    self.session.get(self.base + "/healthz/", timeout=2).status_code
                    == 200
                ):
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                self.close()
                raise RuntimeError("gunicorn not answering after 30 s")
            time.sleep(0.2)
        # A signed-in session, as force_login makes it, and a CSRF cookie + header.
        store = SessionStore()
        store["_auth_user_id"] = str(user.pk)
        store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        store["_auth_user_hash"] = user.get_session_auth_hash()
        store.create()
        self.session_key = store.session_key
        csrf = _get_new_csrf_string()
        self.session.cookies.set(
            settings.SESSION_COOKIE_NAME, store.session_key, domain="127.0.0.1"
        )
        self.session.cookies.set(settings.CSRF_COOKIE_NAME, csrf, domain="127.0.0.1")
        self.session.headers["X-CSRFToken"] = csrf
        self.post_url = self.base + reverse("reporting:report_request")
        self.get_url = self.base + reverse("healthz")

    def post(self) -> tuple[int, str]:
        response = self.session.post(
            self.post_url,
            data={
                "kind": _common.KIND,
                f"{_common.KIND}-as_of": AS_OF,
                f"{_common.KIND}-language": "vi",
            },
            allow_redirects=False,
            timeout=30,
        )
        return response.status_code, response.headers.get("Location", "")

    def get(self) -> int:
        return self.session.get(self.get_url, timeout=30).status_code

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        from django.contrib.sessions.models import Session

        Session.objects.filter(session_key=getattr(self, "session_key", None)).delete()


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": _common.median(values),
        "p90": _common.percentile(values, 90),
        "p99": _common.percentile(values, 99),
        "min": min(values),
        "max": max(values),
    }


def main() -> int:
    args = parse_args()
    env = _common.configure(broker=True)
    # The test Client's host is "testserver"; gunicorn gets its own list.
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    import django

    django.setup()

    import redis
    from django.conf import settings

    from reporting.models import ReportJob

    if settings.CELERY_TASK_ALWAYS_EAGER:
        sys.exit("Celery is in eager mode: this benchmark needs the Redis broker.")
    broker_url = settings.CELERY_BROKER_URL
    broker = redis.Redis.from_url(broker_url)
    leftover = broker.dbsize()
    broker.flushdb()

    user = _common.bench_user()
    who = _common.grant_report_requests(user)
    before = set(
        ReportJob.objects.filter(requested_by=user).values_list("pk", flat=True)
    )
    log_dir = _common.make_temp_dir("bcd138-bench-http-")
    transport = None
    posts: list[float] = []
    gets: list[float] = []
    errors: list[str] = []
    queued = 0
    try:
        transport = (
            HttpTransport(user, log_dir)
            if args.transport == "http"
            else ClientTransport(user)
        )

        def do_post() -> float:
            t0 = time.perf_counter()
            status, location = transport.post()
            elapsed = time.perf_counter() - t0
            if status != 302 or "/reports/" not in location:
                errors.append(f"POST -> {status} {location}")
            return elapsed

        def do_get() -> float:
            t0 = time.perf_counter()
            status = transport.get()
            elapsed = time.perf_counter() - t0
            if status != 200:
                errors.append(f"GET /healthz/ -> {status}")
            return elapsed

        for _ in range(args.warmup):
            do_post()
            do_get()
        gc.collect()
        for i in range(args.requests):
            if i % 2 == 0:
                posts.append(do_post())
                gets.append(do_get())
            else:
                gets.append(do_get())
                posts.append(do_post())
        queued = broker.llen("celery")
    finally:
        if transport is not None:
            transport.close()
        created = (
            set(
                ReportJob.objects.filter(requested_by=user).values_list("pk", flat=True)
            )
            - before
        )
        deleted = _common.delete_jobs(created)
        broker.flushdb()
        _common.remove_temp_dirs()

    expected = args.warmup + args.requests
    post_s, get_s = summary(posts), summary(gets)
    verdict = "PASS" if post_s["median"] <= LIMIT_S and not errors else "FAIL"

    print("# Report request latency benchmark (`bench/request_latency.py`)\n")
    print(
        f"Run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M:%S} UTC; transport: {transport.name}; "
        f"database {env['DATABASE_URL']} (CONN_MAX_AGE={settings.DATABASES['default']['CONN_MAX_AGE']}), "
        f"broker {broker_url}, not eager (emptied first: {leftover} keys); "
        f"{args.warmup} warm-up pairs, then {args.requests} POST + {args.requests} GET, "
        f"alternating; {who}.\n"
    )
    _common.print_machine_info()
    print(
        "| request | n | median | p90 | p99 | min | max | ratio of medians to baseline |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| POST `reporting:report_request` (record + enqueue, 302) | {len(posts)} "
        f"| **{_common.ms(post_s['median'])} ms** | {_common.ms(post_s['p90'])} ms "
        f"| {_common.ms(post_s['p99'])} ms | {_common.ms(post_s['min'])} ms | {_common.ms(post_s['max'])} ms "
        f"| {post_s['median'] / get_s['median']:.2f} |"
    )
    print(
        f"| GET `/healthz/` (baseline: one `SELECT 1`) | {len(gets)} "
        f"| {_common.ms(get_s['median'])} ms | {_common.ms(get_s['p90'])} ms "
        f"| {_common.ms(get_s['p99'])} ms | {_common.ms(get_s['min'])} ms | {_common.ms(get_s['max'])} ms | 1.00 |"
    )
    print()
    print(
        f"Verdict (median POST ≤ 50 ms): **{verdict}** — {_common.ms(post_s['median'])} ms."
    )
    print(
        f"\nMessages waiting in the broker after the run: {queued} (expected {expected}, one per POST). "
        f"Errors: {len(errors)}{': ' + '; '.join(sorted(set(errors))[:5]) if errors else ''}. "
        f"Cleaned up: {deleted} report jobs deleted, Redis db {broker_url.rsplit('/', 1)[-1]} flushed."
    )

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "env": env,
                    "transport": args.transport,
                    "post": post_s,
                    "get": get_s,
                    "ratio": post_s["median"] / get_s["median"],
                    "queued": queued,
                    "expected": expected,
                    "errors": errors,
                    "verdict": verdict,
                },
                indent=2,
            )
        )
    return 0 if verdict == "PASS" and queued == expected else 1


if __name__ == "__main__":
    sys.exit(main())
