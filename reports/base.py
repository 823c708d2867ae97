"""The report machinery: a report is a class that names its records, the
groupings and figures it offers, its filters and its chart; one ``compute``
turns the options a user chose into a ``ReportResult`` with one aggregate
query (plus one for the total row, and one for a grouping's full list of
groups, such as every open sales stage, where it has one).

A report's filters are its record list's own filter set, so each figure links
to that list with the same parameters (and the group's own), and the list
shows exactly the records the figure counts.

A new report is one subclass of ``Report`` in ``reports/definitions/`` and a
``registry.register`` line; nothing else changes.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable, ClassVar

from django import forms
from django.db.models import Count, F, QuerySet, Sum
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext, gettext_lazy as _

from crm.generic.filtersets import style_widgets

from . import periods

LIMIT_CHOICES = [("10", "10"), ("25", "25"), ("50", "50"), ("100", "100"), ("all", _("All"))]
KINDS = ("count", "money", "percent", "number")


@dataclass(frozen=True)
class Dimension:
    """One way to group a report's records ("Sales stage", "Close month").

    ``values`` are the fields the aggregate query groups by (the first is the
    group's key); ``annotate`` adds expressions they name (a month of a
    date); ``labels(model)`` gives what a group's name needs (a user's names,
    a stage's position), worked out once per group from its key
    (``dimensions.PerGroup``); ``name`` makes a group's name from one result
    row; ``order`` is its natural order in SQL (aliases of ``values`` and
    ``labels``); ``link`` gives the record list's parameters that
    select the group (None: the list cannot show just it); ``domain`` lists
    every group, so empty ones show with zeros (every open stage of the
    pipeline); ``typed`` is the group's value for a spreadsheet cell."""

    key: str
    label: Any
    values: tuple[str, ...]
    name: Callable[[dict], str]
    order: tuple[Any, ...] = ()
    link: Callable[[dict], dict | None] = lambda row: None
    annotate: dict[str, Any] = field(default_factory=dict)
    domain: Callable[[], list[dict]] | None = None
    typed: Callable[[dict], Any] | None = None
    many: bool = False  # a many-to-many grouping: a record counts in each of its groups
    keys: tuple[str, ...] = ()  # the values that tell groups apart (default: the first)
    labels: Callable[[type], dict[str, Any]] | None = None

    def label_annotations(self, model) -> dict[str, Any]:
        return self.labels(model) if self.labels else {}

    def key_fields(self) -> tuple[str, ...]:
        return self.keys or self.values[:1]

    def key_of(self, row: dict):
        return tuple(row[name] for name in self.key_fields())

    def is_empty(self, row: dict) -> bool:
        """Whether ``row`` is the group of records without a value ("Unassigned", "No source")."""
        return all(value is None for value in self.key_of(row))


@dataclass(frozen=True)
class Measure:
    """One figure of each group: an aggregate (``Count``, ``Sum``, ``Avg``) or a
    value derived from the row's other aggregates (``derive``, e.g. a win rate).
    ``link`` adds list parameters to the figure's link (won revenue → only the
    won opportunities); ``additive`` says a row of groups may sum it."""

    key: str
    label: Any
    kind: str
    aggregate: Any = None
    derive: Callable[[dict], Any] | None = None
    link: dict | None = None
    chartable: bool = True
    needs: tuple[str, ...] = ()  # the figures ``derive`` reads (a win rate: won and lost)

    @property
    def alias(self) -> str:
        """Its name in the query (never a field's: "total" is a field of opportunities)."""
        return f"figure_{self.key}"

    @property
    def additive(self) -> bool:
        """A count or a sum: its groups' figures add up to a total (an average's do not)."""
        return isinstance(self.aggregate, (Count, Sum)) and self.derive is None


@dataclass
class Cell:
    value: Any
    kind: str
    url: str | None = None


@dataclass
class Row:
    label: str
    cells: list[Cell]
    url: str | None = None
    typed: Any = None  # the group's value as a spreadsheet cell
    key: Any = None


@dataclass
class Column:
    key: str
    label: str
    kind: str


