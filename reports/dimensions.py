"""Groupings the reports share: by a person, by a list value or another
record, by a choice, by month or quarter of a date, by category."""
from __future__ import annotations

import datetime

from django.db.models import DateTimeField, Func, OuterRef, Subquery
from django.db.models.functions import Coalesce, Lower, TruncMonth, TruncQuarter
from django.utils import formats
from django.utils.translation import gettext, gettext_lazy as _, ngettext

from crm.generic.counts import cached_list
from crm.models import Category

from .base import Dimension

NULL = "null"  # the list filters' value for "none" (django-filter's null_value)


class PerGroup(Func):
    """A group's value computed from its key alone — the name of the user, stage
    or account a group stands for — so the database works it out once per group
    (a subquery by primary key) and groups by the key only. Grouping by the
    names (joined to every record) made the database read and sort every record
    with its user's names: Leads by Assigned To over 200,000 leads took 1.8 s
    on SQLite, and 40 ms grouped by the key (bench/README.md, "Reports")."""

    template = "%(expressions)s"

    def get_group_by_cols(self):
        # It depends on the grouped key only: nothing more to group by.
        return []


def _lookup(model, field: str, value: str, lower: bool = False) -> Subquery:
    """``value`` (lowercased) of the record that ``field`` of a group's records points to."""
    target = model._meta.get_field(field).related_model
    records = target._base_manager.filter(pk=OuterRef(field)).order_by()
    if lower:
        records, value = records.annotate(lowered=Lower(value)), "lowered"
    return Subquery(records.values(value)[:1])


def lookups(field: str, **values: tuple[str, bool]):
    """The ``labels`` of a grouping by ``field``: each alias gets (value, lowercased) of the record it points to."""
    return lambda model: {alias: PerGroup(_lookup(model, field, value, lower))
                          for alias, (value, lower) in values.items()}


def person(field: str = "assigned_to", label=_("Assigned to"), param: str | None = "assigned_to",
           none_label=_("Unassigned")) -> Dimension:
    """Grouped by a user. A group for a deactivated user keeps its name but
    links nowhere: the list's Assigned to filter offers active users only."""
    first, last, username, active = (f"{field}_first_name", f"{field}_last_name", f"{field}_username",
                                     f"{field}_is_active")

    def name(row: dict) -> str:
        if row[field] is None:
            return str(none_label)
        full = f"{row[first] or ''} {row[last] or ''}".strip() or row[username]
        return full if row[active] else gettext("%(name)s (inactive)") % {"name": full}

    def link(row: dict) -> dict | None:
        if param is None:
            return None
        if row[field] is None:
            return {param: NULL}
        return {param: row[field]} if row[active] else None

    labels = lookups(field, **{first: ("first_name", False), last: ("last_name", False),
                               username: ("username", False), active: ("is_active", False),
                               f"{field}_sort_first": ("first_name", True), f"{field}_sort_last": ("last_name", True)})
    return Dimension(key=field, label=label, values=(field,), name=name, link=link, labels=labels,
                     order=(f"{field}_sort_first", f"{field}_sort_last", username))


def related(field: str, label, name_field: str = "name", param: str | None = None, none_label=_("(none)"),
            null_link: bool = True, domain=None, sort_by: tuple[str, ...] = (), key: str | None = None) -> Dimension:
    """Grouped by a foreign key (a list value, a sales stage, an activity):
    its name from the same query. In order of the record's ``sort_by``
    fields (e.g. a stage's position), then of its name."""
    name_alias = f"{field}_name"

    def name(row: dict) -> str:
        return str(none_label) if row[field] is None else str(row[name_alias])

    def link(row: dict) -> dict | None:
        if param is None:
            return None
        if row[field] is None:
            return {param: NULL} if null_link else None
        return {param: row[field]}

    sort = {f"{field}_sort_{i}": (value, False) for i, value in enumerate(sort_by)}
    labels = lookups(field, **{name_alias: (name_field, False), **sort, f"{field}_sort_name": (name_field, True)})
    return Dimension(key=key or field, label=label, values=(field,), name=name, link=link, domain=domain,
                     labels=labels, order=(*sort, f"{field}_sort_name", field))


def choice(field: str, label, choices, param: str | None = None, none_label=_("(none)")) -> Dimension:
    """Grouped by a field with choices, in the choices' order, every choice shown."""
    labels = dict(choices)
    order = {value: index for index, value in enumerate(labels)}

    def name(row: dict) -> str:
        return str(labels.get(row[field], row[field] or none_label))

    def link(row: dict) -> dict | None:
        return {param: row[field]} if param and row[field] not in (None, "") else None

    return Dimension(key=field, label=label, values=(field,), name=name, link=link,
                     domain=lambda: [{field: value} for value in order],
                     typed=lambda row: str(labels.get(row[field], row[field] or "")))


class MonthStart(TruncMonth):
    """The first day of the month; of a date column on SQLite with its own
    ``date()`` rather than Django's function in Python, called for every record
    (Forecast by Close Month: 60 -> 26 ms of CPU at 100,000 opportunities)."""

    def as_sqlite(self, compiler, connection, **extra_context):
        if isinstance(self.lhs.output_field, DateTimeField):  # the day depends on the time zone: Django's
            return super().as_sqlite(compiler, connection, **extra_context)
        sql, params = compiler.compile(self.lhs)
        return f"date({sql}, 'start of month')", params


