"""The Deleted items page of each workspace (its recycle bin) and Restore."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.validators import MaxLengthValidator
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy
from django.views import View

from .. import recycle, registry, services
from ..filtersets import MAX_FILTER_TEXT
from ..params import safe_next


class DeletedItemsView(View):
    """Deleted items of one workspace: the records of its types and the history
    items deleted from them in the last ``CRM_DELETED_ITEMS_DAYS`` days — what,
    who deleted it, when, what went with it — newest first, with search, a type
    filter and sortable columns, and a Restore button (a POST) where the user
    may restore. A record type in a workspace's tabs is listed here by itself."""

    # Sort key → (column label, field).
    SORTS = {"type": (gettext_lazy("Type"), "record_type"), "name": (gettext_lazy("Name"), "text"),
             "deleted_by": (gettext_lazy("Deleted by"), "deleted_by_name"), "deleted": (gettext_lazy("Deleted"), "deleted_at")}

    def get(self, request, workspace):
        from crm import navigation
        from crm.models import DeletedItem
        from crm.permissions import is_owner

        space = navigation.workspace(workspace)
        keys = space.record_types if space else ()
        if not keys:
            raise Http404
        types = [(key, str(registry.get(key).verbose_name_plural)) for key in keys]
        types.append((DeletedItem.HISTORY_ITEM, str(_("History items"))))
        in_scope = models.Q()
        for key in keys:
            in_scope |= models.Q(scope__contains=f" {key} ")
        items = DeletedItem.objects.filter(in_scope, deleted_at__gte=recycle.cutoff()).defer("payload")
        chosen_type = request.GET.get("type", "")
        if chosen_type in dict(types):
            items = items.filter(record_type=chosen_type)
        text = request.GET.get("q", "").strip()
        try:
            MaxLengthValidator(MAX_FILTER_TEXT)(text)   # as the lists' search box (SQLite refuses huge LIKE patterns)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            text = ""
        if "\x00" in text:
            items = items.none()   # no name holds a NUL (and PostgreSQL cannot compare one)
        elif text:
            items = items.filter(text__icontains=text)
        mine = request.GET.get("mine") == "1"
        if mine and not is_owner(request.user):
            items = items.filter(assignee=request.user)
        sort = request.GET.get("sort", "")
        if sort.lstrip("-") not in self.SORTS:
            sort = "-deleted"
        field_name = self.SORTS[sort.lstrip("-")][1]
        descending = sort.startswith("-")
        ordering = [f"-{field_name}" if descending else field_name, "-id" if descending else "id"]
        paginator = Paginator(items.order_by(*ordering), settings.CRM_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        columns = [{"label": label, "next": f"-{key}" if sort == key else key,
                    "sorted": "desc" if sort == f"-{key}" else ("asc" if sort == key else "")}
                   for key, (label, _field) in self.SORTS.items()]
        rows = [{"item": item, "type": recycle.type_label(item), "details": recycle.item_details(item),
                 "until": item.restorable_until, "may_restore": services.may_restore(item, request.user),
                 "restore_url": registry.pk_url("crm:deleted_item_restore", item.pk)} for item in page.object_list]
        context = {
            "workspace": space, "types": types, "chosen_type": chosen_type, "q": text, "mine": mine, "sort": sort,
            "columns": columns, "rows": rows, "page": page,
            "restore_sentence": recycle.restore_sentence(), "days": recycle.keep_days(),
        }
        if request.htmx and request.htmx.target == "results":
            return render(request, "generic/deleted_items.html#results", context)
        return render(request, "generic/deleted_items.html", context)


class DeletedItemRestoreView(View):
    """Restore a deleted record or history item (a POST; the database owner or
    the record's assignee, others get 403), then open it, with what could not
    come back said in warnings."""

    def post(self, request, pk):
        from crm.models import DeletedItem

        item = get_object_or_404(DeletedItem.objects.defer("payload"), pk=pk)
        if not services.may_restore(item, request.user):
            raise PermissionDenied
        try:
            restored = services.deleted_item_restore(item=item, user=request.user)
        except services.DomainError as error:
            messages.error(request, error.message)
            return redirect(safe_next(request, reverse("crm:home")))
        messages.success(request, _("“%(name)s” was restored.") % {"name": restored.obj})
        for note in restored.notes:
            messages.warning(request, note)
        try:
            return redirect(registry.record_url(restored.obj))
        except LookupError:  # a history item
            return redirect(restored.obj.get_absolute_url())
