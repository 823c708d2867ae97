"""Record counts of list pages, cached until the data changes.

Every list page shows how many records match its filter. ``COUNT(*)`` reads
every matching index entry: 3 ms on SQLite and 6–8 ms on PostgreSQL for
100,000 contacts, 12–25 ms for a category or a search. Lists are read far
more often than they are written, so a count is kept in Django's cache under
a key made of the query's SQL and the database's *data version* (the
``counts`` cache, or ``default`` if there is none).

The data version is one row, ``crm_dataversion``, that the **database itself**
bumps (triggers, see ``tracking_sql``) whenever a row of a tracked table is
inserted, updated or deleted, whatever the code path: forms, bulk actions,
imports with raw ``executemany``, the admin, another process or machine. A
page reads the version (one tiny query) and looks its count up under that
version; after any write the key changes, so a stale count is never shown.

- A list page's filter choices (users, sources, categories, stages) are
  cached the same way (``cached_list``) and the chosen values are checked
  against them; inside ``one_version()`` (a list page) the version is read
  once for the choices and the count.
- A count is cached only if every table its SQL names is tracked (the set is
  read from the triggers that exist, so a table whose triggers were lost,
  e.g. by a table rebuild on SQLite, just stops being cached).
- Never inside a transaction: there, the transaction's own uncommitted
  writes would be counted under a version other connections still see.
- Versions are never reused, even after a rollback: PostgreSQL draws them
  from a sequence, SQLite from the clock in microseconds (or version + 1).
- PostgreSQL bumps once per transaction, at commit: a statement trigger on
  each tracked table queues one row in ``crm_dataversion_pending`` whose
  deferred trigger does the bump. The version row is locked only while
  committing, so writers never wait on each other for the whole of a long
  transaction, and a statement changing many rows costs one event.
"""
from __future__ import annotations

import hashlib
import re
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.conf import settings
from django.db import connections, migrations

VERSION_TABLE = "crm_dataversion"
TRIGGER_PREFIX = "crm_dv_"
# Tables maintained by triggers on a tracked table (they change only with it).
DERIVED_TABLES = {"crm_businesscontact_words": "crm_businesscontact"}

SQLITE_BUMP = (f"UPDATE {VERSION_TABLE} SET version = max(version + 1, "
               "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)) WHERE id = 1")

PENDING_TABLE = "crm_dataversion_pending"
PG_SETUP = [
    "CREATE SEQUENCE IF NOT EXISTS crm_dataversion_seq",
    f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (id smallint PRIMARY KEY, version bigint NOT NULL)",
    f"INSERT INTO {VERSION_TABLE} (id, version) VALUES (1, nextval('crm_dataversion_seq')) ON CONFLICT DO NOTHING",
    # A write to a tracked table fires a statement trigger (never one per row)
    # that, once per transaction, queues a row here; that row's deferred trigger
    # bumps the version at commit. So the version row is locked only while
    # committing, and a statement that changes 50,000 rows adds one event, not
    # 50,000 (which cost about 0.3 s at commit for a stage's opportunities).
    f"CREATE TABLE IF NOT EXISTS {PENDING_TABLE} (txid bigint NOT NULL)",
    f"""CREATE OR REPLACE FUNCTION crm_dataversion_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('crm.dataversion_marked', true) IS DISTINCT FROM txid_current()::text THEN
    PERFORM set_config('crm.dataversion_marked', txid_current()::text, true);
    INSERT INTO {PENDING_TABLE} (txid) VALUES (txid_current());
  END IF;
  RETURN NULL;
END $$""",
    f"""CREATE OR REPLACE FUNCTION crm_dataversion_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE {VERSION_TABLE} SET version = nextval('crm_dataversion_seq') WHERE id = 1;
  DELETE FROM {PENDING_TABLE} WHERE txid = NEW.txid;
  RETURN NULL;
END $$""",
    f"DROP TRIGGER IF EXISTS crm_dataversion_at_commit ON {PENDING_TABLE}",
    f"CREATE CONSTRAINT TRIGGER crm_dataversion_at_commit AFTER INSERT ON {PENDING_TABLE} "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION crm_dataversion_bump()",
]
PG_TEARDOWN = ["DROP FUNCTION IF EXISTS crm_dataversion_mark() CASCADE",
               "DROP FUNCTION IF EXISTS crm_dataversion_bump() CASCADE", f"DROP TABLE IF EXISTS {PENDING_TABLE}",
               f"DROP TABLE IF EXISTS {VERSION_TABLE}", "DROP SEQUENCE IF EXISTS crm_dataversion_seq"]
SQLITE_SETUP = [
    f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (id integer PRIMARY KEY, version integer NOT NULL)",
    f"INSERT OR IGNORE INTO {VERSION_TABLE} (id, version) VALUES (1, 0)",
    SQLITE_BUMP,
]
SQLITE_TEARDOWN = [f"DROP TABLE IF EXISTS {VERSION_TABLE}"]
SQLITE_EVENTS = {"ins": "INSERT", "upd": "UPDATE", "del": "DELETE"}


