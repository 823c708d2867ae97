"""Site visits in the owner's admin: saved and deleted through the record services."""
from django.contrib import admin

from crm.admin import RecordAdmin, owner_admin_site
from sample_records.models import SiteVisit


@admin.register(SiteVisit, site=owner_admin_site)
class SiteVisitAdmin(RecordAdmin):
    list_display = ("title", "visit_date", "kind", "assigned_to", "modified")
    list_filter = ("kind", "assigned_to", "categories")
    search_fields = SiteVisit.search_fields
    raw_id_fields = ("account", "contact")
