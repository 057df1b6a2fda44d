"""Benchmark: the registration form with its year reload vs the form as it was
before (the commit before issue 7), measured in one run.

Requirement (issue 7): "The registration form with the year reload answers in
the same time as today's form (benchmark, ratio in one run)."

Both versions run side by side, each in a child process of its own
(``bench/_form_child.py``) with its own SQLite database filled by its own
``seed_demo``, and answer through Django's test ``Client`` (the full middleware
stack and view, no HTTP). The baseline is checked out from git into a temporary
worktree (``--baseline``, default the commit before issue 7) and uses this
checkout's virtualenv. The parent alternates the two versions, R rounds of N
requests each, and reports the median of each case and the ratio of this
version to the baseline's form, for the same user and year:

* ``form``: GET /registrations/new/?year=2023 — the whole page;
* ``reload``: the same URL with ``HX-Request``, what htmx asks when the year
  changes (this version only; the baseline had no reload);
* for the Long Xuyên officer of 2023 (13 wards and communes, 3 organisations)
  and for provincial staff (the 156 units of 2023 and every organisation);
* and, this version only, today's form of the ward officer and of staff.

PASS when both ratios (form and reload, this version ÷ baseline form) are at
most 1.15 for each user.

Usage (from the project root):
    .venv/bin/python bench/registration_form.py [N] [--rounds R] [--baseline REV]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHILD = ROOT / "bench" / "_form_child.py"
BASELINE = "f75b41e"  # main before issue 7: the form with phase and year fields
LIMIT = 1.15


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("requests", nargs="?", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--baseline", default=BASELINE)
    parser.add_argument("--json", type=Path)
    return parser.parse_args()


class Version:
    def __init__(self, name: str, root: Path, workdir: Path):
        self.name = name
        env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "testserver",
            "SQLITE_PATH": str(workdir / f"{name}.sqlite3"),
            "PRIVATE_MEDIA_ROOT": str(workdir / f"{name}-private"),
            "DEMO_PASSWORD": "bench-password-138",
            "DATABASE_URL": "",
            "CELERY_BROKER_URL": "",
            "LOG_LEVEL": "ERROR",
            # The seeds' notifications must not print e-mails on the pipe.
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        self.process = subprocess.Popen(
            [sys.executable, str(CHILD)],
            cwd=root,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        ready = json.loads(self.process.stdout.readline())
        self.users = ready["ready"]

    def run(self, case: str, n: int) -> list[float]:
        self.process.stdin.write(json.dumps({"case": case, "n": n}) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        if "error" in answer:
            sys.exit(f"{self.name}: {answer['error']}")
        return answer["durations"]

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def main() -> int:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bcd138-bench-form-"))
    worktree = workdir / "baseline"
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(worktree), args.baseline],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    # The baseline's translations, as `make` would compile them.
    subprocess.run(
        [sys.executable, "manage.py", "compilemessages", "-v", "0", "--ignore=.venv"],
        cwd=worktree,
        env={**os.environ, "DEBUG": "true"},
        check=True,
    )
    versions = {}
    try:
        versions["baseline"] = Version("baseline", worktree, workdir)
        versions["this"] = Version("this", ROOT, workdir)
        cases = {
            "baseline": ["form_officer_2023", "form_staff_2023"],
            "this": [
                "form_officer_2023",
                "form_staff_2023",
                "reload_officer_2023",
                "reload_staff_2023",
                "form_ward_today",
                "form_staff_today",
                "reload_staff_today",
            ],
        }
        for name, version in versions.items():  # warm-up
            for case in cases[name]:
                version.run(case, 5)
        rounds: dict[tuple[str, str], list[float]] = {}
        for i in range(args.rounds):
            order = ("baseline", "this") if i % 2 == 0 else ("this", "baseline")
            for name in order:
                for case in cases[name]:
                    durations = versions[name].run(case, args.requests)
                    rounds.setdefault((name, case), []).append(
                        statistics.median(durations)
                    )
    finally:
        for version in versions.values():
            version.close()
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(worktree)],
            cwd=ROOT,
            capture_output=True,
        )
        shutil.rmtree(workdir, ignore_errors=True)

    median = {key: statistics.median(values) for key, values in rounds.items()}
    ratios = {}
    for who in ("officer", "staff"):
        base = median[("baseline", f"form_{who}_2023")]
        ratios[f"form_{who}"] = median[("this", f"form_{who}_2023")] / base
        ratios[f"reload_{who}"] = median[("this", f"reload_{who}_2023")] / base
    passed = all(r <= LIMIT for r in ratios.values())

    print("# Registration form: this version vs the baseline, one run\n")
    _common.print_machine_info()
    print(
        f"\nBaseline `{args.baseline}` in a git worktree; {args.rounds} alternating "
        f"rounds of {args.requests} requests per case; each figure is the median "
        "of the rounds' medians (Django test Client, SQLite, DEBUG off).\n"
    )
    print("| version | case | median (ms) |")
    print("|---|---|---|")
    for (name, case), value in sorted(median.items()):
        print(f"| {name} | {case} | {_common.ms(value)} |")
    print("\n| ratio (this ÷ baseline form, same user and year) | value | limit |")
    print("|---|---|---|")
    for name, value in ratios.items():
        print(f"| {name} | {value:.2f} | ≤ {LIMIT} |")
    print(f"\n**{'PASS' if passed else 'FAIL'}**")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "median_s": {f"{n}:{c}": v for (n, c), v in median.items()},
                    "ratios": ratios,
                    "pass": passed,
                },
                indent=2,
            )
        )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
