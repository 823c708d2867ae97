"""Importing records from a table (CSV/Excel) with a preview before anything
is written: header matching, per-row validation, duplicate detection, and a
commit that is one transaction.

A record type's importer subclasses ``Importer`` and lists its columns; the
generic parts (header matching, reading cells through the model's form
fields, duplicates by e-mail, the record's rules on each row, the plan of the
writes) live here. The confirmed plan is written by the record services
(``crm.generic.services.records_import``), like every other write.

An empty cell in a row that updates a record means "no information": the
saved value stays, unless the user chose "Empty cells clear saved values".
A matched row that would change nothing is "unchanged", in the preview and
in the commit alike: the commit reports exactly the preview's counts.
"""
from __future__ import annotations

import datetime
import decimal
import gc
import hashlib
import json
import operator
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from django.core.exceptions import ValidationError
from django import forms
from django.db import models
from django.db.models.base import ModelState
from django.db.models.functions import Lower
from django.utils.text import capfirst
from django.utils.translation import gettext as _, gettext_lazy, ngettext

from . import bulk, services
from .exports import unescape_formula
from .search import WordIndex
from .tabular import Table


# How often a preview or commit tells its progress, in rows.
PROGRESS_EVERY = 1000

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


# What a row of the file does, in the order the preview and the commit report them.
STATUSES = ("new", "update", "unchanged", "skip", "error")


@dataclass(slots=True)
class RowResult:
    number: int                      # line in the file, blank lines counted (the header is usually line 1)
    status: str = "new"              # one of STATUSES
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)   # (column header, reason)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (column header, message): imported anyway
    note: str = ""
    existing_pk: int | None = None
    existing_version: int | None = None  # the matched record's version, to notice edits before the commit
    # A new row's record as the preview built and cleaned it: the values of the
    # importer's ``record_fields()``, in that order (a tuple, not the model
    # instance: 200,000 instances held ~1 GB).
    record: tuple | None = None
    cells: list[str] = field(default_factory=list)  # the row as read, to show an offending cell's value
    # What an update changes: (field name, value now, value after), many-to-many as sets of keys.
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)
    # The matched record's own values of the preview's columns the row leaves empty.
    current: dict[str, Any] = field(default_factory=dict)


