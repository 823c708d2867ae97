"""A record type's list: the filtered and selected querysets (shared with bulk
actions and exports), the user's columns, the table and its ORDER BY, the
list page, and the column chooser."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.db.models import F
from django.db.models.functions import Coalesce, Lower
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.views import View

from .. import services
from ..counts import one_version
from ..pagination import DeferredJoinPaginator
from ..params import parse_ids, safe_next
from .base import ViewSetMixin


def filtered_queryset(viewset, request, params: QueryDict):
    """The list queryset with the filterset applied (used by the list and by
    "select all matching the filter" in bulk actions)."""
    filterset = viewset.filterset(params, queryset=viewset.get_queryset(request), request=request)
    queryset = filterset.qs if filterset.is_valid() else viewset.get_queryset(request).none()
    return filterset, queryset


def selected_queryset(viewset, request, data: QueryDict):
    """The records a bulk action or an export applies to: the ticked primary
    keys (``pk``), or everything matching the list's filter (``select_all``
    with the filter in ``filter_query``). Returns (queryset, pks, filter query)."""
    pks = parse_ids(data.getlist("pk"))
    filter_query = data.get("filter_query", "")
    if data.get("select_all") == "1":
        _fs, queryset = filtered_queryset(viewset, request, QueryDict(filter_query))
    else:
        queryset = viewset.get_queryset(request).filter(pk__in=pks)
    return queryset, pks, filter_query


# The columns each user chose per list ({record type: [names]}): the database
# keeps them (UserPreferences.list_columns); the session holds a copy, read at
# sign-in, so a list page reads no extra row.
LIST_COLUMNS_SESSION_KEY = "crm_list_columns"


def chosen_columns(request, viewset) -> list[str] | None:
    """The columns the user chose for this list (None: the table's defaults)."""
    chosen = request.session.get(LIST_COLUMNS_SESSION_KEY)
    if chosen is None:
        # A session from before the setting existed: read it once.
        from crm.models import UserPreferences

        chosen = UserPreferences.objects.filter(user=request.user).values_list("list_columns", flat=True).first() or {}
        request.session[LIST_COLUMNS_SESSION_KEY] = chosen
    return chosen.get(viewset.record_type)


def list_table(viewset, request, queryset, sort: str):
    """The list's table — the user's columns, the sort validated by tables2
    (which also marks the sorted header) — and the list's ORDER BY, read from
    the table's empty queryset (no query) and made case-insensitive and stable."""
    table_class = viewset.table
    shown = table_class.shown_columns(chosen_columns(request, viewset))
    hidden = [name for name in table_class.column_names() if name not in shown]
    table = table_class(queryset.none(), order_by=sort or None, exclude=hidden)
    return table, list_ordering(queryset.model, list(table.data.data.query.order_by))


def list_ordering(model, order: list) -> list:
    """The ORDER BY of a list page.

    Text columns sort case-insensitively (``Lower``, matched by functional
    indexes), also across a relation (a task's project name), and a unique tie-breaker in the same direction keeps pages
    stable and lets the database walk one (column, id) index.
    """
    order = order or list(model._meta.ordering)
    result = []
    for item in order:
        if not isinstance(item, str):
            result.append(item)
            continue
        name = item.lstrip("-")
        descending = item.startswith("-")
        field = _field_at(model, name)
        if isinstance(field, (models.CharField, models.TextField)) and not field.choices:
            expression = Lower(name)
            result.append(expression.desc() if descending else expression.asc())
        else:
            result.append(item)
    if not any(isinstance(o, str) and o.lstrip("-") in ("pk", "id") for o in order):
        last = order[-1] if order else ""
        result.append("-pk" if isinstance(last, str) and last.startswith("-") else "pk")
    return result


def _field_at(model, path: str):
    """The field ``path`` names, across relations ("project__name": the
    project's name), or None."""
    field = None
    for part in path.split("__"):
        if field is not None:
            if not field.is_relation or field.related_model is None:
                return None
            model = field.related_model
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
    return field


def unindexed_ordering(ordering: list) -> list:
    """The same order, written so that no index matches it (``COALESCE(x, x)``).

    With a free-text search on PostgreSQL the planner likes to walk the sort
    index and test every row against the search until a page of rows
    matches, expecting matches to be spread evenly: they are not (a surname
    clusters at its letter), and the walk reads up to every row of the list
    (230 ms at 100,000 contacts). Without a matching index it takes the
    matches from the search index and sorts only them (about 15 ms; both
    measured with the trigram index the word index replaced)."""
    result = []
    for item in ordering:
        if isinstance(item, str):
            name = item.lstrip("-")
            if name in ("pk", "id"):
                result.append(item)
                continue
            item = F(name).desc() if item.startswith("-") else F(name).asc()
        expression = Coalesce(item.expression, item.expression)
        result.append(expression.desc() if item.descending else expression.asc())
    return result


class ObjectListView(ViewSetMixin, View):
    """A record list: filters, sortable columns, pagination, count, multi-select.

    An htmx request (filtering, sorting, paging) gets only the results partial.
    """

    def get(self, request):
        # A list page only reads: its filter choices and its count (cached under
        # the data version) share one read of the version.
        with one_version():
            return self.render_list(request)

    def render_list(self, request):
        vs = self.viewset
        filterset, queryset = filtered_queryset(vs, request, request.GET)
        sort = request.GET.get("sort") or vs.default_sort
        table, ordering = list_table(vs, request, queryset, sort)
        sorts_matches = connection.vendor == "postgresql" and getattr(filterset, "searching", False)
        id_ordering = unindexed_ordering(ordering) if sorts_matches else ordering
        paginator = DeferredJoinPaginator(queryset.order_by(*id_ordering), settings.CRM_PAGE_SIZE,
                                          rows_queryset=vs.get_queryset(request).order_by(*ordering),
                                          one_query=sorts_matches)
        page = paginator.get_page_or_last(request.GET.get("page", 1))
        params = request.GET.copy()
        params.pop("page", None)
        params.pop("sort", None)
        # Export links carry what the list shows: its filter and its sort.
        export_params = params.copy()
        if sort:
            export_params["sort"] = sort
        context = self.base_context(
            filterset=filterset,
            table=table,
            body_rows=table.body_rows(vs.list_rows(request, page.object_list), vs.rtype().url_name("detail")),
            page=page,
            count=paginator.count,
            sort=sort,
            filter_query=params.urlencode(),
            export_query=export_params.urlencode(),
            columns=vs.table.column_choices(chosen_columns(request, vs)),
            columns_url=vs.url("columns"),
            actions=[(a, vs.url("bulk", a.name)) for a in vs.get_actions() if a.allowed(request.user)],
            list_buttons=vs.list_buttons(request),
            export_url=vs.url("export") if vs.resource is not None else "",
            import_url=vs.url("import") if vs.importer is not None else "",
        )
        if request.htmx and request.htmx.target == "results":
            return render(request, f"{vs.template_list}#results", context)
        return render(request, vs.template_list, context)


class ListColumnsView(ViewSetMixin, View):
    """The column chooser of a list: remember the columns the user ticked
    (or the defaults again, with ``reset``) for this user and list."""

    def post(self, request):
        table_class = self.viewset.table
        columns = None if request.POST.get("reset") else table_class.clean_columns(request.POST.getlist("columns"))
        chosen = services.list_columns_save(user=request.user, record_type=self.viewset.record_type, columns=columns)
        request.session[LIST_COLUMNS_SESSION_KEY] = chosen
        if request.htmx:
            # The page asks for its rows again, with its own filter, sort and page.
            return HttpResponse(status=204)
        return HttpResponseRedirect(safe_next(request, self.viewset.url("list")))
