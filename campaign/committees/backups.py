"""Backup and restore of a whole installation: the PostgreSQL database and the
private files, with a manifest a restore is verified against.

A backup is a directory holding

* ``database.dump`` — ``pg_dump --format=custom`` of the database;
* ``private-files.tar`` — every file under ``PRIVATE_MEDIA_ROOT`` (uploads,
  evidence, generated reports, uploads kept for a form), paths relative to it;
* ``manifest.json`` — when and from what it was taken (versions of the code,
  Django, PostgreSQL and pg_dump; the last migration of each app), the row
  count of every table, the size and SHA-256 of every file and of the two
  files above;
* ``SHA256SUMS`` — the same checksums for ``sha256sum -c``.

The row counts and the dump come from one snapshot: the counts are read in a
``REPEATABLE READ`` transaction whose snapshot is exported and handed to
``pg_dump --snapshot``, so they describe exactly what was dumped even while
the site is in use. The files are archived after that snapshot (database
first, then files): a file uploaded meanwhile is in the archive without a
row, which is harmless; a file the dumped rows point at but which is gone
from the disk is listed in the manifest and reported.

A restore goes into a *fresh* database and an empty folder — never over
existing data — and is then verified: the row count of every table and the
SHA-256 of every file must equal the manifest's, and every file the restored
rows point at must be there. Used by ``manage.py backup`` and ``manage.py
restore``; imports no room of the campaign (the file columns come from the
app registry).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import stat
import subprocess
import tarfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

import django
import psycopg
from django.apps import apps
from django.conf import settings
from django.db import models
from psycopg import sql

FORMAT = "bcd138-backup/1"
DUMP_NAME = "database.dump"
ARCHIVE_NAME = "private-files.tar"
MANIFEST_NAME = "manifest.json"
SUMS_NAME = "SHA256SUMS"
CHUNK = 1024 * 1024

# libpq connection parameters that may come from DATABASE_URL's query string,
# and the environment variables pg_dump and pg_restore read them from.
LIBPQ_ENVIRONMENT = {
    "host": "PGHOST",
    "port": "PGPORT",
    "dbname": "PGDATABASE",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
}

# Tables and partitioned tables of the user's schemas (not the system's).
TABLES_QUERY = """
    SELECT n.nspname, c.relname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_toast%'
      AND n.nspname NOT LIKE 'pg\\_temp%'
    ORDER BY 1, 2
"""
# Tables, partitioned tables, views, materialised views, sequences, foreign
# tables: anything there means the database is not fresh.
RELATIONS_QUERY = """
    SELECT count(*)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_toast%'
      AND n.nspname NOT LIKE 'pg\\_temp%'
"""


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


# --- Connections ------------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    """Where a PostgreSQL database is, as libpq parameters (password included:
    never print ``params``, print ``label``)."""

    params: Mapping[str, str]

    @classmethod
    def from_settings(cls, db: Mapping[str, Any]) -> Database:
        engine = db.get("ENGINE", "")
        if "postgresql" not in engine:
            raise BackupError(
                f"The configured database is not PostgreSQL ({engine}): backups "
                "need DATABASE_URL=postgres://…"
            )
        params = {
            "dbname": db.get("NAME") or "",
            "user": db.get("USER") or "",
            "password": db.get("PASSWORD") or "",
            "host": db.get("HOST") or "",
            "port": str(db.get("PORT") or ""),
        }
        options = db.get("OPTIONS") or {}
        for key in LIBPQ_ENVIRONMENT:
            if key in options and options[key] not in (None, ""):
                params[key] = str(options[key])
        return cls({k: v for k, v in params.items() if v})

    @classmethod
    def from_url(cls, url: str) -> Database:
        import dj_database_url

        if not url.startswith(("postgres://", "postgresql://")):
            raise BackupError("--database-url must be a postgres://… URL.")
        return cls.from_settings(dj_database_url.parse(url))

    @property
    def name(self) -> str:
        return self.params.get("dbname", "")

    @property
    def label(self) -> str:
        host = self.params.get("host", "localhost")
        port = self.params.get("port", "5432")
        return f"{host}:{port}/{self.name}"

    def with_name(self, dbname: str) -> Database:
        return Database({**self.params, "dbname": dbname})

    def connect(self, **kwargs) -> psycopg.Connection:
        return psycopg.connect(**self.params, **kwargs)

    def environment(self) -> dict[str, str]:
        """The environment for pg_dump/pg_restore: this database's parameters
        as PG* variables (the password never on a command line), and none
        inherited that could point elsewhere."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        for key, value in self.params.items():
            env[LIBPQ_ENVIRONMENT[key]] = value
        return env