@contextmanager
def gc_paused():
    """Hold the cyclic garbage collector while a large plan is built or written.

    A plan is hundreds of thousands of small lists and no reference cycles,
    yet each full collection walks all of them: about 1 s of a 100,000-row
    commit. Whatever cycles the work leaves are collected afterwards."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# Bump when the stored plan's layout changes: older plans are then refused as stale.
PLAN_FORMAT = 2


@dataclass
class Plan:
    """What a confirmed import writes: the rows as the preview parsed, resolved
    and validated them. It is stored as JSON next to the upload, so the commit
    neither reads nor validates the file again; ``digest`` ties it to the file's
    bytes and the chosen columns. Values are by field name: foreign keys as
    primary keys (or ``{"new": name}`` for a list value or category the import
    creates), many-to-many as lists of keys, dates as ISO text, amounts as
    decimal text. An update holds only the values its row gives (an empty
    cell, unless it clears, gives none); unchanged rows are not in the plan."""

    digest: str
    counts: dict[str, int]
    new_fields: list[str]
    new: list[list]          # [row number, one value per new_fields]
    update: list[list]       # [row number, pk, version seen by the preview, {field: value}]

    def dumps(self) -> str:
        return "".join(self.chunks())

    def chunks(self, rows: int = 1000):
        """The plan's JSON in pieces of ``rows`` rows, to be written as it is
        made (the text of a 200,000-row plan is never whole in memory)."""
        dump = json.JSONEncoder(separators=(",", ":")).encode
        yield dump({"format": PLAN_FORMAT, "digest": self.digest, "counts": self.counts,
                    "new_fields": self.new_fields})[:-1]
        for key in ("new", "update"):
            part = getattr(self, key)
            yield f',"{key}":['
            for start in range(0, len(part), rows):
                yield ("," if start else "") + dump(part[start:start + rows])[1:-1]
            yield "]"
        yield "}"

    @classmethod
    def loads(cls, text: str) -> Plan | None:
        with gc_paused():
            data = json.loads(text)
        if data.pop("format", None) != PLAN_FORMAT:
            return None
        return cls(**data)


@dataclass
class Preview:
    rows: list[RowResult]
    mapping: dict[int, str | None]
    header: list[str]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts


# --- Reading cells ------------------------------------------------------------------------
#
# A cell is checked by the form field of its model field — the record form's
# checks: lengths, the e-mail and web address validators, number ranges,
# choices — so the import accepts what the form accepts, with the same
# messages. What is the import's own is how a cell is read before that:
# spaces, the escape our exports put before a formula, a choice by its label
# in any case, other tools' date formats, Outlook's empty date. An empty cell
# is no value (what it means for a record — "keep" or "clear" — is the
# preview's choice); a record's required fields are checked by its rules.

DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y")
# Outlook writes an empty date as 0/0/00.
EMPTY_DATES = {"0/0/00", "00/00/0000", "0/0/0000"}
# The largest key a database gives a record (an ID column's limit).
MAX_ID = 2**63 - 1


def read_text(value: str) -> str:
    return unescape_formula(value.strip())


def read_date(value: str) -> str:
    value = value.strip()
    if value in EMPTY_DATES:
        return ""
    # An ISO date and time (a spreadsheet's date cell): the date.
    return value[:10] if re.match(r"\d{4}-\d\d-\d\d[ T]", value) else value


def choice_reader(choices):
    """A choice given by its code or its label, in any case and spacing."""
    lookup = {}
    for code, label in choices:
        if code != "":
            lookup[normalize_header(str(code))] = code
            lookup[normalize_header(str(label))] = code

    def read(value: str):
        value = value.strip()
        if not value:
            return ""
        try:
            return lookup[normalize_header(value)]
        except KeyError:
            allowed = ", ".join(str(label) for code, label in choices if code != "")
            raise ValidationError(_("“%(value)s” is not one of: %(allowed)s.") % {"value": value, "allowed": allowed}) from None
    return read


def form_parser(form_field: forms.Field, read: Callable[[str], Any] = read_text,
                model_field: models.Field | None = None) -> Callable[[str], Any]:
    """A cell's value: read, cleaned by ``form_field``, then checked by the
    validators of ``model_field`` — what a record form and the record's
    ``full_clean`` check, with their messages."""
    def parse(value: str):
        value = form_field.clean(read(value))
        if model_field is not None and value not in form_field.empty_values:
            model_field.run_validators(value)
        return value
    return parse


# A name in a cell (a user, an account, a list value …), which the importer resolves.
name_parser = form_parser(forms.CharField(required=False, strip=False))


def parser_for(model_field: models.Field) -> Callable[[str], Any]:
    """How a cell becomes a value of ``model_field``: read as the import reads
    cells, checked by the field's form field."""
    if model_field.primary_key:
        return form_parser(forms.IntegerField(min_value=1, max_value=MAX_ID, required=False), str.strip)
    if model_field.is_relation:
        return name_parser
    options = {"required": False}
    read = read_text
    if model_field.choices:
        read = choice_reader(model_field.choices)
    elif isinstance(model_field, models.DateTimeField):
        read = str.strip
    elif isinstance(model_field, models.DateField):
        options["input_formats"] = DATE_FORMATS
        read = read_date
    elif isinstance(model_field, models.EmailField):
        read = lambda value: value.strip().lower()  # noqa: E731 (addresses are compared in lower case)
    elif isinstance(model_field, (models.IntegerField, models.DecimalField, models.FloatField)):
        read = str.strip
    return form_parser(model_field.formfield(**options), read, model_field)


