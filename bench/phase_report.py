"""Benchmark: the phase progress report (issue 9) — build time, worker memory,
two workers against one.

Requirement (issue 9): "The province's 2023–2025 report with the demo data,
and a national-scale summary (34 provinces): total build time <= 1.15x
WeasyPrint's own render time of the final HTML in the same process, and the
worker's peak memory <= 300 MB. Two workers build a batch of 20 reports
>= 1.8x as fast as one."

Two throw-away PostgreSQL databases (127.0.0.1, user postgres; dropped and
created again, dropped at the end unless ``--keep``; ``bench/_phase_common.py``):

* ``bcd138_phase_demo_bench``: ``manage.py migrate`` and ``manage.py
  seed_demo`` (DEBUG on and a random DEMO_PASSWORD for the seed only, as
  ``make demo`` does); everything is measured with DEBUG off.
* ``bcd138_phase_national_bench``: An Giang's reference data, the 33
  synthetic provinces and ward police assessments of ``bench/assessments.py``
  (issue 8), a provincial committee per synthetic province, plus about 2,900
  exemplary-unit registrations over 2023–2026 in the 34 provinces with their
  workflow steps, assessments, recognitions, commendations, pledges and
  reviews (``bench/_phase_child.py national``).

Three data sets: ``demo``; ``province`` (the national database, the project's
default ``CAMPAIGN_PROVINCE_CODES``: An Giang's report); ``national`` (the
same database, ``CAMPAIGN_PROVINCE_CODES`` = every province: the national
summary). The report is ``phase_progress`` ``{"phase": "2023-2025",
"as_of": "2025-12-31", "language": "vi"}`` asked by provincial staff (the
whole province: the same HTML as the system actor ``SYSTEM`` gets, checked).

Parts (``build``, ``workers``, ``memory``; all by default):

1. **build** — in a fresh child process per data set, 1 warm-up then N runs:
   on a fresh pending ``ReportJob``, **total** = ``services.report_job_run``
   against **WeasyPrint alone** = ``reporting.pdf.render_pdf`` on the same
   final HTML, alternating which goes first. Ratio of medians, limit 1.15.
   ``--profile K`` adds a cProfile of K job runs.
2. **workers** — per data set, a real ``celery -A config worker
   --pool=prefork`` (Redis db 14) with ``--concurrency=1``, then 2 (then 2,
   1: ``--rounds``), a warm-up report per pool process, then a batch of 20
   reports requested at once through ``services.report_request`` by 20
   provincial staff users (so that no request is folded into another's job),
   once the machine is quiet. Wall time from the first request to the last
   finished job; peak RSS (VmHWM) of every process of the worker
   (``bench/worker_memory.py``'s sampler); CPU of the worker and of the rest
   of the machine meanwhile. Speed-up = wall(1) / wall(2), limit 1.8; the
   pool processes' peak RSS, limit 300 MB (10^6 bytes).
3. **memory** — peak RSS of a fresh process rendering each report, and for
   the national summary without each kind of table in turn; ``tracemalloc``
   of WeasyPrint's laid-out document (where the memory goes).

Usage (from the project root):
    .venv/bin/python bench/phase_report.py [all|build|workers|memory] [--runs N]
        [--batch 20] [--rounds R] [--profile K] [--keep] [--reuse] [--json PATH]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402
import _phase_common as pc  # noqa: E402

BUILD_LIMIT = 1.15
MEMORY_LIMIT_MB = 300  # 10^6 bytes
SPEEDUP_LIMIT = 1.8
MIB = 1024 * 1024
KIND = "phase_progress"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "part", nargs="?", default="all", choices=("all", "build", "workers", "memory")
    )
    parser.add_argument(
        "--runs", type=int, default=10, help="timed builds per data set (10)"
    )
    parser.add_argument(
        "--demo-runs", type=int, default=0, help="for the demo (default: --runs)"
    )
    parser.add_argument("--batch", type=int, default=20, help="reports per batch (20)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="worker rounds (each: concurrency 1 and 2, order alternating)",
    )
    parser.add_argument("--profile", type=int, default=0, metavar="K")
    parser.add_argument("--gc-collect", action="store_true")
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases and media"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="reuse databases left by --keep"
    )
    parser.add_argument(
        "--data",
        action="append",
        choices=pc.LABELS,
        help="measure only this data set (repeatable; default: all three)",
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not 1 <= args.runs <= 100 or not 1 <= args.batch <= 100:
        parser.error("--runs and --batch must be between 1 and 100")
    args.demo_runs = args.demo_runs or args.runs
    return args


# --- Part 1: build time ---------------------------------------------------------------


def summarise_build(raw: dict) -> dict:
    med = statistics.median
    totals, alones = raw["totals"], raw["alones"]
    total = med(t["wall"] for t in totals)
    alone = med(a["wall"] for a in alones)
    return {
        "total_s": total,
        "total_min_s": min(t["wall"] for t in totals),
        "alone_s": alone,
        "alone_min_s": min(a["wall"] for a in alones),
        "ratio": total / alone,
        "paired_ratio": med(
            t["wall"] / a["wall"] for t, a in zip(totals, alones, strict=True)
        ),
        "cpu_ratio": med(t["cpu"] for t in totals) / med(a["cpu"] for a in alones),
        "ratio_without_gc": med(t["wall"] - t["gc"] for t in totals)
        / med(a["wall"] - a["gc"] for a in alones),
        "inner_pdf_s": med(t["inner_pdf"] for t in totals),
        "inner_over_alone": med(t["inner_pdf"] for t in totals) / alone,
        "outside_s": med(t["wall"] - t["inner_pdf"] for t in totals),
        "outside_share": med((t["wall"] - t["inner_pdf"]) / t["wall"] for t in totals),
        "gc_total_s": med(t["gc"] for t in totals),
        "gc_alone_s": med(a["gc"] for a in alones),
        "render_html_s": med(raw["render_html_s"]),
        "runs": len(totals),
    }


def report_build(results: list[dict], figures: dict) -> None:
    ms = _common.ms
    print("## 1. Build time vs WeasyPrint alone (same process, interleaved)\n")
    rows = []
    for raw in results:
        s = raw["summary"]
        verdict = "PASS" if s["ratio"] <= BUILD_LIMIT else "FAIL"
        rows.append(
            [
                raw["label"],
                f"{raw['pages']} pages, {raw['html_chars']:,} chars → "
                f"{raw['pdf_bytes']:,} B",
                s["runs"],
                f"{ms(s['total_s'])} ms ({ms(s['total_min_s'])})",
                f"{ms(s['alone_s'])} ms ({ms(s['alone_min_s'])})",
                f"**{s['ratio']:.3f}**",
                f"{s['paired_ratio']:.3f}",
                f"{s['cpu_ratio']:.3f}",
                f"{s['ratio_without_gc']:.3f}",
                f"{ms(s['gc_total_s'])} / {ms(s['gc_alone_s'])} ms",
                f"{ms(s['outside_s'])} ms ({s['outside_share']:.1%})",
                f"{ms(s['inner_pdf_s'])} ms ({s['inner_over_alone']:.3f}×)",
                f"{ms(s['render_html_s'])} ms",
                f"**{verdict}**",
            ]
        )
    pc.table(
        [
            "data",
            "document",
            "runs",
            "total `report_job_run` median (min)",
            "WeasyPrint alone `render_pdf` median (min)",
            "**ratio total / alone**",
            "paired ratio median",
            "CPU-time ratio",
            "ratio without GC time",
            "GC in total / in alone (median)",
            "job time outside `render_pdf` (median)",
            "job's own `render_pdf` (÷ alone)",
            "`render_job_html` median",
            f"verdict (≤ {BUILD_LIMIT})",
        ],
        rows,
    )
    print(
        "total = claim, heartbeat thread, context (`phase_report_data`) as the "
        "requester, template, PDF, store, finish, on a fresh pending ReportJob; "
        "alone = `render_pdf` on the same final HTML (checked identical to the "
        "job's, and to the HTML rendered as `SYSTEM`: "
        + ", ".join(
            f"{r['label']} {'yes' if r['same_html_as_system'] else '**NO**'}"
            for r in results
        )
        + "). GC = time in Python's cyclic collector during the call; "
        "the job's own `render_pdf` = the time the job spent inside WeasyPrint "
        "(a wrapper around `reporting.pdf.render_pdf`).\n"
    )
    if figures:
        report = figures["report"]

        def listed(key: str) -> str:
            total = report.get(f"{key}_total", report[key])
            return f"{report[key]:,}" + (
                f" of {total:,}" if total != report[key] else ""
            )

        print(
            "The national summary lists "
            f"{report['units_listed']:,} of {report['registrations_in_phase']:,} "
            "registrations, "
            f"{report['localities']:,} registering committees, "
            f"{listed('recognitions')} recognitions, "
            f"{listed('commendations')} commendations, {listed('pledges')} pledges "
            f"and {report['reviews']:,} reviews.\n"
        )
    for raw in results:
        if raw.get("profile"):
            print(
                f"### cProfile of `report_job_run`, {raw['label']}\n\n```\n"
                f"{raw['profile'].strip()}\n```\n"
            )


# --- Parts 2 and 3: workers -----------------------------------------------------------


def workers_in_subprocess(data_set: pc.DataSet, args) -> dict:
    """``run_workers`` in a fresh process of this script, set up for
    ``data_set``'s database (Django is set up once per process)."""
    env = {
        **os.environ,
        "BENCH_DATABASE_URL": data_set.database_url,
        "PRIVATE_MEDIA_ROOT": str(data_set.media),
        **data_set.env_extra,
    }
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    payload = {
        "label": data_set.label,
        "rounds": args.rounds,
        "batch": args.batch,
        "users": [f"bench-phase-{n:02d}" for n in range(1, max(args.batch, 2) + 1)],
    }
    done = subprocess.run(
        [sys.executable, __file__, "_workers", json.dumps(payload)],
        cwd=pc.ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"workers ({data_set.label}) failed: {done.returncode}")
    result = json.loads(lines[-1])
    result["summary"] = summarise_workers(result)
    return result


