from django.contrib import admin

from crm.admin import BusinessContactAdmin, owner_admin_site
from leads.models import Lead


@admin.register(Lead, site=owner_admin_site)
class LeadAdmin(BusinessContactAdmin):
    def save_model(self, request, obj, form, change):
        obj.is_lead = True
        super().save_model(request, obj, form, change)
