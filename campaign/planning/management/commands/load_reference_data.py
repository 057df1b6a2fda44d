from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaign.planning.services.reference_data import (
    REFERENCE_DATA_FILE,
    ReferenceDataError,
    reference_data_load,
    reference_data_read,
)


class Command(BaseCommand):
    help = (
        "Load the reference data (legal documents, the plan with its programmes, "
        "phases and targets, the steering committees before and after 1 July "
        "2025) from a versioned file. Run `load_areas` first. Safe to run again: "
        "rows that exist are kept as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            type=Path,
            default=REFERENCE_DATA_FILE,
            help="The data file (default: the one shipped with the application).",
        )

    def handle(self, *args, file: Path, **options):
        try:
            result = reference_data_load(data=reference_data_read(file))
        except ReferenceDataError as error:
            lines = "\n".join(f"  - {problem}" for problem in error.problems)
            raise CommandError(
                f"{file.name} was not loaded; nothing was changed:\n{lines}"
            ) from None
        created = ", ".join(
            f"{kind} {count}" for kind, count in sorted(result.created.items())
        )
        self.stdout.write(
            f"Reference data {result.version}: created {created or 'nothing'}; "
            f"{result.kept} already present and kept."
        )
        for difference in result.differences:
            self.stdout.write(f"  differs: {difference}")