class QuarterStart(TruncQuarter):
    """The first day of the quarter (of a date column on SQLite: see ``MonthStart``)."""

    def as_sqlite(self, compiler, connection, **extra_context):
        if isinstance(self.lhs.output_field, DateTimeField):
            return super().as_sqlite(compiler, connection, **extra_context)
        sql, params = compiler.compile(self.lhs)
        return (f"date({sql}, 'start of month', printf('-%%d months', "
                f"(CAST(strftime('%%m', {sql}) AS integer) - 1) %% 3))"), params * 2


def _month_name(day) -> str:
    return formats.date_format(day, "YEAR_MONTH_FORMAT") if day else ""


def _as_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def month(date_field: str, label, params: tuple[str, str] | None, none_label=_("No date")) -> Dimension:
    """Grouped by calendar month of a date; linked to the list with the month as its date range."""
    key = f"{date_field}_month"

    def name(row: dict) -> str:
        day = _as_date(row[key])
        return _month_name(day) if day else str(none_label)

    def link(row: dict) -> dict | None:
        day = _as_date(row[key])
        if not params or day is None:
            return None
        from .periods import month_start

        return {params[0]: day, params[1]: month_start(day, 1) - datetime.timedelta(days=1)}

    return Dimension(key=key, label=label, values=(key,), name=name, link=link,
                     annotate={key: MonthStart(date_field)}, order=(key,), typed=lambda row: _as_date(row[key]))


def quarter(date_field: str, label, params: tuple[str, str] | None, none_label=_("No date")) -> Dimension:
    key = f"{date_field}_quarter"

    def name(row: dict) -> str:
        day = _as_date(row[key])
        if day is None:
            return str(none_label)
        return gettext("Q%(quarter)d %(year)d") % {"quarter": (day.month - 1) // 3 + 1, "year": day.year}

    def link(row: dict) -> dict | None:
        day = _as_date(row[key])
        if not params or day is None:
            return None
        from .periods import quarter_start

        return {params[0]: day, params[1]: quarter_start(day, 1) - datetime.timedelta(days=1)}

    return Dimension(key=key, label=label, values=(key,), name=name, link=link,
                     annotate={key: QuarterStart(date_field)}, order=(key,), typed=lambda row: _as_date(row[key]))


def category(label=_("Category"), param: str = "category") -> Dimension:
    """Grouped by category: a record in two categories counts in both groups;
    "No category" gathers the others (the total row counts each record once)."""
    def name(row: dict) -> str:
        return gettext("No category") if row["categories"] is None else row["categories_name"]

    def link(row: dict) -> dict | None:
        return None if row["categories"] is None else {param: row["categories"]}

    return Dimension(key="category", label=label, values=("categories",), name=name, link=link, many=True,
                     labels=lookups("categories", categories_name=("name", False), categories_sort=("name", True)),
                     order=("categories_sort", "categories"),
                     domain=lambda: [{"categories": c.pk, "categories_name": c.name}
                                     for c in cached_list(Category.objects.order_by(Lower("name")))])


def stars(field: str = "score", label=_("Rating"), param: str | None = "score") -> Dimension:
    """Grouped by lead score in stars, 5 down to 0."""
    from crm.scoring import MAX_STARS

    def name(row: dict) -> str:
        count = row[field] or 0
        return ngettext("%(count)d star", "%(count)d stars", count) % {"count": count} if count else gettext("No stars")

    return Dimension(key=field, label=label, values=(field,), name=name,
                     link=lambda row: {param: row[field] or 0} if param else None,
                     order=(f"-{field}",), domain=lambda: [{field: n} for n in range(MAX_STARS, -1, -1)],
                     typed=lambda row: row[field] or 0)


def linked_record(label=_("Account or business contact")) -> Dimension:
    """Grouped by the account or business contact a record is linked to."""
    def name(row: dict) -> str:
        return row["account_name"] or row["contact_full_name"] or gettext("(none)")

    def link(row: dict) -> dict | None:
        if row["account"]:
            return {"account": row["account"]}
        return {"contact": row["contact"]} if row["contact"] else None

    def labels(model) -> dict:
        account, contact = _lookup(model, "account", "name"), _lookup(model, "contact", "full_name")
        return {"account_name": PerGroup(account), "contact_full_name": PerGroup(contact),
                "linked_sort": PerGroup(Lower(Coalesce(account, contact)))}

    return Dimension(key="linked", label=label, values=("account", "contact"), name=name, link=link, labels=labels,
                     keys=("account", "contact"), order=("linked_sort", "account", "contact"))


def list_value(field: str, label, kind: str, param: str | None, none_label=_("(none)")) -> Dimension:
    """Grouped by a customizable list's value (Source, Type), in the list's
    order, every value shown."""
    from crm.models import ListValue

    def domain() -> list[dict]:
        values = cached_list(ListValue.objects.filter(kind=kind).order_by("position", "name"))
        return [{field: value.pk, f"{field}_name": value.name} for value in values]

    return related(field, label, param=param, none_label=none_label, domain=domain, sort_by=("position",))