def run_workers(payload: dict) -> dict:
    """Concurrency 1 and 2, ``rounds`` times (order alternating), in this
    process (``BENCH_DATABASE_URL`` set by the parent)."""
    env = _common.configure(broker=True)
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from worker_memory import Sampler, wait_finished

    from reporting import services
    from reporting.models import ReportJob
    from tests.services import CeleryWorker

    broker_url = os.environ["CELERY_BROKER_URL"]
    broker = redis.Redis.from_url(broker_url)
    leftover = broker.dbsize()
    names = payload["users"]
    found = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    users = [found[name] for name in names]
    log_dir = _common.make_temp_dir("bcd138-bench-phase-worker-")
    worker_env = {**os.environ, "LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1"}
    runs = []
    orders = [(1, 2) if r % 2 == 0 else (2, 1) for r in range(payload["rounds"])]
    tools = {
        "services": services,
        "ReportJob": ReportJob,
        "CeleryWorker": CeleryWorker,
        "Sampler": Sampler,
        "wait_finished": wait_finished,
    }
    try:
        for round_no, order in enumerate(orders, start=1):
            for concurrency in order:
                broker.flushdb()
                pc.log(
                    f"{payload['label']}, round {round_no}: worker "
                    f"--concurrency={concurrency}, {payload['batch']} reports"
                )
                run = one_worker_run(
                    concurrency=concurrency,
                    users=users,
                    batch=payload["batch"],
                    log_path=log_dir / f"worker-{round_no}-{concurrency}.log",
                    env=worker_env,
                    **tools,
                )
                run["round"] = round_no
                runs.append(run)
                pc.log(
                    f"  wall {run['wall_s']:.1f} s, pool peak "
                    + ", ".join(
                        mib(p["hwm_kib"])
                        for p in run["peaks"]
                        if p["role"] == "pool child"
                    )
                    + " MiB"
                )
    finally:
        broker.flushdb()
        _common.remove_temp_dirs()
    return {
        "label": payload["label"],
        "env": env,
        "broker": broker_url,
        "broker_leftover_keys": leftover,
        "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
        "max_memory_per_child_kib": settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD,
        "runs": runs,
    }


