"""Shared set-up for the benchmark scripts in ``bench/``.

Every script is run from the project root as ``.venv/bin/python bench/<name>.py``.
Before Django is imported, :func:`configure` fills in the environment for the
dedicated benchmark database and refuses any service that is not on 127.0.0.1.
"""

from __future__ import annotations

import math
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bcd138_bench"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/14"
ALLOWED_SERVICE_HOST = "127.0.0.1"
KIND = "area_catalogue"
BENCH_USERNAME = "bench-user"

_temp_dirs: list[Path] = []


def _require_local(name: str, url: str) -> None:
    host = urlsplit(url).hostname
    if host != ALLOWED_SERVICE_HOST:
        sys.exit(f"{name}={url!r}: the benchmarks only talk to {ALLOWED_SERVICE_HOST}.")


def configure(*, broker: bool) -> dict[str, str]:
    """Set the environment for ``django.setup()``; returns the values used.

    ``broker``: use Redis db 14 (``BENCH_BROKER_URL``) as the Celery broker;
    otherwise no broker is configured (Celery eager mode; the build benchmark
    calls the service directly and never enqueues anything).
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    # WhiteNoise warns that STATIC_ROOT does not exist (collectstatic not run):
    # irrelevant to these measurements.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    os.chdir(ROOT)
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    _require_local("BENCH_DATABASE_URL", database_url)
    if not urlsplit(database_url).path.strip("/").endswith("bench"):
        sys.exit(
            f"{database_url!r}: use a dedicated benchmark database (name ending in 'bench')."
        )
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault(
        "SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
    )
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if broker:
        broker_url = os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER_URL)
        _require_local("BENCH_BROKER_URL", broker_url)
        os.environ["CELERY_BROKER_URL"] = broker_url
    else:
        os.environ.pop("CELERY_BROKER_URL", None)
    if "PRIVATE_MEDIA_ROOT" not in os.environ:
        media = make_temp_dir("bcd138-bench-media-")
        os.environ["PRIVATE_MEDIA_ROOT"] = str(media)
    return {
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "(none: eager)"),
        "PRIVATE_MEDIA_ROOT": os.environ["PRIVATE_MEDIA_ROOT"],
    }


def make_temp_dir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    _temp_dirs.append(path)
    return path


def remove_temp_dirs() -> None:
    while _temp_dirs:
        shutil.rmtree(_temp_dirs.pop(), ignore_errors=True)


def bench_user():
    """The (unusable-password) user that requests the benchmark reports."""
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(
        username=BENCH_USERNAME, defaults={"is_active": True}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


class ReferenceCommittees:
    """The committees of the reference data the benchmarks act for."""

    def __init__(self):
        from campaign.committees.models import SteeringCommittee

        committees = SteeringCommittee.objects.select_related("area")
        self.province_current = committees.get(level="province", valid_to__isnull=True)
        self.province_2023 = committees.get(area__key="ag89")
        self.districts = {c.area.key: c for c in committees.filter(level="district")}


def reference_committees() -> ReferenceCommittees:
    """Load the areas and the reference data (idempotent), as a real install
    does, and return its committees."""
    from django.core.management import call_command

    call_command("load_areas", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    return ReferenceCommittees()


def grant_report_requests(user) -> str:
    """Give ``user`` the right to request reports, as a real requester has it.

    Returns how, for the benchmark's header. Since the access rules
    (``campaign.access``), the request view answers 403 without the
    ``request_reports`` capability: the user gets a LEADER membership of the
    current provincial committee (committees seeded if missing), the usual
    requester (one membership query per request, as in production).
    """
    try:
        from campaign.committees.access import Capability, can, forget
        from campaign.committees.choices import MembershipRole
        from campaign.committees.models import Membership
    except ImportError:
        return "signed-in user (this version has no capability check)"
    forget(user)
    if not can(user, Capability.REQUEST_REPORTS):
        committees = reference_committees()
        Membership.objects.get_or_create(
            user=user,
            committee=committees.province_current,
            defaults={"role": MembershipRole.LEADER},
        )
        forget(user)
    if not can(user, Capability.REQUEST_REPORTS):
        sys.exit(f"{user.username} still may not request reports")
    roles = ", ".join(
        sorted(set(Membership.objects.filter(user=user).values_list("role", flat=True)))
    )
    return (
        f"signed-in user with membership role(s): {roles} (capability request_reports)"
    )


def delete_jobs(job_ids) -> int:
    """Delete report jobs and their stored files."""
    from django.core.files.storage import default_storage

    from reporting.models import ReportJob

    jobs = list(ReportJob.objects.filter(pk__in=list(job_ids)))
    for job in jobs:
        if job.file and default_storage.exists(job.file.name):
            default_storage.delete(job.file.name)
    ReportJob.objects.filter(pk__in=[job.pk for job in jobs]).delete()
    return len(jobs)


# --- statistics -------------------------------------------------------------------


def median(values) -> float:
    return statistics.median(values)


def percentile(values, q: float) -> float:
    """Nearest-rank percentile (q in 0..100), as load-test tools report it."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


# --- machine ----------------------------------------------------------------------


def _run(*cmd: str) -> str:
    try:
        return subprocess.run(
            cmd, capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def machine_info() -> list[tuple[str, str]]:
    import django

    try:
        import weasyprint

        weasy = weasyprint.__version__
    except ImportError:  # pragma: no cover
        weasy = "?"
    try:
        import celery

        celery_version = celery.__version__
    except ImportError:  # pragma: no cover
        celery_version = "?"
    mem = _run("free", "-g").splitlines()
    mem_line = next((line for line in mem if line.startswith("Mem:")), "?")
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return [
        ("nproc", _run("nproc")),
        ("CPU", cpu),
        ("free -g (Mem:)", " ".join(mem_line.split())),
        (
            "load average (1/5/15 min) at start",
            " ".join(f"{x:.2f}" for x in os.getloadavg()),
        ),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("Django", django.get_version()),
        ("WeasyPrint", weasy),
        ("Celery", celery_version),
        ("PostgreSQL client", _run("psql", "--version")),
        ("Redis", _run("redis-server", "--version").split(" sha=")[0]),
    ]


def print_machine_info() -> None:
    print("| machine | value |")
    print("|---|---|")
    for key, value in machine_info():
        print(f"| {key} | {value} |")
    print()


# --- processes and ports (the HTTP benchmarks) -----------------------------------------


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for a gunicorn of the benchmark)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def proc_status_kib(
    pid: int, keys: tuple[str, ...] = ("VmHWM", "VmRSS")
) -> dict[str, int]:
    """``keys`` of ``/proc/<pid>/status`` (kiB for the memory ones)."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in keys:
                values[key] = int(rest.split()[0])
    return values


def reset_peak(pid: int) -> None:
    """Reset the process's peak RSS (VmHWM) to its current RSS (Linux ≥ 4.0)."""
    with open(f"/proc/{pid}/clear_refs", "w") as clear:
        clear.write("5")


def child_pids(pid: int) -> list[int]:
    """The direct children of ``pid`` (its main thread's)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]
