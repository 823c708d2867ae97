"""Views of the contact-management workspace, communication history,
customization pages and the home page."""
from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _, gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView
from django_htmx.http import trigger_client_event

from crm import selectors, services
from crm.filtersets import AccountFilterSet, ContactFilterSet
from crm.forms import (
    AccountForm, CategoryForm, ContactForm, HistoryItemForm, LinkRecordForm, ListValueDeleteForm, ListValueForm,
    MeetingRequestForm, PreferencesForm,
)
from crm.generic import recycle, registry
from crm.generic.forms import add_refusal
from crm.generic.files import serve_stored_file
from crm.generic.ordered import OrderedDeleteView, OrderedList, OrderedListView
from crm.generic.pagination import WindowCountPaginator
from crm.generic.rows import light_instances
from crm.generic import services as record_services
from crm.generic.services import snapshot
from crm.generic.views import RecordViewSet, ViewSetMixin, parse_version, safe_next
from crm.imports import AccountImporter, ContactImporter
from crm.models import Account, BusinessContact, Category, HistoryItem, ListKind, ListValue, UserPreferences
from crm.permissions import OwnerRequiredMixin
from crm.resources import AccountResource, ContactResource
from crm.tables import AccountTable, ContactTable, history_rows


class MailtoRedirect(HttpResponseRedirect):
    allowed_schemes = ["http", "https", "mailto"]


# --- Record pages shared by every CRM record type -------------------------------

class CRMRecordViewSet(RecordViewSet):
    """A record type of the CRM: the generic pages plus History, E-mail and Meeting request."""

    @classmethod
    def extra_urls(cls) -> list:
        key, prefix = cls.record_type, cls.url_prefix
        return [
            path(f"{prefix}/<int:pk>/history/", RecordHistoryView.as_view(viewset=cls), name=f"{key}_history"),
            path(f"{prefix}/<int:pk>/history/new/<str:kind>/", HistoryItemCreateView.as_view(viewset=cls), name=f"{key}_history_add"),
            path(f"{prefix}/<int:pk>/email/", RecordEmailView.as_view(viewset=cls), name=f"{key}_email"),
            path(f"{prefix}/<int:pk>/meeting/", RecordMeetingView.as_view(viewset=cls), name=f"{key}_meeting"),
        ]

    @classmethod
    def list_annotations(cls, model) -> dict:
        return {**super().list_annotations(model), selectors.CATEGORY_BADGES: selectors.category_badges(model)}

    @classmethod
    def list_rows(cls, request, rows) -> list:
        return selectors.attach_categories(super().list_rows(request, rows))

    @classmethod
    def print_context(cls, request, obj) -> dict:
        return {"history": selectors.history_for_record(obj)[:20]}


class AccountViewSet(CRMRecordViewSet):
    record_type = "account"
    url_prefix = "accounts"
    queryset = Account.objects.select_related("assigned_to")
    resource = AccountResource
    importer = AccountImporter
    list_fields = ("name", "business_phone", "email", "business_city", "created", "assigned_to__username",
                   "assigned_to__first_name", "assigned_to__last_name")
    filterset = AccountFilterSet
    table = AccountTable
    form = AccountForm
    template_pane = "crm/account_pane.html"
    @classmethod
    def detail_context(cls, request, obj) -> dict:
        contacts = obj.contacts.filter(is_lead=False).order_by("file_as", "id")
        return {"related_contacts": contacts[:50], "related_contact_count": contacts.count()}

    detail_sections = [
        (_("Account"), ["name", "account_number", "office", "assigned_to", "categories"]),
        (_("Internet and phone numbers"), ["email", "email2", "email3", "web_page", "business_phone", "mobile_phone", "fax", "other_phone"]),
        (_("Addresses"), ["@address:business", "@address:billing", "@address:shipping", "mailing_address"]),
        (_("Comments"), ["comments"]),
    ]


