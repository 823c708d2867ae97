"""Fast inserts for imports: one executemany per batch with values adapted
once per column type, and primary keys allocated up front so many-to-many
rows and change-log entries can refer to the new records.

Django's ``bulk_create`` prepares every field of every object through several
layers; for a 60-column record that cost more than the database itself.
"""
from __future__ import annotations

import json

from django.db import connection, models, transaction
from django.utils import timezone


def allocate_ids(model, count: int) -> list[int]:
    """``count`` fresh primary keys, safe against concurrent writers:
    PostgreSQL draws them from the sequence; SQLite holds the write lock for
    the whole (IMMEDIATE) transaction, so max(id) + 1 … is free."""
    if count == 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, count])
            return [row[0] for row in cursor.fetchall()]
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("allocate_ids needs a transaction")
        cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')
        start = cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(start, row[0] if row else 0)
        return list(range(start + 1, start + 1 + count))


def _adapter(field: models.Field):
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        return lambda value: ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
    if isinstance(field, models.JSONField):
        return lambda value: None if value is None else json.dumps(value)
    if isinstance(field, models.FileField):
        return lambda value: str(value) if value else ""
    return None


def insert(model, objects: list[models.Model], batch_size: int = 1000) -> None:
    """INSERT ``objects`` (unsaved, already validated) and set their primary keys."""
    if not objects:
        return
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    for obj in objects:
        for field in fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                setattr(obj, field.attname, now)
    for obj, pk in zip(objects, allocate_ids(model, len(objects))):
        obj.pk = pk
        obj._state.adding = False
    adapters = [_adapter(f) for f in fields]
    columns = [model._meta.pk.column, *[f.column for f in fields]]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    attnames = [f.attname for f in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch_size):
            rows = []
            for obj in objects[start:start + batch_size]:
                values = [obj.pk]
                for attname, adapt in zip(attnames, adapters):
                    value = getattr(obj, attname)
                    values.append(adapt(value) if adapt is not None and value is not None else value)
                rows.append(values)
            cursor.executemany(sql, rows)
