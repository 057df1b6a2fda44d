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
     final HTML, obtained with ``reporting.documents.render_html`` for the job's
     params and issue date (checked once to be identical to the HTML the job
     rendered);
   alternating which of the two goes first, so drift affects both;
3. prints a Markdown table of medians and the ratio total / WeasyPrint alone,
   with PASS/FAIL against 1.3.

The jobs and their files are deleted at the end. No broker is used: the
service is called directly, as the Celery task does.

Usage (from the project root):
    .venv/bin/python bench/report_build.py [N] [--as-of 2023-06-30 ...] [--profile K]
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import sys
import time
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
        "--profile",
        type=int,
        default=0,
        metavar="K",
        help="after the timing, cProfile K extra job runs of the first date and print the top functions",
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


def main() -> int:
    args = parse_args()
    env = _common.configure(broker=False)
    import django

    django.setup()

    from django.utils import timezone

    from reporting import documents, services
    from reporting.choices import ReportStatus
    from reporting.models import ReportJob
    from reporting.pdf import render_pdf

    user = _common.bench_user()
    created: list[int] = []

    def new_job(as_of: str) -> ReportJob:
        # What services.report_request records, without sending a message.
        params = documents.clean_params(_common.KIND, {"as_of": as_of})
        job = ReportJob.objects.create(
            kind=_common.KIND,
            params={**params, "language": "vi"},
            requested_by=user,
            enqueued_at=timezone.now(),
        )
        created.append(job.pk)
        return job

    def final_html(job: ReportJob) -> str:
        return documents.render_html(
            kind=job.kind,
            params=job.params,
            issued_on=timezone.localdate(job.created_at),
        )

    def timed_total(job: ReportJob) -> tuple[float, float, ReportJob]:
        gc.collect()
        cpu0, t0 = time.process_time(), time.perf_counter()
        done = services.report_job_run(job_id=job.pk)
        t1, cpu1 = time.perf_counter(), time.process_time()
        if done is None or done.status != ReportStatus.DONE:
            raise RuntimeError(f"job {job.pk} did not finish: {done and done.error}")
        return t1 - t0, cpu1 - cpu0, done

    def timed_alone(html: str) -> tuple[float, float, int]:
        gc.collect()
        cpu0, t0 = time.process_time(), time.perf_counter()
        pdf = render_pdf(html)
        t1, cpu1 = time.perf_counter(), time.process_time()
        return t1 - t0, cpu1 - cpu0, len(pdf)

    print("# Report build benchmark (`bench/report_build.py`)\n")
    print(
        f"Run {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M:%S %z}; "
        f"{args.runs} timed runs per date after 1 warm-up; in-process, "
        f"database {env['DATABASE_URL']}, no broker (service called directly).\n"
    )
    _common.print_machine_info()

    results = []
    profile_text = ""
    try:
        for as_of in args.dates:
            # Warm-up, and check that the HTML timed alone is the job's own HTML.
            job = new_job(as_of)
            captured: list[str] = []
            original = documents.render_html

            def capturing(**kwargs):
                html = original(**kwargs)
                captured.append(html)
                return html

            documents.render_html = capturing
            try:
                timed_total(job)
            finally:
                documents.render_html = original
            html = final_html(job)
            if captured != [html]:
                raise RuntimeError(
                    "render_html is not deterministic: cannot compare like with like"
                )
            timed_alone(html)

            totals, alones, htmls = [], [], []
            cpu_totals, cpu_alones = [], []
            pdf_size = 0
            for run in range(args.runs):
                job = new_job(as_of)
                gc.collect()
                t0 = time.perf_counter()
                html = final_html(job)
                htmls.append(time.perf_counter() - t0)
                if run % 2 == 0:
                    total, cpu_total, done = timed_total(job)
                    alone, cpu_alone, pdf_size = timed_alone(html)
                else:
                    alone, cpu_alone, pdf_size = timed_alone(html)
                    total, cpu_total, done = timed_total(job)
                totals.append(total)
                alones.append(alone)
                cpu_totals.append(cpu_total)
                cpu_alones.append(cpu_alone)
                print(
                    f"  {as_of} run {run + 1:>2}/{args.runs}: total {_common.ms(total)} ms, "
                    f"WeasyPrint alone {_common.ms(alone)} ms",
                    file=sys.stderr,
                )
            med_total, med_alone = _common.median(totals), _common.median(alones)
            results.append(
                {
                    "as_of": as_of,
                    "runs": args.runs,
                    "html_chars": len(html),
                    "pdf_bytes": done.file_size,
                    "pdf_bytes_alone": pdf_size,
                    "total_median_s": med_total,
                    "total_min_s": min(totals),
                    "alone_median_s": med_alone,
                    "alone_min_s": min(alones),
                    "ratio": med_total / med_alone,
                    "paired_ratio_median": _common.median(
                        [t / a for t, a in zip(totals, alones, strict=True)]
                    ),
                    "cpu_total_median_s": _common.median(cpu_totals),
                    "cpu_alone_median_s": _common.median(cpu_alones),
                    "cpu_ratio": _common.median(cpu_totals)
                    / _common.median(cpu_alones),
                    "render_html_median_s": _common.median(htmls),
                    "totals_s": totals,
                    "alones_s": alones,
                }
            )
        if args.profile:
            profile_text = profile_runs(args.profile, args.dates[0], new_job)
    finally:
        deleted = _common.delete_jobs(created)
        _common.remove_temp_dirs()

    print(
        "| as of | HTML | PDF | runs | total `report_job_run` median (min) | "
        "WeasyPrint alone `render_pdf` median (min) | ratio total / alone | "
        "paired ratio median | CPU ratio | `render_html` median | verdict (≤ 1.3) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        verdict = "PASS" if r["ratio"] <= LIMIT else "FAIL"
        print(
            f"| {r['as_of']} | {r['html_chars']:,} chars | {r['pdf_bytes']:,} B | {r['runs']} "
            f"| {_common.ms(r['total_median_s'])} ms ({_common.ms(r['total_min_s'])}) "
            f"| {_common.ms(r['alone_median_s'])} ms ({_common.ms(r['alone_min_s'])}) "
            f"| **{r['ratio']:.3f}** | {r['paired_ratio_median']:.3f} | {r['cpu_ratio']:.3f} "
            f"| {_common.ms(r['render_html_median_s'])} ms | **{verdict}** |"
        )
    print()
    print(
        "total = claim + selector + template + PDF + store + finish (one fresh pending "
        "ReportJob per run); WeasyPrint alone = `render_pdf` on the same final HTML. "
        "Ratio = median total / median alone; paired ratio = median of per-run ratios; "
        "CPU ratio = the same with this process's CPU time (`time.process_time`)."
    )
    print(f"\nCleaned up: {deleted} report jobs and their files deleted.")

    if profile_text:
        print(profile_text)

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({"env": env, "limit": LIMIT, "results": results}, indent=2)
        )
    return 0 if all(r["ratio"] <= LIMIT for r in results) else 1


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
        f"\n## cProfile of {count} `report_job_run` calls ({as_of}), top 40 by cumulative time\n\n"
        f"```\n{out.getvalue().strip()}\n```"
    )


if __name__ == "__main__":
    sys.exit(main())