class PersonViewSetMixin:
    """Business contacts and leads are saved with their ticked scoring criteria
    (the criteria score business contacts too) in one service call."""

    @classmethod
    def save_form(cls, request, obj, form, creating: bool) -> None:
        from crm.services import person_save

        person_save(instance=obj, user=request.user, criteria=form.cleaned_data.get("criteria") or [],
                    expected_version=None if creating else form.cleaned_data.get("version"), m2m=form.m2m_data())
        cls.save_related(request, obj, form)


class ContactViewSet(PersonViewSetMixin, CRMRecordViewSet):
    record_type = "contact"
    url_prefix = "contacts"
    queryset = BusinessContact.objects.filter(is_lead=False).select_related("assigned_to")
    list_fields = ("full_name", "file_as", "company_name", "job_title", "business_phone", "email", "business_city",
                   "created", "is_lead", "assigned_to__username", "assigned_to__first_name", "assigned_to__last_name")
    filterset = ContactFilterSet
    table = ContactTable
    resource = ContactResource
    importer = ContactImporter
    form = ContactForm
    template_pane = "crm/contact_pane.html"
    detail_sections = [
        (_("Business contact"), ["full_name", "file_as", "job_title", "company_name", "account", "assigned_to", "categories"]),
        (_("Internet and phone numbers"), ["email", "email2", "email3", "web_page", "business_phone", "mobile_phone",
                                           "home_phone", "fax", "other_phone"]),
        (_("Addresses"), ["@address:business", "@address:home", "@address:other", "mailing_address"]),
        (_("Source information"), ["source", "initiated_by_account", "initiated_by_contact"]),
        (_("Lead score"), ["@stars:score", "score_type"]),
        (_("Details"), ["department", "office", "profession", "manager_name", "assistant_name", "birthday", "anniversary"]),
        (_("Comments"), ["comments"]),
    ]

    @classmethod
    def object_queryset(cls, request):
        return BusinessContact.objects.filter(is_lead=False).select_related("account", "assigned_to", "source")



# --- Communication history -----------------------------------------------------

# What a History page shows of each item and its people (crm.tables.history_rows).
HISTORY_LIST_FIELDS = (
    "kind", "subject", "occurred_at", "direction", "duration_minutes", "phone_number", "status", "due_date",
    "location", "email_to", "file_name", "file_size",
    *(f"{person}__{name}" for person in ("author", "assigned_to") for name in ("username", "first_name", "last_name")),
)


class RecordHistoryView(ViewSetMixin, View):
    """A record's History page: its items and those rolled up into it, newest first."""

    def get(self, request, pk):
        obj = self.viewset.get_object(request, pk)
        kind = request.GET.get("kind", "")
        if kind and kind not in HistoryItem.Kind.values:
            kind = ""
        items = selectors.history_for_record(obj, kind or None).annotate(
            **{selectors.LINK_KEYS: selectors.link_keys()})
        paginator = WindowCountPaginator(items, settings.CRM_PAGE_SIZE, load=lambda rows: light_instances(
            rows, HISTORY_LIST_FIELDS, annotations=[WindowCountPaginator.TOTAL, selectors.LINK_KEYS]))
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = selectors.attach_linked_records(page.object_list, known=[obj])
        context = self.base_context(object=obj, page=page, kind=kind, kinds=HistoryItem.Kind.choices,
                                    rows=history_rows(page.object_list, obj))
        if request.htmx and request.htmx.target == "history-results":
            return render(request, "crm/history_list.html#results", context)
        return render(request, "crm/history_list.html", context)


