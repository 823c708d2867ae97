from django.utils.functional import SimpleLazyObject

from crm import navigation as nav
from crm import reminders
from crm.generic import registry
from crm.models import HistoryItem
from crm.permissions import is_owner


def navigation(request) -> dict:
    """Workspaces, the active tab, and whether the user may customize."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    workspace, tab = nav.active(match.url_name if match and match.url_name else "")
    deleted_items = bool(match and match.url_name == "deleted_items")
    if deleted_items:
        workspace = nav.workspace(match.kwargs.get("workspace", ""))
    # A page shared by the workspaces (a report) says which workspace and tab it is under.
    page_workspace = getattr(request, "crm_workspace", None)
    if page_workspace:
        workspace, tab = nav.workspace(page_workspace), nav.tab(page_workspace, getattr(request, "crm_tab", ""))
    return {
        "nav_workspaces": nav.WORKSPACES,
        "nav_workspace": workspace,
        "nav_tab": tab,
        "nav_deleted_items": deleted_items,
        # The menu only; owner pages check the database themselves.
        "is_owner": request.session["crm_owner_menu"] if "crm_owner_menu" in request.session else is_owner(request.user),
        "link_to_types": registry.linkable_types(),
        "history_kinds": HistoryItem.Kind.choices,
        # The navigation bar's count of due reminders: one query, run only where a page draws it.
        "reminder_badge": SimpleLazyObject(lambda: reminders.badge(request.user)),
    }
