"""What the record importers share: names in a file become active users,
categories and values of the customizable lists (a Source typed in for the
first time is added to its list; the other lists take only their values)."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from crm.generic.imports import Importer, Plan, RowResult
from crm.models import Category, ListValue


class RecordImporter(Importer):
    """An importer of CRM records. Subclasses add ``resolve_row`` for their own
    columns (accounts, stages, …)."""

    # Links written only when the file has their column: an update must not
    # clear an assignment the file does not mention.
    optional_links: tuple[str, ...] = ("assigned_to",)
    # Columns that name a value of a customizable list:
    # field → (ListKind, whether a value typed in for the first time joins the list).
    list_columns: dict[str, tuple[str, bool]] = {}

    def compute_plain_fields(self, fields: set[str]) -> set[str]:
        return fields - set(self.optional_links) | {name for name in self.optional_links if name in self.present}

    def resolve(self, rows: list[RowResult], table, mapping) -> None:
        header_of = {key: table.header[index] for index, key in mapping.items() if key}
        users = self.active_users() if "assigned_to" in self.present else {}
        categories = {c.name.casefold(): c for c in Category.objects.all()} if "categories" in self.present else {}
        lists = {name: {v.name.casefold(): v for v in ListValue.objects.filter(kind=kind)}
                 for name, (kind, _open) in self.list_columns.items() if name in self.present}
        self.prepare_lookups(rows)
        for row in rows:
            if row.status == "error":
                continue
            values = row.values
            for name, known in lists.items():
                if name not in values:
                    continue  # the cell did not parse (its error is on the row)
                kind, open_list = self.list_columns[name]
                typed = " ".join(values[name].split())
                if not typed:
                    values[name] = None
                elif typed.casefold() in known:
                    values[name] = known[typed.casefold()]
                elif open_list:
                    # One unsaved value per new name, saved by before_write.
                    values[name] = known.setdefault(typed.casefold(), ListValue(kind=kind, name=typed))
                else:
                    values[name] = None
                    row.errors.append((header_of[name], _("“%(value)s” is not in the list “%(list)s”.") % {
                        "value": typed, "list": ListValue(kind=kind).get_kind_display()}))
            if "assigned_to" in values:
                who = values["assigned_to"].strip()
                values["assigned_to"] = users.get(who.casefold()) if who else None
                if who and values["assigned_to"] is None:
                    row.errors.append((header_of["assigned_to"], _("No active user called “%(name)s”.") % {"name": who}))
            if "categories" in values:
                names = [n.strip() for n in values["categories"].replace(";", ",").split(",") if n.strip()]
                unknown = [n for n in names if n.casefold() not in categories]
                if unknown:
                    row.errors.append((header_of["categories"], _("Unknown categories: %(names)s.") % {"names": ", ".join(unknown)}))
                values["categories"] = [categories[n.casefold()] for n in names if n.casefold() in categories]
            self.resolve_row(row, header_of)

    def prepare_lookups(self, rows: list[RowResult]) -> None:
        """Load what ``resolve_row`` looks names up in, once per file. Override."""

    def resolve_row(self, row: RowResult, header_of: dict[str, str]) -> None:
        """The record type's own columns of one row. Override."""

    @staticmethod
    def active_users() -> dict[str, object]:
        """Active users by user name, e-mail and full name (case-insensitive)."""
        users = {}
        for user in get_user_model().objects.filter(is_active=True):
            for key in (user.username, user.email, user.get_full_name()):
                if key:
                    users.setdefault(key.casefold(), user)
        return users

    def reference_queryset(self, field):
        """What the preview resolved names against: active users, each list's values."""
        if field.name == "assigned_to":
            return get_user_model().objects.filter(is_active=True)
        if field.name in self.list_columns:
            return ListValue.objects.filter(kind=self.list_columns[field.name][0])
        return super().reference_queryset(field)

    def before_write(self, plan: Plan) -> None:
        """Save the list values the file names for the first time (one typed in
        meanwhile by someone else is reused) and point the rows at them."""
        for name, (kind, open_list) in self.list_columns.items():
            columns = [(rows, fields.index(name) + offset) for fields, rows, offset in (
                (plan.new_fields, plan.new, 1), (plan.update_fields, plan.update, 3)) if name in fields]
            names = {row[at]["new"] for rows, at in columns for row in rows if isinstance(row[at], dict)}
            if not open_list or not names:
                continue
            values = ListValue.objects.filter(kind=kind)
            saved = {v.name.casefold(): v.pk for v in values}
            new = [ListValue(kind=kind, name=typed) for typed in sorted(names) if typed.casefold() not in saved]
            position = values.count()
            for offset, value in enumerate(new, start=1):
                value.position = position + offset
            ListValue.objects.bulk_create(new)
            saved = {v.name.casefold(): v.pk for v in values.all()}
            for rows, at in columns:
                for row in rows:
                    if isinstance(row[at], dict):
                        row[at] = saved[row[at]["new"].casefold()]
