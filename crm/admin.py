"""The Django admin, for database owners only.

Every write in the admin goes through the same services as the app (record
saves with the version the page was loaded at, the change log, read-only
rules, list values, categories, …), so the admin cannot bypass a business
rule. A service's refusal rolls the admin's transaction back and shows the
page again with the service's message.

Who may do what here comes from one rule, ``crm.permissions.is_owner``, not
from Django's model permissions given to the "Database owners" group: the
app asks ``is_owner`` too, so the two cannot disagree, and a model or inline
added later needs no data migration to reach the owners.
"""
from functools import update_wrapper

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import actions as admin_actions
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy, ngettext

from crm import selectors, services
from crm.forms import ListValueDeleteForm, ListValueForm
from crm.generic import services as record_services
from crm.generic.filtersets import MAX_FILTER_TEXT
from crm.generic.services import DomainError, EditConflict
from crm.generic.links import LinkFormMixin
from crm.models import (
    Account, BusinessContact, Category, ChangeLogEntry, DeletedItem, HistoryItem, HistoryLink, ListValue,
    ScoringCriterion, UserPreferences,
)
from crm.permissions import is_owner


class OwnerAdminSite(admin.AdminSite):
    site_header = gettext_lazy("CRM administration")
    site_title = gettext_lazy("CRM administration")
    index_title = gettext_lazy("Database owner's administration")

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


@admin.action(permissions=["delete"], description=admin_actions.delete_selected.short_description)
def delete_selected(modeladmin, request, queryset):
    """Django's "Delete selected …" action, all or nothing: the model admin's
    ``delete_queryset`` deletes through a service, and a refusal undoes the
    whole action (the admin's own log included) and says why."""
    try:
        with transaction.atomic():
            return admin_actions.delete_selected(modeladmin, request, queryset)
    except DomainError as error:
        modeladmin.message_user(request, error.message, messages.ERROR)
        return None


owner_admin_site.add_action(delete_selected)


class OwnerPermissions:
    """Database owners may do everything here; nobody else gets in.

    Shared by model admins and inlines (an inline asks for permissions of its
    own, so without this an owner who is not a superuser would not see it)."""

    def has_module_permission(self, request):
        return is_owner(request.user)

    def has_view_permission(self, request, obj=None):
        return is_owner(request.user)

    def has_add_permission(self, request, obj=None):
        return is_owner(request.user)

    def has_change_permission(self, request, obj=None):
        return is_owner(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_owner(request.user)


class OwnerInline(OwnerPermissions, admin.TabularInline):
    extra = 0


def _refused(form_class: type[forms.BaseForm], error: Exception) -> type[forms.BaseForm]:
    """``form_class`` showing a service's refusal above the fields, so the page
    comes back with what the person typed and why it was not saved."""
    reasons = [error.message] if isinstance(error, DomainError) else error.messages

    class Refused(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if self.is_bound and isinstance(error, (EditConflict, services.HistoryItemConflict)) and "version" in self.fields:
                # As on the app's edit form: saving again is against the version
                # stored now, so it keeps this person's values on purpose.
                self.data = self.data.copy()
                self.data[self.add_prefix("version")] = error.current.version

        def clean(self):
            cleaned = super().clean()
            self.add_error(None, reasons)
            return cleaned

    Refused.__name__ = Refused.__qualname__ = form_class.__name__
    return Refused


def _become(obj, saved) -> None:
    """Make the admin's unsaved ``obj`` the row a service created (the admin
    goes on with ``obj``: its inlines, its log entry, the redirect)."""
    obj.__dict__.update(saved.__dict__)


class OddInputMixin:
    """Query strings Django's admin would answer with a server error."""

    def get_search_results(self, request, queryset, search_term):
        # A search text longer than anything stored finds nothing, without asking
        # the database (SQLite refuses LIKE patterns over 50,000 bytes).
        if len(search_term) > MAX_FILTER_TEXT:
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def get_object(self, request, object_id, from_field=None):
        # "?_to_field=" (empty) arrives here as the field "" (Django checks only a
        # non-empty one): the primary key, as without it.
        return super().get_object(request, object_id, from_field or None)


class OwnerModelAdmin(OddInputMixin, OwnerPermissions, admin.ModelAdmin):
    """Base of every model admin here. Subclasses write through services in
    ``save_model``, ``save_formset``, ``delete_model`` and ``delete_queryset``;
    a service's refusal (``DomainError``, or a ``ValidationError`` of its
    ``full_clean``) undoes the whole save and is shown on the page."""

    def delete_queryset(self, request, queryset):
        """"Delete selected": each one through ``delete_model`` (its service),
        unless a subclass deletes the set in one service call."""
        for obj in queryset:
            self.delete_model(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (DomainError, ValidationError) as error:
            if request.method != "POST" or hasattr(request, "_crm_refusal"):
                raise
            # Django's transaction is rolled back: nothing was written. Build the
            # page again from the same POST, with the refusal (see get_form).
            request._crm_refusal = error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "_crm_refusal", None)
        return form if refusal is None else _refused(form, refusal)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as error:
            # Rolled back, the admin's log entry included.
            self.message_user(request, error.message, messages.ERROR)
            opts = self.opts
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id],
                                                current_app=self.admin_site.name))


