"""Trigram indexes on the folded names of assessments and commendation recipients (PostgreSQL only).

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
    (
        "assessments_assessment_search_name_trgm",
        "assessments_assessment",
        "search_name",
    ),
    (
        "assessments_commendation_recipient_trgm",
        "assessments_commendation",
        "recipient_search",
    ),
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
        ("assessments", "0002_commendation_recipient_search"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
