"""Lead writes: conversion to a business contact and keeping a captured e-mail.

Scoring (criteria, ticks, re-scoring, ``person_save``) is crm's: ``crm.services``."""
from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.generic.services import DomainError, changelog_bulk_write, display_value
from crm.models import BusinessContact, HistoryItem
from crm.services import history_item_create


@transaction.atomic
def lead_convert(*, lead: BusinessContact, user, opportunity_title: str = "") -> BusinessContact:
    """Convert a lead to a business contact: the same record, so every field,
    link, category, comment and history item stays; the day is kept in
    ``converted_on`` (a marketing activity's tracking page counts its
    converted leads by it); the conversion is logged in its change log and
    its communication history. With ``opportunity_title``, an opportunity
    for the new business contact is created in the same step
    (``contact.new_opportunity``), with the lead's source and Initiated by
    (account, business contact or marketing activity), so a campaign's
    tracking page follows the lead into the sale."""
    fresh = BusinessContact.objects.select_for_update().get(pk=lead.pk)
    if not fresh.is_lead:
        raise DomainError(_("“%(name)s” is already a business contact.") % {"name": fresh})
    today = timezone.localdate()
    fresh.is_lead, fresh.converted_on = False, today
    BusinessContact.objects.filter(pk=fresh.pk).update(is_lead=False, converted_on=today, version=F("version") + 1,
                                                       modified=timezone.now())
    fresh.version += 1
    converted_on = BusinessContact._meta.get_field("converted_on")
    changelog_bulk_write(BusinessContact, [fresh], user, lambda obj: {
        "is_lead": {"label": str(_("type")), "old": str(_("Lead")), "new": str(_("Business Contact"))},
        "converted_on": {"label": str(converted_on.verbose_name), "old": "",
                         "new": display_value(converted_on, today)}})
    history_item_create(
        item=HistoryItem(kind=HistoryItem.Kind.NOTE, subject=_("Converted from a lead to a business contact"),
                         body=_("Converted by %(user)s.") % {"user": user.get_full_name() or user.get_username()}),
        user=user, records=[fresh],
    )
    fresh.new_opportunity = None
    if opportunity_title.strip():
        from sales.services import opportunity_create

        initiated_by = {name: getattr(fresh, f"{name}_id") for name in BusinessContact.initiated_by.field_names}
        fresh.new_opportunity = opportunity_create(
            user=user, title=opportunity_title.strip(), linked=fresh, source=fresh.source,
            **{f"{name}_id": pk for name, pk in initiated_by.items()})
    return fresh


@transaction.atomic
def leads_convert(*, queryset, user) -> int:
    """Convert several leads at once (all or none)."""
    count = 0
    for lead in queryset.select_for_update(of=("self",)):
        lead_convert(lead=lead, user=user)
        count += 1
    return count



@transaction.atomic
def lead_attach_captured_email(*, lead: BusinessContact, captured: dict, user) -> HistoryItem:
    """Keep the e-mail a lead was created from as an E-mail history item on it."""
    import datetime

    sent = timezone.now()
    if captured.get("sent"):
        try:
            sent = datetime.datetime.fromisoformat(captured["sent"])
        except ValueError:
            pass
    sender = f'{captured.get("full_name", "")} <{captured.get("address", "")}>'.strip()
    item = HistoryItem(
        kind=HistoryItem.Kind.EMAIL, subject=(captured.get("subject") or _("E-mail from %(sender)s") % {"sender": sender})[:255],
        occurred_at=sent, email_from=sender[:255], email_to=captured.get("to", ""), body=captured.get("body", ""),
    )
    return history_item_create(item=item, user=user, records=[lead])
