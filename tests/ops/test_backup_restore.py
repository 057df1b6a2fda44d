"""`manage.py backup` and `manage.py restore`: a real pg_dump of the test
database and its private files, restored into a fresh database and folder,
then verified (row counts and the SHA-256 of every file) — and what a damaged
file, a damaged backup or a non-empty target does."""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from psycopg import sql

from campaign.committees.backups import ARCHIVE_NAME, MANIFEST_NAME, Database
from reporting import services as report_services
from reporting.choices import ReportStatus
from reporting.models import ReportJob
from tests.factories import Personas
from tests.services import ROOT, require_postgresql
from tests.services import test_database_url as database_url_of_tests

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def restore_target():
    """The URL of a database that does not exist yet; dropped afterwards."""
    require_postgresql()
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    url = database_url_of_tests().rsplit("/", 1)[0] + f"/{name}"
    yield url
    maintenance = Database.from_url(url).with_name("postgres")
    with maintenance.connect(autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=out)
    return out.getvalue()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): sha256(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def counts(url: str) -> dict[str, int]:
    with Database.from_url(url).connect() as conn:
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        return {
            table: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for (table,) in tables
        }


def done_report(staff) -> ReportJob:
    """A report rendered by the pipeline (WeasyPrint), its PDF stored with
    its SHA-256 on the row."""
    job = ReportJob.objects.create(
        kind="area_catalogue",
        params={"as_of": "2023-06-30", "language": "vi"},
        requested_by=staff,
        enqueued_at=timezone.now(),
    )
    job = report_services.report_job_run(job_id=job.pk)
    assert job.status == ReportStatus.DONE, job.error
    return job


def test_the_demo_with_its_files_is_restored_into_a_fresh_database_and_folder(
    settings, tmp_path, restore_target
):
    require_postgresql()
    settings.DEMO_PASSWORD = "demo-password-138"
    run("seed_demo", "--force")
    job = done_report(Personas().staff)
    # A file no row points at (a kept upload) and a Vietnamese name.
    kept = settings.PRIVATE_MEDIA_ROOT / "pending" / "Báo cáo tổng hợp.pdf"
    kept.parent.mkdir(exist_ok=True)
    kept.write_bytes(b"%PDF-1.7 kept")
    source_files = tree(settings.PRIVATE_MEDIA_ROOT)
    assert len(source_files) >= 30
    assert any(name.startswith("reports/") for name in source_files)
    assert any(name.startswith("evidence/") for name in source_files)
    assert any(name.startswith("registrations/") for name in source_files)
    source_counts = counts(database_url_of_tests())

    backup = tmp_path / "backups" / "first"
    output = run("backup", "--output", str(backup))
    assert f"Backup {backup}" in output
    assert sorted(p.name for p in backup.iterdir()) == [
        "SHA256SUMS",
        "database.dump",
        MANIFEST_NAME,
        ARCHIVE_NAME,
    ]
    manifest = json.loads((backup / MANIFEST_NAME).read_text())
    assert (
        manifest["database"]["tables"]["public.committees_user"]
        == (source_counts["committees_user"])
    )
    assert {e["path"]: e["sha256"] for e in manifest["files"]["entries"]} == (
        source_files
    )
    assert manifest["files"]["referenced_missing"] == []
    assert manifest["versions"]["django"] and manifest["versions"]["pg_dump"]
    assert manifest["database"]["migrations"]["reporting"]
    # sha256sum -c works on the backup as it is.
    check = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=backup, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr

    media = tmp_path / "restored-files"
    output = run(
        "restore",
        "--from",
        str(backup),
        "--database-url",
        restore_target,
        "--media-root",
        str(media),
        "--create-database",
    )
    assert "FAIL" not in output
    assert "PASS  row counts" in output
    assert "PASS  files (SHA-256)" in output
    assert "verified, PASS." in output
    assert "postgres@" not in output  # the URL is never printed, only host/name

    # Independently of the command: equal counts, equal files.
    assert counts(restore_target) == source_counts
    assert tree(media) == source_files
    # The restored rows point at the restored files: the report's PDF has the
    # SHA-256 its row recorded when it was rendered.
    with Database.from_url(restore_target).connect() as conn:
        name, digest = conn.execute(
            "SELECT file, sha256 FROM reporting_reportjob WHERE id = %s", [job.pk]
        ).fetchone()
    assert sha256(media / name) == digest == job.sha256
    # The restored database is the schema this code expects.
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--check"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": restore_target,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
        },
        capture_output=True,
        text=True,
    )
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr


def test_damage_is_detected_and_a_non_empty_target_is_refused(
    settings, tmp_path, restore_target
):
    require_postgresql()
    job = done_report(Personas().staff)
    (settings.PRIVATE_MEDIA_ROOT / "evidence").mkdir()
    (settings.PRIVATE_MEDIA_ROOT / "evidence" / "a.png").write_bytes(b"\x89PNG" * 50)
    backup = tmp_path / "backup"
    run("backup", "--output", str(backup))
    media = tmp_path / "restored"
    args = ["--from", str(backup), "--database-url", restore_target]
    run("restore", *args, "--media-root", str(media), "--create-database")

    # A restored file changed afterwards: the verification names it.
    victim = media / job.file.name
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    out = io.StringIO()
    with pytest.raises(CommandError, match="FAILED verification"):
        call_command(
            "restore", *args, "--media-root", str(media), "--verify-only", stdout=out
        )
    assert "FAIL  files (SHA-256): 1/2 files equal" in out.getvalue()
    assert f"{job.file.name}: SHA-256 differs" in out.getvalue()
    assert "PASS  row counts" in out.getvalue()

    # A file gone and a row more: both are named.
    victim.unlink()
    with Database.from_url(restore_target).connect() as conn:
        conn.execute("DELETE FROM reporting_reportjob")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "restore", *args, "--media-root", str(media), "--verify-only", stdout=out
        )
    assert f"{job.file.name}: missing" in out.getvalue()
    assert "public.reporting_reportjob: 0 ≠ 1" in out.getvalue()

    # Restoring over the restored (non-empty) database is refused, and so is a
    # non-empty folder — before anything is written.
    with pytest.raises(CommandError, match="Refusing to restore into .*not empty"):
        run("restore", *args, "--media-root", str(tmp_path / "new"))
    assert not (tmp_path / "new").exists()
    with pytest.raises(CommandError, match="Refusing to restore the files"):
        run("restore", *args, "--media-root", str(media))

    # A damaged backup is refused before anything is touched.
    archive = backup / ARCHIVE_NAME
    data = bytearray(archive.read_bytes())
    data[600] ^= 0xFF
    archive.write_bytes(bytes(data))
    other = restore_target + "_x"
    out = io.StringIO()
    with pytest.raises(CommandError, match="FAILED verification"):
        call_command(
            "restore",
            "--from",
            str(backup),
            "--database-url",
            other,
            "--media-root",
            str(tmp_path / "never"),
            "--create-database",
            stdout=out,
        )
    assert "FAIL  file archive: private-files.tar" in out.getvalue()
    assert "(damaged)" in out.getvalue()
    assert not (tmp_path / "never").exists()
    with pytest.raises(psycopg.OperationalError, match="does not exist"):
        Database.from_url(other).connect().close()


def test_a_backup_directory_is_never_overwritten(settings, tmp_path):
    require_postgresql()
    existing = tmp_path / "taken"
    existing.mkdir()
    with pytest.raises(CommandError, match="exists already"):
        run("backup", "--output", str(existing))
