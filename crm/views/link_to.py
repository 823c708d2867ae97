"""The Link to dialog of record forms: its search results and its "New" button."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View
from django_htmx.http import trigger_client_event

from crm.generic import registry
from crm.generic import services as record_services
from crm.models import Account, BusinessContact


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
