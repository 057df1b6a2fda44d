"""The national data set for the page benchmarks (issue 11, item 1).

    .venv/bin/python bench/national_data.py \\
        --database-url postgres://postgres@127.0.0.1:5432/bcd138_a_national_bench \\
        [--seed 138] [--registrations 20000] [--json PATH] [--demo]

Drops and creates the database (127.0.0.1 only, a name ending in ``bench``),
migrates it and fills it (``bench/_national_build.py``): the 34 provinces
after 01/07/2025 with about 3,300 commune-level units, their committees and
officers, registrations 2023–2030 with their workflow steps and history,
assessments, notifications, report jobs — the same seed on the same day
gives the same rows. Then ``VACUUM ANALYZE``.

``--demo``: the demo instead (``migrate`` and ``seed_demo``, DEBUG on in the
child process as the seed requires), with the same three personas pointing at
the same kind of committees, so that a page benchmark compares both with the
same names and the same JSON.

Personas (password ``$BENCH_PASSWORD``, default ``bench-only-password-138``;
two-step verification is not required unless ``TWO_FACTOR_REQUIRED`` is set):
``bench-staff`` (provincial staff of An Giang's committee: whole-province
scope), ``bench-commune`` (local officer of phường Long Xuyên's committee, or
of the demo commune committee in force with registrations and the most
assessments), ``bench-admin``
(superuser). The pages must run with the printed ``CAMPAIGN_PROVINCE_CODES``
for the reports and the dashboard to cover the 34 provinces.

Printed (and written to ``--json``): the counts of every table filled,
``province_codes``, ``personas`` {name: {username, password_env,
registration_pk, assessment_pk, …}}, ``current_phase``, each step's time,
and (national) a checksum per table: two runs with the same seed on the same
day print the same sums. A bench tool only: ``make demo`` and ``seed_demo``
never run it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

ALLOWED_HOST = "127.0.0.1"
FORBIDDEN_DATABASES = {"bcd138", "bcd138dev", "test_bcd138", "postgres"}
SECRET_KEY = "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
LIMIT_SECONDS = 120


def log(message: str) -> None:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", file=sys.stderr, flush=True)


def checked_database(url: str) -> str:
    """The database's name, or exit: 127.0.0.1 only, a throw-away name."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql") or parts.hostname != ALLOWED_HOST:
        sys.exit(f"{url!r}: only PostgreSQL on {ALLOWED_HOST}.")
    name = parts.path.strip("/")
    if name in FORBIDDEN_DATABASES or not name.endswith("bench"):
        sys.exit(f"{name!r}: use a throw-away database whose name ends in 'bench'.")
    return name


