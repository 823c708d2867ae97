"""Writes every record type goes through: create, update, delete and the bulk
variants, each in one transaction, each leaving a change-log entry.

Per-model rules stay on the model (``clean()``, ``lock_reason()``,
``locked_q()``); these functions enforce them on every write path — forms,
bulk actions, imports and the admin — so no path can skip one.
"""
from __future__ import annotations

import copy
import datetime
from decimal import Decimal
from typing import Any, Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, ProtectedError
from django.utils import timezone
from django.utils.formats import localize
from django.utils.translation import gettext as _, ngettext

from crm.models import ChangeLogEntry, HistoryItem, HistoryLink, UserPreferences


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

def _display(instance: models.Model, field: models.Field) -> str:
    """A field's value as a person reads it (choices and related records by name)."""
    if field.many_to_many:
        if instance.pk is None:
            return ""
        return ", ".join(sorted(str(o) for o in getattr(instance, field.name).all()))
    if field.choices:
        return str(getattr(instance, f"get_{field.name}_display")())
    value = getattr(instance, field.name)
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, (datetime.datetime,)):
        return localize(timezone.localtime(value))
    if isinstance(value, (datetime.date, Decimal)):
        return localize(value)
    if isinstance(field, models.FileField):
        return value.name
    return str(value)


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
    reason = getattr(instance, "lock_reason", lambda: None)()
    if reason:
        raise RecordLocked(reason)


def _assert_none_locked(queryset) -> None:
    locked_q = getattr(queryset.model, "locked_q", lambda: None)()
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
    instance.version = current.version + 1
    instance.save()
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)
    _entry(instance, ChangeLogEntry.Action.UPDATE, user, changes, instance.version).save()
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


def _delete_history_links(model, pks: list[int]) -> None:
    """Remove the record's history links, and the items linked to nothing else."""
    ct = ContentType.objects.get_for_model(model, for_concrete_model=True)
    links = HistoryLink.objects.filter(content_type=ct, object_id__in=pks)
    item_ids = list(links.values_list("item_id", flat=True))
    links.delete()
    HistoryItem.objects.filter(pk__in=item_ids, links__isnull=True).delete()


def _protected_message(error: ProtectedError) -> str:
    used_by = sorted({f"{o._meta.verbose_name}: {o}" for o in list(error.protected_objects)[:5]})
    return _("This record is still used by %(records)s, so it cannot be deleted.") % {"records": "; ".join(used_by)}


@transaction.atomic
def record_delete(*, instance: models.Model, user, expected_version: int | None = None) -> None:
    """Delete a record, its history links and the items linked to nothing else.
    ``expected_version``: the version the confirmation page showed; if someone
    saved the record since, nothing is deleted (``DeleteConflict``)."""
    current = lock_current(instance)
    _assert_editable(current)
    conflict = edit_conflict(current, expected_version)
    if conflict is not None:
        raise DeleteConflict(EditConflict.names(conflict.entries))
    entry = _entry(current, ChangeLogEntry.Action.DELETE, user, {}, getattr(current, "version", 1) + 1)
    pk = current.pk
    try:
        current.delete()
    except ProtectedError as error:
        raise DomainError(_protected_message(error)) from error
    _delete_history_links(type(instance), [pk])
    entry.save()


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
            # Only these fields and the record-wide rules: an old problem in
            # another field must not block an unrelated bulk change.
            obj.full_clean(exclude=[f.name for f in model._meta.fields if f.name not in values], validate_unique=False)
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
    now = timezone.now()
    for obj in rows:
        obj.version += 1
        obj.modified = now
    model._default_manager.bulk_update(rows, sorted(changed | {"version", "modified"}), batch_size=500)
    tracked = [f for f in model._meta.concrete_fields if f.name in changed and f.name not in {"version", "modified"}]
    changelog_bulk_write(model, rows, user, lambda obj: diff_snapshots(
        model, snapshot(originals[obj.pk], tracked), snapshot(obj, tracked)))
    return len(rows)


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
    """Delete every selected record (all or none)."""
    model = queryset.model
    rows = _lock_rows(queryset)
    entries = [_entry(o, ChangeLogEntry.Action.DELETE, user, {}, getattr(o, "version", 1) + 1) for o in rows]
    pks = [o.pk for o in rows]
    try:
        model._default_manager.filter(pk__in=pks).delete()
    except ProtectedError as error:
        raise DomainError(_protected_message(error)) from error
    _delete_history_links(model, pks)
    ChangeLogEntry.objects.bulk_create(entries, batch_size=500)
    return len(rows)


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
