"""The ``Importer`` base: a table's headers matched to columns, each row read,
matched to the record it updates and checked with the record's rules, and the
preview of what a commit would do."""
from __future__ import annotations

import hashlib
import json
import operator
import re
from pathlib import Path
from typing import Any, Callable

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models.base import ModelState
from django.db.models.functions import Lower
from django.utils.text import capfirst
from django.utils.translation import gettext as _, gettext_lazy, ngettext

from .. import services
from ..search import WordIndex
from ..tabular import Table
from .cells import Column, normalize_header, parser_for
from .plan import LOOKUP_SLICE, PLAN_FORMAT, PROGRESS_EVERY, PlanMaking, Preview, RowResult, gc_paused, tuple_getter


class Importer(PlanMaking):
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
        # A new record's own field left empty takes the field's default, as on a
        # new record's form (Score type: Automatic); names (links, lists,
        # categories) are the importer's to resolve.
        own = {f.name for f in self.model._meta.concrete_fields if not f.is_relation}
        empty_new = [(index, key) for index, key in keyed if key in own]
        for row in results:
            emptied = keyed if row.status == "update" and not clear_empty else empty_new if row.status == "new" else ()
            for index, key in emptied:
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
        """The record's checks and rules (``services.validate_new_record``: its
        ``full_clean``), as every other write path applies them; the cleaned
        record's values are kept for the plan of a new row."""
        instance = self.new_instance(row)
        try:
            services.validate_new_record(instance, checked=row.values.keys() & self.plain_fields())
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                row.errors.append((self.header_for(name, header_of), " ".join(messages)))
        row.record = self._read_record(instance)

    def header_for(self, name: str, header_of: dict[str, str]) -> str:
        """The column under which an error of the record's ``name`` shows: the
        field's, or for a link (crm.generic.links) the first of its columns the
        file has; for a field the file has no column for, its name (a
        rule of the whole record: none)."""
        link = self.model.record_links.get(name)
        if link is not None:
            return next((header_of[f] for f in link.field_names if f in header_of), str(link.verbose_name or name))
        if name in header_of:
            return header_of[name]
        if name == NON_FIELD_ERRORS:
            return ""
        try:
            return str(capfirst(self.model._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            return name

    def record_fields(self) -> list[models.Field]:
        """The fields of a new record the plan may take from the cleaned record:
        its own (not linked) fields the importer sets, and those it derives."""
        if getattr(self, "_record_fields", None) is None:
            wanted = self.plain_fields() | set(self.derived_fields)
            self._record_fields = [f for f in self.model._meta.concrete_fields if f.name in wanted and not f.is_relation]
            self._read_record = tuple_getter(operator.attrgetter, [f.attname for f in self._record_fields])
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