class HistoryItemCreateView(ViewSetMixin, View):
    """New ▸ Business Note | Phone Log | Task | E-mail | Appointment | File, linked to the open record."""

    def dispatch(self, request, *args, kind, **kwargs):
        if kind not in HistoryItem.Kind.values:
            raise Http404
        self.kind = kind
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, request, obj, form):
        return render(request, "crm/history_form.html", self.base_context(
            object=obj, form=form, kind_label=HistoryItem.Kind(self.kind).label,
            cancel_url=reverse(self.viewset.rtype().url_name("history"), args=[obj.pk])))

    def get(self, request, pk):
        obj = self.viewset.get_object(request, pk)
        initial = {}
        if self.kind == HistoryItem.Kind.PHONE:
            initial["phone_number"] = getattr(obj, "business_phone", "") or getattr(obj, "mobile_phone", "")
        if self.kind == HistoryItem.Kind.EMAIL:
            initial["email_to"] = obj.primary_email()
            initial["email_from"] = request.user.email
        return self.render_form(request, obj, HistoryItemForm(kind=self.kind, user=request.user, initial=initial))

    def post(self, request, pk):
        obj = self.viewset.get_object(request, pk)
        form = HistoryItemForm(request.POST, request.FILES, kind=self.kind, user=request.user)
        if not form.is_valid():
            return self.render_form(request, obj, form)
        item = form.save(commit=False)
        item.kind = self.kind
        try:
            services.history_item_create(item=item, user=request.user, records=[obj])
        except ValidationError as error:
            add_refusal(form, error)
            return self.render_form(request, obj, form)
        messages.success(request, _("“%(item)s” was added to the history.") % {"item": item})
        return redirect(reverse(self.viewset.rtype().url_name("history"), args=[obj.pk]))


class HistoryItemMixin:
    def get_item(self, pk) -> HistoryItem:
        return get_object_or_404(HistoryItem.objects.select_related("author", "assigned_to"), pk=pk)


class HistoryItemDetailView(HistoryItemMixin, View):
    def get(self, request, pk):
        item = self.get_item(pk)
        return render(request, "crm/history_detail.html", {
            "item": item, "links": selectors.linked_records(item), "form": HistoryItemForm(instance=item, kind=item.kind),
        })


class HistoryItemEditView(HistoryItemMixin, View):
    """Edit a history item; a save over someone else's change is refused with
    the saved values shown beside what the user typed (kept on the form)."""

    def render_form(self, request, item, form, **extra):
        return render(request, "crm/history_form.html", {
            "item": item, "form": form, "kind_label": item.get_kind_display(), "cancel_url": item.get_absolute_url(),
            **extra,
        })

    def get(self, request, pk):
        item = self.get_item(pk)
        return self.render_form(request, item, HistoryItemForm(instance=item, kind=item.kind, user=request.user))

    def post(self, request, pk):
        item = self.get_item(pk)
        next_url = safe_next(request, None)  # settled before anything is saved
        form = HistoryItemForm(request.POST, request.FILES, instance=item, kind=item.kind, user=request.user)
        if not form.is_valid():
            return self.render_form(request, item, form)
        try:
            services.history_item_update(item=form.save(commit=False), user=request.user,
                                         expected_version=form.cleaned_data.get("version"))
        except services.HistoryItemConflict as conflict:
            data = request.POST.copy()
            data["version"] = conflict.current.version
            form = HistoryItemForm(data, request.FILES, instance=self.get_item(pk), kind=item.kind, user=request.user)
            form.is_valid()
            fields = [HistoryItem._meta.get_field(name) for name in form.fields if name != "version"]
            saved, yours = snapshot(conflict.current, fields), snapshot(form.instance, fields)
            differences = [(form.fields[f.name].label, saved[f.name], yours[f.name])
                           for f in fields if saved[f.name] != yours[f.name]]
            return self.render_form(request, item, form, conflict=conflict, differences=differences)
        except ValidationError as error:
            add_refusal(form, error)
            return self.render_form(request, item, form)
        messages.success(request, _("“%(item)s” was saved.") % {"item": item})
        return HttpResponseRedirect(next_url or item.get_absolute_url())


class HistoryItemDeleteView(HistoryItemMixin, View):
    def get(self, request, pk):
        item = self.get_item(pk)
        sentences = recycle.history_item_delete_sentences(item, selectors.linked_records(item))
        return render(request, "generic/delete.html", {"object": item, "cancel_url": item.get_absolute_url(),
                                                       "sentences": sentences})

    def post(self, request, pk):
        item = self.get_item(pk)
        links = selectors.linked_records(item)
        try:
            services.history_item_delete(item=item, user=request.user,
                                         expected_version=parse_version(request.POST.get("version")))
        except record_services.DomainError as error:
            messages.error(request, error.message)
            return redirect(item.get_absolute_url())
        messages.success(request, _("“%(item)s” was deleted; it can be restored from Deleted items.") % {"item": item})
        if links:
            rtype, record = links[0]
            return redirect(reverse(rtype.url_name("history"), args=[record.pk]))
        return redirect("crm:home")


