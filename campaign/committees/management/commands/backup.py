from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from campaign.committees.backups import BackupError, Database, backup_create


class Command(BaseCommand):
    help = (
        "Back up the installation into a new directory: pg_dump (custom format) of "
        "the configured PostgreSQL database, a tar of the private files "
        "(PRIVATE_MEDIA_ROOT: uploads and generated reports) and a manifest (row "
        "count of every table, SHA-256 of every file, versions, time) that "
        "`manage.py restore` verifies a restore against. Consistent while the site "
        "runs: the counts and the dump come from one database snapshot."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            required=True,
            type=Path,
            help="The backup directory to create (must not exist), e.g. "
            "backups/2026-12-03T0200.",
        )
        parser.add_argument(
            "--pg-bin",
            help="Directory of the pg_dump to use (default: the PATH, then "
            "/usr/lib/postgresql/<major>/bin); its major version must be the "
            "server's or newer.",
        )

    def handle(self, *args, output: Path, pg_bin: str | None, **options):
        def log(message: str) -> None:
            if options["verbosity"] >= 1:
                self.stdout.write(message)

        try:
            result = backup_create(
                output=output,
                media_root=Path(settings.PRIVATE_MEDIA_ROOT),
                database=Database.from_settings(connection.settings_dict),
                pg_bin=pg_bin,
                log=log,
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        except psycopg.Error as error:
            # A database that does not answer, a refused password…
            raise CommandError(f"PostgreSQL: {str(error).strip()}") from None
        database, files = result.manifest["database"], result.manifest["files"]
        for name in files["skipped"]:
            self.stderr.write(
                self.style.WARNING(f"Skipped (not a regular file): {name}")
            )
        if files["referenced_missing"]:
            self.stderr.write(
                self.style.WARNING(
                    f"{len(files['referenced_missing'])} file(s) the rows point at are "
                    "missing from PRIVATE_MEDIA_ROOT (listed in the manifest): "
                    + ", ".join(files["referenced_missing"][:10])
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup {result.path}: {len(database['tables'])} tables, "
                f"{database['total_rows']} rows ({database['size']} bytes dumped); "
                f"{files['count']} files, {files['total_bytes']} bytes; "
                f"{result.seconds:.1f} s."
            )
        )
