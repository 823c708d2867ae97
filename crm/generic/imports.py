"""Importing records from a table (CSV/Excel) with a preview before anything
is written: header matching, per-row validation, duplicate detection, and a
commit that is one transaction.

A record type's importer subclasses ``Importer`` and lists its columns; the
generic parts (matching, parsing by model field type, duplicates by e-mail,
bulk writes, change log) live here.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from . import bulk
from .exports import unescape_formula
from .tabular import Table


# Lookups by e-mail or ID go in slices: one query may carry only so many
# parameters (SQLite: 32,766 or 250,000 depending on the build).
LOOKUP_SLICE = 500


def normalize_header(text: str) -> str:
    """"E-mail Address" → "emailaddress": case, spaces and punctuation do not matter."""
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


@dataclass
class Column:
    """One thing a file can set. ``key`` is a model field or a name the importer resolves."""

    key: str
    label: str
    headers: tuple[str, ...] = ()
    parse: Callable[[str], Any] | None = None


@dataclass
class RowResult:
    number: int                      # line in the file (the header is line 1)
    status: str = "new"              # new | update | skip | error
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)   # (column header, reason)
    note: str = ""
    existing_pk: int | None = None


@dataclass
class Preview:
    rows: list[RowResult]
    mapping: dict[int, str | None]
    header: list[str]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {status: self.count(status) for status in ("new", "update", "skip", "error")}


# --- Parsing by model field type ----------------------------------------------

_url = URLValidator()
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y")


def text_parser(max_length: int | None):
    def parse(value: str) -> str:
        value = unescape_formula(value.strip())
        if max_length and len(value) > max_length:
            raise ValidationError(_("Ensure this value has at most %(max)d characters (it has %(n)d).")
                                  % {"max": max_length, "n": len(value)})
        return value
    return parse


def email_parser(value: str) -> str:
    value = value.strip().lower()
    if value:
        validate_email(value)
    return value


def url_parser(value: str) -> str:
    value = value.strip()
    if value and "://" not in value:
        value = f"https://{value}"
    if value:
        _url(value)
    return value


def date_parser(value: str):
    value = value.strip()
    if not value:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value[:10] if fmt == "%Y-%m-%d" else value, fmt).date()
        except ValueError:
            continue
    raise ValidationError(_("“%(value)s” is not a date (use YYYY-MM-DD).") % {"value": value})


def choice_parser(choices):
    lookup = {}
    for code, label in choices:
        if code == "":
            continue
        lookup[normalize_header(str(code))] = code
        lookup[normalize_header(str(label))] = code

    def parse(value: str):
        value = value.strip()
        if not value:
            return ""
        try:
            return lookup[normalize_header(value)]
        except KeyError:
            allowed = ", ".join(str(label) for code, label in choices if code != "")
            raise ValidationError(_("“%(value)s” is not one of: %(allowed)s.") % {"value": value, "allowed": allowed}) from None
    return parse


def integer_parser(low: int, high: int):
    def parse(value: str):
        value = value.strip()
        if not value:
            return None
        try:
            number = int(float(value))
        except ValueError:
            raise ValidationError(_("“%(value)s” is not a whole number.") % {"value": value}) from None
        if not low <= number <= high:
            raise ValidationError(_("%(value)s is not between %(low)d and %(high)d.") % {"value": number, "low": low, "high": high})
        return number
    return parse


def parser_for(model_field: models.Field) -> Callable[[str], Any]:
    """How a cell becomes a value of ``model_field`` (with the same limits as the forms)."""
    if model_field.choices:
        return choice_parser(model_field.choices)
    if isinstance(model_field, models.EmailField):
        return email_parser
    if isinstance(model_field, models.URLField):
        return url_parser
    if isinstance(model_field, models.DateField):
        return date_parser
    if isinstance(model_field, models.IntegerField):
        high = min((v.limit_value for v in model_field.validators if hasattr(v, "limit_value") and v.limit_value > 0),
                   default=2**31 - 1)
        return integer_parser(0, high)
    return text_parser(getattr(model_field, "max_length", None))


class Importer:
    """Turns a table into a preview and commits it. Subclasses set ``model``,
    ``columns`` and the resolvers for columns that are not plain fields."""

    model: type[models.Model]
    columns: list[Column] = []
    # Values shown for each row of the preview: (key, column heading).
    preview_columns: tuple[tuple[str, str], ...] = ()
    duplicate_key = "email"
    ignored_headers: tuple[str, ...] = ()   # read-only columns of our own exports (Rating, Created)

    def __init__(self, user):
        self.user = user
        self.by_key = {c.key: c for c in self.columns}
        self.header_index: dict[str, str] = {}
        for column in self.columns:
            for header in (column.key, column.label, *column.headers):
                self.header_index.setdefault(normalize_header(str(header)), column.key)

    # --- headers --------------------------------------------------------
    def match_headers(self, header: list[str]) -> dict[int, str | None]:
        """Column index → column key (None: not recognised, or ignored)."""
        mapping: dict[int, str | None] = {}
        used = set()
        for index, name in enumerate(header):
            key = self.header_index.get(normalize_header(name))
            if key in used:
                key = None
            if key:
                used.add(key)
            mapping[index] = key
        return mapping

    def unmatched(self, header: list[str], mapping: dict[int, str | None]) -> list[tuple[int, str]]:
        ignored = {normalize_header(h) for h in self.ignored_headers}
        return [(i, name) for i, name in enumerate(header)
                if mapping.get(i) is None and name and normalize_header(name) not in ignored]

    # --- rows -------------------------------------------------------------
    def parse_cell(self, key: str, value: str):
        column = self.by_key[key]
        if column.parse is not None:
            return column.parse(value)
        return parser_for(self.model._meta.get_field(key))(value)

    def preview(self, table: Table, mapping: dict[int, str | None], *, on_duplicate: str = "update") -> Preview:
        width = len(table.header)
        results = []
        for offset, cells in enumerate(table.rows):
            row = RowResult(number=offset + 2)
            # Empty cells past the header are harmless; anything else ragged is refused.
            if len(cells) < width or any(c.strip() for c in cells[width:]):
                row.status = "error"
                row.errors.append(("", _("This row has %(cells)d cells; the header has %(width)d.")
                                   % {"cells": len(cells), "width": width}))
                results.append(row)
                continue
            for index, key in mapping.items():
                if not key or index >= len(cells):
                    continue
                try:
                    row.values[key] = self.parse_cell(key, cells[index])
                except ValidationError as error:
                    row.errors.append((table.header[index], " ".join(error.messages)))
            results.append(row)
        self.resolve(results, table, mapping)
        self.find_duplicates(results, on_duplicate)
        for row in results:
            if row.errors:
                row.status = "error"
        return Preview(rows=results, mapping=mapping, header=table.header)

    def resolve(self, rows: list[RowResult], table: Table, mapping) -> None:
        """Turn names into records (users, list values, …) and apply record rules. Override."""

    def existing_by_key(self, keys: list[str]) -> dict[str, int]:
        """Existing records by duplicate key (e.g. normalised e-mail)."""
        found = {}
        manager = self.model._meta.concrete_model._base_manager
        # Compared in lower case (stored addresses keep the case they were typed in).
        keyed = manager.annotate(_duplicate_key=Lower(self.duplicate_key))
        for start in range(0, len(keys), LOOKUP_SLICE):
            part = keys[start:start + LOOKUP_SLICE]
            for pk, key in keyed.filter(_duplicate_key__in=part).order_by("pk").values_list("pk", "_duplicate_key"):
                found.setdefault(key, pk)
        return found

    def find_duplicates(self, rows: list[RowResult], on_duplicate: str) -> None:
        keys = sorted({row.values.get(self.duplicate_key) for row in rows if row.values.get(self.duplicate_key)})
        existing = self.existing_by_key(keys)
        ids_given = [row.values["id"] for row in rows if row.values.get("id")]
        known_ids = set()
        for start in range(0, len(ids_given), LOOKUP_SLICE):
            part = ids_given[start:start + LOOKUP_SLICE]
            known_ids |= set(self.model._base_manager.filter(pk__in=part).values_list("pk", flat=True))
        first_row: dict[str, int] = {}
        for row in rows:
            if row.status == "error":
                continue
            key = row.values.get(self.duplicate_key) or ""
            if key and key in first_row:
                row.status = "skip"
                row.note = _("Same e-mail address as row %(row)d.") % {"row": first_row[key]}
                continue
            if key:
                first_row[key] = row.number
            pk = row.values.get("id") if row.values.get("id") in known_ids else existing.get(key)
            if pk:
                row.existing_pk = pk
                row.status = "update" if on_duplicate == "update" else "skip"
                if row.status == "skip":
                    row.note = _("A record with this e-mail address already exists.")
            elif row.values.get("id"):
                row.values.pop("id")  # an ID from another database: import as new

    # --- writing ---------------------------------------------------------
    def new_instance(self, row: RowResult) -> models.Model:
        return self.model(**{k: v for k, v in row.values.items() if k in self.plain_fields()})

    def plain_fields(self) -> set[str]:
        """Columns that are the model's own fields (computed once per import)."""
        if getattr(self, "_plain_fields", None) is None:
            names = {f.name for f in self.model._meta.concrete_fields}
            self._plain_fields = self.compute_plain_fields({c.key for c in self.columns if c.key in names and c.key != "id"})
        return self._plain_fields

    def compute_plain_fields(self, fields: set[str]) -> set[str]:
        return fields

    def before_write(self, rows: list[RowResult]) -> None:
        """Create what rows refer to but does not exist yet (e.g. new list values). Override."""

    def after_write(self, pairs: list[tuple[RowResult, models.Model]]) -> None:
        """Write what bulk_create/bulk_update cannot (many-to-many). Override."""

    @transaction.atomic
    def commit(self, preview: Preview, *, file_name: str, skip_errors: bool = False) -> dict[str, int]:
        """Write the previewed rows in one transaction (all or none)."""
        from .services import DomainError, changelog_bulk_write

        if preview.count("error") and not skip_errors:
            raise DomainError(_("Some rows have errors: fix the file, or choose to skip those rows."))
        writes = [row for row in preview.rows if row.status in ("new", "update")]
        self.before_write(writes)
        now = timezone.now()
        user = self.user if self.user and self.user.is_authenticated else None
        created_pairs = []
        for row in (r for r in writes if r.status == "new"):
            obj = self.new_instance(row)
            obj.created_by = user
            obj.clean()
            created_pairs.append((row, obj))
        bulk.insert(self.model._meta.concrete_model, [obj for _row, obj in created_pairs])
        updates = [row for row in writes if row.status == "update"]
        updated_pairs, touched_pairs, changed_fields = [], [], set()
        manager = self.model._meta.concrete_model._base_manager
        for start in range(0, len(updates), 500):
            part = updates[start:start + 500]
            current = manager.in_bulk([row.existing_pk for row in part])
            for row in part:
                obj = current[row.existing_pk]
                before = {name: getattr(obj, name) for name in self.plain_fields() | set(self.derived_fields)}
                for name, value in ((k, v) for k, v in row.values.items() if k in self.plain_fields()):
                    setattr(obj, name, value)
                obj.clean()
                row.changed = {name for name in self.plain_fields() | set(self.derived_fields)
                               if getattr(obj, name) != before.get(name, getattr(obj, name))}
                row.before = before
                touched_pairs.append((row, obj))
                if not row.changed:
                    continue  # the file says what the record already says: nothing to write
                changed_fields |= row.changed
                obj.version += 1
                obj.modified = now
                updated_pairs.append((row, obj))
        if updated_pairs:
            fields = sorted(changed_fields | {"version", "modified"})
            manager.bulk_update([obj for _row, obj in updated_pairs], fields, batch_size=500)
        self.after_write(created_pairs + touched_pairs)
        label = str(_("Imported from"))
        changelog_bulk_write(self.model, [obj for _row, obj in created_pairs], self.user,
                             lambda obj: {"import": {"label": label, "old": "", "new": file_name}}, action="create")
        rows_by_obj = {id(obj): row for row, obj in updated_pairs}
        changelog_bulk_write(self.model, [obj for _row, obj in updated_pairs], self.user, lambda obj: {
            name: {"label": str(self.model._meta.get_field(name).verbose_name),
                   "old": _display(rows_by_obj[id(obj)].before[name]), "new": _display(getattr(obj, name))}
            for name in sorted(rows_by_obj[id(obj)].changed)
        } | {"import": {"label": label, "old": "", "new": file_name}})
        return {"new": len(created_pairs), "update": len(updated_pairs),
                "skip": preview.count("skip") + (preview.count("error") if skip_errors else 0)
                + len(touched_pairs) - len(updated_pairs)}

    derived_fields: tuple[str, ...] = ()


def _display(value) -> str:
    if value is None:
        return ""
    return str(value)
