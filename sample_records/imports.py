"""Importing site visits from CSV/Excel: the export's columns (so an exported
file imports back unchanged) under the names other tools give them. Rows match
existing visits by ID only; the account or business contact is named in its
column, as the export writes it."""
from django.utils.translation import gettext_lazy as _

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
    preview_columns = (("title", _("Title")), ("visit_date", _("Visit date")), ("account", _("Account")),
                       ("contact", _("Business contact")))
    ignored_headers = READ_ONLY
    duplicate_key = None
    duplicate_label = _("When a row's ID matches an existing site visit")
    repr_field = "title"