def tracking_sql(vendor: str, table: str) -> list[str]:
    """The triggers that bump the data version on every write to ``table``."""
    if vendor == "sqlite":
        return [f"CREATE TRIGGER IF NOT EXISTS {TRIGGER_PREFIX}{table}_{suffix} AFTER {event} ON {table} "
                f"BEGIN {SQLITE_BUMP}; END" for suffix, event in SQLITE_EVENTS.items()]
    return [
        f"CREATE TRIGGER {TRIGGER_PREFIX}{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION crm_dataversion_mark()",
        # TRUNCATE (e.g. the test runner's flush) needs its own trigger.
        f"CREATE TRIGGER {TRIGGER_PREFIX}{table}_truncate AFTER TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION crm_dataversion_mark()",
    ]


def untracking_sql(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {TRIGGER_PREFIX}{table}_{suffix}" for suffix in SQLITE_EVENTS]
    return [f"DROP TRIGGER IF EXISTS {TRIGGER_PREFIX}{table} ON {table}",
            f"DROP TRIGGER IF EXISTS {TRIGGER_PREFIX}{table}_truncate ON {table}"]


def track_tables(*tables: str) -> migrations.RunPython:
    """A migration operation that makes counts over ``tables`` cacheable (an app
    whose list filters read its own tables adds one; its migration depends on
    crm's ``0007_data_version_for_cached_counts``, which creates the version)."""

    def run(sql_for):
        def operation(apps, schema_editor):
            vendor = schema_editor.connection.vendor
            if vendor not in ("sqlite", "postgresql"):
                return
            existing = set(schema_editor.connection.introspection.table_names())
            for table in (t for t in tables if t in existing):
                for sql in sql_for(vendor, table):
                    schema_editor.execute(sql)
        return operation

    return migrations.RunPython(run(tracking_sql), run(untracking_sql))


# --- reading ---------------------------------------------------------------------------

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_tables: dict[str, tuple[frozenset[str], frozenset[str]]] = {}


def _table_sets(connection) -> tuple[frozenset[str], frozenset[str]]:
    """(every table, the tracked ones) of this database, read once per process."""
    if connection.alias not in _tables:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
                every = {row[0] for row in cursor.fetchall()}
                cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                               [TRIGGER_PREFIX + "%"])
                names = {row[0] for row in cursor.fetchall()}
                tracked = {t for t in every
                           if all(f"{TRIGGER_PREFIX}{t}_{suffix}" in names for suffix in SQLITE_EVENTS)}
            else:
                every = set(connection.introspection.table_names(cursor, include_views=True))
                cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE %s",
                               [TRIGGER_PREFIX + "%"])
                tracked = {row[0].strip('"') for row in cursor.fetchall()}
        tracked |= {derived for derived, source in DERIVED_TABLES.items() if source in tracked}
        if VERSION_TABLE not in every:
            tracked = set()
        _tables[connection.alias] = (frozenset(every), frozenset(tracked))
    return _tables[connection.alias]


# Inside ``one_version()`` the version is read once (per database) and shared.
_versions: ContextVar[dict[str, int] | None] = ContextVar("crm_data_versions", default=None)


@contextmanager
def one_version():
    """Read the data version at most once inside: a list page's filter choices
    and its count share one read instead of one each. Only around reads: a
    write inside would leave the page under the version from before it."""
    token = _versions.set({})
    try:
        yield
    finally:
        _versions.reset(token)


def data_version(connection) -> int:
    versions = _versions.get()
    if versions is not None and connection.alias in versions:
        return versions[connection.alias]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {VERSION_TABLE} WHERE id = 1")
        version = cursor.fetchone()[0]
    if versions is not None:
        versions[connection.alias] = version
    return version


def _cached(queryset, kind: str, compute):
    """``compute(queryset)``, from the cache while no tracked table has changed:
    the key is the query's SQL and parameters under the data version. Computed
    afresh inside a transaction (its own writes are not yet in the version
    others see), on other databases, or if the SQL names an untracked table."""
    connection = connections[queryset.db]
    if connection.in_atomic_block or connection.vendor not in ("sqlite", "postgresql"):
        return compute(queryset)
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # .none(), e.g. the list of an invalid filter: no query to run
        return compute(queryset)
    every, tracked = _table_sets(connection)
    named = set(_IDENTIFIER.findall(sql)) & every
    if not tracked or not named <= tracked:
        return compute(queryset)
    digest = hashlib.sha1(repr((sql, params)).encode()).hexdigest()
    key = f"crm:{kind}:{connection.alias}:{data_version(connection)}:{digest}"
    cache = caches["counts" if "counts" in settings.CACHES else "default"]
    value = cache.get(key)
    if value is None:
        value = compute(queryset)
        cache.set(key, value)
    return value


def cached_count(queryset) -> int:
    """``queryset.count()``, from the cache while no tracked table has changed."""
    return _cached(queryset.order_by(), "count", lambda qs: qs.count())


def cached_list(queryset) -> list:
    """``list(queryset)`` (a short list of reference rows: a filter's choices),
    from the cache while no tracked table has changed."""
    return _cached(queryset, "list", list)
