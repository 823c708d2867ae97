"""Reading a file's cells: header names compared loosely, the columns an
importer declares, and how a cell becomes a field's value."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models
from django.utils.translation import gettext as _

from ..exports import unescape_formula


def normalize_header(text: str) -> str:
    """"E-mail Address" → "emailaddress": case, spaces and punctuation do not matter."""
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


@dataclass
class Column:
    """One thing a file can set. ``key`` is a model field or a name the importer resolves."""

    key: str
    label: str
    headers: tuple[str, ...] = ()
    parse: Callable[[str], Any] | None = None


# --- Reading cells ------------------------------------------------------------------------
#
# A cell is checked by the form field of its model field — the record form's
# checks: lengths, the e-mail and web address validators, number ranges,
# choices — so the import accepts what the form accepts, with the same
# messages. What is the import's own is how a cell is read before that:
# spaces, the escape our exports put before a formula, a choice by its label
# in any case, other tools' date formats, Outlook's empty date. An empty cell
# is no value (what it means for a record — "keep" or "clear" — is the
# preview's choice); a record's required fields are checked by its rules.

DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y")
# Outlook writes an empty date as 0/0/00.
EMPTY_DATES = {"0/0/00", "00/00/0000", "0/0/0000"}
# The largest key a database gives a record (an ID column's limit).
MAX_ID = 2**63 - 1


def read_text(value: str) -> str:
    return unescape_formula(value.strip())


def read_date(value: str) -> str:
    value = value.strip()
    if value in EMPTY_DATES:
        return ""
    # An ISO date and time (a spreadsheet's date cell): the date.
    return value[:10] if re.match(r"\d{4}-\d\d-\d\d[ T]", value) else value


def choice_reader(choices):
    """A choice given by its code or its label, in any case and spacing."""
    lookup = {}
    for code, label in choices:
        if code != "":
            lookup[normalize_header(str(code))] = code
            lookup[normalize_header(str(label))] = code

    def read(value: str):
        value = value.strip()
        if not value:
            return ""
        try:
            return lookup[normalize_header(value)]
        except KeyError:
            allowed = ", ".join(str(label) for code, label in choices if code != "")
            raise ValidationError(_("“%(value)s” is not one of: %(allowed)s.") % {"value": value, "allowed": allowed}) from None
    return read


def form_parser(form_field: forms.Field, read: Callable[[str], Any] = read_text,
                model_field: models.Field | None = None) -> Callable[[str], Any]:
    """A cell's value: read, cleaned by ``form_field``, then checked by the
    validators of ``model_field`` — what a record form and the record's
    ``full_clean`` check, with their messages. An empty cell is the form
    field's empty value, worked out once (most cells of an export are empty)."""
    empty = form_field.clean("")
    # The model field's validators the form field does not run already (a
    # length limit is on both): a 100,000-row file has millions of cells.
    extra = [v for v in model_field.validators if v not in form_field.validators] if model_field is not None else []

    # Plain text within its length is what the form field gives back: the
    # field is asked only when one of its checks can fail.
    limit = getattr(form_field, "max_length", None) or float("inf")
    plain_text = (type(form_field) is forms.CharField and not extra and read is read_text
                  and all(isinstance(v, (MaxLengthValidator, ProhibitNullCharactersValidator)) for v in form_field.validators))

    def parse_text(value: str):
        value = value.strip()
        if not value:
            return empty
        value = unescape_formula(value)
        if len(value) <= limit and "\x00" not in value:
            return value
        return form_field.clean(value)

    if plain_text:
        return parse_text

    def parse(value: str):
        value = read(value)
        if value == "":
            return empty
        value = form_field.clean(value)
        if extra and value not in form_field.empty_values:
            for validator in extra:
                validator(value)
        return value
    return parse


# A name in a cell (a user, an account, a list value …), which the importer resolves.
name_parser = form_parser(forms.CharField(required=False, strip=False))


def parser_for(model_field: models.Field) -> Callable[[str], Any]:
    """How a cell becomes a value of ``model_field``: read as the import reads
    cells, checked by the field's form field."""
    if model_field.primary_key:
        return form_parser(forms.IntegerField(min_value=1, max_value=MAX_ID, required=False), str.strip)
    if model_field.is_relation:
        return name_parser
    if model_field.choices:
        # A code or a label, read as the field's code: the values its form field
        # accepts, and no other (an empty cell: "").
        return choice_reader(model_field.choices)
    options = {"required": False}
    read = read_text
    if isinstance(model_field, models.DateTimeField):
        read = str.strip
    elif isinstance(model_field, models.DateField):
        options["input_formats"] = DATE_FORMATS
        read = read_date
    elif isinstance(model_field, models.EmailField):
        read = lambda value: value.strip().lower()  # noqa: E731 (addresses are compared in lower case)
    elif isinstance(model_field, (models.IntegerField, models.DecimalField, models.FloatField)):
        read = str.strip
    return form_parser(model_field.formfield(**options), read, model_field)
