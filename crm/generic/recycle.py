"""Deleted items (the recycle bin), the read side: what a delete takes with it
and what it changes elsewhere, the tombstone's serialized rows, the files that
wait in the trash folder, and the sentences that describe all this.

The writes — delete into the bin, restore, purge — are in
``crm.generic.services``; the ``crm.DeletedItem`` model says what a tombstone
holds.
"""
from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _, ngettext

from crm.models import HistoryItem, HistoryLink, Record

from . import registry

TRASH_FOLDER = "trash"


def keep_days() -> int:
    return settings.CRM_DELETED_ITEMS_DAYS


def cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    """Items deleted before this moment are no longer restorable (and are purged)."""
    return (now or timezone.now()) - datetime.timedelta(days=keep_days())


def record_type_key(obj: models.Model) -> str:
    """The registry key of a record (a lead and a business contact share a table)."""
    try:
        return registry.for_instance(obj).key
    except LookupError:
        return obj._meta.model_name


def is_record(model) -> bool:
    return issubclass(model, Record)


def _reverse_relations(model) -> list:
    """Foreign keys of other models pointing at ``model`` (as Django's deletion collector finds them)."""
    return [rel for rel in model._meta.concrete_model._meta.get_fields(include_hidden=True)
            if rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)]


def references_to(model, pks) -> list[tuple[models.ForeignKey, models.QuerySet]]:
    """The references other records hold to the records ``pks`` of ``model``
    that deleting them would clear (``on_delete=SET_NULL`` from a record type:
    a contact's account, "initiated by" on contacts and opportunities …), each
    as (field, referencing records). Records among ``pks`` are left out: they
    go too."""
    concrete = model._meta.concrete_model
    result = []
    for rel in _reverse_relations(concrete):
        fk = rel.field
        if fk.remote_field.on_delete is not models.SET_NULL or not is_record(fk.model):
            continue
        referencing = fk.model._base_manager.filter(**{f"{fk.name}__in": pks})
        if fk.model._meta.concrete_model is concrete:
            referencing = referencing.exclude(pk__in=pks)
        result.append((fk, referencing))
    return result


def cascaded(model, pks, _seen=None) -> list[tuple[type[models.Model], models.ForeignKey, models.QuerySet]]:
    """The rows deleted with records ``pks`` of ``model`` (``on_delete=CASCADE``,
    at any depth, parents before their children) as (model, foreign key to the
    parent, rows): opportunity lines, ticked activities, criteria met, an item's
    history links. Many-to-many rows are left out: they are values of the record."""
    seen = set(_seen or ()) | {model._meta.concrete_model}
    result = []
    for rel in _reverse_relations(model):
        child = rel.related_model
        if rel.field.remote_field.on_delete is not models.CASCADE or child._meta.auto_created or child in seen:
            continue
        rows = child._base_manager.filter(**{f"{rel.field.name}__in": pks})
        result.append((child, rel.field, rows))
        result.extend(cascaded(child, rows.values("pk"), seen))
    return result


def history_links_of(model, pks) -> models.QuerySet:
    """The history links to the records ``pks`` of ``model`` and to the records
    among the rows deleted with them, which have a History of their own (a
    project's tasks). ``pks``: a list or a ``values("pk")`` query."""
    concrete = model._meta.concrete_model
    match = models.Q(content_type=ContentType.objects.get_for_model(concrete), object_id__in=pks)
    for child, _fk, rows in cascaded(concrete, pks):
        if is_record(child):
            match |= models.Q(content_type=ContentType.objects.get_for_model(child), object_id__in=rows.values("pk"))
    return HistoryLink.objects.filter(match)


