"""Importing leads from CSV/Excel: the columns, the names other tools use for
them (Outlook, Google Contacts, common CRM exports) and how names in a file
become users, list values, categories and accounts."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _, gettext_lazy

from crm.generic.imports import Column, Importer, RowResult, integer_parser, text_parser
from crm.models import Account, Category, ListKind, ListValue
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

    def compute_plain_fields(self, fields: set[str]) -> set[str]:
        # Links are written only when the file has their column (an update
        # must not clear an assignment the file does not mention).
        return fields - {"source", "assigned_to", "account"} | {
            name for name in ("source", "assigned_to", "account") if name in self.present}

    def preview(self, table, mapping, **kwargs):
        self.present = {key for key in mapping.values() if key}
        self._plain_fields = None
        return super().preview(table, mapping, **kwargs)

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
        self.new_sources = {}
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
                    values["source"] = self.new_sources.setdefault(name.casefold(), ListValue(kind=ListKind.SOURCE, name=name))
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
            self._check_record_rules(row, header_of)

    def _check_record_rules(self, row: RowResult, header_of: dict[str, str]) -> None:
        """The lead's own rules (Model.clean), as every other write path applies them."""
        lead = Lead(**{k: v for k, v in row.values.items() if k in self.plain_fields() and k != "source"})
        try:
            lead.clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                row.errors.append((header_of.get(name, name), " ".join(messages)))
        row.instance = lead  # reused by the commit for a new record

    def _users(self) -> dict[str, object]:
        users = {}
        for user in get_user_model().objects.filter(is_active=True):
            for key in (user.username, user.email, user.get_full_name()):
                if key:
                    users.setdefault(key.casefold(), user)
        return users

    def new_instance(self, row: RowResult) -> Lead:
        lead = getattr(row, "instance", None) or super().new_instance(row)
        if "source" in self.plain_fields():
            lead.source = row.values.get("source")
        lead.is_lead = True
        return lead

    def before_write(self, rows: list[RowResult]) -> None:
        new = [value for value in self.new_sources.values()]
        if new:
            position = ListValue.objects.filter(kind=ListKind.SOURCE).count()
            for offset, value in enumerate(new, start=1):
                value.position = position + offset
            ListValue.objects.bulk_create(new)
            saved = {v.name.casefold(): v for v in ListValue.objects.filter(kind=ListKind.SOURCE)}
            for row in rows:
                source = row.values.get("source")
                if source is not None and source.pk is None:
                    row.values["source"] = saved[source.name.casefold()]

    def after_write(self, pairs) -> None:
        if "categories" not in self.present:
            return
        through = Lead._meta.get_field("categories").remote_field.through
        current: dict[int, set[int]] = {}
        pks = [obj.pk for _row, obj in pairs]
        for start in range(0, len(pks), 500):
            for pk, category in through.objects.filter(businesscontact_id__in=pks[start:start + 500]).values_list(
                    "businesscontact_id", "category_id"):
                current.setdefault(pk, set()).add(category)
        # Only records whose categories differ from the file's are rewritten.
        changed = [(row, obj) for row, obj in pairs
                   if {c.pk for c in row.values.get("categories", [])} != current.get(obj.pk, set())]
        changed_pks = [obj.pk for _row, obj in changed]
        for start in range(0, len(changed_pks), 500):
            through.objects.filter(businesscontact_id__in=changed_pks[start:start + 500]).delete()
        through.objects.bulk_create(
            [through(businesscontact_id=obj.pk, category_id=c.pk) for row, obj in changed for c in row.values.get("categories", [])],
            batch_size=1000,
        )


