"""Marketing ▸ Marketing Activities: the generic record pages, declared, and
each activity's tracking page (what it brought in)."""
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from crm.generic.views.base import ViewSetMixin
from crm.models import MarketingActivity
from crm.views.records import CRMRecordViewSet
from marketing import selectors
from marketing.filtersets import MarketingActivityFilterSet
from marketing.forms import MarketingActivityForm
from marketing.imports import MarketingActivityImporter
from marketing.resources import MarketingActivityResource
from marketing.tables import MarketingActivityTable


class MarketingActivityViewSet(CRMRecordViewSet):
    record_type = "marketing_activity"
    url_prefix = "marketing-activities"
    queryset = MarketingActivity.objects.select_related("assigned_to", "activity_type")
    list_fields = ("name", "start_date", "end_date", "budget", "created", "activity_type__name",
                   "assigned_to__username", "assigned_to__first_name", "assigned_to__last_name")
    filterset = MarketingActivityFilterSet
    table = MarketingActivityTable
    form = MarketingActivityForm
    resource = MarketingActivityResource
    importer = MarketingActivityImporter
    template_pane = "marketing/marketing_activity_pane.html"
    template_print = "marketing/marketing_activity_print.html"
    record_tabs = (("tracking", _("Tracking"), "tracking"),)
    detail_sections = [
        (_("Marketing activity"), ["name", "activity_type", "start_date", "end_date", "@money:budget", "assigned_to",
                                   "categories"]),
        (_("Comments"), ["comments"]),
    ]

    @classmethod
    def object_queryset(cls, request):
        return MarketingActivity.objects.select_related("activity_type", "assigned_to")

    @classmethod
    def detail_context(cls, request, obj) -> dict:
        # The page and the reading pane sum up the tracking figures (two queries).
        return {"figures": selectors.tracking_figures(obj)}

    @classmethod
    def print_context(cls, request, obj) -> dict:
        return {**super().print_context(request, obj), "figures": selectors.tracking_figures(obj)}

    @classmethod
    def extra_urls(cls) -> list:
        return [
            *super().extra_urls(),
            path(f"{cls.url_prefix}/<int:pk>/tracking/", TrackingView.as_view(viewset=cls),
                 name="marketing_activity_tracking"),
        ]


def filtered_list_url(url_name: str, activity: MarketingActivity) -> str:
    """A record list narrowed to what ``activity`` initiated (its hidden
    ``initiated_by_activity`` filter, which the list shows and lets remove)."""
    return f"{reverse(url_name)}?{urlencode({'initiated_by_activity': activity.pk})}"


class TrackingView(ViewSetMixin, View):
    """A marketing activity's tracking page: what it brought in (figures from
    ``marketing.selectors``, a handful of queries at any size), the first of
    the leads and opportunities it initiated, and links to the Leads,
    Business Contacts and Opportunities lists filtered to it, where every
    list feature (sorting, filters, selection, bulk actions, export) applies."""

    def get(self, request, pk):
        activity = self.viewset.get_object(request, pk)
        initiated = {"initiated_by": f"{self.viewset.record_type}:{activity.pk}"}
        return render(request, "marketing/tracking.html", self.base_context(
            object=activity,
            figures=selectors.tracking_figures(activity),
            leads=selectors.initiated_leads(activity),
            opportunities=selectors.initiated_opportunities(activity),
            preview_rows=selectors.PREVIEW_ROWS,
            leads_url=filtered_list_url("leads:lead_list", activity),
            contacts_url=filtered_list_url("crm:contact_list", activity),
            opportunities_url=filtered_list_url("sales:opportunity_list", activity),
            new_lead_url=f"{reverse('leads:lead_add')}?{urlencode(initiated)}",
            new_opportunity_url=f"{reverse('sales:opportunity_add')}?{urlencode(initiated)}",
        ))
