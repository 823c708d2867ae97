"""CRM writes that carry business meaning: customizable lists, categories,
communication history and lead scoring (criteria, ticks, re-scoring). Record
create/update/delete live in crm.generic.services."""
from __future__ import annotations

import datetime
from functools import partial
from urllib.parse import quote

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Case, F, IntegerField, Max, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import ical, reminders, scoring
from crm.generic import recycle
from crm.generic.services import (DeleteConflict, DomainError, RecordGone, changelog_bulk_write, diff_snapshots,
                                  history_changelog, lock_current, record_create, record_update, reorder, snapshot)
from crm.models import (BusinessContact, CriterionMet, DeletedItem, HistoryItem, HistoryLink, ListValue,
                        ReminderFeed, ReminderState, ScoringCriterion)
from crm.selectors import linked_records as list_linked_records, list_value_relations


# --- Customizable lists ---------------------------------------------------

@transaction.atomic
def list_value_create(*, kind: str, name: str) -> ListValue:
    position = (ListValue.objects.filter(kind=kind).aggregate(m=Max("position"))["m"] or 0) + 1
    value = ListValue(kind=kind, name=name.strip(), position=position)
    value.full_clean()
    value.save()
    return value


@transaction.atomic
def list_value_rename(*, value: ListValue, name: str) -> ListValue:
    """Rename a value; records point at it, so every record shows the new name."""
    value.name = name.strip()
    value.full_clean()
    value.save(update_fields=["name"])
    return value


@transaction.atomic
def list_value_move(*, value: ListValue, offset: int) -> None:
    """Move a value up (-1) or down (+1) in its list."""
    reorder(ListValue.objects.filter(kind=value.kind).order_by("position", "name"), value, offset)


@transaction.atomic
def list_value_delete(*, value: ListValue, replacement: ListValue | None, user) -> int:
    """Delete a list value. Records that use it get ``replacement`` (or blank);
    each changed record gets a change-log entry. Returns how many changed."""
    if replacement is not None and (replacement.kind != value.kind or replacement.pk == value.pk):
        raise DomainError(_("Choose a replacement from the same list."))
    changed = 0
    for model, name in list_value_relations():
        rows = list(model._base_manager.filter(**{name: value}).select_related(name))
        if not rows:
            continue
        field = model._meta.get_field(name)
        before = {obj.pk: snapshot(obj, [field]) for obj in rows}
        model._base_manager.filter(pk__in=[o.pk for o in rows]).update(
            **{name: replacement}, version=F("version") + 1, modified=timezone.now()
        )
        for obj in rows:
            setattr(obj, name, replacement)
            obj.version += 1
        changelog_bulk_write(model, rows, user, lambda obj: diff_snapshots(model, before[obj.pk], snapshot(obj, [field])))
        changed += len(rows)
    value.delete()
    return changed


# --- Communication history --------------------------------------------------

def _link(item: HistoryItem, record) -> None:
    HistoryLink.objects.get_or_create(
        item=item, content_type=ContentType.objects.get_for_model(record, for_concrete_model=True), object_id=record.pk
    )


@transaction.atomic
def history_item_create(*, item: HistoryItem, user, records=()) -> HistoryItem:
    """Save a new history item by ``user`` and link it to ``records``."""
    if item.author_id is None and user and user.is_authenticated:
        item.author = user
    if item.kind == HistoryItem.Kind.FILE and item.file and not item.file_name:
        from pathlib import PurePath

        from crm.validators import normalize_upload_name

        item.file_name = normalize_upload_name(PurePath(item.file.name).name)
        item.file_size = item.file.size
        item.content_type = getattr(item.file, "content_type", "") or ""
    item.full_clean()
    item.save()
    for record in records:
        _link(item, record)
    return item


class HistoryItemConflict(DomainError):
    """Someone else saved the history item after the editor loaded it."""

    def __init__(self, current: HistoryItem):
        super().__init__(_("%(user)s changed this item while you were editing it. Your changes are not saved yet: "
                           "review the saved values, then save again to keep yours.") % {"user": self.user_name(current)})
        self.current = current

    @staticmethod
    def user_name(item: HistoryItem) -> str:
        """Who saved the item last."""
        who = item.modified_by
        return (who.get_full_name() or who.get_username()) if who else _("Someone")


