"""The benchmarks' throw-away databases: emptied, migrated, seeded and analysed
for every run, and removed afterwards."""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

SCHEMA_MARK = "crm-bench scratch schema"  # COMMENT ON SCHEMA public, PostgreSQL only
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def remove_sqlite(path: Path) -> None:
    """Close the connections and delete the SQLite file with its WAL and journal."""
    from django.db import connections

    connections.close_all()
    for suffix in SQLITE_SUFFIXES:
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def reset_database(db: str, sqlite_file: Path | None = None) -> None:
    """An empty database: the SQLite file deleted, or PostgreSQL's ``public`` schema
    dropped and created again — unless it holds tables a benchmark did not create
    (the guard: the schemas made here carry ``SCHEMA_MARK``)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, connections

    if db == "sqlite":
        remove_sqlite(sqlite_file)
    else:
        connections.close_all()
        with connection.cursor() as cursor:
            cursor.execute("SELECT obj_description('public'::regnamespace, 'pg_namespace')")
            comment = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            tables = cursor.fetchone()[0]
            if tables and comment != SCHEMA_MARK:
                sys.exit(f"Refusing to drop the public schema of {connection.settings_dict['NAME']!r}: it holds "
                         f"{tables} tables that this benchmark did not create. Use a throw-away database "
                         "(scripts/with-postgres.sh).")
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
            cursor.execute(f"COMMENT ON SCHEMA public IS '{SCHEMA_MARK}'")
    ContentType.objects.clear_cache()


def migrate() -> float:
    """Run the migrations; their seconds."""
    from django.core.management import call_command

    start = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    return time.perf_counter() - start


def analyze(db: str) -> float:
    """Gather the planner's statistics; the seconds it took."""
    from django.db import connection

    start = time.perf_counter()
    with connection.cursor() as cursor:
        if db == "sqlite":
            cursor.execute("ANALYZE")
        else:
            # VACUUM also sets the visibility map, so index-only scans work as on a settled database.
            cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - start


def fresh_database(db: str, sqlite_file: Path, seed: Callable[[], dict], *, analyze_after: bool = True
                   ) -> tuple[dict, dict[str, float]]:
    """Empty the database, migrate, run ``seed`` (timed; it returns ``tables``, the
    ``Inserter``'s figures), ANALYZE, and on SQLite fold the load's WAL into the
    file, as after a quiet spell. Prints each step; returns what ``seed`` returned
    and the seconds of migrate, seed and analyze."""
    from django.db import connection

    reset_database(db, sqlite_file)
    migrate_s = migrate()
    print(f"  migrate: {migrate_s:.1f} s\n  seeding:", flush=True)
    start = time.perf_counter()
    seeded = seed()
    seed_s = time.perf_counter() - start
    analyze_s = analyze(db) if analyze_after else 0.0
    if db == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    total_rows = sum(t["rows"] for t in seeded["tables"])
    print(f"  seeded {total_rows:,} rows in {seed_s:.1f} s ({total_rows / seed_s:,.0f} rows/s)"
          + (f", {'ANALYZE' if db == 'sqlite' else 'VACUUM ANALYZE'} {analyze_s:.1f} s" if analyze_after else ""),
          flush=True)
    return seeded, {"migrate_s": migrate_s, "seed_s": seed_s, "analyze_s": analyze_s}


def database_info(db: str) -> dict:
    """The engine and its version, e.g. {"engine": "sqlite", "version": "3.40.1"}."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if db == "sqlite" else "SHOW server_version")
        version = cursor.fetchone()[0]
    connection.close()
    return {"engine": db, "version": version}
