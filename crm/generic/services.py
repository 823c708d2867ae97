"""Writes every record type goes through: create, update, delete, the bulk
variants and imports (``records_import``), each in one transaction, each
leaving change-log entries.

Per-model rules stay on the model (``clean()``, ``lock_reason()``,
``locked_q()``); these functions enforce them on every write path — forms,
bulk actions, imports, the admin and the apps' own services — so no path can
skip one: the row is re-read locked, the lock rule and the version are
checked on it, the record is validated (``full_clean``), gets its next
version, and its change-log entry is written by one family of writers
(``changelog_insert`` and the helpers over it) with one way of writing values
(``display_value``).
"""
from __future__ import annotations

import copy
import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
import functools
from functools import partial
from typing import Any, Iterable

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models import F, ProtectedError
from django.utils import timezone
from django.utils.formats import localize
from django.utils.text import capfirst
from django.utils.translation import gettext as _, ngettext

from crm.models import ChangeLogEntry, DeletedItem, HistoryItem, HistoryLink, UserPreferences
from crm.permissions import is_owner

from . import recycle
from .imports.plan import LOOKUP_SLICE, gc_paused


class DomainError(Exception):
    """A business rule refused the write; the message is shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class EditConflict(DomainError):
    """Someone else saved the record after the editor loaded it."""

    def __init__(self, current: models.Model, entries: list[ChangeLogEntry]):
        super().__init__(
            _("%(user)s changed this record while you were editing it. Your changes are not saved yet: "
              "review what changed, then save again. Fields you did not change now show their values.")
            % {"user": self.names(entries)}
        )
        self.current = current
        self.entries = entries

    @staticmethod
    def names(entries: list[ChangeLogEntry]) -> str:
        return ", ".join(sorted({e.user_name or _("Someone") for e in entries})) or _("Someone")


class DeleteConflict(DomainError):
    """The record (or history item) changed after its delete confirmation was shown."""

    def __init__(self, user_names: str):
        super().__init__(_("%(user)s changed this record after your delete confirmation was shown, so nothing was "
                           "deleted. Look at the record, then delete it again if you still want to.")
                         % {"user": user_names})


class RecordLocked(DomainError):
    """The record is read-only (e.g. a closed opportunity)."""


class RecordGone(DomainError):
    """The record was deleted (by someone else) before the write."""

    def __init__(self):
        super().__init__(_("This record no longer exists: someone deleted it."))


class PreviewOutdated(DomainError):
    """What an import preview showed no longer holds (a record saved, changed
    or removed meanwhile); nothing was written."""

    def __init__(self, problems: list[tuple[int, str]]):
        row, reason = problems[0]
        super().__init__(ngettext(
            "Nothing was imported: %(count)d row is no longer as the preview showed it (row %(row)d: %(reason)s). "
            "Check the updated preview and confirm again.",
            "Nothing was imported: %(count)d rows are no longer as the preview showed them (row %(row)d: %(reason)s). "
            "Check the updated preview and confirm again.", len(problems)) % {"count": len(problems), "row": row, "reason": reason})
        self.problems = problems


class BulkValidationError(DomainError):
    """A bulk change is invalid for some records; nothing was written."""

    def __init__(self, errors: list[str]):
        super().__init__(_("Nothing was changed: the new value is not valid for %(count)d of the selected records.")
                         % {"count": len(errors)})
        self.errors = errors


# --- Snapshots and the change log -----------------------------------------

def display_value(field: models.Field, value) -> str:
    """A field's value as a person reads it, the one way every change-log
    entry writes values (a form's save, a bulk edit, an import): choices by
    their label, yes/no, dates and amounts as the language writes them, a file
    by its name, a related record by its text (``value`` is the record, or
    the text already looked up)."""
    if value is None or value == "":
        return ""
    if isinstance(value, models.Model):
        return str(value)
    if field.choices and not field.is_relation:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, datetime.datetime):
        return localize(timezone.localtime(value))
    if isinstance(value, (datetime.date, Decimal)):
        return localize(value)
    if isinstance(field, models.FileField):
        return value.name
    return str(value)


def _display(instance: models.Model, field: models.Field) -> str:
    """``display_value`` of a field of a record (many-to-many: the names, sorted)."""
    if field.many_to_many:
        if instance.pk is None:
            return ""
        return ", ".join(sorted(str(o) for o in getattr(instance, field.name).all()))
    return display_value(field, getattr(instance, field.name))


def tracked_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields a change log records: editable ones, plus many-to-many."""
    skip = {"modified", "created", "version", "created_by"}
    return [
        f for f in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if f.editable and f.name not in skip and not f.primary_key
    ]


def snapshot(instance: models.Model, fields: Iterable[models.Field] | None = None) -> dict[str, str]:
    return {f.name: _display(instance, f) for f in (fields or tracked_fields(type(instance)))}


def diff_snapshots(model, before: dict[str, str], after: dict[str, str]) -> dict[str, dict[str, str]]:
    changes = {}
    for name, new in after.items():
        old = before.get(name, "")
        if old != new:
            changes[name] = {"label": str(model._meta.get_field(name).verbose_name), "old": old, "new": new}
    return changes


def _entry(instance, action: str, user, changes: dict, version: int) -> ChangeLogEntry:
    entry = _blank_entry(type(instance), action, user)
    entry.object_id, entry.object_repr, entry.version, entry.changes = instance.pk, str(instance)[:200], version, changes
    return entry


def _blank_entry(model, action: str, user) -> ChangeLogEntry:
    """An entry saying who did what to a record of ``model``, before naming the record."""
    return ChangeLogEntry(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=True),
        action=action,
        user=user if user and user.is_authenticated else None,
        user_name=(user.get_full_name() or user.get_username()) if user and user.is_authenticated else "",
    )


def changelog_for(instance: models.Model):
    ct = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    return ChangeLogEntry.objects.filter(content_type=ct, object_id=instance.pk).select_related("user")


def _assert_editable(instance) -> None:
    reason = instance.lock_reason()
    if reason:
        raise RecordLocked(reason)


def _assert_none_locked(queryset) -> None:
    locked_q = queryset.model.locked_q()
    if locked_q is not None:
        locked = list(queryset.filter(locked_q).values_list("pk", flat=True)[:1])
        if locked:
            raise RecordLocked(_("Some of the selected records are read-only (closed); nothing was changed."))


# Every write re-reads the rows it changes inside its own transaction, locked
# (SELECT … FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE transaction holds
# the database's write lock from its start), and only then checks the lock rule
# and the version. A copy loaded earlier (the page's, the list's) may be stale:
# checked on that copy, an opportunity closed meanwhile by someone else was
# deleted.

def lock_current(instance: models.Model) -> models.Model:
    """The stored record, re-read and row-locked in the caller's transaction."""
    model = type(instance)
    try:
        return model._default_manager.select_for_update().get(pk=instance.pk)
    except model.DoesNotExist as error:
        raise RecordGone() from error


def _lock_rows(queryset) -> list[models.Model]:
    """The selected records, re-read and row-locked in the caller's
    transaction; ``RecordLocked`` if any of them is read-only now."""
    rows = list(queryset.select_for_update(of=("self",)))
    _assert_none_locked(queryset)
    return rows


