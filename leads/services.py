"""Lead writes: scoring criteria, re-scoring, ticking criteria, conversion."""
from __future__ import annotations

from django.db import transaction
from django.db.models import Case, F, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.generic.services import (DomainError, changelog_bulk_write, lock_current, record_create, record_update,
                                  reorder)
from crm.models import BusinessContact, HistoryItem
from crm.services import history_item_create
from leads import scoring
from leads.models import CriterionMet, ScoringCriterion


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


def _contact_ct() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(BusinessContact).pk


@transaction.atomic
def lead_convert(*, lead: BusinessContact, user, opportunity_title: str = "") -> BusinessContact:
    """Convert a lead to a business contact: the same record, so every field,
    link, category, comment and history item stays; the conversion is logged
    in its change log and its communication history. With
    ``opportunity_title``, an opportunity for the new business contact is
    created in the same step (``contact.new_opportunity``)."""
    fresh = BusinessContact.objects.select_for_update().get(pk=lead.pk)
    if not fresh.is_lead:
        raise DomainError(_("“%(name)s” is already a business contact.") % {"name": fresh})
    fresh.is_lead = False
    BusinessContact.objects.filter(pk=fresh.pk).update(is_lead=False, version=F("version") + 1, modified=timezone.now())
    fresh.version += 1
    changelog_bulk_write(BusinessContact, [fresh], user, lambda obj: {
        "is_lead": {"label": str(_("type")), "old": str(_("Lead")), "new": str(_("Business Contact"))}})
    history_item_create(
        item=HistoryItem(kind=HistoryItem.Kind.NOTE, subject=_("Converted from a lead to a business contact"),
                         body=_("Converted by %(user)s.") % {"user": user.get_full_name() or user.get_username()}),
        user=user, records=[fresh],
    )
    fresh.new_opportunity = None
    if opportunity_title.strip():
        from sales.services import opportunity_create

        fresh.new_opportunity = opportunity_create(user=user, title=opportunity_title.strip(), linked=fresh,
                                                   source=fresh.source)
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
