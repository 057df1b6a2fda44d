"""CPU per request of the assessment and reporting pages against a bare Django
view (issue 11 item 3, "pages that cost little"), and their profiles.

Target: every page ≤ 6 × the bare view's CPU per request (this process + the
PostgreSQL backend) at national scale, and national-scale CPU ≤ 1.25 × the
demo's.

Data: two throw-away PostgreSQL databases on 127.0.0.1, built by the data sets
of ``bench/_phase_common.py`` (``build``): ``bcd138_e_demo_bench``
(``migrate`` + ``seed_demo``) and ``bcd138_e_national_bench`` (the national
data of ``bench/_phase_child.py``: 34 provinces, about 3,300 commune-level
units, their ward police and registrations, assessments, awards), the latter
read with every province configured (``CAMPAIGN_PROVINCE_CODES``).

(The national data hold about 2,900 registrations, not the 20,000 of issue
11: the final benchmark's data set is ``bench/national_data.py``'s.)

Personas: ``staff`` — ``bench-staff``, provincial staff of today's
provincial committee; ``officer`` — ``bench-officer-e``, local officer of the
committee of an assessment it can still answer (a draft or returned one of a
committee in force; if there is none, a submitted one is returned to it with
``services.assessment_return`` — the database is a throw-away). Each persona
opens its own assessment page: staff a submitted assessment (verification
buttons), the officer its draft or returned one (the answer form).

Measures, in this process through Django's test ``Client``
(``bench.settings_bench``: the project's settings and URLs plus
``/bench/bare/``; DEBUG off; the cache in Redis as in production):

* ``queries`` — the number of queries of each page and persona.
* ``time`` — 3 warm-up requests per case, then R rounds × N requests, the order
  rotating each round; per request the CPU of this process
  (``time.process_time``) and of the PostgreSQL backend serving the
  connection (``/proc/<pg_backend_pid()>/schedstat``); medians of the rounds'
  medians (the backend: its total ÷ the requests), ratios to the bare view.
* ``profile`` — cProfile over K requests of one page (cumulative and own time).
* ``loop`` — K requests of one page and nothing else, to sample with py-spy
  (its overhead does not grow with the number of small calls, as cProfile's
  does with the template engine's).

Usage (from the project root):

    .venv/bin/python bench/_profile_pages_e.py build {demo|national}
    .venv/bin/python bench/_profile_pages_e.py queries {demo|national}
    .venv/bin/python bench/_profile_pages_e.py time {demo|national} \\
        [--rounds 5] [--requests 10] [--pages a,b] [--json PATH]
    .venv/bin/python bench/_profile_pages_e.py profile {demo|national} \\
        --page assessment --persona officer [--count 30] [--lines 40]
    py-spy record -r 500 -f raw -o /tmp/stacks.txt -- .venv/bin/python \\
        bench/_profile_pages_e.py loop national --page progress --count 300
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

DATABASES = {"demo": "bcd138_e_demo_bench", "national": "bcd138_e_national_bench"}
CACHE_URL = "redis://127.0.0.1:6379/0"
WORKDIR = Path("/tmp/bench-profile-pages-e")
STAFF = "bench-staff"
OFFICER = "bench-officer-e"
BARE = "/bench/bare/"
# Page name -> path; "{assessment}" is the persona's own assessment.
PAGES = {
    "assessment": "/assessments/{assessment}/",
    "assessment_list": "/assessments/",
    "progress": "/progress/",
    "progress_2023": "/progress/?phase=2023-2025",
    "dashboard": "/reports/dashboard/",
    "report_list": "/reports/",
}
PERSONAS = ("staff", "officer")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _data_set(which: str):
    import _phase_common as pc

    WORKDIR.mkdir(parents=True, exist_ok=True)
    return pc.DataSet(label=which, store=which, name=DATABASES[which], workdir=WORKDIR)


def build(which: str) -> None:
    """Drop, create and fill the data set's database; the users."""
    data_set = _data_set(which)
    data_set.prepare(reuse=False)
    if which == "national":
        codes = data_set.run("province_codes")["codes"]
        ordered = ["91", "89", *(c for c in codes if c not in ("91", "89"))]
        (WORKDIR / "province_codes.txt").write_text(",".join(ordered))
    data_set.run("users", {"count": 0})
    log(f"{which}: built in {data_set.built_seconds:.1f} s")


def configure(which: str) -> None:
    """The environment of ``bench/_phase_common.DataSet.env`` for this data
    set, with the cache in Redis (as in production), then ``django.setup()``."""
    data_set = _data_set(which)
    env = data_set.env(CACHE_URL=CACHE_URL)
    codes = WORKDIR / "province_codes.txt"
    if which == "national" and codes.exists():
        env["CAMPAIGN_PROVINCE_CODES"] = codes.read_text().strip()
    os.environ.clear()
    os.environ.update(env)
    import _assessments_child
    import redis

    # Both data sets share the cache database: nothing kept from the other.
    redis.Redis.from_url(CACHE_URL).flushdb()

    _assessments_child.setup()


# --- Personas ---------------------------------------------------------------------


def _staff_assessment() -> int:
    """A submitted assessment of a committee in force (else any)."""
    from campaign.assessments.models import Assessment

    found = (
        Assessment.objects.filter(
            status="submitted", committee__valid_to__isnull=True
        ).order_by("-year", "pk")
        or Assessment.objects.order_by("-year", "pk")
    ).first()
    return found.pk