def recreate(url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    with psycopg.connect(
        host=ALLOWED_HOST,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def environment(url: str, media: str) -> dict[str, str]:
    """The environment of this process's Django and of the demo's children:
    the throw-away database, DEBUG off, no broker (Celery eager: nothing is
    sent), a cache in the process (the shared Redis is left alone)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        "DEBUG": "false",
        "PRIVATE_MEDIA_ROOT": media,
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    for name in ("CELERY_BROKER_URL", "CACHE_URL", "CAMPAIGN_PROVINCE_CODES"):
        env.pop(name, None)
    return env


def setup_django(env: dict[str, str]) -> None:
    os.environ.clear()
    os.environ.update(env)
    # WhiteNoise warns that STATIC_ROOT does not exist (collectstatic not run).
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def demo_personas(password: str) -> dict:
    """The three personas on the demo: provincial staff of the demo's
    provincial committee in force, the officer of the demo's commune-level
    committee holding the most registrations, a superuser."""
    import _national_build as national
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.utils import timezone

    from campaign.committees.choices import CommitteeLevel, MembershipRole
    from campaign.committees.models import Membership, SteeringCommittee

    today = timezone.localdate()
    province = SteeringCommittee.objects.get(
        level=CommitteeLevel.PROVINCE, valid_to__isnull=True
    )
    # The commune-level committee in force with registrations and, among
    # those, the most assessments, then the most registrations.
    commune = (
        SteeringCommittee.objects.filter(
            level=CommitteeLevel.COMMUNE, valid_from__lte=today
        )
        .exclude(valid_to__lte=today)
        .annotate(
            registered=Count("registrations", distinct=True),
            assessed=Count("assessments", distinct=True),
        )
        .filter(registered__gt=0)
        .order_by("-assessed", "-registered", "pk")
        .first()
    )
    if commune is None:
        sys.exit("the demo has no commune-level committee with registrations")
    User = get_user_model()
    for username, committee, role, extra in (
        (national.STAFF, province, MembershipRole.PROVINCIAL_STAFF, {"is_staff": True}),
        (national.COMMUNE, commune, MembershipRole.LOCAL_OFFICER, {}),
        (national.ADMIN, None, None, {"is_staff": True, "is_superuser": True}),
    ):
        user = User.objects.create(
            username=username,
            first_name="Bench",
            password=national._password(password, username),
            **extra,
        )
        if committee is not None:
            Membership.objects.create(user=user, committee=committee, role=role)
    return {
        "provincial_committee": province.short_name,
        "commune_committee": commune.short_name,
    }


def run_demo(env: dict[str, str], password: str) -> dict:
    timings = {}
    child = {**env, "DEBUG": "true", "DEMO_PASSWORD": secrets.token_urlsafe(12)}
    for name, command in (
        ("migrate", ["migrate", "--no-input", "-v", "0"]),
        ("seed_demo", ["seed_demo"]),
    ):
        t = time.perf_counter()
        subprocess.run(  # noqa: S603 - fixed arguments
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=child,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        timings[name] = round(time.perf_counter() - t, 2)
        log(f"{name}: {timings[name]:.1f} s")
    setup_django(env)
    import _national_build as national

    t = time.perf_counter()
    committees = demo_personas(password)
    timings["personas"] = round(time.perf_counter() - t, 2)
    return {
        "committees": committees,
        "province_codes": ",".join(national.AN_GIANG_CODES),
        "province_codes_list": list(national.AN_GIANG_CODES),
        "timings": timings,
    }


def run_national(env: dict[str, str], args, password: str) -> dict:
    setup_django(env)
    import _national_build as national
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrated = round(time.perf_counter() - t, 2)
    log(f"migrate: {migrated:.1f} s")
    scale = national.Scale(
        **{**national.asdict(national.NATIONAL), "registrations": args.registrations}
    )
    from django.utils import timezone

    result = national.build(
        scale=scale,
        seed=args.seed,
        today=timezone.localdate(),
        password=password,
        log=log,
    )
    result["timings"] = {"migrate": migrated, **result["timings"]}
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seed", type=int, default=138)
    parser.add_argument("--registrations", type=int, default=20000)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--demo", action="store_true")
    args = parser.parse_args()
    name = checked_database(args.database_url)
    password = os.environ.get("BENCH_PASSWORD", "bench-only-password-138")
    os.chdir(ROOT)
    started = time.perf_counter()
    log(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    recreate(args.database_url, name)
    created = round(time.perf_counter() - started, 2)
    media = tempfile.mkdtemp(prefix="bcd138-national-media-")
    env = environment(args.database_url, media)
    if args.demo:
        result = run_demo(env, password)
    else:
        result = run_national(env, args, password)
    import _national_build as national

    t = time.perf_counter()
    vacuum_analyze()
    result["timings"] = {
        "drop and create the database": created,
        **result["timings"],
        "VACUUM ANALYZE": round(time.perf_counter() - t, 2),
    }
    total = round(time.perf_counter() - started, 2)
    result["timings"]["total"] = total
    if args.demo:
        result["current_phase"] = national.current_phase()
        result["personas"] = {n: national.persona_ids(n) for n in national.PERSONAS}
    checksum = {}
    if not args.demo:
        # Outside the build's time: two runs of the same seed on the same
        # day print the same sums (the table's rows, in id order).
        t = time.perf_counter()
        checksum = national.checksum()
        result["timings"]["checksum (not in the total)"] = round(
            time.perf_counter() - t, 2
        )
    result = {
        "mode": "demo" if args.demo else "national",
        "database": name,
        "database_url": args.database_url,
        "env": {"CAMPAIGN_PROVINCE_CODES": result["province_codes"]},
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "counts": national.table_counts(),
        **result,
        "checksum": checksum,
    }
    text = json.dumps(result, ensure_ascii=False, indent=2, default=str)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    log(f"CAMPAIGN_PROVINCE_CODES={result['province_codes']}")
    log(f"built in {total:.1f} s (limit {LIMIT_SECONDS} s, national build only)")
    if not args.demo and total > LIMIT_SECONDS:
        log("FAIL: slower than the limit")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
