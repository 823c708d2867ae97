"""Importing opportunities from CSV/Excel: the export's columns (so an
exported file imports back unchanged), the names other tools use for them,
and how names become accounts, business contacts, stages and list values.

Rows are matched to existing opportunities by ID only (titles repeat). A row
may not change a closed opportunity (reopen it first); it may close an open
one, as bulk edit may. Total and Expected Revenue are computed from the
products and services, so the import reads them as information only."""
from __future__ import annotations

from django.utils.translation import gettext as _, gettext_lazy

from crm.generic.imports import Column, RowResult, parser_for
from crm.imports import INITIATED_BY_SYNONYMS, RecordImporter
from crm.models import ListKind
from sales.models import Opportunity, SalesListKind, SalesStage
from sales.resources import OPPORTUNITY_COLUMNS

SYNONYMS = {
    "title": ("Title", "Opportunity", "Opportunity Name", "Deal", "Deal Name", "Name", "Subject"),
    "account": ("Account Name", "Company", "Company Name", "Organization", "Organisation", "Customer"),
    "contact": ("Contact", "Contact Name", "Person", "Contact Person"),
    "opportunity_type": ("Opportunity Type", "Deal Type"),
    "stage": ("Stage", "Deal Stage", "Pipeline Stage"),
    "probability": ("Probability (%)", "Win Probability"),
    "close_date": ("Expected Close Date", "Closing Date", "Close"),
    "payment_terms": ("Terms",),
    "expiration_date": ("Valid Until", "Offer Expires", "Quote Expiration Date"),
    "source": ("Lead Source", "Opportunity Source", "Origin"),
    **INITIATED_BY_SYNONYMS,
    "competitors": ("Competitor",),
    "assigned_to": ("Owner", "Opportunity Owner", "Deal Owner", "Salesperson", "Sales Rep"),
    "categories": ("Category", "Labels", "Tags"),
    "comments": ("Notes", "Description", "Note"),
}
# Columns of our own exports that the import does not set.
READ_ONLY = ("Total", "Expected Revenue", "Created")


def _columns() -> list[Column]:
    columns = []
    for key, resource_field in OPPORTUNITY_COLUMNS.items():
        if resource_field.column_name in READ_ONLY:
            continue
        parse = None
        if key == "probability":
            percent = parser_for(Opportunity._meta.get_field("probability"))
            parse = lambda value: percent(value) or 0  # noqa: E731 (an empty cell is 0 %, as in the form)
        columns.append(Column(key=key, label=resource_field.column_name, headers=SYNONYMS.get(key, ()), parse=parse))
    return columns


class OpportunityImporter(RecordImporter):
    model = Opportunity
    columns = _columns()
    preview_columns = (("title", gettext_lazy("Opportunity title")), ("account", gettext_lazy("Account")),
                       ("contact", gettext_lazy("Business contact")), ("stage", gettext_lazy("Sales stage")))
    ignored_headers = READ_ONLY
    duplicate_key = None
    duplicate_label = gettext_lazy("When a row's ID matches an existing opportunity")
    derived_fields = ("probability", "close_date", "stage_entered_on", "expected_revenue")
    repr_field = "title"
    list_columns = {"source": (ListKind.SOURCE, True), "opportunity_type": (SalesListKind.OPPORTUNITY_TYPE, False),
                    "payment_terms": (SalesListKind.PAYMENT_TERMS, False)}

    def prepare_lookups(self, rows: list[RowResult]) -> None:
        from sales.services import default_stage

        self.stages = {stage.name.casefold(): stage for stage in SalesStage.objects.all()}
        self.default_stage = default_stage()
        self.known = self.known_ids(rows)

    def resolve_row(self, row: RowResult, header_of: dict[str, str]) -> None:
        values = row.values
        if "stage" in values:
            name = " ".join(values["stage"].split())
            values["stage"] = self.stages.get(name.casefold()) if name else None
            if name and values["stage"] is None:
                row.errors.append((header_of["stage"], _("No sales stage called “%(name)s”.") % {"name": name}))
        elif values.get("id") not in self.known:
            values["stage"] = self.default_stage  # a new opportunity starts where the form starts it
        if "title" in values or values.get("id") not in self.known:
            values["title"] = " ".join((values.get("title") or "").split())
            if not values["title"]:
                row.errors.append((header_of.get("title", _("Opportunity Title")), _("An opportunity needs a title.")))
