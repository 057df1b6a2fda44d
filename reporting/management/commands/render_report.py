from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reporting.choices import ReportKind
from reporting.services import report_build_pdf


class Command(BaseCommand):
    help = "Render a report synchronously, through the same service as the worker."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ReportKind.values)
        parser.add_argument("--as-of", default=None, help="YYYY-MM-DD (default: today)")
        parser.add_argument("--output", required=True, help="Where to write the PDF.")

    def handle(self, *args, kind, as_of, output, **options):
        params = {"as_of": as_of or timezone.localdate().isoformat()}
        try:
            pdf = report_build_pdf(
                kind=kind, params=params, issued_on=timezone.localdate()
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        path = Path(output)
        path.write_bytes(pdf)
        self.stdout.write(self.style.SUCCESS(f"Wrote {path} ({len(pdf):,} bytes)."))
