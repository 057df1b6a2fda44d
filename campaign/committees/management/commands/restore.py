from pathlib import Path

import psycopg
from django.core.management.base import BaseCommand, CommandError

from campaign.committees.backups import (
    BackupError,
    Database,
    backup_restore,
    manifest_read,
    pending_migrations,
    restore_verify,
)


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into a NEW, empty PostgreSQL "
        "database and an empty folder, then verify it: the row count of every table "
        "and the SHA-256 of every file must equal the manifest's. Refuses a "
        "non-empty database or folder. With --verify-only, only compares an "
        "existing restore with the manifest. Exit status 1 when a check fails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", dest="backup", required=True, type=Path, help="Backup directory."
        )
        parser.add_argument(
            "--database-url",
            required=True,
            help="postgres://user:password@host:5432/name of the database to "
            "restore into (new or empty; never printed).",
        )
        parser.add_argument(
            "--media-root",
            required=True,
            type=Path,
            help="Folder for the private files (new or empty); then point "
            "PRIVATE_MEDIA_ROOT at it.",
        )
        parser.add_argument(
            "--create-database",
            action="store_true",
            help="Create the database if it does not exist (the user needs CREATEDB).",
        )
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help="Restore nothing: compare the database and folder with the manifest.",
        )
        parser.add_argument(
            "--pg-bin", help="Directory of the pg_restore to use (default: the PATH)."
        )

    def handle(
        self, *args, backup: Path, database_url: str, media_root: Path, **options
    ):
        def log(message: str) -> None:
            if options["verbosity"] >= 1:
                self.stdout.write(message)

        try:
            target = Database.from_url(database_url)
            manifest = manifest_read(backup)
            log(
                f"Backup {backup} of {manifest['created_at']}: "
                f"{len(manifest['database']['tables'])} tables, "
                f"{manifest['database']['total_rows']} rows, "
                f"{manifest['files']['count']} files."
            )
            if options["verify_only"]:
                result = restore_verify(
                    manifest=manifest, target=target, media_root=media_root.absolute()
                )
            else:
                result = backup_restore(
                    backup=backup,
                    target=target,
                    media_root=media_root,
                    create_database=options["create_database"],
                    pg_bin=options["pg_bin"],
                    log=log,
                )
        except BackupError as error:
            raise CommandError(str(error)) from None
        except psycopg.Error as error:
            # A database that does not answer, a refused password…
            raise CommandError(f"PostgreSQL: {str(error).strip()}") from None

        for check in result.checks:
            mark = self.style.SUCCESS("PASS") if check.ok else self.style.ERROR("FAIL")
            self.stdout.write(f"{mark}  {check.name}: {check.detail}")
        for note in result.notes:
            self.stdout.write(self.style.WARNING(f"Note: {note}"))
        if not result.ok:
            raise CommandError(
                f"Restore of {backup} into {target.label} FAILED verification."
            )
        behind = pending_migrations(manifest["database"].get("migrations", {}))
        if behind and not options["verify_only"]:
            self.stdout.write(
                self.style.WARNING(
                    "This code has newer migrations than the backup for: "
                    f"{', '.join(behind)}. Run `manage.py migrate` against the "
                    "restored database before starting the application."
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restore of {backup} into {target.label} and {media_root}: "
                "verified, PASS."
            )
        )