def protected_by(model, pks) -> list[models.Model]:
    """Up to five records that keep these from being deleted (``on_delete=PROTECT``)."""
    found = []
    for rel in _reverse_relations(model):
        if rel.field.remote_field.on_delete is models.PROTECT:
            found += list(rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": pks})[:5 - len(found)])
        if len(found) >= 5:
            break
    return found


def locked_among(fk: models.ForeignKey, referencing: models.QuerySet) -> list[models.Model]:
    """The read-only records (a closed opportunity) among ``referencing``."""
    locked_q = fk.model.locked_q()
    return [] if locked_q is None else list(referencing.filter(locked_q)[:5])


def record_names(records, fk: models.ForeignKey | None = None) -> str:
    """"opportunity: Won deal; business contact: Anna Hansen" (with the field, if given)."""
    parts = []
    for obj in records:
        text = f"{obj._meta.verbose_name}: {obj}"
        parts.append(f"{text} ({fk.verbose_name})" if fk is not None else text)
    return "; ".join(sorted(parts))


def read_only_refusal(record_text: str, names: str) -> str:
    return _("“%(record)s” cannot be deleted: read-only records refer to it (%(records)s). Reopen or change them "
             "first.") % {"record": record_text, "records": names}


def protected_refusal(names: str) -> str:
    return _("This record is still used by %(records)s, so it cannot be deleted.") % {"records": names}


# --- Serialized rows --------------------------------------------------------------------

def serialize(objects) -> list[dict]:
    """Rows as Django's "python" serializer writes them, many-to-many values
    included. Prefetch those: they are read from the prefetched rows here (the
    serializer would build a query per row for each, even unused)."""
    objects = list(objects)
    if not objects:
        return []
    model = type(objects[0])
    many = [f for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]
    if not many:
        return serializers.serialize("python", objects)
    data = serializers.serialize("python", objects, fields=[f.name for f in model._meta.concrete_fields])
    for obj, row in zip(objects, data):
        for f in many:
            values = getattr(obj, "_prefetched_objects_cache", {}).get(f.name)
            if values is None:
                values = getattr(obj, f.name).all()
            row["fields"][f.name] = sorted(value.pk for value in values)
    return data


def file_names(model, data: list[dict]) -> list[str]:
    """The stored names of the files the serialized rows point at."""
    names = []
    for field_ in model._meta.concrete_fields:
        if isinstance(field_, models.FileField):
            names += [row["fields"][field_.name] for row in data if row["fields"].get(field_.name)]
    return names


def trash_name(name: str) -> str:
    return f"{TRASH_FOLDER}/{name}"


def move_files(names: list[str], *, to_trash: bool) -> None:
    """Move stored files into the private trash folder (a delete) or back (a
    restore). Run when the transaction commits: a rolled-back delete leaves
    its files in place. A file already gone is skipped."""
    for name in names:
        source, target = (name, trash_name(name)) if to_trash else (trash_name(name), name)
        source_path, target_path = Path(default_storage.path(source)), Path(default_storage.path(target))
        if not source_path.exists():
            continue
        target_path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source_path, target_path)


def delete_trashed(names: list[str]) -> None:
    """Remove files from the trash folder for good (a purge)."""
    for name in names:
        default_storage.delete(trash_name(name))


# --- What a delete takes with it ---------------------------------------------------------

def _names(records: list, total: int) -> str:
    text = ", ".join(str(r) for r in records)
    if total > len(records):
        text = _("%(names)s and %(count)d more") % {"names": text, "count": total - len(records)}
    return text


def restore_sentence() -> str:
    days = keep_days()
    return ngettext("Restorable from Deleted items for %(days)d day, by the database owner or the record's assignee.",
                    "Restorable from Deleted items for %(days)d days, by the database owner or the record's assignee.",
                    days) % {"days": days}


def went_with(details: dict) -> str:
    """What went to the bin with a record or item: "4 history items, 1 attachment,
    products and services (3)" (empty if nothing)."""
    parts = []
    if details.get("items"):
        parts.append(ngettext("%(count)d history item", "%(count)d history items", details["items"])
                     % {"count": details["items"]})
    if details.get("files"):
        parts.append(ngettext("%(count)d attachment", "%(count)d attachments", details["files"])
                     % {"count": details["files"]})
    for label, count in details.get("rows", []):
        parts.append(_("%(name)s (%(count)d)") % {"name": label, "count": count})
    return ", ".join(parts)


@dataclass
class DeleteEffect:
    """What deleting some records does, for the confirmation pages."""

    details: dict = field(default_factory=dict)
    shared: int = 0
    shared_with: str = ""
    cleared: list[tuple[str, str]] = field(default_factory=list)  # (field label, record names)
    refusals: list[str] = field(default_factory=list)

    def sentences(self) -> list[str]:
        result = []
        going = went_with(self.details)
        if going:
            result.append(_("Also goes to Deleted items: %(things)s.") % {"things": going})
        if self.shared:
            result.append(ngettext("%(count)d history item also linked to %(records)s stays there.",
                                   "%(count)d history items also linked to %(records)s stay there.",
                                   self.shared) % {"count": self.shared, "records": self.shared_with})
        for label, names in self.cleared:
            result.append(_("“%(field)s” is cleared on %(records)s (a new version and a change-log entry each; a "
                            "restore puts it back).") % {"field": capfirst(label), "records": names})
        result.append(restore_sentence())
        return result


