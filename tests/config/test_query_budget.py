"""A query budget for every page: each GET URL of the access matrix, as each
persona allowed to open it, runs exactly the number of queries committed in
``tests/config/query_counts.json``, with the base data and with ten times it.

More queries than the baseline fail (a page got slower); fewer fail too,
asking for the baseline to be refreshed, so that it always tells the truth.
``UPDATE_QUERY_COUNTS=1`` rewrites the file with today's counts and passes.

A count that differs between PostgreSQL and SQLite is stored per backend:
``{"postgresql": 9, "sqlite": 10}``; refreshing on one backend keeps the
other's figure.

The counts are those of ``AccessMatrixTests.query_counts``. Its test of ten
times the data already measures them at both scales in the same process:
this module records that measurement and reuses it instead of measuring
again; run alone, the test measures for itself.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

from django.db import connection
from django.test import SimpleTestCase, TestCase

from campaign.registrations.models import Registration
from tests.config import test_access_matrix as matrix

BASELINE = Path(__file__).with_name("query_counts.json")
UPDATE = os.environ.get("UPDATE_QUERY_COUNTS", "") in {"1", "true", "yes"}
BACKENDS = ("postgresql", "sqlite")
TEN_TIMES_TEST = "test_every_page_runs_as_many_queries_with_ten_times_the_data"

# (test id) -> the counts its calls of query_counts() returned, in order.
MEASURED: dict[str, list[dict[tuple[str, str], int]]] = {}
_query_counts = matrix.AccessMatrixTests.query_counts


@functools.wraps(_query_counts)
def _recording_query_counts(self):
    counts = _query_counts(self)
    MEASURED.setdefault(self.id(), []).append(counts)
    return counts


matrix.AccessMatrixTests.query_counts = _recording_query_counts


def key(name: str, persona: str) -> str:
    return f"{name} {persona}"


def load_baseline() -> dict[str, int | dict[str, int]]:
    if not BASELINE.exists():
        return {}
    return json.loads(BASELINE.read_text(encoding="utf-8"))


def expected_count(entry: int | dict[str, int] | None, backend: str) -> int | None:
    if isinstance(entry, dict):
        return entry.get(backend)
    return entry


def updated_baseline(
    old: dict[str, int | dict[str, int]], now: dict[str, int], backend: str
) -> dict[str, int | dict[str, int]]:
    """Today's counts on this backend; the other backends keep their figure
    (a plain number held for every backend); one number when all agree.
    Pages no longer measured are dropped."""
    new: dict[str, int | dict[str, int]] = {}
    for name, count in now.items():
        entry = old.get(name)
        per_backend = (
            dict(entry)
            if isinstance(entry, dict)
            else {b: entry for b in BACKENDS}
            if entry is not None
            else {}
        )
        per_backend[backend] = count
        values = set(per_backend.values())
        new[name] = (
            values.pop() if len(values) == 1 else dict(sorted(per_backend.items()))
        )
    return new


def dump_baseline(baseline: dict[str, int | dict[str, int]]) -> str:
    """Sorted keys, one entry per line: a change is one line in a diff."""
    lines = [
        f"  {json.dumps(name)}: {json.dumps(baseline[name], sort_keys=True)}"
        for name in sorted(baseline)
    ]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def compare(
    baseline: dict[str, int | dict[str, int]],
    scales: dict[str, dict[str, int]],
    backend: str,
) -> tuple[list[str], list[str], list[str]]:
    """(above, below, missing): one line per (URL, persona, scale)."""
    above, below, missing = [], [], []
    for scale, counts in scales.items():
        for name, count in sorted(counts.items()):
            expected = expected_count(baseline.get(name), backend)
            if expected is None:
                missing.append(f"{name}: not in the baseline, now {count} ({scale})")
            elif count > expected:
                above.append(f"{name}: baseline {expected}, now {count} ({scale})")
            elif count < expected:
                below.append(f"{name}: baseline {expected}, now {count} ({scale})")
    return above, below, missing


class QueryBudgetTests(TestCase):
    """Borrows the access matrix's fixture and helpers (not its tests)."""

    url = matrix.AccessMatrixTests.url
    login = matrix.AccessMatrixTests.login
    query_counts = _query_counts

    def measure(self) -> dict[str, dict[str, int]]:
        """The counts with the base data and with ten times it: those the
        access matrix's test measured in this process, or measured here."""
        matrix_tests = matrix.AccessMatrixTests
        ten_times_id = ".".join(
            (matrix_tests.__module__, matrix_tests.__qualname__, TEN_TIMES_TEST)
        )
        runs = MEASURED.get(ten_times_id, [])
        if len(runs) != 2:
            self.o = matrix.Objects()
            self.o.store_files()
            runs = [self.query_counts()]
            rows = Registration.objects.count()
            matrix.grow(self.o, factor=10)
            self.assertGreaterEqual(Registration.objects.count(), 10 * rows)
            runs.append(self.query_counts())
        base, ten_times = runs
        return {
            "base data": {key(*k): v for k, v in base.items()},
            "ten times the data": {key(*k): v for k, v in ten_times.items()},
        }

    def test_every_page_runs_the_queries_of_its_baseline(self):
        backend = connection.vendor
        scales = self.measure()
        baseline = load_baseline()
        if UPDATE:
            base, ten_times = scales.values()
            grows = sorted(k for k in base if base[k] != ten_times.get(k))
            BASELINE.write_text(
                dump_baseline(updated_baseline(baseline, ten_times, backend)),
                encoding="utf-8",
            )
            self.assertEqual(
                grows,
                [],
                "written, but these pages' queries grow with the data: "
                "they can have no budget until fixed",
            )
            return
        above, below, missing = compare(baseline, scales, backend)
        refresh = (
            f"UPDATE_QUERY_COUNTS=1 rewrites {BASELINE.name} (on {backend}; "
            "run it on PostgreSQL and on SQLite)."
        )
        problems = []
        if above:
            problems.append(
                f"More queries than the baseline on {backend}:\n  " + "\n  ".join(above)
            )
        if below:
            problems.append(
                f"Fewer queries than the baseline on {backend} (good: refresh it "
                "so that it stays true):\n  " + "\n  ".join(below)
            )
        if missing:
            problems.append(
                "Pages missing from the baseline:\n  " + "\n  ".join(missing)
            )
        stale = sorted(set(baseline) - set(scales["base data"]))
        if stale:
            problems.append(
                "In the baseline but no longer measured:\n  " + "\n  ".join(stale)
            )
        if problems:
            self.fail("\n".join([*problems, refresh]))


class BaselineFileTests(SimpleTestCase):
    def test_a_refresh_keeps_the_other_backends_figure(self):
        old = {"home a": 10, "home b": {"postgresql": 8, "sqlite": 9}, "gone x": 1}
        new = updated_baseline(old, {"home a": 11, "home b": 8, "new c": 4}, "sqlite")
        self.assertEqual(
            new,
            {"home a": {"postgresql": 10, "sqlite": 11}, "home b": 8, "new c": 4},
        )

    def test_the_file_has_sorted_keys_one_entry_per_line(self):
        text = dump_baseline({"b x": 2, "a y": {"sqlite": 3, "postgresql": 1}})
        self.assertEqual(
            text,
            '{\n  "a y": {"postgresql": 1, "sqlite": 3},\n  "b x": 2\n}\n',
        )
        self.assertEqual(
            json.loads(text), {"a y": {"postgresql": 1, "sqlite": 3}, "b x": 2}
        )
