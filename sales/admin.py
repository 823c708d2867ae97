"""Admin for the sales process (database owners only). Opportunity saves go
through the record services, so a closed opportunity is read-only here too;
stage and activity changes go through the same services as the Customize page."""
from django.contrib import admin, messages

from crm.admin import OwnerModelAdmin, RecordAdmin, owner_admin_site
from crm.generic.services import DomainError
from sales import services
from sales.models import Opportunity, OpportunityLine, Product, SalesActivity, SalesSettings, SalesStage


@admin.register(Product, site=owner_admin_site)
class ProductAdmin(OwnerModelAdmin):
    list_display = ("name", "unit_price", "unit_cost", "active")
    list_filter = ("active",)
    search_fields = ("name", "description")


class SalesActivityInline(admin.TabularInline):
    model = SalesActivity
    extra = 0
    fields = ("name", "duration_days", "position")


@admin.register(SalesStage, site=owner_admin_site)
class SalesStageAdmin(OwnerModelAdmin):
    list_display = ("name", "kind", "position", "is_default")
    ordering = ("position", "id")
    inlines = [SalesActivityInline]

    def get_readonly_fields(self, request, obj=None):
        # Closed Won / Closed Lost: built in, not to be renamed.
        return ("name", "position", "is_default") if obj is not None and obj.is_closed else ()

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.is_closed)

    def save_model(self, request, obj, form, change):
        if obj.is_default and not obj.is_closed:
            services.stage_set_default(stage=None)  # one default: clear the old one first
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        try:
            services.stage_delete(stage=obj, replacement=None, user=request.user)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)

    def delete_queryset(self, request, queryset):
        for stage in queryset:
            self.delete_model(request, stage)


@admin.register(SalesSettings, site=owner_admin_site)
class SalesSettingsAdmin(OwnerModelAdmin):
    list_display = ("__str__", "activity_reminders")

    def has_add_permission(self, request, obj=None):
        return not SalesSettings.objects.exists()


class OpportunityLineInline(admin.TabularInline):
    """Lines are shown here; they are edited on the opportunity form, which keeps the totals."""

    model = OpportunityLine
    extra = 0
    fields = ("product", "description", "quantity", "unit_price", "discount_percent", "line_total")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Opportunity, site=owner_admin_site)
class OpportunityAdmin(RecordAdmin):
    list_display = ("title", "stage", "total", "expected_revenue", "close_date", "assigned_to", "modified")
    list_filter = ("stage", "assigned_to", "categories")
    search_fields = ("title",)
    raw_id_fields = ("account", "contact", "initiated_by_account", "initiated_by_contact")
    list_select_related = ("assigned_to", "stage")
    readonly_fields = ("total", "expected_revenue", "stage_entered_on")
    inlines = [OpportunityLineInline]

    def has_change_permission(self, request, obj=None):
        # A closed opportunity shows read-only (the services refuse the write anyway).
        return super().has_change_permission(request, obj) and not (obj is not None and obj.is_closed)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.is_closed)
