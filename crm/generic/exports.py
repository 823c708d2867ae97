"""Streaming CSV and Excel exports of a record list.

The columns come from the record type's django-import-export resource (its
fields' ``column_name`` and ``attribute``), so an export can be imported back
unchanged. Rows are read with ``values_list`` in chunks and written as they
are produced: memory stays flat at any size.
"""
from __future__ import annotations

import csv
import io
import itertools
import re
import tempfile
from typing import Iterable, Iterator

from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from import_export.widgets import ManyToManyWidget

CHUNK = 2000
# A spreadsheet may run a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A sign before digits, spaces and the punctuation of phone numbers and amounts
# ("+47 22 33 44 55", "-5", "+1 (555) 010-1234") names no function, cell or
# program: it cannot run anything, so it is written as it is.
_SIGNED_NUMBER = re.compile(r"[+-][0-9 ().,/-]*\Z")


def starts_formula(text: str) -> bool:
    """Whether a spreadsheet could run ``text`` as a formula: it starts with
    "=" or "@" (or a tab or carriage return, which some strip first), or with
    "+" or "-" followed by more than a number."""
    if not text or text[0] not in FORMULA_STARTS:
        return False
    return text[0] not in "+-" or not _SIGNED_NUMBER.match(text)


def escape_formula(text: str | None) -> str:
    """Neutralise spreadsheet formulas: "=SUM(A1)" is written as "'=SUM(A1)";
    "+47 22 33 44 55" stays as it is. A text that itself starts with
    apostrophes before a sign gets one more, so ``unescape_formula`` gives it
    back unchanged."""
    if text is None:
        return ""
    rest = text.lstrip("'")
    if starts_formula(text) or (rest != text and rest[:1] in FORMULA_STARTS):
        return "'" + text
    return text


def unescape_formula(text: str) -> str:
    """Undo ``escape_formula`` on import, so an export imports back unchanged
    (files written before "+47 …" stopped being escaped included)."""
    return text[1:] if text[:1] == "'" and text.lstrip("'")[:1] in FORMULA_STARTS else text


def _plain(value) -> str:
    return "" if value is None else str(value)


def _moment(value) -> str:
    if value is None:
        return ""
    return timezone.localtime(value).isoformat(timespec="seconds") if timezone.is_aware(value) else value.isoformat()


def _flag(value) -> str:
    return "" if value is None else ("1" if value else "0")


def _local_moment(value):
    """A moment as Excel keeps it: the local time, without a time zone."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value


def _as_is(value):
    return value


def _converter(model, path: str, typed: bool = False):
    """How one column's database value becomes a cell (chosen once per export,
    not per cell). ``typed`` (Excel): numbers, dates and flags stay numbers,
    dates and flags; otherwise every cell is text."""
    field = None
    for part in path.split(LOOKUP_SEP):
        field = model._meta.get_field(part)
        model = field.related_model or model
    if isinstance(field, (models.CharField, models.TextField)):
        return escape_formula
    if typed:
        if isinstance(field, models.DateTimeField):
            return _local_moment
        if isinstance(field, (models.BooleanField, models.DateField, models.IntegerField, models.DecimalField,
                              models.FloatField)):
            return _as_is
    if isinstance(field, models.BooleanField):
        return _flag
    if isinstance(field, models.DateTimeField):
        return _moment
    return _plain


def export_columns(resource_class) -> tuple[list[str], list[str], list[tuple[str, str, str]]]:
    """(headers, value paths, many-to-many columns) from a resource; a
    many-to-many column is (field name, the related records' field its cell
    names them by, separator), as its ``ManyToManyWidget`` says."""
    resource = resource_class()
    headers, paths, m2m = [], [], []
    for field in resource.get_export_fields():
        headers.append(field.column_name)
        if isinstance(field.widget, ManyToManyWidget):
            m2m.append((field.attribute, field.widget.field, field.widget.separator))
            paths.append(None)
        else:
            paths.append(field.attribute)
    return headers, paths, m2m


def export_chunks(queryset, resource_class, typed: bool = False) -> Iterator[list[list]]:
    """The header row, then the records in chunks of ``CHUNK`` rows; cells are
    text, or with ``typed`` (Excel) numbers and dates where the field is one."""
    headers, paths, m2m = export_columns(resource_class)
    yield [headers]
    model = queryset.model._meta.concrete_model
    value_paths = [p for p in paths if p]
    converters = [_converter(model, p, typed) for p in value_paths]
    # Where each many-to-many column goes in the row.
    m2m_slots = [(i, name) for i, name in zip([i for i, p in enumerate(paths) if p is None], m2m)]
    # One query read as it is streamed (a server-side cursor on PostgreSQL,
    # SQLite steps its statement): memory stays flat, and the database orders
    # the rows once. (Keyset chunks, one query each, made SQLite sort all the
    # matching rows again for every chunk when the filter used an index.)
    # The rows come in the queryset's explicit order (the list's sort), else by key.
    ordered = queryset if queryset.query.order_by else queryset.order_by("pk")
    rows = ordered.values_list("pk", *value_paths).iterator(chunk_size=CHUNK)
    for chunk in itertools.batched(rows, CHUNK):
        related = {name: _m2m_names(model, name, by, [row[0] for row in chunk]) for name, by, _sep in m2m}
        out = []
        for row in chunk:
            cells = [convert(value) for convert, value in zip(converters, row[1:])]
            for index, (name, _by, separator) in m2m_slots:
                cells.insert(index, escape_formula(separator.join(related[name].get(row[0], ()))))
            out.append(cells)
        yield out


def export_rows(queryset, resource_class, typed: bool = False) -> Iterator[list]:
    """The same as ``export_chunks``, one row at a time."""
    for rows in export_chunks(queryset, resource_class, typed):
        yield from rows


def _m2m_names(model, field_name: str, by: str, pks: list[int]) -> dict[int, list[str]]:
    field = model._meta.get_field(field_name)
    through = field.remote_field.through
    source = f"{model._meta.model_name}_id"
    target = field.m2m_reverse_field_name()
    names: dict[int, list[str]] = {}
    rows = through.objects.filter(**{f"{source}__in": pks}).values_list(source, f"{target}__{by}").order_by(
        f"{target}__{by}")
    for pk, name in rows:
        names.setdefault(pk, []).append(name)
    return names


def csv_response(chunks: Iterable[list[list[str]]], filename: str) -> StreamingHttpResponse:
    """A streamed UTF-8 CSV (with a BOM, so Excel reads the accents right),
    sent a chunk of rows at a time."""

    def pieces():
        yield "\ufeff"
        for rows in chunks:
            buffer = io.StringIO()
            csv.writer(buffer).writerows(rows)
            yield buffer.getvalue()

    response = StreamingHttpResponse(pieces(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(rows: Iterable[list], filename: str, title: str) -> FileResponse:
    """An .xlsx written row by row (openpyxl write-only mode) to a temporary file.
    Give it typed rows (``export_rows(..., typed=True)``): numbers and dates
    become number and date cells that sort and sum, text stays text."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    # A sheet's name is at most 31 characters, none of []:*?/\ (a report's "Won/Lost by Period").
    sheet = workbook.create_sheet(title=re.sub(r"[\[\]:*?/\\]", "-", title)[:31] or "Export")
    for row in rows:
        sheet.append(row)
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{filename}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