class DeleteWithReplacementMixin:
    """A delete page that asks what takes the object's place where it is used
    (as the app's delete page does), instead of Django's "cannot delete:
    protected" page. Subclasses name the form and the service."""

    def get_delete_form(self, obj, data=None) -> forms.Form:
        raise NotImplementedError

    def delete_usage(self, obj) -> list[str]:
        """Sentences telling what uses ``obj``."""
        raise NotImplementedError

    def delete_with_replacement(self, request, obj, form) -> str:
        """Delete through the service with the chosen replacement; return the success message."""
        raise NotImplementedError

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return super().delete_view(request, object_id, extra_context)  # Django's "does not exist" redirect
        if not self.has_delete_permission(request, obj):
            raise PermissionDenied
        form = self.get_delete_form(obj, request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            try:
                with transaction.atomic():
                    self.log_deletions(request, [obj])
                    message = self.delete_with_replacement(request, obj, form)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, message, messages.SUCCESS)
                opts = self.opts
                return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist",
                                                    current_app=self.admin_site.name))
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/delete_with_replacement.html", {
            **self.admin_site.each_context(request),
            "title": _("Delete “%(name)s”?") % {"name": obj}, "subtitle": None, "opts": self.opts, "app_label": self.opts.app_label,
            "object": obj, "object_name": str(self.opts.verbose_name), "form": form,
            "usage": self.delete_usage(obj), "media": self.media + form.media, **(extra_context or {}),
        })


# --- Records -----------------------------------------------------------------

