"""Importing marketing activities from CSV/Excel: the export's columns under
the names other tools give them. Rows match existing activities by ID only."""
from django.utils.translation import gettext as _, gettext_lazy

from crm.imports import RecordImporter, import_columns
from crm.models import ListKind, MarketingActivity
from marketing.resources import MARKETING_ACTIVITY_COLUMNS

SYNONYMS = {
    "name": ("Campaign", "Campaign Name", "Activity", "Activity Name", "Title"),
    "activity_type": ("Activity Type", "Campaign Type"),
    "start_date": ("Start", "Starts", "Begins"),
    "end_date": ("End", "Ends"),
    "budget": ("Budgeted Cost", "Cost", "Budget Amount"),
    "assigned_to": ("Owner", "Campaign Owner"),
    "categories": ("Category", "Labels", "Tags"),
    "comments": ("Notes", "Description"),
}
READ_ONLY = ("Created",)


class MarketingActivityImporter(RecordImporter):
    model = MarketingActivity
    columns = import_columns(MARKETING_ACTIVITY_COLUMNS, READ_ONLY, SYNONYMS)
    preview_columns = (("name", gettext_lazy("Name")), ("start_date", gettext_lazy("Start date")),
                       ("budget", gettext_lazy("Budget")))
    ignored_headers = READ_ONLY
    duplicate_key = None
    duplicate_label = gettext_lazy("When a row's ID matches an existing marketing activity")
    repr_field = "name"
    list_columns = {"activity_type": (ListKind.MARKETING_ACTIVITY_TYPE, True)}

    def complete_row(self, row, current, header_of: dict[str, str]) -> None:
        """A new activity needs a name; an update keeps it unless its cell gives one."""
        values = row.values
        if (current is None or "name" in values) and not " ".join((values.get("name") or "").split()):
            row.errors.append((header_of.get("name", _("Name")), _("A marketing activity needs a name.")))
