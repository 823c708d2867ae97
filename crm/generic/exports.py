"""Streaming CSV and Excel exports of a record list.

The columns come from the record type's django-import-export resource (its
fields' ``column_name`` and ``attribute``), so an export can be imported back
unchanged. Rows are read with ``values_list`` in chunks and written as they
are produced: memory stays flat at any size.
"""
from __future__ import annotations

import csv
import datetime
import tempfile
from decimal import Decimal
from typing import Iterable, Iterator

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from import_export.widgets import ManyToManyWidget

CHUNK = 2000
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(text: str) -> str:
    """Neutralise spreadsheet formulas: "=SUM(A1)" is written as "'=SUM(A1)"."""
    return "'" + text if text and text[0] in FORMULA_STARTS else text


def unescape_formula(text: str) -> str:
    """Undo ``escape_formula`` on import, so an export imports back unchanged."""
    return text[1:] if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS else text


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds") if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, (datetime.date, Decimal, int)):
        return str(value)
    return escape_formula(str(value))


def export_columns(resource_class) -> tuple[list[str], list[str], list[str]]:
    """(headers, value paths, many-to-many field names) from a resource."""
    resource = resource_class()
    headers, paths, m2m = [], [], []
    for field in resource.get_export_fields():
        headers.append(field.column_name)
        if isinstance(field.widget, ManyToManyWidget):
            m2m.append(field.attribute)
            paths.append(None)
        else:
            paths.append(field.attribute)
    return headers, paths, m2m


def export_rows(queryset, resource_class) -> Iterator[list[str]]:
    """The header row, then one row per record, in chunks of ``CHUNK`` records."""
    headers, paths, m2m = export_columns(resource_class)
    yield headers
    model = queryset.model._meta.concrete_model
    value_paths = ["pk", *[p for p in paths if p]]
    last_pk = 0
    queryset = queryset.order_by("pk")
    while True:
        # Keyset pagination on the primary key: every chunk is an index range.
        chunk = list(queryset.filter(pk__gt=last_pk).values_list(*value_paths)[:CHUNK])
        if not chunk:
            return
        last_pk = chunk[-1][0]
        related = {name: _m2m_names(model, name, [row[0] for row in chunk]) for name in m2m}
        for row in chunk:
            yield _assemble(paths, m2m, row, related)


def _assemble(paths, m2m, row, related) -> list[str]:
    values = iter(row[1:])
    m2m_names = iter(m2m)
    out = []
    for path in paths:
        if path is None:
            name = next(m2m_names)
            out.append(escape_formula(", ".join(related[name].get(row[0], []))))
        else:
            out.append(_cell(next(values)))
    return out


def _m2m_names(model, field_name: str, pks: list[int]) -> dict[int, list[str]]:
    field = model._meta.get_field(field_name)
    through = field.remote_field.through
    source = f"{model._meta.model_name}_id"
    target = field.m2m_reverse_field_name()
    names: dict[int, list[str]] = {}
    rows = through.objects.filter(**{f"{source}__in": pks}).values_list(source, f"{target}__name").order_by(f"{target}__name")
    for pk, name in rows:
        names.setdefault(pk, []).append(name)
    return names


class _Echo:
    def write(self, value):
        return value


def csv_response(rows: Iterable[list[str]], filename: str) -> StreamingHttpResponse:
    """A streamed UTF-8 CSV (with a BOM, so Excel reads the accents right)."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(rows: Iterable[list[str]], filename: str, title: str) -> FileResponse:
    """An .xlsx written row by row (openpyxl write-only mode) to a temporary file."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Export")
    for row in rows:
        sheet.append(row)
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{filename}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
