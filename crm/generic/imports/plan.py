"""What a preview finds and what a confirmed import writes: the result of
each row, the preview, and the ``Plan`` stored with the upload — made from
the preview, checked again and written (``crm.generic.services.records_import``)
at the commit."""
from __future__ import annotations

import datetime
import decimal
import gc
import json
import operator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .. import bulk


# How often a preview or commit tells its progress, in rows.
PROGRESS_EVERY = 1000

# Lookups by e-mail or ID go in slices: one query may carry only so many
# parameters (SQLite: 32,766 or 250,000 depending on the build).
LOOKUP_SLICE = 500


# What a row of the file does, in the order the preview and the commit report them.
STATUSES = ("new", "update", "unchanged", "skip", "error")


@dataclass(slots=True)
class RowResult:
    number: int                      # line in the file, blank lines counted (the header is usually line 1)
    status: str = "new"              # one of STATUSES
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)   # (column header, reason)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (column header, message): imported anyway
    note: str = ""
    existing_pk: int | None = None
    existing_version: int | None = None  # the matched record's version, to notice edits before the commit
    # A new row's record as the preview built and cleaned it: the values of the
    # importer's ``record_fields()``, in that order (a tuple, not the model
    # instance: 200,000 instances held ~1 GB).
    record: tuple | None = None
    cells: list[str] = field(default_factory=list)  # the row as read, to show an offending cell's value
    # What an update changes: (field name, value now, value after), many-to-many as sets of keys.
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)
    # The matched record's own values of the preview's columns the row leaves empty.
    current: dict[str, Any] = field(default_factory=dict)


