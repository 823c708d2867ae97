"""Writes of the sales process: opportunities with their lines and activity
checklist, closing and reopening, and the owner's customization of stages
and activities. Every write path (form, bulk action, lead conversion, admin)
comes through here, so a closed opportunity stays read-only in all of them.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.generic import services as record_services
from crm.generic.services import DomainError, changelog_bulk_sql, changelog_bulk_write, reorder
from crm.permissions import is_owner
from sales import pricing
from sales.models import ActivityDone, Opportunity, OpportunityLine, Product, SalesActivity, SalesSettings, SalesStage


class StageBuiltIn(DomainError):
    """Closed Won and Closed Lost cannot be renamed, moved or deleted."""


@dataclass
class LineInput:
    """One line of products and services as entered (``id`` None for a new line)."""

    product: Product | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal = Decimal(0)
    id: int | None = None

    @property
    def total(self) -> Decimal:
        return pricing.line_total(self.quantity, self.unit_price, self.discount_percent)

    def label(self) -> str:
        return self.description or (self.product.name if self.product else "")


def _lines_summary(lines) -> str:
    """How the change log shows the products and services."""
    return "; ".join(f"{line.label()} × {pricing.to_money(line.quantity).normalize():f}" for line in lines)


def default_stage() -> SalesStage | None:
    return SalesStage.objects.filter(is_default=True).first()


# --- Opportunities ----------------------------------------------------------

@transaction.atomic
def opportunity_save(*, instance: Opportunity, user, lines: list[LineInput] | None = None,
                     done_activities: Iterable[int] | None = None, expected_version: int | None = None,
                     m2m: dict | None = None) -> Opportunity:
    """Create or update an opportunity together with its products and services
    and its ticked sales activities, in one transaction.

    The total is the sum of the lines (``pricing``) and the expected revenue
    follows from it and the probability (``Opportunity.clean``); an edit on a
    stale copy or of a closed opportunity is refused by the record services
    before anything is written.
    """
    creating = instance.pk is None
    if not creating:
        record_services.lock_current(instance)  # the stored lines below are read under the row lock
    related = {}
    if lines is not None:
        instance.total = pricing.opportunity_total(line.total for line in lines)
        old_lines = [] if creating else [_as_input(line) for line in instance.lines.select_related("product")]
        if _lines_state(old_lines) != _lines_state(lines):
            # The lines are part of the opportunity: their change is a new version
            # (a stale form is refused) and goes into the same change-log entry.
            related["lines"] = {"label": str(_("products and services")), "old": _lines_summary(old_lines),
                                "new": _lines_summary(lines)}
    if creating:
        record_services.record_create(instance=instance, user=user, m2m=m2m, related_changes=related)
    else:
        record_services.record_update(instance=instance, user=user, expected_version=expected_version, m2m=m2m,
                                      related_changes=related)
    if "lines" in related:
        _write_lines(instance, lines)
    if done_activities is not None:
        _write_activities_done(instance, set(done_activities))
    return instance


def _lines_state(lines) -> list[tuple]:
    """What a line is, to tell whether the lines change (ids aside)."""
    return [(getattr(line.product, "pk", None), line.description.strip(), Decimal(line.quantity),
             Decimal(line.unit_price), Decimal(line.discount_percent or 0)) for line in lines]


def _as_input(line: OpportunityLine) -> LineInput:
    return LineInput(product=line.product, description=line.description, quantity=line.quantity,
                     unit_price=line.unit_price, discount_percent=line.discount_percent, id=line.pk)


def _write_lines(opportunity: Opportunity, lines: list[LineInput]) -> None:
    """Make the stored lines exactly ``lines`` (in that order)."""
    existing = {line.pk: line for line in opportunity.lines.all()}
    keep = {line.id for line in lines if line.id in existing}
    OpportunityLine.objects.filter(opportunity=opportunity).exclude(pk__in=keep).delete()
    for position, data in enumerate(lines, start=1):
        line = existing.get(data.id) or OpportunityLine(opportunity=opportunity)
        line.product, line.description = data.product, data.description.strip()
        line.quantity, line.unit_price, line.discount_percent = data.quantity, data.unit_price, data.discount_percent or 0
        line.position = position
        line.full_clean(exclude=["opportunity"])
        line.save()
    stored = pricing.opportunity_total(opportunity.lines.values_list("line_total", flat=True))
    if stored != opportunity.total:
        # Cannot happen through the form (it totals the same lines); kept as a guard.
        raise DomainError(_("The total of the products and services changed while saving; nothing was saved."))


def _write_activities_done(opportunity: Opportunity, ticked: set[int]) -> None:
    """Tick or untick the current stage's activities (marks of other stages stay)."""
    if not opportunity.stage_id:
        return
    in_stage = set(opportunity.stage.activities.values_list("pk", flat=True))
    ticked &= in_stage
    done = set(opportunity.activities_done.filter(activity__in=in_stage).values_list("activity_id", flat=True))
    opportunity.activities_done.filter(activity__in=done - ticked).delete()
    ActivityDone.objects.bulk_create([ActivityDone(opportunity=opportunity, activity_id=pk) for pk in ticked - done])


