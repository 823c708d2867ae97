"""Site visit pages: the generic record pages, declared."""
from django.utils.translation import gettext_lazy as _

from crm.views.records import CRMRecordViewSet
from sample_records.filtersets import SiteVisitFilterSet
from sample_records.forms import SiteVisitForm
from sample_records.imports import SiteVisitImporter
from sample_records.models import SiteVisit
from sample_records.resources import SiteVisitResource
from sample_records.tables import SiteVisitTable


class SiteVisitViewSet(CRMRecordViewSet):
    record_type = "site_visit"
    url_prefix = "site-visits"
    queryset = SiteVisit.objects.select_related("assigned_to", "account", "contact")
    list_fields = ("title", "visit_date", "kind", "expenses", "created", "account__name", "contact__full_name",
                   "assigned_to__username", "assigned_to__first_name", "assigned_to__last_name")
    filterset = SiteVisitFilterSet
    table = SiteVisitTable
    form = SiteVisitForm
    resource = SiteVisitResource
    importer = SiteVisitImporter
    detail_sections = [
        (_("Site visit"), ["title", "visit_date", "kind", "@money:expenses", "account", "contact", "assigned_to",
                           "categories"]),
        (_("Comments"), ["comments"]),
    ]

    @classmethod
    def object_queryset(cls, request):
        return SiteVisit.objects.select_related("account", "contact", "assigned_to")
