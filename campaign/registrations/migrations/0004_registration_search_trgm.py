"""Trigram indexes on the registrations' folded search columns (PostgreSQL only).

The list's search is ``search_name LIKE '%word%'`` (every word) or
``contact_search LIKE '%phrase%'``: without an index PostgreSQL reads the whole
table for the count and again for the page. A GIN index with ``gin_trgm_ops``
(pg_trgm) serves LIKE with a leading wildcard (a bitmap index scan). SQLite
keeps the plain LIKE: the operations do nothing there, and Django's migration
state does not know these indexes (no Meta.indexes entry, which SQLite could
not create), so makemigrations stays quiet.
"""

from django.db import migrations

# (index, table, column)
INDEXES = (
    ("registration_search_name_trgm", "registrations_registration", "search_name"),
    ("registration_contact_trgm", "registrations_registration", "contact_search"),
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
        ("registrations", "0003_registration_list_order"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