# --- One record ----------------------------------------------------------

def _save_new_references(instance) -> None:
    """Save related records created in the same form (a Source value typed in
    for the first time), so the record can point at them."""
    for field in instance._meta.concrete_fields:
        if field.many_to_one and field.is_cached(instance):
            related = field.get_cached_value(instance)
            if related is not None and related.pk is None:
                related.full_clean()
                related.save()
                setattr(instance, field.name, related)


def pending_snapshot(instance: models.Model, m2m: dict[str, Any] | None = None) -> dict[str, str]:
    """``snapshot`` of a record about to be saved: its fields as set on the
    instance, and its many-to-many fields as ``m2m`` will set them."""
    m2m = m2m or {}
    return {f.name: (", ".join(sorted(str(o) for o in m2m[f.name])) if f.name in m2m else _display(instance, f))
            for f in tracked_fields(type(instance))}


def write_dependents(model, pks) -> set:
    """The records whose stored figures follow the rows ``pks`` of ``model``
    (``Record.write_dependents``): asked before a write and after it."""
    hook = getattr(model, "write_dependents", None)
    pks = [pk for pk in pks if pk is not None]
    return set(hook(pks)) if hook is not None and pks else set()


def refresh_dependents(model, before: set, pks=()) -> None:
    """After a write to the rows ``pks`` of ``model``: recompute the figures of
    the records they fed before (``before``) and feed now (a task moved to
    another project changes both projects' % complete)."""
    keys = set(before) | write_dependents(model, pks)
    if keys:
        model.refresh_dependents(keys)


@transaction.atomic
def record_create(*, instance: models.Model, user, m2m: dict[str, Any] | None = None,
                  related_changes: dict[str, dict] | None = None) -> models.Model:
    """Validate and save a new record, set its many-to-many fields, log the creation.

    ``related_changes`` describes what the caller writes beside the record in the
    same transaction (products and services, ticked criteria …), in the change
    log's form ({name: {"label", "old", "new"}}); it goes into the same entry."""
    if hasattr(instance, "created_by_id") and user and user.is_authenticated:
        instance.created_by = user
    _save_new_references(instance)
    instance.full_clean()
    instance.save()
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)
    changes = {**diff_snapshots(type(instance), {}, snapshot(instance)), **(related_changes or {})}
    _entry(instance, ChangeLogEntry.Action.CREATE, user, changes, getattr(instance, "version", 1)).save()
    refresh_dependents(type(instance), set(), [instance.pk])
    return instance


@transaction.atomic
def record_update(*, instance: models.Model, user, expected_version: int | None = None,
                  m2m: dict[str, Any] | None = None, related_changes: dict[str, dict] | None = None) -> models.Model:
    """Save changes to an existing record.

    ``expected_version`` is the version the editor loaded; if the stored one
    is newer, someone else saved in between and ``EditConflict`` is raised
    with their change-log entries, and nothing is written. A save that changes
    nothing (a form submitted as it was shown) writes nothing: no new version,
    no change-log entry. ``related_changes``: as for ``record_create``; they
    count as changes of the record (a new version, one entry).
    """
    model = type(instance)
    current = lock_current(instance)
    _assert_editable(current)
    conflict = edit_conflict(current, expected_version)
    if conflict is not None:
        raise conflict
    before = snapshot(current)
    _save_new_references(instance)
    instance.full_clean()
    changes = {**diff_snapshots(model, before, pending_snapshot(instance, m2m)), **(related_changes or {})}
    if not changes and not _untracked_changes(current, instance):
        instance.version = current.version
        return instance
    dependents = write_dependents(model, [current.pk])
    instance.version = current.version + 1
    instance.save()
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)
    _entry(instance, ChangeLogEntry.Action.UPDATE, user, changes, instance.version).save()
    refresh_dependents(model, dependents, [instance.pk])
    return instance


def edit_conflict(current: models.Model, expected_version: int | None) -> EditConflict | None:
    """The conflict of an edit loaded at ``expected_version`` with the stored
    ``current`` record (others' change-log entries since), or None if it is not stale."""
    if expected_version is None or current.version == expected_version:
        return None
    return EditConflict(current, list(changelog_for(current).filter(version__gt=expected_version).order_by("version")))


def _untracked_changes(current: models.Model, instance: models.Model) -> bool:
    """Whether a value the change log does not show (a computed total, a score,
    a stage's entry date …) differs, so the save must still be written."""
    skip = {"modified", "created", "version"}
    return any(getattr(current, f.attname) != getattr(instance, f.attname)
               for f in type(instance)._meta.concrete_fields if f.name not in skip)


@transaction.atomic
def record_delete(*, instance: models.Model, user, expected_version: int | None = None) -> DeletedItem:
    """Delete a record into Deleted items (see ``_delete_into_bin``: what goes
    with it, what is cleared elsewhere). ``expected_version``: the version the
    confirmation page showed; if someone saved the record since, nothing is
    deleted (``DeleteConflict``)."""
    current = lock_current(instance)
    _assert_editable(current)
    conflict = edit_conflict(current, expected_version)
    if conflict is not None:
        raise DeleteConflict(EditConflict.names(conflict.entries))
    return _delete_into_bin(type(current), [current], user)[0]


def reorder(queryset, item, offset: int, field: str = "position") -> None:
    """Move ``item`` up (-1) or down (+1) among the ordered ``queryset`` and
    renumber positions 1..n (list values, scoring criteria, stages, …)."""
    items = list(queryset)
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index + offset
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items, start=1):
        setattr(other, field, position)
    queryset.model._default_manager.bulk_update(items, [field])


# --- Several records ----------------------------------------------------

def changelog_bulk_write(model, rows: list[models.Model], user, changes_for, action: str = "update") -> None:
    changelog_insert(model, [(obj.pk, str(obj), obj.version, changes_for(obj)) for obj in rows], user, action)


def changelog_insert(model, records: list[tuple[int, str, int, dict]], user, action: str) -> None:
    """One change-log entry per (pk, text, version, changes), written with
    executemany and no model instances (an import logs 100,000 at once)."""
    from crm.generic.bulk import insert_rows

    template = _blank_entry(model, action, user)
    fields = [f.attname for f in ChangeLogEntry._meta.concrete_fields if not f.primary_key]
    base = [getattr(template, name) for name in fields]
    at = {name: fields.index(name) for name in ("object_id", "object_repr", "version", "changes")}

    def rows():
        for pk, text, version, changes in records:
            row = base.copy()
            row[at["object_id"]], row[at["object_repr"]] = pk, text[:200]
            row[at["version"]], row[at["changes"]] = version, changes
            yield row

    insert_rows(ChangeLogEntry, fields, rows(), count=len(records))


