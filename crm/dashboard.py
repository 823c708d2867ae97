"""The dashboard (home page) is made of panels the apps register, so crm —
which knows no other app — draws the reminders, the pipeline, the newest
leads and the overdue tasks of apps built on it. In an app's ``ready()``::

    dashboard.register_panel(dashboard.Panel(
        key="newest_leads", title=_("Newest leads assigned to me"),
        template="leads/includes/dashboard_leads.html", context=newest_leads, order=40))

``context(request)`` returns the template's context, or None to leave the
panel out (e.g. a panel for database owners only); ``link`` is where the
panel's title leads (its list or report), from the same context as
``context["link"]``. Panels are drawn in ``order``, each ``width`` wide.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Panel:
    key: str
    title: Any
    template: str
    context: Callable[[HttpRequest], dict | None]
    order: int = 100
    width: str = "col-lg-6"


_PANELS: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    _PANELS[panel.key] = panel


def panels() -> list[Panel]:
    return sorted(_PANELS.values(), key=lambda p: p.order)


@dataclass
class DrawnPanel:
    panel: Panel
    html: SafeString
    link: str | None


def draw(request: HttpRequest) -> list[DrawnPanel]:
    """Each panel this user sees, drawn with its template."""
    drawn = []
    for panel in panels():
        context = panel.context(request)
        if context is None:
            continue
        html = render_to_string(panel.template, {**context, "panel": panel}, request=request)
        drawn.append(DrawnPanel(panel, mark_safe(html), context.get("link")))
    return drawn