def _officer_and_assessment():
    """The officer, member of the committee of a returned assessment."""
    from django.contrib.auth import get_user_model

    from campaign.assessments.models import Assessment
    from campaign.assessments.services import assessments as services
    from campaign.committees.choices import MembershipRole
    from campaign.committees.models import Membership

    mine = Assessment.objects.filter(
        status__in=("draft", "returned"), committee__valid_to__isnull=True
    ).order_by("-year", "pk")
    assessment = mine.first()
    if assessment is None:
        submitted = (
            Assessment.objects.filter(
                status="submitted", committee__valid_to__isnull=True
            )
            .order_by("-year", "-pk")
            .first()
        )
        staff = get_user_model().objects.get(username=STAFF)
        assessment = services.assessment_return(
            assessment=submitted, reason="Bench: to answer again.", by=staff
        )
    user, created = get_user_model().objects.get_or_create(
        username=OFFICER, defaults={"first_name": "Bench officer"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.filter(user=user).exclude(
        committee_id=assessment.committee_id
    ).delete()
    Membership.objects.get_or_create(
        user=user,
        committee_id=assessment.committee_id,
        defaults={"role": MembershipRole.LOCAL_OFFICER},
    )
    return user, assessment.pk


def clients() -> dict[str, tuple]:
    """persona -> (client, its pages' paths)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    officer, officer_assessment = _officer_and_assessment()
    users = {
        "staff": (get_user_model().objects.get(username=STAFF), _staff_assessment()),
        "officer": (officer, officer_assessment),
    }
    found = {}
    for persona, (user, assessment) in users.items():
        client = Client()
        client.force_login(user)
        paths = {"bare": BARE}
        paths.update(
            {name: path.format(assessment=assessment) for name, path in PAGES.items()}
        )
        found[persona] = (client, paths)
    return found


# --- Measures ---------------------------------------------------------------------


def backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def backend_cpu(pid: int) -> float:
    """Seconds on the CPU of the PostgreSQL backend (the scheduler's own
    nanoseconds, ``/proc/<pid>/schedstat``)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9


def get(client, path: str):
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path}: {response.status_code}")
    return response


def queries(_args) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for persona, (client, paths) in clients().items():
        for name, path in paths.items():
            get(client, path)
            with CaptureQueriesContext(connection) as captured:
                response = get(client, path)
            counts[f"{name}:{persona}"] = {
                "queries": len(captured),
                "bytes": len(response.content),
                "path": path,
            }
    return counts


def timing(args) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    wanted = set(args.pages.split(",")) if args.pages else None
    cases = {}
    for persona, (client, paths) in clients().items():
        for name, path in paths.items():
            if wanted is None or name in wanted or name == "bare":
                cases[f"{name}:{persona}"] = (client, path)
    names = list(cases)
    for name in names:  # warm-up (and the cache filled)
        for _ in range(3):
            get(*cases[name])
    pid = backend_pid()
    series = {name: {"cpu": [], "db_total": 0.0, "n": 0} for name in names}
    for i in range(args.rounds):
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            client, path = cases[name]
            cpus = []
            db0 = backend_cpu(pid)
            for _ in range(args.requests):
                c0 = time.process_time()
                get(client, path)
                cpus.append(time.process_time() - c0)
            series[name]["db_total"] += backend_cpu(pid) - db0
            series[name]["n"] += args.requests
            series[name]["cpu"].append(statistics.median(cpus))
        if pid != backend_pid():
            raise RuntimeError("the database connection changed during the run")
        log(f"round {i + 1}/{args.rounds}")
    result = {}
    for name, s in series.items():
        app = statistics.median(s["cpu"]) * 1000
        db = s["db_total"] / s["n"] * 1000
        result[name] = {"app_ms": app, "db_ms": db, "total_ms": app + db}
    for name, r in result.items():
        bare = result[f"bare:{name.split(':')[1]}"]
        r["ratio"] = r["total_ms"] / bare["total_ms"]
    return result


def profile(args) -> dict:
    import cProfile
    import io
    import pstats

    client, paths = clients()[args.persona]
    path = paths[args.page]
    for _ in range(3):
        get(client, path)
    profiler = cProfile.Profile()
    for _ in range(args.count):
        profiler.enable()
        get(client, path)
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(args.lines)
    stats.sort_stats("tottime").print_stats(args.lines)
    print(out.getvalue())
    return {"path": path, "count": args.count}


def loop(args) -> dict:
    """K requests of one page, nothing else: to sample with py-spy
    (``py-spy record -f raw -o out.txt -- python bench/_profile_pages_e.py
    loop …``), whose overhead, unlike cProfile's, does not grow with the
    number of small calls."""
    client, paths = clients()[args.persona]
    path = paths[args.page]
    for _ in range(args.count):
        get(client, path)
    return {"path": path, "count": args.count}


def print_table(which: str, result: dict) -> None:
    print(f"\n{which} — CPU ms per request (machine shared: 2 cores)\n")
    print("| page | persona | app | database | total | ÷ bare |")
    print("|---|---|---|---|---|---|")
    for name, r in result.items():
        page, persona = name.split(":")
        print(
            f"| {page} | {persona} | {r['app_ms']:.2f} | {r['db_ms']:.2f} "
            f"| {r['total_ms']:.2f} | {r['ratio']:.2f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=("build", "queries", "time", "profile", "loop"))
    parser.add_argument("data", choices=tuple(DATABASES))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--pages", default="", help="comma-separated page names")
    parser.add_argument("--page", choices=tuple(PAGES), default="assessment")
    parser.add_argument("--persona", choices=PERSONAS, default="staff")
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.step == "build":
        build(args.data)
        return
    configure(args.data)
    if args.step == "queries":
        result = queries(args)
        for name, r in result.items():
            print(f"{name:28} {r['queries']:4} queries {r['bytes']:8} bytes")
    elif args.step == "time":
        result = timing(args)
        print_table(args.data, result)
    elif args.step == "profile":
        result = profile(args)
    else:
        result = loop(args)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