@transaction.atomic
def history_item_update(*, item: HistoryItem, user, expected_version: int | None = None) -> HistoryItem:
    """Save an edited history item. ``expected_version`` is the version the
    editor loaded: a newer stored one raises ``HistoryItemConflict`` and nothing
    is written. A save that changes nothing writes nothing."""
    current = HistoryItem.objects.select_for_update().get(pk=item.pk)
    if expected_version is not None and current.version != expected_version:
        raise HistoryItemConflict(current)
    item.full_clean()
    skip = {"modified", "version", "modified_by"}
    if all(getattr(current, f.attname) == getattr(item, f.attname)
           for f in HistoryItem._meta.concrete_fields if f.name not in skip):
        item.version = current.version
        return item
    item.version = current.version + 1
    item.modified_by = user if user and user.is_authenticated else None
    item.save()
    return item


@transaction.atomic
def history_item_delete(*, item: HistoryItem, user, expected_version: int | None = None) -> DeletedItem:
    """Delete an item into Deleted items, from where it can be restored onto
    the records it was linked to; each of them logs "history item deleted".
    ``expected_version``: the version the confirmation page showed; if someone
    saved the item since, nothing is deleted. Its attachment moves to the
    trash folder when the transaction commits."""
    try:
        item = HistoryItem.objects.select_for_update().get(pk=item.pk)
    except HistoryItem.DoesNotExist as error:
        raise RecordGone() from error
    if expected_version is not None and item.version != expected_version:
        raise DeleteConflict(HistoryItemConflict.user_name(item))
    linked = list_linked_records(item)
    files = [item.file.name] if item.file else []
    keys = sorted({rtype.key for rtype, _record in linked})
    tombstone = DeletedItem(
        content_type=ContentType.objects.get_for_model(HistoryItem), object_id=item.pk,
        record_type=DeletedItem.HISTORY_ITEM, scope=f" {' '.join(keys)} ", text=item.subject[:200],
        deleted_by=user if user and user.is_authenticated else None,
        deleted_by_name=(user.get_full_name() or user.get_username()) if user and user.is_authenticated else "",
        assignee_id=item.assigned_to_id or item.author_id,
        payload={"record": recycle.serialize([item])[0], "links": recycle.serialize(item.links.order_by("pk"))},
        details={"kind": item.kind, "files": len(files), "linked": [str(record) for _rtype, record in linked[:5]]},
        files=files,
    )
    item.delete()
    tombstone.save()
    history_changelog([record for _rtype, record in linked], user, str(_("history item deleted")), item.subject, "")
    if files:
        transaction.on_commit(partial(recycle.move_files, files, to_trash=True))
    return tombstone


@transaction.atomic
def history_link(*, item: HistoryItem, record, user) -> None:
    """Link an existing item (an imported e-mail, an appointment) to one more record."""
    _link(item, record)


@transaction.atomic
def history_unlink(*, item: HistoryItem, record, user) -> None:
    ct = ContentType.objects.get_for_model(record, for_concrete_model=True)
    if item.links.count() <= 1:
        raise DomainError(_("An item must stay linked to at least one record; delete the item instead."))
    HistoryLink.objects.filter(item=item, content_type=ct, object_id=record.pk).delete()


def mailto_url(record, subject: str = "") -> str:
    address = record.primary_email()
    url = f"mailto:{quote(address, safe='@')}"
    if subject:
        url += f"?subject={quote(subject)}"
    return url


@transaction.atomic
def history_log_email(*, record, user, subject: str = "") -> tuple[HistoryItem, str]:
    """The E-mail action: log an E-mail item on the record and return the mailto: URL."""
    address = record.primary_email()
    if not address:
        raise DomainError(_("%(record)s has no e-mail address.") % {"record": record})
    subject = subject or _("E-mail to %(name)s") % {"name": record.email_recipient_name()}
    item = HistoryItem(
        kind=HistoryItem.Kind.EMAIL, subject=subject[:255], email_to=address,
        email_from=(user.email if user else ""), occurred_at=timezone.now(),
    )
    history_item_create(item=item, user=user, records=[record])
    return item, mailto_url(record, subject)


@transaction.atomic
def history_log_meeting(*, record, user, subject: str, start: datetime.datetime, end: datetime.datetime,
                        location: str = "", body: str = "") -> tuple[HistoryItem, bytes]:
    """The Meeting request action: log an Appointment and build the .ics invitation."""
    address = record.primary_email()
    if not address:
        raise DomainError(_("%(record)s has no e-mail address.") % {"record": record})
    item = HistoryItem(
        kind=HistoryItem.Kind.APPOINTMENT, subject=subject, occurred_at=start, end_at=end, location=location,
        attendees=f"{record.email_recipient_name()} <{address}>", body=body,
    )
    history_item_create(item=item, user=user, records=[record])
    organizer_email = user.email or f"{user.get_username()}@localhost"
    ics = ical.calendar(
        [{
            "uid": f"crm-history-{item.pk}@crm",
            "start": start, "end": end, "summary": subject, "description": body, "location": location,
            "organizer": (user.get_full_name() or user.get_username(), organizer_email),
            "attendees": [(record.email_recipient_name(), address)],
        }],
        method="REQUEST",
    )
    return item, ics


