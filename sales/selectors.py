"""Reads of the sales workspace that span relations."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable

from django.db.models import Count, Exists, F, OuterRef, PositiveBigIntegerField, Q, Subquery, Sum, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.generic.params import parse_id
from crm.generic.registry import pk_url
from sales import pricing
from sales.models import ActivityDone, Opportunity, SalesActivity, SalesSettings, SalesStage, due_offset_sql


def activity_delete_effect(activity: SalesActivity) -> dict[str, int]:
    """What deleting ``activity`` does, for its confirmation page: it leaves the
    checklist of every opportunity in its stage (``in_stage``), and its done
    marks go with it (``done``; an opportunity that moved on to another stage
    keeps its marks until then)."""
    return {"in_stage": activity.stage.opportunities.count(), "done": activity.done_on_opportunities.count()}


def related_opportunities(record, limit: int = 10) -> dict:
    """An account's or business contact's first ``limit`` opportunities (with
    their stages, in one query) and how many it has: the Opportunities section
    of its pane."""
    opportunities = record.opportunities.select_related("stage")
    return {"rows": list(opportunities[:limit]), "count": opportunities.count(), "limit": limit}


# --- The pipeline board (Sales ▸ Opportunities ▸ Board) ------------------------------------

BOARD_PAGE_SIZE = 50
NO_STAGE = "none"   # the key of the column of open opportunities without a stage


@dataclass(frozen=True)
class BoardCard:
    """What a card of the board shows (read with ``values()``: no model instances)."""

    pk: int
    title: str
    version: int
    stage_id: int | None
    total: Decimal
    close_date: datetime.date | None
    linked_name: str
    linked_url: str
    assignee: str

    @property
    def url(self) -> str:
        return pk_url("sales:opportunity_detail", self.pk)

    @property
    def column_key(self) -> str:
        return column_key(self.stage_id)

    @property
    def cursor(self) -> str:
        """Where "Show more" goes on after this card: its close date and id ("2026-12-01_42", "_42")."""
        return f"{self.close_date.isoformat() if self.close_date else ''}_{self.pk}"


@dataclass
class BoardColumn:
    """One column: an open stage (or no stage), its figures over every
    opportunity the filter lets through, and its first cards."""

    stage: SalesStage | None
    count: int = 0
    expected_revenue: Decimal = Decimal("0.00")
    cards: list[BoardCard] = field(default_factory=list)
    more: bool = False          # cards after ``cards`` ("Show more")
    more_url: str = ""          # where they come from (set by the view, which knows the filter)

    @property
    def key(self) -> str:
        return column_key(self.stage.pk if self.stage else None)

    @property
    def label(self) -> str:
        return str(self.stage) if self.stage else str(_("No stage"))


def column_key(stage_id: int | None) -> str:
    return str(stage_id) if stage_id is not None else NO_STAGE


def open_stages() -> list[SalesStage]:
    """The board's stages: the open ones, in the sales process's order."""
    return list(SalesStage.objects.filter(kind=SalesStage.Kind.OPEN).order_by("position", "id"))


def _open(queryset, stages: list[SalesStage]):
    """The open opportunities of ``queryset``: no stage or one of ``stages``
    (their ids written out: no join to the stages, and the stage index finds the rows)."""
    return queryset.filter(Q(stage__isnull=True) | Q(stage_id__in=[stage.pk for stage in stages]))


# The cards' order in a column: closing soonest first, undated last; the id breaks ties
# (and is the second half of the "Show more" key). Written so that no index matches it
# (COALESCE(x, x), as crm.generic.views.lists.unindexed_ordering): SQLite otherwise walks
# the close date index to the first 51 rows of a column and tests every opportunity's
# stage on the way (321 ms for "No stage" at 100,000); this way it finds the column's
# rows by the stage index and sorts them (a few thousand at most).
CARD_ORDER = (Coalesce(F("close_date"), F("close_date")).asc(nulls_last=True), F("pk").asc())
CARD_VALUES = ("pk", "title", "version", "stage_id", "total", "close_date", "account_id", "account__name",
               "contact_id", "contact__full_name", "assigned_to__username", "assigned_to__first_name",
               "assigned_to__last_name")


def _card(row: dict) -> BoardCard:
    if row["account_id"]:
        linked_name, linked_url = row["account__name"], pk_url("crm:account_detail", row["account_id"])
    elif row["contact_id"]:
        linked_name, linked_url = row["contact__full_name"], pk_url("crm:contact_detail", row["contact_id"])
    else:
        linked_name, linked_url = "", ""
    full_name = f"{row['assigned_to__first_name'] or ''} {row['assigned_to__last_name'] or ''}".strip()
    return BoardCard(pk=row["pk"], title=row["title"], version=row["version"], stage_id=row["stage_id"],
                     total=row["total"], close_date=row["close_date"], linked_name=linked_name or "",
                     linked_url=linked_url, assignee=full_name or row["assigned_to__username"] or "")


# The open stages' rows and the stageless ones are read as the two parts of a
# UNION ALL (in one query), each found by the stage index. As one condition
# (stage IS NULL OR stage IN …) SQLite walks the whole stage index instead,
# closed opportunities included, and as an OR of two id lists it runs each
# list twice: at 100,000 opportunities with 5,000 open, 18 → 2 ms CPU for the
# figures and 25 → 11 ms for the cards (bench/board.py's database).

def _in_stages(queryset, stages: list[SalesStage]):
    """The rows of ``queryset`` in one of ``stages`` (their ids written out: no join to the stages)."""
    return queryset.filter(stage_id__in=[stage.pk for stage in stages])


def _columns_with_figures(queryset, stages: list[SalesStage]) -> list[BoardColumn]:
    """A column per stage, and one for no stage if some open opportunity has
    none, each with its count and expected revenue: one query."""
    def figures_of(rows):
        return rows.order_by().values("stage_id").annotate(
            count=Count("pk"), revenue=Coalesce(Sum("expected_revenue"), Decimal("0.00")))

    parts = figures_of(_in_stages(queryset, stages)).union(figures_of(queryset.filter(stage__isnull=True)),
                                                            all=True).order_by()
    figures = {row["stage_id"]: row for row in parts}
    columns = [BoardColumn(stage=stage) for stage in stages]
    if figures.get(None, {}).get("count"):
        columns.append(BoardColumn(stage=None))
    for column in columns:
        row = figures.get(column.stage.pk if column.stage else None)
        if row:
            # Rounded to cents: SQLite sums the amounts as floats (4345685.599999995 for 80 × 54,321.07).
            column.count, column.expected_revenue = row["count"], pricing.to_money(row["revenue"])
    return columns


def board_columns(queryset, stages: list[SalesStage]) -> list[BoardColumn]:
    """The board over the opportunities of ``queryset`` (already filtered):
    a column per open stage of ``stages`` in their order, and one for open
    opportunities without a stage if there are any, each with its count and
    expected revenue and its first ``BOARD_PAGE_SIZE`` cards.

    Three queries whatever the number of stages and opportunities: the
    figures of every column (GROUP BY); the ids of every column's first
    cards, picked by numbering each column's rows (``ROW_NUMBER() OVER
    (PARTITION BY stage_id …)``) and keeping the first ones; and those cards
    with their account, contact and assignee. (In one query PostgreSQL
    cannot tell that the numbering keeps a few hundred rows, expects
    thousands, and reads every account and contact to join them.)"""
    columns = _columns_with_figures(queryset, stages)
    by_key = {column.key: column for column in columns}

    def first_rows(rows):
        return (rows.annotate(board_rank=Window(RowNumber(), partition_by=[F("stage_id")], order_by=CARD_ORDER))
                .filter(board_rank__lte=BOARD_PAGE_SIZE + 1).order_by().values_list("pk", flat=True))

    picked = first_rows(_in_stages(queryset, stages))
    if NO_STAGE in by_key:
        picked = picked.union(first_rows(queryset.filter(stage__isnull=True)), all=True).order_by()
    picked = list(picked)
    for row in queryset.model.objects.filter(pk__in=picked).order_by(*CARD_ORDER).values(*CARD_VALUES):
        column = by_key.get(column_key(row["stage_id"]))
        if column is None:
            continue
        if len(column.cards) < BOARD_PAGE_SIZE:
            column.cards.append(_card(row))
        else:
            column.more = True
    return columns


def board_headers(queryset, stages: list[SalesStage], keys: Iterable[str] | None = None) -> list[BoardColumn]:
    """The columns' figures alone (no cards), in one query: what a move
    redraws. ``keys``: the columns the page shows (None: those the board
    would show now); a "No stage" column emptied meanwhile shows 0."""
    columns = _columns_with_figures(queryset, stages)
    if keys is None:
        return columns
    wanted = set(keys)
    if NO_STAGE in wanted and all(column.stage is not None for column in columns):
        columns.append(BoardColumn(stage=None))
    return [column for column in columns if column.key in wanted]


def board_more_cards(queryset, stages: list[SalesStage], key: str,
                     after: tuple[datetime.date | None, int] | None) -> tuple[list[BoardCard], bool]:
    """The next ``BOARD_PAGE_SIZE`` cards of the column ``key`` after the card
    whose (close date, id) is ``after`` (None: from the start), and whether
    more follow. A key, not an offset: cards moved in or out of the column
    meanwhile shift no card past the button or under it twice."""
    if key == NO_STAGE:
        rows = queryset.filter(stage__isnull=True)
    else:
        stage_id = parse_id(key)
        if stage_id is None or stage_id not in {stage.pk for stage in stages}:
            return [], False     # not a column of the board (a closed stage, one deleted since, nonsense)
        rows = queryset.filter(stage_id=stage_id)
    if after is not None:
        date, pk = after
        if date is None:
            rows = rows.filter(close_date__isnull=True, pk__gt=pk)
        else:
            rows = rows.filter(Q(close_date__gt=date) | Q(close_date=date, pk__gt=pk) | Q(close_date__isnull=True))
    # The ids first (LIMIT), then only those joined to their account, contact and assignee.
    picked = rows.order_by(*CARD_ORDER).values("pk")[:BOARD_PAGE_SIZE + 1]
    found = [_card(row) for row in queryset.model.objects.filter(pk__in=picked).order_by(*CARD_ORDER)
             .values(*CARD_VALUES)]
    return found[:BOARD_PAGE_SIZE], len(found) > BOARD_PAGE_SIZE


def board_card(queryset, stages: list[SalesStage], pk: int) -> BoardCard | None:
    """The card of opportunity ``pk`` as it is now, or None if the board
    (``queryset``: its filter) does not show it: closed, deleted, filtered out."""
    row = _open(queryset, stages).filter(pk=pk).values(*CARD_VALUES).first()
    return _card(row) if row else None
# --- Reminders (crm.reminders; registered in SalesConfig.ready) -----------------------------

def _reminder_annotations(detail, due) -> dict:
    from crm import reminders

    return {reminders.OBJECT: F("pk"), reminders.DETAIL: detail, reminders.DUE: due}


def reminder_rows(user, *, until=None, since=None, now=None):
    """The user's open opportunities with their reminder ticked: due at their reminder time."""
    from crm.reminders import InSubquery

    mine = Q(assigned_to=user, reminder=True, reminder_at__isnull=False)
    if until is not None:
        mine &= Q(reminder_at__lte=until)
    if since is not None:
        mine &= Q(reminder_at__gte=since)
    # Open: no stage, or an open one. Written as two ranges of the index
    # (assigned_to, stage, reminder_at) — the whole condition in each, and the
    # open stages as a list the index can take (InSubquery) — which skip the
    # old reminders of the closed opportunities.
    open_stages = Subquery(SalesStage.objects.filter(kind=SalesStage.Kind.OPEN).order_by().values("pk"))
    rows = (Opportunity.objects.filter(Q(mine, stage__isnull=True) | Q(mine, InSubquery(F("stage"), open_stages)))
            .annotate(**_reminder_annotations(Value(0, PositiveBigIntegerField()), F("reminder_at"))))
    return rows.select_related("account", "contact").only(
        "pk", "title", "reminder_at", "account__name", "contact__full_name", "contact__is_lead")


