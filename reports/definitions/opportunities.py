"""Sales ▸ Reports: the opportunities."""
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.generic.counts import cached_list
from crm.models import ListKind
from sales.filtersets import OpportunityFilterSet
from sales.models import Opportunity, SalesListKind, SalesStage, status_q
from sales.selectors import activities_to_do

from .. import dimensions
from ..base import Measure, Report
from ..registry import register

WON, LOST = status_q("won"), status_q("lost")
CLOSED_HOLDS = ({"closed", "won"}, {"closed", "lost"})  # the Status filter's "closed" holds "won" and "lost"


def win_rate(row: dict) -> Decimal | None:
    """Won ÷ (won + lost) × 100, one decimal (half up, as every figure: 6.25 is
    6.3); None when nothing was closed."""
    won, lost = row.get("won_count") or 0, row.get("lost_count") or 0
    if not won + lost:
        return None
    return (Decimal(100) * won / (won + lost)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def open_stages() -> list[dict]:
    stages = cached_list(SalesStage.objects.filter(kind=SalesStage.Kind.OPEN).order_by("position", "id"))
    return [{"stage": stage.pk, "stage_name": stage.name} for stage in stages]


STAGE = dimensions.related("stage", _("Sales stage"), param="stage", none_label=_("No stage"), domain=open_stages,
                           sort_by=("position",))


class OpportunityReport(Report):
    """What the opportunity reports share: the Opportunities list's filters,
    groupings and figures; the date range is on the close date."""

    workspace = "sales"
    list_url_name = "sales:opportunity_list"
    filterset_class = OpportunityFilterSet
    filter_names = ("status", "stage", "assigned_to", "opportunity_type", "source", "category", "initiated_by_activity")
    date_field = "close_date"
    date_label = _("Close date")
    date_params = ("close_after", "close_before")
    dimensions = [
        dimensions.person(),
        STAGE,
        dimensions.month("close_date", _("Close month"), date_params),
        dimensions.quarter("close_date", _("Close quarter"), date_params),
        dimensions.linked_record(),
        dimensions.list_value("source", _("Source"), ListKind.SOURCE, param="source", none_label=_("No source")),
        dimensions.list_value("opportunity_type", _("Type"), SalesListKind.OPPORTUNITY_TYPE, param="opportunity_type",
                              none_label=_("No type")),
        dimensions.related("initiated_by_activity", _("Marketing activity"), param="initiated_by_activity",
                           none_label=_("No marketing activity"), null_link=False),
        dimensions.category(),
    ]
    measures = [
        Measure("count", _("Opportunities"), "count", Count("pk")),
        Measure("total", _("Total"), "money", Sum("total")),
        Measure("expected", _("Expected revenue"), "money", Sum("expected_revenue")),
        Measure("won_count", _("Won"), "count", Count("pk", filter=WON), link={"status": "won"}),
        Measure("won_value", _("Won revenue"), "money", Sum("total", filter=WON), link={"status": "won"}),
        Measure("lost_count", _("Lost"), "count", Count("pk", filter=LOST), link={"status": "lost"}),
        Measure("lost_value", _("Lost value"), "money", Sum("total", filter=LOST), link={"status": "lost"}),
        Measure("win_rate", _("Win rate (%)"), "percent", derive=win_rate, needs=("won_count", "lost_count"),
                link={"status": "closed"}),
    ]
    default_columns = ("count", "total", "expected")

    def records(self):
        return Opportunity.objects.all()

    def narrowed(self, key, chosen, value):
        """Closed holds the won and the lost: the won of the closed opportunities are the won ones."""
        if key == "status" and isinstance(chosen, str) and {chosen, value} in CLOSED_HOLDS:
            return value if chosen == "closed" else chosen
        return super().narrowed(key, chosen, value)


class OpenOpportunityReport(OpportunityReport):
    """Only open opportunities: the pipeline."""

    filter_names = ("stage", "assigned_to", "opportunity_type", "source", "category", "initiated_by_activity")
    fixed_params = {"status": "open"}
    measures = OpportunityReport.measures[:3]

    def records(self):
        return Opportunity.objects.with_status("open")


@register
class PipelineByStage(OpenOpportunityReport):
    code = "pipeline-by-stage"
    title = _("Pipeline by Sales Stage")
    description = _("Open opportunities in each sales stage: how many, their total and expected revenue.")
    default_group = "stage"
    chart = "funnel"
    chart_measure = "total"


@register
class ForecastByMonth(OpenOpportunityReport):
    code = "forecast-by-month"
    title = _("Forecast by Close Month")
    description = _("Expected revenue of the open opportunities by the month they should close, by stage or by person.")
    default_group = "close_date_month"
    then_by = ("stage", "assigned_to")
    default_then_by = "stage"
    default_period = "next_3_months"
    default_columns = ("expected",)
    chart = "column"


@register
class OpportunitiesByAssignedTo(OpportunityReport):
    code = "opportunities-by-assigned-to"
    title = _("Opportunities by Assigned To")
    description = _("Each person's opportunities: open, won and lost, and the win rate.")
    default_group = "assigned_to"
    default_columns = ("count", "total", "expected", "won_value", "win_rate")
    then_by = ("stage",)
    chart_measure = "total"


@register
class OpportunitiesByLinkedRecord(OpportunityReport):
    code = "opportunities-by-account"
    title = _("Opportunities by Account/Contact")
    description = _("The accounts and business contacts with the most business.")
    default_group = "linked"
    default_sort = "total"
    default_descending = True
    default_limit = "25"  # the top ones: all of 10,000 accounts made a page of 7 s (bench/README.md, "Reports")
    default_columns = ("count", "total", "expected", "won_value")


@register
class OpportunitiesBySource(OpportunityReport):
    code = "opportunities-by-source"
    title = _("Opportunities by Source")
    description = _("Where the opportunities came from, and what they were worth.")
    default_group = "source"
    default_columns = ("count", "total", "won_value", "win_rate")


@register
class OpportunitiesByMarketingActivity(OpportunityReport):
    code = "opportunities-by-marketing-activity"
    workspace = "marketing"
    title = _("Opportunities by Marketing Activity")
    description = _("What each marketing activity brought: opportunities, pipeline and won revenue.")
    default_group = "initiated_by_activity"
    default_sort = "total"
    default_descending = True
    default_columns = ("count", "total", "expected", "won_value")


@register
class WonLostByPeriod(OpportunityReport):
    code = "won-lost-by-period"
    title = _("Won/Lost by Period")
    description = _("Opportunities closed won and lost in each month or quarter, their value and the win rate.")
    filter_names = ("stage", "assigned_to", "opportunity_type", "source", "category", "initiated_by_activity")
    fixed_params = {"status": "closed"}
    default_group = "close_date_month"
    default_period = "this_year"
    default_columns = ("won_count", "won_value", "lost_count", "lost_value", "win_rate")
    chart = "line"
    chart_measure = "win_rate"

    def records(self):
        return Opportunity.objects.with_status("closed")


@register
class SalesActivitiesOverdue(OpportunityReport):
    """One row per overdue activity: the aggregate counts activities, and
    opportunities once each (a distinct count)."""

    code = "sales-activities-overdue"
    title = _("Sales Activities Overdue")
    description = _("Sales activities of the open opportunities' current stage past their due day and not done, "
                    "by person or stage. A figure opens the opportunities that have them.")
    filter_names = ("stage", "assigned_to", "opportunity_type", "source", "category")
    fixed_params = {"status": "open", "activities_overdue": "on"}
    default_group = "assigned_to"
    then_by = ("stage",)
    measures = [
        Measure("activities", _("Overdue activities"), "count", Count("pk")),
        Measure("opportunities", _("Opportunities"), "count", Count("pk", distinct=True)),
    ]
    default_columns = ("activities", "opportunities")
    default_sort = "activities"
    default_descending = True

    def records(self):
        today = timezone.localdate()
        return activities_to_do(Opportunity.objects.all(), today).filter(reminder_due__lt=today)
