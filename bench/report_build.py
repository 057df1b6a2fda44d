"""Benchmark: building the area report vs WeasyPrint alone, in the same process.

Requirement: "Building the area report: total time <= 1.3x the time WeasyPrint
alone takes on the same final HTML, measured in the same run."

For each date (default 2023-06-30, the largest report at 7 pages, and
2025-07-02) the script:

1. warms up once (one full job run and one bare render);
2. for N runs, on a fresh pending ``ReportJob`` row, times
   * **total**: ``reporting.services.report_job_run`` (claim, lease renewals,
     selector, template, PDF, store the file, finish), and
   * **WeasyPrint alone**: ``reporting.pdf.render_pdf(html)`` on the exact same
     final HTML, obtained with ``reporting.documents.render_job_html`` for the job's
     params and issue date (checked once to be identical to the HTML the job
     rendered);
   alternating which of the two goes first, so drift affects both;
3. prints a Markdown table of medians and the ratio total / WeasyPrint alone,
   with PASS/FAIL against 1.3, and how much of each time was Python's cyclic
   garbage collector (measured with ``gc.callbacks``).

By default the garbage collector runs as it does in a worker (no explicit
collection). ``--gc-collect`` calls ``gc.collect()`` before every timed call:
less noise, but it hides the collector's cost that a real worker pays.

The jobs and their files are deleted at the end. No broker is used: the
service is called directly, as the Celery task does.

Usage (from the project root):
    .venv/bin/python bench/report_build.py [N] [--as-of 2023-06-30 ...]
        [--gc-collect] [--profile K] [--json FILE]
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402

LIMIT = 1.3
DEFAULT_DATES = ("2023-06-30", "2025-07-02")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "runs", nargs="?", type=int, default=10, help="timed runs per date (default 10)"
    )
    parser.add_argument(
        "--as-of", action="append", dest="dates", help="report date (repeatable)"
    )
    parser.add_argument(
        "--gc-collect",
        action="store_true",
        help="gc.collect() before every timed call (default: the collector runs freely)",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="K",
        help="cProfile K extra job runs of the first date; print the top functions",
    )
    parser.add_argument(
        "--json", type=Path, help="also write the results as JSON to this file"
    )
    args = parser.parse_args()
    if not 1 <= args.runs <= 200:
        parser.error("runs must be between 1 and 200")
    if not 0 <= args.profile <= 50:
        parser.error("--profile must be between 0 and 50")
    args.dates = args.dates or list(DEFAULT_DATES)
    return args


class GcMeter:
    """Total time spent in the cyclic garbage collector, via ``gc.callbacks``."""

    def __init__(self) -> None:
        self.total = 0.0
        self.gen2 = 0
        self._start = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._start
            self.gen2 += info["generation"] == 2


@dataclass
class Timing:
    wall: float
    cpu: float
    gc: float
    gen2: int
    inner_pdf: float = 0.0  # for a job run: the time spent inside render_pdf


def main() -> int:
    args = parse_args()
    env = _common.configure(broker=False)
    import django

    django.setup()

    from django.utils import timezone

    from reporting import documents, services
    from reporting import pdf as pdf_module
    from reporting.choices import ReportStatus
    from reporting.kinds import get_kind
    from reporting.models import ReportJob
    from reporting.pdf import render_pdf

    user = _common.bench_user()
    created: list[int] = []
    meter = GcMeter()

    def new_job(as_of: str) -> ReportJob:
        # What services.report_request records, without sending a message.
        params = get_kind(_common.KIND).clean(
            data={"as_of": as_of, "language": "vi"}, user=user
        )
        job = ReportJob.objects.create(
            kind=_common.KIND,
            params=params,
            requested_by=user,
            enqueued_at=timezone.now(),
        )
        created.append(job.pk)
        return job

    def final_html(job: ReportJob) -> str:
        return documents.render_job_html(job, job.requested_by)

    def timed(call) -> tuple[Timing, object]:
        if args.gc_collect:
            gc.collect()
        gc0, gen2_0 = meter.total, meter.gen2
        cpu0, t0 = time.process_time(), time.perf_counter()
        value = call()
        t1, cpu1 = time.perf_counter(), time.process_time()
        return Timing(
            t1 - t0, cpu1 - cpu0, meter.total - gc0, meter.gen2 - gen2_0
        ), value

    def timed_total(job: ReportJob) -> tuple[Timing, ReportJob]:
        # report_job_run imports render_pdf from reporting.pdf at call time: a
        # thin wrapper there splits the job's time into WeasyPrint and the rest.
        inner: list[float] = []

        def render_pdf_timed(html: str, **options) -> bytes:
            t0 = time.perf_counter()
            try:
                return render_pdf(html, **options)
            finally:
                inner.append(time.perf_counter() - t0)

        pdf_module.render_pdf = render_pdf_timed
        try:
            timing, done = timed(lambda: services.report_job_run(job_id=job.pk))
        finally:
            pdf_module.render_pdf = render_pdf
        if done is None or done.status != ReportStatus.DONE:
            raise RuntimeError(f"job {job.pk} did not finish: {done and done.error}")
        timing.inner_pdf = sum(inner)
        return timing, done

    def timed_alone(html: str) -> tuple[Timing, bytes]:
        return timed(lambda: render_pdf(html))

    def run_capturing_html(job: ReportJob) -> list[str]:
        """Run the job once, returning the HTML(s) it rendered."""
        captured: list[str] = []
        original = documents.render_job_html

        def capturing(*args, **kwargs):
            html = original(*args, **kwargs)
            captured.append(html)
            return html

        documents.render_job_html = capturing
        try:
            timed_total(job)
        finally:
            documents.render_job_html = original
        return captured

    gc_mode = (
        "`gc.collect()` before every timed call"
        if args.gc_collect
        else "garbage collector running freely, as in a worker"
    )
    print("# Report build benchmark (`bench/report_build.py`)\n")
    print(
        f"Run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M:%S} UTC; "
        f"{args.runs} timed runs per date after 1 warm-up, interleaved; in-process; "
        f"{gc_mode}; database {env['DATABASE_URL']}, no broker (service called "
        "directly).\n"
    )
    _common.print_machine_info()

    results = []
    profile_text = ""
    try:
        for as_of in args.dates:
            # Warm-up, and check that the HTML timed alone is the job's own HTML.
            job = new_job(as_of)
            captured = run_capturing_html(job)
            html = final_html(job)
            if captured != [html]:
                raise RuntimeError(
                    "the HTML timed alone differs from the job's own: "
                    "cannot compare like with like"
                )
            timed_alone(html)

            totals: list[Timing] = []
            alones: list[Timing] = []
            htmls: list[float] = []
            for run in range(args.runs):
                job = new_job(as_of)
                t0 = time.perf_counter()
                html = final_html(job)
                htmls.append(time.perf_counter() - t0)
                if run % 2 == 0:
                    total, done = timed_total(job)
                    alone, pdf = timed_alone(html)
                else:
                    alone, pdf = timed_alone(html)
                    total, done = timed_total(job)
                totals.append(total)
                alones.append(alone)
                print(
                    f"  {as_of} run {run + 1:>2}/{args.runs}: "
                    f"total {_common.ms(total.wall)} ms (gc {_common.ms(total.gc)}), "
                    f"WeasyPrint alone {_common.ms(alone.wall)} ms "
                    f"(gc {_common.ms(alone.gc)})",
                    file=sys.stderr,
                )
            results.append(summarise(as_of, totals, alones, htmls, html, done, pdf))
        if args.profile:
            profile_text = profile_runs(args.profile, args.dates[0], new_job)
    finally:
        deleted = _common.delete_jobs(created)
        _common.remove_temp_dirs()

    print_table(results)
    print(f"\nCleaned up: {deleted} report jobs and their files deleted.")
    if profile_text:
        print(profile_text)

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "env": env,
                    "gc_collect": args.gc_collect,
                    "limit": LIMIT,
                    "results": results,
                },
                indent=2,
            )
        )
    return 0 if all(r["ratio"] <= LIMIT for r in results) else 1


def summarise(as_of, totals, alones, htmls, html, done, pdf) -> dict:
    med = _common.median
    total_wall = med([t.wall for t in totals])
    alone_wall = med([a.wall for a in alones])
    return {
        "as_of": as_of,
        "runs": len(totals),
        "html_chars": len(html),
        "pdf_bytes": done.file_size,
        "pdf_bytes_alone": len(pdf),
        "total_median_s": total_wall,
        "total_min_s": min(t.wall for t in totals),
        "alone_median_s": alone_wall,
        "alone_min_s": min(a.wall for a in alones),
        "ratio": total_wall / alone_wall,
        "paired_ratio_median": med(
            [t.wall / a.wall for t, a in zip(totals, alones, strict=True)]
        ),
        "cpu_ratio": med([t.cpu for t in totals]) / med([a.cpu for a in alones]),
        "ratio_excluding_gc": med([t.wall - t.gc for t in totals])
        / med([a.wall - a.gc for a in alones]),
        "outside_pdf_median_s": med([t.wall - t.inner_pdf for t in totals]),
        "outside_pdf_share": med([(t.wall - t.inner_pdf) / t.wall for t in totals]),
        "total_gc_median_s": med([t.gc for t in totals]),
        "alone_gc_median_s": med([a.gc for a in alones]),
        "total_gen2": sum(t.gen2 for t in totals),
        "alone_gen2": sum(a.gen2 for a in alones),
        "render_html_median_s": med(htmls),
        "totals_s": [t.wall for t in totals],
        "alones_s": [a.wall for a in alones],
        "totals_gc_s": [t.gc for t in totals],
        "alones_gc_s": [a.gc for a in alones],
    }


def print_table(results: list[dict]) -> None:
    ms = _common.ms
    print(
        "| as of | HTML → PDF | runs | total `report_job_run` median (min) | "
        "WeasyPrint alone `render_pdf` median (min) | **ratio total / alone** | "
        "paired ratio median | CPU-time ratio | ratio without GC time | "
        "GC in total / in alone (median) | "
        "job time outside `render_pdf` (median) | "
        "`render_html` median | verdict (≤ 1.3) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        verdict = "PASS" if r["ratio"] <= LIMIT else "FAIL"
        print(
            f"| {r['as_of']} | {r['html_chars']:,} chars → {r['pdf_bytes']:,} B "
            f"| {r['runs']} "
            f"| {ms(r['total_median_s'])} ms ({ms(r['total_min_s'])}) "
            f"| {ms(r['alone_median_s'])} ms ({ms(r['alone_min_s'])}) "
            f"| **{r['ratio']:.3f}** | {r['paired_ratio_median']:.3f} "
            f"| {r['cpu_ratio']:.3f} | {r['ratio_excluding_gc']:.3f} "
            f"| {ms(r['total_gc_median_s'])} / {ms(r['alone_gc_median_s'])} ms "
            f"| {ms(r['outside_pdf_median_s'])} ms ({r['outside_pdf_share']:.1%}) "
            f"| {ms(r['render_html_median_s'])} ms | **{verdict}** |"
        )
    print()
    print(
        "total = claim + selector + template + PDF + store + finish, on one fresh "
        "pending ReportJob per run; WeasyPrint alone = `render_pdf` on the same final "
        "HTML. Ratio = median total / median alone; paired ratio = median of the "
        "per-run ratios; CPU-time ratio = the same with this process's CPU time "
        "(`time.process_time`, excludes PostgreSQL's own work); GC = time inside "
        "Python's cyclic garbage collector during the call; ratio without GC time = "
        "median (total − its GC) / median (alone − its GC), which removes the noise "
        "of where the collector's full collections happen to land; job time outside "
        "`render_pdf` = total minus the time the job itself spent in `render_pdf` "
        "(claim, lease renewals, selector, template, storing, finishing), the part "
        "the requirement bounds, measured directly."
    )


def profile_runs(count: int, as_of: str, new_job) -> str:
    import cProfile
    import io
    import pstats

    from reporting import services

    profiler = cProfile.Profile()
    for _ in range(count):
        job = new_job(as_of)
        profiler.enable()
        services.report_job_run(job_id=job.pk)
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(40)
    return (
        f"\n## cProfile of {count} `report_job_run` calls ({as_of}), "
        f"top 40 by cumulative time\n\n```\n{out.getvalue().strip()}\n```"
    )


if __name__ == "__main__":
    sys.exit(main())
