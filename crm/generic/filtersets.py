"""Base filterset: free-text search over the record type's search index or fields."""
import django_filters
from django_filters import fields as filter_fields
from django_filters.fields import ModelChoiceIterator
from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection, models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .counts import cached_list

from .search import is_search, search as search_text


class PlainChoiceIterator(ModelChoiceIterator):
    """The choices of a filter (users, categories, sources) from its field's
    cached list (``CachedChoicesMixin``).

    Django iterates a model choice field with ``queryset.iterator()``, which
    on PostgreSQL opens a server-side cursor: DECLARE, FETCH and CLOSE, three
    round trips per field and list page instead of one. The lists are short."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if getattr(self.field, "null_label", None) is not None:
            yield (self.field.null_value, self.field.null_label)
        for obj in self.field.choice_objects():
            yield self.choice(obj)


class CachedChoicesMixin:
    """A filter's model choices read once — from the cache while no tracked
    table has changed (``counts.cached_list``) — and used both to draw the
    options and to check the chosen ones, which Django does with a query each."""

    iterator = PlainChoiceIterator

    def choice_objects(self) -> list:
        if getattr(self, "_choice_objects", None) is None:
            self._choice_objects = cached_list(self.queryset)
        return self._choice_objects

    def _by_key(self) -> dict:
        key = self.to_field_name or "pk"
        return {getattr(obj, key): obj for obj in self.choice_objects()}

    def _key_value(self, value):
        """``value`` as the key field's Python value (what the database compares)."""
        opts = self.queryset.model._meta
        field = opts.get_field(self.to_field_name) if self.to_field_name else opts.pk
        return field.target_field.to_python(value) if field.is_relation else field.to_python(value)


class CachedModelChoiceField(CachedChoicesMixin, filter_fields.ModelChoiceField):
    def to_python(self, value):
        if self.null_label is not None and value == self.null_value:
            return value
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        try:
            return self._by_key()[self._key_value(value)]
        except (ValueError, TypeError, KeyError, ValidationError):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})


class CachedModelMultipleChoiceField(CachedChoicesMixin, filter_fields.ModelMultipleChoiceField):
    def _check_values(self, value):
        """As Django's, with the cached choices instead of a query."""
        null = self.null_label is not None and value and self.null_value in value
        if null:
            value = [v for v in value if v != self.null_value]
        try:
            value = frozenset(value)
        except TypeError:
            raise ValidationError(self.error_messages["invalid_list"], code="invalid_list")
        by_key, chosen = self._by_key(), []
        for pk in value:
            self.validate_no_null_characters(pk)
            try:
                key = self._key_value(pk)
            except (ValueError, TypeError, ValidationError):
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": pk})
            if key not in by_key:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                      params={"value": pk})
            chosen.append(by_key[key])
        return chosen + ([self.null_value] if null else [])


CACHED_FIELDS = {filter_fields.ModelChoiceField: CachedModelChoiceField,
                 filter_fields.ModelMultipleChoiceField: CachedModelMultipleChoiceField}


# Longer filter text is refused (a field error): nothing in the lists is that
# long, and SQLite refuses LIKE patterns over 50,000 bytes.
MAX_FILTER_TEXT = 200


def bound_input(filter_, model) -> None:
    """Limit what a filter accepts to what its column can be compared with, so
    that odd input is a field error rather than a database error: a number for
    an integer column (an id: ``?account=…``) is a whole number in the column's
    range, a number for a decimal column has at most its digits, text is at
    most MAX_FILTER_TEXT characters."""
    if isinstance(filter_, django_filters.CharFilter):
        filter_.extra.setdefault("max_length", MAX_FILTER_TEXT)
        return
    if not isinstance(filter_, django_filters.NumberFilter) or model is None:
        return
    try:
        field = model._meta.get_field(filter_.field_name)
    except FieldDoesNotExist:
        return
    column = field.target_field if field.is_relation else field
    if isinstance(column, models.IntegerField):
        low, high = connection.ops.integer_field_range(column.get_internal_type())
        filter_.field_class = forms.IntegerField
        filter_.extra.setdefault("min_value", low)
        filter_.extra.setdefault("max_value", high)
    elif isinstance(column, models.DecimalField):
        filter_.extra.setdefault("max_digits", column.max_digits)


class RecordScopeFilter(django_filters.NumberFilter):
    """A list narrowed to the records linked to one record, by its id
    (``?initiated_by_activity=5``): a hidden filter that the linking record's
    pages point to (a marketing activity's tracking page opens the leads it
    initiated). ``field_name`` is the foreign key; ``label`` says what the
    link is ("Initiated by marketing activity"). The list says above its rows
    that it is narrowed, to which record, with a link that removes the filter
    (``SearchFilterSet.scopes``)."""

    def __init__(self, *, field_name: str, label, **kwargs):
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(field_name=field_name, label=label, **kwargs)

    def related_model(self, model):
        return model._meta.get_field(self.field_name.removesuffix("_id")).related_model


def style_widgets(form: forms.Form) -> forms.Form:
    """Bootstrap's small classes on a form drawn without crispy (list filters, report options)."""
    if not getattr(form, "_styled", False):
        for field in form.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxSelectMultiple, forms.CheckboxInput)):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control form-control-sm")
        form._styled = True
    return form


class SearchFilterSet(django_filters.FilterSet):
    """``q`` searches as the record type declares (``search_fields`` and
    ``search_index`` on the model, crm.models.Record): with a word index every
    word is the start of a word of the record, else every word a substring of
    one of the fields; see ``crm.generic.search``."""

    q = django_filters.CharFilter(method="search", label=_("Search"), widget=forms.TextInput(attrs={"type": "search"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():
            # Model choices read once per page, or from the cache (CachedChoicesMixin).
            filter_.field_class = CACHED_FIELDS.get(filter_.field_class, filter_.field_class)
            bound_input(filter_, self._meta.model)

    @property
    def form(self):
        """The filter form with Bootstrap classes on its widgets (drawn without crispy)."""
        return style_widgets(super().form)

    @property
    def searching(self) -> bool:
        """Whether the list is narrowed by a free-text search."""
        return self.is_valid() and is_search(self.form.cleaned_data.get("q") or "", self._meta.model.search_index)

    @cached_property
    def scopes(self) -> list[dict]:
        """The ``RecordScopeFilter``s the list is narrowed by, for the notice
        above its rows: each one's ``label``, the ``record`` it names (None if
        that record is gone) and ``remove_query``, the list's query without it
        (nor a page number). One query per filter given, none otherwise."""
        if not self.is_valid():
            return []
        result = []
        for name, filter_ in self.filters.items():
            pk = self.form.cleaned_data.get(name) if isinstance(filter_, RecordScopeFilter) else None
            if pk is None:
                continue
            related = filter_.related_model(self._meta.model)
            params = self.data.copy()
            for key in (name, "page"):
                params.pop(key, None)
            result.append({"label": filter_.label, "record": related._base_manager.filter(pk=pk).first(),
                           "remove_query": params.urlencode()})
        return result

    def search(self, queryset, name, value):
        model = self._meta.model
        return search_text(queryset, value, fields=model.search_fields, index=model.search_index)
