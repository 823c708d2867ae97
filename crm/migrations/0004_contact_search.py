"""Fast substring search over business contacts and leads (names, company, e-mail).

- SQLite: an FTS5 trigram index (a shadow table kept in step by triggers).
- PostgreSQL: pg_trgm GIN indexes on the expressions Django's ``icontains``
  uses (UPPER(col::text)), so LIKE '%word%' becomes an index lookup.
Other databases keep the plain LIKE scan.
"""
from django.db import migrations

FTS = "crm_businesscontact_fts"
COLUMNS = ("full_name", "company_name", "email")

SQLITE_FORWARDS = [
    f"CREATE VIRTUAL TABLE {FTS} USING fts5({', '.join(COLUMNS)}, content='crm_businesscontact', "
    "content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER {FTS}_ai AFTER INSERT ON crm_businesscontact BEGIN "
    f"INSERT INTO {FTS}(rowid, {', '.join(COLUMNS)}) VALUES (new.id, {', '.join('new.' + c for c in COLUMNS)}); END",
    f"CREATE TRIGGER {FTS}_ad AFTER DELETE ON crm_businesscontact BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, {', '.join(COLUMNS)}) VALUES ('delete', old.id, {', '.join('old.' + c for c in COLUMNS)}); END",
    f"CREATE TRIGGER {FTS}_au AFTER UPDATE OF {', '.join(COLUMNS)} ON crm_businesscontact BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, {', '.join(COLUMNS)}) VALUES ('delete', old.id, {', '.join('old.' + c for c in COLUMNS)}); "
    f"INSERT INTO {FTS}(rowid, {', '.join(COLUMNS)}) VALUES (new.id, {', '.join('new.' + c for c in COLUMNS)}); END",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]
SQLITE_BACKWARDS = [f"DROP TRIGGER IF EXISTS {FTS}_{t}" for t in ("ai", "ad", "au")] + [f"DROP TABLE IF EXISTS {FTS}"]

PG_FORWARDS = [
    f"CREATE INDEX IF NOT EXISTS contact_{c}_trgm ON crm_businesscontact USING gin ((UPPER(({c})::text)) gin_trgm_ops)"
    for c in COLUMNS
]
PG_BACKWARDS = [f"DROP INDEX IF EXISTS contact_{c}_trgm" for c in COLUMNS]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for sql in SQLITE_FORWARDS:
            schema_editor.execute(sql)
    elif vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            installed = cursor.fetchone() is not None
            if not installed:
                cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
                if cursor.fetchone() is None:
                    return  # contrib not installed: search stays a plain scan
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for sql in PG_FORWARDS:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_BACKWARDS if vendor == "sqlite" else PG_BACKWARDS if vendor == "postgresql" else []:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("crm", "0003_lead_score")]
    operations = [migrations.RunPython(forwards, backwards)]
