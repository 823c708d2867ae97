"""The views every record type reuses (NetBox-style, declarative per model).

A record type declares a ``RecordViewSet`` subclass — queryset, filterset,
table, form, detail sections, bulk actions — and gets list, reading pane,
detail, create/edit (Save & Close / Save & New / Cancel, conflict detection),
delete, bulk actions, export, import, change history and print views from
``urls()``.
A view that needs more than a hook override means the base lacks a hook:
add it here, once.
"""
from __future__ import annotations

import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.validators import MaxLengthValidator
from django.db import connection, models, transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Lower
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _, gettext_lazy, ngettext
from django.views import View

from . import recycle, registry, services
from .actions import DEFAULT_ACTIONS
from .counts import one_version
from .exports import csv_response, export_chunks, export_rows, xlsx_response
from .filtersets import MAX_FILTER_TEXT
from .forms import ImportUploadForm, add_refusal
from . import importjobs
from .files import FileNotStored
from .imports import Plan
from .pagination import DeferredJoinPaginator
from .params import parse_id, parse_ids
from .pdf import pdf_response, render_pdf
from .rows import light_instances
from .tabular import FileRejected, Limits, intcomma, read_table


class RecordViewSet:
    """Declarative description of one record type's pages."""

    record_type: str = ""           # registry key, also the URL-name prefix
    url_prefix: str = ""            # e.g. "accounts"
    queryset = None                 # list queryset (select_related / prefetch_related)
    filterset = None
    table = None
    form = None
    resource = None                 # django-import-export resource: the export/import columns
    importer = None                 # crm.generic.imports.Importer subclass (Import from CSV/Excel)
    actions = DEFAULT_ACTIONS
    bulk_edit_exclude: tuple[str, ...] = ("comments", "categories", "photo")
    detail_sections: list[tuple[str, list[str]]] = []
    default_sort: str = ""
    # Columns a list page loads (``only()``); empty loads every column.
    list_fields: tuple[str, ...] = ()
    template_list = "generic/list.html"
    template_detail = "generic/detail.html"
    # The reading pane and the body of the detail page (a separate template so
    # a record type can extend it; partials do not follow template inheritance).
    template_pane = "generic/detail_pane.html"
    template_edit = "generic/edit.html"
    template_print = "generic/print.html"

    # --- hooks -----------------------------------------------------------
    @classmethod
    def rtype(cls) -> registry.RecordType:
        return registry.get(cls.record_type)

    @classmethod
    def get_queryset(cls, request):
        return cls.queryset.all()

    @classmethod
    def object_queryset(cls, request):
        """The records a record's pages (detail, edit, history …) are found among
        (hook: e.g. ``select_related`` for the detail page)."""
        return cls.rtype().queryset()

    @classmethod
    def get_object(cls, request, pk):
        """The record ``pk`` of this type, else 404 — or ``RecordMoved`` when the
        row is now of another type sharing the table (a converted lead is a
        business contact): its pages answer a GET with a redirect to the same
        page of that type, so old links and bookmarks keep working."""
        queryset = cls.object_queryset(request)
        try:
            return queryset.get(pk=pk)
        except queryset.model.DoesNotExist:
            moved_to = cls.moved_url(request, pk)
        if moved_to:
            raise RecordMoved(moved_to)
        raise Http404(f"No {queryset.model._meta.object_name} matches the given query.")

    @classmethod
    def moved_url(cls, request, pk) -> str | None:
        """Where the page asked for is for the record ``pk`` if it is now of another
        registered type (same table), on a GET; None otherwise."""
        if request.method not in ("GET", "HEAD") or request.resolver_match is None:
            return None
        row = cls.rtype().model._base_manager.filter(pk=pk).first()
        try:
            rtype = registry.for_instance(row) if row is not None else None
        except LookupError:
            return None
        if rtype is None or rtype.key == cls.record_type:
            return None
        match = request.resolver_match
        action = match.url_name.removeprefix(f"{cls.record_type}_")
        try:
            url = reverse(rtype.url_name(action), args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:  # a page that type has not (a lead's Convert): its record page
            url = registry.record_url(row)
        query = request.GET.urlencode()
        return f"{url}?{query}" if query else url

    @classmethod
    def get_bulk_edit_fields(cls) -> list[str]:
        """The form's fields that are model fields (one value for every record)."""
        model_fields = {f.name for f in cls.rtype().model._meta.get_fields() if getattr(f, "concrete", False)}
        return [name for name in cls.form.base_fields
                if name in model_fields and name not in cls.bulk_edit_exclude and name != "version"]

    @classmethod
    def new_instance(cls, request):
        return cls.rtype().model()

    @classmethod
    def url(cls, action: str, *args) -> str:
        return reverse(cls.rtype().url_name(action), args=args)

    @classmethod
    def extra_urls(cls) -> list:
        return []

    @classmethod
    def list_buttons(cls, request) -> list[dict]:
        """Extra buttons beside "New" on the list (label, icon, url)."""
        return []

    @classmethod
    def save_form(cls, request, obj, form, creating: bool) -> None:
        """Write a valid form (inside the view's transaction): the record
        through the record services, then ``save_related``. A record type whose
        form writes more than its own row in one service overrides this."""
        if creating:
            services.record_create(instance=obj, user=request.user, m2m=form.m2m_data())
        else:
            services.record_update(instance=obj, user=request.user,
                                   expected_version=form.cleaned_data.get("version"), m2m=form.m2m_data())
        cls.save_related(request, obj, form)

    @classmethod
    def save_related(cls, request, obj, form) -> None:
        """After the record is saved, in the same transaction: writes of form
        data that is not a model field (e.g. ticked scoring criteria), through
        a service."""

    @classmethod
    def list_annotations(cls, model) -> dict:
        """Values computed per row in the query of a list page's rows (hook), set
        on the records under their names (e.g. the data of badges)."""
        return {}

    @classmethod
    def list_rows(cls, request, rows) -> list:
        """The records of one list page, ready for the table (hook: attach badges, …)."""
        annotations = cls.list_annotations(rows.model)
        if annotations:
            rows = rows.annotate(**annotations)
        if not cls.list_fields:
            return list(rows)
        records = light_instances(rows, cls.list_fields, annotations=list(annotations))
        return records if records is not None else list(rows.only(*cls.list_fields))

    @classmethod
    def detail_context(cls, request, obj) -> dict:
        """Extra context for the detail page and reading pane (e.g. related records)."""
        return {}

    @classmethod
    def print_context(cls, request, obj) -> dict:
        """Extra context for the printed PDF (e.g. recent history)."""
        return {}

    @classmethod
    def urls(cls) -> list:
        key, prefix = cls.record_type, cls.url_prefix
        return [
            path(f"{prefix}/", ObjectListView.as_view(viewset=cls), name=f"{key}_list"),
            path(f"{prefix}/add/", ObjectEditView.as_view(viewset=cls), name=f"{key}_add"),
            path(f"{prefix}/bulk/<str:action>/", BulkActionView.as_view(viewset=cls), name=f"{key}_bulk"),
            path(f"{prefix}/export/", ExportView.as_view(viewset=cls), name=f"{key}_export"),
            path(f"{prefix}/columns/", ListColumnsView.as_view(viewset=cls), name=f"{key}_columns"),
            path(f"{prefix}/import/", ImportView.as_view(viewset=cls), name=f"{key}_import"),
            path(f"{prefix}/import/status/", ImportStatusView.as_view(viewset=cls), name=f"{key}_import_status"),
            path(f"{prefix}/<int:pk>/", ObjectDetailView.as_view(viewset=cls), name=f"{key}_detail"),
            path(f"{prefix}/<int:pk>/edit/", ObjectEditView.as_view(viewset=cls), name=f"{key}_edit"),
            path(f"{prefix}/<int:pk>/delete/", ObjectDeleteView.as_view(viewset=cls), name=f"{key}_delete"),
            path(f"{prefix}/<int:pk>/changes/", ObjectChangeLogView.as_view(viewset=cls), name=f"{key}_changelog"),
            path(f"{prefix}/<int:pk>/print/", ObjectPrintView.as_view(viewset=cls), name=f"{key}_print"),
            *cls.extra_urls(),
        ]


class RecordMoved(Http404):
    """The record is now of another type (see ``RecordViewSet.get_object``); its page is at ``url``.
    A 404 wherever it is not turned into the redirect."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


class ViewSetMixin:
    viewset: type[RecordViewSet] = None

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except RecordMoved as moved:
            return HttpResponseRedirect(moved.url)

    def base_context(self, **extra) -> dict:
        rtype = self.viewset.rtype()
        return {"viewset": self.viewset, "rtype": rtype, "list_url": self.viewset.url("list"),
                "add_url": self.viewset.url("add"), **extra}


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
    indexes), and a unique tie-breaker in the same direction keeps pages
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
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        if isinstance(field, (models.CharField, models.TextField)) and not field.choices:
            expression = Lower(name)
            result.append(expression.desc() if descending else expression.asc())
        else:
            result.append(item)
    if not any(isinstance(o, str) and o.lstrip("-") in ("pk", "id") for o in order):
        last = order[-1] if order else ""
        result.append("-pk" if isinstance(last, str) and last.startswith("-") else "pk")
    return result


def unindexed_ordering(ordering: list) -> list:
    """The same order, written so that no index matches it (``COALESCE(x, x)``).

    With a free-text search on PostgreSQL the planner likes to walk the sort
    index and test every row against ``LIKE '%word%'`` until a page of rows
    matches, expecting matches to be spread evenly: they are not (a surname
    clusters at its letter), and the walk reads up to every row of the list
    (230 ms at 100,000 contacts). Without a matching index it takes the
    matches from the trigram index and sorts only them (about 15 ms)."""
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
            actions=[(a, vs.url("bulk", a.name)) for a in vs.actions if a.allowed(request.user)],
            list_buttons=vs.list_buttons(request),
            export_url=vs.url("export") if vs.resource is not None else "",
            import_url=vs.url("import") if vs.importer is not None else "",
        )
        if request.htmx and request.htmx.target == "results":
            return render(request, f"{vs.template_list}#results", context)
        return render(request, vs.template_list, context)


class ObjectDetailView(ViewSetMixin, View):
    """A record's page; the reading pane gets the ``pane`` partial of the same template."""

    def get(self, request, pk):
        obj = self.viewset.get_object(request, pk)
        context = self.base_context(object=obj, sections=self.viewset.detail_sections,
                                    actions=[a for a in self.viewset.actions if a.allowed(request.user)],
                                    **self.viewset.detail_context(request, obj))
        if request.htmx and request.htmx.target == "reading-pane":
            return render(request, self.viewset.template_pane, context)
        return render(request, self.viewset.template_detail, context)


def safe_next(request, fallback):
    """Where to go after this request: its ``next`` (posted, else in the query)
    if that is a path on this site, else ``fallback``. A view reads it before
    it saves anything, so an odd ``next`` can never turn a save into an error
    page (and the user's retry into a duplicate); and it is redirected to as a
    URL, never looked up as a view name."""
    target = request.POST.get("next") or request.GET.get("next")
    return target if is_site_path(target, request) else fallback


def is_site_path(target, request) -> bool:
    """Whether ``target`` is a path on this site ("/contacts/?page=2"): not
    another site ("//evil.example", "https://…"), not a view name, no control
    characters, of a sane length."""
    return (isinstance(target, str) and target.startswith("/") and len(target) <= 2000 and target.isprintable()
            and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()))


