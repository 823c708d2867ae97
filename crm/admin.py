"""The Django admin, for database owners only.

Record saves and deletes in the admin go through the same services as the
app (validation, read-only rules, change log), so the admin cannot bypass a
business rule.
"""
from functools import update_wrapper

from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _

from crm.generic import services as record_services
from crm.models import (
    Account, BusinessContact, Category, ChangeLogEntry, HistoryItem, HistoryLink, ListValue, UserPreferences,
)
from crm.permissions import is_owner


class OwnerAdminSite(admin.AdminSite):
    site_header = _("CRM administration")
    site_title = _("CRM administration")
    index_title = _("Database owner's administration")

    def has_permission(self, request) -> bool:
        return is_owner(request.user)

    def admin_view(self, view, cacheable=False):
        """Signed-in staff who are not database owners get 403, not a login loop."""
        inner = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(wrapper, view)

    def login(self, request, extra_context=None):
        """One sign-in page for the whole site: the app's."""
        if not request.user.is_authenticated:
            return redirect_to_login(request.GET.get("next", reverse("admin:index")))
        if not self.has_permission(request):
            raise PermissionDenied
        return redirect("admin:index")


owner_admin_site = OwnerAdminSite(name="admin")


class OwnerModelAdmin(admin.ModelAdmin):
    """Database owners may do everything here; nobody else gets in."""

    def has_module_permission(self, request):
        return is_owner(request.user)

    def has_view_permission(self, request, obj=None):
        return is_owner(request.user)

    has_add_permission = has_change_permission = has_delete_permission = (
        lambda self, request, obj=None: is_owner(request.user)
    )


class RecordAdmin(OwnerModelAdmin):
    """Admin for record types: saves and deletes through the record services."""

    list_select_related = ("assigned_to",)
    list_per_page = 50
    show_full_result_count = False
    filter_horizontal = ("categories",)

    def save_model(self, request, obj, form, change):
        # Many-to-many values are saved by save_related() after this.
        if change:
            record_services.record_update(instance=obj, user=request.user)
        else:
            record_services.record_create(instance=obj, user=request.user)

    def delete_model(self, request, obj):
        try:
            record_services.record_delete(instance=obj, user=request.user)
        except record_services.DomainError as error:
            self.message_user(request, error.message, messages.ERROR)

    def delete_queryset(self, request, queryset):
        try:
            record_services.records_delete(queryset=queryset, user=request.user)
        except record_services.DomainError as error:
            self.message_user(request, error.message, messages.ERROR)


@admin.register(Account, site=owner_admin_site)
class AccountAdmin(RecordAdmin):
    list_display = ("name", "business_phone", "email", "business_city", "assigned_to", "modified")
    list_filter = ("assigned_to", "categories")
    search_fields = ("name", "email", "account_number")


@admin.register(BusinessContact, site=owner_admin_site)
class BusinessContactAdmin(RecordAdmin):
    list_display = ("full_name", "company_name", "email", "business_phone", "is_lead", "assigned_to", "modified")
    list_filter = ("is_lead", "assigned_to", "source", "categories")
    search_fields = ("full_name", "company_name", "email")
    raw_id_fields = ("account", "initiated_by_account", "initiated_by_contact")
    list_select_related = ("assigned_to", "source")


@admin.register(Category, site=owner_admin_site)
class CategoryAdmin(OwnerModelAdmin):
    list_display = ("name", "colour")


@admin.register(ListValue, site=owner_admin_site)
class ListValueAdmin(OwnerModelAdmin):
    list_display = ("name", "kind", "position")
    list_filter = ("kind",)
    list_editable = ("position",)
    ordering = ("kind", "position", "name")

    def delete_model(self, request, obj):
        from crm import services

        services.list_value_delete(value=obj, replacement=None, user=request.user)


class HistoryLinkInline(admin.TabularInline):
    model = HistoryLink
    extra = 0


@admin.register(HistoryItem, site=owner_admin_site)
class HistoryItemAdmin(OwnerModelAdmin):
    list_display = ("subject", "kind", "occurred_at", "author")
    list_filter = ("kind",)
    search_fields = ("subject",)
    raw_id_fields = ("author", "assigned_to")
    inlines = [HistoryLinkInline]
    show_full_result_count = False


@admin.register(ChangeLogEntry, site=owner_admin_site)
class ChangeLogEntryAdmin(OwnerModelAdmin):
    list_display = ("timestamp", "object_repr", "action", "user_name")
    list_filter = ("action", "content_type")
    readonly_fields = [f.name for f in ChangeLogEntry._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(UserPreferences, site=owner_admin_site)
class UserPreferencesAdmin(OwnerModelAdmin):
    list_display = ("user", "language")
    # Chosen in each list's column chooser (crm.generic.services.list_columns_save).
    readonly_fields = ("list_columns",)


# Users and groups: only superusers manage accounts and the owner group.
owner_admin_site.register(User, UserAdmin)
owner_admin_site.register(Group, GroupAdmin)
