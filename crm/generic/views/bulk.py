"""Bulk actions on the selected records of a list (and a record's own action buttons)."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from .. import services
from ..params import safe_next
from .base import ViewSetMixin
from .lists import selected_queryset


class BulkActionView(ViewSetMixin, View):
    """Runs one bulk action on the selected records.

    The selection is either ticked primary keys (``pk``) or "all matching the
    filter" (``select_all`` with the list's filter in ``filter_query``). The
    first request shows the action's form/confirmation; a POST with ``_apply``
    (and the CSRF token) runs it. A GET only ever shows the confirmation: a
    link, a prefetch or a cross-site navigation must not change data.
    A single record's Assign to / Categorize / Mark closed buttons use this view too.
    """

    def get_action(self, request, name):
        for action in self.viewset.get_actions():
            if action.name == name:
                if not action.allowed(request.user):
                    raise PermissionDenied
                return action
        raise Http404

    def handle(self, request, action_name, data, *, apply: bool):
        action = self.get_action(request, action_name)
        queryset, pks, filter_query = selected_queryset(self.viewset, request, data)
        count = queryset.count()
        back = safe_next(request, f"{self.viewset.url('list')}?{filter_query}" if filter_query else self.viewset.url("list"))
        if not count:
            messages.warning(request, _("Select at least one record first."))
            return HttpResponseRedirect(back)
        if request.htmx and request.htmx.target == "bulk-value":
            # The bulk-edit field was changed: show the matching value input.
            form = action.get_form(self.viewset, None, user=request.user, initial=data.dict())
            return render(request, "generic/bulk_action.html#form-fields", {"form": form})
        form = action.get_form(self.viewset, data if apply else None, user=request.user)
        if apply and (form is None or form.is_valid()):
            try:
                with transaction.atomic():
                    message = action.run(queryset, request.user, form)
            except services.BulkValidationError as error:
                return self.render_page(request, action, form, count, pks, data, back, error=error)
            except services.DomainError as error:
                return self.render_page(request, action, form, count, pks, data, back, error=error)
            messages.success(request, message)
            return HttpResponseRedirect(back)
        return self.render_page(request, action, form, count, pks, data, back)

    def render_page(self, request, action, form, count, pks, data, back, error=None):
        queryset = selected_queryset(self.viewset, request, data)[0]
        context = self.base_context(
            action=action, form=form, count=count, pks=pks, select_all=data.get("select_all") == "1",
            filter_query=data.get("filter_query", ""), next=back, error=error,
            sample=list(queryset[:10]), effect=action.effect(queryset),
        )
        return render(request, "generic/bulk_action.html", context)

    def get(self, request, action):
        # Never applies, whatever the query says (README ▸ Security).
        return self.handle(request, action, request.GET, apply=False)

    def post(self, request, action):
        return self.handle(request, action, request.POST, apply="_apply" in request.POST)