@transaction.atomic
def opportunity_create(*, user, title: str, linked, **fields) -> Opportunity:
    """A new opportunity for an account or business contact (e.g. when
    converting a lead), in the default stage and assigned to the user."""
    from crm.models import Account

    opportunity = Opportunity(title=title, stage=default_stage(), assigned_to=user, **fields)
    if isinstance(linked, Account):
        opportunity.account = linked
    else:
        opportunity.contact = linked
    return opportunity_save(instance=opportunity, user=user)


@transaction.atomic
def opportunity_move(*, opportunity: Opportunity, stage: SalesStage, user, expected_version: int | None) -> Opportunity:
    """Move an opportunity to another stage: the pipeline board's drag and
    drop and its "Move to stage" menu.

    It is the opportunity form's save with only the stage changed
    (``opportunity_save``), so the same rules hold: the stage's sales
    activities are due from today (``stage_entered_on``), the probability
    follows the stage (``Opportunity.clean``), a closed stage closes it, the
    move is one change-log entry; a closed opportunity is refused
    (``RecordLocked``), and so is a move of a copy older than
    ``expected_version`` (``EditConflict``): nothing is written then.
    ``opportunity`` is the copy as loaded (its stage and probability before
    the move)."""
    opportunity.stage = stage
    return opportunity_save(instance=opportunity, user=user, expected_version=expected_version)


@transaction.atomic
def opportunities_close(*, queryset, user, stage: SalesStage, close_date: datetime.date | None = None) -> int:
    """Mark closed (won or lost), one opportunity or many; the close date
    defaults to today. Already closed ones are refused (nothing is written)."""
    if not stage.is_closed:
        raise DomainError(_("Choose Closed Won or Closed Lost."))
    values = {"stage": stage}
    if close_date:
        values["close_date"] = close_date
    return record_services.records_bulk_set(queryset=queryset, user=user, values=values)


def may_reopen(opportunity: Opportunity, user) -> bool:
    """Reopening is for the assigned user and the database owner."""
    return is_owner(user) or (opportunity.assigned_to_id is not None and opportunity.assigned_to_id == user.pk)


@transaction.atomic
def opportunity_reopen(*, opportunity: Opportunity, stage: SalesStage, user, probability: int | None = None) -> Opportunity:
    """Move a closed opportunity back to an open stage, so it can be edited again."""
    current = Opportunity.objects.select_for_update(of=("self",)).select_related("stage").get(pk=opportunity.pk)
    if not current.is_closed:
        raise DomainError(_("“%(title)s” is not closed.") % {"title": current})
    if not may_reopen(current, user):
        raise DomainError(_("Only the assigned user or the database owner can reopen “%(title)s”.") % {"title": current})
    if stage.is_closed:
        raise DomainError(_("Choose an open stage."))
    # Written here, not through record_update: that refuses every write to a closed record.
    before = record_services.snapshot(current)
    current.stage = stage
    current.probability = current.probability if probability is None else probability
    current.full_clean()
    current.version += 1
    current.save()
    changelog_bulk_write(Opportunity, [current], user, lambda obj: record_services.diff_snapshots(
        Opportunity, before, record_services.snapshot(obj)))
    return current


# --- Sales stages and activities (owner's customization) -------------------

def _refuse_built_in(stage: SalesStage) -> None:
    if stage.is_closed:
        raise StageBuiltIn(_("“%(stage)s” is built in and cannot be changed or deleted.") % {"stage": stage})


def _name_taken(stage_name: str, exclude_pk=None) -> None:
    if SalesStage.objects.filter(name__iexact=stage_name).exclude(pk=exclude_pk).exists():
        raise DomainError(_("There is already a stage called “%(name)s”.") % {"name": stage_name})


@transaction.atomic
def stage_create(*, name: str, probability: int | None = None) -> SalesStage:
    """A new open stage, placed after the other open stages, with its default
    probability (None: opportunities keep theirs when they enter it)."""
    name = " ".join(name.split())
    _name_taken(name)
    last = SalesStage.objects.filter(kind=SalesStage.Kind.OPEN).aggregate(m=Max("position"))["m"] or 0
    stage = SalesStage(name=name, position=last + 1, probability=probability)
    stage.full_clean()
    stage.save()
    return stage