def changelog_bulk_sql(queryset, user, changes: dict, repr_field: str) -> int:
    """One "changed" entry per record of ``queryset`` with the same ``changes``,
    written by a single INSERT … SELECT (no row comes into Python), for
    set-based changes to many records such as deleting a sales stage. Call it
    before the UPDATE it describes; each entry gets the record's next version."""
    from django.db import connection
    from django.db.models import Value
    from django.db.models.functions import Substr

    model = queryset.model
    entry_fields = ["content_type", "object_id", "object_repr", "action", "user", "user_name", "timestamp",
                    "version", "changes"]
    known = user if user and user.is_authenticated else None
    select = queryset.order_by().annotate(
        _ct=Value(ContentType.objects.get_for_model(model, for_concrete_model=True).pk),
        _repr=Substr(repr_field, 1, 200),
        _action=Value(ChangeLogEntry.Action.UPDATE.value),
        _user=Value(known.pk if known else None, output_field=models.BigIntegerField()),
        _user_name=Value((known.get_full_name() or known.get_username()) if known else ""),
        _timestamp=Value(timezone.now(), output_field=models.DateTimeField()),
        _version=F("version") + 1,
        _changes=Value(changes, output_field=models.JSONField()),
    ).values_list("_ct", "pk", "_repr", "_action", "_user", "_user_name", "_timestamp", "_version", "_changes")
    sql, params = select.query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(ChangeLogEntry._meta.get_field(name).column) for name in entry_fields)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(ChangeLogEntry._meta.db_table)} ({columns}) {sql}", params)
        return cursor.rowcount


@transaction.atomic
def records_bulk_update(*, queryset, user, field_name: str, value: Any = None, clear: bool = False) -> int:
    """Set one field on every selected record, or clear it ("Edit several at once").

    Each record is validated with its own ``full_clean()`` (a value may be
    fine for one record and not for another); if any record refuses, nothing
    is written and every refusal is reported.
    """
    model = queryset.model
    link = getattr(model, "record_links", {}).get(field_name)
    if link is not None:
        # A link to one record of several types (crm.generic.links): the key of
        # the chosen record's type is set, the link's other keys cleared.
        if clear and link.required:
            raise DomainError(_("“%(field)s” is required, so it cannot be cleared.") % {"field": link.verbose_name})
        chosen = None if clear or value is None else link.field_for(value)
        return records_bulk_set(queryset=queryset, user=user,
                                values={f.name: value if f is chosen else None for f in link.fields()})
    field = model._meta.get_field(field_name)
    if clear:
        value = [] if field.many_to_many else (None if field.null else "")
        if not field.many_to_many and not field.blank:
            raise DomainError(_("“%(field)s” is required, so it cannot be cleared.") % {"field": field.verbose_name})
    if not field.many_to_many:
        return records_bulk_set(queryset=queryset, user=user, values={field_name: value})
    rows = _lock_rows(queryset)
    before = {obj.pk: snapshot(obj, [field]) for obj in rows}
    for obj in rows:
        getattr(obj, field.name).set(value)
    model._default_manager.filter(pk__in=[o.pk for o in rows]).update(version=F("version") + 1, modified=timezone.now())
    for obj in rows:
        obj.version += 1
    changelog_bulk_write(model, rows, user, lambda obj: diff_snapshots(model, before[obj.pk], snapshot(obj, [field])))
    return len(rows)


@transaction.atomic
def records_bulk_set(*, queryset, user, values: dict[str, Any]) -> int:
    """Set several fields at once on every selected record (e.g. Mark closed:
    stage and close date), validating each record; all or nothing."""
    model = queryset.model
    rows = _lock_rows(queryset)
    for value in values.values():
        if isinstance(value, models.Model) and value.pk is None:
            # A list value typed in for the first time (e.g. a new Source).
            value.full_clean()
            value.save()
    errors: list[str] = []
    concrete = [f for f in model._meta.concrete_fields if not f.primary_key]
    # Copies as loaded (Model.__getstate__ gives each its own field cache), to
    # describe afterwards only the fields that changed.
    originals = {obj.pk: copy.copy(obj) for obj in rows}
    for obj in rows:
        for name, value in values.items():
            setattr(obj, name, value)
        try:
            validate_set_fields(obj, values)
        except ValidationError as error:
            messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
            errors.append(f"{obj}: " + " ".join(m for ms in messages.values() for m in ms))
    if errors:
        raise BulkValidationError(errors)
    # Write the edited fields and whatever clean() derived from them (e.g. a score).
    changed = set(values)
    for obj in rows:
        original = originals[obj.pk]
        changed |= {f.name for f in concrete if getattr(obj, f.attname) != getattr(original, f.attname)}
    tracked = [f for f in model._meta.concrete_fields if f.name in changed and f.name not in {"version", "modified"}]
    pks = [obj.pk for obj in rows]
    dependents = write_dependents(model, pks)
    _write_next_versions(model, rows, changed, user, lambda obj: diff_snapshots(
        model, snapshot(originals[obj.pk], tracked), snapshot(obj, tracked)))
    refresh_dependents(model, dependents, pks)
    return len(rows)


def validate_set_fields(obj: models.Model, names: Iterable[str], *, links_checked: bool = False) -> None:
    """The checks of a write that sets only the fields ``names`` (names or
    attnames) on a stored record — a bulk edit, an import's update: those
    fields' own checks and the record-wide rules (``full_clean``), not the
    other fields' (an old problem elsewhere must not block an unrelated
    change), and not uniqueness (no record field is unique).
    ``links_checked``: the caller has checked in set-based queries that the
    linked records exist (an import: a query per link and row would be
    100,000 queries)."""
    names = set(names)
    obj.full_clean(exclude=[f.name for f in obj._meta.fields if f.name not in names and f.attname not in names
                            or links_checked and f.is_relation], validate_unique=False)


def validate_new_record(obj: models.Model, checked: Iterable[str] = ()) -> None:
    """The checks of a new record written without a form (an import's new
    row) beyond those its values passed already (``checked``: an import's
    cells, read through their fields' form fields and validators): the
    fields a new record's form requires — a required value the file lacks
    is refused, with the field's own message — and the record-wide rules
    (``clean()``). A link that points at a record was checked by the caller
    in set-based queries; an empty required link is refused here.
    (``full_clean`` would walk every field of every row: 100,000 rows of 60
    fields cost an import preview several seconds.)"""
    errors: dict[str, list] = {}
    for field in _required_fields(type(obj)):
        if field.name in checked or field.is_relation and (
                field.is_cached(obj) or getattr(obj, field.attname) is not None):
            continue
        try:
            setattr(obj, field.attname, field.clean(getattr(obj, field.attname), obj))
        except ValidationError as error:
            errors[field.name] = error.error_list
    try:
        obj.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


@functools.cache
def _required_fields(model) -> list[models.Field]:
    """The fields a record's form requires (editable, not blank)."""
    return [f for f in model._meta.concrete_fields if f.editable and not f.blank and not f.primary_key]


def _write_next_versions(model, rows: list[models.Model], fields: Iterable[str], user, changes_for,
                         action: str = "update") -> None:
    """Give every record of ``rows`` its next version, write ``fields`` of all
    in batches, and log ``changes_for(record)`` for each: how every write to
    many records ends (a bulk edit, an import's updates)."""
    now = timezone.now()
    for obj in rows:
        obj.version += 1
        obj.modified = now
    model._base_manager.bulk_update(rows, sorted(set(fields) | {"version", "modified"}), batch_size=500)
    changelog_bulk_write(model, rows, user, changes_for, action)


