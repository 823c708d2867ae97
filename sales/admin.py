"""Admin for the sales process (database owners only). Opportunity saves go
through the same service as the opportunity form, so a closed opportunity is
read-only here too; stages, activities, products and the settings go through
the same services as the Customize pages."""
from django import forms
from django.contrib import admin
from django.utils.translation import ngettext

from crm.admin import DeleteWithReplacementMixin, OwnerInline, OwnerModelAdmin, RecordAdmin, _become, owner_admin_site
from sales import services
from sales.forms import StageDeleteForm
from sales.models import Opportunity, OpportunityLine, Product, SalesActivity, SalesSettings, SalesStage


@admin.register(Product, site=owner_admin_site)
class ProductAdmin(OwnerModelAdmin):
    list_display = ("name", "unit_price", "unit_cost", "active")
    list_filter = ("active",)
    search_fields = ("name", "description")

    def save_model(self, request, obj, form, change):
        services.product_save(product=obj)

    def delete_model(self, request, obj):
        services.product_delete(product=obj)


class SalesActivityInline(OwnerInline):
    """A stage's activities; written by ``save_formset`` through the services
    (a new one goes at the end; none on Closed Won / Closed Lost)."""

    model = SalesActivity
    fields = ("name", "duration_days", "position")


class SalesStageAdminForm(forms.ModelForm):
    def validate_constraints(self):
        # Ticking "default stage" moves the mark from the old default stage
        # (services.stage_set_default): it does not clash with it.
        try:
            self.instance.validate_constraints(exclude=self._get_validation_exclusions() | {"is_default"})
        except forms.ValidationError as error:
            self._update_errors(error)


@admin.register(SalesStage, site=owner_admin_site)
class SalesStageAdmin(DeleteWithReplacementMixin, OwnerModelAdmin):
    """Stages as on the Customize page: a name is unique in any case, Closed
    Won and Closed Lost are built in, a new stage goes after the open ones, and
    deleting a stage asks where its opportunities (and activities) go. The
    order is changed on the Customize page (Move up / Move down)."""

    form = SalesStageAdminForm
    fields = ("name", "kind", "position", "is_default", "probability")
    list_display = ("name", "kind", "position", "is_default", "probability")
    ordering = ("position", "id")
    inlines = [SalesActivityInline]

    def get_readonly_fields(self, request, obj=None):
        # Closed Won / Closed Lost: built in, not to be renamed (their probability is 100 % / 0 %).
        if obj is not None and obj.is_closed:
            return ("name", "kind", "position", "is_default", "probability")
        return ("kind", "position")

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.is_closed)

    def save_model(self, request, obj, form, change):
        wants_default = obj.is_default
        if not change:
            _become(obj, services.stage_create(name=obj.name, probability=obj.probability))
            if wants_default:
                services.stage_set_default(stage=obj)
                obj.is_default = True
            return
        # The default first: the rename validates the stage with its new mark.
        if "is_default" in form.changed_data:
            services.stage_set_default(stage=obj if wants_default else None)
        if {"name", "probability"} & set(form.changed_data):
            services.stage_update(stage=obj, name=obj.name, probability=obj.probability)

    def save_formset(self, request, form, formset, change):
        activities = formset.save(commit=False)
        for activity in formset.deleted_objects:
            services.activity_delete(activity=activity)
        for activity in activities:
            services.activity_save(activity=activity)

    def delete_model(self, request, obj):
        services.stage_delete(stage=obj, replacement=None, user=request.user)

    def get_delete_form(self, obj, data=None):
        return StageDeleteForm(data, stage=obj)

    def delete_usage(self, obj):
        count = obj.opportunities.count()
        usage = [ngettext("%(counter)s opportunity is in this stage.",
                          "%(counter)s opportunities are in this stage.", count) % {"counter": count}]
        activities = obj.activities.count()
        if activities:
            usage.append(ngettext("It has %(counter)s sales activity.", "It has %(counter)s sales activities.",
                                  activities) % {"counter": activities})
        return usage

    def delete_with_replacement(self, request, obj, form):
        name = str(obj)
        moved = services.stage_delete(stage=obj, replacement=form.cleaned_data["replacement"],
                                      move_activities=form.cleaned_data["move_activities"], user=request.user)
        return ngettext("“%(stage)s” was deleted; %(count)d opportunity was moved.",
                        "“%(stage)s” was deleted; %(count)d opportunities were moved.", moved) % {"stage": name, "count": moved}


@admin.register(SalesSettings, site=owner_admin_site)
class SalesSettingsAdmin(OwnerModelAdmin):
    list_display = ("__str__", "activity_reminders")

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not SalesSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False  # one row, saved by the service; there is nothing to delete

    def save_model(self, request, obj, form, change):
        _become(obj, services.sales_settings_save(activity_reminders=obj.activity_reminders))


class OpportunityLineInline(OwnerInline):
    """Lines are shown here; they are edited on the opportunity form, which keeps the totals."""

    model = OpportunityLine
    fields = ("product", "description", "quantity", "unit_price", "discount_percent", "line_total")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Opportunity, site=owner_admin_site)
class OpportunityAdmin(RecordAdmin):
    list_display = ("title", "stage", "total", "expected_revenue", "close_date", "assigned_to", "modified")
    list_filter = ("stage", "assigned_to", "categories")
    search_fields = Opportunity.search_fields
    raw_id_fields = ("account", "contact", "initiated_by_account", "initiated_by_contact")
    list_select_related = ("assigned_to", "stage")
    readonly_fields = ("total", "expected_revenue", "stage_entered_on")
    inlines = [OpportunityLineInline]

    def has_change_permission(self, request, obj=None):
        # A closed opportunity shows read-only (the services refuse the write anyway).
        return super().has_change_permission(request, obj) and not (obj is not None and obj.is_closed)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.is_closed)

    def save_record(self, request, obj, m2m, expected_version, creating):
        services.opportunity_save(instance=obj, user=request.user, expected_version=expected_version, m2m=m2m)
