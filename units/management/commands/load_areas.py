from pathlib import Path

from django.core.management.base import BaseCommand

from units.services import AREA_DATA_FILE, area_data_read, areas_load


class Command(BaseCommand):
    help = (
        "Load An Giang's administrative areas (2023 state, the 2025-01-01 merge and "
        "the 2025-07-01 reform) from the versioned data file. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", default=str(AREA_DATA_FILE), help="Data file (JSON)."
        )

    def handle(self, *args, **options):
        result = areas_load(data=area_data_read(Path(options["file"])))
        self.stdout.write(
            self.style.SUCCESS(
                f"Areas {result.version}: {result.created} created, {result.updated} "
                f"updated, {result.unchanged} unchanged; "
                f"{result.successions_created} successions added."
            )
        )
