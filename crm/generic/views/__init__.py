"""The views every record type reuses (NetBox-style, declarative per model).

A record type declares a ``RecordViewSet`` subclass — queryset, filterset,
table, form, detail sections, bulk actions — and gets list, reading pane,
detail, create/edit (Save & Close / Save & New / Cancel, conflict detection),
delete, bulk actions, export, import, change history and print views from
``urls()``.
A view that needs more than a hook override means the base lacks a hook:
add it here, once.

``viewset`` declares a type's pages and their URLs; ``base`` is what every
page shares; ``lists`` the list, its columns and its order; ``record`` one
record's pages; ``bulk`` bulk actions; ``importexport`` export and import;
``deleted`` the Deleted items pages.
"""
from ..params import is_site_path, parse_version, safe_next
from .base import RecordMoved, ViewSetMixin
from .bulk import BulkActionView
from .deleted import DeletedItemRestoreView, DeletedItemsView
from .importexport import ExportView, ImportStatusView, ImportView
from .lists import (
    LIST_COLUMNS_SESSION_KEY, ListColumnsView, ObjectListView, chosen_columns, filtered_queryset, list_ordering,
    list_table, selected_queryset, unindexed_ordering,
)
from .record import ObjectChangeLogView, ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectPrintView
from .viewset import RecordViewSet

__all__ = [
    "LIST_COLUMNS_SESSION_KEY", "BulkActionView", "DeletedItemRestoreView", "DeletedItemsView", "ExportView",
    "ImportStatusView", "ImportView", "ListColumnsView", "ObjectChangeLogView", "ObjectDeleteView",
    "ObjectDetailView", "ObjectEditView", "ObjectListView", "ObjectPrintView", "RecordMoved", "RecordViewSet",
    "ViewSetMixin", "chosen_columns", "filtered_queryset", "is_site_path", "list_ordering", "list_table",
    "parse_version", "safe_next", "selected_queryset", "unindexed_ordering",
]
