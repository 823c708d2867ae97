"""The report pages: one set of views serves every registered report —
the workspace's list of reports and saved reports, a report with its
options, its chart and table, its PDF, CSV and Excel files, and saving."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View

from crm import navigation as nav
from crm.generic.counts import one_version
from crm.generic.exports import csv_response, escape_formula, xlsx_response
from crm.generic.pdf import pdf_response, render_pdf

from . import charts, registry, selectors, services
from .base import Report
from .forms import SaveReportForm
from .models import SavedReport


def _report_class(workspace: str, code: str) -> type[Report]:
    report = registry.get(code)
    if report is None or report.workspace != workspace:
        raise Http404(_("There is no such report."))
    return report


def _query(report: Report) -> str:
    """The report's options as a query string (for the PDF and file links, and saving)."""
    return urlencode([(key, value) for key, values in report.saved_options().items() for value in values])


def _workspace(key: str):
    workspace = nav.workspace(key)
    if workspace is None:
        raise Http404(_("There is no such workspace."))
    return workspace


class ReportIndexView(View):
    """The reports of one workspace (or of all), and the saved reports the user may open."""

    def get(self, request, workspace: str | None = None):
        workspaces = [_workspace(workspace)] if workspace else [w for w in nav.WORKSPACES
                                                                  if registry.for_workspace(w.key)]
        request.crm_workspace, request.crm_tab = workspace, f"reports:{workspace}"
        saved = list(selectors.saved_reports_for(request.user, workspace))
        sections = [(w, registry.for_workspace(w.key), [s for s in saved if s.workspace == w.key]) for w in workspaces]
        return render(request, "reports/index.html", {"sections": sections, "workspace": workspace})


def _render(request, report: Report, saved: SavedReport | None = None, notices=(), save_form=None, change_form=None,
            status=None):
    """The report page (or, for htmx, its results) for options already checked.
    Its filter choices and groupings' reference lists come from the cache under
    one read of the data version (crm.generic.counts.one_version)."""
    with one_version():
        return _render_page(request, report, saved, notices, save_form, change_form, status)


def _render_page(request, report: Report, saved, notices, save_form, change_form, status):
    valid = report.is_valid()
    result = report.compute() if valid else None
    title = saved.name if saved else str(report.title)
    request.crm_workspace, request.crm_tab = report.workspace, f"reports:{report.workspace}"
    context = {
        "report": report, "result": result, "title": title, "saved": saved, "notices": notices,
        "errors": [] if valid else report.errors(),
        "chart": charts.chart_svg(result, str(report.title)) if result else None,
        "query": _query(report),
        "save_form": save_form or SaveReportForm(),
        "change_form": change_form,
        "saved_reports": selectors.saved_reports_for(request.user, report.workspace),
        "may_change": saved is not None and services.may_change(saved, request.user),
        "may_delete": saved is not None and services.may_delete(saved, request.user),
    }
    # A report asked with options it cannot use says which, as a 400 (never a 500).
    status = status or (200 if valid else 400)
    template = "reports/report.html#results" if request.htmx and not request.htmx.boosted else "reports/report.html"
    return render(request, template, context, status=status)


class ReportView(View):
    def get(self, request, workspace: str, code: str):
        return _render(request, _report_class(workspace, code)(request.GET, request))


def _saved_report(request, pk: int) -> tuple[SavedReport, Report, list[str]]:
    """A saved report with its options — or the URL's, when the user changed
    them on its page. An option that no longer applies (a user gone, a column
    removed) is left out, and the page says so."""
    saved = get_object_or_404(selectors.saved_reports_for(request.user), pk=pk)
    report_class = registry.get(saved.report)
    if report_class is None:
        raise Http404(_("There is no such report."))
    if request.GET:
        return saved, report_class(request.GET, request), []
    report = report_class(saved.options, request)
    notices = []
    if not report.is_valid():
        dropped = report.invalid_option_names()
        labels = _option_labels(report, dropped)
        report = report_class({k: v for k, v in saved.options.items() if k not in dropped}, request)
        if not report.is_valid():  # what is left does not make a report: its defaults do
            report = report_class({}, request)
        notices.append(_("These saved options no longer apply and were left out: %(options)s.")
                       % {"options": ", ".join(labels)})
    return saved, report, notices


def _option_labels(report: Report, names: list[str]) -> list[str]:
    labels = []
    for name in names:
        field = report.form.fields.get(name)
        if field is None and report.filterset is not None and name in report.filterset.filters:
            field = report.filterset.form.fields.get(name)
        labels.append(str(field.label) if field is not None and field.label else name)
    return labels


class SavedReportView(View):
    def get(self, request, pk: int):
        saved, report, notices = _saved_report(request, pk)
        return _render(request, report, saved, notices)


