"""Reads of the reports app."""
from django.db.models import Q, QuerySet

from .models import SavedReport


def saved_reports_for(user, workspace: str | None = None) -> QuerySet:
    """The saved reports ``user`` may open: their own and the shared ones."""
    saved = SavedReport.objects.filter(Q(owner=user) | Q(shared=True)).select_related("owner")
    if workspace:
        saved = saved.filter(workspace=workspace)
    return saved.order_by("name", "id")
