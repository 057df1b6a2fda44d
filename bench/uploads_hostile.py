"""Uploads under attack (issue 10): the web worker's peak memory and the time
to refuse each hostile file, posted through the real evidence upload form.

Not a test: it prints Markdown tables for ``docs/benchmarks.md``.

* A throw-away PostgreSQL database (``bcd138_uploads_bench`` on 127.0.0.1,
  dropped and created again; ``BENCH_DATABASE_URL`` to change it):
  ``migrate``, ``load_areas``, ``load_reference_data``; a local officer of the
  phường Long Xuyên committee (random password) and the current year's
  assessment of its ward police.
* ``gunicorn config.wsgi`` with **one sync worker** on 127.0.0.1 (DEBUG off,
  Celery eager, a temporary private media folder, ``LOG_LEVEL=INFO`` so that
  ``campaign.uploads`` logs every check: its outcome, its reason and the peak
  RSS of the process that parsed the file). The officer signs in through the
  login form; every upload is a real multipart POST to
  ``assessments:evidence_upload`` with the CSRF token.
* Warm-up: the assessment page, each valid file and one refused file, twice. Then
  the worker's **idle** memory is its RSS (``/proc/<pid>/status``). Before each
  request the kernel's peak counter is reset (``echo 5 >
  /proc/<pid>/clear_refs``) and read after it (``VmHWM``): the worker's peak
  during that upload, whatever the sampling. Requirement: every peak ≤ 1.5 ×
  idle.
* Each file is posted ``--rounds`` times (default 5); the time is the client's
  wall time for the whole request (median), its ratio to the median of the
  valid 20-page PDF (the baseline), and whether the outcome is the expected
  one (302 and stored, or 400 with the expected reason code).
* ``--before`` (default on; ``--no-before`` to skip): each file checked by the
  upload check of commit ``--baseline-commit`` (before issue 10), in a fresh
  process, as that version did it (in the web process): its peak RSS growth
  and time, to show what the worker paid then.

Usage (from the project root; PostgreSQL on 127.0.0.1:5432, user postgres):
    .venv/bin/python bench/uploads_hostile.py [--rounds 5] [--keep] [--no-before]
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import os
import re
import resource
import secrets
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402

MB = 1024 * 1024
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/bcd138_uploads_bench"
# The check of uploads before issue 10 (magic bytes + pypdf/Pillow/zipfile in
# the web process).
BASELINE_COMMIT = "8adf0c5"
OFFICER = "bench-upload-officer"
WARD = "ag91-30307"  # phường Long Xuyên (since 01/07/2025)
LIMIT_RATIO = 1.5
LOG_LINE = re.compile(r"Upload (?P<outcome>accepted|refused): (?P<what>[a-z_]+)[ ,]")
LOG_CHECK = re.compile(
    r"(?:in|after) (?P<ms>\d+) ms; "
    r"check process peak (?P<child>\d+|\?) KiB, web process (?P<parent>\d+|\?) KiB"
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- The files ----------------------------------------------------------------------


def build_cases() -> list[dict]:
    """(label, name, bytes, expected reason code or "stored")."""
    from tests.campaign import hostile_uploads as h

    cases = [
        (
            "valid PDF, 20 pages (baseline)",
            "Biên bản họp.pdf",
            h.pdf_bytes(pages=20),
            "stored",
        ),
        ("valid PDF named x.html", "x.html", h.pdf_bytes(pages=2), "stored"),
        (
            "valid 12 MP photo with EXIF GPS",
            "Ảnh hiện trường.jpg",
            h.jpeg_with_gps_exif(size=(4000, 3000)),
            "stored",
        ),
        (
            "valid PNG + text chunk + HTML after IEND",
            "so-do.png",
            h.png_with_text_and_trailing_html(),
            "stored",
        ),
        (
            "valid DOCX with a web link",
            "Báo cáo.docx",
            h.docx_with_web_link(),
            "stored",
        ),
        (
            "Windows program renamed .pdf (refused by its first bytes, not parsed)",
            "ke-hoach.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 4096,
            "unknown_kind",
        ),
        (
            "DOCX whose [Content_Types].xml is 192 MB",
            "bao-cao.docx",
            h.docx_declaring_192_mb(),
            "docx_too_large",
        ),
        (
            "DOCX zip bomb, 2 × 60 MB of zeros",
            "bom.docx",
            h.docx_zip_bomb(members=2, member_bytes=60 * MB),
            "docx_too_large",
        ),
        (
            "DOCX member 32 MB at 1,000:1 (ratio, counted as it inflates)",
            "ti-le.docx",
            h.docx_with_high_ratio_member(32 * MB),
            "docx_too_large",
        ),
        (
            "DOCX with overlapping members",
            "chong.docx",
            h.docx_with_overlapping_members(),
            "docx_structure",
        ),
        (
            "DOCX with vbaProject.bin",
            "macro.docx",
            h.docx_with_vba_project(),
            "docx_macros",
        ),
        (
            "DOCX with external attachedTemplate",
            "mau.docx",
            h.docx_with_external_template(),
            "docx_external",
        ),
        (
            "PDF /OpenAction JavaScript",
            "to-trinh.pdf",
            h.pdf_with_open_action_javascript(),
            "pdf_javascript",
        ),
        (
            "PDF JavaScript inside an object stream",
            "an.pdf",
            h.pdf_with_javascript_in_object_stream(),
            "pdf_javascript",
        ),
        (
            "PDF /Launch action",
            "ke-hoach.pdf",
            h.pdf_with_launch_action(),
            "pdf_launch",
        ),
        (
            "PDF with an embedded file",
            "hoa-don.pdf",
            h.pdf_with_embedded_file(),
            "pdf_embedded_file",
        ),
        (
            "PDF repeated page tree (10^7 pages)",
            "lap.pdf",
            h.pdf_with_repeated_page_tree(),
            "pdf_page_tree",
        ),
        (
            "PDF cyclic page tree",
            "vong.pdf",
            h.pdf_with_cyclic_page_tree(),
            "pdf_page_tree",
        ),
        (
            "PDF object stream of 100,000 objects",
            "nhieu.pdf",
            h.pdf_with_object_stream_flood(),
            "too_complex",
        ),
        ("PDF that is also HTML", "trang.pdf", h.pdf_html_polyglot(), "polyglot"),
        ("PDF that is also a ZIP", "nen.pdf", h.pdf_zip_polyglot(), "polyglot"),
        (
            "PNG of 400 megapixels",
            "bom.png",
            h.png_pixel_bomb(),
            "image_too_many_pixels",
        ),
    ]
    return [
        {"label": label, "name": name, "data": data, "expected": expected}
        for label, name, data, expected in cases
    ]


# --- The server ---------------------------------------------------------------------


_free_port = _common.free_port

_status = _common.proc_status_kib

_reset_peak = _common.reset_peak

_children = _common.child_pids


class Server:
    def __init__(self, env: dict[str, str], log_path: Path):
        import requests

        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--worker-class",
                "sync",
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
            cwd=_common.ROOT,
            env=env,
            stdout=log_path.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.session = requests.Session()
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    "gunicorn exited:\n" + log_path.read_text("utf-8", "replace")
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
                raise RuntimeError("gunicorn not answering after 60 s")
            time.sleep(0.3)
        workers = _children(self.process.pid)
        if len(workers) != 1:
            raise RuntimeError(f"expected one worker, found {workers}")
        self.worker = workers[0]
        self._log_offset = log_path.stat().st_size

    def login(self, username: str, password: str) -> None:
        url = self.base + "/login/"
        self.session.get(url, timeout=30)
        token = self.session.cookies.get("csrftoken")
        response = self.session.post(
            url,
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": url},
            allow_redirects=False,
            timeout=30,
        )
        if response.status_code != 302:
            raise RuntimeError(
                f"login failed: {response.status_code} "
                f"{' '.join(response.text.split())[:300]}\n"
                + self.log_path.read_text("utf-8", "replace")[-3000:]
            )

    def upload(self, path: str, field: str, name: str, data: bytes):
        token = self.session.cookies.get("csrftoken")
        started = time.perf_counter()
        response = self.session.post(
            self.base + path,
            files={field: (name, data, "application/octet-stream")},
            headers={"X-CSRFToken": token, "Referer": self.base + path},
            allow_redirects=False,
            timeout=120,
        )
        return response.status_code, time.perf_counter() - started

    def new_log_lines(self) -> list[str]:
        with self.log_path.open("rb") as handle:
            handle.seek(self._log_offset)
            data = handle.read()
        self._log_offset += len(data)
        return data.decode("utf-8", "replace").splitlines()

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


# --- Set-up -------------------------------------------------------------------------


def _admin(statement: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host="127.0.0.1", port=5432, user="postgres", dbname="postgres", autocommit=True
    ) as connection:
        connection.execute(sql.SQL(statement).format(sql.Identifier(name)))


def prepare(password: str) -> dict:
    """The data the run needs; returns the upload URL and the field's name."""
    from django.core.management import call_command
    from django.utils import timezone

    from campaign.assessments.services import assessments as services
    from campaign.committees.choices import MembershipRole
    from campaign.committees.models import Membership, SteeringCommittee, User
    from units.models import WardPolice

    started = time.perf_counter()
    # As the container image does: DEBUG off serves the hashed static files.
    quiet = {"verbosity": 0, "stdout": io.StringIO()}
    call_command("collectstatic", "--no-input", **quiet)
    call_command("migrate", "--no-input", **quiet)
    call_command("load_areas", **quiet)
    call_command("load_reference_data", **quiet)
    committee = SteeringCommittee.objects.get(area__key=WARD, valid_to__isnull=True)
    officer = User.objects.create_user(
        username=OFFICER, password=password, first_name="Tâm", last_name="Võ Minh"
    )
    Membership.objects.create(
        user=officer, committee=committee, role=MembershipRole.LOCAL_OFFICER
    )
    ward_police = WardPolice.objects.get(area__key=WARD)
    assessment = services.assessment_create(
        year=timezone.localdate().year, ward_police=ward_police, by=officer
    )
    answer = assessment.answers.order_by("pk").first()
    log(f"database ready in {time.perf_counter() - started:.1f} s")
    return {
        "path": f"/assessments/{assessment.pk}/answers/{answer.pk}/evidence/",
        "page": f"/assessments/{assessment.pk}/",
        "field": f"ev{answer.pk}-file",
    }