class HistoryItemLinkView(HistoryItemMixin, View):
    """Link to record: attach an existing item to any record (type, then search)."""

    def types(self) -> list[str]:
        return [t.key for t in registry.linkable_types()]

    def get(self, request, pk):
        item = self.get_item(pk)
        return render(request, "crm/history_link.html", {"item": item, "form": LinkRecordForm(types=self.types())})

    def post(self, request, pk):
        item = self.get_item(pk)
        if "unlink" in request.POST:
            form = LinkRecordForm({"record": request.POST["unlink"]}, types=self.types())
            if form.is_valid():
                try:
                    services.history_unlink(item=item, record=form.cleaned_data["record"], user=request.user)
                except record_services.DomainError as error:
                    messages.error(request, error.message)
            return redirect(item.get_absolute_url())
        form = LinkRecordForm(request.POST, types=self.types())
        if not form.is_valid():
            return render(request, "crm/history_link.html", {"item": item, "form": form})
        services.history_link(item=item, record=form.cleaned_data["record"], user=request.user)
        messages.success(request, _("Linked to “%(record)s”.") % {"record": form.cleaned_data["record"]})
        return redirect(item.get_absolute_url())


class HistoryFileDownloadView(HistoryItemMixin, View):
    """Attachments are served only to signed-in users, always as a download."""

    def get(self, request, pk):
        item = self.get_item(pk)
        return serve_stored_file(item.file, download_name=item.file_name or "attachment")


class ContactPhotoView(View):
    def get(self, request, pk):
        contact = get_object_or_404(BusinessContact, pk=pk)
        return serve_stored_file(contact.photo, inline_images=True)


class RecordEmailView(ViewSetMixin, View):
    """E-mail: logs an E-mail history item, then opens the mail program (mailto:)."""

    def post(self, request, pk):
        obj = self.viewset.get_object(request, pk)
        try:
            item, url = services.history_log_email(record=obj, user=request.user)
        except record_services.DomainError as error:
            messages.error(request, error.message)
            return redirect(obj.get_absolute_url())
        return MailtoRedirect(url)


