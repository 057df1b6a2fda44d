"""Trigram indexes on the folded names of areas, organisations and ward police (PostgreSQL only).

Searches read them with ``__contains`` (``LIKE '%word%'``), which no btree index
serves: without these indexes PostgreSQL reads the whole table. A GIN index with
``gin_trgm_ops`` (pg_trgm) gives a bitmap index scan instead. SQLite keeps the
plain LIKE: the operations do nothing there, and Django's migration state does
not know these indexes (SQLite could not create them), so makemigrations stays
quiet.
"""

from django.db import migrations

# (index, table, column)
INDEXES = (
    ("units_area_search_name_trgm", "units_area", "search_name"),
    ("units_organisation_search_name_trgm", "units_organisation", "search_name"),
    ("units_wardpolice_search_name_trgm", "units_wardpolice", "search_name"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may
    # create it. It is left in place on the way back: other apps' indexes use it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin ("{column}" gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("units", "0004_ward_police"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