def describe_reminder(opportunity) -> tuple[str, str, str]:
    return opportunity.title, str(opportunity.linked or ""), opportunity.get_absolute_url()


ACTIVITY = "stage__activities"


def activities_to_do(queryset, today):
    """The open opportunities of ``queryset``, one row per sales activity of
    their current stage that has a duration and is not ticked done, with the
    day it falls due (``reminder_due``: the day the stage was entered + the
    running duration, as ``Opportunity.activity_checklist`` shows it). The
    reminders and the "Sales activities overdue" report read it."""
    from crm.reminders import AddDays

    # Later expressions name the activity by these annotations: a path through
    # the stage's activities would join them once more.
    return (queryset.filter(stage__kind=SalesStage.Kind.OPEN, **{f"{ACTIVITY}__duration_days__gt": 0})
            .annotate(reminder_object=F("pk"), reminder_detail=F(f"{ACTIVITY}__id"),
                      activity_name=F(f"{ACTIVITY}__name"), due_offset=due_offset_sql(ACTIVITY))
            .annotate(reminder_due=AddDays(Coalesce("stage_entered_on", Value(today)), F("due_offset")))
            .exclude(Exists(ActivityDone.objects.filter(opportunity=OuterRef("pk"), activity=OuterRef("reminder_detail")))))


