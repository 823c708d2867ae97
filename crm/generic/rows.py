"""Model instances for a list page, built without ``Model.__init__``.

A list page loads 50 records and their assigned users with ``only()``. For a
60-field model, Django's ``from_db`` walks every field of every instance to
mark the deferred ones: 5 ms of a 16 ms page for 100 instances. Here the
rows are read with ``values()`` (same SQL converters) and put straight into
each instance's ``__dict__``: the instances behave like those of ``only()``
(methods, ``__str__``, ``get_FOO_display``, cached forward relations; a
field that was not loaded is fetched on access, as a deferred field is).
"""
from __future__ import annotations

from django.db.models.base import ModelState


def _instance(model, db: str, values: dict):
    obj = model.__new__(model)
    obj.__dict__.update(values)
    state = obj._state = ModelState()
    state.adding = False
    state.db = db
    return obj


def light_instances(queryset, fields, annotations=()) -> list | None:
    """The rows of ``queryset`` as instances holding ``fields``: concrete fields
    of the model, or ``relation__field`` through a forward foreign key. None if
    ``fields`` asks for something else (the caller then uses ``only()``).
    ``annotations`` of the queryset are set on the instances too."""
    opts = queryset.model._meta
    local = {opts.pk.attname}
    related: dict[str, dict[str, str]] = {}   # relation -> {values() key: related attname}
    for name in fields:
        head, _sep, rest = name.partition("__")
        field = opts.get_field(head)
        if (not field.concrete or (field.is_relation and not rest)
                or (rest and (not field.many_to_one or "__" in rest or not field.target_field.primary_key))):
            return None
        if rest:
            related.setdefault(head, {})[name] = field.related_model._meta.get_field(rest).attname
            local.add(field.attname)
        else:
            local.add(field.attname)
    db = queryset.db
    shared: dict[tuple[str, object], object] = {}
    records = []
    for row in queryset.values(*local, *annotations, *(key for keys in related.values() for key in keys)):
        obj = _instance(queryset.model, db, {attname: row[attname] for attname in (*local, *annotations)})
        for head, keys in related.items():
            field = opts.get_field(head)
            key = row[field.attname]
            if key is None:
                obj._state.fields_cache[head] = None
                continue
            if (head, key) not in shared:
                related_model = field.related_model
                values = {attname: row[k] for k, attname in keys.items()}
                values[related_model._meta.pk.attname] = key
                shared[(head, key)] = _instance(related_model, db, values)
            obj._state.fields_cache[head] = shared[(head, key)]
        records.append(obj)
    return records