@contextmanager
def gc_paused():
    """Hold the cyclic garbage collector while a large plan is built or written.

    A plan is hundreds of thousands of small lists and no reference cycles,
    yet each full collection walks all of them: about 1 s of a 100,000-row
    commit. Whatever cycles the work leaves are collected afterwards."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# Bump when the stored plan's layout changes: older plans are then refused as stale.
PLAN_FORMAT = 2


@dataclass
class Plan:
    """What a confirmed import writes: the rows as the preview parsed, resolved
    and validated them. It is stored as JSON next to the upload, so the commit
    neither reads nor validates the file again; ``digest`` ties it to the file's
    bytes and the chosen columns. Values are by field name: foreign keys as
    primary keys (or ``{"new": name}`` for a list value or category the import
    creates), many-to-many as lists of keys, dates as ISO text, amounts as
    decimal text. An update holds only the values its row gives (an empty
    cell, unless it clears, gives none); unchanged rows are not in the plan."""

    digest: str
    counts: dict[str, int]
    new_fields: list[str]
    new: list[list]          # [row number, one value per new_fields]
    update: list[list]       # [row number, pk, version seen by the preview, {field: value}]

    def dumps(self) -> str:
        return "".join(self.chunks())

    def chunks(self, rows: int = 1000):
        """The plan's JSON in pieces of ``rows`` rows, to be written as it is
        made (the text of a 200,000-row plan is never whole in memory)."""
        dump = json.JSONEncoder(separators=(",", ":")).encode
        yield dump({"format": PLAN_FORMAT, "digest": self.digest, "counts": self.counts,
                    "new_fields": self.new_fields})[:-1]
        for key in ("new", "update"):
            part = getattr(self, key)
            yield f',"{key}":['
            for start in range(0, len(part), rows):
                yield ("," if start else "") + dump(part[start:start + rows])[1:-1]
            yield "]"
        yield "}"

    @classmethod
    def loads(cls, text: str) -> Plan | None:
        with gc_paused():
            data = json.loads(text)
        if data.pop("format", None) != PLAN_FORMAT:
            return None
        return cls(**data)


@dataclass
class Preview:
    rows: list[RowResult]
    mapping: dict[int, str | None]
    header: list[str]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts


def tuple_getter(make, keys: list) -> Callable[[Any], tuple]:
    """``make(*keys)`` (``operator.itemgetter`` or ``attrgetter``) as one call
    that always gives a tuple, of no, one or several values."""
    if not keys:
        return lambda obj: ()
    get = make(*keys)
    return get if len(keys) > 1 else lambda obj: (get(obj),)


class PlanMaking:
    """The part of an ``Importer`` that turns a preview into a ``Plan``, checks
    it again at the commit and gives ``records_import`` the rows to write."""

    # --- the plan ---------------------------------------------------------
    def prepare(self, preview: Preview, digest: str) -> Plan:
        """The plan of the writes this preview shows, to be stored with the upload."""
        with gc_paused():
            return self._prepare(preview, digest)

    def _prepare(self, preview: Preview, digest: str) -> Plan:
        new_rows = [row for row in preview.rows if row.status == "new"]
        update_rows = [row for row in preview.rows if row.status == "update"]
        given_new = set().union(*(row.values for row in new_rows))
        many = self.many_to_many_fields()
        # A new row's own fields come from its cleaned record (derived values
        # included), read in one attrgetter call; links come from the row's values.
        wanted = self.plain_fields() & given_new | set(self.derived_fields)
        own = [f for f in self.model._meta.concrete_fields if f.name in wanted and not f.is_relation]
        links = sorted(name for name in wanted if name not in {f.name for f in own})
        new_fields = [f.name for f in own] + links + [name for name in many if name in given_new]
        # Dates and amounts go into the JSON plan as text.
        as_text = [at for at, f in enumerate(own, start=1) if isinstance(f, (models.DateField, models.DecimalField))]
        # A new row's own values, from the cleaned record's values the preview kept.
        kept = self.record_fields()
        read_own = tuple_getter(operator.itemgetter, [kept.index(f) for f in own])

        def encode(value):
            if isinstance(value, models.Model):
                return value.pk if value.pk is not None else {"new": str(value)}
            if isinstance(value, (list, tuple)):
                return [encode(item) for item in value]
            if isinstance(value, datetime.date):
                return value.isoformat()
            if isinstance(value, decimal.Decimal):
                return str(value)
            return value

        new = []
        for row in new_rows:
            values = [row.number, *read_own(row.record), *(encode(row.values.get(name)) for name in new_fields[len(own):])]
            for at in as_text:
                if values[at] is not None:
                    values[at] = values[at].isoformat() if isinstance(values[at], datetime.date) else str(values[at])
            new.append(values)
        # Only what the row gives: an update must not clear fields the file has
        # no column for, nor (unless asked) those whose cell is empty.
        settable = self.plain_fields() | set(many)
        update = [[row.number, row.existing_pk, row.existing_version,
                   {name: encode(value) for name, value in row.values.items() if name in settable}]
                  for row in update_rows]
        return Plan(digest=digest, counts=preview.counts, new_fields=new_fields, new=new, update=update)

    def reference_queryset(self, field: models.Field):
        """The records a row may still refer to through ``field`` at commit. Override."""
        return field.related_model._base_manager.all()

    def recheck(self, plan: Plan) -> list[tuple[int, str]]:
        """What the database no longer agrees with since the preview, in set-based
        queries: (row number, reason). Run inside the commit's transaction."""
        problems = []
        if self.duplicate_key and self.duplicate_key in plan.new_fields:
            at = plan.new_fields.index(self.duplicate_key) + 1
            keys = sorted({row[at] for row in plan.new if row[at]})
            existing = self.existing_by_key(keys)
            problems += [(row[0], _("a record with this e-mail address was saved after the preview"))
                         for row in plan.new if row[at] in existing]
        versions = self.versions([row[1] for row in plan.update], lock=True)
        for number, pk, version, _values in plan.update:
            if pk not in versions:
                problems.append((number, _("the record it updates was deleted after the preview")))
            elif versions[pk] != version:
                problems.append((number, _("the record it updates was changed after the preview")))
        # Each row's linked keys, new rows and updates alike: field name → [(row number, value)].
        meta = self.model._meta
        linked: dict[str, list[tuple[int, Any]]] = {}
        for at, name in enumerate(plan.new_fields, start=1):
            if meta.get_field(name).is_relation:
                linked.setdefault(name, []).extend((row[0], row[at]) for row in plan.new)
        relations = {f.name for f in meta.get_fields() if f.is_relation and (f.concrete or f.many_to_many)}
        for number, _pk, _version, values in plan.update:
            for name, value in values.items():
                if name in relations:
                    linked.setdefault(name, []).append((number, value))
        for name, pairs in linked.items():
            field = meta.get_field(name)
            rows = [(number, {pk for pk in (value if field.many_to_many else [value]) if isinstance(pk, int)})
                    for number, value in pairs]
            pks = sorted(set().union(*(keys for _number, keys in rows)))
            found = set()
            for start in range(0, len(pks), LOOKUP_SLICE):
                found |= set(self.reference_queryset(field).filter(pk__in=pks[start:start + LOOKUP_SLICE])
                             .values_list("pk", flat=True))
            gone = set(pks) - found
            if gone:
                reason = _("“%(field)s” names something deleted or deactivated after the preview") % {
                    "field": capfirst(field.verbose_name)}
                problems += [(number, reason) for number, keys in rows if keys & gone]
        return sorted(problems)

    # --- writing (crm.generic.services.records_import) -------------------------
    def before_write(self, plan: Plan) -> None:
        """Create what rows refer to but does not exist yet (e.g. new list values). Override."""

    def insert_new(self, plan: Plan, user) -> list[tuple[int, str, dict]]:
        """INSERT the new rows of the plan: no model instances, one executemany
        per batch. Returns (pk, text for the change log, many-to-many values)
        per record."""
        model = self.model._meta.concrete_model
        many = set(self.many_to_many_fields_of(plan.new_fields))
        user = user if user and user.is_authenticated else None
        template = bulk.row_template(model, **self.record_defaults, created_by_id=user.pk if user else None)
        attnames = list(template)
        base = list(template.values())
        positions, m2m_at = [], []
        for at, name in enumerate(plan.new_fields, start=1):
            if name in many:
                m2m_at.append((at, name))
                continue
            field = model._meta.get_field(name)
            positions.append((at, attnames.index(field.attname), _decoder(field)))
        repr_at = plan.new_fields.index(self.repr_field) + 1 if self.repr_field in plan.new_fields else None
        created = []

        def rows():
            for done, row in enumerate(plan.new):
                if not done % PROGRESS_EVERY:
                    self.report("write", done, len(plan.new) + len(plan.update))
                values = base.copy()
                for at, position, decode in positions:
                    value = row[at]
                    values[position] = decode(value) if decode is not None and value is not None else value
                if repr_at is None:
                    created.append([None, str(model(**dict(zip(attnames, values)))), {n: row[a] for a, n in m2m_at}])
                else:
                    created.append([None, row[repr_at], {n: row[a] for a, n in m2m_at}])
                yield values

        pks = bulk.insert_rows(model, attnames, rows(), count=len(plan.new), fulltext=self.fulltext)
        for entry, pk in zip(created, pks):
            entry[0] = pk
        return [tuple(entry) for entry in created]

    def many_to_many_fields_of(self, names) -> list[str]:
        return [name for name in names if self.model._meta.get_field(name).many_to_many]

    def decode(self, values: dict[str, Any]) -> dict[str, Any]:
        """An update's values as the plan stores them, back as the record's:
        own fields by attname (links as keys), many-to-many by name."""
        decoders = self.__dict__.setdefault("_decoders", {})
        meta = self.model._meta.concrete_model._meta
        decoded = {}
        for name, value in values.items():
            if name not in decoders:
                field = meta.get_field(name)
                decoders[name] = (name, None) if field.many_to_many else (field.attname, _decoder(field))
            key, decode = decoders[name]
            decoded[key] = decode(value) if decode is not None and value is not None else value
        return decoded


def _decoder(field: models.Field):
    """How a stored plan value becomes the field's Python value again (None: as is)."""
    if isinstance(field, models.DateTimeField):
        return datetime.datetime.fromisoformat
    if isinstance(field, models.DateField):
        return datetime.date.fromisoformat
    if isinstance(field, models.DecimalField):
        return decimal.Decimal
    return None
