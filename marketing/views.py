"""Marketing ▸ Marketing Activities: the generic record pages, declared."""
from django.utils.translation import gettext_lazy as _

from crm.models import MarketingActivity
from crm.views.records import CRMRecordViewSet
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
    detail_sections = [
        (_("Marketing activity"), ["name", "activity_type", "start_date", "end_date", "budget", "assigned_to",
                                   "categories"]),
        (_("Comments"), ["comments"]),
    ]

    @classmethod
    def object_queryset(cls, request):
        return MarketingActivity.objects.select_related("activity_type", "assigned_to")