def delete_effect(model, pks) -> DeleteEffect:
    """What deleting records ``pks`` of ``model`` would take with it, clear
    elsewhere, or be refused for (``pks``: a list or a ``values("pk")`` query)."""
    concrete = model._meta.concrete_model
    ct = ContentType.objects.get_for_model(concrete)
    effect = DeleteEffect()
    refused_by = [(fk, locked_among(fk, referencing)) for fk, referencing in references_to(concrete, pks)]
    locked = [(fk, obj) for fk, objs in refused_by for obj in objs]
    if locked:
        effect.refusals.append(_("Read-only records refer to it (%(records)s); reopen or change them first.")
                               % {"records": "; ".join(sorted(f"{o._meta.verbose_name}: {o} ({fk.verbose_name})"
                                                              for fk, o in locked))})
    protected = protected_by(concrete, pks)
    if protected:
        effect.refusals.append(protected_refusal(record_names(protected)))
    own = history_links_of(concrete, pks)
    others = HistoryLink.objects.filter(item__in=own.values("item")).exclude(pk__in=own.values("pk"))
    shared_items = set(others.values_list("item_id", flat=True))
    going_items = set(own.values_list("item_id", flat=True)) - shared_items
    effect.details = {
        "items": len(going_items),
        "files": HistoryItem.objects.filter(pk__in=going_items).exclude(file="").count() if going_items else 0,
        "rows": [[str(child._meta.verbose_name_plural), count] for child, _fk, rows in cascaded(concrete, pks)
                 if (count := rows.count())],
    }
    if shared_items:
        effect.shared = len(shared_items)
        effect.shared_with = _linked_names(others)
    for fk, referencing in references_to(concrete, pks):
        total = referencing.count()
        if total:
            effect.cleared.append((str(fk.verbose_name), _names(list(referencing[:5]), total)))
    return effect


def _linked_names(links: models.QuerySet, limit: int = 3) -> str:
    """Names of the records ``links`` point at (up to ``limit``, then "and N more")."""
    keys = links.order_by().values_list("content_type_id", "object_id").distinct()
    records = []
    for ct_id, object_id in keys[:limit]:
        model = ContentType.objects.get_for_id(ct_id).model_class()
        obj = model._base_manager.filter(pk=object_id).first() if model else None
        if obj is not None:
            records.append(obj)
    return _names(records, keys.count())


def history_item_delete_sentences(item: HistoryItem, linked: list) -> list[str]:
    """The delete confirmation of a history item: the records whose history it leaves, its attachment."""
    result = []
    if linked:
        result.append(_("It leaves the history of %(records)s (each gets a change-log entry).")
                      % {"records": ", ".join(str(record) for _rtype, record in linked)})
    if item.file:
        result.append(_("Its attachment “%(name)s” goes to Deleted items with it.") % {"name": item.file_name or item.file.name})
    result.append(restore_sentence())
    return result


# --- The bin's lists -------------------------------------------------------------------------

def type_label(item) -> str:
    """"Business Contact", "Opportunity", "History item (Phone Log)"."""
    if item.record_type == item.HISTORY_ITEM:
        kind = item.details.get("kind", "")
        try:
            kind_label = str(HistoryItem.Kind(kind).label)
        except ValueError:
            return str(_("History item"))
        return _("History item (%(kind)s)") % {"kind": kind_label}
    try:
        return str(registry.get(item.record_type).verbose_name)
    except KeyError:
        return item.record_type


def item_details(item) -> str:
    """What went with it (a record), or where it was (a history item)."""
    if item.record_type == item.HISTORY_ITEM:
        parts = []
        if item.details.get("linked"):
            parts.append(_("linked to %(records)s") % {"records": ", ".join(item.details["linked"])})
        if item.details.get("files"):
            parts.append(_("with its attachment"))
        return "; ".join(parts)
    return went_with(item.details)
