"""Groupings the reports share: by a person, by a list value or another
record, by a choice, by month or quarter of a date, by category."""
from __future__ import annotations

import datetime

from django.db.models.functions import Coalesce, Lower, TruncMonth, TruncQuarter
from django.utils import formats
from django.utils.translation import gettext, gettext_lazy as _, ngettext

from crm.generic.counts import cached_list
from crm.models import Category

from .base import Dimension

NULL = "null"  # the list filters' value for "none" (django-filter's null_value)


def person(field: str = "assigned_to", label=_("Assigned to"), param: str | None = "assigned_to",
           none_label=_("Unassigned")) -> Dimension:
    """Grouped by a user. A group for a deactivated user keeps its name but
    links nowhere: the list's Assigned to filter offers active users only."""
    values = (field, f"{field}__first_name", f"{field}__last_name", f"{field}__username", f"{field}__is_active")

    def name(row: dict) -> str:
        if row[field] is None:
            return str(none_label)
        full = f"{row[values[1]] or ''} {row[values[2]] or ''}".strip() or row[values[3]]
        return full if row[values[4]] else gettext("%(name)s (inactive)") % {"name": full}

    def link(row: dict) -> dict | None:
        if param is None:
            return None
        if row[field] is None:
            return {param: NULL}
        return {param: row[field]} if row[values[4]] else None

    return Dimension(key=field, label=label, values=values, name=name, link=link,
                     order=(Lower(f"{field}__first_name"), Lower(f"{field}__last_name"), f"{field}__username"))


def related(field: str, label, name_field: str = "name", param: str | None = None, none_label=_("(none)"),
            null_link: bool = True, domain=None, order=None, key: str | None = None) -> Dimension:
    """Grouped by a foreign key (a list value, a sales stage, an activity):
    its name from the same query."""
    values = (field, f"{field}__{name_field}")

    def name(row: dict) -> str:
        return str(none_label) if row[field] is None else str(row[values[1]])

    def link(row: dict) -> dict | None:
        if param is None:
            return None
        if row[field] is None:
            return {param: NULL} if null_link else None
        return {param: row[field]}

    return Dimension(key=key or field, label=label, values=values, name=name, link=link, domain=domain,
                     order=order or (Lower(values[1]),))


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
                     annotate={key: TruncMonth(date_field)}, order=(key,), typed=lambda row: _as_date(row[key]))


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
                     annotate={key: TruncQuarter(date_field)}, order=(key,), typed=lambda row: _as_date(row[key]))


def category(label=_("Category"), param: str = "category") -> Dimension:
    """Grouped by category: a record in two categories counts in both groups;
    "No category" gathers the others (the total row counts each record once)."""
    values = ("categories", "categories__name")

    def name(row: dict) -> str:
        return gettext("No category") if row["categories"] is None else row["categories__name"]

    def link(row: dict) -> dict | None:
        return None if row["categories"] is None else {param: row["categories"]}

    return Dimension(key="category", label=label, values=values, name=name, link=link, many=True,
                     order=(Lower("categories__name"),),
                     domain=lambda: [{"categories": c.pk, "categories__name": c.name}
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
    values = ("account", "account__name", "contact", "contact__full_name")

    def name(row: dict) -> str:
        return row["account__name"] or row["contact__full_name"] or gettext("(none)")

    def link(row: dict) -> dict | None:
        if row["account"]:
            return {"account": row["account"]}
        return {"contact": row["contact"]} if row["contact"] else None

    return Dimension(key="linked", label=label, values=values, name=name, link=link, keys=("account", "contact"),
                     order=(Lower(Coalesce("account__name", "contact__full_name")), "account", "contact"))


def list_value(field: str, label, kind: str, param: str | None, none_label=_("(none)")) -> Dimension:
    """Grouped by a customizable list's value (Source, Type), in the list's
    order, every value shown."""
    from crm.models import ListValue

    def domain() -> list[dict]:
        values = cached_list(ListValue.objects.filter(kind=kind).order_by("position", "name"))
        return [{field: value.pk, f"{field}__name": value.name} for value in values]

    return related(field, label, param=param, none_label=none_label, domain=domain,
                   order=(f"{field}__position", Lower(f"{field}__name")))
