"""Sections other apps add to a record type's reading pane and detail page.

A record type's page shows its own fields (``RecordViewSet.detail_sections``)
and what its template adds (an account's business contacts); an app built on
it adds a section of its own without the base knowing the app: in its
``AppConfig.ready`` ::

    panes.register_pane_section("account", "sales/includes/related_opportunities.html",
                                context=lambda request, obj: {...}, order=100)

``generic/detail_pane.html`` draws the sections registered for the record
type's key after its own, in ``order`` (then in the order they were
registered), each template with the page's context plus what ``context``
returns (``{% pane_sections %}``, crm/templatetags/crm.py).

An app adds a button to the record's page and reading pane the same way
(``register_button``): the projects app's "Create project" on an opportunity ::

    panes.register_button("opportunity", _("Create project"),
                          url=lambda obj: reverse("projects:opportunity_create_project", args=[obj.pk]),
                          icon="kanban")

``generic/includes/record_header.html`` draws them among the record's actions
and ``generic/detail_pane.html`` beside the pane's Open button
(``{% record_buttons %}``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.http import HttpRequest

SectionContext = Callable[[HttpRequest, models.Model], dict]
ButtonURL = Callable[[models.Model], str]
ButtonShown = Callable[[HttpRequest, models.Model], bool]


@dataclass(frozen=True)
class PaneSection:
    template_name: str
    context: SectionContext | None = None
    order: int = 100

    def context_for(self, request: HttpRequest, obj: models.Model) -> dict:
        return self.context(request, obj) if self.context is not None else {}


_sections: dict[str, list[PaneSection]] = {}


def register_pane_section(record_type: str, template_name: str, *, context: SectionContext | None = None,
                          order: int = 100) -> PaneSection:
    """Add ``template_name`` to the pane of the record type ``record_type``
    (a ``crm.generic.registry`` key). Registering a template again replaces it."""
    section = PaneSection(template_name=template_name, context=context, order=order)
    sections = [s for s in _sections.get(record_type, []) if s.template_name != template_name]
    sections.append(section)
    # A stable sort: equal orders keep the order they were registered in.
    _sections[record_type] = sorted(sections, key=lambda s: s.order)
    return section


def pane_sections(record_type: str) -> list[PaneSection]:
    """The sections registered for ``record_type``, in the order they are drawn."""
    return list(_sections.get(record_type, ()))


@dataclass(frozen=True)
class PaneButton:
    """A link to another app's page about the record, shown as a button."""

    label: str
    url: ButtonURL
    icon: str = ""
    shown: ButtonShown | None = None
    order: int = 100


_buttons: dict[str, list[PaneButton]] = {}


def register_button(record_type: str, label, *, url: ButtonURL, icon: str = "", shown: ButtonShown | None = None,
                    order: int = 100) -> PaneButton:
    """Add a button to the page and reading pane of the record type
    ``record_type``: ``label`` (translatable), ``url(obj)`` the page it opens,
    a Bootstrap icon name, ``shown(request, obj)`` whether this person sees it
    on this record (always without it). Registering a label again replaces it."""
    button = PaneButton(label=label, url=url, icon=icon, shown=shown, order=order)
    buttons = [b for b in _buttons.get(record_type, []) if str(b.label) != str(label)]
    buttons.append(button)
    _buttons[record_type] = sorted(buttons, key=lambda b: b.order)
    return button


def record_buttons(request: HttpRequest, record_type: str, obj: models.Model) -> list[dict]:
    """The buttons registered for ``record_type`` that this request sees on
    ``obj``, as the record header draws its own (label, icon, url)."""
    return [{"label": b.label, "icon": b.icon, "url": b.url(obj)} for b in _buttons.get(record_type, ())
            if b.shown is None or b.shown(request, obj)]
