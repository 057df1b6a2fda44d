from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils import timezone

from campaign.committees.access import SYSTEM
from reporting.choices import ReportKind
from reporting.services import report_build_pdf


class Command(BaseCommand):
    help = (
        "Render a report synchronously, through the same kind registry and "
        "templates as the worker, as the system (the whole province), e.g. "
        "render_report phase_progress --phase 2023-2025 --as-of 2025-12-31 "
        "--output report.pdf"
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ReportKind.values)
        parser.add_argument("--as-of", default=None, help="YYYY-MM-DD (default: today)")
        parser.add_argument("--phase", default=None, help="e.g. 2023-2025")
        parser.add_argument(
            "--scope",
            type=int,
            default=None,
            help="id of a committee: its report instead of the province's",
        )
        parser.add_argument("--language", choices=("vi", "en"), default="vi")
        parser.add_argument(
            "--archival", action="store_true", help="PDF/A-3b, for the archive"
        )
        parser.add_argument("--output", required=True, help="Where to write the PDF.")

    def handle(
        self, *args, kind, as_of, phase, scope, language, archival, output, **options
    ):
        data = {
            "as_of": as_of or timezone.localdate().isoformat(),
            "language": language,
        }
        if phase:
            data["phase"] = phase
        if scope is not None:
            data["scope"] = str(scope)
        if archival:
            data["archival"] = "on"
        try:
            pdf, params = report_build_pdf(kind=kind, data=data, by=SYSTEM)
        except ValidationError as error:
            raise CommandError(_messages(error)) from None
        except Http404:
            raise CommandError("No such phase or committee.") from None
        path = Path(output)
        path.write_bytes(pdf)
        self.stdout.write(self.style.SUCCESS(f"Wrote {path} ({len(pdf):,} bytes)."))


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}"
            for field, messages in error.message_dict.items()
        )
    return "; ".join(error.messages)
