"""The dashboard's report panels: my pipeline (funnel), my forecast for the
next three months, and for the database owner the team's figures. Each is
its report run with the user's options, linking to that report."""
from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode

from crm.permissions import is_owner

from . import charts, registry


def _run(request, code: str, options: dict) -> dict | None:
    report_class = registry.get(code)
    report = report_class(options, request)
    if not report.is_valid():  # e.g. a deactivated user has no "Assigned to" choice
        return None
    result = report.compute()
    query = urlencode([(k, v) for k, values in report.saved_options().items() for v in values])
    link = reverse("reports:report", kwargs={"workspace": report.workspace, "code": code}) + f"?{query}"
    pairs = list(zip(result.columns, result.total.cells)) if result.total else []
    # A pivot's total row is one figure per column group: the panel says the grand total only.
    summary = pairs[-1:] if result.series else pairs
    return {"result": result, "chart": charts.chart_svg(result, str(report.title)), "link": link, "summary": summary}


def my_pipeline(request) -> dict | None:
    return _run(request, "pipeline-by-stage", {
        "group": "stage", "sort": "group", "columns": ["count", "total", "expected"],
        "assigned_to": str(request.user.pk)})


def my_forecast(request) -> dict | None:
    return _run(request, "forecast-by-month", {
        "group": "close_date_month", "then_by": "stage", "sort": "group", "columns": ["expected"],
        "period": "next_3_months", "assigned_to": str(request.user.pk)})


def team_figures(request) -> dict | None:
    """The owner's view of the team: this quarter's opportunities by person."""
    if not is_owner(request.user):
        return None
    figures = _run(request, "opportunities-by-assigned-to", {
        "group": "assigned_to", "sort": "total", "descending": "on", "period": "this_quarter",
        "columns": ["count", "total", "won_value", "win_rate"]})
    return figures and {**figures, "show_table": True}
