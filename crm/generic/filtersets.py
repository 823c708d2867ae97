"""Base filterset: free-text search over the record type's search fields."""
import django_filters
from django_filters.fields import ModelChoiceIterator
from django import forms
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _


class PlainChoiceIterator(ModelChoiceIterator):
    """The choices of a filter (users, categories, sources) in one plain SELECT.

    Django iterates a model choice field with ``queryset.iterator()``, which
    on PostgreSQL opens a server-side cursor: DECLARE, FETCH and CLOSE, three
    round trips per field and list page instead of one. The lists are short."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if getattr(self.field, "null_label", None) is not None:
            yield (self.field.null_value, self.field.null_label)
        for obj in self.queryset:
            yield self.choice(obj)


class SearchFilterSet(django_filters.FilterSet):
    """``q`` matches every word against any of ``search_fields`` (case-insensitive)."""

    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(method="search", label=_("Search"), widget=forms.TextInput(attrs={"type": "search"}))

    @property
    def form(self):
        """The filter form with Bootstrap classes on its widgets (drawn without crispy), its
        model choices read with plain queries."""
        form = super().form
        if not getattr(form, "_styled", False):
            for field in form.fields.values():
                if isinstance(field, forms.ModelChoiceField):
                    field.iterator = PlainChoiceIterator
                    field.widget.choices = field.choices
                widget = field.widget
                if isinstance(widget, forms.CheckboxSelectMultiple):
                    widget.attrs.setdefault("class", "form-check-input")
                elif isinstance(widget, forms.Select):
                    widget.attrs.setdefault("class", "form-select form-select-sm")
                elif not isinstance(widget, forms.HiddenInput):
                    widget.attrs.setdefault("class", "form-control form-control-sm")
            form._styled = True
        return form

    # An SQLite FTS5 trigram table over the search fields (see crm migration
    # 0004), used for words of three characters or more.
    sqlite_fulltext_table: str = ""

    @property
    def searching(self) -> bool:
        """Whether the list is narrowed by a free-text search."""
        return self.is_valid() and bool((self.form.cleaned_data.get("q") or "").split())

    def search(self, queryset, name, value):
        use_fulltext = self.sqlite_fulltext_table and connection.vendor == "sqlite"
        for word in value.split()[:8]:
            if use_fulltext and len(word) >= 3:
                phrase = '"' + word.replace('"', '""') + '"'
                queryset = queryset.filter(pk__in=RawSQL(
                    f"SELECT rowid FROM {self.sqlite_fulltext_table} WHERE {self.sqlite_fulltext_table} MATCH %s",
                    [phrase]))
                continue
            q = Q()
            for field in self.search_fields:
                q |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(q)
        return queryset