def records_assign(*, queryset, user, assignee) -> int:
    """Assign every selected record to one colleague (or to nobody)."""
    return records_bulk_update(queryset=queryset, user=user, field_name="assigned_to", value=assignee, clear=assignee is None)


@transaction.atomic
def records_categorize(*, queryset, user, add: Iterable = (), remove: Iterable = ()) -> int:
    """Add and/or remove categories on every selected record."""
    model = queryset.model
    field = model._meta.get_field("categories")
    rows = _lock_rows(queryset.prefetch_related("categories"))
    before = {obj.pk: snapshot(obj, [field]) for obj in rows}
    through = field.remote_field.through
    source = f"{model._meta.concrete_model._meta.model_name}_id"
    pks = [o.pk for o in rows]
    add, remove = list(add), list(remove)
    if remove:
        through.objects.filter(**{f"{source}__in": pks, "category__in": remove}).delete()
    if add:
        through.objects.bulk_create(
            [through(**{source: pk, "category_id": c.pk}) for pk in pks for c in add], ignore_conflicts=True, batch_size=500
        )
    model._default_manager.filter(pk__in=pks).update(version=F("version") + 1, modified=timezone.now())
    fresh = {o.pk: o for o in model._default_manager.filter(pk__in=pks).prefetch_related("categories")}
    changelog_bulk_write(model, list(fresh.values()), user, lambda obj: diff_snapshots(model, before[obj.pk], snapshot(obj, [field])))
    return len(rows)


@transaction.atomic
def records_delete(*, queryset, user) -> int:
    """Delete every selected record into Deleted items (all or none)."""
    rows = _lock_rows(queryset)
    _delete_into_bin(queryset.model, rows, user)
    return len(rows)


# --- Imports ----------------------------------------------------------------------------

@transaction.atomic
def records_import(*, importer, plan, user, source: str, skip_errors: bool = False) -> dict[str, int]:
    """Write a confirmed import (the ``Plan`` its preview stored,
    crm.generic.imports) in one transaction, all rows or none, as the other
    write paths write:

    - first, what changed since the preview is refused (``PreviewOutdated``):
      an updated record saved or deleted meanwhile (its version, re-read
      row-locked), a linked record gone, an e-mail address taken;
    - an updated record gets the row's values with its own rules
      (``validate_set_fields``), is refused if read-only (``locked_q`` /
      ``lock_reason``), gets its next version and a change-log entry written
      with ``display_value``, as a form's save or a bulk edit logs it;
    - new records go in as rows (``importer.insert_new``: one executemany per
      batch, no model instances), each logged as created from ``source``.

    ``importer`` (a crm.generic.imports.Importer) gives what belongs to the
    record type: what rows refer to, values to create first (a new list
    value), how a row's values apply to a record. Returns the number of rows
    by status, as the preview counted them."""
    if plan.counts["error"] and not skip_errors:
        raise DomainError(_("Some rows have errors: fix the file, or choose to skip those rows."))
    with gc_paused():
        return _import(importer, plan, user, source)


def _import(importer, plan, user, source: str) -> dict[str, int]:
    model = importer.model._meta.concrete_model
    problems = importer.recheck(plan)
    if problems:
        raise PreviewOutdated(problems)
    importer.before_write(plan)
    update_pks = [row[1] for row in plan.update]
    dependents = write_dependents(model, update_pks)
    imported = {"import": {"label": str(_("Imported from")), "old": "", "new": source}}
    created = importer.insert_new(plan, user)
    changelog_insert(model, [(pk, text, 1, imported) for pk, text, _sets in created], user,
                     ChangeLogEntry.Action.CREATE)
    updated, unchanged, sets = _import_updates(importer, plan, user, imported)
    set_many_to_many(model, [(pk, sets) for pk, _text, sets in created if sets] + sets)
    refresh_dependents(model, dependents, [pk for pk, _text, _sets in created] + update_pks)
    return {"new": len(created), "update": updated, "unchanged": plan.counts["unchanged"] + unchanged,
            "skip": plan.counts["skip"], "error": plan.counts["error"]}


def _import_updates(importer, plan, user, imported: dict) -> tuple[int, int, list]:
    """Apply the plan's updates to the records as they are now: their rules
    and derived fields run again on the merged record. Returns the number of
    records written, the number that turned out unchanged, and (pk, {field:
    keys}) per record whose many-to-many sets change."""
    model = importer.model._meta.concrete_model
    manager = model._base_manager
    many = {f.name for f in model._meta.many_to_many}
    locked_q = model.locked_q()
    names: dict[tuple[str, Any], str] = {}
    written, sets, changes_of, changed_fields, unchanged = [], [], {}, set(), 0
    total = len(plan.new) + len(plan.update)
    for start in range(0, len(plan.update), LOOKUP_SLICE):
        importer.report("write", len(plan.new) + start, total)
        part = plan.update[start:start + LOOKUP_SLICE]
        pks = [row[1] for row in part]
        current = manager.in_bulk(pks)
        locked = set(manager.filter(locked_q, pk__in=pks).values_list("pk", flat=True)) if locked_q is not None else ()
        sets_now = {name: current_sets(model, name, pks) for name in sorted(many)
                    if any(name in row[3] for row in part)}
        for number, pk, _version, values in part:
            obj = current[pk]
            try:
                changed, before, m2m, differs = importer.apply_update(obj, importer.decode(values), sets_now)
            except ValidationError as error:
                raise DomainError(_("Row %(row)d: %(errors)s") % {
                    "row": number, "errors": " ".join(m for ms in error.message_dict.values() for m in ms)}) from error
            if pk in locked and (differs or m2m):
                # The preview refused this row and the version re-check keeps it so; never write it.
                raise RecordLocked(_("Row %(row)d: %(errors)s") % {
                    "row": number, "errors": manager.get(pk=pk).lock_reason()})
            if not changed and not m2m:
                unchanged += 1  # the file says what the record already says: nothing to write
                continue
            if m2m:
                sets.append((pk, {name: new for name, (_old, new) in m2m.items()}))
            changed_fields |= {f.name for f in changed}
            changes_of[pk] = {**_import_changes(model, changed, before, obj, m2m, names), **imported}
            written.append(obj)
    if written:
        _write_next_versions(model, written, changed_fields, user, lambda obj: changes_of[obj.pk])
    return len(written), unchanged, sets


def _import_changes(model, changed: list[models.Field], before: dict, obj: models.Model,
                    m2m: dict[str, tuple[set, set]], names: dict) -> dict:
    """The change-log changes of an import's update, written as ``snapshot``
    writes a form's (``display_value``); a linked record is named once per
    import (``names``: (field, key) → text), not read per row."""
    def text(field, value) -> str:
        if field.is_relation and value is not None:
            if (field.name, value) not in names:
                related = field.related_model._base_manager.filter(pk=value).first()
                names[field.name, value] = str(related if related is not None else value)
            value = names[field.name, value]
        return display_value(field, value)

    changes = {f.name: {"label": str(f.verbose_name), "old": text(f, before[f.attname]),
                        "new": text(f, getattr(obj, f.attname))} for f in sorted(changed, key=lambda f: f.name)}
    for name, (old, new) in sorted(m2m.items()):
        field = model._meta.get_field(name)
        changes[name] = {"label": str(field.verbose_name), "old": ", ".join(sorted(text(field, k) for k in old)),
                         "new": ", ".join(sorted(text(field, k) for k in new))}
    return changes