class RecordMeetingView(ViewSetMixin, View):
    """Meeting request: logs an Appointment and downloads the .ics invitation."""

    def get(self, request, pk):
        obj = self.viewset.get_object(request, pk)
        start = (timezone.localtime() + datetime.timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
        form = MeetingRequestForm(initial={"subject": _("Meeting with %(name)s") % {"name": obj.email_recipient_name()}, "start": start})
        return render(request, "crm/meeting_form.html", self.base_context(object=obj, form=form))

    def post(self, request, pk):
        obj = self.viewset.get_object(request, pk)
        form = MeetingRequestForm(request.POST)
        if not form.is_valid():
            return render(request, "crm/meeting_form.html", self.base_context(object=obj, form=form))
        data = form.cleaned_data
        try:
            item, ics = services.history_log_meeting(
                record=obj, user=request.user, subject=data["subject"], start=data["start"],
                end=data["start"] + datetime.timedelta(minutes=data["duration"]), location=data["location"], body=data["body"],
            )
        except record_services.DomainError as error:
            form.add_error(None, error.message)
            return render(request, "crm/meeting_form.html", self.base_context(object=obj, form=form))
        response = HttpResponse(ics, content_type="text/calendar; charset=utf-8; method=REQUEST")
        response["Content-Disposition"] = 'attachment; filename="invitation.ics"'
        return response


# --- The Link to dialog -------------------------------------------------------------

def link_to_types(data) -> list[str]:
    """The record types (registry keys) the field whose Link to dialog is open can link."""
    return [key for key in data.get("types", "").split(",") if key]


class LinkToSearchView(View):
    """Search results for the Link to dialog (htmx partial): by type and name."""

    def get(self, request):
        allowed = link_to_types(request.GET)
        chosen = request.GET.get("type", "")
        # The chosen type filters: one the field cannot link lists nothing (never every type).
        keys = ([chosen] if chosen in allowed else []) if chosen else allowed
        text = request.GET.get("q", "").strip()
        results = []
        for key in keys:
            try:
                rtype = registry.get(key)
            except KeyError:
                continue
            queryset = rtype.search(text) if text else rtype.queryset()
            for obj in queryset.order_by(*rtype.model._meta.ordering)[:15]:
                results.append((rtype, obj))
        return render(request, "generic/link_to.html#results", {"results": results, "multi": len(allowed) > 1})


class LinkToCreateView(View):
    """"New" in the Link to dialog: create an account or contact by name and link it.

    The response fires ``linkToCreated`` (value and name) on the page, which
    picks the new record in the field and closes the dialog (static/crm/crm.js).
    """

    # The record types "New" creates, and the record a typed name makes.
    creators = {
        "account": lambda name, user: Account(name=name, assigned_to=user),
        "contact": lambda name, user: BusinessContact(full_name=name, assigned_to=user),
    }

    def post(self, request):
        allowed = link_to_types(request.POST)
        key = request.POST.get("type", "")
        name = request.POST.get("name", "").strip()
        if key not in allowed or key not in self.creators:
            return render(request, "generic/link_to.html#new-error", {"error": _("Choose Accounts or Business Contacts first.")})
        obj = self.creators[key](name, request.user)
        try:
            record_services.record_create(instance=obj, user=request.user)
        except ValidationError as error:
            return render(request, "generic/link_to.html#new-error", {"error": " ".join(error.messages)})
        multi = len(allowed) > 1
        response = render(request, "generic/link_to.html#results",
                          {"results": [(registry.get(key), obj)], "multi": multi, "created": True})
        value = f"{key}:{obj.pk}" if multi else str(obj.pk)
        return trigger_client_event(response, "linkToCreated", {"value": value, "label": str(obj)})


# --- Customization (database owner only) --------------------------------------

class CustomizeView(OwnerRequiredMixin, TemplateView):
    template_name = "crm/customize.html"

    def get_context_data(self, **kwargs):
        counts = dict(ListValue.objects.values_list("kind").annotate(n=Count("id")))
        from crm.navigation import CUSTOMIZE

        return {"lists": [(kind, label, counts.get(kind, 0)) for kind, label in ListKind.choices],
                "entries": [(label, reverse(url_name), description) for label, url_name, description in CUSTOMIZE]}


class CustomizeListView(OwnerRequiredMixin, OrderedListView):
    """A Customize page of ordered lists: the database owner's alone."""

    breadcrumb = (gettext_lazy("Customize"), "crm:customize")


class ListValues(OrderedList):
    """The values of one customizable list; deleting one asks for a replacement."""

    key = "value"
    form_class = ListValueForm
    edit_label = gettext_lazy("Rename")
    empty_text = gettext_lazy("The list is empty.")
    delete_url_name = "crm:list_value_delete"

    def __init__(self, kind: str):
        self.kind = kind

    def get_queryset(self):
        return selectors.list_values(self.kind)

    def new_instance(self, parent):
        return ListValue(kind=self.kind)

    def save(self, form, *, creating):
        name = form.cleaned_data["name"]
        if creating:
            services.list_value_create(kind=self.kind, name=name)
            return _("“%(name)s” was added.") % {"name": name}
        services.list_value_rename(value=form.instance, name=name)
        return ""

    def move(self, item, offset):
        services.list_value_move(value=item, offset=offset)


class ListEditView(CustomizeListView):
    """"Edit this list": add, rename, move and delete the values of one list."""

    intro = gettext_lazy("Renaming a value changes it on every record that uses it. "
                         "Deleting a value that is in use asks for a replacement.")

    def dispatch(self, request, kind, *args, **kwargs):
        if kind not in ListKind.values:
            raise Http404
        self.kind, label = kind, ListKind(kind).label
        self.title = f"{_('Edit this list')}: {label}"
        self.heading = _("Edit the list “%(name)s”") % {"name": label}
        return super().dispatch(request, *args, **kwargs)

    def get_lists(self):
        return [ListValues(self.kind)]


class ListValueDeleteView(OwnerRequiredMixin, OrderedDeleteView):
    """Deleting a value in use asks for a replacement (or blank)."""

    queryset = ListValue.objects.all()
    template_name = "crm/list_value_delete.html"

    def get_form(self, item, data=None):
        return ListValueDeleteForm(data, value=item)

    def get_context_data(self, item):
        return {"usage": selectors.list_value_usage(item)}

    def list_url(self, item):
        return reverse("crm:list_edit", args=[item.kind])

    def delete(self, item, form, user):
        changed = services.list_value_delete(value=item, replacement=form.cleaned_data["replacement"], user=user)
        return ngettext("“%(name)s” was deleted; %(count)d record changed.",
                        "“%(name)s” was deleted; %(count)d records changed.", changed) % {"name": item.name, "count": changed}


class Categories(OrderedList):
    """Categories, in the order of their names; deleting one takes it off its records at once."""

    key = "category"
    form_class = CategoryForm
    queryset = Category.objects.all()
    movable = False
    column_classes = {"colour": "col-shrink"}   # a swatch
    empty_text = gettext_lazy("No categories yet.")
    add_heading = gettext_lazy("New category")

    def save(self, form, *, creating):
        services.category_save(category=form.save(commit=False))
        return _("“%(name)s” was saved.") % {"name": form.instance}

    def delete(self, item, user):
        services.category_delete(category=item, user=user)
        return _("“%(name)s” was deleted.") % {"name": item}


class CategoryListView(CustomizeListView):
    lists = [Categories()]
    title = gettext_lazy("Categories")


class SignInLocksView(OwnerRequiredMixin, View):
    """Customize ▸ Sign-in locks: the accounts and addresses locked out after
    too many failed sign-ins, each with an Unlock button."""

    def get(self, request):
        from crm.signin import lock_minutes

        return render(request, "crm/signin_locks.html", {
            "locks": selectors.signin_locks(), "limit": settings.AXES_FAILURE_LIMIT, "minutes": lock_minutes(),
        })

    def post(self, request):
        username, address = request.POST.get("username", "").strip(), request.POST.get("ip_address", "").strip()
        try:
            services.signin_unlock(username=username, ip_address=address)
        except record_services.DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Sign-in is unlocked for the account “%(name)s”.") % {"name": username} if username
                             else _("Sign-in is unlocked for the address %(address)s.") % {"address": address})
        return redirect("crm:signin_locks")


