"""Base filterset: free-text search over the record type's search index or fields."""
import django_filters
from django_filters.fields import ModelChoiceIterator
from django import forms
from django.utils.translation import gettext_lazy as _

from .search import WordIndex, is_search, search as search_text


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
    """``q`` searches ``search_index`` if the list has one (every word the start of
    a word of the record), else ``search_fields`` (every word a substring of one
    of them); see ``crm.generic.search``."""

    search_fields: tuple[str, ...] = ()
    search_index: WordIndex | None = None
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

    @property
    def searching(self) -> bool:
        """Whether the list is narrowed by a free-text search."""
        return self.is_valid() and is_search(self.form.cleaned_data.get("q") or "", self.search_index)

    def search(self, queryset, name, value):
        return search_text(queryset, value, fields=self.search_fields, index=self.search_index)