@dataclass
class ReportResult:
    """What every output (page, PDF, CSV, XLSX, chart) is drawn from."""

    group_label: str
    columns: list[Column]
    rows: list[Row]
    total: Row | None
    hidden_groups: int = 0  # groups left out by the "Show" limit
    series: list[str] = field(default_factory=list)  # a pivot's column groups (the chart's stacks)
    chart_kind: str | None = None
    chart_measure: Column | None = None
    period: tuple[datetime.date | None, datetime.date | None] = (None, None)


class OptionsForm(forms.Form):
    """Options every report has; ``Report.options_form`` adds its choices."""

    period = forms.ChoiceField(label=_("Date range"), choices=periods.PERIOD_CHOICES, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    group = forms.ChoiceField(label=_("Group by"))
    then_by = forms.ChoiceField(label=_("Then by"), required=False)
    columns = forms.MultipleChoiceField(label=_("Columns"), widget=forms.CheckboxSelectMultiple)
    sort = forms.ChoiceField(label=_("Sort by"))
    descending = forms.BooleanField(label=_("Largest first"), required=False)
    limit = forms.ChoiceField(label=_("Show"), choices=LIMIT_CHOICES, initial="all", required=False)

    def __init__(self, report: "Report", *args, **kwargs):
        self.report = report
        super().__init__(*args, **kwargs)
        dims = [(d.key, d.label) for d in report.dimensions]
        self.fields["group"].choices = dims
        self.fields["group"].initial = report.default_group
        if report.then_by:
            self.fields["then_by"].choices = [("", _("(nothing)"))] + [
                (d.key, d.label) for d in report.dimensions if d.key in report.then_by]
            self.fields["then_by"].initial = report.default_then_by or ""
        else:
            del self.fields["then_by"]
        self.fields["columns"].choices = [(m.key, m.label) for m in report.measures]
        self.fields["columns"].initial = list(report.default_columns)
        self.fields["sort"].choices = [("group", _("Group"))] + [(m.key, m.label) for m in report.measures]
        self.fields["sort"].initial = report.default_sort
        self.fields["descending"].initial = report.default_descending
        self.fields["limit"].initial = report.default_limit
        if report.date_field:
            self.fields["period"].label = report.date_label
            self.fields["period"].initial = report.default_period
        else:
            for name in ("period", "date_from", "date_to"):
                del self.fields[name]
        if len(dims) == 1:
            self.fields["group"].widget = forms.HiddenInput()
        style_widgets(self)

    def clean(self):
        data = super().clean()
        if "period" in self.fields:
            start, end = data.get("date_from"), data.get("date_to")
            if data.get("period") == periods.CUSTOM and not (start or end):
                self.add_error("date_from", _("Enter the first day, the last day, or both."))
            if start and end and start > end:
                self.add_error("date_to", _("The last day is before the first day."))
        then_by = data.get("then_by")
        if then_by and then_by == data.get("group"):
            self.add_error("then_by", _("Choose a different grouping from the first one."))
        if then_by and not any(m.additive for m in self.report.measures if m.key in (data.get("columns") or [])):
            self.add_error("then_by", _("A second grouping needs a column that adds up (a count or a sum)."))
        return data


class Report:
    """Base class of every report. Subclasses set the class attributes and
    ``records()``; the machinery does the rest."""

    code: ClassVar[str]
    workspace: ClassVar[str]
    title: ClassVar[Any]
    description: ClassVar[Any] = ""
    list_url_name: ClassVar[str]
    filterset_class: ClassVar[type] | None = None
    filter_names: ClassVar[tuple[str, ...]] = ()
    fixed_params: ClassVar[dict] = {}  # list parameters every link carries (e.g. status=open)
    default_filters: ClassVar[dict] = {}  # filter values a report opens with (e.g. 90 days without history)
    date_field: ClassVar[str | None] = None
    date_label: ClassVar[Any] = _("Date range")
    date_params: ClassVar[tuple[str, str] | None] = None  # the list's "from" and "to" filters for date_field
    default_period: ClassVar[str] = ""
    dimensions: ClassVar[list[Dimension]]
    default_group: ClassVar[str]
    then_by: ClassVar[tuple[str, ...]] = ()
    default_then_by: ClassVar[str | None] = None
    measures: ClassVar[list[Measure]]
    default_columns: ClassVar[tuple[str, ...]]
    default_sort: ClassVar[str] = "group"
    default_descending: ClassVar[bool] = False
    default_limit: ClassVar[str] = "all"  # "Show": how many groups a report opens with
    chart: ClassVar[str | None] = "bar"  # funnel, bar (groups across), column (periods), line, or None
    chart_measure: ClassVar[str | None] = None  # default: the first chosen column that can be charted

    def __init__(self, data: QueryDict | dict | None = None, request=None):
        self.request = request
        self.data = as_query_dict(data)
        self.form = OptionsForm(self, self._form_data(), prefix=None)
        self.filterset = None
        self.filter_data = self._filter_data()
        if self.filterset_class:
            self.filterset = self.filterset_class(self.filter_data, queryset=self.records(), request=request)
            self.filterset.filters = {name: f for name, f in self.filterset.filters.items() if name in self.filter_names}

    # --- what subclasses give ---------------------------------------------------------------

    def records(self) -> QuerySet:
        raise NotImplementedError

    # --- options ------------------------------------------------------------------------------

    def _form_data(self) -> dict:
        """The options form's data: the request's values, defaults where absent
        (a report opens with its defaults; a submitted form without a ticked
        column is still an error, shown beside the columns)."""
        data = QueryDict(mutable=True)
        defaults = {"group": self.default_group, "sort": self.default_sort, "period": self.default_period,
                    "then_by": self.default_then_by or "", "limit": self.default_limit}
        submitted = self.submitted()
        for key, value in defaults.items():
            if key in self.data:
                data.setlist(key, self.data.getlist(key))
            elif not submitted:
                data[key] = value
        for key in ("date_from", "date_to", "columns", "descending"):
            if key in self.data:
                data.setlist(key, self.data.getlist(key))
        if not submitted:
            if "columns" not in self.data:
                data.setlist("columns", list(self.default_columns))
            if self.default_descending and "descending" not in self.data:
                data["descending"] = "on"
        return data

    def submitted(self) -> bool:
        """Whether the options come from a submitted form (else the defaults apply)."""
        return "group" in self.data or "sort" in self.data

    def _filter_data(self) -> QueryDict:
        data = QueryDict(mutable=True)
        for name in self.filter_names:
            if name in self.data:
                data.setlist(name, self.data.getlist(name))
            elif name in self.default_filters and not self.submitted():
                data[name] = self.default_filters[name]
        return data

    def option_names(self) -> set[str]:
        """Every parameter the report understands (others are refused)."""
        names = set(self.form.fields)
        if self.filterset is not None:
            names |= set(self.filterset.filters)
        return names

    def unknown_options(self) -> list[str]:
        known = self.option_names()
        return sorted(key for key in self.data if key not in known)

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        if self.filterset is not None:
            valid = self.filterset.is_valid() and valid
        return valid and not self.unknown_options()

    def errors(self) -> list[tuple[str, str]]:
        """(option label, message) of every option the report cannot use."""
        found = []
        forms_ = [self.form] + ([self.filterset.form] if self.filterset is not None else [])
        for form in forms_:
            if not form.is_bound:
                continue
            for name, messages in form.errors.items():
                label = form.fields[name].label if name in form.fields else ""
                found.extend((str(label), str(m)) for m in messages)
        for key in self.unknown_options():
            found.append((key, gettext("This report has no such option.")))
        return found

    def invalid_option_names(self) -> list[str]:
        names = [n for n in self.form.errors if n != "__all__"]
        if self.filterset is not None:
            names += [n for n in self.filterset.form.errors if n != "__all__"]
        return names + self.unknown_options()

    @property
    def options(self) -> dict:
        return self.form.cleaned_data

    def dimension(self, key: str | None) -> Dimension | None:
        return next((d for d in self.dimensions if d.key == key), None)

    def measure(self, key: str) -> Measure:
        return next(m for m in self.measures if m.key == key)

    def period(self) -> tuple[datetime.date | None, datetime.date | None]:
        if not self.date_field:
            return None, None
        return periods.resolve(self.options.get("period") or "", timezone.localdate(),
                               self.options.get("date_from"), self.options.get("date_to"))

    # --- the query ----------------------------------------------------------------------------

    def filtered(self) -> QuerySet:
        """The records the report counts: its records, its filters, its date range."""
        queryset = self.filterset.qs if self.filterset is not None else self.records()
        start, end = self.period()
        field, _sep, transform = (self.date_field or "").partition("__")
        if transform == "date":
            # The day of a date and time (``created__date``), as bounds on the
            # field itself: an index walks them, where the day of every record,
            # worked out in the local time zone, is a function call per record
            # (SQLite: Leads by Rating this year took 0.6 s of CPU at 200,000 leads).
            if start:
                queryset = queryset.filter(**{f"{field}__gte": _day_starts(start)})
            if end:
                queryset = queryset.filter(**{f"{field}__lt": _day_starts(end + datetime.timedelta(days=1))})
            return queryset.order_by()
        if start:
            queryset = queryset.filter(**{f"{self.date_field}__gte": start})
        if end:
            queryset = queryset.filter(**{f"{self.date_field}__lte": end})
        return queryset.order_by()

    def compute(self) -> ReportResult:
        """Run the report with its (valid) options."""
        options = self.options
        group = self.dimension(options["group"])
        then = self.dimension(options.get("then_by") or None)
        chosen = [self.measure(key) for key in self.measures_order(options["columns"])]
        sort = None if options["sort"] == "group" else self.measure(options["sort"])
        aggregates = self._aggregates(chosen + ([sort] if sort else []))
        base = self.filtered()
        if then:
            return self._pivot(base, group, then, chosen, aggregates)
        derived_sort = sort is not None and sort.aggregate is None
        limit = None if (options.get("limit") or "all") == "all" else int(options["limit"])
        grouped = (base.annotate(**group.annotate).values(*group.values).annotate(**aggregates)
                   .annotate(**group.label_annotations(base.model)).order_by(*self._sql_order(group, options)))
        # The database stops at the limit, unless the order is a derived figure.
        rows = list(grouped[:limit + 1] if limit and not derived_sort else grouped)
        if group.domain and not limit:
            rows = self._with_empty_groups(rows, group, aggregates)
        if derived_sort:
            # Groups without the figure (no win rate) last, largest first or not, as in SQL (NULLS LAST).
            valued = [r for r in rows if self._derived(sort, r) is not None]
            valued.sort(key=lambda r: self._derived(sort, r), reverse=options.get("descending", False))
            rows = valued + [r for r in rows if self._derived(sort, r) is None]
        hidden = 0
        # Stopped at the limit, the database counts the groups and the total (always,
        # so the number of queries does not depend on the number of groups).
        stopped = bool(limit) and not derived_sort
        if stopped:
            hidden = max(0, base.annotate(**group.annotate).values(*group.key_fields()).distinct().count() - limit)
        elif limit and len(rows) > limit:
            hidden = len(rows) - limit
        rows = rows[:limit] if limit else rows
        if not stopped and not hidden and not group.many and all(isinstance(a, (Count, Sum)) for a in aggregates.values()):
            # Counts and sums of groups that share no record add up to the total:
            # no second pass over the records (it doubled the time of every report).
            totals = {alias: sum((r[alias] for r in rows if r.get(alias) is not None), 0) for alias in aggregates}
        else:
            totals = base.aggregate(**aggregates)
        result_rows = [self._row(group.name(row), row, chosen, self._group_params(group, row), group, row)
                       for row in rows]
        total = self._row(gettext("Total"), totals, chosen, {}, None, None)
        return ReportResult(
            group_label=str(group.label), columns=[Column(m.key, str(m.label), m.kind) for m in chosen],
            rows=result_rows, total=total, hidden_groups=hidden, chart_kind=self.chart,
            chart_measure=self._chart_column(chosen), period=self.period())

    def _aggregates(self, measures: list[Measure]) -> dict:
        """The aggregates the query computes: those of ``measures`` and of the
        figures their derived ones read, not every figure of the report (an
        average of the scores, chosen or not, made the database read every
        lead's row instead of an index that has what the counts need)."""
        keys = {m.key for m in measures} | {key for m in measures for key in m.needs}
        return {m.alias: m.aggregate for m in self.measures if m.aggregate is not None and m.key in keys}

    def measures_order(self, keys: list[str]) -> list[str]:
        """The chosen columns in the report's own order."""
        return [m.key for m in self.measures if m.key in keys]

    def _chart_column(self, chosen: list[Measure]) -> Column | None:
        preferred = [m for m in chosen if m.key == self.chart_measure and m.chartable]
        usable = preferred or [m for m in chosen if m.chartable]
        return Column(usable[0].key, str(usable[0].label), usable[0].kind) if usable and self.chart else None

    def _sql_order(self, group: Dimension, options: dict) -> list:
        """ORDER BY of the grouped query: the grouping's natural order, or a
        figure (then the group key, so equal figures keep a stable order).
        Empty groups ("Unassigned", "No date") come last either way."""
        descending = options.get("descending", False)
        sort = options["sort"]
        measure = None if sort == "group" else self.measure(sort)
        if measure is None or measure.aggregate is None:  # a derived figure is sorted after the query
            terms, flip = list(group.order) or [group.values[0]], descending and measure is None
        else:
            terms, flip = [measure.alias, *group.key_fields()], descending
            return [_ordered(terms[0], flip), *(_ordered(t, False) for t in terms[1:])]
        return [_ordered(term, flip) for term in terms]

    def _with_empty_groups(self, rows: list[dict], group: Dimension, aggregates: dict) -> list[dict]:
        """Every group of the grouping's domain, in its order, zeros where no record is."""
        present = {group.key_of(r): r for r in rows}
        domain = group.domain()
        keys = {group.key_of(d) for d in domain}
        filled = [present.get(group.key_of(d)) or {**d, **{k: None for k in aggregates}} for d in domain]
        extra = [r for r in rows if group.key_of(r) not in keys]  # e.g. "No stage"
        if self.options["sort"] != "group":
            key, descending = self.measure(self.options["sort"]).alias, self.options.get("descending", False)
            return sorted(filled + extra, key=lambda r: r.get(key) or 0, reverse=descending)
        return (list(reversed(filled)) + extra) if self.options.get("descending") else (filled + extra)

    def _derived(self, measure: Measure, row: dict):
        """A figure of a result row: its aggregate, or derived from the others."""
        if measure.derive is None:
            return row.get(measure.alias)
        return measure.derive({m.key: row.get(m.alias) for m in self.measures if m.aggregate is not None})

    def _row(self, label: str, values: dict, chosen: list[Measure], params: dict | None, group, raw) -> Row:
        cells = []
        for measure in chosen:
            value = figure(self._derived(measure, values), measure.kind)
            url = self.link({**params, **(measure.link or {})}) if params is not None else None
            cells.append(Cell(value, measure.kind, url))
        typed = group.typed(raw) if group and group.typed else label
        return Row(label=label, cells=cells, url=self.link(params) if params is not None else None, typed=typed,
                   key=group.key_of(raw) if group else None)

    def _pivot(self, base, group: Dimension, then: Dimension, chosen: list[Measure], aggregates: dict) -> ReportResult:
        """Groups across, the second grouping down the columns: the first chosen
        column that adds up, per pair, with row and column totals. Sorted by a
        figure, the groups go by their row total (the one figure shown)."""
        measure = next(m for m in chosen if m.additive)
        values = tuple(dict.fromkeys(group.values + then.values))
        # The query orders by the grouping only (the sort's figure may not be in
        # it); the row totals are sorted below, equal ones in the grouping's order.
        in_order = {"sort": "group", "descending": self.options["sort"] == "group" and self.options.get("descending")}
        data = list(base.annotate(**group.annotate, **then.annotate).values(*values)
                    .annotate(**{measure.alias: measure.aggregate})
                    .annotate(**group.label_annotations(base.model), **then.label_annotations(base.model))
                    .order_by(*self._sql_order(group, in_order)))
        series_rows = then.domain() if then.domain else []
        seen = {then.key_of(r) for r in series_rows}
        others = []  # the groups with records that the grouping's list of groups lacks (all, without one)
        for row in data:
            if then.key_of(row) not in seen:
                seen.add(then.key_of(row))
                others.append(row)
        series_rows += self._order_series(then, others)
        by_group: dict = {}
        for row in data:
            by_group.setdefault(group.key_of(row), (row, {}))[1][then.key_of(row)] = row[measure.alias]
        zero = 0 if measure.kind == "count" else Decimal("0.00")

        def summed(values) -> Any:
            return sum((figure(v, measure.kind) for v in values), zero)

        # A record in two categories is in two rows (or columns) of a category
        # grouping but once in its column's (row's) total: those totals come from
        # a query by the other grouping alone, not from adding up the cells.
        by_row = self._totals_by(base, group, measure) if then.many else None
        by_column = self._totals_by(base, then, measure) if group.many else None

        def row_total(key, cells: dict) -> Any:
            return figure(by_row.get(key), measure.kind) if by_row is not None else summed(cells.values())

        groups = list(by_group.items())
        if self.options["sort"] != "group":
            groups.sort(key=lambda g: row_total(g[0], g[1][1]), reverse=self.options.get("descending", False))
        columns = [Column(f"s{i}", then.name(s), measure.kind) for i, s in enumerate(series_rows)]
        columns.append(Column("total", gettext("Total"), measure.kind))
        figure_link = measure.link or {}  # what the figure counts (won revenue: the won)
        rows = []
        for key, (raw, cells) in groups:
            params = self._group_params(group, raw)
            row_cells = []
            for s in series_rows:
                both = None if params is None else self._merge(params, self._group_params(then, s))
                value = figure(cells.get(then.key_of(s)), measure.kind)
                row_cells.append(Cell(value, measure.kind,
                                      self.link({**both, **figure_link}) if both is not None and value else None))
            row_cells.append(Cell(row_total(key, cells), measure.kind,
                                  self.link({**params, **figure_link}) if params is not None else None))
            rows.append(Row(group.name(raw), row_cells, self.link(params) if params is not None else None,
                            typed=group.typed(raw) if group.typed else group.name(raw), key=key))
        totals = []
        for s in series_rows:
            if by_column is not None:
                value = figure(by_column.get(then.key_of(s)), measure.kind)
            else:
                value = summed(cells.get(then.key_of(s)) for _key, (_raw, cells) in groups)
            params = self._group_params(then, s)
            totals.append(Cell(value, measure.kind,
                               self.link({**params, **figure_link}) if params is not None and value else None))
        if group.many and then.many:
            grand = figure(base.aggregate(**{measure.alias: measure.aggregate})[measure.alias], measure.kind)
        elif group.many:  # each record in one column
            grand = summed(c.value for c in totals)
        else:  # each record in one row
            grand = summed(c.value for c in (r.cells[-1] for r in rows))
        totals.append(Cell(grand, measure.kind, self.link(figure_link)))
        return ReportResult(
            group_label=str(group.label), columns=columns, rows=rows, total=Row(gettext("Total"), totals),
            series=[c.label for c in columns[:-1]], chart_kind=self.chart,
            chart_measure=Column(measure.key, str(measure.label), measure.kind), period=self.period())

    def _totals_by(self, base, dimension: Dimension, measure: Measure) -> dict:
        """{group key: figure} of one grouping alone (each record once in each of its groups)."""
        rows = (base.annotate(**dimension.annotate).values(*dimension.values)
                .annotate(**{measure.alias: measure.aggregate}).order_by())
        return {dimension.key_of(r): r[measure.alias] for r in rows}

    def _order_series(self, then: Dimension, rows: list[dict]) -> list[dict]:
        """Series by name (or date), the one without a value ("Unassigned") last."""
        return sorted(rows, key=lambda r: (then.is_empty(r), then.typed(r) if then.typed else then.name(r).casefold()))

    # --- links to the record lists ------------------------------------------------------------

    def _group_params(self, group: Dimension, row: dict) -> dict | None:
        return group.link(row)

    def _merge(self, first: dict, second: dict | None) -> dict | None:
        """List parameters selecting the records of both ``first`` and ``second``
        (the report's filters, a group, a figure); None when no list can show
        just those (filtered by one stage, another stage's group)."""
        if second is None:
            return None
        merged = dict(first)
        for key, value in second.items():
            if key not in merged:
                merged[key] = value
            elif self.date_params and key == self.date_params[0]:
                merged[key] = max(merged[key], value)
            elif self.date_params and key == self.date_params[1]:
                merged[key] = min(merged[key], value)
            else:
                both = self.narrowed(key, merged[key], value)
                if both is None:
                    return None
                merged[key] = both
        return merged

    def narrowed(self, key: str, chosen, value):
        """The one value of the list parameter ``key`` that selects the records
        of both ``chosen`` (one value, or a list meaning any of them, as the
        Category filter) and ``value``: ``value`` if it is one of them, else
        None. A report whose filter has values that hold others (an
        opportunity status "closed" holds "won") says so here."""
        chosen_values = chosen if isinstance(chosen, list) else [chosen]
        return value if str(value) in {str(v) for v in chosen_values} else None

    def list_params(self) -> dict:
        """The record list's parameters for the report's own filters and date range."""
        params = dict(self.fixed_params)
        if self.filterset is not None:
            for name in self.filter_names:
                values = [v for v in self.filter_data.getlist(name) if v not in ("", None)]
                if values:
                    params[name] = values if len(values) > 1 else values[0]
        start, end = self.period()
        if self.date_params:
            if start:
                params[self.date_params[0]] = start
            if end:
                params[self.date_params[1]] = end
        return params

    def link(self, params: dict | None) -> str | None:
        """The record list showing the records behind a figure."""
        if params is None:
            return None
        merged = self._merge(self.list_params(), params)
        if merged is None:
            return None
        pairs = []
        for key, value in merged.items():
            if value is None:
                continue
            for item in (value if isinstance(value, list) else [value]):
                pairs.append((key, item.isoformat() if isinstance(item, datetime.date) else item))
        query = urlencode(pairs)
        return reverse(self.list_url_name) + (f"?{query}" if query else "")

    # --- saving -------------------------------------------------------------------------------

    def saved_options(self) -> dict[str, list[str]]:
        """The options as a saved report keeps them (only what the user chose)."""
        keep = self.option_names()
        return {key: [v for v in self.data.getlist(key)] for key in self.data if key in keep}


CENT, TENTH = Decimal("0.01"), Decimal("0.1")


def figure(value, kind: str):
    """A figure as reports show it: counts whole (0 for none), money to the
    cent (a database sum can come back as 8639.10000000000), percentages and
    averages to one decimal (None stays None: "no win rate", not 0 %)."""
    if kind == "count":
        return int(value or 0)
    if kind == "money":
        return Decimal(str(value or 0)).quantize(CENT, ROUND_HALF_UP)
    if value is None:
        return None
    return Decimal(str(value)).quantize(TENTH, ROUND_HALF_UP)


def _day_starts(day: datetime.date) -> datetime.datetime:
    """The first moment of ``day`` in the current time zone (what ``__date`` compares in)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def as_query_dict(data: QueryDict | dict | None) -> QueryDict:
    """Options from a request (a QueryDict) or a saved report ({name: [values]})."""
    if isinstance(data, QueryDict):
        return data
    query = QueryDict(mutable=True)
    for key, value in (data or {}).items():
        query.setlist(key, [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)])
    return query


def _ordered(term, descending: bool):
    """An ORDER BY term ("name", "-score" or an expression), reversed when
    ``descending``; empty values last."""
    if isinstance(term, str):
        descending = descending != term.startswith("-")
        term = F(term.lstrip("-"))
    return term.desc(nulls_last=True) if descending else term.asc(nulls_last=True)