# --- Before issue 10 ----------------------------------------------------------------


def measure_before(commit: str, cases: list[dict], workdir: Path) -> dict[str, dict]:
    """Each file checked by the older ``campaign/uploads.py`` in a fresh process."""
    source = subprocess.run(
        ["git", "show", f"{commit}:campaign/uploads.py"],
        cwd=_common.ROOT,
        capture_output=True,
        check=True,
    ).stdout
    module_dir = workdir / "before"
    module_dir.mkdir()
    (module_dir / "uploads_before.py").write_bytes(source)
    results = {}
    for case in cases:
        path = workdir / "file.bin"
        path.write_bytes(case["data"])
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--before-child",
                str(module_dir),
                str(path),
                case["name"],
            ],
            cwd=_common.ROOT,
            env={**os.environ, "LOG_LEVEL": "ERROR"},
            capture_output=True,
            text=True,
            timeout=300,
        )
        lines = done.stdout.strip().splitlines()
        results[case["label"]] = (
            json.loads(lines[-1])
            if done.returncode == 0 and lines
            else {
                "outcome": f"process died ({done.returncode})",
                "growth_kib": None,
                "seconds": None,
            }
        )
    return results


def before_child(module_dir: str, path: str, name: str) -> None:
    """Runs in a fresh process: the old check, in this process, as before."""
    import django

    # A safety net for this measurement only: the old check was not bounded.
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    sys.path.insert(0, module_dir)
    django.setup()
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    uploads_before = importlib.import_module("uploads_before")

    data = Path(path).read_bytes()
    upload = SimpleUploadedFile(name, data)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        kind = uploads_before.check_upload(
            upload, allowed=uploads_before.EVIDENCE_KINDS
        )
        outcome = f"accepted ({kind})"
    except ValidationError as error:
        outcome = f"refused ({error.error_list[0].code})"
    except MemoryError:
        outcome = "MemoryError (4 GiB cap)"
    seconds = time.perf_counter() - started
    growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
    print(json.dumps({"outcome": outcome, "growth_kib": growth, "seconds": seconds}))


