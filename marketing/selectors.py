"""Reads of the marketing workspace: what a marketing activity brought in.

A marketing activity's tracking page (and its record page's summary) shows
figures computed in SQL over the leads and opportunities it initiated — one
aggregate query for the people and one for the opportunities, whatever their
number — and the first few of each. The derived ratios (cost per lead,
return on budget) are pure functions on ``Decimal``, used by the page, the
PDF and the tests alike.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce, Lower

from crm.models import BusinessContact, MarketingActivity
from sales.models import MONEY, Opportunity, SalesStage
from sales.pricing import HUNDRED, to_money

# The first rows of each list the tracking page shows (the full lists are one click away).
PREVIEW_ROWS = 10

# A lead it initiated: a lead now, or one converted to a business contact since.
IS_OR_WAS_LEAD = Q(is_lead=True) | Q(converted_on__isnull=False)
# An open opportunity: in no stage or an open one (as the Opportunities list's
# "Open" status filter says), so not Closed Won and not Closed Lost.
OPEN = Q(stage__isnull=True) | Q(stage__kind=SalesStage.Kind.OPEN)
WON = Q(stage__kind=SalesStage.Kind.WON)
LOST = Q(stage__kind=SalesStage.Kind.LOST)


def cost_per_lead(budget: Decimal | None, leads: int) -> Decimal | None:
    """The budget ÷ the leads, to the cent (half up); None without leads or
    without a budget (a budget of 0 costs 0.00 a lead)."""
    if budget is None or not leads:
        return None
    return to_money(Decimal(budget) / leads)


def return_on_budget(won_revenue: Decimal, budget: Decimal | None) -> Decimal | None:
    """The won revenue as a percentage of the budget (won ÷ budget × 100, to
    one decimal, half up): 250.0 means the won deals brought in two and a half
    times what the activity cost. None without a budget (none, or 0: nothing
    to divide by)."""
    if not budget:
        return None
    return (Decimal(won_revenue) * HUNDRED / Decimal(budget)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class TrackingFigures:
    """What a marketing activity brought in (see ``tracking_figures``)."""

    budget: Decimal | None
    leads: int                  # leads it initiated, converted ones included
    leads_converted: int        # of those, converted to business contacts
    leads_open: int             # of those, still leads (the Leads list's rows)
    contacts: int               # business contacts it initiated (the converted leads and any others)
    opportunities: int
    open_opportunities: int
    pipeline_value: Decimal     # total of the open opportunities
    expected_revenue: Decimal   # expected revenue of the open opportunities
    won_count: int
    won_revenue: Decimal        # total of the Closed Won ones
    lost_count: int

    @property
    def cost_per_lead(self) -> Decimal | None:
        return cost_per_lead(self.budget, self.leads)

    @property
    def return_on_budget(self) -> Decimal | None:
        return return_on_budget(self.won_revenue, self.budget)


def _money_sum(field: str, condition: Q):
    output = DecimalField(**MONEY)
    return Coalesce(Sum(field, filter=condition, output_field=output), Value(Decimal("0.00")), output_field=output)


def tracking_figures(activity: MarketingActivity) -> TrackingFigures:
    """The tracking figures of ``activity``: two aggregate queries (people,
    opportunities), each reading only the rows it initiated through the
    partial indexes ``contact_init_activity_idx`` and ``opportunity_init_activity_idx``."""
    people = BusinessContact.objects.filter(initiated_by_activity=activity).aggregate(
        leads=Count("pk", filter=IS_OR_WAS_LEAD),
        leads_converted=Count("pk", filter=Q(converted_on__isnull=False)),
        leads_open=Count("pk", filter=Q(is_lead=True)),
        contacts=Count("pk", filter=Q(is_lead=False)),
    )
    deals = Opportunity.objects.filter(initiated_by_activity=activity).aggregate(
        opportunities=Count("pk"),
        open_opportunities=Count("pk", filter=OPEN),
        pipeline_value=_money_sum("total", OPEN),
        expected_revenue=_money_sum("expected_revenue", OPEN),
        won_count=Count("pk", filter=WON),
        won_revenue=_money_sum("total", WON),
        lost_count=Count("pk", filter=LOST),
    )
    # SQLite sums decimals as floating point: back to cents.
    for name in ("pipeline_value", "expected_revenue", "won_revenue"):
        deals[name] = to_money(deals[name])
    return TrackingFigures(budget=activity.budget, **people, **deals)


# The columns the previews show (the database sorts the activity's rows to
# find the first: narrower rows sort faster).
LEAD_PREVIEW_FIELDS = ("full_name", "file_as", "company_name", "is_lead", "converted_on", "assigned_to__username",
                       "assigned_to__first_name", "assigned_to__last_name")
OPPORTUNITY_PREVIEW_FIELDS = ("title", "total", "expected_revenue", "close_date", "account_id", "contact_id",
                              "stage__name", "stage__kind", "account__name", "contact__full_name")


def initiated_leads(activity: MarketingActivity, limit: int = PREVIEW_ROWS) -> list[BusinessContact]:
    """The first ``limit`` leads ``activity`` initiated, converted ones
    included, in the lists' order ("File as"), with whom they are assigned to."""
    return list(BusinessContact.objects.filter(IS_OR_WAS_LEAD, initiated_by_activity=activity)
                .select_related("assigned_to").only(*LEAD_PREVIEW_FIELDS).order_by(Lower("file_as"), "pk")[:limit])


def initiated_opportunities(activity: MarketingActivity, limit: int = PREVIEW_ROWS) -> list[Opportunity]:
    """The first ``limit`` opportunities ``activity`` initiated, in the
    Opportunities list's order (title), with their stage and linked record."""
    return list(Opportunity.objects.filter(initiated_by_activity=activity)
                .select_related("stage", "account", "contact").only(*OPPORTUNITY_PREVIEW_FIELDS)
                .order_by(Lower("title"), "pk")[:limit])