class RecordAdminForm(LinkFormMixin, forms.ModelForm):
    """Carries the version the page was loaded at, as the app's edit form does,
    so a save on a stale page is refused (``record_services.record_update``)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        # The stored version is not edited; the field above carries the loaded one.
        exclude = ["version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version


class RecordAdmin(OwnerModelAdmin):
    """Admin for record types: saves and deletes through the record services
    (version check, validation, read-only rules, change log)."""

    form = RecordAdminForm
    list_select_related = ("assigned_to",)
    list_per_page = 50
    show_full_result_count = False
    filter_horizontal = ("categories",)

    def save_model(self, request, obj, form, change):
        m2m = {f.name: form.cleaned_data[f.name] for f in obj._meta.many_to_many if f.name in form.cleaned_data}
        self.save_record(request, obj, m2m, expected_version=form.cleaned_data.get("version") if change else None,
                         creating=not change)

    def save_record(self, request, obj, m2m: dict, expected_version: int | None, creating: bool) -> None:
        """Write the record and its many-to-many values (one service call, one log entry)."""
        if creating:
            record_services.record_create(instance=obj, user=request.user, m2m=m2m)
        else:
            record_services.record_update(instance=obj, user=request.user, expected_version=expected_version, m2m=m2m)

    def save_related(self, request, form, formsets, change):
        # The many-to-many values were saved (and logged) with the record.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        record_services.record_delete(instance=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        record_services.records_delete(queryset=queryset, user=request.user)


@admin.register(Account, site=owner_admin_site)
class AccountAdmin(RecordAdmin):
    list_display = ("name", "business_phone", "email", "business_city", "assigned_to", "modified")
    list_filter = ("assigned_to", "categories")
    search_fields = Account.search_fields


@admin.register(BusinessContact, site=owner_admin_site)
class BusinessContactAdmin(RecordAdmin):
    list_display = ("full_name", "company_name", "email", "business_phone", "is_lead", "assigned_to", "modified")
    list_filter = ("is_lead", "assigned_to", "source", "categories")
    search_fields = BusinessContact.search_fields
    raw_id_fields = ("account", "initiated_by_account", "initiated_by_contact")
    list_select_related = ("assigned_to", "source")


# --- Customizable data -----------------------------------------------------------

@admin.register(Category, site=owner_admin_site)
class CategoryAdmin(OwnerModelAdmin):
    list_display = ("name", "colour")

    def save_model(self, request, obj, form, change):
        services.category_save(category=obj)

    def delete_model(self, request, obj):
        services.category_delete(category=obj, user=request.user)


@admin.register(ScoringCriterion, site=owner_admin_site)
class ScoringCriterionAdmin(OwnerModelAdmin):
    """Criteria edited here re-score everyone, as on the Customize page."""

    list_display = ("description", "weight", "position")
    list_editable = ("weight", "position")

    def save_model(self, request, obj, form, change):
        services.criterion_save(criterion=obj)

    def delete_model(self, request, obj):
        services.criterion_delete(criterion=obj)


class ListValueAdminForm(ListValueForm):
    """The app's list value form (a name is refused beside the same name in
    another case), with the list chosen on the page when adding."""

    def __init__(self, *args, **kwargs):
        instance = kwargs.get("instance")
        super().__init__(*args, kind=instance.kind if instance else "", **kwargs)

    def clean_kind(self):
        # Before clean_name, which looks for duplicates in this list.
        self.instance.kind = self.cleaned_data["kind"]
        return self.instance.kind


@admin.register(ListValue, site=owner_admin_site)
class ListValueAdmin(DeleteWithReplacementMixin, OwnerModelAdmin):
    """List values: added at the end of their list, renamed, and deleted with a
    replacement for the records that use them. The order is changed on the
    Customize page (Move up / Move down)."""

    form = ListValueAdminForm
    fields = ("kind", "name", "position")
    list_display = ("name", "kind", "position")
    list_filter = ("kind",)
    ordering = ("kind", "position", "name")

    def get_readonly_fields(self, request, obj=None):
        # Records point at a value of their list: it does not move to another list.
        return ("position",) if obj is None else ("kind", "position")

    def save_model(self, request, obj, form, change):
        if not change:
            _become(obj, services.list_value_create(kind=obj.kind, name=obj.name))
        elif "name" in form.changed_data:
            services.list_value_rename(value=obj, name=obj.name)

    def delete_model(self, request, obj):
        services.list_value_delete(value=obj, replacement=None, user=request.user)

    def get_delete_form(self, obj, data=None):
        return ListValueDeleteForm(data, value=obj)

    def delete_usage(self, obj):
        count = selectors.list_value_usage(obj)
        if not count:
            return [_("No record uses this value.")]
        return [ngettext("%(counter)s record uses this value. Choose what it gets instead.",
                         "%(counter)s records use this value. Choose what they get instead.", count) % {"counter": count}]

    def delete_with_replacement(self, request, obj, form):
        name = obj.name
        changed = services.list_value_delete(value=obj, replacement=form.cleaned_data["replacement"], user=request.user)
        return _("“%(name)s” was deleted; %(count)d records changed.") % {"name": name, "count": changed}


# --- Communication history and the change log --------------------------------------

class HistoryLinkInline(OwnerInline):
    """Shown, not edited: an item is linked and unlinked from a record's History
    page, which keeps every item linked to at least one record."""

    model = HistoryLink
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(HistoryItem, site=owner_admin_site)
class HistoryItemAdmin(OwnerModelAdmin):
    """History items are changed and deleted through the history services; they
    are added on a record's History page (an item belongs to a record)."""

    form = RecordAdminForm  # carries the version the page was loaded at
    list_display = ("subject", "kind", "occurred_at", "author")
    list_filter = ("kind",)
    search_fields = ("subject",)
    raw_id_fields = ("author", "assigned_to")
    inlines = [HistoryLinkInline]
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.history_item_update(item=obj, user=request.user, expected_version=form.cleaned_data.get("version"))

    def delete_model(self, request, obj):
        services.history_item_delete(item=obj, user=request.user)


