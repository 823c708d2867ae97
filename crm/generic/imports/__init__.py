"""Importing records from a table (CSV/Excel) with a preview before anything
is written: header matching, per-row validation, duplicate detection, and a
commit that is one transaction.

A record type's importer subclasses ``Importer`` and lists its columns; the
generic parts (header matching, reading cells through the model's form
fields, duplicates by e-mail, the record's rules on each row, the plan of the
writes) live here. The confirmed plan is written by the record services
(``crm.generic.services.records_import``), like every other write.

An empty cell in a row that updates a record means "no information": the
saved value stays, unless the user chose "Empty cells clear saved values".
A matched row that would change nothing is "unchanged", in the preview and
in the commit alike: the commit reports exactly the preview's counts.
"""

from .cells import (
    DATE_FORMATS, EMPTY_DATES, MAX_ID, Column, choice_reader, form_parser, name_parser, normalize_header, parser_for,
    read_date, read_text,
)
from .importer import Importer
from .plan import LOOKUP_SLICE, PLAN_FORMAT, PROGRESS_EVERY, STATUSES, Plan, Preview, RowResult, gc_paused

__all__ = [
    "DATE_FORMATS", "EMPTY_DATES", "LOOKUP_SLICE", "MAX_ID", "PLAN_FORMAT", "PROGRESS_EVERY", "STATUSES", "Column",
    "Importer", "Plan", "Preview", "RowResult", "choice_reader", "form_parser", "gc_paused", "name_parser",
    "normalize_header", "parser_for", "read_date", "read_text",
]
