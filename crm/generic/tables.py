"""Base table for record lists (django-tables2 columns, our own template)."""
import django_tables2 as tables
from django.utils.translation import gettext_lazy as _


class CategoriesColumn(tables.Column):
    """Coloured category badges (the list's queryset prefetches ``categories``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("verbose_name", _("Categories"))
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("empty_values", ())
        super().__init__(**kwargs)

    def render(self, value, record):
        from django.template.loader import render_to_string

        return render_to_string("generic/includes/categories.html", {"categories": record.categories.all()})


class UserColumn(tables.Column):
    def render(self, value):
        return value.get_full_name() or value.get_username()


class RecordTable(tables.Table):
    """Rows carry their detail URL for the reading pane; the first column is the title link."""

    categories = CategoriesColumn()

    class Meta:
        template_name = "generic/includes/table.html"
        attrs = {"class": "table table-sm table-hover align-middle record-table"}
        order_by_field = "sort"
        page_field = "page"
