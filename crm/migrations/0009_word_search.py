"""Contact and lead search by the start of words instead of substrings
(``crm.generic.search``): an FTS5 word index on SQLite, a GIN index on a
word ``tsvector`` on PostgreSQL. Replaces the trigram indexes of 0004.

No table is rebuilt (the count triggers of 0007 stay in place)."""
from importlib import import_module

from django.db import migrations

from crm.generic.search import PG_WORDS_DROP, WordIndex

# As crm.models.contacts.CONTACT_SEARCH_INDEX was when this migration was written.
INDEX = WordIndex(source="crm_businesscontact", table="crm_businesscontact_words",
                  columns=("full_name", "company_name", "email"), pg_function="crm_contact_words",
                  pg_partitions=("NOT is_lead", "is_lead"), pg_filter_columns=("assigned_to_id",))

# The trigram search of 0004, to drop (or to restore when going back).
TRIGRAM = import_module("crm.migrations.0004_contact_search")


def _pg_collation(connection) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu'")
        return "und-x-icu" if cursor.fetchone() else "default"


def _pg_extension(connection, name: str, create: bool = False) -> bool:
    """Whether extension ``name`` is installed (with ``create``: installed now if
    the server has it; btree_gin and pg_trgm are trusted extensions, so the
    database's owner may install them)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = %s", [name])
        if cursor.fetchone() is not None:
            return True
        if not create:
            return False
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = %s", [name])
        if cursor.fetchone() is None:
            return False
        cursor.execute(f"CREATE EXTENSION IF NOT EXISTS {name}")
        return True


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        statements = TRIGRAM.SQLITE_BACKWARDS + INDEX.sqlite_create()
    elif connection.vendor == "postgresql":
        btree_gin = _pg_extension(connection, "btree_gin", create=True)
        statements = INDEX.pg_create(_pg_collation(connection), btree_gin) + TRIGRAM.PG_BACKWARDS
    else:
        return
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        statements = INDEX.sqlite_drop() + TRIGRAM.SQLITE_FORWARDS
    elif connection.vendor == "postgresql":
        statements = INDEX.pg_drop() + PG_WORDS_DROP
        if _pg_extension(connection, "pg_trgm"):
            statements += TRIGRAM.PG_FORWARDS
    else:
        return
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("crm", "0008_changelog_without_key_checks")]
    operations = [migrations.RunPython(forwards, backwards)]
