"""Sales ▸ Reports: the leads."""
from django.db.models import Avg, Count
from django.utils.translation import gettext_lazy as _

from crm.models import ListKind
from leads.filtersets import LeadFilterSet
from leads.models import Lead

from .. import dimensions
from ..base import Measure, Report
from ..registry import register


class LeadReport(Report):
    """What the lead reports share: the Leads list's filters, its groupings and figures."""

    workspace = "sales"
    list_url_name = "leads:lead_list"
    filterset_class = LeadFilterSet
    filter_names = ("assigned_to", "source", "rating", "score_type", "category", "initiated_by_activity")
    date_field = "created__date"
    date_label = _("Created")
    date_params = ("created_after", "created_before")
    dimensions = [
        dimensions.person(),
        dimensions.stars(),
        dimensions.list_value("source", _("Source"), ListKind.SOURCE, param="source", none_label=_("No source")),
        dimensions.related("initiated_by_activity", _("Marketing activity"), param="initiated_by_activity",
                           none_label=_("No marketing activity"), null_link=False),
        dimensions.month("created", _("Month created"), ("created_after", "created_before")),
        dimensions.category(),
    ]
    measures = [
        Measure("count", _("Leads"), "count", Count("pk")),
        Measure("average_score", _("Average rating"), "number", Avg("score"), chartable=False),
    ]
    default_columns = ("count",)

    def records(self):
        return Lead.objects.all()


@register
class LeadsByAssignedTo(LeadReport):
    code = "leads-by-assigned-to"
    title = _("Leads by Assigned To")
    description = _("How many leads each person has.")
    default_group = "assigned_to"
    then_by = ("score", "source")


@register
class LeadsByAssignedToAndRating(LeadReport):
    code = "leads-by-assigned-to-and-rating"
    title = _("Leads by Assigned To and Rating")
    description = _("Each person's leads, counted by their rating in stars.")
    default_group = "assigned_to"
    then_by = ("score", "source")
    default_then_by = "score"


@register
class LeadsByRating(LeadReport):
    code = "leads-by-rating"
    title = _("Leads by Rating")
    description = _("How many leads have each rating, from 5 stars down.")
    default_group = "score"


@register
class LeadsBySource(LeadReport):
    code = "leads-by-source"
    title = _("Leads by Source")
    description = _("Where the leads came from.")
    default_group = "source"
    default_sort = "count"
    default_descending = True


@register
class LeadsByMarketingActivity(LeadReport):
    code = "leads-by-marketing-activity"
    workspace = "marketing"
    title = _("Leads by Marketing Activity")
    description = _("The leads each marketing activity brought in.")
    default_group = "initiated_by_activity"
    default_sort = "count"
    default_descending = True
