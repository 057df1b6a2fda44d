"""``manage.py campaign_progress``: the target engine for operators and scripts."""

from __future__ import annotations

import datetime
import json
import re

from django.core.management.base import BaseCommand, CommandError

from campaign.assessments.selectors.progress import campaign_progress

COLUMNS = ("target", "grouping", "year", "required", "achieved", "gap", "on_track")


def _phase(value: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})\s*[-–]\s*(\d{4})", value or "")
    if not match or int(match[1]) > int(match[2]):
        raise CommandError(
            f"--phase {value!r}: write the first and last years, e.g. 2023-2025"
        )
    return int(match[1]), int(match[2])


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of {value!r}: write a date as YYYY-MM-DD") from None


class Command(BaseCommand):
    help = (
        "Print, per target, grouping and year, the required count, the achieved "
        "count, the gap and whether the campaign is on track."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--phase", help="Only the targets of this phase, e.g. 2023-2025."
        )
        parser.add_argument(
            "--as-of", dest="as_of", help="The date to count on (default: today)."
        )
        parser.add_argument(
            "--format", choices=("table", "json"), default="table", dest="fmt"
        )

    def handle(self, *args, phase=None, as_of=None, fmt="table", **options):
        progress = campaign_progress(
            as_of=_day(as_of) if as_of else None,
            phase=_phase(phase) if phase else None,
        )
        rows = [row.as_dict() for row in progress.rows]
        if fmt == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("No target in that phase up to that date.")
            return
        cells = [
            [
                str(row[c]).lower() if isinstance(row[c], bool) else str(row[c])
                for c in COLUMNS
            ]
            for row in rows
        ]
        widths = [
            max(len(c), *(len(line[i]) for line in cells))
            for i, c in enumerate(COLUMNS)
        ]
        numeric = {"year", "required", "achieved", "gap"}

        def line(values):
            return "  ".join(
                v.rjust(w) if COLUMNS[i] in numeric else v.ljust(w)
                for i, (v, w) in enumerate(zip(values, widths, strict=True))
            ).rstrip()

        self.stdout.write(line(COLUMNS))
        self.stdout.write(line(["-" * w for w in widths]))
        for values in cells:
            self.stdout.write(line(values))
        self.stdout.write(f"As of {progress.as_of:%Y-%m-%d}.")
