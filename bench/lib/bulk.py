"""Fast loading of generated rows into the benchmarks' databases."""
from __future__ import annotations

import datetime as dt
import time


class Inserter:
    """Fast loading of plain tuples: COPY on PostgreSQL, executemany on SQLite.

    Every concrete column gets a value: the ones a table generator gives and
    the field defaults (prepared once) for the rest. For a big table the
    secondary indexes are dropped first and rebuilt from their own saved
    definitions afterwards (building an index from sorted data is much faster
    than updating it row by row); indexes that back a constraint stay.
    """

    def __init__(self, connection, rebuild_indexes: bool = True):
        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.rebuild_indexes = rebuild_indexes
        self.stats: list[dict] = []

    def datetime(self, value: dt.datetime):
        """A naive UTC datetime as the backend stores it (what Django's adapt_datetimefield_value does)."""
        return value.replace(tzinfo=dt.timezone.utc) if self.postgres else str(value)

    def date(self, value):
        if value is None:
            return None
        return value if self.postgres else value.isoformat()

    def secondary_indexes(self, cursor, table: str) -> list[tuple[str, str]]:
        """(name, CREATE INDEX statement) of the indexes that no constraint needs."""
        if self.postgres:
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                "WHERE t.relname = %s AND t.relnamespace = 'public'::regnamespace "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) ORDER BY 1", [table])
        else:
            # Indexes of UNIQUE/PRIMARY KEY constraints are sqlite_autoindex_* without SQL: they stay.
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                           "AND sql IS NOT NULL ORDER BY 1", [table])
        return list(cursor.fetchall())

    def foreign_keys(self, cursor, table: str) -> list[tuple[str, str]]:
        """(name, definition) of a PostgreSQL table's foreign keys."""
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' "
                       "AND conrelid = %s::regclass ORDER BY 1", [self.connection.ops.quote_name(table)])
        return list(cursor.fetchall())

    def insert(self, model, columns: list[str], rows, count: int) -> None:
        """Insert ``rows`` (tuples in ``columns`` order) into ``model``'s table; defaults fill the rest."""
        conn = self.connection
        qn = conn.ops.quote_name
        db_table = model._meta.db_table
        rest = [f for f in model._meta.concrete_fields if f.column not in set(columns)]
        missing_required = [f.column for f in rest if not f.null and not f.has_default() and not f.empty_strings_allowed]
        if missing_required:
            raise ValueError(f"{model.__name__}: no value for {missing_required}")
        defaults = tuple(f.get_db_prep_save(f.get_default(), conn) for f in rest)
        column_sql = ", ".join(qn(c) for c in list(columns) + [f.column for f in rest])
        start = time.perf_counter()
        with conn.cursor() as cursor:
            big = self.rebuild_indexes and count >= 50_000
            indexes = self.secondary_indexes(cursor, db_table) if big else []
            for name, _sql in indexes:
                cursor.execute(f"DROP INDEX {qn(name)}")
            # PostgreSQL: a foreign key re-added after the load is validated by one
            # join instead of a trigger call per row (what pg_restore does too).
            fks = self.foreign_keys(cursor, db_table) if big and self.postgres else []
            for name, _definition in fks:
                cursor.execute(f"ALTER TABLE {qn(db_table)} DROP CONSTRAINT {qn(name)}")
            if self.postgres:
                with cursor.cursor.copy(f"COPY {qn(db_table)} ({column_sql}) FROM STDIN") as copy:
                    write = copy.write_row
                    for row in rows:
                        write(row + defaults)
            else:
                placeholders = ", ".join(["%s"] * (len(columns) + len(rest)))
                cursor.executemany(f"INSERT INTO {qn(db_table)} ({column_sql}) VALUES ({placeholders})",
                                   (row + defaults for row in rows))
            if self.postgres:
                # Run the deferred foreign-key checks of the COPY now (an index cannot be
                # built on a table with pending trigger events).
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            loaded = time.perf_counter()
            for _name, sql in indexes:
                cursor.execute(sql)
            for name, definition in fks:
                cursor.execute(f"ALTER TABLE {qn(db_table)} ADD CONSTRAINT {qn(name)} {definition}")
            if indexes and sorted(self.secondary_indexes(cursor, db_table)) != sorted(indexes):
                raise RuntimeError(f"{db_table}: the rebuilt indexes differ from the migrated ones")
            if fks and self.foreign_keys(cursor, db_table) != fks:
                raise RuntimeError(f"{db_table}: the re-added foreign keys differ from the migrated ones")
        end = time.perf_counter()
        seconds = end - start
        self.stats.append({"table": db_table, "rows": count, "seconds": round(seconds, 3),
                           "load_s": round(loaded - start, 3), "index_s": round(end - loaded, 3),
                           "indexes_rebuilt": len(indexes), "foreign_keys_readded": len(fks), "rows_per_s": round(count / seconds) if seconds else None})
        detail = (f"  (load {loaded - start:.1f} s + {len(indexes)} indexes"
                  + (f", {len(fks)} foreign keys" if fks else "") + f" {end - loaded:.1f} s)") if indexes or fks else ""
        print(f"    {db_table:34} {count:>10,} rows {seconds:8.2f} s {count / max(seconds, 1e-9):>12,.0f} rows/s{detail}",
              flush=True)

    def finish(self, models: list) -> float:
        """After the load: check the foreign keys of ``models``' tables at once
        (IntegrityError on a dangling key) and, on PostgreSQL, move the identity
        sequences past the explicit ids. Returns the seconds of the check."""
        from django.core.management.color import no_style

        start = time.perf_counter()
        self.connection.check_constraints(table_names=[m._meta.db_table for m in models])
        seconds = time.perf_counter() - start
        if self.postgres:
            with self.connection.cursor() as cursor:
                for sql in self.connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)
        return seconds
