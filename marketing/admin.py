"""Marketing activities in the owner's admin: saved and deleted through the record services."""
from django.contrib import admin

from crm.admin import RecordAdmin, owner_admin_site
from crm.models import MarketingActivity


@admin.register(MarketingActivity, site=owner_admin_site)
class MarketingActivityAdmin(RecordAdmin):
    list_display = ("name", "activity_type", "start_date", "end_date", "budget", "assigned_to", "modified")
    list_filter = ("activity_type", "assigned_to", "categories")
    search_fields = MarketingActivity.search_fields
