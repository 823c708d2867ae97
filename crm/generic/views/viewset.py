"""``RecordViewSet``: the declarative description of one record type's pages,
its hooks, and ``urls()``, which maps them to the views of this package."""
from __future__ import annotations

from django.http import Http404
from django.urls import NoReverseMatch, path, reverse

from .. import registry, services
from ..actions import DEFAULT_ACTIONS, with_registered
from ..rows import light_instances
from .base import RecordMoved
from .bulk import BulkActionView
from .importexport import ExportView, ImportStatusView, ImportView
from .lists import ListColumnsView, ObjectListView
from .record import ObjectChangeLogView, ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectPrintView


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
    # More pages of one record, as tabs beside General, History and Changes:
    # (key, label, URL action), e.g. ("tracking", _("Tracking"), "tracking")
    # for the page at ``url_name("tracking")``; a page of the record shows them
    # all, and marks its own with ``active`` = key (generic/includes/record_header.html).
    record_tabs: tuple[tuple[str, str, str], ...] = ()
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
    def get_actions(cls) -> list:
        """The bulk actions of the list and the record's buttons: ``actions``,
        plus those other apps registered for the type (``crm.generic.actions.register_action``)."""
        return with_registered(cls.record_type, cls.actions)

    @classmethod
    def get_bulk_edit_fields(cls) -> list[str]:
        """The form's fields that are model fields (one value for every record),
        or links to one record of several types (``Record.record_links``)."""
        model = cls.rtype().model
        model_fields = {f.name for f in model._meta.get_fields() if getattr(f, "concrete", False)}
        model_fields |= set(getattr(model, "record_links", {}))
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
