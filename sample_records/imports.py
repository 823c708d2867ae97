"""Importing site visits from CSV/Excel: the export's columns (so an exported
file imports back unchanged) under the names other tools give them. Rows match
existing visits by ID only; the account or business contact is named in its
column, as the export writes it."""
from django.utils.translation import gettext as _, gettext_lazy

from crm.imports import RecordImporter, import_columns
from sample_records.models import SiteVisit
from sample_records.resources import SITE_VISIT_COLUMNS

SYNONYMS = {
    "title": ("Subject", "Visit", "Name"),
    "visit_date": ("Date", "Visited On"),
    "kind": ("Type", "Visit Type"),
    "expenses": ("Cost", "Costs", "Travel Expenses"),
    "account": ("Account Name", "Company", "Customer"),
    "contact": ("Contact", "Contact Name", "Person"),
    "assigned_to": ("Owner", "Visited By"),
    "categories": ("Category", "Labels", "Tags"),
    "comments": ("Notes", "Description", "Report"),
}
READ_ONLY = ("Created",)


class SiteVisitImporter(RecordImporter):
    model = SiteVisit
    columns = import_columns(SITE_VISIT_COLUMNS, READ_ONLY, SYNONYMS)
    preview_columns = (("title", gettext_lazy("Title")), ("visit_date", gettext_lazy("Visit date")),
                       ("account", gettext_lazy("Account")), ("contact", gettext_lazy("Business contact")))
    ignored_headers = READ_ONLY
    duplicate_key = None
    duplicate_label = gettext_lazy("When a row's ID matches an existing site visit")
    repr_field = "title"

    def complete_row(self, row, current, header_of: dict[str, str]) -> None:
        """A new visit needs a title and a date; an update keeps them unless its
        cells give them (the importer runs the record's clean(), not the field checks)."""
        values = row.values
        title, date = header_of.get("title", _("Title")), header_of.get("visit_date", _("Visit Date"))
        if (current is None or "title" in values) and not " ".join((values.get("title") or "").split()):
            row.errors.append((title, _("A site visit needs a title.")))
        refused = {header for header, _message in row.errors}  # a date that did not parse says so already
        if (current is None or "visit_date" in values) and values.get("visit_date") is None and date not in refused:
            row.errors.append((date, _("A site visit needs a date.")))
