"""Importing leads from CSV/Excel: the columns, the names other tools use for
them (Outlook, Google Contacts, common CRM exports) and how names in a file
become users, list values, categories and accounts."""
from __future__ import annotations

from django.utils.translation import gettext as _, gettext_lazy

from crm.generic.imports import Column, RowResult, integer_parser, text_parser
from crm.imports import RecordImporter
from crm.models import Account, ListKind
from crm.models.contacts import CONTACT_SEARCH_INDEX
from crm.resources import PERSON_COLUMNS
from leads.models import Lead

# Header names other tools export, by column.
SYNONYMS = {
    "full_name": ("Name", "Display Name", "Contact Name", "Lead Name", "Contact"),
    "first_name": ("Given Name", "First", "Firstname"),
    "last_name": ("Family Name", "Surname", "Last", "Lastname"),
    "job_title": ("Title", "Position", "Organization 1 - Title", "Organization Title", "Job"),
    "company_name": ("Company Name", "Organization", "Organisation", "Organization 1 - Name", "Organization Name",
                     "Account Name", "Employer"),
    "email": ("Email", "E-mail", "Email Address", "E-mail 1 - Value", "Primary Email", "Email 1", "Work Email", "Mail"),
    "email2": ("Email 2", "E-mail 2 - Value", "Secondary Email"),
    "email3": ("Email 3", "E-mail 3 - Value"),
    "business_phone": ("Phone", "Work Phone", "Phone 1 - Value", "Office Phone", "Telephone", "Phone Number",
                       "Primary Phone"),
    "mobile_phone": ("Mobile", "Cell", "Cell Phone", "Mobile Phone Number", "Phone 2 - Value"),
    "fax": ("Fax", "Fax Number"),
    "web_page": ("Website", "Web Site", "URL", "Website 1 - Value", "Homepage"),
    "business_street": ("Street", "Address", "Address 1 - Street", "Street Address", "Mailing Street", "Address Line 1"),
    "business_city": ("City", "Address 1 - City", "Mailing City", "Town"),
    "business_state": ("State", "State/Province", "Province", "Region", "Address 1 - Region", "County"),
    "business_postal_code": ("Postal Code", "Zip", "Zip Code", "ZIP/Postal Code", "Postcode", "Address 1 - Postal Code"),
    "business_country": ("Country", "Country/Region", "Business Country", "Address 1 - Country"),
    "source": ("Source", "Lead source", "Origin", "Channel"),
    "assigned_to": ("Owner", "Lead Owner", "Assigned", "Sales Rep", "Salesperson"),
    "categories": ("Category", "Labels", "Tags"),
    "comments": ("Notes", "Description", "Note", "Remarks"),
}
READ_ONLY = ("Rating", "Created")


def _columns() -> list[Column]:
    columns = []
    for key, resource_field in PERSON_COLUMNS.items():
        header = resource_field.column_name
        if header in READ_ONLY:
            continue
        parse = None
        if key == "id":
            parse = integer_parser(1, 2**63 - 1)
        elif key in ("source", "assigned_to", "account", "categories"):
            parse = text_parser(200)
        columns.append(Column(key=key, label=header, headers=SYNONYMS.get(key, ()), parse=parse))
    return columns


class LeadImporter(RecordImporter):
    model = Lead
    columns = _columns()
    preview_columns = (("full_name", gettext_lazy("Full name")), ("company_name", gettext_lazy("Company")),
                       ("email", gettext_lazy("E-mail")))
    ignored_headers = READ_ONLY
    derived_fields = ("full_name", "first_name", "last_name", "file_as", "mailing_address", "score", "manual_score")
    record_defaults = {"is_lead": True}
    repr_field = "full_name"
    fulltext = CONTACT_SEARCH_INDEX
    optional_links = ("source", "assigned_to", "account")
    list_columns = {"source": (ListKind.SOURCE, True)}

    def prepare_lookups(self, rows: list[RowResult]) -> None:
        self.accounts = {}
        names = {row.values["account"] for row in rows if row.values.get("account")}
        if names:
            for account in Account.objects.filter(name__in=sorted(names)):
                self.accounts.setdefault(account.name.casefold(), account)

    def resolve_row(self, row: RowResult, header_of: dict[str, str]) -> None:
        values = row.values
        if "account" in values:
            name = values["account"].strip()
            values["account"] = self.accounts.get(name.casefold()) if name else None
            if name and values["account"] is None:
                row.errors.append((header_of["account"], _("No account called “%(name)s”.") % {"name": name}))
        if not values.get("full_name"):
            values["full_name"] = " ".join(p for p in (values.get("first_name"), values.get("last_name")) if p)
        if not values["full_name"]:
            row.errors.append((header_of.get("full_name", _("Full Name")),
                               _("A lead needs a full name (or a first and last name).")))