class ReportFileView(View):
    """The report's table as CSV or Excel (numbers and dates as typed cells), or as a PDF with its chart."""

    def get(self, request, workspace: str, code: str, output: str):
        # "title" names the file and heads the PDF (a saved report's name); it is no option of the report.
        options = request.GET.copy()
        options.pop("title", None)
        with one_version():
            return self._file(request, _report_class(workspace, code)(options, request), output)

    def _file(self, request, report: Report, output: str):
        if not report.is_valid():
            return _render(request, report)
        result = report.compute()
        title = request.GET.get("title") or str(report.title)
        filename = slugify(title) or "report"
        if output == "pdf":
            context = {"report": report, "result": result, "title": title,
                       "chart": charts.chart_svg(result, str(report.title)), "printed": timezone.now(),
                       "summary": option_summary(report)}
            return pdf_response(render_pdf("reports/report_print.html", context, request), title)
        rows = table_rows(result, typed=output == "xlsx")
        if output == "xlsx":
            return xlsx_response(rows, filename, title)
        return csv_response([rows], filename)


def table_rows(result, typed: bool) -> list[list]:
    """Header, groups and total as spreadsheet rows: numbers stay numbers in Excel."""
    rows = [[result.group_label, *[c.label for c in result.columns]]]
    for row in [*result.rows, *([result.total] if result.total else [])]:
        first = row.typed if typed and row.typed is not None else row.label
        values = [c.value if typed else ("" if c.value is None else str(c.value)) for c in row.cells]
        rows.append([escape_formula(first) if isinstance(first, str) else first, *values])
    return rows


def option_summary(report: Report) -> list[tuple[str, str]]:
    """The options in words, for the printed report: (label, value)."""
    summary = []
    data = report.options
    start, end = report.period()
    if report.date_field and (start or end):
        shown = " – ".join(d.isoformat() if d else "…" for d in (start, end))
        summary.append((str(report.date_label), shown))
    group = report.dimension(data.get("group"))
    summary.append((_("Group by"), str(group.label)))
    then = report.dimension(data.get("then_by") or None)
    if then:
        summary.append((_("Then by"), str(then.label)))
    if report.filterset is not None:
        form = report.filterset.form
        for name, value in report.filterset.form.cleaned_data.items():
            if value in (None, "", [], False) or name not in form.fields:
                continue
            field = form.fields[name]
            shown = ", ".join(str(v) for v in value) if hasattr(value, "__iter__") and not isinstance(value, str) else (
                dict(field.choices).get(value, value) if hasattr(field, "choices") else value)
            summary.append((str(field.label or name), str(shown)))
    return summary


class SaveReportView(View):
    """Save as: the report's current options under a name, private or shared."""

    def post(self, request, workspace: str, code: str):
        report_class = _report_class(workspace, code)
        report = report_class(_options_from(request), request)
        form = SaveReportForm(request.POST)
        if not report.is_valid():
            return _render(request, report, save_form=form)
        if form.is_valid():
            try:
                saved = services.saved_report_create(user=request.user, report=code, name=form.cleaned_data["name"],
                                                     options=report.saved_options(), shared=form.cleaned_data["shared"])
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("The report “%(name)s” was saved.") % {"name": saved.name})
                return HttpResponseRedirect(saved.get_absolute_url())
        return _render(request, report, save_form=form, status=400)


def _options_from(request):
    """The options a Save form carries (the report's query string, in a hidden field)."""
    from django.http import QueryDict

    return QueryDict(request.POST.get("options", ""))


def _form_errors(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


class SavedReportChangeView(View):
    """Rename or share, or keep the page's current options: the owner of the saved report only."""

    def post(self, request, pk: int):
        saved = get_object_or_404(selectors.saved_reports_for(request.user), pk=pk)
        report_class = registry.get(saved.report)
        if report_class is None:
            raise Http404(_("There is no such report."))
        form = SaveReportForm(request.POST)
        report = report_class(_options_from(request) if "options" in request.POST else saved.options, request)
        if not services.may_change(saved, request.user):
            messages.error(request, _("Only the person who saved this report may change it."))
            return HttpResponseRedirect(saved.get_absolute_url())
        if form.is_valid() and report.is_valid():
            try:
                services.saved_report_update(saved=saved, user=request.user, name=form.cleaned_data["name"],
                                             shared=form.cleaned_data["shared"], options=report.saved_options())
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("The report “%(name)s” was saved.") % {"name": saved.name})
                return HttpResponseRedirect(saved.get_absolute_url())
        saved.refresh_from_db()
        return _render(request, report, saved, change_form=form, status=400)


class SavedReportDeleteView(View):
    def post(self, request, pk: int):
        saved = get_object_or_404(selectors.saved_reports_for(request.user), pk=pk)
        workspace = saved.workspace
        try:
            services.saved_report_delete(saved=saved, user=request.user)
        except services.SavedReportRefused as refused:
            messages.error(request, str(refused))
            return HttpResponseRedirect(saved.get_absolute_url())
        messages.success(request, _("The saved report “%(name)s” was deleted.") % {"name": saved.name})
        return HttpResponseRedirect(reverse(f"reports:{workspace}"))