def server_version(conn: psycopg.Connection) -> tuple[str, int]:
    row = conn.execute(
        "SELECT current_setting('server_version'), "
        "current_setting('server_version_num')::int"
    ).fetchone()
    return row[0], row[1] // 10000


def user_tables(conn: psycopg.Connection) -> list[tuple[str, str]]:
    return [(schema, table) for schema, table in conn.execute(TABLES_QUERY)]


def row_counts(
    conn: psycopg.Connection, tables: Iterable[tuple[str, str]]
) -> dict[str, int]:
    counts = {}
    for schema, table in tables:
        query = sql.SQL("SELECT count(*) FROM {}.{}").format(
            sql.Identifier(schema), sql.Identifier(table)
        )
        counts[f"{schema}.{table}"] = conn.execute(query).fetchone()[0]
    return counts


def file_columns() -> list[tuple[str, str]]:
    """(table, column) of every file field of the installed models: the rows
    that point at private files."""
    columns = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        for model_field in meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                columns.append((meta.db_table, model_field.column))
    return sorted(set(columns))


def referenced_files(conn: psycopg.Connection) -> set[str]:
    """The file names the rows point at, in the connection's snapshot. A
    column that is not in this database (a newer code's field) is skipped."""
    existing = {
        (table, column)
        for table, column in conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        )
    }
    names: set[str] = set()
    for table, column in file_columns():
        if (table, column) not in existing:
            continue
        query = sql.SQL(
            "SELECT DISTINCT {col} FROM {table} WHERE {col} IS NOT NULL AND {col} <> ''"
        ).format(col=sql.Identifier(column), table=sql.Identifier(table))
        names.update(row[0] for row in conn.execute(query))
    return names


def applied_migrations(conn: psycopg.Connection) -> dict[str, str]:
    """The last migration applied of each app."""
    try:
        rows = conn.execute("SELECT app, name FROM django_migrations ORDER BY id")
    except psycopg.errors.UndefinedTable:
        return {}
    last: dict[str, str] = {}
    for app, name in rows:
        last[app] = name
    return dict(sorted(last.items()))


# --- Tools ------------------------------------------------------------------------

_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")