# --- Categories -------------------------------------------------------------

@transaction.atomic
def category_save(*, category) -> None:
    category.full_clean()
    category.save()


@transaction.atomic
def category_delete(*, category, user=None) -> int:
    """Deleting a category removes it from every record that carries it (the
    badges go away), each with a new version and a change-log entry, closed
    opportunities included (the owner's change, as for list values). Returns
    how many records changed."""
    changed = 0
    for relation in category._meta.get_fields(include_hidden=True):
        if not (relation.many_to_many and relation.auto_created):
            continue
        model, field = relation.related_model, relation.remote_field
        rows = list(model._base_manager.filter(**{field.name: category}).select_for_update(of=("self",))
                    .prefetch_related(field.name))
        if not rows:
            continue
        before = {obj.pk: snapshot(obj, [field]) for obj in rows}
        after = {obj.pk: {field.name: ", ".join(sorted(str(c) for c in getattr(obj, field.name).all() if c.pk != category.pk))}
                 for obj in rows}
        model._base_manager.filter(pk__in=[o.pk for o in rows]).update(version=F("version") + 1, modified=timezone.now())
        for obj in rows:
            obj.version += 1
        changelog_bulk_write(model, rows, user, lambda obj: diff_snapshots(model, before[obj.pk], after[obj.pk]))
        changed += len(rows)
    category.delete()
    return changed


# --- Sign-in locks -------------------------------------------------------------

@transaction.atomic
def signin_unlock(*, username: str = "", ip_address: str = "") -> int:
    """Unlock sign-in for an account (from every address) or for an address
    (for every account): forget their failed sign-ins. Returns the number of
    django-axes rows removed. One of the two is required: axes would
    otherwise forget every failure of everyone."""
    from axes.utils import reset

    if not (username or ip_address):
        raise DomainError(_("Choose an account or an address to unlock."))
    return reset(ip=ip_address or None, username=username or None)


# --- Lead scoring ---------------------------------------------------------------
# The criteria score leads and business contacts alike; the formula is
# crm.scoring's, and re-scoring everyone is one UPDATE with the same integers.

def _total_weight() -> int:
    return ScoringCriterion.objects.aggregate(total=Sum("weight"))["total"] or 0


def auto_score_expression(total: int):
    """The automatic score as SQL: the same integer formula as scoring.automatic_score."""
    if total <= 0:
        return Value(0)
    met = Coalesce(
        Subquery(
            CriterionMet.objects.filter(contact=OuterRef("pk")).values("contact")
            .annotate(s=Sum("criterion__weight")).values("s")[:1],
            output_field=IntegerField(),
        ),
        0,
    )
    return (met * (2 * scoring.MAX_STARS) + total) / (2 * total)


@transaction.atomic
def lead_rescore_all() -> int:
    """Re-score every lead and business contact after the criteria changed:
    one UPDATE statement, not a loop in Python. Manual scores stand."""
    expression = auto_score_expression(_total_weight())
    return BusinessContact.objects.update(
        auto_score=expression,
        score=Case(
            When(score_type=BusinessContact.ScoreType.MANUAL, then=Coalesce(F("manual_score"), 0)),
            default=expression,
        ),
    )