def _system_busy_s() -> float:
    """Busy CPU time of the whole machine since boot (all cores), seconds."""
    with open("/proc/stat") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...
    busy = sum(fields[:3]) + sum(fields[5:8])
    return busy / os.sysconf("SC_CLK_TCK")


def wait_quiet(*, threshold: float = 0.15, sample_s: float = 3.0, limit_s: float = 300):
    """Wait (at most ``limit_s``) until the machine's CPU is at most
    ``threshold`` busy over ``sample_s`` (other people's test runs share it);
    returns (busy share last seen, seconds waited)."""
    started = time.monotonic()
    cores = os.cpu_count() or 1
    while True:
        busy0 = _system_busy_s()
        time.sleep(sample_s)
        share = (_system_busy_s() - busy0) / (sample_s * cores)
        waited = time.monotonic() - started
        if share <= threshold or waited >= limit_s:
            return share, waited


def _group_cpu_s(main_pid: int, pids: list[int]) -> float:
    """CPU time of the worker: its live processes, plus the children the main
    process has reaped (pool processes replaced or stopped)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime stime
        if pid == main_pid:
            total += int(fields[13]) + int(fields[14])  # cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


def one_worker_run(
    *,
    concurrency,
    users,
    batch,
    log_path,
    env,
    services,
    ReportJob,  # noqa: N803 - the model class, imported after django.setup()
    CeleryWorker,  # noqa: N803
    Sampler,  # noqa: N803
    wait_finished,
) -> dict:
    worker = CeleryWorker(
        env, log_path, concurrency=concurrency, name=f"phase{concurrency}"
    )
    created: list[int] = []
    sampler = thread = None

    def request(user) -> int:
        job = services.report_request(kind=KIND, data=pc.REPORT_DATA, by=user)
        if job.reused:
            raise RuntimeError(f"request of {user} folded into job {job.pk}")
        created.append(job.pk)
        return job.pk

    try:
        t_start = time.monotonic()
        worker.start()
        ready_s = time.monotonic() - t_start
        sampler = Sampler(worker.process.pid)
        thread = sampler.start()
        time.sleep(1.0)
        idle = sampler.current()
        # One warm-up report per pool process, at once (each imports WeasyPrint).
        warm = [request(users[i]) for i in range(concurrency)]
        wait_finished(warm, timeout=600)
        after_warm = sampler.current()
        warm_jobs = list(ReportJob.objects.filter(pk__in=warm))
        from worker_memory import group_pids

        quiet_share, quiet_wait = wait_quiet()
        main_pid = worker.process.pid
        busy0, mine0 = _system_busy_s(), time.process_time()
        worker0 = _group_cpu_s(main_pid, group_pids(main_pid))
        t0 = time.monotonic()
        jobs = [request(users[i % len(users)]) for i in range(batch)]
        submit_s = time.monotonic() - t0
        wait_finished(jobs, timeout=120 + 120 * batch)
        wall_s = time.monotonic() - t0
        worker_cpu = _group_cpu_s(main_pid, group_pids(main_pid)) - worker0
        busy = _system_busy_s() - busy0
        mine = time.process_time() - mine0
        end = sampler.current()
        sampler.sample(pss=True)
    except BaseException:
        print(
            "Worker log tail:\n" + "\n".join(worker.log().splitlines()[-40:]),
            file=sys.stderr,
        )
        _common.delete_jobs(created)
        raise
    finally:
        if sampler is not None and thread is not None:
            sampler.stop(thread)
        worker.stop()
    done = list(ReportJob.objects.filter(pk__in=jobs).order_by("pk"))
    statuses = dict(Counter(job.status for job in done))
    run_times = [
        (j.finished_at - j.started_at).total_seconds()
        for j in done
        if j.finished_at and j.started_at
    ]
    db_span = (
        max(j.finished_at for j in done if j.finished_at)
        - min(j.created_at for j in done)
    ).total_seconds()
    sizes = sorted({j.file_size for j in done if j.file_size})
    deleted = _common.delete_jobs(created)
    peaks = sorted(sampler.peaks.values(), key=lambda p: (p.role != "main", p.pid))
    replaced = "replaced" in worker.log() or "exceeded memory" in worker.log()
    return {
        "concurrency": concurrency,
        "reports": len(done),
        "statuses": statuses,
        "ready_s": ready_s,
        "warm_run_s": [
            (j.finished_at - j.started_at).total_seconds()
            for j in warm_jobs
            if j.finished_at
        ],
        "submit_s": submit_s,
        "wall_s": wall_s,
        "cpu": {
            "machine_busy_s": busy,
            "worker_s": worker_cpu,
            "benchmark_s": mine,
            "others_s": busy - worker_cpu - mine,
            "cores": os.cpu_count(),
            "busy_share_before": quiet_share,
            "waited_for_quiet_s": quiet_wait,
        },
        "db_span_s": db_span,
        "run_time_median_s": statistics.median(run_times),
        "run_time_min_s": min(run_times),
        "run_time_max_s": max(run_times),
        "pdf_sizes": sizes,
        "idle_kib": {str(k): v for k, v in idle.items()},
        "after_warm_kib": {str(k): v for k, v in after_warm.items()},
        "end_kib": {str(k): v for k, v in end.items()},
        "peaks": [p.__dict__ for p in peaks],
        "pool_children": sum(1 for p in peaks if p.role == "pool child"),
        "max_total_pss_kib": sampler.max_total_pss_kib,
        "max_total_rss_kib": sampler.max_total_rss_kib,
        "memory_log_lines": replaced,
        "deleted_jobs": deleted,
        "load_after": os.getloadavg(),
    }


def mib(kib: float) -> str:
    return f"{kib / 1024:.1f}"


def mb(kib: float) -> str:
    return f"{kib * 1024 / 1e6:.1f}"


QUIET_OTHERS = 0.10  # a run is "quiet" when the rest of the machine used ≤ 10 %


def _others_share(run: dict) -> float:
    cpu = run["cpu"]
    return cpu["others_s"] / (cpu["cores"] * run["wall_s"])


def summarise_workers(workers: dict) -> dict:
    by_c: dict[int, list[dict]] = {}
    for run in workers["runs"]:
        by_c.setdefault(run["concurrency"], []).append(run)
    wall = {c: statistics.median(r["wall_s"] for r in runs) for c, runs in by_c.items()}
    child_peak = {
        c: max(
            p["hwm_kib"] for r in runs for p in r["peaks"] if p["role"] == "pool child"
        )
        for c, runs in by_c.items()
    }
    main_peak = {
        c: max(p["hwm_kib"] for r in runs for p in r["peaks"] if p["role"] == "main")
        for c, runs in by_c.items()
    }
    not_done = sum(r["reports"] - r["statuses"].get("done", 0) for r in workers["runs"])
    quiet = {
        c: [r["wall_s"] for r in runs if _others_share(r) <= QUIET_OTHERS]
        for c, runs in by_c.items()
    }
    quiet_speedup = (
        statistics.median(quiet[1]) / statistics.median(quiet[2])
        if quiet.get(1) and quiet.get(2)
        else None
    )
    speedup = wall[1] / wall[2] if 1 in wall and 2 in wall else None
    peak = max(child_peak.values())
    return {
        "wall_s": {str(c): w for c, w in wall.items()},
        "speedup": speedup,
        "speedup_ok": bool(speedup and speedup >= SPEEDUP_LIMIT),
        "quiet_speedup": quiet_speedup,
        "quiet_runs": {str(c): len(v) for c, v in quiet.items()},
        "child_peak_kib": peak,
        "main_peak_kib": max(main_peak.values()),
        "memory_ok": peak * 1024 <= MEMORY_LIMIT_MB * 1e6,
        "not_done": not_done,
    }


def report_workers(all_workers: list[dict], batch: int) -> None:
    print("## 2–3. Worker memory; two workers against one\n")
    first = all_workers[0]
    print(
        "`celery -A config worker --pool=prefork --concurrency=C` (as "
        f"`tests/services.py`'s `CeleryWorker`), broker {first['broker']} "
        f"(emptied first), DB_CONN_MAX_AGE={first['conn_max_age']}, "
        f"max-memory-per-child {first['max_memory_per_child_kib']} KiB; a "
        "warm-up report per pool process, then "
        f"{batch} reports requested at once by {batch} provincial staff users "
        "(`services.report_request`).\n"
    )
    rows = []
    for workers in all_workers:
        for run in workers["runs"]:
            children = [p for p in run["peaks"] if p["role"] == "pool child"]
            main = next(p for p in run["peaks"] if p["role"] == "main")
            rows.append(
                [
                    workers["label"],
                    run["round"],
                    run["concurrency"],
                    ", ".join(f"{k} {v}" for k, v in run["statuses"].items()),
                    f"{run['wall_s']:.1f} s",
                    f"{run['reports'] / run['wall_s'] * 60:.1f} /min",
                    f"{run['run_time_median_s']:.2f} s "
                    f"({run['run_time_min_s']:.2f}–{run['run_time_max_s']:.2f})",
                    ", ".join(f"{w:.1f} s" for w in run["warm_run_s"]),
                    f"{mib(main['hwm_kib'])} MiB",
                    f"{len(children)}",
                    f"**{mib(max(p['hwm_kib'] for p in children))} MiB** "
                    f"({mb(max(p['hwm_kib'] for p in children))} MB)",
                    f"{mib(run['max_total_pss_kib'])} MiB",
                    f"{run['cpu']['worker_s']:.0f} s / "
                    f"{run['cpu']['others_s']:.0f} s / "
                    f"{run['cpu']['cores'] * run['wall_s']:.0f} s",
                    f"{run['cpu']['busy_share_before']:.0%} "
                    f"({run['cpu']['waited_for_quiet_s']:.0f} s)",
                ]
            )
    pc.table(
        [
            "data",
            "round",
            "concurrency",
            "statuses",
            f"wall time, {batch} reports (first request → all done)",
            "throughput",
            "job run time median (min–max)",
            "warm-up report(s)",
            "main process peak RSS",
            "pool processes seen",
            "pool process peak RSS (VmHWM, max)",
            "peak summed PSS of the worker",
            "CPU during the batch: worker / everything else / available",
            "machine busy before (waited)",
        ],
        rows,
    )
    for workers in all_workers:
        s = workers["summary"]
        wall = s["wall_s"]
        speedup = s["speedup"]
        print(
            f"* **{workers['label']}**: speed-up = median wall time with 1 pool "
            f"process ({wall.get('1', 0):.1f} s) ÷ with 2 ({wall.get('2', 0):.1f} s) = "
            f"**{speedup:.2f}** (limit ≥ {SPEEDUP_LIMIT}): "
            f"**{'PASS' if s['speedup_ok'] else 'FAIL'}**; pool process peak RSS "
            f"**{mib(s['child_peak_kib'])} MiB = {mb(s['child_peak_kib'])} MB** "
            f"(limit {MEMORY_LIMIT_MB} MB = {MEMORY_LIMIT_MB * 1e6 / MIB:.1f} MiB): "
            f"**{'PASS' if s['memory_ok'] else 'FAIL'}**; main process "
            f"{mib(s['main_peak_kib'])} MiB. Runs where the rest of the machine "
            f"used ≤ {QUIET_OTHERS:.0%} of the CPU: "
            + (
                f"speed-up **{s['quiet_speedup']:.2f}** ({s['quiet_runs'].get('1', 0)} "
                f"+ {s['quiet_runs'].get('2', 0)} runs)."
                if s.get("quiet_speedup")
                else "not enough of them for a quiet figure."
            )
        )
    print(
        "* VmHWM is the kernel's high-water mark of each process's RSS, so the "
        "peak does not depend on the sampling rate (50 ms); PSS counts shared "
        "pages once (sampled every 500 ms). More pool processes than the "
        "concurrency means `max-memory-per-child` replaced one after a task. "
        "CPU during the batch: the worker's processes (including pool processes "
        "replaced meanwhile) / every other process of the machine (PostgreSQL, "
        "Redis, this script and anything else running) / cores × wall time. "
        "Before each batch the script waits (≤ 5 min) until the machine is at "
        "most 15 % busy over 3 s: the machine is shared.\n"
    )


# --- Part 4 of this script: where the worker's memory goes --------------------------

MEMORY_VARIANTS = (
    "full",
    "recognitions",
    "units",
    "commendations",
    "localities",
    "pledges",
    "reviews",
    "quota",
    "wards",
)


def run_memory(sets: list[pc.DataSet]) -> dict:
    rows = []
    traced = {}
    for data_set in sets:
        variants = MEMORY_VARIANTS if data_set.label == "national" else ("full",)
        for variant in variants:
            pc.log(f"memory: {data_set.label}, {variant}")
            row = data_set.run(
                "pdf_memory",
                {
                    "requester": "bench-staff",
                    "data": pc.REPORT_DATA,
                    "variant": variant,
                },
            )
            row["label"] = data_set.label
            rows.append(row)
        if data_set.label == "national":
            pc.log("memory: national, tracemalloc")
            traced = data_set.run(
                "pdf_tracemalloc",
                {"requester": "bench-staff", "data": pc.REPORT_DATA, "top": 15},
            )
    return {"variants": rows, "tracemalloc": traced}


def report_memory(memory: dict) -> None:
    rows = memory["variants"]
    print("## Where the pool process's memory goes (one report per fresh process)\n")
    print(
        "Peak RSS (VmHWM) of a fresh process (Django set up, WeasyPrint "
        "imported) after `render_job_html` (queries, context, template) and after "
        '`render_pdf`; then the same with one kind of table (`<table class="data '
        '…">`) taken out of the final HTML, so that the difference is what '
        "WeasyPrint spends on those rows.\n"
    )
    full = {r["label"]: r for r in rows if r["variant"] == "full"}
    table_rows = []
    for r in rows:
        base = full[r["label"]]
        peak = r["end_kib"]["VmHWM"]
        saved = base["end_kib"]["VmHWM"] - peak
        table_rows.append(
            [
                r["label"],
                "whole report"
                if r["variant"] == "full"
                else f"without `{r['variant']}`",
                r["removed_rows"] or "–",
                f"{mib(r['before_kib']['VmHWM'])} MiB",
                f"{mib(r['after_html_kib']['VmHWM'])} MiB",
                f"**{mib(peak)} MiB**",
                "–" if r["variant"] == "full" else f"{mib(saved)} MiB",
                "–"
                if r["variant"] == "full" or not r["removed_rows"]
                else f"{saved / r['removed_rows']:.0f} KiB",
                r["pages"],
                f"{r['render_s']:.1f} s",
            ]
        )
    pc.table(
        [
            "data",
            "HTML",
            "table rows taken out",
            "after set-up + WeasyPrint import",
            "after `render_job_html`",
            "after `render_pdf` (peak)",
            "peak saved",
            "saved per row",
            "pages",
            "`render_pdf` time",
        ],
        table_rows,
    )
    traced = memory.get("tracemalloc")
    if traced:
        print(
            f"`tracemalloc` once the national summary is laid out "
            f"(`HTML(...).render()`, {traced['pages']} pages, before `write_pdf`): "
            f"{mib(traced['traced_kib'])} MiB of Python objects alive (peak "
            f"{mib(traced['traced_peak_kib'])} MiB), against the growth of the peak "
            "RSS from `render_job_html` to `render_pdf` in the table above (the "
            "rest: Pango, cairo, the allocator). By file, then by line (paths "
            "relative to `site-packages`):\n"
        )
        pc.table(
            ["allocated in", "MiB", "objects"],
            [
                [f"`{f['file']}`", mib(f["kib"]), f"{f['count']:,}"]
                for f in traced["by_file"]
            ],
        )
        pc.table(
            ["allocated at", "MiB", "objects"],
            [
                [f"`{f['where']}`", mib(f["kib"]), f"{f['count']:,}"]
                for f in traced["by_line"]
            ],
        )


# --- Main -----------------------------------------------------------------------------


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "_workers":
        print(json.dumps(run_workers(json.loads(sys.argv[2])), default=str))
        return 0
    args = parse_args()
    parts = ("build", "workers", "memory") if args.part == "all" else (args.part,)
    workdir, sets = pc.data_sets("bcd138_phase", sqlite=False)
    by_label = {s.label: s for s in sets}
    started = datetime.datetime.now(datetime.UTC)
    machine = pc.machine_rows()
    results: dict = {"started": f"{started:%Y-%m-%d %H:%M:%S}", "parts": parts}
    try:
        results["province_codes"] = pc.prepare_all(
            sets, reuse=args.reuse, batch_users=max(args.batch, 2)
        )
        results["data"] = {
            s.label: {"build": s.build, "seconds": s.built_seconds, "reused": s.reused}
            for s in sets
        }
        results["figures"] = {
            s.label: s.run("figures", {"phase": pc.PHASE, "as_of": pc.AS_OF})
            for s in sets
        }
        measured = [s for s in sets if not args.data or s.label in args.data]
        if "build" in parts:
            results["build"] = []
            for data_set in measured:
                pc.log(f"build: {data_set.label}")
                raw = data_set.run(
                    "build",
                    {
                        "label": data_set.label,
                        "runs": args.demo_runs
                        if data_set.label == "demo"
                        else args.runs,
                        "requester": "bench-staff",
                        "data": pc.REPORT_DATA,
                        "profile": args.profile,
                        "gc_collect": args.gc_collect,
                    },
                )
                raw["summary"] = summarise_build(raw)
                results["build"].append(raw)
        if "workers" in parts:
            results["workers"] = [workers_in_subprocess(s, args) for s in measured]
        if "memory" in parts:
            results["memory"] = run_memory(measured)
    finally:
        pc.cleanup(workdir, sets, keep=args.keep)
    results["finished"] = f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M:%S}"

    print("# Phase progress report (issue 9): build time, worker memory, workers\n")
    print(
        f"Run {results['started']} – {results['finished']} UTC; report "
        f"`{KIND}` {json.dumps(pc.REPORT_DATA)} asked by provincial staff "
        "(whole province); DEBUG off; PostgreSQL 127.0.0.1.\n"
    )
    pc.table(["machine", "value"], machine)
    report_data(results, by_label)
    verdicts = []
    if "build" in results:
        report_build(results["build"], results["figures"]["national"])
        verdicts += [r["summary"]["ratio"] <= BUILD_LIMIT for r in results["build"]]
        verdicts += [r["same_html_as_system"] for r in results["build"]]
    if "workers" in results:
        report_workers(results["workers"], args.batch)
        for workers in results["workers"]:
            s = workers["summary"]
            verdicts += [s["memory_ok"], s["speedup_ok"], s["not_done"] == 0]
    if "memory" in results:
        report_memory(results["memory"])
    print(
        "Exit status: "
        + ("0 (every requirement met)" if all(verdicts) else "1 (a requirement failed)")
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0 if all(verdicts) else 1


DATA_LABELS = {
    "demo": "demo (`seed_demo`)",
    "province": "national data, An Giang's report (as shipped)",
    "national": "national summary (34 provinces configured)",
}


def report_data(results: dict, by_label: dict) -> None:
    print("## Data\n")
    fig = results["figures"]
    labels = [label for label in DATA_LABELS if label in fig]
    rows = []
    for key, label in (
        ("provinces_2026", "provinces in force (2026)"),
        ("commune_level_2024", "commune-level units in force 30/06/2024"),
        ("registrations", "registrations (all years)"),
        ("workflow_steps", "registration workflow steps"),
        ("assessments", "assessments (units and ward police)"),
        ("answers", "answers"),
        ("recognitions", "recognitions"),
        ("commendations", "commendations"),
        ("pledges", "emulation pledges"),
        ("reviews", "reviews"),
    ):
        rows.append([label, *(f"{fig[name][key]:,}" for name in labels)])
    for key, label in (
        ("registrations_in_phase", "report: registrations 2023–2025 (listed)"),
        ("localities", "report: registering committees (rows)"),
        ("recognitions", "report: recognitions (rows listed of all)"),
        ("commendations", "report: commendations (rows listed of all)"),
        ("pledges", "report: pledges (rows listed of all)"),
        ("reviews", "report: reviews (rows)"),
        ("ward_share_rows", "report: city/town ward police rows"),
    ):
        values = []
        for name in labels:
            report = fig[name]["report"]
            value = f"{report[key]:,}"
            if key == "registrations_in_phase":
                value += f" ({report['units_listed']})"
            elif f"{key}_total" in report and report[f"{key}_total"] != report[key]:
                value += f" of {report[f'{key}_total']:,}"
            values.append(value)
        rows.append([label, *values])
    pc.table(["", *(DATA_LABELS[name] for name in labels)], rows)
    for label, info in results["data"].items():
        data_set = by_label[label]
        if not data_set.owner:
            continue
        how = (
            "reused (`--reuse`)"
            if info["reused"]
            else f"built in {info['seconds']:.1f} s"
        )
        print(f"* database {data_set.store}: {data_set.description}, {how}")
    print(
        "* national summary: `CAMPAIGN_PROVINCE_CODES="
        + ",".join(results["province_codes"][:4])
        + f",…` ({len(results['province_codes'])} codes: An Giang's 91 and 89 and "
        "the 33 synthetic provinces); the other two data sets run with the "
        "project's default (91,89)."
    )
    print()


if __name__ == "__main__":
    sys.exit(main())
