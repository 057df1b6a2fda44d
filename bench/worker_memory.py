"""Benchmark: peak memory and throughput of a real Celery worker building reports.

Requirement: "Building the area report: ... the worker's peak memory."

The script starts ``celery -A config worker --pool=prefork --concurrency=1``
(like ``tests/services.py``'s ``CeleryWorker``: own process group, same flags)
against the benchmark database and Redis db 14, then

1. records the idle RSS of the main process and its pool child (baseline);
2. sends 1 warm-up report and waits for it;
3. sends K area-catalogue reports through ``reporting.services.report_request``
   (alternating the dates given, by default 2023-06-30 (7 pages) and
   2025-07-02 (4 pages)) and waits until all are done;
4. meanwhile polls ``/proc/<pid>/status`` (VmHWM = the kernel's peak RSS of the
   process, VmRSS) and ``/proc/<pid>/smaps_rollup`` (Pss) every 50 ms for every
   process of the worker's process group;
5. prints peak RSS per process in MiB (2^20 bytes), the peak of the summed PSS
   (shared pages counted once), throughput and job run times.

Then it stops the worker, purges Redis db 14 and deletes the jobs and files.

Usage (from the project root):
    .venv/bin/python bench/worker_memory.py [K] [--as-of 2023-06-30 ...]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402

DEFAULT_DATES = ("2023-06-30", "2025-07-02")
POLL_SECONDS = 0.05
PSS_EVERY = 10
MIB = 1024 * 1024


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "reports", nargs="?", type=int, default=20, help="reports to build (default 20)"
    )
    parser.add_argument(
        "--as-of",
        action="append",
        dest="dates",
        help="report date (repeatable; cycled)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=1,
        help="pool processes (default 1; docker-compose.yml runs 2)",
    )
    parser.add_argument(
        "--celery-app",
        default="config",
        help="the -A module (default: config); bench.tuned_worker_app for the "
        "experiment in docs/benchmarks.md",
    )
    parser.add_argument(
        "--json", type=Path, help="also write the results as JSON to this file"
    )
    args = parser.parse_args()
    if not 1 <= args.concurrency <= 4:
        parser.error("--concurrency must be between 1 and 4")
    if not 1 <= args.reports <= 500:
        parser.error("reports must be between 1 and 500")
    args.dates = args.dates or list(DEFAULT_DATES)
    return args


# --- /proc sampling ---------------------------------------------------------------


def _status_kib(pid: int) -> dict[str, int]:
    values = {}
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS", "PPid"):
                values[key] = int(rest.split()[0])
    return values


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue
        # Fields after the ")" that closes the command name: state ppid pgrp ...
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid:
            pids.append(int(entry))
    return pids


def _other_role(pid: int) -> str:
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        comm = "?"
    return f"other ({comm})"


@dataclass
class ProcessPeak:
    pid: int
    role: str
    hwm_kib: int = 0
    rss_kib: int = 0
    max_rss_seen_kib: int = 0


@dataclass
class Sampler:
    main_pid: int
    peaks: dict[int, ProcessPeak] = field(default_factory=dict)
    max_total_rss_kib: int = 0
    max_total_pss_kib: int = 0
    samples: int = 0
    pss_samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _role(self, pid: int, status: dict[str, int]) -> str:
        if pid == self.main_pid:
            return "main"
        if status.get("PPid") == self.main_pid:
            return "pool child"
        return _other_role(pid)

    def sample(self, pss: bool = False) -> None:
        # PSS (smaps_rollup walks the process's page tables) only when asked:
        # every PSS_EVERY-th poll, so the sampling barely disturbs the worker.
        total_rss = total_pss = 0
        for pid in group_pids(self.main_pid):
            try:
                status = _status_kib(pid)
            except (OSError, ValueError):
                continue
            pss_kib = _pss_kib(pid) if pss else 0
            with self._lock:
                peak = self.peaks.get(pid)
                if peak is None:
                    peak = self.peaks[pid] = ProcessPeak(pid, self._role(pid, status))
                peak.hwm_kib = max(peak.hwm_kib, status.get("VmHWM", 0))
                peak.rss_kib = status.get("VmRSS", 0)
                peak.max_rss_seen_kib = max(peak.max_rss_seen_kib, peak.rss_kib)
            total_rss += status.get("VmRSS", 0)
            total_pss += pss_kib
        with self._lock:
            self.max_total_rss_kib = max(self.max_total_rss_kib, total_rss)
            if pss:
                self.max_total_pss_kib = max(self.max_total_pss_kib, total_pss)
                self.pss_samples += 1
            self.samples += 1

    def current(self) -> dict[int, int]:
        """Current RSS by pid (KiB), for live processes."""
        self.sample(pss=True)
        live = set(group_pids(self.main_pid))
        with self._lock:
            return {pid: p.rss_kib for pid, p in self.peaks.items() if pid in live}

    def run(self) -> None:
        polls = 0
        while not self._stop.is_set():
            self.sample(pss=polls % PSS_EVERY == 0)
            polls += 1
            self._stop.wait(POLL_SECONDS)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, daemon=True)
        thread.start()
        return thread

    def stop(self, thread: threading.Thread) -> None:
        self._stop.set()
        thread.join(timeout=5)


# --- worker process ---------------------------------------------------------------


def wait_finished(job_ids: list[int], timeout: float) -> None:
    from reporting.choices import FINISHED_STATUSES
    from reporting.models import ReportJob

    deadline = time.monotonic() + timeout
    while True:
        left = (
            ReportJob.objects.filter(pk__in=job_ids)
            .exclude(status__in=FINISHED_STATUSES)
            .count()
        )
        if left == 0:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"{left} of {len(job_ids)} reports not finished after {timeout:.0f}s"
            )
        time.sleep(0.1)


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f}"


def main() -> int:
    args = parse_args()
    env = _common.configure(broker=True)
    import django

    django.setup()

    import redis
    from django.conf import settings

    from reporting import services
    from reporting.choices import ReportStatus
    from reporting.models import ReportJob

    broker_url = os.environ["CELERY_BROKER_URL"]
    broker = redis.Redis.from_url(broker_url)
    leftover = broker.dbsize()
    broker.flushdb()

    log_dir = _common.make_temp_dir("bcd138-bench-worker-")
    worker_env = {
        **os.environ,
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    user = _common.bench_user()
    created: list[int] = []
    # The same worker process the service-backed tests start.
    from tests.services import CeleryWorker

    worker = CeleryWorker(
        worker_env,
        log_dir / "worker.log",
        app=args.celery_app,
        concurrency=args.concurrency,
    )
    print("# Worker memory and throughput benchmark (`bench/worker_memory.py`)\n")
    print(
        f"Run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M:%S} UTC; "
        f"`celery -A {args.celery_app} worker --pool=prefork --concurrency={args.concurrency}`, database "
        f"{env['DATABASE_URL']}, broker {broker_url} (emptied first: {leftover} keys), "
        f"DB_CONN_MAX_AGE={settings.DATABASES['default']['CONN_MAX_AGE']}, "
        f"max-memory-per-child {settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD} KiB; "
        f"{args.reports} reports cycling {', '.join(args.dates)} after 1 warm-up report.\n"
    )
    _common.print_machine_info()

    thread = None
    sampler = None
    batch: list[int] = []
    cleaned = False

    def cleanup() -> int:
        nonlocal cleaned
        if cleaned:
            return 0
        cleaned = True
        count = _common.delete_jobs(created)
        broker.flushdb()
        _common.remove_temp_dirs()
        return count

    try:
        t_start = time.monotonic()
        worker.start()
        ready_s = time.monotonic() - t_start
        sampler = Sampler(worker.process.pid)
        thread = sampler.start()
        time.sleep(1.0)
        idle = sampler.current()

        def request(as_of: str) -> int:
            job = services.report_request(
                kind=_common.KIND,
                data={"as_of": as_of, "language": "vi"},
                by=user,
            )
            created.append(job.pk)
            return job.pk

        warm = [request(args.dates[0])]
        wait_finished(warm, timeout=120)
        after_warm = sampler.current()
        warm_job = ReportJob.objects.get(pk=warm[0])
        warm_run_s = (warm_job.finished_at - warm_job.started_at).total_seconds()

        t0 = time.monotonic()
        for i in range(args.reports):
            batch.append(request(args.dates[i % len(args.dates)]))
        submit_s = time.monotonic() - t0
        wait_finished(batch, timeout=60 + 15 * args.reports)
        wall_s = time.monotonic() - t0
        end = sampler.current()
        sampler.sample(pss=True)
    except BaseException:
        if sampler is not None and thread is not None:
            sampler.stop(thread)
        worker.stop()
        print(
            "Worker log tail:\n" + "\n".join(worker.log().splitlines()[-40:]),
            file=sys.stderr,
        )
        cleanup()
        raise
    sampler.stop(thread)
    worker.stop()
    log_text = worker.log()

    jobs = list(ReportJob.objects.filter(pk__in=batch).order_by("pk"))
    statuses = {
        status: sum(1 for j in jobs if j.status == status)
        for status in ReportStatus.values
    }
    first_created = min(j.created_at for j in jobs)
    last_finished = max(j.finished_at for j in jobs if j.finished_at)
    db_span_s = (last_finished - first_created).total_seconds()
    run_times = [
        (j.finished_at - j.started_at).total_seconds()
        for j in jobs
        if j.finished_at and j.started_at
    ]
    by_date: dict[str, list[float]] = {}
    for j in jobs:
        if j.finished_at and j.started_at:
            by_date.setdefault(j.params["as_of"], []).append(
                (j.finished_at - j.started_at).total_seconds()
            )

    deleted = cleanup()

    peaks = sorted(sampler.peaks.values(), key=lambda p: (p.role != "main", p.pid))
    children = [p for p in peaks if p.role == "pool child"]
    main_peak = next((p for p in peaks if p.role == "main"), None)

    print("## Peak memory\n")
    print(
        "| process | pid | idle RSS (baseline) | RSS after warm-up report | RSS at end | "
        "**peak RSS (VmHWM)** |"
    )
    print("|---|---|---|---|---|---|")
    for peak in peaks:
        print(
            f"| {peak.role} | {peak.pid} | {mib(idle.get(peak.pid, 0))} MiB "
            f"| {mib(after_warm.get(peak.pid, 0))} MiB | {mib(end.get(peak.pid, 0))} MiB "
            f"| **{mib(peak.hwm_kib)} MiB** |"
        )
    child_peak = max((p.hwm_kib for p in children), default=0)
    idle_child = max((idle.get(p.pid, 0) for p in children), default=0)
    print()
    print(
        f"* Pool child peak RSS: **{mib(child_peak)} MiB** = {child_peak / max(idle_child, 1):.2f}× its idle "
        f"RSS ({mib(idle_child)} MiB); pool children seen: {len(children)} for "
        f"--concurrency={args.concurrency} (more means max-memory-per-child "
        "replaced one)."
    )
    if main_peak:
        print(f"* Main process peak RSS: **{mib(main_peak.hwm_kib)} MiB**.")
    print(
        f"* Peak of the summed RSS of the process group: {mib(sampler.max_total_rss_kib)} MiB; "
        f"peak of the summed PSS (shared pages counted once): **{mib(sampler.max_total_pss_kib)} MiB**."
    )
    print(
        f"* {sampler.samples} samples of /proc/<pid>/status every "
        f"{POLL_SECONDS * 1000:.0f} ms ({sampler.pss_samples} of smaps_rollup for PSS); "
        "VmHWM is the kernel's own high-water mark, so it does not depend on the "
        "sampling rate."
    )
    print()
    print("## Throughput\n")
    print(
        "| reports | statuses | submit time (all K) | wall time, first request → all done | "
        "throughput | DB span (first created → last finished) | job run time median (min–max) |"
    )
    print("|---|---|---|---|---|---|---|")
    status_text = ", ".join(f"{k} {v}" for k, v in statuses.items() if v)
    print(
        f"| {len(jobs)} | {status_text} | {submit_s * 1000:.0f} ms | {wall_s:.2f} s "
        f"| **{len(jobs) / wall_s:.2f} reports/s** | {db_span_s:.2f} s "
        f"| {_common.median(run_times) * 1000:.0f} ms ({min(run_times) * 1000:.0f}–{max(run_times) * 1000:.0f}) |"
    )
    print()
    print("| as of | reports | job run time median (started_at → finished_at) |")
    print("|---|---|---|")
    for as_of, times in by_date.items():
        print(f"| {as_of} | {len(times)} | {_common.median(times) * 1000:.0f} ms |")
    print()
    print(
        f"First (warm-up) report in the fresh worker ({args.dates[0]}): {warm_run_s * 1000:.0f} ms "
        f"(includes importing WeasyPrint in the pool child and the first render).\n"
    )
    print(
        f"Worker ready in {ready_s:.1f} s. Cleaned up: worker stopped, {deleted} report jobs and files "
        f"deleted, Redis db {broker_url.rsplit('/', 1)[-1]} flushed."
    )
    failed = statuses.get(ReportStatus.FAILED, 0)
    if failed:
        print(
            "\nWorker log tail:\n```\n"
            + "\n".join(log_text.splitlines()[-40:])
            + "\n```"
        )

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "env": env,
                    "reports": len(jobs),
                    "statuses": statuses,
                    "concurrency": args.concurrency,
                    "celery_app": args.celery_app,
                    "idle_kib": idle,
                    "after_warm_kib": after_warm,
                    "end_kib": end,
                    "peaks": [p.__dict__ for p in peaks],
                    "max_total_rss_kib": sampler.max_total_rss_kib,
                    "max_total_pss_kib": sampler.max_total_pss_kib,
                    "wall_s": wall_s,
                    "submit_s": submit_s,
                    "db_span_s": db_span_s,
                    "throughput_per_s": len(jobs) / wall_s,
                    "run_time_median_s": _common.median(run_times),
                    "warm_run_s": warm_run_s,
                },
                indent=2,
            )
        )
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
