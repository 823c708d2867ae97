"""The four workspaces and their tabs. Apps add their tabs with ``add_tab``."""
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass
class Tab:
    label: str
    url_name: str
    record_types: tuple[str, ...] = ()  # URL-name prefixes that belong to this tab

    @property
    def url(self) -> str:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return ""


@dataclass
class Workspace:
    key: str
    label: str
    icon: str
    tabs: list[Tab] = field(default_factory=list)

    @property
    def record_types(self) -> tuple[str, ...]:
        """The registered record types of its tabs; its Deleted items page lists theirs."""
        from crm.generic import registry

        registered = {t.key for t in registry.all_types()}
        return tuple(key for tab in self.tabs for key in tab.record_types if key in registered)

    @property
    def deleted_items_url(self) -> str:
        return reverse("crm:deleted_items", kwargs={"workspace": self.key}) if self.record_types else ""


WORKSPACES = [
    Workspace("contacts", _("Contact Management"), "person-rolodex", [
        Tab(_("Accounts"), "crm:account_list", ("account",)),
        Tab(_("Business Contacts"), "crm:contact_list", ("contact",)),
    ]),
    Workspace("sales", _("Sales"), "graph-up-arrow"),
    Workspace("marketing", _("Marketing"), "megaphone"),
    Workspace("projects", _("Project Management"), "kanban"),
]


# Entries of the owner's Customize page: (label, URL name, description).
CUSTOMIZE: list[tuple[str, str, str]] = [
    (_("Categories"), "crm:categories", _("Names and colours of the categories records can carry.")),
    (_("Sign-in locks"), "crm:signin_locks",
     _("Accounts and addresses locked out after too many failed sign-ins; unlock them here.")),
    (_("Lead scoring criteria"), "crm:criteria", _("What makes a good lead, and how much each criterion weighs.")),
]


def add_customize_entry(label, url_name: str, description) -> None:
    CUSTOMIZE.append((label, url_name, description))


def add_tab(workspace: str, tab: Tab) -> None:
    next(w for w in WORKSPACES if w.key == workspace).tabs.append(tab)


def tab(key: str, url_name: str) -> Tab | None:
    """The tab of workspace ``key`` whose page is ``url_name``."""
    found = workspace(key)
    return next((t for t in found.tabs if t.url_name == url_name), None) if found else None


def workspace(key: str) -> Workspace | None:
    return next((w for w in WORKSPACES if w.key == key), None)


def active(url_name: str) -> tuple[Workspace | None, Tab | None]:
    """The workspace and tab a page belongs to, from its URL name ("account_detail" → Accounts).
    The longest matching record type wins: "project_task_list" is a page of
    project tasks, not of projects ("project")."""
    best, length = (None, None), -1
    for workspace in WORKSPACES:
        for tab in workspace.tabs:
            for key in tab.record_types:
                if (url_name == key or url_name.startswith(f"{key}_")) and len(key) > length:
                    best, length = (workspace, tab), len(key)
    return best
