"""The in-process steps of ``bench/pages.py``, each run in a fresh process
with the environment of one data set (``bench.settings_bench``, DEBUG off):

* ``prepare`` — the path of every page for every persona (URL names reversed,
  the persona's registration and assessment, the plan, the current year, the
  deep page), then the queries each page runs through Django's test
  ``Client`` (``CaptureQueriesContext``): cold (the cache emptied just
  before) and warm (the same request again).
* ``profile`` — cProfile of K requests of one page (after one warm-up),
  sorted by cumulative time, the top 40.

    python bench/_pages_child.py STEP '<json arguments>'

The answer is one line of JSON on stdout (the last line).
"""

from __future__ import annotations

import cProfile
import io
import json
import math
import os
import pstats
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The list's page size (campaign.registrations.views.registration_list).
PER_PAGE = 50


def setup() -> None:
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    if os.environ.get("BENCH_PLAIN_STATIC"):
        # No collectstatic (--profile): the plain storage finds the files.
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            },
        }


def _paths(persona: dict) -> dict[str, str]:
    """Every measured page for one persona (``national_data.py``'s JSON); for
    the superuser, the list and the admin changelist of the same rows. A page
    whose object the persona has none of (no assessment in scope) is left
    out."""
    from django.urls import reverse
    from django.utils import timezone

    from campaign.planning.models import Plan

    year = timezone.localdate().year
    plan = Plan.objects.order_by("pk").first()
    registrations = reverse("registrations:registration_list")
    last_page = max(1, math.ceil(persona["registrations_visible"] / PER_PAGE))
    progress = reverse("assessments:progress")
    if persona.get("is_superuser"):
        admin = reverse("admin:registrations_registration_changelist")
        return {"bare": "/bench/bare/", "list": registrations, "admin_list": admin}
    paths = {
        "home": reverse("home"),
        "list": registrations,
        "list_filtered": f"{registrations}?status=approved&year={year}",
        "list_searched": f"{registrations}?q=xa",
        "list_deep": f"{registrations}?page={min(200, last_page)}",
        "progress": progress,
        "progress_2023": f"{progress}?phase=2023-2025",
        "dashboard": reverse("reporting:dashboard"),
        "areas": reverse("units:area_list"),
        "plan": reverse("planning:plan_detail", kwargs={"pk": plan.pk}),
        "reports": reverse("reporting:report_list"),
        "export_csv": reverse(
            "registrations:registration_export", kwargs={"fmt": "csv"}
        ),
        "export_xlsx": reverse(
            "registrations:registration_export", kwargs={"fmt": "xlsx"}
        ),
    }
    if persona.get("registration_pk"):
        paths["detail"] = reverse(
            "registrations:registration_detail",
            kwargs={"pk": persona["registration_pk"]},
        )
    if persona.get("assessment_pk"):
        paths["assessment"] = reverse(
            "assessments:assessment_detail", kwargs={"pk": persona["assessment_pk"]}
        )
    return {"bare": "/bench/bare/", **paths}


def _get(client, path: str):
    response = client.get(path)
    if hasattr(response, "streaming_content"):
        size = sum(len(chunk) for chunk in response.streaming_content)
    else:
        size = len(response.content)
    return response, size


def step_prepare(args: dict) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    users = get_user_model().objects
    result: dict = {"paths": {}, "queries": {}}
    for name, persona in args["personas"].items():
        paths = _paths(persona)
        if args.get("pages"):
            paths = {
                k: v
                for k, v in paths.items()
                if k in args["pages"] or k in ("bare", "admin_list")
            }
        result["paths"][name] = paths
        client = Client()
        client.force_login(users.get(username=persona["username"]))
        counts = result["queries"][name] = {}
        for page, path in paths.items():
            cache.clear()
            with CaptureQueriesContext(connection) as cold:
                response, size = _get(client, path)
            with CaptureQueriesContext(connection) as warm:
                again, _size = _get(client, path)
            counts[page] = {
                "status": [response.status_code, again.status_code],
                "cold": len(cold),
                "warm": len(warm),
                "bytes": size,
                "sql_ms": round(
                    sum(float(q["time"]) for q in warm.captured_queries) * 1000, 2
                ),
            }
    return result


def step_profile(args: dict) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=args["username"]))
    path = args["path"]
    response, _size = _get(client, path)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(args["count"]):
        _get(client, path)
    profiler.disable()
    wall = time.perf_counter() - started
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(40)
    return {
        "path": path,
        "status": response.status_code,
        "count": args["count"],
        "wall_ms_per_request": round(wall / args["count"] * 1000, 2),
        "profile": text.getvalue(),
    }


STEPS = {"prepare": step_prepare, "profile": step_profile}


def main() -> None:
    step = sys.argv[1]
    args = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    setup()
    print(json.dumps(STEPS[step](args), default=str), flush=True)


if __name__ == "__main__":
    main()