@transaction.atomic
def criterion_save(*, criterion: ScoringCriterion) -> ScoringCriterion:
    """Add or change a criterion (description, weight) and re-score everyone."""
    if criterion.pk is None and not criterion.position:
        criterion.position = (ScoringCriterion.objects.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    criterion.full_clean()
    criterion.save()
    lead_rescore_all()
    return criterion


@transaction.atomic
def criterion_delete(*, criterion: ScoringCriterion) -> None:
    """Delete a criterion (its ticks go with it) and re-score everyone."""
    criterion.delete()
    lead_rescore_all()


@transaction.atomic
def criterion_move(*, criterion: ScoringCriterion, offset: int) -> None:
    reorder(ScoringCriterion.objects.order_by("position", "id"), criterion, offset)


@transaction.atomic
def person_save(*, instance: BusinessContact, user, criteria=None, expected_version: int | None = None,
                m2m: dict | None = None) -> BusinessContact:
    """Create or update a lead or business contact together with its ticked
    scoring criteria, in one transaction.

    The criteria are part of the record: ticking one is a new version (a stale
    form is refused) logged in the same change-log entry, and the automatic
    score follows from them before the record is validated. ``criteria=None``
    leaves the ticks as they are (a form without the boxes).
    """
    creating = instance.pk is None
    if not creating:
        lock_current(instance)  # the stored ticks below are read under the row lock
    related = {}
    wanted = None
    if criteria is not None:
        wanted = {c.pk for c in criteria}
        current = set() if creating else set(
            CriterionMet.objects.filter(contact_id=instance.pk).values_list("criterion_id", flat=True))
        weights = dict(ScoringCriterion.objects.values_list("pk", "weight"))
        instance.auto_score = scoring.automatic_score([weights[pk] for pk in wanted if pk in weights], weights.values())
        if wanted != current:
            names = dict(ScoringCriterion.objects.values_list("pk", "description"))
            related["criteria"] = {
                "label": str(_("Lead scoring criteria")),
                "old": ", ".join(sorted(names[pk] for pk in current if pk in names)),
                "new": ", ".join(sorted(names[pk] for pk in wanted if pk in names)),
            }
    if creating:
        record_create(instance=instance, user=user, m2m=m2m, related_changes=related)
    else:
        record_update(instance=instance, user=user, expected_version=expected_version, m2m=m2m,
                      related_changes=related)
    if "criteria" in related:
        CriterionMet.objects.filter(contact=instance).exclude(criterion_id__in=wanted).delete()
        CriterionMet.objects.bulk_create([CriterionMet(contact=instance, criterion_id=pk) for pk in wanted - current])
    return instance


# --- Reminders (crm.reminders) ----------------------------------------------------

class ReminderNotFound(DomainError):
    """The reminder is not the user's, or no longer exists (done, deleted, reassigned)."""

    def __init__(self):
        super().__init__(_("This reminder is not one of yours, or it no longer exists (done, deleted or assigned "
                           "to someone else). Nothing was changed."))


class ReminderChanged(DomainError):
    """The reminder's due time changed after the page showed it."""

    def __init__(self):
        super().__init__(_("This reminder has a new date since the page was shown. Nothing was changed: look at it "
                           "again."))


def _reminder_answer(*, user, source: str, object_id: int, detail_id: int, due: str, **answer) -> ReminderState:
    """Store ``answer`` (dismissed / snoozed_until) for the user's reminder as
    it is now, after checking it is theirs and still due at ``due`` (the
    ``Reminder.due_key`` the page showed)."""
    reminder = reminders.find(user, source, object_id, detail_id)
    if reminder is None:
        raise ReminderNotFound()
    if reminder.due_key != due:
        raise ReminderChanged()
    due_fields = {"due_on": reminder.due_value, "due_at": None} if reminder.date_only else {
        "due_at": reminder.due_value, "due_on": None}
    values = {**due_fields, "dismissed": False, "snoozed_until": None, **answer}
    key = {"user": user, "source": source, "object_id": object_id, "detail_id": detail_id}
    ReminderState(**key, **values).full_clean(validate_unique=False, validate_constraints=False)
    # One row per reminder: a new answer replaces the last (update_or_create
    # also copes with the same answer posted twice at once).
    state, _created = ReminderState.objects.update_or_create(**key, defaults=values)
    state.reminder = reminder
    return state


@transaction.atomic
def reminder_dismiss(*, user, source: str, object_id: int, detail_id: int = 0, due: str) -> ReminderState:
    """Dismiss the user's reminder for its current due time: it comes back only
    if its record gets another date (another reminder time, a new due date, a
    new stage)."""
    return _reminder_answer(user=user, source=source, object_id=object_id, detail_id=detail_id, due=due,
                            dismissed=True)


@transaction.atomic
def reminder_snooze(*, user, source: str, object_id: int, detail_id: int = 0, due: str, duration: str,
                    now: datetime.datetime | None = None) -> ReminderState:
    """Hide the user's reminder until ``duration`` (``reminders.SNOOZE_CHOICES``)
    from now; an unknown duration is refused."""
    try:
        until = reminders.snooze_until(duration, now)
    except KeyError:
        raise DomainError(_("Choose how long to snooze: 15 minutes, 1 hour, tomorrow or next week.")) from None
    return _reminder_answer(user=user, source=source, object_id=object_id, detail_id=detail_id, due=due,
                            snoozed_until=until)


@transaction.atomic
def reminder_feed_token_regenerate(*, user) -> str:
    """Give the user a new calendar feed address; the old one stops working at once."""
    import secrets

    key = secrets.token_urlsafe(32)
    ReminderFeed.objects.update_or_create(user=user, defaults={"key": key})
    return reminders.feed_token(user, key)