class Importer:
    """Turns a table into a preview and commits it. Subclasses set ``model``,
    ``columns`` and the resolvers for columns that are not plain fields."""

    model: type[models.Model]
    columns: list[Column] = []
    # Values shown for each row of the preview: (key, column heading).
    preview_columns: tuple[tuple[str, str], ...] = ()
    # The field a row is matched on when it has no known ID (None: by ID only),
    # and the upload form's question about matched rows.
    duplicate_key: str | None = "email"
    duplicate_label = gettext_lazy("When a row's e-mail address matches an existing record")
    # Columns known and deliberately not imported (read-only columns of our own
    # exports, other tools' columns the record has no place for): they never
    # send the user to the Columns step.
    ignored_headers: tuple[str, ...] = ()
    # The same, as regular expressions on the normalised header (numbered columns
    # such as Google's "Phone 4 - Value").
    ignored_header_patterns: tuple[str, ...] = ()
    # Fields the record's clean() derives (a new record's are stored with the plan).
    derived_fields: tuple[str, ...] = ()
    # Values every new record gets (e.g. is_lead), by attname.
    record_defaults: dict[str, Any] = {}
    # The field whose value names a record in the change log (its __str__).
    repr_field: str | None = None
    fulltext: WordIndex | None = None  # filled in one statement on SQLite (bulk.insert_rows)

    def __init__(self, user):
        self.user = user
        # Told where a long preview or commit is: (phase, rows done, rows in all);
        # crm.generic.importjobs.ImportProgress, which also stops a preview past its time limit.
        self.progress: Callable[..., None] | None = None
        self.by_key = {c.key: c for c in self.columns}
        # A column's own key and label match before the names other tools use.
        self.label_index: dict[str, str] = {}
        self.header_index: dict[str, str] = {}
        for column in self.columns:
            for header in (column.key, column.label):
                self.label_index.setdefault(normalize_header(str(header)), column.key)
            for header in column.headers:
                self.header_index.setdefault(normalize_header(str(header)), column.key)
        self.present: set[str] = set()
        self._parsers: dict[str, Callable[[str], Any]] = {}   # by column key, built on first use

    # --- headers --------------------------------------------------------
    def match_headers(self, header: list[str], rows: list[list[str]] = ()) -> dict[int, str | None]:
        """Column index → column key (None: not recognised, or ignored).

        Our own names win over other tools' names: in an Outlook file "Job
        Title" takes the job title although "Title" (a synonym elsewhere)
        comes first. ``rows`` lets a subclass look at a column's values."""
        found: dict[int, str] = {}
        used = set()
        for index_of in (self.label_index, self.header_index):
            for index, name in enumerate(header):
                key = index_of.get(normalize_header(name))
                if index not in found and key and key not in used:
                    found[index] = key
                    used.add(key)
        return {index: found.get(index) for index in range(len(header))}

    def is_ignored(self, name: str) -> bool:
        """Whether ``name`` is a column this importer knows and leaves out."""
        normal = normalize_header(name)
        if normal in self.label_index or normal in self.header_index:
            return True  # a second column for a field another column already fills
        if normal in {normalize_header(h) for h in self.ignored_headers}:
            return True
        return any(re.fullmatch(pattern, normal) for pattern in self.ignored_header_patterns)

    def unmatched(self, header: list[str], mapping: dict[int, str | None]) -> list[tuple[int, str]]:
        """The columns to ask the user about: not recognised and not known to be ignored."""
        return [(i, name) for i, name in enumerate(header)
                if mapping.get(i) is None and name and not self.is_ignored(name)]

    @staticmethod
    def digest(data: bytes | Path, mapping: dict[int, str | None], on_duplicate: str, clear_empty: bool = False) -> str:
        """Names one preview: the file's bytes (or the file at a path, read in
        chunks), the chosen columns and the choices about matched rows and empty cells."""
        choices = json.dumps([PLAN_FORMAT, sorted((int(k), v or "") for k, v in mapping.items()), on_duplicate,
                              bool(clear_empty)])
        digest = hashlib.sha256()
        if isinstance(data, (bytes, bytearray)):
            digest.update(data)
        else:
            with open(data, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
        digest.update(b"\0" + choices.encode())
        return digest.hexdigest()

    def report(self, phase: str, done: int = 0, total: int = 0) -> None:
        """Tell ``progress`` (if any) where the preview or commit is."""
        if self.progress is not None:
            self.progress(phase, done, total)

    # --- rows -------------------------------------------------------------
    def parse_cell(self, key: str, value: str):
        try:
            parse = self._parsers[key]
        except KeyError:
            column = self.by_key[key]
            parse = self._parsers[key] = column.parse or parser_for(self.model._meta.get_field(key))
        return parse(value)

    def preview(self, table: Table, mapping: dict[int, str | None], *, on_duplicate: str = "update",
                clear_empty: bool = False) -> Preview:
        with gc_paused():
            return self._preview(table, mapping, on_duplicate, clear_empty)

    def _preview(self, table: Table, mapping: dict[int, str | None], on_duplicate: str, clear_empty: bool) -> Preview:
        self.present = {key for key in mapping.values() if key}
        self._plain_fields = None
        width = len(table.header)
        keyed = [(index, key) for index, key in mapping.items() if key]
        results = []
        total = len(table.rows)
        for offset, cells in enumerate(table.rows):
            if not offset % PROGRESS_EVERY:
                self.report("check", offset, total)
            row = RowResult(number=table.number(offset), cells=cells)
            # Empty cells past the header are harmless; anything else ragged is refused.
            if len(cells) < width or any(c.strip() for c in cells[width:]):
                row.status = "error"
                row.errors.append(("", ngettext("This row has %(cells)d cell; the header has %(width)d.",
                                                 "This row has %(cells)d cells; the header has %(width)d.",
                                                 len(cells)) % {"cells": len(cells), "width": width}))
                results.append(row)
                continue
            for index, key in keyed:
                if "\x00" in cells[index]:
                    # No database stores it (PostgreSQL refuses the row, SQLite keeps a broken value).
                    row.errors.append((table.header[index], _("The cell contains a NUL character (binary data), "
                                                              "which cannot be stored.")))
                    continue
                try:
                    row.values[key] = self.parse_cell(key, cells[index])
                except ValidationError as error:
                    row.errors.append((table.header[index], " ".join(error.messages)))
            results.append(row)
        self.report("match", 0, total)
        # Matching first: what a row updates decides what its empty cells mean.
        self.find_duplicates(results, on_duplicate)
        if not clear_empty:
            for row in results:
                if row.status == "update":
                    for index, key in keyed:
                        if not row.cells[index].strip():
                            row.values.pop(key, None)
        self.resolve(results, table, mapping)
        header_of = {key: table.header[index] for index, key in mapping.items() if key}
        for offset, row in enumerate(results):
            if not offset % PROGRESS_EVERY:
                self.report("match", offset, total)
            if row.status == "new":
                self.complete_row(row, None, header_of)  # a row with errors too: the preview shows its name
                if not row.errors:
                    self.check_record_rules(row, header_of)
        self.check_updates([row for row in results if row.status == "update" and not row.errors], header_of)
        for row in results:
            if row.errors:
                row.status = "error"
        return Preview(rows=results, mapping=mapping, header=table.header)

    def resolve(self, rows: list[RowResult], table: Table, mapping) -> None:
        """Turn names into records (users, list values, …) and check what a row
        must say on its own. Override. Rows are already matched (``status``,
        ``existing_pk``); the record's rules (``clean()``) run afterwards, on the
        new record or on the record the row updates."""

    def complete_row(self, row: RowResult, current: models.Model | None, header_of: dict[str, str]) -> None:
        """Values a row implies given the record it updates (``current``; None
        for a new row), e.g. a full name from a first name the file changes and
        the last name it keeps. Add errors for what the row lacks. Override."""

    def update_note(self, current: models.Model) -> str:
        """What the preview says about the record a row updates. Override."""
        return ""

    def existing_by_key(self, keys: list[str]) -> dict[str, int]:
        """Existing records by duplicate key (e.g. normalised e-mail)."""
        found = {}
        if not keys or not self.duplicate_key:
            return found
        manager = self.model._meta.concrete_model._base_manager
        # Compared in lower case (stored addresses keep the case they were typed in).
        keyed = manager.annotate(_duplicate_key=Lower(self.duplicate_key))
        for start in range(0, len(keys), LOOKUP_SLICE):
            part = keys[start:start + LOOKUP_SLICE]
            for pk, key in keyed.filter(_duplicate_key__in=part).order_by("pk").values_list("pk", "_duplicate_key"):
                found.setdefault(key, pk)
        return found

    def versions(self, pks: list[int], *, lock: bool = False) -> dict[int, int]:
        """The current version of each of these records (absent: deleted).
        ``lock``: row-lock them for the rest of the transaction (the commit), so
        that what is checked is what is written."""
        manager = self.model._meta.concrete_model._base_manager
        found = {}
        for start in range(0, len(pks), LOOKUP_SLICE):
            part = manager.filter(pk__in=pks[start:start + LOOKUP_SLICE])
            found.update((part.select_for_update() if lock else part).values_list("pk", "version"))
        return found

    def known_ids(self, rows: list[RowResult]) -> set[int]:
        """The IDs the rows give that name existing records."""
        ids_given = sorted({row.values["id"] for row in rows if row.values.get("id")})
        known = set()
        for start in range(0, len(ids_given), LOOKUP_SLICE):
            part = ids_given[start:start + LOOKUP_SLICE]
            known |= set(self.model._base_manager.filter(pk__in=part).values_list("pk", flat=True))
        return known

    def find_duplicates(self, rows: list[RowResult], on_duplicate: str) -> None:
        keys = sorted({row.values.get(self.duplicate_key) for row in rows if row.values.get(self.duplicate_key)})
        existing = self.existing_by_key(keys)
        known_ids = self.known_ids(rows)
        first_row: dict[str, int] = {}
        for row in rows:
            if row.status == "error":
                continue
            key = (row.values.get(self.duplicate_key) if self.duplicate_key else "") or ""
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
        updates = [row for row in rows if row.status == "update"]
        versions = self.versions([row.existing_pk for row in updates])
        for row in updates:
            row.existing_version = versions.get(row.existing_pk)

    def check_record_rules(self, row: RowResult, header_of: dict[str, str]) -> None:
        """The record's own rules (Model.clean), as every other write path applies
        them; the cleaned record's values are kept for the plan of a new row."""
        instance = self.new_instance(row)
        try:
            instance.clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                row.errors.append((self.header_for(name, header_of), " ".join(messages)))
        row.record = self._read_record(instance)

    def header_for(self, name: str, header_of: dict[str, str]) -> str:
        """The column under which an error of the record's ``name`` shows: the
        field's, or for a link (crm.generic.links) the first of its columns the
        file has."""
        link = self.model.record_links.get(name)
        if link is not None:
            return next((header_of[f] for f in link.field_names if f in header_of), str(link.verbose_name or name))
        return header_of.get(name, name)

    def record_fields(self) -> list[models.Field]:
        """The fields of a new record the plan may take from the cleaned record:
        its own (not linked) fields the importer sets, and those it derives."""
        if getattr(self, "_record_fields", None) is None:
            wanted = self.plain_fields() | set(self.derived_fields)
            self._record_fields = [f for f in self.model._meta.concrete_fields if f.name in wanted and not f.is_relation]
            getter = operator.attrgetter(*[f.attname for f in self._record_fields])
            self._read_record = getter if len(self._record_fields) > 1 else lambda obj: (getter(obj),)
        return self._record_fields

    def _read_record(self, instance) -> tuple:
        self.record_fields()  # replaces this method by the fields' getter
        return self._read_record(instance)

    def check_updates(self, rows: list[RowResult], header_of: dict[str, str]) -> None:
        """Apply each update row to its record as it is now, with the record's
        rules, as the commit will: their errors show in the preview, and so do
        the fields each row changes. A row that changes nothing is
        "unchanged". A row that would change a read-only record
        (``locked_q()``, e.g. a closed opportunity) is refused with the
        record's ``lock_reason()``; one that repeats what such a record says
        is unchanged, so re-importing an export changes nothing."""
        model = self.model._meta.concrete_model
        manager = model._base_manager
        many = self.many_to_many_fields()
        locked_q = model.locked_q()
        # Linked records are left out: reading them would take a query per row.
        shown = [key for key, _label in self.preview_columns if not model._meta.get_field(key).is_relation]
        for start in range(0, len(rows), LOOKUP_SLICE):
            self.report("compare", start, len(rows))
            part = rows[start:start + LOOKUP_SLICE]
            pks = [row.existing_pk for row in part]
            current = manager.in_bulk(pks)
            locked = set(manager.filter(locked_q, pk__in=pks).values_list("pk", flat=True)) if locked_q is not None else set()
            given_many = [name for name in many if any(name in row.values for row in part)]
            sets_now = {name: self.current_sets(name, pks) for name in given_many}
            for row in part:
                obj = current.get(row.existing_pk)
                if obj is None:
                    continue  # deleted meanwhile: the commit's re-check refuses the row
                row.note = row.note or self.update_note(obj)
                # The preview names the record even when the row leaves its name empty.
                row.current = {key: getattr(obj, key) for key in shown if key not in row.values}
                self.complete_row(row, obj, header_of)
                if row.errors:
                    continue
                try:
                    changed, before, m2m, differs = self.apply_update(obj, row.values, sets_now)
                except ValidationError as error:
                    for name, messages in error.message_dict.items():
                        row.errors.append((self.header_for(name, header_of), " ".join(messages)))
                    continue
                if row.existing_pk in locked and (differs or m2m):
                    row.errors.append(("", self.lock_reason(obj.pk)))
                elif not changed and not m2m:
                    row.status = "unchanged"
                else:
                    # Links by the record the row names (a new list value has no key yet), the rest as
                    # the record's rules left them.
                    row.changes = [(f.name, before[f.attname], row.values[f.name] if f.is_relation and f.name in row.values
                                    else getattr(obj, f.attname)) for f in changed]
                    row.changes += [(name, old, new) for name, (old, new) in m2m.items()]

    def lock_reason(self, pk: int) -> str:
        """Why a read-only record cannot change, as it says while unchanged."""
        return self.model._meta.concrete_model._base_manager.get(pk=pk).lock_reason()

    def compared_fields(self, names) -> list[models.Field]:
        """The fields an update may change: those it sets and those the record derives."""
        meta = self.model._meta.concrete_model._meta
        return [meta.get_field(name) for name in names] + [
            meta.get_field(name) for name in self.derived_fields if name not in names]

    def apply_update(self, obj: models.Model, values: dict[str, Any], sets_now: dict[str, dict[int, set]]):
        """Set a row's ``values`` (by field name) on the record and apply its
        rules (``services.validate_set_fields``: the checks of the fields it sets
        and ``clean()``; it may raise ValidationError). Returns the fields
        that changed (given or derived), the values they had (by attname), the
        many-to-many fields whose set changes: {name: (keys now, keys after)},
        and whether a given value differed before the rules ran (a read-only
        record refuses that even when its rules would undo it).

        When no given value differs from the record's, the record's rules do
        not run and nothing changes: a row that says what the record says (or
        says nothing) is unchanged even if the rules would derive something
        else today."""
        if getattr(self, "_own_fields", None) is None:
            meta = self.model._meta.concrete_model._meta
            # The record's own fields by name and attname (the plan gives links by attname).
            self._own_fields = {key for f in meta.concrete_fields if not f.primary_key for key in (f.name, f.attname)}
            self._many_fields = {f.name for f in meta.many_to_many}
        many = self._many_fields
        plain = {name: value for name, value in values.items() if name in self._own_fields}
        compared = self.compared_fields(plain)
        before = {f.attname: getattr(obj, f.attname) for f in compared}
        m2m = {}
        for name, items in values.items():
            if name in many:
                now = sets_now.get(name, {}).get(obj.pk, set())
                wanted = {item.pk if isinstance(item, models.Model) else item for item in items}
                if wanted != now:
                    m2m[name] = (now, wanted)
        # A link to a value the import creates (its key comes at the commit) is a change.
        creates = {name for name, value in plain.items() if isinstance(value, models.Model) and value.pk is None}
        for name, value in plain.items():
            setattr(obj, name, value)
        differs = bool(creates) or any(getattr(obj, f.attname) != before[f.attname] for f in compared
                                       if f.name in plain or f.attname in plain)
        if not differs:
            return [], before, m2m, False
        services.validate_set_fields(obj, plain, links_checked=True)
        changed = [f for f in compared if f.name in creates or getattr(obj, f.attname) != before[f.attname]]
        return changed, before, m2m, True

    def current_sets(self, name: str, pks: list[int]) -> dict[int, set[int]]:
        """The many-to-many field ``name`` of these records: pk → set of keys."""
        return services.current_sets(self.model, name, pks)

    def new_instance(self, row: RowResult) -> models.Model:
        """An unsaved record with the row's values. Copied from a blank record
        rather than built by Model.__init__, which walks all 60 fields and cost
        more than half of a 100,000-row preview; values go through setattr, so
        links are set by their descriptors as __init__ would."""
        if getattr(self, "_blank", None) is None:
            self._blank = self.model(**self.record_defaults).__dict__.copy()
            del self._blank["_state"]
        obj = self.model.__new__(self.model)
        obj.__dict__.update(self._blank)
        obj._state = ModelState()
        plain = self.plain_fields()
        for key, value in row.values.items():
            if key in plain:
                setattr(obj, key, value)
        return obj

    def plain_fields(self) -> set[str]:
        """Columns that are the model's own fields (computed once per import)."""
        if getattr(self, "_plain_fields", None) is None:
            names = {f.name for f in self.model._meta.concrete_fields}
            self._plain_fields = self.compute_plain_fields({c.key for c in self.columns if c.key in names and c.key != "id"})
        return self._plain_fields

    def compute_plain_fields(self, fields: set[str]) -> set[str]:
        return fields

    def many_to_many_fields(self) -> list[str]:
        names = {f.name for f in self.model._meta.many_to_many}
        return sorted(key for key in self.present if key in names)

    # --- what the preview shows ---------------------------------------------
    def describe_changes(self, rows: list[RowResult]) -> dict[int, list[tuple[str, str, str]]]:
        """(field label, value now, value after) per change of each update row,
        by row number, with linked records by name (one query per linked
        field, whatever the number of rows)."""
        meta = self.model._meta.concrete_model._meta
        wanted: dict[str, set] = {}
        for row in rows:
            for name, old, new in row.changes:
                field = meta.get_field(name)
                if field.is_relation:
                    keys = (old | new) if field.many_to_many else {old}
                    wanted.setdefault(name, set()).update(k for k in keys if isinstance(k, int))
        names: dict[str, dict[int, str]] = {}
        for name, keys in wanted.items():
            related = meta.get_field(name).related_model._base_manager
            found = {}
            ordered = sorted(keys)
            for start in range(0, len(ordered), LOOKUP_SLICE):
                found.update({obj.pk: str(obj) for obj in related.filter(pk__in=ordered[start:start + LOOKUP_SLICE])})
            names[name] = found

        def text(field, value) -> str:
            if value is None or value == "" or value == set():
                return "—"  # an empty value, as the preview shows it
            if field.many_to_many:
                return ", ".join(sorted(names.get(field.name, {}).get(k, str(k)) for k in value if k is not None))
            if isinstance(value, models.Model):
                return str(value)
            if field.is_relation:
                return names.get(field.name, {}).get(value, str(value))
            if field.choices:
                return str(dict(field.flatchoices).get(value, value))
            return str(value)

        described = {}
        for row in rows:
            if row.changes:
                items = []
                for name, old, new in row.changes:
                    field = meta.get_field(name)
                    if field.many_to_many:
                        new_names = text(field, new) if all(isinstance(k, int) for k in new) else ", ".join(
                            sorted(str(item) for item in row.values.get(name, ())))
                        items.append((str(capfirst(field.verbose_name)), text(field, old), new_names))
                    else:
                        items.append((str(capfirst(field.verbose_name)), text(field, old), text(field, new)))
                described[row.number] = items
        return described

    # --- the plan ---------------------------------------------------------
    def prepare(self, preview: Preview, digest: str) -> Plan:
        """The plan of the writes this preview shows, to be stored with the upload."""
        with gc_paused():
            return self._prepare(preview, digest)

    def _prepare(self, preview: Preview, digest: str) -> Plan:
        new_rows = [row for row in preview.rows if row.status == "new"]
        update_rows = [row for row in preview.rows if row.status == "update"]
        given_new = set().union(*(row.values for row in new_rows))
        many = self.many_to_many_fields()
        # A new row's own fields come from its cleaned record (derived values
        # included), read in one attrgetter call; links come from the row's values.
        wanted = self.plain_fields() & given_new | set(self.derived_fields)
        own = [f for f in self.model._meta.concrete_fields if f.name in wanted and not f.is_relation]
        links = sorted(name for name in wanted if name not in {f.name for f in own})
        new_fields = [f.name for f in own] + links + [name for name in many if name in given_new]
        # Dates and amounts go into the JSON plan as text.
        as_text = [at for at, f in enumerate(own, start=1) if isinstance(f, (models.DateField, models.DecimalField))]
        # A new row's own values, from the cleaned record's values the preview kept.
        kept = self.record_fields()
        picker = operator.itemgetter(*[kept.index(f) for f in own])
        read_own = picker if len(own) > 1 else lambda record: (picker(record),)

        def encode(value):
            if isinstance(value, models.Model):
                return value.pk if value.pk is not None else {"new": str(value)}
            if isinstance(value, (list, tuple)):
                return [encode(item) for item in value]
            if isinstance(value, datetime.date):
                return value.isoformat()
            if isinstance(value, decimal.Decimal):
                return str(value)
            return value

        new = []
        for row in new_rows:
            values = [row.number, *read_own(row.record), *(encode(row.values.get(name)) for name in new_fields[len(own):])]
            for at in as_text:
                if values[at] is not None:
                    values[at] = values[at].isoformat() if isinstance(values[at], datetime.date) else str(values[at])
            new.append(values)
        # Only what the row gives: an update must not clear fields the file has
        # no column for, nor (unless asked) those whose cell is empty.
        settable = self.plain_fields() | set(many)
        update = [[row.number, row.existing_pk, row.existing_version,
                   {name: encode(value) for name, value in row.values.items() if name in settable}]
                  for row in update_rows]
        return Plan(digest=digest, counts=preview.counts, new_fields=new_fields, new=new, update=update)

    def reference_queryset(self, field: models.Field):
        """The records a row may still refer to through ``field`` at commit. Override."""
        return field.related_model._base_manager.all()

    def recheck(self, plan: Plan) -> list[tuple[int, str]]:
        """What the database no longer agrees with since the preview, in set-based
        queries: (row number, reason). Run inside the commit's transaction."""
        problems = []
        if self.duplicate_key and self.duplicate_key in plan.new_fields:
            at = plan.new_fields.index(self.duplicate_key) + 1
            keys = sorted({row[at] for row in plan.new if row[at]})
            existing = self.existing_by_key(keys)
            problems += [(row[0], _("a record with this e-mail address was saved after the preview"))
                         for row in plan.new if row[at] in existing]
        versions = self.versions([row[1] for row in plan.update], lock=True)
        for number, pk, version, _values in plan.update:
            if pk not in versions:
                problems.append((number, _("the record it updates was deleted after the preview")))
            elif versions[pk] != version:
                problems.append((number, _("the record it updates was changed after the preview")))
        # Each row's linked keys, new rows and updates alike: field name → [(row number, value)].
        meta = self.model._meta
        linked: dict[str, list[tuple[int, Any]]] = {}
        for at, name in enumerate(plan.new_fields, start=1):
            if meta.get_field(name).is_relation:
                linked.setdefault(name, []).extend((row[0], row[at]) for row in plan.new)
        relations = {f.name for f in meta.get_fields() if f.is_relation and (f.concrete or f.many_to_many)}
        for number, _pk, _version, values in plan.update:
            for name, value in values.items():
                if name in relations:
                    linked.setdefault(name, []).append((number, value))
        for name, pairs in linked.items():
            field = meta.get_field(name)
            rows = [(number, {pk for pk in (value if field.many_to_many else [value]) if isinstance(pk, int)})
                    for number, value in pairs]
            pks = sorted(set().union(*(keys for _number, keys in rows)))
            found = set()
            for start in range(0, len(pks), LOOKUP_SLICE):
                found |= set(self.reference_queryset(field).filter(pk__in=pks[start:start + LOOKUP_SLICE])
                             .values_list("pk", flat=True))
            gone = set(pks) - found
            if gone:
                reason = _("“%(field)s” names something deleted or deactivated after the preview") % {
                    "field": capfirst(field.verbose_name)}
                problems += [(number, reason) for number, keys in rows if keys & gone]
        return sorted(problems)

    # --- writing (crm.generic.services.records_import) -------------------------
    def before_write(self, plan: Plan) -> None:
        """Create what rows refer to but does not exist yet (e.g. new list values). Override."""

    def insert_new(self, plan: Plan, user) -> list[tuple[int, str, dict]]:
        """INSERT the new rows of the plan: no model instances, one executemany
        per batch. Returns (pk, text for the change log, many-to-many values)
        per record."""
        model = self.model._meta.concrete_model
        many = set(self.many_to_many_fields_of(plan.new_fields))
        user = user if user and user.is_authenticated else None
        template = bulk.row_template(model, **self.record_defaults, created_by_id=user.pk if user else None)
        attnames = list(template)
        base = list(template.values())
        positions, m2m_at = [], []
        for at, name in enumerate(plan.new_fields, start=1):
            if name in many:
                m2m_at.append((at, name))
                continue
            field = model._meta.get_field(name)
            positions.append((at, attnames.index(field.attname), _decoder(field)))
        repr_at = plan.new_fields.index(self.repr_field) + 1 if self.repr_field in plan.new_fields else None
        created = []

        def rows():
            for done, row in enumerate(plan.new):
                if not done % PROGRESS_EVERY:
                    self.report("write", done, len(plan.new) + len(plan.update))
                values = base.copy()
                for at, position, decode in positions:
                    value = row[at]
                    values[position] = decode(value) if decode is not None and value is not None else value
                if repr_at is None:
                    created.append([None, str(model(**dict(zip(attnames, values)))), {n: row[a] for a, n in m2m_at}])
                else:
                    created.append([None, row[repr_at], {n: row[a] for a, n in m2m_at}])
                yield values

        pks = bulk.insert_rows(model, attnames, rows(), count=len(plan.new), fulltext=self.fulltext)
        for entry, pk in zip(created, pks):
            entry[0] = pk
        return [tuple(entry) for entry in created]

    def many_to_many_fields_of(self, names) -> list[str]:
        return [name for name in names if self.model._meta.get_field(name).many_to_many]

    def decode(self, values: dict[str, Any]) -> dict[str, Any]:
        """An update's values as the plan stores them, back as the record's:
        own fields by attname (links as keys), many-to-many by name."""
        decoders = self.__dict__.setdefault("_decoders", {})
        meta = self.model._meta.concrete_model._meta
        decoded = {}
        for name, value in values.items():
            if name not in decoders:
                field = meta.get_field(name)
                decoders[name] = (name, None) if field.many_to_many else (field.attname, _decoder(field))
            key, decode = decoders[name]
            decoded[key] = decode(value) if decode is not None and value is not None else value
        return decoded


def _decoder(field: models.Field):
    """How a stored plan value becomes the field's Python value again (None: as is)."""
    if isinstance(field, models.DateTimeField):
        return datetime.datetime.fromisoformat
    if isinstance(field, models.DateField):
        return datetime.date.fromisoformat
    if isinstance(field, models.DecimalField):
        return decimal.Decimal
    return None
