"""A link to one record among several types: an opportunity's account *or*
business contact, the "Initiated by" account *or* contact of a business
contact, lead or opportunity.

It is stored as one nullable foreign key per type, declared on the model as
usual (each keeps its own ``on_delete``, related name and index), and grouped
by a ``LinkedRecord`` declared beside them::

    account = models.ForeignKey("crm.Account", null=True, blank=True, ...)
    contact = models.ForeignKey("crm.BusinessContact", null=True, blank=True, ...)
    linked = LinkedRecord("account", "contact", required=True,
                          message=_("Link the opportunity to one account or one business contact."))

The one declaration gives:

- ``record.linked`` (the linked record, whichever type) and ``record.linked = obj``
  (sets the matching key, clears the others);
- the rule, checked by ``Record.clean()`` on every write path, its error keyed
  on the link's name; with ``required`` also a database ``CheckConstraint``
  (exactly one);
- ``link.formfield()``: the form's "Link to" control (``LinkField``), which
  ``RecordForm`` shows with the record's link and sets on the instance;
- ``link.name_q(word)``: a filter by the linked record's name;
- ``link.resolve(...)``: an import's name columns (one per type, the record
  types' ``lookup_fields``) resolved to the record (``crm.imports``).

A many-to-many field to one record type (a project's related accounts) is
picked with the same dialog: ``LinkManyField`` lists the chosen records, each
with a Remove button, and "Add…" opens the Link to dialog.
"""
from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .params import parse_id
from .widgets import LinkManyWidget, LinkToWidget


class LinkedRecord:
    """One link to a record of one of several types (see the module's docstring)."""

    def __init__(self, *fields: str, required: bool = False, message=None, verbose_name=None, help_text="",
                 constraint_name: str | None = None):
        self.field_names = fields
        self.required = required
        self.message = message or _("Link to one record only.")
        self.verbose_name = verbose_name
        self.help_text = help_text
        self.constraint_name = constraint_name

    def contribute_to_class(self, cls, name: str) -> None:
        self.name, self.model = name, cls
        setattr(cls, name, self)
        # Each model class gets its own mapping (a subclass adds to a copy).
        cls.record_links = {**getattr(cls, "record_links", {}), name: self}
        if self.required and not cls._meta.abstract:
            exactly_one = Q()
            for chosen in self.field_names:
                exactly_one |= Q(**{f"{other}__isnull": other != chosen for other in self.field_names})
            constraint_name = self.constraint_name or f"{cls._meta.model_name}_{name}_one"
            if not any(c.name == constraint_name for c in cls._meta.constraints):
                cls._meta.constraints = [*cls._meta.constraints, models.CheckConstraint(
                    condition=exactly_one, name=constraint_name)]
                # Migrations read a model's constraints only if its Meta declared
                # some (ModelState.from_model looks at ``original_attrs``): say so,
                # or a model whose Meta has none gets no constraint in its database.
                cls._meta.original_attrs["constraints"] = cls._meta.constraints

    # --- the record's side ------------------------------------------------------
    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        for name in self.field_names:
            if getattr(obj, f"{name}_id") is not None:
                return getattr(obj, name)
        return None

    def __set__(self, obj, value) -> None:
        chosen = self.field_for(value) if value is not None else None
        for field in self.fields():
            setattr(obj, field.name, value if field is chosen else None)

    def fields(self) -> list[models.ForeignKey]:
        return [self.model._meta.get_field(name) for name in self.field_names]

    def field_for(self, record: models.Model) -> models.ForeignKey:
        """The foreign key that holds ``record`` (ValueError: none of them can)."""
        for field in self.fields():
            if isinstance(record, field.related_model):
                return field
        raise ValueError(f"{type(record).__name__} cannot be linked through {self.model.__name__}.{self.name}")

    def errors(self, obj) -> list:
        """What the rule says of ``obj``'s link: one at most, exactly one if required."""
        chosen = sum(getattr(obj, f"{name}_id") is not None for name in self.field_names)
        if chosen > 1 or (self.required and chosen == 0):
            return [ValidationError(self.message, code="link")]
        return []

    def types(self) -> list[str]:
        """The registry keys of the types it links to, in declaration order."""
        from . import registry

        return [registry.for_model(field.related_model).key for field in self.fields()]

    # --- lists, forms and imports ------------------------------------------------
    def name_q(self, word: str) -> Q:
        """Records whose linked record's name contains ``word`` (any case)."""
        match = Q()
        for field in self.fields():
            match |= Q(**{f"{field.name}__{field.related_model.lookup_fields[0]}__icontains": word})
        return match

    def formfield(self, **kwargs) -> LinkField:
        kwargs.setdefault("required", self.required)
        kwargs.setdefault("label", self.verbose_name)
        kwargs.setdefault("help_text", self.help_text)
        return LinkField(link=self, **kwargs)