# --- Home and preferences ---------------------------------------------------

class HomeView(TemplateView):
    """The dashboard: my open tasks, my newest contacts, recent history."""

    template_name = "crm/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        today = timezone.localdate()
        tasks = (HistoryItem.objects.filter(kind=HistoryItem.Kind.TASK, assigned_to=user)
                 .exclude(status=HistoryItem.TaskStatus.COMPLETED).order_by("due_date", "id")[:10])
        return {
            "today": today,
            "tasks": tasks,
            "contacts": BusinessContact.objects.filter(is_lead=False).order_by("-created", "-id")[:8],
            "recent": HistoryItem.objects.select_related("author").order_by("-occurred_at", "-id")[:10],
        }


class PreferencesView(View):
    def get(self, request):
        # Reading never writes: a user without saved preferences sees the defaults.
        prefs = UserPreferences.objects.filter(user=request.user).first() or UserPreferences(user=request.user)
        return render(request, "crm/preferences.html", {"form": PreferencesForm(instance=prefs)})

    def post(self, request):
        prefs, _created = UserPreferences.objects.get_or_create(user=request.user)
        form = PreferencesForm(request.POST, instance=prefs)
        if not form.is_valid():
            return render(request, "crm/preferences.html", {"form": form})
        form.save()
        # The language middleware reads the choice from the session.
        request.session["crm_language"] = prefs.language
        if prefs.language:
            translation.activate(prefs.language)
        messages.success(request, _("Your preferences were saved."))
        return redirect("crm:preferences")
