"""The reports, by code and by workspace. A report module registers its
classes with ``register``; the reports app imports ``reports.definitions``
once, when it is ready."""
from __future__ import annotations

from .base import Report

_REPORTS: dict[str, type[Report]] = {}


def register(report: type[Report]) -> type[Report]:
    """Class decorator: make ``report`` available at /reports/<code>/."""
    if report.code in _REPORTS and _REPORTS[report.code] is not report:
        raise ValueError(f"Two reports have the code {report.code!r}.")
    _REPORTS[report.code] = report
    return report


def get(code: str) -> type[Report] | None:
    return _REPORTS.get(code)


def for_workspace(workspace: str) -> list[type[Report]]:
    """The workspace's reports, in the order they were registered."""
    return [report for report in _REPORTS.values() if report.workspace == workspace]


def all_reports() -> list[type[Report]]:
    return list(_REPORTS.values())