class ObjectEditView(ViewSetMixin, View):
    """Create or edit a record: Save & Close, Save & New, Cancel.

    On a stale save (someone else saved first) the form is shown again with
    everything the user typed, plus what the other person changed; saving
    again then keeps the user's version on purpose.
    """

    def get_instance(self, request, pk):
        return self.viewset.get_object(request, pk) if pk else self.viewset.new_instance(request)

    def get_form(self, request, instance, data=None, files=None):
        initial = self.initial_from_query(request, instance) if not instance.pk and request.GET else None
        return self.viewset.form(data, files, instance=instance, user=request.user, initial=initial)

    def initial_from_query(self, request, instance) -> dict:
        """Values a link fills in on a new record's form (``?stage=3``,
        ``?full_name=…``), as given; a value its field refuses is left out, so
        the form opens as if it had not been given (an odd ``?stage=x`` made
        the stage's checklist query fail)."""
        fields = self.viewset.form(instance=instance, user=request.user).fields
        initial = {}
        for name in request.GET.keys() & fields.keys():
            field = fields[name]
            value = request.GET.getlist(name) if isinstance(field.widget, forms.SelectMultiple) else request.GET[name]
            try:
                field.clean(value)
            except ValidationError:
                continue
            initial[name] = value
        return initial

    def render_form(self, request, form, instance, **extra):
        context = self.base_context(
            form=form, object=instance, next=safe_next(request, ""),
            cancel_url=safe_next(request, instance.get_absolute_url() if instance.pk else self.viewset.url("list")), **extra)
        return render(request, self.viewset.template_edit, context)

    def get(self, request, pk=None):
        instance = self.get_instance(request, pk)
        lock = instance.lock_reason() if instance.pk else None
        if lock:
            messages.warning(request, lock)
            return redirect(instance.get_absolute_url())
        return self.render_form(request, self.get_form(request, instance), instance)

    def post(self, request, pk=None):
        instance = self.get_instance(request, pk)
        # Where to go afterwards is settled before anything is saved.
        next_url = safe_next(request, None)
        # A stale form is answered first: its errors (a line someone removed
        # meanwhile, …) would otherwise hide what actually happened.
        posted_version = parse_id(request.POST.get("version", ""))
        if instance.pk and posted_version is not None:
            conflict = services.edit_conflict(instance, posted_version)
            if conflict is not None:
                return self.render_conflict(request, pk, conflict)
        form = self.get_form(request, instance, request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(request, form, instance)
        obj = form.save(commit=False)
        try:
            with transaction.atomic():
                self.viewset.save_form(request, obj, form, creating=not pk)
        except services.EditConflict as conflict:
            return self.render_conflict(request, pk, conflict)
        except services.DomainError as error:
            form.add_error(None, error.message)
            return self.render_form(request, form, instance)
        except ValidationError as error:
            add_refusal(form, error)
            return self.render_form(request, form, instance)
        messages.success(request, _("“%(record)s” was saved.") % {"record": obj})
        if "_save_new" in request.POST:
            return redirect(self.viewset.url("add"))
        return HttpResponseRedirect(next_url or obj.get_absolute_url())


    def render_conflict(self, request, pk, conflict: services.EditConflict):
        """The form again with the new version, what the other person changed
        above it, and everything the user typed; a field only the other person
        changed shows their value, so saving again loses neither change."""
        instance = self.get_instance(request, pk)
        data = self.merged_data(request, instance, conflict)
        form = self.get_form(request, instance, data, request.FILES)
        form.is_valid()
        return self.render_form(request, form, instance, conflict=conflict)

    def merged_data(self, request, current, conflict: services.EditConflict):
        """The posted form with the stored values in the fields the other people
        changed and this user did not (the user's value is still the one the
        change log says they loaded)."""
        loaded = {}
        for entry in conflict.entries:
            for name, change in (entry.changes or {}).items():
                loaded.setdefault(name, change.get("old", ""))
        data = request.POST.copy()
        data["version"] = conflict.current.version
        typed = self.get_form(request, self.viewset.get_object(request, current.pk), request.POST, request.FILES)
        typed.is_valid()
        fields = {f.name for f in services.tracked_fields(type(current))}
        m2m = {name: typed.cleaned_data[name] for name in loaded
               if name in typed.cleaned_data and current._meta.get_field(name).many_to_many}
        yours = services.pending_snapshot(typed.instance, m2m)
        stored = self.get_form(request, current)
        for name, before in loaded.items():
            if name in fields and name in stored.fields and yours.get(name) == before:
                bound = stored[name]
                if isinstance(bound.field.widget, forms.CheckboxInput):
                    value = ["on"] if bound.value() else []
                else:
                    value = bound.field.widget.format_value(bound.value())
                    value = value if isinstance(value, list) else ([] if value is None else [value])
                data.setlist(stored.add_prefix(name), value)
        return data


def parse_version(value) -> int | None:
    """The record version a page was shown at (its hidden ``version`` input);
    None when missing or not a number (then no staleness check is made)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ObjectDeleteView(ViewSetMixin, View):
    """Delete one record, after a confirmation that says what goes with it to
    Deleted items, what is cleared on other records, and what refuses it."""

    def get(self, request, pk):
        obj = self.viewset.get_object(request, pk)
        effect = recycle.delete_effect(type(obj), [obj.pk])
        locked = obj.lock_reason()
        return render(request, "generic/delete.html", self.base_context(
            object=obj, sentences=effect.sentences(), refusals=[locked, *effect.refusals] if locked else effect.refusals))

    def post(self, request, pk):
        obj = self.viewset.get_object(request, pk)
        try:
            services.record_delete(instance=obj, user=request.user,
                                   expected_version=parse_version(request.POST.get("version")))
        except services.DomainError as error:
            messages.error(request, error.message)
            return redirect(obj.get_absolute_url())
        messages.success(request, _("“%(record)s” was deleted; it can be restored from Deleted items.") % {"record": obj})
        return redirect(self.viewset.url("list"))


class BulkActionView(ViewSetMixin, View):
    """Runs one bulk action on the selected records.

    The selection is either ticked primary keys (``pk``) or "all matching the
    filter" (``select_all`` with the list's filter in ``filter_query``). The
    first request shows the action's form/confirmation; a POST with ``_apply``
    (and the CSRF token) runs it. A GET only ever shows the confirmation: a
    link, a prefetch or a cross-site navigation must not change data.
    A single record's Assign to / Categorize / Mark closed buttons use this view too.
    """

    def get_action(self, request, name):
        for action in self.viewset.actions:
            if action.name == name:
                if not action.allowed(request.user):
                    raise PermissionDenied
                return action
        raise Http404

    def handle(self, request, action_name, data, *, apply: bool):
        action = self.get_action(request, action_name)
        queryset, pks, filter_query = selected_queryset(self.viewset, request, data)
        count = queryset.count()
        back = safe_next(request, f"{self.viewset.url('list')}?{filter_query}" if filter_query else self.viewset.url("list"))
        if not count:
            messages.warning(request, _("Select at least one record first."))
            return HttpResponseRedirect(back)
        if request.htmx and request.htmx.target == "bulk-value":
            # The bulk-edit field was changed: show the matching value input.
            form = action.get_form(self.viewset, None, user=request.user, initial=data.dict())
            return render(request, "generic/bulk_action.html#form-fields", {"form": form})
        form = action.get_form(self.viewset, data if apply else None, user=request.user)
        if apply and (form is None or form.is_valid()):
            try:
                with transaction.atomic():
                    message = action.run(queryset, request.user, form)
            except services.BulkValidationError as error:
                return self.render_page(request, action, form, count, pks, data, back, error=error)
            except services.DomainError as error:
                return self.render_page(request, action, form, count, pks, data, back, error=error)
            messages.success(request, message)
            return HttpResponseRedirect(back)
        return self.render_page(request, action, form, count, pks, data, back)

    def render_page(self, request, action, form, count, pks, data, back, error=None):
        queryset = selected_queryset(self.viewset, request, data)[0]
        context = self.base_context(
            action=action, form=form, count=count, pks=pks, select_all=data.get("select_all") == "1",
            filter_query=data.get("filter_query", ""), next=back, error=error,
            sample=list(queryset[:10]), effect=action.effect(queryset),
        )
        return render(request, "generic/bulk_action.html", context)

    def get(self, request, action):
        # Never applies, whatever the query says (README ▸ Security).
        return self.handle(request, action, request.GET, apply=False)

    def post(self, request, action):
        return self.handle(request, action, request.POST, apply="_apply" in request.POST)


class ExportView(ViewSetMixin, View):
    """Export the list as CSV or Excel: GET exports what the filter matches,
    POST exports the ticked records (or all matching, as bulk actions do)."""

    def export(self, request, queryset, data):
        if self.viewset.resource is None:
            raise Http404
        filename = f"{self.viewset.url_prefix}-{timezone.localdate():%Y-%m-%d}"
        if data.get("format") == "xlsx":
            return xlsx_response(export_rows(queryset, self.viewset.resource, typed=True), filename,
                                 str(self.viewset.rtype().verbose_name_plural))
        return csv_response(export_chunks(queryset, self.viewset.resource), filename)

    def sorted(self, request, queryset, data):
        """The records in the list's order (its ``sort``), as the list shows them."""
        _table, ordering = list_table(self.viewset, request, queryset, data.get("sort") or self.viewset.default_sort)
        return queryset.order_by(*ordering)

    def get(self, request):
        _filterset, queryset = filtered_queryset(self.viewset, request, request.GET)
        return self.export(request, self.sorted(request, queryset, request.GET), request.GET)

    def post(self, request):
        queryset, _pks, _query = selected_queryset(self.viewset, request, request.POST)
        return self.export(request, self.sorted(request, queryset, request.POST), request.POST)


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


IMPORTS_SESSION_KEY = "crm_imports"
# Import jobs a session keeps at once (one per list; older ones are removed with their files).
IMPORTS_KEPT = 3


class ImportView(ViewSetMixin, View):
    """Import from CSV or Excel in steps: upload → (map unknown columns) →
    preview (new / update / unchanged / skip / error per row, and what each
    update changes) → confirm. Nothing is written before the confirmation,
    and the confirmed import is one transaction.

    The job (file name, choices) is kept in the session; the uploaded file
    and the plan of the preview wait on disk (``crm.generic.importjobs``)
    until the import is committed, cancelled or replaced. A long preview or
    commit writes its progress to disk, where the page polls it
    (``ImportStatusView``), and a preview stops at CRM_IMPORT_TIME_LIMIT."""

    def dispatch(self, request, *args, **kwargs):
        if self.viewset.importer is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def render_step(self, request, step: str, **context):
        return render(request, "generic/import.html", self.base_context(
            step=step, max_size=settings.CRM_MAX_IMPORT_SIZE, status_url=self.viewset.url("import_status"),
            **context))

    def upload_form(self, *args) -> ImportUploadForm:
        form = ImportUploadForm(*args)
        form.fields["on_duplicate"].label = self.viewset.importer.duplicate_label
        return form

    def jobs(self, request) -> dict:
        return request.session.get(IMPORTS_SESSION_KEY, {})

    def forget(self, request, token: str) -> None:
        """Drop a job from the session and remove its files."""
        jobs = self.jobs(request)
        importjobs.remove(jobs.pop(token, None))
        request.session[IMPORTS_SESSION_KEY] = jobs

    def progress(self, request, *, time_limit: bool = True) -> importjobs.ImportProgress:
        """The progress of this request's step, under the id the page sent (crm.js)."""
        return importjobs.ImportProgress(request.POST.get("progress"), request.user,
                                         time_limit=settings.CRM_IMPORT_TIME_LIMIT if time_limit else None)

    def importer(self, request, progress):
        importer = self.viewset.importer(request.user)
        importer.progress = progress
        return importer

    def get(self, request):
        return self.render_step(request, "upload", form=self.upload_form())

    def post(self, request):
        step = request.POST.get("step", "upload")
        if step == "upload":
            return self.upload(request)
        token = request.POST.get("token", "")
        if step == "cancel":
            self.forget(request, token)
            messages.info(request, _("The import was cancelled and the uploaded file removed."))
            return redirect(self.viewset.url("list"))
        job = self.jobs(request).get(token)
        if job is None or not importjobs.upload_path(job).is_file():
            # Removed after an hour (purge_imports), or by a newer upload.
            if job is not None:
                self.forget(request, token)
            messages.error(request, _("This import has expired; upload the file again."))
            return redirect(self.viewset.url("import"))
        progress = self.progress(request, time_limit=step != "commit")
        importer = self.importer(request, progress)
        try:
            if step == "commit":
                return self.commit(request, token, job, importer)
            table = read_table(job["name"], importjobs.upload_path(job), limits=Limits.from_settings(),
                               progress=progress.reader("read"))
            if step == "map":
                chosen = {str(i): request.POST.get(f"column_{i}") or None for i in range(len(table.header))}
                chosen = {k: (v if v in importer.by_key else None) for k, v in chosen.items()}
                targets = [v for v in chosen.values() if v]
                twice = sorted({importer.by_key[v].label for v in targets if targets.count(v) > 1})
                if twice:
                    mapping = {int(k): v for k, v in chosen.items()}
                    return self.render_step(request, "map", token=token, job=job, targets=importer.columns,
                                            columns=self.mapping_rows(table, mapping),
                                            map_error=_("Each field can take one column only: %(fields)s.")
                                            % {"fields": ", ".join(twice)})
                job["mapping"] = chosen
                request.session.modified = True
            return self.show_preview(request, token, job, importer, table)
        except (FileRejected, FileNotStored) as error:
            # Past the time limit, or the disk is full: start again with another file.
            self.forget(request, token)
            messages.error(request, error.messages[0] if isinstance(error, FileNotStored) else str(error))
            return redirect(self.viewset.url("import"))
        finally:
            progress.finish()

    def upload(self, request):
        form = self.upload_form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_step(request, "upload", form=form)
        upload = form.cleaned_data["file"]
        # Leftovers of abandoned imports (a cron job runs purge_imports too).
        importjobs.purge()
        # A new upload replaces this user's earlier one for this list.
        for token, job in list(self.jobs(request).items()):
            if job.get("type") == self.viewset.record_type:
                self.forget(request, token)
        token = secrets.token_urlsafe(12)
        progress = self.progress(request)
        job = {"type": self.viewset.record_type, "name": upload.name,
               "on_duplicate": form.cleaned_data["on_duplicate"], "clear_empty": form.cleaned_data["clear_empty"]}
        try:
            job["file"] = importjobs.store_upload(upload, token)
            table = read_table(upload.name, importjobs.upload_path(job), limits=Limits.from_settings(),
                               progress=progress.reader("read"))
            importer = self.importer(request, progress)
            mapping = importer.match_headers(table.header, table.rows)
            job["mapping"] = {str(k): v for k, v in mapping.items()}
            jobs = self.jobs(request)
            for old in list(jobs)[:-(IMPORTS_KEPT - 1)]:
                importjobs.remove(jobs.pop(old))
            jobs[token] = job
            request.session[IMPORTS_SESSION_KEY] = jobs
            if importer.unmatched(table.header, mapping):
                return self.render_step(request, "map", token=token, job=job, targets=importer.columns,
                                        columns=self.mapping_rows(table, mapping))
            return self.show_preview(request, token, job, importer, table)
        except (FileRejected, FileNotStored) as error:
            self.forget(request, token)
            importjobs.remove(job if "file" in job else None)
            form.add_error("file", error if isinstance(error, ValidationError) else str(error))
            return self.render_step(request, "upload", form=form)
        finally:
            progress.finish()

    def mapping_rows(self, table, mapping):
        """(index, header, example value, matched key) per file column."""
        examples = table.rows[0] if table.rows else []
        return [(index, name, examples[index] if index < len(examples) else "", mapping.get(index))
                for index, name in enumerate(table.header)]

    @staticmethod
    def digest(importer, job) -> str:
        mapping = {int(k): v for k, v in job["mapping"].items()}
        return importer.digest(importjobs.upload_path(job), mapping, job["on_duplicate"], job.get("clear_empty", False))

    def show_preview(self, request, token, job, importer, table=None):
        """Preview the file as the job's column choices read it, and store the plan
        of its writes for the confirmation."""
        table = table or read_table(job["name"], importjobs.upload_path(job), limits=Limits.from_settings(),
                                    progress=importer.progress.reader("read") if importer.progress else None)
        mapping = {int(k): v for k, v in job["mapping"].items()}
        preview = importer.preview(table, mapping, on_duplicate=job["on_duplicate"],
                                   clear_empty=job.get("clear_empty", False))
        importer.report("plan")
        digest = self.digest(importer, job)
        importjobs.write_plan(job, importer.prepare(preview, digest).chunks())
        # Each message with the value of the cell it is about (none for a row-wide one).
        column_at = {}
        for index, name in enumerate(table.header):
            column_at.setdefault(name, index)

        def cell(row, header):
            index = column_at.get(header)
            return row.cells[index] if index is not None and index < len(row.cells) else ""

        errors = [(row.number, header, cell(row, header), reason) for row in preview.rows for header, reason in row.errors]
        warnings = [(row.number, header, reason) for row in preview.rows for header, reason in row.warnings]
        shown = preview.rows[:200]
        changes = importer.describe_changes(shown)
        return self.render_step(
            request, "preview", token=token, job=job, preview=preview, digest=digest,
            counts=preview.counts, errors=errors[:500], error_count=len(errors),
            warnings=warnings[:500], warning_count=len(warnings),
            sample=[(row, [row.values.get(key, row.current.get(key, "")) for key, _label in importer.preview_columns],
                     changes.get(row.number, [])) for row in shown],
            preview_headings=[label for _key, label in importer.preview_columns],
            used=[(table.header[i], importer.by_key[k].label) for i, k in sorted(mapping.items()) if k],
            ignored=[table.header[i] for i, k in sorted(mapping.items()) if not k and table.header[i]],
            encoding=table.encoding, delimiter={",": ",", ";": ";", "\t": _("tab")}.get(table.delimiter, table.delimiter),
        )

    def load_plan(self, job):
        try:
            return Plan.loads(importjobs.plan_path(job).read_text())
        except (OSError, ValueError, TypeError):
            return None

    def commit(self, request, token, job, importer):
        """Write the plan the user confirmed, if it is still the preview of this file
        with these columns; otherwise show the preview again (nothing written)."""
        digest = self.digest(importer, job)
        plan = self.load_plan(job)
        sent = request.POST.get("digest", "").encode()   # bytes: compare_digest refuses non-ASCII text
        if plan is None or not secrets.compare_digest(sent, digest.encode()) or plan.digest != digest:
            messages.error(request, _("This preview is out of date: the file or the column choices changed. "
                                      "Check the preview below and confirm again."))
            return self.show_preview(request, token, job, importer)
        try:
            result = services.records_import(importer=importer, plan=plan, user=request.user, source=job["name"],
                                             skip_errors=request.POST.get("skip_errors") == "on")
        except services.DomainError as error:
            messages.error(request, error.message)
            return self.show_preview(request, token, job, importer)
        self.forget(request, token)
        messages.success(request, _("Import finished: %(counts)s.") % {"counts": self.counts_text(result)})
        return redirect(self.viewset.url("list"))

    @staticmethod
    def counts_text(counts: dict[str, int]) -> str:
        """What a confirmed import did, by the statuses its preview counted: "2 new,
        1 updated, 3 unchanged, 0 skipped, 1 with errors (not imported)"."""
        return ", ".join([
            ngettext("%(count)d new", "%(count)d new", counts["new"]) % {"count": counts["new"]},
            ngettext("%(count)d updated", "%(count)d updated", counts["update"]) % {"count": counts["update"]},
            ngettext("%(count)d unchanged", "%(count)d unchanged", counts["unchanged"]) % {"count": counts["unchanged"]},
            ngettext("%(count)d skipped", "%(count)d skipped", counts["skip"]) % {"count": counts["skip"]},
            ngettext("%(count)d with errors (not imported)", "%(count)d with errors (not imported)",
                     counts["error"]) % {"count": counts["error"]},
        ])


class ImportStatusView(ViewSetMixin, View):
    """Where the user's import step in progress is (the import page polls it
    while it waits: crm.js), read from the file that step writes, so any
    server process can answer. 204 when there is nothing to tell yet."""

    def get(self, request):
        data = importjobs.read_progress(request.GET.get("id", ""), request.user)
        if data is None:
            return HttpResponse(status=204)
        done, total = int(data.get("done") or 0), int(data.get("total") or 0)
        numbers = {"done": intcomma(done), "total": intcomma(total)}
        phase = data.get("phase")
        if phase == "read":
            text = (ngettext("Reading the file: %(done)s of about %(total)s row", "Reading the file: %(done)s of "
                             "about %(total)s rows", total) if total else
                    ngettext("Reading the file: %(done)s row", "Reading the file: %(done)s rows", done)) % numbers
        elif phase == "check":
            text = ngettext("Checking the rows: %(done)s of %(total)s", "Checking the rows: %(done)s of %(total)s",
                            total) % numbers
        elif phase in ("match", "compare"):
            text = ngettext("Comparing with the saved records: %(done)s of %(total)s",
                            "Comparing with the saved records: %(done)s of %(total)s", total) % numbers
        elif phase == "write":
            text = ngettext("Importing: %(done)s of %(total)s row", "Importing: %(done)s of %(total)s rows",
                            total) % numbers
        else:
            text = _("Preparing the preview…")
        response = JsonResponse({"phase": phase, "done": done, "total": total, "text": text})
        response["Cache-Control"] = "no-store"
        return response


class ObjectChangeLogView(ViewSetMixin, View):
    """Who changed the record, when, and what (every save, bulk change and import)."""

    def get(self, request, pk):
        obj = self.viewset.get_object(request, pk)
        entries = services.changelog_for(obj)[:200]
        return render(request, "generic/changelog.html", self.base_context(object=obj, entries=entries))


class ObjectPrintView(ViewSetMixin, View):
    """The record as a clean PDF (WeasyPrint)."""

    def get(self, request, pk):
        obj = self.viewset.get_object(request, pk)
        context = self.base_context(object=obj, sections=self.viewset.detail_sections,
                                    **self.viewset.print_context(request, obj))
        return pdf_response(render_pdf(self.viewset.template_print, context, request), str(obj))


# --- Deleted items (the recycle bin of each workspace) ---------------------------------

class DeletedItemsView(View):
    """Deleted items of one workspace: the records of its types and the history
    items deleted from them in the last ``CRM_DELETED_ITEMS_DAYS`` days — what,
    who deleted it, when, what went with it — newest first, with search, a type
    filter and sortable columns, and a Restore button (a POST) where the user
    may restore. A record type in a workspace's tabs is listed here by itself."""

    # Sort key → (column label, field).
    SORTS = {"type": (gettext_lazy("Type"), "record_type"), "name": (gettext_lazy("Name"), "text"),
             "deleted_by": (gettext_lazy("Deleted by"), "deleted_by_name"), "deleted": (gettext_lazy("Deleted"), "deleted_at")}

    def get(self, request, workspace):
        from crm import navigation
        from crm.models import DeletedItem
        from crm.permissions import is_owner

        space = navigation.workspace(workspace)
        keys = space.record_types if space else ()
        if not keys:
            raise Http404
        types = [(key, str(registry.get(key).verbose_name_plural)) for key in keys]
        types.append((DeletedItem.HISTORY_ITEM, str(_("History items"))))
        in_scope = models.Q()
        for key in keys:
            in_scope |= models.Q(scope__contains=f" {key} ")
        items = DeletedItem.objects.filter(in_scope, deleted_at__gte=recycle.cutoff()).defer("payload")
        chosen_type = request.GET.get("type", "")
        if chosen_type in dict(types):
            items = items.filter(record_type=chosen_type)
        text = request.GET.get("q", "").strip()
        try:
            MaxLengthValidator(MAX_FILTER_TEXT)(text)   # as the lists' search box (SQLite refuses huge LIKE patterns)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            text = ""
        if "\x00" in text:
            items = items.none()   # no name holds a NUL (and PostgreSQL cannot compare one)
        elif text:
            items = items.filter(text__icontains=text)
        mine = request.GET.get("mine") == "1"
        if mine and not is_owner(request.user):
            items = items.filter(assignee=request.user)
        sort = request.GET.get("sort", "")
        if sort.lstrip("-") not in self.SORTS:
            sort = "-deleted"
        field_name = self.SORTS[sort.lstrip("-")][1]
        descending = sort.startswith("-")
        ordering = [f"-{field_name}" if descending else field_name, "-id" if descending else "id"]
        paginator = Paginator(items.order_by(*ordering), settings.CRM_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        columns = [{"label": label, "next": f"-{key}" if sort == key else key,
                    "sorted": "desc" if sort == f"-{key}" else ("asc" if sort == key else "")}
                   for key, (label, _field) in self.SORTS.items()]
        rows = [{"item": item, "type": recycle.type_label(item), "details": recycle.item_details(item),
                 "until": item.restorable_until, "may_restore": services.may_restore(item, request.user),
                 "restore_url": registry.pk_url("crm:deleted_item_restore", item.pk)} for item in page.object_list]
        context = {
            "workspace": space, "types": types, "chosen_type": chosen_type, "q": text, "mine": mine, "sort": sort,
            "columns": columns, "rows": rows, "page": page,
            "restore_sentence": recycle.restore_sentence(), "days": recycle.keep_days(),
        }
        if request.htmx and request.htmx.target == "results":
            return render(request, "generic/deleted_items.html#results", context)
        return render(request, "generic/deleted_items.html", context)


class DeletedItemRestoreView(View):
    """Restore a deleted record or history item (a POST; the database owner or
    the record's assignee, others get 403), then open it, with what could not
    come back said in warnings."""

    def post(self, request, pk):
        from crm.models import DeletedItem

        item = get_object_or_404(DeletedItem.objects.defer("payload"), pk=pk)
        if not services.may_restore(item, request.user):
            raise PermissionDenied
        try:
            restored = services.deleted_item_restore(item=item, user=request.user)
        except services.DomainError as error:
            messages.error(request, error.message)
            return redirect(safe_next(request, reverse("crm:home")))
        messages.success(request, _("“%(name)s” was restored.") % {"name": restored.obj})
        for note in restored.notes:
            messages.warning(request, note)
        try:
            return redirect(registry.record_url(restored.obj))
        except LookupError:  # a history item
            return redirect(restored.obj.get_absolute_url())
