from django.contrib import admin

from crm.admin import BusinessContactAdmin, OwnerModelAdmin, owner_admin_site
from leads import services
from leads.models import Lead, ScoringCriterion


@admin.register(Lead, site=owner_admin_site)
class LeadAdmin(BusinessContactAdmin):
    def save_model(self, request, obj, form, change):
        obj.is_lead = True
        super().save_model(request, obj, form, change)


@admin.register(ScoringCriterion, site=owner_admin_site)
class ScoringCriterionAdmin(OwnerModelAdmin):
    """Criteria edited here re-score everyone, as on the Customize page."""

    list_display = ("description", "weight", "position")
    list_editable = ("weight", "position")

    def save_model(self, request, obj, form, change):
        services.criterion_save(criterion=obj)

    def delete_model(self, request, obj):
        services.criterion_delete(criterion=obj)