class LinkField(forms.Field):
    """A link to one record of several types, picked in the Link to dialog
    (value ``"key:pk"``); cleans to the record or None. ``types`` are registry
    keys; with ``link`` they are the link's (read when the form is built, after
    every app has registered its types)."""

    def __init__(self, *, types: list[str] | None = None, link: LinkedRecord | None = None, **kwargs):
        kwargs.setdefault("required", False)
        self.link, self._types = link, types
        super().__init__(widget=LinkToWidget(types=types), **kwargs)

    def __deepcopy__(self, memo):
        # Each form gets its own copy; the link's types are known by then.
        result = super().__deepcopy__(memo)
        result.widget.types = result.types
        return result

    @property
    def types(self) -> list[str]:
        return self._types if self._types is not None else self.link.types()

    def prepare_value(self, value):
        if value is None or isinstance(value, str):
            return value
        from . import registry

        # With one type the Link to dialog gives the key alone (LinkToWidget).
        return str(value.pk) if len(self.types) == 1 else f"{registry.for_instance(value).key}:{value.pk}"

    def clean(self, value):
        from . import registry

        super().clean(value)
        if not value:
            return None
        key, _sep, pk = str(value).partition(":")
        if not _sep and len(self.types) == 1:
            key, pk = self.types[0], key
        if key not in self.types or parse_id(pk) is None:
            raise forms.ValidationError(_("Choose a record."))
        obj = registry.get(key).queryset().filter(pk=parse_id(pk)).first()
        if obj is None:
            raise forms.ValidationError(_("That record no longer exists."))
        return obj


class LinkFormMixin:
    """For a ModelForm of a model with ``LinkedRecord``s: a link shown as one
    field of the same name (``LinkField``) starts from the record's link and is
    set on the instance before the model's rules run. The link's errors go on
    that field; a form that shows the foreign keys instead (the admin) gets them
    on the first of those, or above the form."""

    def _links(self) -> dict[str, LinkedRecord]:
        return getattr(self._meta.model, "record_links", {})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk:
            for name, link in self._links().items():
                if name in self.fields and name not in self.initial:
                    linked = getattr(self.instance, name)
                    if linked is not None:
                        self.initial[name] = self.fields[name].prepare_value(linked)

    def clean(self):
        data = super().clean()
        for name, link in self._links().items():
            if name in self.fields and name in data:
                setattr(self.instance, name, data[name])
        return data

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict") and self._links():
            merged: dict[str, list] = {}
            for name, messages in errors.error_dict.items():
                link = self._links().get(name)
                if link is not None and name in self.errors:
                    continue  # the field's own error ("This field is required.") says it already
                if link is not None and name not in self.fields:
                    name = next((f for f in link.field_names if f in self.fields), NON_FIELD_ERRORS)
                merged.setdefault(name, []).extend(messages)
            errors = ValidationError(merged)
        super()._update_errors(errors)


class LinkManyField(forms.ModelMultipleChoiceField):
    """Several records of one record type (registry key ``type_key``), picked
    one at a time in the Link to dialog: a project's related accounts. It is a
    ``ModelMultipleChoiceField`` over the type's records, so it cleans to a
    queryset the record services set as the many-to-many value; its control
    (``LinkManyWidget``) never lists the type's records (100,000 accounts), only
    the chosen ones, read in one query. The type's records are looked up when
    each form is built (after every app has registered its types)."""

    # A post naming more is refused before any query (a tampered form).
    max_chosen = 500

    def __init__(self, *, type_key: str, **kwargs):
        kwargs.setdefault("required", False)
        self.type_key = type_key
        super().__init__(None, widget=LinkManyWidget(type_key=type_key), **kwargs)

    def __deepcopy__(self, memo):
        from . import registry

        result = super().__deepcopy__(memo)
        result.queryset = registry.get(self.type_key).queryset()
        return result

    def widget_attrs(self, widget) -> dict:
        # The "Add…" button is named after the field ("Related accounts: Add…").
        return {**super().widget_attrs(widget), "data-field-label": str(self.label or "")}

    def clean(self, value):
        if value and not isinstance(value, str) and len(value) > self.max_chosen:
            raise forms.ValidationError(_("Choose at most %(count)d records.") % {"count": self.max_chosen},
                                        code="too_many")
        return super().clean(value)