class ReadOnlyAdminMixin:
    """Rows the owner reads in the admin but never adds, edits or deletes there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChangeLogEntry, site=owner_admin_site)
class ChangeLogEntryAdmin(ReadOnlyAdminMixin, OwnerModelAdmin):
    """The change log is read here, never written: it says who changed what."""

    list_display = ("timestamp", "object_repr", "action", "user_name")
    list_filter = ("action", "content_type")
    readonly_fields = [f.name for f in ChangeLogEntry._meta.fields]
    show_full_result_count = False


@admin.register(DeletedItem, site=owner_admin_site)
class DeletedItemAdmin(ReadOnlyAdminMixin, OwnerModelAdmin):
    """Deleted items, read here and restored through the same service as the
    workspaces' Deleted items pages; ``manage.py purge_deleted`` removes them."""

    list_display = ("text", "record_type", "deleted_by_name", "deleted_at")
    list_filter = ("record_type",)
    search_fields = ("text",)
    exclude = ("payload",)
    readonly_fields = [f.name for f in DeletedItem._meta.fields if f.name != "payload"]
    show_full_result_count = False
    actions = ["restore_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("payload")

    @admin.action(permissions=["view"], description=gettext_lazy("Restore selected deleted items"))
    def restore_selected(self, request, queryset):
        restored = 0
        for item in queryset:
            try:
                result = record_services.deleted_item_restore(item=item, user=request.user)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
                continue
            restored += 1
            for note in result.notes:
                self.message_user(request, f"{result.obj}: {note}", messages.WARNING)
        if restored:
            self.message_user(request, ngettext("%(count)d item restored.", "%(count)d items restored.", restored)
                              % {"count": restored}, messages.SUCCESS)


@admin.register(UserPreferences, site=owner_admin_site)
class UserPreferencesAdmin(OwnerModelAdmin):
    list_display = ("user", "language")
    # Chosen in each list's column chooser (crm.generic.services.list_columns_save).
    readonly_fields = ("list_columns",)


# Users and groups: only superusers manage accounts and the owner group
# (Django's own permissions), so an owner cannot make anyone a superuser.
class OwnerUserAdmin(OddInputMixin, UserAdmin):
    pass


class OwnerGroupAdmin(OddInputMixin, GroupAdmin):
    pass


owner_admin_site.register(User, OwnerUserAdmin)
owner_admin_site.register(Group, OwnerGroupAdmin)


# Failed sign-ins (django-axes), registered here rather than on Django's default
# admin site (AXES_ENABLE_ADMIN = False). The owner reads them and unlocks with
# the "Unlock" action, through the same service as Customize ▸ Sign-in locks;
# rows are not added, changed or deleted by hand.
from axes.admin import AccessAttemptAdmin  # noqa: E402
from axes.models import AccessAttempt  # noqa: E402


@admin.register(AccessAttempt, site=owner_admin_site)
class SignInAttemptAdmin(ReadOnlyAdminMixin, OwnerPermissions, AccessAttemptAdmin):
    list_display = ["attempt_time", "username", "ip_address", "failures_since_start", "user_agent"]
    list_filter = ["attempt_time"]
    actions = ["unlock"]

    @admin.action(description=gettext_lazy("Unlock the accounts and addresses of the selected failed sign-ins"))
    def unlock(self, request, queryset):
        usernames = sorted({u for u in queryset.values_list("username", flat=True) if u})
        addresses = sorted({a for a in queryset.values_list("ip_address", flat=True) if a})
        for username in usernames:
            services.signin_unlock(username=username)
        for address in addresses:
            services.signin_unlock(ip_address=address)
        accounts = ngettext("%(n)d account", "%(n)d accounts", len(usernames)) % {"n": len(usernames)}
        places = ngettext("%(n)d address", "%(n)d addresses", len(addresses)) % {"n": len(addresses)}
        self.message_user(request, _("Unlocked %(accounts)s and %(addresses)s.") % {"accounts": accounts, "addresses": places},
                          messages.SUCCESS)