def current_sets(model, name: str, pks: list[int]) -> dict[int, set[int]]:
    """The many-to-many field ``name`` of these records: pk → set of keys."""
    field = model._meta.get_field(name)
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    found: dict[int, set[int]] = {}
    for start in range(0, len(pks), LOOKUP_SLICE):
        for pk, other in through.objects.filter(**{f"{source}__in": pks[start:start + LOOKUP_SLICE]}).values_list(
                f"{source}_id", f"{target}_id"):
            found.setdefault(pk, set()).add(other)
    return found


def set_many_to_many(model, wanted: list[tuple[int, dict[str, Iterable[int]]]]) -> None:
    """Set many-to-many fields of many records at once: (pk, {field: keys})
    per record; only records whose set differs are rewritten."""
    for name in sorted({name for _pk, values in wanted for name in values}):
        field = model._meta.get_field(name)
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        by_pk = {pk: set(values[name]) for pk, values in wanted if name in values}
        pks = list(by_pk)
        now = current_sets(model, name, pks)
        changed = [pk for pk in pks if by_pk[pk] != now.get(pk, set())]
        for start in range(0, len(changed), LOOKUP_SLICE):
            through.objects.filter(**{f"{source}__in": changed[start:start + LOOKUP_SLICE]}).delete()
        through.objects.bulk_create([through(**{f"{source}_id": pk, f"{target}_id": other})
                                     for pk in changed for other in sorted(by_pk[pk])], batch_size=1000)


# --- Deleted items: delete into the bin, restore, purge -----------------------------------
#
# A delete keeps what it removes in a tombstone (``crm.DeletedItem``) written in
# the same transaction, so the owner or the record's assignee can restore it
# for ``CRM_DELETED_ITEMS_DAYS``; ``deleted_items_purge`` then removes it for
# good. Every record a delete or a restore changes on the way (a reference
# cleared, put back) gets a new version and a change-log entry: no path changes
# a record silently, and a read-only record (a closed opportunity) refuses.

class RestoreRefused(DomainError):
    """A deleted item cannot be restored (too old, or what it needs is gone)."""


class RestoreNotAllowed(RestoreRefused):
    """Only the database owner and the record's assignee restore a record."""


@dataclass
class Restored:
    """A restored record or history item, and what the user should know about it."""

    obj: models.Model
    notes: list[str]


def may_restore(item: DeletedItem, user) -> bool:
    """The database owner restores anything; the user the record was assigned
    to (for a history item: its assignee, else its author) restores it too."""
    if is_owner(user):
        return True
    return bool(user and user.is_authenticated and item.assignee_id is not None and item.assignee_id == user.pk)


def _protected_message(error: ProtectedError) -> str:
    return recycle.protected_refusal(recycle.record_names(list(error.protected_objects)[:5]))


def _user_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user and user.is_authenticated else ""


def _clear_references(model, texts: dict[int, str], user) -> dict[int, list[dict]]:
    """Clear the references other records hold to the records ``texts`` (pk →
    name) about to be deleted, each referencing record with a new version and
    a change-log entry ("initiated by account: Litware → (empty)"). Refused,
    naming them, if a read-only record (a closed opportunity) is among them.
    Returns, per deleted record, what was cleared (for a restore to put back)."""
    plan = []
    refusals = []
    for fk, referencing in recycle.references_to(model, list(texts)):
        rows = list(referencing.select_for_update(of=("self",)).order_by("pk"))
        if rows:
            plan.append((fk, rows))
            # Checked on the locked rows: nobody closes one of them meanwhile.
            refusals += [(fk, obj) for obj in recycle.locked_among(fk, referencing)]
    if refusals:
        fk, first = refusals[0]
        raise RecordLocked(recycle.read_only_refusal(
            texts[getattr(first, fk.attname)],
            "; ".join(sorted(f"{o._meta.verbose_name}: {o} ({f.verbose_name})" for f, o in refusals))))
    by_model: dict[type, dict[int, tuple[models.Model, dict]]] = defaultdict(dict)
    for fk, rows in plan:
        for obj in rows:
            by_model[fk.model._meta.concrete_model].setdefault(obj.pk, (obj, {}))[1][fk] = getattr(obj, fk.attname)
    cleared: dict[tuple[int, str, str], list[int]] = defaultdict(list)
    now = timezone.now()
    for ref_model, found in by_model.items():
        for fk in {fk for _obj, fks in found.values() for fk in fks}:
            ref_model._base_manager.filter(pk__in=[pk for pk, (_o, fks) in found.items() if fk in fks]).update(
                **{fk.attname: None})
        ref_model._base_manager.filter(pk__in=list(found)).update(version=F("version") + 1, modified=now)
        entries = []
        for obj, fks in found.values():
            obj.version += 1
            entries.append((obj.pk, str(obj), obj.version, {
                fk.name: {"label": str(fk.verbose_name), "old": texts[target], "new": ""} for fk, target in fks.items()}))
            for fk, target in fks.items():
                cleared[(target, ref_model._meta.label_lower, fk.name)].append(obj.pk)
        changelog_insert(ref_model, entries, user, ChangeLogEntry.Action.UPDATE)
    result: dict[int, list[dict]] = defaultdict(list)
    for (target, label, name), pks in cleared.items():
        result[target].append({"model": label, "field": name, "pks": pks})
    return result


def _with_relations(queryset, foreign_keys: list[str]):
    """``queryset`` with these foreign keys joined and its many-to-many values prefetched."""
    if foreign_keys:
        queryset = queryset.select_related(*foreign_keys)
    many = [f.name for f in queryset.model._meta.many_to_many]
    return queryset.prefetch_related(*many) if many else queryset


