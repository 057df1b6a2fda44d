"""Benchmark: the dashboard (issue 9) — query count at demo and national
scale, CPU per request against a bare Django view.

Requirement (issue 9): "The dashboard runs a constant number of queries and
costs at most 8x a bare Django view's CPU per request at national scale."

The data sets of ``bench/phase_report.py`` (``bench/_phase_common.py``): the
demo (``manage.py seed_demo``) and the national data (34 provinces, about
3,300 commune-level units, 2,900 registrations 2023–2026 with their workflow
steps, 5,400 assessments, 1,300 recognitions…), the latter seen twice: with
the project's default ``CAMPAIGN_PROVINCE_CODES`` (An Giang: the other 33
provinces are in the tables but not in the figures) and with all 34
provinces configured (the national figures). PostgreSQL databases
``bcd138_dash_demo_bench`` and ``bcd138_dash_national_bench`` (127.0.0.1,
user postgres; dropped and created again, dropped at the end unless
``--keep``), or temporary SQLite files with ``--sqlite``. Every step runs in
a fresh child process (``bench/_phase_child.py``; ``bench.settings_bench``:
the project's settings and URLs plus ``/bench/bare/``), DEBUG off, as a
provincial staff member (a ``provincial_staff`` membership of today's
provincial committee), through Django's test ``Client``:

1. **probe** — the dashboard must answer 200; with ``--wait-minutes M`` the
   script asks again every ``--poll-seconds`` (120) while it does not.
2. **queries** — ``CaptureQueriesContext`` around GET ``/reports/dashboard/``
   ``?phase=2026-2030`` and ``?phase=2023-2025`` on each data set, **cold**
   (the cache emptied just before: the figures are counted), **warm** (the
   figures from the cache) and **stale** (a change recorded since: the kept
   figures shown, the refresh sent); a count that differs from the demo's
   is printed with the query shapes that changed.
3. **time** — on both national-scale data sets: 3 warm-up requests per case,
   then R rounds × N requests, the order rotating each round, of
   ``/bench/bare/`` (a view returning ``b"ok"`` behind the same middleware)
   and the dashboard, warm, stale and cold, for both phases. Per request: wall
   time, CPU time of the Django process (``time.process_time``) and, on
   PostgreSQL, of the database backend serving it
   (``/proc/<pg_backend_pid()>/schedstat``). Wall and process CPU: medians of
   the rounds' medians; backend CPU: its total ÷ all requests.
4. ``--profile K`` — cProfile of K cold requests of ``?phase=2026-2030``.

Verdict: the query counts equal on the three data sets, and the dashboard's
CPU per request (Django process + database backend) ≤ 8 × the bare view's
for ``?phase=2026-2030`` on both national-scale data sets, for the requests
users make: **warm** (the kept figures current) and **stale** (a change was
recorded since: the kept figures are shown, marked, and the worker is asked
to count them again). **cold** (the cache emptied: the figures counted in
the request, as happens once per page and scope after a deploy that empties
Redis, or for a page nobody opened for ``KEEP_SECONDS``) is measured and
printed for information.

As in production, the tasks go to Redis and the cache is shared in Redis
(``CELERY_BROKER_URL`` and ``CACHE_URL``: databases 11 and 10 of the local
server, emptied before and after; no worker consumes the refreshes).

Usage (from the project root):
    .venv/bin/python bench/dashboard.py [--rounds R] [--requests N] [--sqlite]
        [--profile K] [--wait-minutes M] [--keep] [--reuse] [--json PATH]
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _phase_common as pc  # noqa: E402

LIMIT = 8.0
BARE = "/bench/bare/"
DASHBOARD = "/reports/dashboard/"
PAGES = {
    "2026": f"{DASHBOARD}?phase=2026-2030",
    "2023": f"{DASHBOARD}?phase=2023-2025",
}
REQUIRED = "2026"  # the page of the requirement: today's phase
USER = "bench-staff"
# As in production: tasks sent to Redis, the cache shared in Redis (two
# databases of the local server, emptied before and after).
BROKER_URL = "redis://127.0.0.1:6379/11"
CACHE_URL = "redis://127.0.0.1:6379/10"
SERVICES = {"CELERY_BROKER_URL": BROKER_URL, "CACHE_URL": CACHE_URL}
MODES = ("warm", "stale", "cold")
JUDGED = ("warm", "stale")  # cold: for information (see the docstring)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--requests", type=int, default=30, help="per case and round")
    parser.add_argument("--sqlite", action="store_true", help="SQLite, not PostgreSQL")
    parser.add_argument("--wait-minutes", type=float, default=0)
    parser.add_argument("--poll-seconds", type=float, default=120)
    parser.add_argument(
        "--profile", type=int, default=0, metavar="K", help="cProfile K cold requests"
    )
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--json", type=Path)
    return parser.parse_args()


def _normalised(sql: str) -> str:
    sql = re.sub(r"'[^']*'", "'S'", sql)
    sql = re.sub(r"\b\d+\b", "N", sql)
    return re.sub(r"IN \((?:N, )*N\)", "IN (…)", sql)


def growth(small: list[str], large: list[str]) -> list[dict]:
    """The query shapes (literals and IN lists folded) run more or less often."""
    a, b = Counter(map(_normalised, small)), Counter(map(_normalised, large))
    return [
        {"before": a[s], "after": b[s], "sql": s[:400]}
        for s in sorted(set(a) | set(b))
        if a[s] != b[s]
    ]


def wait_for_pages(sets: list[pc.DataSet], args) -> list[dict]:
    """Probe every data set until every page answers 200 or the wait ends."""
    probes = []
    deadline = time.monotonic() + args.wait_minutes * 60
    paths = {"bare": BARE, **PAGES}
    while True:
        found = {s.label: s.run("probe", {"user": USER, "paths": paths}) for s in sets}
        at = datetime.datetime.now(datetime.UTC).strftime("%H:%M:%S")
        probes.append({"at": at, "found": found})
        missing = [
            f"{label} {name}: {v['status']} {v['error'][:120]}"
            for label, pages in found.items()
            for name, v in pages.items()
            if v["status"] != 200
        ]
        if not missing or time.monotonic() >= deadline:
            return probes
        pc.log("waiting for: " + "; ".join(missing))
        time.sleep(max(0.0, min(args.poll_seconds, deadline - time.monotonic())))


def summarise(timing: dict) -> dict:
    """Medians of the rounds' medians (wall, process CPU); the database
    backend's CPU as its total over all rounds ÷ all requests (10 ms ticks:
    a per-round median would be mostly 0 or 1 tick)."""
    medians = {}
    for name, series in timing["rounds"].items():
        m = {kind: statistics.median(series[kind]) for kind in ("wall", "cpu")}
        m["db_cpu"] = sum(series["db_cpu_total"]) / sum(series["n"])
        m["total_cpu"] = m["cpu"] + m["db_cpu"]
        medians[name] = m
    bare = medians["bare"]
    ratios = {
        name: {
            "cpu": m["cpu"] / bare["cpu"],
            "total_cpu": m["total_cpu"] / bare["total_cpu"],
            "wall": m["wall"] / bare["wall"],
        }
        for name, m in medians.items()
        if name != "bare"
    }
    return {"medians": medians, "ratios": ratios}


TIMED = ("province", "national")  # the national-scale data sets


def flush_services() -> None:
    """Empty the benchmark's broker and cache databases (the refreshes sent
    by the stale requests are never consumed: there is no worker)."""
    import redis

    for url in (BROKER_URL, CACHE_URL):
        redis.Redis.from_url(url).flushdb()


def main() -> int:
    args = parse_args()
    workdir, sets = pc.data_sets("bcd138_dash", sqlite=args.sqlite)
    by_label = {s.label: s for s in sets}
    results: dict = {
        "started": f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M:%S}",
        "machine": pc.machine_rows(),
    }
    try:
        results["province_codes"] = pc.prepare_all(
            sets, reuse=args.reuse, batch_users=0
        )
        results["figures"] = {
            s.label: s.run("figures", {"phase": "2026-2030", "as_of": "today"})
            for s in sets
        }
        results["probes"] = wait_for_pages(sets, args)
        last = results["probes"][-1]["found"]
        available = sorted(
            name
            for name in PAGES
            if all(last[s.label][name]["status"] == 200 for s in sets)
        )
        results["available"] = available
        pages = {name: PAGES[name] for name in available}
        if pages:
            flush_services()
            results["queries"] = {
                s.label: s.run(
                    "dashboard_queries", {"user": USER, "paths": pages}, env=SERVICES
                )
                for s in sets
            }
            cases = {"bare": BARE}
            for name, path in pages.items():
                for mode in MODES:
                    cases[f"{name}:{mode}"] = path
            results["time"] = {}
            results["summary"] = {}
            for label in TIMED:
                pc.log(f"timing ({label})")
                flush_services()
                results["time"][label] = by_label[label].run(
                    "dashboard_time",
                    {
                        "user": USER,
                        "cases": cases,
                        "rounds": args.rounds,
                        "requests": args.requests,
                    },
                    env=SERVICES,
                )
                results["summary"][label] = summarise(results["time"][label])
            if args.profile and REQUIRED in pages:
                results["profile"] = {}
                for label in TIMED:
                    pc.log(f"profile ({label}, cold)")
                    results["profile"][label] = by_label[label].run(
                        "dashboard_profile",
                        {"user": USER, "path": pages[REQUIRED], "count": args.profile},
                        env=SERVICES,
                    )
    finally:
        flush_services()
        pc.cleanup(workdir, sets, keep=args.keep)
    results["finished"] = f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M:%S}"
    verdicts = report(results, sets, args)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0 if verdicts and all(verdicts) else 1


DATA_LABELS = {
    "demo": "demo (`seed_demo`)",
    "province": "national data, An Giang configured (as shipped)",
    "national": "national data, 34 provinces configured",
}


def report(results: dict, sets: list[pc.DataSet], args) -> list[bool]:
    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.2f}"

    print("# Dashboard (issue 9): queries and CPU per request\n")
    print(
        f"Run {results['started']} – {results['finished']} UTC; "
        f"{sets[0].description}; DEBUG off; as `{USER}` (provincial staff); "
        "Django test `Client`, `bench.settings_bench` (the project's settings "
        "and URLs plus `/bench/bare/`); as in production, the cache shared in "
        f"Redis (`CACHE_URL={CACHE_URL}`) and the tasks sent to Redis "
        f"(`CELERY_BROKER_URL={BROKER_URL}`, no worker); "
        "`DASHBOARD_CACHE_SECONDS` 300.\n"
    )
    pc.table(["machine", "value"], results["machine"])
    fig = results["figures"]
    labels = [label for label in DATA_LABELS if label in fig]
    print("## Data\n")
    rows = []
    for key, label in (
        ("provinces_2026", "provinces in force (2026)"),
        ("commune_level_2026", "commune-level units in force 30/06/2026"),
        ("registrations", "registrations (all years)"),
        ("workflow_steps", "registration workflow steps"),
        ("assessments", "assessments"),
        ("answers", "answers"),
        ("recognitions", "recognitions"),
    ):
        rows.append([label, *(f"{fig[name][key]:,}" for name in labels)])
    rows.append(
        [
            "phase 2026–2030 as of today: registrations counted",
            *(f"{fig[name]['report']['registrations_in_phase']:,}" for name in labels),
        ]
    )
    pc.table(["", *(DATA_LABELS[name] for name in labels)], rows)
    print(
        f"The national data set runs with `CAMPAIGN_PROVINCE_CODES` = its "
        f"{len(results['province_codes'])} province codes; the other two with the "
        "project's default (91,89).\n"
    )
    verdicts: list[bool] = []
    missing = [name for name in PAGES if name not in results.get("available", [])]
    if missing:
        last = results["probes"][-1]
        print(
            f"**Not measured**: {', '.join(PAGES[m] for m in missing)} did not "
            f"answer 200 by {last['at']} UTC "
            f"({len(results['probes'])} probes over ≤ {args.wait_minutes:.0f} min): "
            + json.dumps(last["found"])[:800]
            + "\n"
        )
        verdicts.append(False)
    queries = results.get("queries")
    if queries:
        print("## Queries (`CaptureQueriesContext`)\n")
        rows = []
        for key in queries["demo"]:
            counts = [queries[label][key]["queries"] for label in labels]
            same = len(set(counts)) == 1
            verdicts.append(same)
            name, mode = key.split(":")
            rows.append(
                [
                    f"`{PAGES[name]}`",
                    mode,
                    *(
                        f"**{queries[label][key]['queries']}** "
                        f"({ms(queries[label][key]['sql_seconds'])} ms SQL, "
                        f"{queries[label][key]['bytes']:,} B)"
                        for label in labels
                    ),
                    "**yes**" if same else "**NO**",
                ]
            )
        pc.table(
            ["page", "cache", *(DATA_LABELS[label] for label in labels), "same count"],
            rows,
        )
        for key in queries["demo"]:
            for label in labels[1:]:
                if queries[label][key]["queries"] == queries["demo"][key]["queries"]:
                    continue
                for g in growth(
                    queries["demo"][key]["sql"], queries[label][key]["sql"]
                ):
                    print(
                        f"* {key}, demo → {label}: {g['before']} → {g['after']} × "
                        f"`{g['sql'][:300]}`"
                    )
        print(
            "cold = the cache emptied just before the request, so the figures are "
            "counted (the target engine, a pass over the phase's registrations); "
            "warm = the same request again, the figures, the localities and the "
            "waiting counts from the cache; stale = a change recorded since "
            "(an audit entry): the kept parts are shown, marked with the time "
            "they were counted, and the refresh is sent to the broker. SQL time "
            "as Django's debug cursor measures it (client side).\n"
        )
        national = queries.get("national", {})
        for key in (f"{REQUIRED}:cold",):
            if key in national:
                print(f"Slowest queries, `{PAGES[REQUIRED]}` cold, national:\n")
                for q in national[key]["slowest"]:
                    print(f"* {ms(q['s'])} ms: `{q['sql'][:260]}`")
                print()
    summary = results.get("summary")
    if summary:
        print("## CPU per request at national scale (interleaved)\n")
        labels_case = {"bare": f"GET `{BARE}` (baseline)"}
        for name, path in PAGES.items():
            labels_case[f"{name}:warm"] = f"`{path}`, warm (kept and current)"
            labels_case[f"{name}:stale"] = (
                f"`{path}`, stale (a change since: kept parts shown, refresh sent)"
            )
            labels_case[f"{name}:cold"] = (
                f"`{path}`, cold (cache emptied: counted in the request)"
            )
        for label in TIMED:
            if label not in summary:
                continue
            print(f"### {DATA_LABELS[label]}\n")
            rows = []
            for name, m in summary[label]["medians"].items():
                r = summary[label]["ratios"].get(name)
                rows.append(
                    [
                        labels_case[name],
                        ms(m["wall"]),
                        ms(m["cpu"]),
                        ms(m["db_cpu"]),
                        ms(m["total_cpu"]),
                        "–" if r is None else f"{r['cpu']:.2f}",
                        "–" if r is None else f"**{r['total_cpu']:.2f}**",
                        "–" if r is None else f"{r['wall']:.2f}",
                    ]
                )
            pc.table(
                [
                    "request",
                    "wall (ms)",
                    "CPU, Django process (ms)",
                    "CPU, database backend (ms)",
                    "CPU, total (ms)",
                    "÷ bare: Django CPU",
                    "**÷ bare: total CPU**",
                    "÷ bare: wall",
                ],
                rows,
            )
            for mode in MODES:
                name = f"{REQUIRED}:{mode}"
                ratio = summary[label]["ratios"].get(name)
                if ratio is None:
                    continue
                ok = ratio["total_cpu"] <= LIMIT
                judged = mode in JUDGED
                if judged:
                    verdicts.append(ok)
                verdict = ("PASS" if ok else "FAIL") if judged else "for information"
                print(
                    f"* **{labels_case[name]}**: total CPU ÷ bare = "
                    f"**{ratio['total_cpu']:.2f}** (Django process only: "
                    f"{ratio['cpu']:.2f}), limit {LIMIT:g}: **{verdict}**"
                )
            print()
        print(
            f"{args.rounds} rounds × {args.requests} requests per case after 3 "
            "warm-up requests, the order rotating each round; wall and Django "
            "CPU: medians of the rounds' medians; database backend CPU (the time "
            "on the CPU of the PostgreSQL process serving the connection, from "
            "`/proc/<pid>/schedstat`): its total over all rounds ÷ all requests "
            "(0 on SQLite, whose work is in the Django process).\n"
        )
    for label, profile in results.get("profile", {}).items():
        print(
            f"## cProfile: {profile['count']} cold requests of `{profile['path']}`, "
            f"{DATA_LABELS[label]}\n\n```\n{profile['profile'].strip()}\n```\n"
        )
    print(
        "Exit status: "
        + ("0 (PASS)" if verdicts and all(verdicts) else "1 (FAIL or not measured)")
    )
    return verdicts


if __name__ == "__main__":
    sys.exit(main())