def activity_reminder_rows(user, *, until=None, since=None, now=None):
    """The sales activities of the user's open opportunities still to do, when
    the owner turned activity reminders on (Customize ▸ Sales stages): each
    activity with a duration in the opportunity's current stage, not ticked
    done, due on the day ``Opportunity.activity_checklist`` shows (the same
    rule: ``due_offset_sql``). One row per opportunity and activity."""
    from crm.reminders import AddDays

    today = timezone.localdate(now)
    rows = activities_to_do(Opportunity.objects.filter(
        Exists(SalesSettings.objects.filter(pk=1, activity_reminders=True)), assigned_to=user), today)
    if until is not None and until <= today:
        # Due by today at the latest (the count, the Reminders page): as a range of
        # the index (assigned_to, stage, stage_entered_on). An opportunity without
        # the date counts as entering today, so none of its activities is due yet.
        rows = rows.filter(stage_entered_on__lte=AddDays(Value(until), -F("due_offset")))
    elif until is not None:
        rows = rows.filter(reminder_due__lte=until)
    if since is not None:
        rows = rows.filter(reminder_due__gte=since)
    return rows.only("pk", "title")


def describe_activity_reminder(opportunity) -> tuple[str, str, str]:
    return opportunity.activity_name, opportunity.title, opportunity.get_absolute_url()