@transaction.atomic
def stage_update(*, stage: SalesStage, name: str, probability: int | None) -> SalesStage:
    """Rename an open stage and set its default probability (0–100, or None).
    Opportunities already in the stage keep theirs: the default applies when
    one enters the stage (``sales.models.probability_after_change``)."""
    _refuse_built_in(stage)
    name = " ".join(name.split())
    _name_taken(name, exclude_pk=stage.pk)
    stage.name, stage.probability = name, probability
    stage.full_clean()
    stage.save(update_fields=["name", "probability"])
    return stage


def stage_rename(*, stage: SalesStage, name: str) -> SalesStage:
    """Rename an open stage (its default probability stays)."""
    return stage_update(stage=stage, name=name, probability=stage.probability)


@transaction.atomic
def stage_move(*, stage: SalesStage, offset: int) -> None:
    """Move an open stage up or down; its activities go with it."""
    _refuse_built_in(stage)
    reorder(SalesStage.objects.filter(kind=SalesStage.Kind.OPEN).order_by("position", "id"), stage, offset)


@transaction.atomic
def stage_set_default(*, stage: SalesStage | None) -> None:
    """Use a stage as the default for new opportunities (None: no default)."""
    if stage is not None:
        _refuse_built_in(stage)
    SalesStage.objects.filter(is_default=True).update(is_default=False)
    if stage is not None:
        SalesStage.objects.filter(pk=stage.pk).update(is_default=True)


@transaction.atomic
def stage_delete(*, stage: SalesStage, replacement: SalesStage | None, move_activities: bool = False, user) -> int:
    """Delete a stage. Its opportunities move to ``replacement`` (or to no
    stage), each with a change-log entry, in set-based SQL; with a
    replacement, ``move_activities`` puts the deleted stage's activities at
    the top of the replacement's list (their done marks stay), otherwise they
    are deleted. Returns how many opportunities moved."""
    _refuse_built_in(stage)
    if replacement is not None and (replacement.pk == stage.pk or replacement.is_closed):
        raise DomainError(_("Choose another open stage as the replacement, or none."))
    moved = Opportunity.objects.filter(stage=stage)
    changelog_bulk_sql(moved, user, {"stage": {
        "label": str(Opportunity._meta.get_field("stage").verbose_name),
        "old": str(stage), "new": str(replacement) if replacement else ""}}, repr_field="title")
    count = moved.update(stage=replacement, stage_entered_on=timezone.localdate() if replacement else None,
                         version=F("version") + 1, modified=timezone.now())
    activities = stage.activities.all()
    if replacement is not None and move_activities:
        moving = list(activities.order_by("position", "id").values_list("pk", flat=True))
        SalesActivity.objects.filter(stage=replacement).update(position=F("position") + len(moving))
        for position, pk in enumerate(moving, start=1):
            SalesActivity.objects.filter(pk=pk).update(stage=replacement, position=position)
    else:
        activities.delete()
    if stage.is_default and replacement is not None:
        stage_set_default(stage=replacement)
    stage.delete()
    return count


@transaction.atomic
def activity_save(*, activity: SalesActivity) -> SalesActivity:
    """Add an activity to a stage (at the end) or save a changed one."""
    _refuse_built_in(activity.stage)
    if activity.pk is None:
        activity.position = (activity.stage.activities.aggregate(m=Max("position"))["m"] or 0) + 1
    activity.name = " ".join(activity.name.split())
    activity.full_clean()
    activity.save()
    return activity


@transaction.atomic
def activity_move(*, activity: SalesActivity, offset: int) -> None:
    reorder(activity.stage.activities.order_by("position", "id"), activity, offset)


@transaction.atomic
def activity_delete(*, activity: SalesActivity) -> int:
    """Delete an activity from its stage and from every opportunity, even where
    it was marked done. Returns on how many opportunities it was done."""
    done = activity.done_on_opportunities.count()
    activity.delete()
    return done


# --- The product and service catalogue ---------------------------------------------

@transaction.atomic
def product_save(*, product: Product) -> Product:
    product.full_clean()
    product.save()
    return product


@transaction.atomic
def product_delete(*, product: Product) -> None:
    """Delete a catalogue item no opportunity line uses (others are made inactive)."""
    if product.lines.exists():
        raise DomainError(_("“%(name)s” is used on opportunities; make it inactive instead.") % {"name": product})
    product.delete()


@transaction.atomic
def sales_settings_save(*, activity_reminders: bool) -> SalesSettings:
    settings, _created = SalesSettings.objects.update_or_create(pk=1, defaults={"activity_reminders": activity_reminders})
    return settings