def tool_version(path: str) -> tuple[str, int]:
    out = subprocess.run(
        [path, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    match = _VERSION.search(out)
    if match is None:
        raise BackupError(f"Cannot read the version of {path}: {out!r}")
    return out, int(match.group(1))


def find_tool(name: str, *, minimum_major: int, pg_bin: str | None = None) -> str:
    """A ``pg_dump``/``pg_restore`` of major version ``minimum_major`` or newer
    (an older one refuses a newer server or archive): from ``--pg-bin``, else
    the PATH, else Debian's ``/usr/lib/postgresql/<major>/bin``."""
    candidates: list[str] = []
    if pg_bin:
        candidates.append(str(Path(pg_bin) / name))
    else:
        on_path = shutil.which(name)
        if on_path:
            candidates.append(on_path)
        candidates.extend(
            str(path)
            for path in sorted(
                Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
            )
        )
    found = []
    for candidate in candidates:
        if not os.access(candidate, os.X_OK):
            continue
        _text, major = tool_version(candidate)
        found.append(f"{candidate} ({major})")
        if major >= minimum_major:
            return candidate
    raise BackupError(
        f"No {name} of PostgreSQL {minimum_major} or newer was found "
        f"({', '.join(found) or 'none on the PATH'}). Install the PostgreSQL "
        f"{minimum_major} client (Debian: postgresql-client-{minimum_major}) or "
        "pass --pg-bin DIR."
    )


def code_version() -> dict[str, str]:
    """The application's version: the git commit when the checkout has one,
    and the version in pyproject.toml."""
    base = Path(settings.BASE_DIR)
    version: dict[str, str] = {}
    try:
        import tomllib

        with (base / "pyproject.toml").open("rb") as handle:
            version["version"] = tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, ValueError):
        pass
    if (base / ".git").exists() and shutil.which("git"):
        result = subprocess.run(
            ["git", "-C", str(base), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
        )
        if result.returncode == 0:
            version["commit"] = result.stdout.strip()
    return version


# --- Files ------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader:
    """Reads at most ``size`` bytes of ``handle``, hashing what it gives out:
    the archive and the manifest see the same bytes, even if the file grows
    while it is read."""

    def __init__(self, handle: IO[bytes], size: int):
        self.handle = handle
        self.remaining = size
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        if size < 0 or size > self.remaining:
            size = self.remaining
        data = self.handle.read(size)
        self.remaining -= len(data)
        self.digest.update(data)
        return data


def walk_files(root: Path) -> tuple[list[Path], list[str]]:
    """Regular files under ``root`` (sorted, relative), and what was skipped
    (links, sockets…: the app writes none)."""
    files: list[Path] = []
    skipped: list[str] = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(directory) / name
            relative = path.relative_to(root)
            mode = path.lstat().st_mode
            if stat.S_ISREG(mode):
                files.append(relative)
            else:
                skipped.append(relative.as_posix())
        for name in dirnames:
            if (Path(directory) / name).is_symlink():
                skipped.append((Path(directory) / name).relative_to(root).as_posix())
    return files, skipped


def archive_files(root: Path, archive: Path) -> tuple[list[dict], list[str]]:
    """Write every regular file under ``root`` into the tar ``archive``;
    returns the manifest entries (path, size, sha256) and the skipped paths."""
    entries = []
    files, skipped = walk_files(root) if root.exists() else ([], [])
    with tarfile.open(archive, "w", format=tarfile.PAX_FORMAT) as tar:
        for relative in files:
            path = root / relative
            with path.open("rb") as handle:
                info = tar.gettarinfo(fileobj=handle, arcname=relative.as_posix())
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                reader = _HashingReader(handle, info.size)
                tar.addfile(info, reader)
            entries.append(
                {
                    "path": relative.as_posix(),
                    "size": info.size,
                    "sha256": reader.digest.hexdigest(),
                }
            )
    return entries, skipped


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


# --- Backup -----------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    seconds: float


def backup_create(
    *,
    output: Path,
    media_root: Path,
    database: Database,
    pg_bin: str | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> BackupResult:
    """Take a backup into the new directory ``output`` (see the module)."""
    started = time.monotonic()
    output = output.absolute()
    if output.exists():
        raise BackupError(f"{output} exists already: give a new directory.")
    partial = output.with_name(output.name + ".partial")
    if partial.exists():
        raise BackupError(
            f"{partial} is left from a backup that did not finish: remove it first."
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    partial.mkdir(mode=0o700)
    try:
        manifest = _backup_into(partial, media_root, database, pg_bin, log)
        os.rename(partial, output)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return BackupResult(output, manifest, time.monotonic() - started)


def _backup_into(
    directory: Path,
    media_root: Path,
    database: Database,
    pg_bin: str | None,
    log: Callable[[str], None],
) -> dict:
    created_at = datetime.datetime.now(tz=datetime.UTC)
    dump_path = directory / DUMP_NAME
    with database.connect(autocommit=False) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        server_text, server_major = server_version(conn)
        pg_dump = find_tool("pg_dump", minimum_major=server_major, pg_bin=pg_bin)
        pg_dump_text, pg_dump_major = tool_version(pg_dump)
        tables = user_tables(conn)
        counts = row_counts(conn, tables)
        migrations = applied_migrations(conn)
        referenced = referenced_files(conn)
        log(
            f"Database {database.label} (PostgreSQL {server_text}): "
            f"{len(counts)} tables, {sum(counts.values())} rows; dumping…"
        )
        # The snapshot stays valid while this transaction is open.
        result = subprocess.run(
            [
                pg_dump,
                "--format=custom",
                "--no-password",
                f"--snapshot={snapshot}",
                f"--file={dump_path}",
                database.name,
            ],
            env=database.environment(),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        conn.rollback()
    os.chmod(dump_path, 0o600)
    _fsync(dump_path)

    log(f"Private files under {media_root}: archiving…")
    archive_path = directory / ARCHIVE_NAME
    entries, skipped = archive_files(media_root, archive_path)
    os.chmod(archive_path, 0o600)
    _fsync(archive_path)
    archived = {entry["path"] for entry in entries}
    missing = sorted(referenced - archived)

    manifest = {
        "format": FORMAT,
        "created_at": created_at.isoformat(timespec="seconds"),
        "versions": {
            **code_version(),
            "python": platform.python_version(),
            "django": django.get_version(),
            "psycopg": psycopg.__version__,
            "postgresql_server": server_text,
            "pg_dump": pg_dump_text,
            "pg_dump_major": pg_dump_major,
        },
        "database": {
            "name": database.name,
            "file": DUMP_NAME,
            "size": dump_path.stat().st_size,
            "sha256": sha256_of(dump_path),
            "tables": counts,
            "total_rows": sum(counts.values()),
            "migrations": migrations,
        },
        "files": {
            "media_root": str(media_root),
            "archive": ARCHIVE_NAME,
            "size": archive_path.stat().st_size,
            "sha256": sha256_of(archive_path),
            "count": len(entries),
            "total_bytes": sum(entry["size"] for entry in entries),
            "referenced_by_rows": len(referenced),
            "referenced_missing": missing,
            "skipped": skipped,
            "entries": entries,
        },
    }
    manifest_path = directory / MANIFEST_NAME
    manifest_path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    os.chmod(manifest_path, 0o600)
    sums = "".join(
        f"{sha256_of(directory / name)}  {name}\n"
        for name in (DUMP_NAME, ARCHIVE_NAME, MANIFEST_NAME)
    )
    (directory / SUMS_NAME).write_text(sums)
    os.chmod(directory / SUMS_NAME, 0o600)
    for name in (MANIFEST_NAME, SUMS_NAME):
        _fsync(directory / name)
    return manifest


# --- Restore ----------------------------------------------------------------------


@dataclass
class Check:
    """One line of the verification: what was compared and whether it held."""

    name: str
    ok: bool
    detail: str


@dataclass
class Verification:
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def add(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append(Check(name, ok, detail))


def manifest_read(backup: Path) -> dict:
    path = backup / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise BackupError(
            f"{path} is missing: not a backup, or one that did not finish."
        ) from None
    except ValueError as error:
        raise BackupError(f"{path} is not valid JSON: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"{path}: unknown backup format {manifest.get('format')!r} "
            f"(this version reads {FORMAT})."
        )
    return manifest


def backup_check(backup: Path, manifest: dict) -> Verification:
    """The backup's own files against its manifest (before anything is restored)."""
    result = Verification()
    for label, section in (("database dump", "database"), ("file archive", "files")):
        expected = manifest[section]
        path = backup / expected["file" if section == "database" else "archive"]
        if not path.exists():
            result.add(label, False, f"{path.name} is missing")
            continue
        actual = sha256_of(path)
        result.add(
            label,
            actual == expected["sha256"],
            f"{path.name}: SHA-256 {actual[:16]}…"
            + (
                " as in the manifest"
                if actual == expected["sha256"]
                else f" ≠ {expected['sha256'][:16]}… in the manifest (damaged)"
            ),
        )
    return result


def _database_exists_or_create(target: Database, create: bool) -> bool:
    """True if it had to be created."""
    try:
        with target.connect(autocommit=True):
            return False
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error) or not create:
            raise BackupError(
                f"Cannot connect to {target.label}: {str(error).strip()}"
                + ("" if create else " (--create-database creates a missing one)")
            ) from None
    try:
        with target.with_name("postgres").connect(autocommit=True) as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(
                    sql.Identifier(target.name)
                )
            )
    except psycopg.Error as error:
        raise BackupError(
            f"Cannot create the database {target.label}: {str(error).strip()}"
        ) from None
    return True


def _require_fresh_database(target: Database) -> None:
    with target.connect(autocommit=True) as conn:
        relations = conn.execute(RELATIONS_QUERY).fetchone()[0]
    if relations:
        raise BackupError(
            f"Refusing to restore into {target.label}: it is not empty "
            f"({relations} tables, views or sequences). Restore into a new, empty "
            "database (--create-database makes one)."
        )


def _require_empty_folder(media_root: Path) -> None:
    if media_root.exists() and (not media_root.is_dir() or any(media_root.iterdir())):
        raise BackupError(
            f"Refusing to restore the files into {media_root}: it is not an empty "
            "folder. Give a new or empty one."
        )


def backup_restore(
    *,
    backup: Path,
    target: Database,
    media_root: Path,
    create_database: bool = False,
    pg_bin: str | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> Verification:
    """Restore ``backup`` into the fresh database ``target`` and the empty
    folder ``media_root``, then verify it (see ``restore_verify``). Nothing
    is touched unless the backup's checksums hold and both targets are fresh."""
    manifest = manifest_read(backup)
    checked = backup_check(backup, manifest)
    if not checked.ok:
        return checked
    media_root = media_root.absolute()
    _require_empty_folder(media_root)
    created = _database_exists_or_create(target, create_database)
    if created:
        log(f"Database {target.label} created.")
    _require_fresh_database(target)
    pg_restore = find_tool(
        "pg_restore",
        minimum_major=int(manifest["versions"].get("pg_dump_major", 0)),
        pg_bin=pg_bin,
    )
    log(f"Restoring the database into {target.label}…")
    result = subprocess.run(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            f"--dbname={target.name}",
            str(backup / manifest["database"]["file"]),
        ],
        env=target.environment(),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    log(f"Restoring the files into {media_root}…")
    try:
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(backup / manifest["files"]["archive"]) as tar:
            # "data": no absolute paths, no links out, no devices, no owners.
            tar.extractall(media_root, filter="data")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(
            f"The database was restored into {target.label}, but the files could "
            f"not be unpacked into {media_root}: {error}"
        ) from None
    verification = restore_verify(
        manifest=manifest, target=target, media_root=media_root
    )
    verification.checks[:0] = checked.checks
    return verification


def restore_verify(
    *, manifest: dict, target: Database, media_root: Path
) -> Verification:
    """Compare a restored database and folder with the manifest: the row count
    of every table, the size and SHA-256 of every file (none missing, none
    extra), and the files the rows point at."""
    result = Verification()
    with target.connect(autocommit=False) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        counts = row_counts(conn, user_tables(conn))
        referenced = referenced_files(conn)
        migrations = applied_migrations(conn)
        conn.rollback()
    expected_counts = manifest["database"]["tables"]
    differing = [
        f"{table}: {counts.get(table, 'missing')} ≠ {expected}"
        for table, expected in expected_counts.items()
        if counts.get(table) != expected
    ]
    equal_tables = len(expected_counts) - len(differing)
    differing.extend(
        f"{table}: not in the backup"
        for table in sorted(set(counts) - set(expected_counts))
    )
    result.add(
        "row counts",
        not differing,
        f"{equal_tables}/{len(expected_counts)} tables equal, "
        f"{sum(counts.values())} rows (backup: {manifest['database']['total_rows']})"
        + ("; " + "; ".join(differing[:10]) if differing else ""),
    )

    expected_files = {entry["path"]: entry for entry in manifest["files"]["entries"]}
    present, _skipped = walk_files(media_root) if media_root.exists() else ([], [])
    present_names = {path.as_posix() for path in present}
    problems = []
    for name, entry in expected_files.items():
        if name not in present_names:
            problems.append(f"{name}: missing")
            continue
        path = media_root / PurePosixPath(name)
        size = path.stat().st_size
        if size != entry["size"]:
            problems.append(f"{name}: {size} bytes ≠ {entry['size']}")
        elif sha256_of(path) != entry["sha256"]:
            problems.append(f"{name}: SHA-256 differs")
    equal_files = len(expected_files) - len(problems)
    problems.extend(
        f"{name}: not in the backup"
        for name in sorted(present_names - set(expected_files))
    )
    result.add(
        "files (SHA-256)",
        not problems,
        f"{equal_files}/{len(expected_files)} files equal, "
        f"{manifest['files']['total_bytes']} bytes"
        + ("; " + "; ".join(problems[:10]) if problems else ""),
    )

    missing = sorted(referenced - present_names)
    known = set(manifest["files"].get("referenced_missing", []))
    result.add(
        "files the rows point at",
        set(missing) <= known,
        f"{len(referenced) - len(missing)}/{len(referenced)} present"
        + (f"; missing: {', '.join(missing[:10])}" if missing else ""),
    )
    if known:
        result.notes.append(
            f"{len(known)} file(s) the rows point at were already missing when the "
            f"backup was taken: {', '.join(sorted(known)[:10])}"
        )
    if migrations != manifest["database"].get("migrations", migrations):
        result.notes.append(
            "The restored database's migrations differ from the manifest's."
        )
    return result


def pending_migrations(applied: Mapping[str, str]) -> list[str]:
    """Apps whose latest migration in this code is not the one applied in the
    backup (the restored database needs ``migrate`` before the app runs)."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    leaves: dict[str, str] = {}
    for app, name in loader.graph.leaf_nodes():
        leaves[app] = name
    return sorted(app for app, name in leaves.items() if applied.get(app) != name)
