"""The record types the generic machinery knows: one entry per type.

History links, the "Link to" dialog, change logs and roll-ups find models
here by a short key ("account", "contact", "lead", "opportunity"),
so a new record type plugs in with one ``register`` call.
"""
from dataclasses import dataclass, field
from typing import Callable

from django.core.signals import setting_changed
from django.db import models
from django.db.models import Q, QuerySet
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

from .search import search


@dataclass(frozen=True)
class RecordType:
    key: str
    model: type[models.Model]
    verbose_name: str
    verbose_name_plural: str
    url_namespace: str = "crm"
    # Leads and business contacts share a table; this tells them apart.
    filter: Q = field(default_factory=Q)
    owns: Callable[[models.Model], bool] = lambda obj: True
    linkable: bool = True

    def queryset(self) -> QuerySet:
        return self.model._default_manager.filter(self.filter)

    def url_name(self, action: str) -> str:
        return f"{self.url_namespace}:{self.key}_{action}"

    def search(self, text: str) -> QuerySet:
        """The records a search box's ``text`` finds (as on the type's list: the
        model's ``search_fields`` and ``search_index``, crm.models.Record)."""
        return search(self.queryset(), text, fields=self.model.search_fields, index=self.model.search_index)


@dataclass(frozen=True)
class Rollup:
    """History of ``child_model`` records also shows on the record their ``fk`` points to."""

    parent_model: type[models.Model]
    child_model: type[models.Model]
    fk: str


_types: dict[str, RecordType] = {}
_rollups: list[Rollup] = []


def register(record_type: RecordType) -> RecordType:
    _types[record_type.key] = record_type
    return record_type


def register_rollup(parent_model, child_model, fk: str) -> None:
    _rollups.append(Rollup(parent_model, child_model, fk))


def get(key: str) -> RecordType:
    """The record type for a key; KeyError for an unknown one."""
    return _types[key]


def all_types() -> list[RecordType]:
    return list(_types.values())


def linkable_types() -> list[RecordType]:
    return [t for t in _types.values() if t.linkable]


def for_instance(obj: models.Model) -> RecordType:
    concrete = obj._meta.concrete_model
    for record_type in _types.values():
        if record_type.model._meta.concrete_model is concrete and record_type.owns(obj):
            return record_type
    raise LookupError(f"{type(obj).__name__} is not a registered record type")


def for_model(model: type[models.Model]) -> RecordType:
    """The type whose model is exactly ``model`` (a lead's proxy model is the
    lead type; the business contact model, the business contact type)."""
    for record_type in _types.values():
        if record_type.model is model:
            return record_type
    raise LookupError(f"{model.__name__} is not a registered record type")


def rollups_into(model: type[models.Model]) -> list[Rollup]:
    concrete = model._meta.concrete_model
    return [r for r in _rollups if r.parent_model._meta.concrete_model is concrete]


# --- record URLs ---------------------------------------------------------------------------
_MARKER = 987654321
_url_patterns: dict[tuple, str] = {}


def pk_url(url_name: str, pk) -> str:
    """``reverse(url_name, args=[pk])`` for a URL whose one argument is a primary
    key. A History page links 50 items and their records (about 140 URLs):
    the URL is reversed once per name and the key put in its place."""
    key = (url_name, get_script_prefix(), get_urlconf())
    pattern = _url_patterns.get(key)
    if pattern is None:
        pattern = _url_patterns[key] = reverse(url_name, args=[_MARKER])
    return pattern.replace(str(_MARKER), str(int(pk)))


def record_url(obj: models.Model, action: str = "detail") -> str:
    """URL of one of a record's pages (``detail``, ``edit``, ``history`` …) for the
    type it is now: leads and business contacts share a table, so a row read
    as a ``BusinessContact`` that is a lead links to /leads/N/, and a converted
    lead read as a ``Lead`` to /contacts/N/."""
    return pk_url(for_instance(obj).url_name(action), obj.pk)


@receiver(setting_changed)
def _forget_url_patterns(*, setting, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _url_patterns.clear()
