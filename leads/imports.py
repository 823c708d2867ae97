"""Importing leads from CSV/Excel: the columns, the names other tools use for
them (Outlook, Google Contacts, common CRM exports) and how names in a file
become users, list values, categories and accounts."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _, gettext_lazy

from crm.generic.imports import Column, Importer, Plan, RowResult, integer_parser, text_parser
from crm.models import Account, Category, ListKind, ListValue
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


class LeadImporter(Importer):
    model = Lead
    columns = _columns()
    preview_columns = (("full_name", gettext_lazy("Full name")), ("company_name", gettext_lazy("Company")),
                       ("email", gettext_lazy("E-mail")))
    ignored_headers = READ_ONLY
    derived_fields = ("full_name", "first_name", "last_name", "file_as", "mailing_address", "score", "manual_score")
    record_defaults = {"is_lead": True}
    repr_field = "full_name"
    fulltext = CONTACT_SEARCH_INDEX

    def compute_plain_fields(self, fields: set[str]) -> set[str]:
        # Links are written only when the file has their column (an update
        # must not clear an assignment the file does not mention).
        return fields - {"source", "assigned_to", "account"} | {
            name for name in ("source", "assigned_to", "account") if name in self.present}

    def resolve(self, rows: list[RowResult], table, mapping) -> None:
        users = self._users()
        categories = {c.name.casefold(): c for c in Category.objects.all()}
        sources = {v.name.casefold(): v for v in ListValue.objects.filter(kind=ListKind.SOURCE)}
        account_names = {row.values.get("account", "").casefold() for row in rows if row.values.get("account")}
        accounts = {}
        if account_names:
            for account in Account.objects.filter(name__in=[n for n in {r.values.get("account") for r in rows} if n]):
                accounts.setdefault(account.name.casefold(), account)
        header_of = {key: table.header[index] for index, key in mapping.items() if key}
        new_sources = {}
        for row in rows:
            if row.status == "error":
                continue
            values = row.values
            if "source" in values:
                name = " ".join(values["source"].split())
                if not name:
                    values["source"] = None
                elif name.casefold() in sources:
                    values["source"] = sources[name.casefold()]
                else:
                    values["source"] = new_sources.setdefault(name.casefold(), ListValue(kind=ListKind.SOURCE, name=name))
            if "assigned_to" in values:
                who = values["assigned_to"].strip()
                values["assigned_to"] = users.get(who.casefold()) if who else None
                if who and values["assigned_to"] is None:
                    row.errors.append((header_of["assigned_to"], _("No active user called “%(name)s”.") % {"name": who}))
            if "account" in values:
                name = values["account"].strip()
                values["account"] = accounts.get(name.casefold()) if name else None
                if name and values["account"] is None:
                    row.errors.append((header_of["account"], _("No account called “%(name)s”.") % {"name": name}))
            if "categories" in values:
                names = [n.strip() for n in values["categories"].replace(";", ",").split(",") if n.strip()]
                unknown = [n for n in names if n.casefold() not in categories]
                if unknown:
                    row.errors.append((header_of["categories"], _("Unknown categories: %(names)s.") % {"names": ", ".join(unknown)}))
                values["categories"] = [categories[n.casefold()] for n in names if n.casefold() in categories]
            if not values.get("full_name"):
                values["full_name"] = " ".join(p for p in (values.get("first_name"), values.get("last_name")) if p)
            if not values["full_name"]:
                row.errors.append((header_of.get("full_name", _("Full Name")),
                                   _("A lead needs a full name (or a first and last name).")))
                continue
            self.check_record_rules(row, header_of)

    def _users(self) -> dict[str, object]:
        users = {}
        for user in get_user_model().objects.filter(is_active=True):
            for key in (user.username, user.email, user.get_full_name()):
                if key:
                    users.setdefault(key.casefold(), user)
        return users

    def reference_queryset(self, field):
        """What the preview resolved names against: active users, the Source list."""
        if field.name == "assigned_to":
            return get_user_model().objects.filter(is_active=True)
        if field.name == "source":
            return ListValue.objects.filter(kind=ListKind.SOURCE)
        return super().reference_queryset(field)

    def before_write(self, plan: Plan) -> None:
        """Save the Source values the file names for the first time (one typed in
        meanwhile by someone else is reused) and point the rows at them."""
        columns = [(rows, fields.index("source") + offset) for fields, rows, offset in (
            (plan.new_fields, plan.new, 1), (plan.update_fields, plan.update, 3)) if "source" in fields]
        names = {row[at]["new"] for rows, at in columns for row in rows if isinstance(row[at], dict)}
        if not names:
            return
        saved = {v.name.casefold(): v.pk for v in ListValue.objects.filter(kind=ListKind.SOURCE)}
        new = [ListValue(kind=ListKind.SOURCE, name=name) for name in sorted(names) if name.casefold() not in saved]
        position = ListValue.objects.filter(kind=ListKind.SOURCE).count()
        for offset, value in enumerate(new, start=1):
            value.position = position + offset
        ListValue.objects.bulk_create(new)
        saved = {v.name.casefold(): v.pk for v in ListValue.objects.filter(kind=ListKind.SOURCE)}
        for rows, at in columns:
            for row in rows:
                if isinstance(row[at], dict):
                    row[at] = saved[row[at]["new"].casefold()]
