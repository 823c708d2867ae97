"""Communication history: a record's History page, New ▸ Business Note | Phone
Log | Task | E-mail | Appointment | File, an item's own pages (detail, edit,
delete, Link to record, its attachment), and the E-mail and Meeting request
buttons of a record, which log an item."""
from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from crm import selectors, services
from crm.forms import HistoryItemForm, LinkRecordForm, MeetingRequestForm
from crm.generic import recycle, registry
from crm.generic import services as record_services
from crm.generic.files import serve_stored_file
from crm.generic.forms import add_refusal
from crm.generic.pagination import WindowCountPaginator
from crm.generic.rows import light_instances
from crm.generic.services import snapshot
from crm.generic.views import ViewSetMixin, parse_version, safe_next
from crm.models import HistoryItem
from crm.tables import history_rows


class MailtoRedirect(HttpResponseRedirect):
    allowed_schemes = ["http", "https", "mailto"]


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