def _delete_into_bin(model, rows: list[models.Model], user) -> list[DeletedItem]:
    """Delete the records ``rows`` of ``model`` (locked and checked by the
    caller) and keep each in Deleted items.

    First the references other records hold to them are cleared
    (``_clear_references``). Then, in this transaction: each record's last
    values go into its "deleted" change-log entry, and into its tombstone go
    the record with its many-to-many values, the rows that cascade with it,
    its history links, the history items linked to nothing else (with their
    links) and the cleared references. Their files (attachments, a photo) move
    to the trash folder when the transaction commits.
    """
    if not rows:
        return []
    concrete = model._meta.concrete_model
    ct = ContentType.objects.get_for_model(concrete)
    pks = sorted(obj.pk for obj in rows)
    texts = {obj.pk: str(obj) for obj in rows}
    dependents = write_dependents(concrete, pks)
    references = _clear_references(concrete, texts, user)

    tracked = tracked_fields(concrete)
    records = list(_with_relations(concrete._base_manager.filter(pk__in=pks).order_by("pk"),
                                   [f.name for f in tracked if f.many_to_one]))
    last_values = {obj.pk: snapshot(obj, tracked) for obj in records}
    serialized = dict(zip([obj.pk for obj in records], recycle.serialize(records)))

    # The rows that cascade with them, each kept with the record it belongs to.
    rows_of: dict[int, list[dict]] = defaultdict(list)
    files_of: dict[int, list[str]] = defaultdict(list)
    counts_of: dict[int, dict[str, int]] = defaultdict(dict)
    holder_of_row: dict[tuple[str, int], int] = {}
    # Records among them (a project's tasks) have history links and a change log of their own.
    going_records: dict[tuple[int, int], int] = {(ct.pk, pk): pk for pk in pks}   # (content type, pk) → holder
    cascaded_records: list[tuple[type, list[models.Model]]] = []
    for child, fk, child_rows in recycle.cascaded(concrete, pks):
        nullable = [f for f in child._meta.concrete_fields if f.many_to_one and f.null and f is not fk]
        objs = list(_with_relations(child_rows.order_by("pk"), [f.name for f in nullable]))
        parent_label = fk.remote_field.model._meta.concrete_model._meta.label_lower
        child_ct = ContentType.objects.get_for_model(child) if recycle.is_record(child) else None
        if child_ct is not None and objs:
            cascaded_records.append((child, objs))
        for obj, data in zip(objs, recycle.serialize(objs)):
            parent = data["fields"][fk.name]
            holder = parent if parent_label == concrete._meta.label_lower else holder_of_row[(parent_label, parent)]
            holder_of_row[(child._meta.label_lower, obj.pk)] = holder
            if child_ct is not None:
                going_records[(child_ct.pk, obj.pk)] = holder
            # Names of what the row refers to, should it be gone at a restore (a product).
            data["labels"] = {f.name: str(getattr(obj, f.name)) for f in nullable if getattr(obj, f.attname) is not None}
            rows_of[holder].append(data)
            files_of[holder] += recycle.file_names(child, [data])
            label = str(child._meta.verbose_name_plural)
            counts_of[holder][label] = counts_of[holder].get(label, 0) + 1

    # History: the items linked only to records deleted here (these records and
    # the records among their rows) go with the first of them; the others stay,
    # and only the links to these records go.
    own_links = list(recycle.history_links_of(concrete, pks).values_list("pk", "item_id", "content_type_id",
                                                                         "object_id"))
    link_pks = [link_pk for link_pk, _item, _ct, _pk in own_links]
    own_links = [(item_id, ct_id, object_id) for _link, item_id, ct_id, object_id in own_links]
    item_ids = {item_id for item_id, _ct, _pk in own_links}
    elsewhere = {item_id for item_id, ct_id, object_id in HistoryLink.objects.filter(item_id__in=item_ids)
                 .values_list("item_id", "content_type_id", "object_id")
                 if (ct_id, object_id) not in going_records} if item_ids else set()
    holder_of_item: dict[int, int] = {}
    for item_id, ct_id, object_id in sorted(own_links, key=lambda link: (link[1] != ct.pk, link[2])):
        if item_id not in elsewhere:
            holder_of_item.setdefault(item_id, going_records[(ct_id, object_id)])
    going = set(holder_of_item)
    items = list(HistoryItem.objects.filter(pk__in=going).order_by("pk")) if going else []
    items_data = recycle.serialize(items)
    links_data = recycle.serialize(HistoryLink.objects.filter(
        models.Q(item_id__in=going) | models.Q(pk__in=recycle.history_links_of(concrete, pks).values("pk")))
        .order_by("pk"))

    items_of: dict[int, list[dict]] = defaultdict(list)
    for data in items_data:
        items_of[holder_of_item[data["pk"]]].append(data)
    item_links_of: dict[int, list[dict]] = defaultdict(list)  # by the record holding the item
    links_of: dict[int, list[dict]] = defaultdict(list)  # by the record, to items it does not hold
    for data in links_data:
        item_id = data["fields"]["item"]
        holder = going_records.get((data["fields"]["content_type"], data["fields"]["object_id"]))
        if item_id in holder_of_item:
            item_links_of[holder_of_item[item_id]].append(data)
        if holder is not None and holder_of_item.get(item_id) != holder:
            links_of[holder].append(data)

    tombstones = []
    deleter = user if user and user.is_authenticated else None
    now = timezone.now()
    for obj in records:
        pk = obj.pk
        held_items = items_of[pk]
        payload = {
            "record": serialized[pk],
            "labels": {f.name: last_values[pk][f.name] for f in tracked if f.many_to_one and last_values[pk][f.name]},
            "rows": rows_of[pk],
            "items": held_items,
            "item_links": item_links_of[pk],
            "links": links_of[pk],
            "references": references.get(pk, []),
        }
        files = recycle.file_names(concrete, [serialized[pk]]) + files_of[pk] + recycle.file_names(HistoryItem, held_items)
        key = recycle.record_type_key(obj)
        tombstones.append(DeletedItem(
            content_type=ct, object_id=pk, record_type=key, scope=f" {key} ", text=texts[pk][:200],
            deleted_by=deleter, deleted_by_name=_user_name(user), deleted_at=now,
            assignee_id=getattr(obj, "assigned_to_id", None), payload=payload, files=files,
            details={"items": len(held_items), "files": sum(1 for d in held_items if d["fields"].get("file")),
                     "rows": sorted([label, count] for label, count in counts_of[pk].items()),
                     "references": sum(len(ref["pks"]) for ref in payload["references"])},
        ))

    # The last values, in each record's "deleted" entry (old → empty); the
    # records among the rows get one too (with the record's name).
    blank = {f.name: "" for f in tracked}
    changelog_insert(concrete, [(obj.pk, texts[obj.pk], getattr(obj, "version", 1) + 1,
                                 diff_snapshots(concrete, last_values[obj.pk], blank)) for obj in records],
                     user, ChangeLogEntry.Action.DELETE)
    for child, objs in cascaded_records:
        child_ct = ContentType.objects.get_for_model(child)
        changelog_insert(child, [(obj.pk, str(obj), getattr(obj, "version", 1) + 1, {"deleted_with": {
            "label": str(_("deleted with")), "old": "", "new": texts[going_records[(child_ct.pk, obj.pk)]]}})
            for obj in objs], user, ChangeLogEntry.Action.DELETE)
    try:
        concrete._base_manager.filter(pk__in=pks).delete()
    except ProtectedError as error:
        raise DomainError(_protected_message(error)) from error
    for start in range(0, len(link_pks), LOOKUP_SLICE):
        HistoryLink.objects.filter(pk__in=link_pks[start:start + LOOKUP_SLICE]).delete()
    if going:
        HistoryItem.objects.filter(pk__in=going).delete()
    DeletedItem.objects.bulk_create(tombstones, batch_size=500)
    refresh_dependents(concrete, dependents)
    files = [name for tombstone in tombstones for name in tombstone.files]
    if files:
        transaction.on_commit(partial(recycle.move_files, files, to_trash=True))
    return tombstones