# --- Main ---------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--before", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--baseline-commit", default=BASELINE_COMMIT)
    parser.add_argument("--before-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()

    os.environ.setdefault("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    env = _common.configure(broker=False)
    os.environ.pop("CACHE_URL", None)
    # A key that passes the deployment checks (length, not a known placeholder).
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(48)
    if args.before_child:
        before_child(*args.before_child)
        return 0
    database = urlsplit(env["DATABASE_URL"]).path.strip("/")
    log(f"creating {database}")
    _admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", database)
    _admin("CREATE DATABASE {}", database)
    workdir = _common.make_temp_dir("bcd138-bench-uploads-")
    os.environ["STATIC_ROOT"] = str(workdir / "static")
    server = None
    try:
        import django

        django.setup()
        from django.db import connections

        password = secrets.token_urlsafe(16)
        target = prepare(password)
        connections.close_all()
        started = time.perf_counter()
        cases = build_cases()
        log(f"{len(cases)} files built in {time.perf_counter() - started:.1f} s")

        server_env = {
            **os.environ,
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "INFO",
            "DEBUG": "false",
            "HTTPS": "false",
        }
        server = Server(server_env, workdir / "gunicorn.log")
        server.login(OFFICER, password)
        log(f"gunicorn worker {server.worker} signed in as {OFFICER}")

        # Warm-up: the page, each valid kind twice, and a refusal (the page
        # sent back with the error) twice.
        for _ in range(3):
            server.session.get(server.base + target["page"], timeout=60)
        warm_up = [case for case in cases if case["expected"] == "stored"]
        warm_up.append(next(case for case in cases if case["expected"] != "stored"))
        for case in warm_up:
            for _ in range(2):
                server.upload(
                    target["path"], target["field"], case["name"], case["data"]
                )
        server.new_log_lines()
        idle = _status(server.worker)["VmRSS"]
        log(f"idle worker RSS {idle / 1024:.1f} MiB")

        rows = []
        for case in cases:
            times, checks, peaks, statuses, codes, children = (
                [],
                [],
                [],
                set(),
                set(),
                [],
            )
            for _ in range(args.rounds):
                _reset_peak(server.worker)
                status, seconds = server.upload(
                    target["path"], target["field"], case["name"], case["data"]
                )
                peaks.append(_status(server.worker)["VmHWM"])
                times.append(seconds)
                statuses.add(status)
                for line in server.new_log_lines():
                    match = LOG_LINE.search(line)
                    if match:
                        codes.add(
                            "stored"
                            if match["outcome"] == "accepted"
                            else match["what"]
                        )
                        check = LOG_CHECK.search(line)
                        if check:
                            checks.append(int(check["ms"]) / 1000)
                            if check["child"] != "?":
                                children.append(int(check["child"]))
            if _children(server.process.pid) != [server.worker]:
                raise RuntimeError("the gunicorn worker was replaced during the run")
            expected_status = 302 if case["expected"] == "stored" else 400
            rows.append(
                {
                    **case,
                    "median": statistics.median(times),
                    "check": statistics.median(checks) if checks else None,
                    "peak": max(peaks),
                    "child": max(children) if children else None,
                    "ok": statuses == {expected_status} and codes == {case["expected"]},
                    "codes": ", ".join(sorted(codes)) or "—",
                    "statuses": ", ".join(map(str, sorted(statuses))),
                }
            )
            log(
                f"{case['label']}: {rows[-1]['codes']} in {rows[-1]['median'] * 1000:.0f} ms"
            )
        final = _status(server.worker)
        server.close()
        server = None

        before = (
            measure_before(args.baseline_commit, cases, workdir) if args.before else {}
        )
        return report(rows, idle, final, before, args)
    finally:
        if server is not None:
            server.close()
        if not args.keep:
            _admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", database)
        _common.remove_temp_dirs()


def report(rows, idle, final, before, args) -> int:
    baseline = rows[0]["median"]
    limit = idle * LIMIT_RATIO
    worst = max(row["peak"] for row in rows)
    all_ok = all(row["ok"] for row in rows)
    passed = worst <= limit and all_ok
    _common.print_machine_info()
    print(
        f"One gunicorn sync worker (`config.wsgi`), PostgreSQL, DEBUG off; "
        f"{args.rounds} POSTs of each file to the evidence upload form as a signed-in "
        f"local officer. Idle worker RSS after warm-up: **{idle / 1024:.1f} MiB**; "
        f"limit 1.5 × idle = {limit / 1024:.1f} MiB.\n"
    )
    header = (
        "| file | size | expected | HTTP | reason logged | request ms | × valid PDF "
        "| check ms | worker peak MiB (× idle) | check process peak MiB |"
    )
    if before:
        header += " before issue 10: outcome, worker growth MiB, s |"
    print(header)
    print("|---" * (11 if before else 10) + "|")
    for row in rows:
        cells = [
            row["label"],
            _size(len(row["data"])),
            row["expected"],
            row["statuses"],
            row["codes"] + ("" if row["ok"] else " **≠ expected**"),
            f"{row['median'] * 1000:.0f}",
            f"{row['median'] / baseline:.2f}",
            f"{row['check'] * 1000:.0f}" if row["check"] is not None else "—",
            f"{row['peak'] / 1024:.1f} ({row['peak'] / idle:.2f})",
            f"{row['child'] / 1024:.0f}" if row["child"] else "—",
        ]
        if before:
            old = before.get(row["label"], {})
            growth, seconds = old.get("growth_kib"), old.get("seconds")
            cells.append(
                ", ".join(
                    (
                        old.get("outcome", "?"),
                        f"{growth / 1024:.0f}" if growth is not None else "—",
                        f"{seconds:.2f}" if seconds is not None else "—",
                    )
                )
            )
        print("| " + " | ".join(cells) + " |")
    print()
    print(
        f"Worst worker peak: **{worst / 1024:.1f} MiB = {worst / idle:.2f} × idle** "
        f"(limit {LIMIT_RATIO} ×); worker RSS at the end {final['VmRSS'] / 1024:.1f} MiB. "
        f"Every outcome as expected: {'yes' if all_ok else 'NO'}. "
        f"**{'PASS' if passed else 'FAIL'}**."
    )
    print(
        "\nRequest ms: the client's wall time for the whole POST (median); a refused "
        "upload answers 400 with the whole assessment page and its error, a stored "
        "one a 302 redirect. Check ms: the upload check alone, as logged by "
        "campaign.uploads (fork, parse in the child, answer)."
    )
    print(
        "\nThe check process is the child forked by the worker for each file "
        "(campaign/upload_sandbox.py); its peak RSS includes the pages it shares "
        "with the worker. It is capped at +512 MiB of address space and 10 s."
    )
    return 0 if passed else 1


def _size(size: int) -> str:
    if size >= MB:
        return f"{size / MB:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


if __name__ == "__main__":
    sys.exit(main())
