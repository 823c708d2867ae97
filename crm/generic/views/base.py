"""What every page of a ``RecordViewSet`` shares: ``ViewSetMixin`` (the view
set the page serves, its common context) and ``RecordMoved``."""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404, HttpResponseRedirect

if TYPE_CHECKING:
    from .viewset import RecordViewSet


class RecordMoved(Http404):
    """The record is now of another type (see ``RecordViewSet.get_object``); its page is at ``url``.
    A 404 wherever it is not turned into the redirect."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


class ViewSetMixin:
    viewset: type[RecordViewSet] = None

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except RecordMoved as moved:
            return HttpResponseRedirect(moved.url)

    def base_context(self, **extra) -> dict:
        rtype = self.viewset.rtype()
        return {"viewset": self.viewset, "rtype": rtype, "list_url": self.viewset.url("list"),
                "add_url": self.viewset.url("add"), **extra}