def history_changelog(records: Iterable[models.Model], user, label: str, old: str, new: str) -> None:
    """One change-log entry on each record a history item was, or is again,
    linked to ("history item deleted: Call about the renewal"). History items
    are linked to records, not fields of theirs: no new version (an edit of the
    record in progress stays valid)."""
    by_model = defaultdict(list)
    for record in records:
        by_model[record._meta.concrete_model].append(record)
    for model, group in by_model.items():
        changelog_insert(model, [(r.pk, str(r), getattr(r, "version", 1), {"history": {
            "label": label, "old": old, "new": new}}) for r in group], user, ChangeLogEntry.Action.UPDATE)


class _Rebuilder:
    """Unsaved copies of serialized rows, as if loaded from the database (so a
    model's ``clean()`` sees its stored values, not a change), with the
    references to rows gone since found in one query per referenced model."""

    def __init__(self):
        self.known: dict[tuple[str, int], bool] = {}

    def add(self, obj: models.Model) -> None:
        self.known[(obj._meta.concrete_model._meta.label_lower, obj.pk)] = True

    def prefetch(self, rows: list[dict]) -> None:
        wanted: dict[type, set] = defaultdict(set)
        for data in rows:
            model = apps.get_model(data["model"])
            for f in model._meta.concrete_fields:
                if f.is_relation and data["fields"].get(f.name) is not None:
                    wanted[f.remote_field.model._meta.concrete_model].add(data["fields"][f.name])
        for target, values in wanted.items():
            label = target._meta.label_lower
            found = set(target._base_manager.filter(pk__in=values).values_list("pk", flat=True))
            for value in values:
                self.known.setdefault((label, value), value in found)

    def exists(self, model, pk) -> bool:
        key = (model._meta.concrete_model._meta.label_lower, pk)
        if key not in self.known:
            self.known[key] = model._base_manager.filter(pk=pk).exists()
        return self.known[key]

    def rebuild(self, data: dict) -> tuple[models.Model, dict[str, list], list[models.Field], list[models.Field], int]:
        """(instance, many-to-many values, references emptied because their
        record is gone, required references gone, many-to-many values gone)."""
        [restored] = serializers.deserialize("python", [{k: data[k] for k in ("model", "pk", "fields")}],
                                             ignorenonexistent=True)
        model = type(restored.object)
        values = restored.object.__dict__
        emptied, missing = [], []
        for f in model._meta.concrete_fields:
            if f.is_relation and values.get(f.attname) is not None and not self.exists(f.remote_field.model,
                                                                                      values[f.attname]):
                if f.null:
                    values[f.attname] = None
                    emptied.append(f)
                else:
                    missing.append(f)
        m2m, lost = {}, 0
        for name, pks in (restored.m2m_data or {}).items():
            target = model._meta.get_field(name).remote_field.model
            found = set(target._base_manager.filter(pk__in=pks).values_list("pk", flat=True))
            m2m[name] = [pk for pk in pks if pk in found]
            lost += len(pks) - len(m2m[name])
        attnames = [f.attname for f in model._meta.concrete_fields]
        instance = model.from_db(DEFAULT_DB_ALIAS, attnames, [values.get(name) for name in attnames])
        return instance, m2m, emptied, missing, lost


def _insert(obj: models.Model, m2m: dict | None = None) -> None:
    """Put a row back with its own primary key (never reused: SQLite
    AUTOINCREMENT, PostgreSQL identity), keeping its stored values (a raw save:
    no "created" of today)."""
    obj.save_base(raw=True, force_insert=True)
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)


@transaction.atomic
def deleted_item_restore(*, item: DeletedItem, user) -> Restored:
    """Put a deleted record back — with its many-to-many values, its rows, its
    history links and the history items that went with it, their files, and
    the references others held to it where still empty — or a history item
    deleted on its own back onto the records it was linked to. A reference to
    a record deleted since is left empty and said so (``Restored.notes``); a
    restore that the rules refuse now (a required reference gone) is refused
    with the reason, and nothing is written. A new version and a "restored"
    change-log entry, as for any write."""
    try:
        item = DeletedItem.objects.select_for_update().get(pk=item.pk)
    except DeletedItem.DoesNotExist as error:
        raise RestoreRefused(_("This item is no longer in Deleted items: it was restored or removed for good.")) from error
    if not may_restore(item, user):
        raise RestoreNotAllowed(_("Only the database owner or the user “%(name)s” was assigned to can restore it.")
                                % {"name": item.text})
    if item.deleted_at < recycle.cutoff():
        raise RestoreRefused(ngettext(
            "“%(name)s” was deleted more than %(days)d day ago and can no longer be restored.",
            "“%(name)s” was deleted more than %(days)d days ago and can no longer be restored.",
            recycle.keep_days()) % {"name": item.text, "days": recycle.keep_days()})
    notes: list[str] = []
    if item.record_type == DeletedItem.HISTORY_ITEM:
        obj = _restore_history_item(item, user, notes)
    else:
        obj = _restore_record(item, user, notes)
    files = list(item.files)
    item.delete()
    if files:
        transaction.on_commit(partial(recycle.move_files, files, to_trash=False))
    return Restored(obj, notes)


def _refuse(item: DeletedItem, reasons: list[str]) -> RestoreRefused:
    return RestoreRefused(_("“%(name)s” cannot be restored: %(reasons)s") % {"name": item.text,
                                                                          "reasons": " ".join(reasons)})


