"""Record list tables.

django-tables2 declares the columns, validates the requested sort and draws
the sortable headers; the rows are rendered here in plain Python (escaped
with ``conditional_escape``). tables2's per-cell machinery (signature
inspection, per-cell attributes, a template per date cell) cost more than all
the SQL of a list page, and a list page must stay fast at any size.
"""
import datetime
import html

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy as _

from crm.money import format_money

EMPTY = "—"


def esc(value) -> str:
    """HTML-escape a plain value (Django's escape without the lazy-string wrapper;
    this runs for every cell of every list page)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value), quote=True)


class FastColumn(tables.Column):
    """A column that renders a cell from the record in plain Python.

    Cells never wrap. A ``clip`` column (names, e-mail addresses, cities) may
    be narrowed to fit the list beside the reading pane: its text ends in an
    ellipsis and the whole text is the cell's tooltip."""

    clip = False
    td_class = "clip"  # the cell's class when it clips

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)

    def value_of(self, record, name: str):
        value = record
        for part in (self.accessor or name).split("__"):
            value = getattr(value, part, None) if value is not None else None
        return value

    def cell(self, record, name: str) -> str:
        """The cell's escaped HTML."""
        value = self.value_of(record, name)
        if value is None or value == "":
            return EMPTY
        return esc(self.display(value))

    def display(self, value) -> str:
        return localize(value)

    def text(self, record, name: str) -> str:
        """The cell as plain text (the tooltip of a ``clip`` cell)."""
        value = self.value_of(record, name)
        return "" if value is None or value == "" else str(self.display(value))


class MoneyColumn(FastColumn):
    """An amount with the site's currency in the reader's language
    (``crm.money.format_money``: "$2,500.00", "2 500,00 €"), right-aligned."""

    def display(self, value) -> str:
        return format_money(value)

    def cell(self, record, name: str) -> str:
        value = self.value_of(record, name)
        if value is None:
            return EMPTY
        return f'<span class="d-block text-end font-monospace text-nowrap">{esc(self.display(value))}</span>'


class TextColumn(FastColumn):
    clip = True

    def display(self, value) -> str:
        return str(value)


class TitleColumn(TextColumn):
    """The record's title, linked to its page (narrowed last: it keeps a wider minimum)."""

    td_class = "clip title-cell"

    def cell(self, record, name: str) -> str:
        return f'<a href="{record._list_url}">{esc(self.value_of(record, name) or EMPTY)}</a>'


class EmailColumn(FastColumn):
    clip = True

    def cell(self, record, name: str) -> str:
        value = self.value_of(record, name)
        return f'<a href="mailto:{esc(value)}">{esc(value)}</a>' if value else EMPTY


class DateColumn(FastColumn):
    def display(self, value) -> str:
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value).date()
        return date_format(value, "SHORT_DATE_FORMAT")


class UserColumn(FastColumn):
    clip = True

    def display(self, value) -> str:
        return value.get_full_name() or value.get_username()


class ChoiceColumn(FastColumn):
    """A field with choices, by its label: the labels are translated once per
    language, not for every cell (``get_FOO_display`` builds the choices'
    mapping for each call: a tenth of a list page's time with two such columns)."""

    def labels(self, record, name: str) -> dict:
        language = get_language()
        cache = self.__dict__.setdefault("_labels", {})
        if language not in cache:
            field = record._meta.get_field(name)
            cache[language] = {code: str(label) for code, label in field.flatchoices}
        return cache[language]

    def cell(self, record, name: str) -> str:
        value = getattr(record, name)
        display = self.labels(record, name).get(value, value)
        return esc(display) if display not in (None, "") else EMPTY


class CategoriesColumn(FastColumn):
    """Coloured category badges (the list's queryset prefetches ``categories``)."""

    clip = True

    def __init__(self, **kwargs):
        kwargs.setdefault("verbose_name", _("Categories"))
        kwargs.setdefault("orderable", False)
        super().__init__(**kwargs)

    def cell(self, record, name: str) -> str:
        return "".join(
            # Colours as data attributes, painted by crm.js (the Content-Security-Policy allows no style="").
            f'<span class="badge category-badge me-1" data-colour="{esc(c.colour)}" '
            f'data-text-colour="{c.text_colour}">{esc(c.name)}</span>'
            for c in record.list_categories
        )

    def text(self, record, name: str) -> str:
        return ", ".join(c.name for c in record.list_categories)


class RecordTable(tables.Table):
    """Base of every record list table (see the module docstring).

    A list shows ``default_columns`` (all columns when empty) until the user
    picks others in its column chooser; the first column, the record's title,
    always shows."""

    categories = CategoriesColumn()
    default_columns: tuple[str, ...] = ()

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle record-table"}
        order_by_field = "sort"
        page_field = "page"

    @classmethod
    def column_names(cls) -> list[str]:
        """Every column the table can show, in its order."""
        sequence = list(cls._meta.sequence or cls._meta.fields or cls.base_columns)
        return [name for name in sequence if name in cls.base_columns]

    @classmethod
    def clean_columns(cls, names) -> list[str]:
        """The known columns among ``names``, in the table's order, the title first."""
        known = cls.column_names()
        wanted = set(names) | {known[0]}
        return [name for name in known if name in wanted]

    @classmethod
    def shown_columns(cls, chosen: list[str] | None) -> list[str]:
        """The columns a list shows: the user's choice, or the table's defaults."""
        if chosen is None:
            return cls.clean_columns(cls.default_columns or cls.column_names())
        return cls.clean_columns(chosen)

    @classmethod
    def column_choices(cls, chosen: list[str] | None) -> list[dict]:
        """The column chooser's checkboxes: name, label, shown, locked (the title)."""
        shown = set(cls.shown_columns(chosen))
        names = cls.column_names()
        return [{"name": name, "label": cls.base_columns[name].verbose_name or name, "shown": name in shown,
                 "locked": name == names[0]} for name in names]

    def body_rows(self, records, detail_url_name: str) -> list[str]:
        """One ``<tr>`` per record of the page, as safe HTML."""
        marker = 987654321
        url_pattern = reverse(detail_url_name, args=[marker]).replace(str(marker), "{}")
        columns = [(bound.name, bound.column) for bound in self.columns]
        select_label = str(_("Select %(name)s"))
        rows = []
        for record in records:
            record._list_url = url_pattern.format(record.pk)
            cells = "".join(
                f'<td class="{column.td_class}" title="{esc(column.text(record, name))}">{column.cell(record, name)}</td>'
                if column.clip else f"<td>{column.cell(record, name)}</td>"
                for name, column in columns)
            label = esc(select_label % {"name": record})
            rows.append(
                f'<tr class="record-row" data-url="{record._list_url}">'
                f'<td class="select-col"><input type="checkbox" class="form-check-input row-select" name="pk" '
                f'value="{record.pk}" aria-label="{label}"></td>{cells}</tr>'
            )
        return [mark_safe(row) for row in rows]