def _restore_record(item: DeletedItem, user, notes: list[str]) -> models.Model:
    model = item.content_type.model_class()
    payload = item.payload
    if model._base_manager.filter(pk=item.object_id).exists():
        raise _refuse(item, [_("a record with its number exists.")])
    rebuilder = _Rebuilder()
    rebuilder.prefetch([payload["record"], *payload["rows"], *payload["items"]])
    obj, m2m, emptied, missing, lost = rebuilder.rebuild(payload["record"])
    labels = payload.get("labels", {})
    for f in emptied + missing:
        if labels.get(f.name):
            notes.append(_("Its “%(field)s” (%(value)s) was deleted since, so it is empty now.")
                         % {"field": f.verbose_name, "value": labels[f.name]})
        else:
            notes.append(_("Its “%(field)s” was deleted since, so it is empty now.") % {"field": f.verbose_name})
    if missing:
        raise _refuse(item, notes)
    if lost:
        notes.append(ngettext("%(count)d of its categories was deleted since.",
                              "%(count)d of its categories were deleted since.", lost) % {"count": lost})
    try:
        obj.full_clean()
    except ValidationError as error:
        raise _refuse(item, [*error.messages, *notes]) from error
    # Its delete entry had the version after its last one; this is the next.
    obj.version = getattr(obj, "version", 1) + 2
    obj.modified = timezone.now()
    _insert(obj, m2m)
    refresh_dependents(model, set(), [obj.pk])
    rebuilder.add(obj)

    dropped: dict[str, int] = defaultdict(int)
    restored_records: dict[type, list[models.Model]] = defaultdict(list)
    for data in payload["rows"]:
        row, row_m2m, row_emptied, row_missing, _lost = rebuilder.rebuild(data)
        if row_missing:
            dropped[str(type(row)._meta.verbose_name_plural)] += 1
            continue
        for f in row_emptied:
            # A model may keep the name of what is gone (a line keeps its product's name).
            getattr(row, "restore_without", lambda name, label: None)(f.name, data.get("labels", {}).get(f.name, ""))
        try:
            row.full_clean()
        except ValidationError as error:
            raise _refuse(item, [f"{row._meta.verbose_name}: {row}:", *error.messages]) from error
        if recycle.is_record(type(row)):
            # A record among the rows (a project's task) logged its delete: the next version.
            row.version = getattr(row, "version", 1) + 2
            restored_records[type(row)].append(row)
        _insert(row, row_m2m)
        rebuilder.add(row)
    for row_model, rows in restored_records.items():
        changelog_insert(row_model, [(row.pk, str(row), row.version, {"restored_with": {
            "label": str(_("restored with")), "old": "", "new": str(obj)}}) for row in rows],
            user, ChangeLogEntry.Action.RESTORE)
        refresh_dependents(row_model, set(), [row.pk for row in rows])
    for label, count in sorted(dropped.items()):
        notes.append(_("%(rows)s: %(count)d not restored, as what they referred to was deleted since.")
                     % {"rows": capfirst(label), "count": count})

    for data in payload["items"]:
        history_item, _m2m, _emptied, _missing, _lost = rebuilder.rebuild(data)
        # As they were: their authors may be gone (then empty); the files come back on commit.
        _insert(history_item)
        rebuilder.add(history_item)
    links, gone = [], 0
    for data in [*payload["item_links"], *payload["links"]]:
        fields = data["fields"]
        target = ContentType.objects.get_for_id(fields["content_type"]).model_class()
        if not rebuilder.exists(HistoryItem, fields["item"]):
            gone += 1
        elif target is not None and rebuilder.exists(target, fields["object_id"]):
            links.append(HistoryLink(pk=data["pk"], item_id=fields["item"], content_type_id=fields["content_type"],
                                     object_id=fields["object_id"]))
    HistoryLink.objects.bulk_create(links, ignore_conflicts=True)
    if gone:
        notes.append(ngettext(
            "%(count)d history item it was linked to is not there any more (deleted since, or in Deleted items "
            "with another record).",
            "%(count)d history items it was linked to are not there any more (deleted since, or in Deleted items "
            "with another record).", gone) % {"count": gone})

    _restore_references(obj, payload.get("references", []), user, notes)
    changes = diff_snapshots(model, {}, snapshot(obj))
    if payload["items"]:
        changes["history"] = {"label": str(_("history items")), "old": "", "new": str(len(payload["items"]))}
    changelog_insert(model, [(obj.pk, str(obj), obj.version, changes)], user, ChangeLogEntry.Action.RESTORE)
    return obj


def _restore_references(obj: models.Model, references: list[dict], user, notes: list[str]) -> None:
    """Point the records that referred to ``obj`` at it again where the
    reference is still empty (a new version and a change-log entry each). A
    read-only record (closed since) is left as it is, and said so."""
    wanted: dict[type, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for ref in references:
        ref_model = apps.get_model(ref["model"])
        fk = ref_model._meta.get_field(ref["field"])
        for pk in ref["pks"]:
            wanted[ref_model][pk].append(fk)
    skipped = 0
    now = timezone.now()
    for ref_model, fks_of in wanted.items():
        rows = list(ref_model._base_manager.filter(pk__in=list(fks_of)).select_for_update(of=("self",)).order_by("pk"))
        locked_q = ref_model.locked_q()
        locked = set() if locked_q is None else set(
            ref_model._base_manager.filter(locked_q, pk__in=[r.pk for r in rows]).values_list("pk", flat=True))
        entries, to_set = [], defaultdict(list)
        for row in rows:
            empty = [fk for fk in fks_of[row.pk] if getattr(row, fk.attname) is None]
            if not empty:
                continue
            if row.pk in locked:
                skipped += 1
                continue
            for fk in empty:
                to_set[fk].append(row.pk)
            row.version += 1
            entries.append((row.pk, str(row), row.version, {
                fk.name: {"label": str(fk.verbose_name), "old": "", "new": str(obj)} for fk in empty}))
        for fk, pks in to_set.items():
            ref_model._base_manager.filter(pk__in=pks).update(**{fk.attname: obj.pk})
        if entries:
            ref_model._base_manager.filter(pk__in=[e[0] for e in entries]).update(version=F("version") + 1, modified=now)
            changelog_insert(ref_model, entries, user, ChangeLogEntry.Action.UPDATE)
    if skipped:
        notes.append(ngettext("%(count)d read-only record that referred to it was left as it is.",
                              "%(count)d read-only records that referred to it were left as they are.", skipped)
                     % {"count": skipped})


def _restore_history_item(item: DeletedItem, user, notes: list[str]) -> HistoryItem:
    payload = item.payload
    if HistoryItem.objects.filter(pk=item.object_id).exists():
        raise _refuse(item, [_("an item with its number exists.")])
    rebuilder = _Rebuilder()
    rebuilder.prefetch([payload["record"]])
    history_item, _m2m, _emptied, _missing, _lost = rebuilder.rebuild(payload["record"])
    links, records = [], []
    for data in payload["links"]:
        fields = data["fields"]
        target = ContentType.objects.get_for_id(fields["content_type"]).model_class()
        record = target._base_manager.filter(pk=fields["object_id"]).first() if target is not None else None
        if record is not None:
            records.append(record)
            links.append(HistoryLink(pk=data["pk"], item_id=history_item.pk, content_type_id=fields["content_type"],
                                     object_id=fields["object_id"]))
    if not links:
        raise _refuse(item, [_("the records it was linked to were deleted since. Restore one of them first.")])
    if len(links) < len(payload["links"]):
        gone = len(payload["links"]) - len(links)
        notes.append(ngettext("%(count)d record it was linked to was deleted since.",
                              "%(count)d records it was linked to were deleted since.", gone) % {"count": gone})
    _insert(history_item)
    HistoryLink.objects.bulk_create(links)
    history_changelog(records, user, str(_("history item restored")), "", history_item.subject)
    return history_item


@transaction.atomic
def deleted_items_purge(*, now: datetime.datetime | None = None) -> int:
    """Remove for good what was deleted more than ``CRM_DELETED_ITEMS_DAYS``
    ago, and its files once the transaction commits. Returns how many."""
    expired = DeletedItem.objects.filter(deleted_at__lt=recycle.cutoff(now))
    files = [name for names in expired.values_list("files", flat=True) for name in names]
    count, _by_model = expired.delete()
    if files:
        transaction.on_commit(partial(recycle.delete_trashed, files))
    return count


# --- List preferences -----------------------------------------------------------

@transaction.atomic
def list_columns_save(*, user, record_type: str, columns: list[str] | None) -> dict[str, list[str]]:
    """Remember the columns ``user`` chose for the list of ``record_type``
    (``None``: back to the table's defaults). The caller passes names the
    table knows (``RecordTable.clean_columns``). Returns every list's choice."""
    prefs, _created = UserPreferences.objects.select_for_update().get_or_create(user=user)
    chosen = dict(prefs.list_columns or {})
    if columns is None:
        chosen.pop(record_type, None)
    else:
        chosen[record_type] = list(columns)
    prefs.list_columns = chosen
    prefs.full_clean()
    prefs.save(update_fields=["list_columns"])
    return chosen
