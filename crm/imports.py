"""What the record importers share: names in a file become active users,
categories and values of the customizable lists (a Source typed in for the
first time is added to its list; the other lists take only their values);
and, for people (leads and business contacts), the columns Outlook and
Google Contacts export, so their files import without a Columns step."""
from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _, gettext_lazy, ngettext

from crm.generic import registry
from crm.generic.imports import (
    LOOKUP_SLICE, Column, Importer, Plan, RowResult, name_parser, normalize_header,
)
from crm.models import Account, BusinessContact, Category, ListKind, ListValue
from crm.models.contacts import CONTACT_SEARCH_INDEX
from crm.names import TITLES
from crm.permissions import is_owner
from crm.resources import ACCOUNT_COLUMNS, CONTACT_COLUMNS

# Google Contacts' own groups, in its "Labels" / "Group Membership" column: not categories.
GOOGLE_SYSTEM_GROUPS = {"mycontacts", "starred", "othercontacts"}


def split_categories(text: str) -> list[str]:
    """Category names in a cell: separated by commas or semicolons (Outlook),
    or ":::" (Google, which also marks groups with "* "); Google's own groups
    left out."""
    names = []
    for part in re.split(r"[,;]|:::", text):
        name = " ".join(part.split()).removeprefix("* ").strip()
        if name and normalize_header(name) not in GOOGLE_SYSTEM_GROUPS:
            names.append(name)
    return names


class RecordImporter(Importer):
    """An importer of CRM records. Subclasses add ``resolve_row`` for their own
    columns (accounts, stages, …)."""

    # Links written only when the file has their column: an update must not
    # clear an assignment the file does not mention.
    optional_links: tuple[str, ...] = ("assigned_to",)
    # Columns that name a value of a customizable list:
    # field → (ListKind, whether a value typed in for the first time joins the list).
    list_columns: dict[str, tuple[str, bool]] = {}

    def compute_plain_fields(self, fields: set[str]) -> set[str]:
        return fields - set(self.optional_links) | {name for name in self.optional_links if name in self.present}

    def resolve(self, rows: list[RowResult], table, mapping) -> None:
        header_of = {key: table.header[index] for index, key in mapping.items() if key}
        users = self.active_users() if "assigned_to" in self.present else {}
        categories = {c.name.casefold(): c for c in Category.objects.all()} if "categories" in self.present else {}
        # Only a database owner defines categories; an owner's import adds the new ones.
        may_add_categories = "categories" in self.present and is_owner(self.user)
        max_category = Category._meta.get_field("name").max_length
        lists = {name: {v.name.casefold(): v for v in ListValue.objects.filter(kind=kind)}
                 for name, (kind, _open) in self.list_columns.items() if name in self.present}
        links = [link for link in self.model.record_links.values() if set(link.field_names) & self.present]
        named = {name: self.named_records(rows, link.fields()[link.field_names.index(name)])
                 for link in links for name in link.field_names if name in self.present}
        links_now = self.links_now(rows, links)
        self.prepare_lookups(rows)
        for row in rows:
            if row.status == "error":
                continue
            values = row.values
            for link in links:
                self.resolve_link(row, link, named, links_now.get(values.get("id"), {}), header_of)
            for name, known in lists.items():
                if name not in values:
                    continue  # the cell did not parse (its error is on the row), or is empty and keeps the value
                kind, open_list = self.list_columns[name]
                typed = " ".join(values[name].split())
                if not typed:
                    values[name] = None
                elif typed.casefold() in known:
                    values[name] = known[typed.casefold()]
                elif open_list:
                    # One unsaved value per new name, saved by before_write.
                    values[name] = known.setdefault(typed.casefold(), ListValue(kind=kind, name=typed))
                else:
                    values[name] = None
                    row.errors.append((header_of[name], _("“%(value)s” is not in the list “%(list)s”.") % {
                        "value": typed, "list": ListValue(kind=kind).get_kind_display()}))
            if "assigned_to" in values:
                who = values["assigned_to"].strip()
                values["assigned_to"] = users.get(who.casefold()) if who else None
                if who and values["assigned_to"] is None:
                    row.errors.append((header_of["assigned_to"], _("No active user called “%(name)s”.") % {"name": who}))
            if "categories" in values:
                self.resolve_categories(row, header_of["categories"], categories, may_add_categories, max_category)
            self.resolve_row(row, header_of)

    def resolve_categories(self, row: RowResult, header: str, known: dict[str, Category], may_add: bool,
                           max_length: int) -> None:
        """A row's categories by name. A name no category has is not a reason to
        refuse the row (only a database owner can add categories): it is
        reported as a warning and left out, or, when the owner imports, added
        as a new category by the commit."""
        names = list(dict.fromkeys(split_categories(row.values["categories"])))
        found, unknown, added = [], [], []
        for name in names:
            if name.casefold() not in known and may_add and len(name) <= max_length:
                # One unsaved category per new name, saved by before_write.
                known[name.casefold()] = Category(name=name)
            if name.casefold() in known:
                category = known[name.casefold()]
                found.append(category)
                if category.pk is None:
                    added.append(category.name)
            else:
                unknown.append(name)
        if added:
            row.warnings.append((header, ngettext("New category, added by the import: %(names)s.",
                                                  "New categories, added by the import: %(names)s.",
                                                  len(added)) % {"names": ", ".join(added)}))
        if unknown:
            row.warnings.append((header, ngettext(
                "Unknown category, left out (only a database owner can add categories): %(names)s.",
                "Unknown categories, left out (only a database owner can add categories): %(names)s.",
                len(unknown)) % {"names": ", ".join(unknown)}))
        if names and not found and row.status == "update":
            row.values.pop("categories")  # nothing usable: the record keeps its categories
        else:
            row.values["categories"] = found

    # --- links to one record of several types (crm.generic.links) ---------------
    def named_records(self, rows: list[RowResult], field) -> dict[str, list]:
        """The records the rows name in ``field``'s column, by each of the linked
        type's ``lookup_fields`` in lower case: name → the records so called."""
        names = sorted({row.values[field.name].strip().casefold() for row in rows
                        if (row.values.get(field.name) or "").strip()})
        lookup = field.related_model.lookup_fields
        queryset = registry.for_model(field.related_model).queryset()
        found: dict[str, list] = {}
        for start in range(0, len(names), LOOKUP_SLICE):
            part = names[start:start + LOOKUP_SLICE]
            match = Q()
            for name in lookup:
                match |= Q(**{f"_{name}__in": part})
            annotated = queryset.annotate(**{f"_{name}": Lower(name) for name in lookup}).filter(match).order_by("pk")
            for record in annotated:
                for name in lookup:
                    value = getattr(record, f"_{name}")
                    if value in part and record not in found.get(value, []):
                        found.setdefault(value, []).append(record)
        return found

    def links_now(self, rows: list[RowResult], links) -> dict[int, dict[str, int | None]]:
        """What the rows' records are linked to now, by ID: a name that several
        records share still names the one the record is linked to."""
        names = [name for link in links for name in link.field_names]
        known = sorted({row.values["id"] for row in rows if row.values.get("id")}) if names else []
        now = {}
        for start in range(0, len(known), LOOKUP_SLICE):
            for pk, *keys in self.model._base_manager.filter(pk__in=known[start:start + LOOKUP_SLICE]).values_list(
                    "pk", *[f"{name}_id" for name in names]):
                now[pk] = dict(zip(names, keys))
        return now

    def resolve_link(self, row: RowResult, link, named: dict[str, dict[str, list]], now: dict[str, int | None],
                     header_of: dict[str, str]) -> None:
        """The file says what the record is linked to: the one record its cell
        names, the link's other keys cleared."""
        values = row.values
        if not set(link.field_names) & set(values):
            return
        for field in link.fields():
            name = (values.get(field.name) or "").strip()
            candidates = named.get(field.name, {}).get(name.casefold(), []) if name else []
            if len(candidates) > 1:
                candidates = [r for r in candidates if r.pk == now.get(field.name)] or candidates
            values[field.name] = candidates[0] if len(candidates) == 1 else None
            if name and len(candidates) != 1:
                row.errors.append((header_of.get(field.name, field.name),
                                   (self.several_message if candidates else self.unknown_message)(field, name)))

    @staticmethod
    def unknown_message(field, name: str) -> str:
        return _("No %(type)s called “%(name)s”.") % {"type": field.related_model._meta.verbose_name, "name": name}

    def several_message(self, field, name: str) -> str:
        related = field.related_model
        if len(related.lookup_fields) > 1:
            return _("Several %(types)s are called “%(name)s”; give the %(record)s's ID to keep its link, or use "
                     "the %(other)s.") % {
                "types": related._meta.verbose_name_plural, "name": name, "record": self.model._meta.verbose_name,
                "other": related._meta.get_field(related.lookup_fields[1]).verbose_name}
        return _("Several %(types)s are called “%(name)s”; give the %(record)s's ID to keep its link, or rename "
                 "one of them.") % {"types": related._meta.verbose_name_plural, "name": name,
                                    "record": self.model._meta.verbose_name}

    def prepare_lookups(self, rows: list[RowResult]) -> None:
        """Load what ``resolve_row`` looks names up in, once per file. Override."""

    def resolve_row(self, row: RowResult, header_of: dict[str, str]) -> None:
        """The record type's own columns of one row. Override."""

    @staticmethod
    def active_users() -> dict[str, object]:
        """Active users by user name, e-mail and full name (case-insensitive)."""
        users = {}
        for user in get_user_model().objects.filter(is_active=True):
            for key in (user.username, user.email, user.get_full_name()):
                if key:
                    users.setdefault(key.casefold(), user)
        return users

    def reference_queryset(self, field):
        """What the preview resolved names against: active users, each list's values."""
        if field.name == "assigned_to":
            return get_user_model().objects.filter(is_active=True)
        if field.name in self.list_columns:
            return ListValue.objects.filter(kind=self.list_columns[field.name][0])
        return super().reference_queryset(field)

    def before_write(self, plan: Plan) -> None:
        """Save the list values and categories the file names for the first
        time (one added meanwhile by someone else is reused) and point the
        rows at them."""
        from crm import services

        for name, (kind, open_list) in self.list_columns.items():
            if not open_list:
                continue
            cells = list(self._cells(plan, name))
            names = {value["new"] for _row, _at, value in cells if isinstance(value, dict)}
            if not names:
                continue
            values = ListValue.objects.filter(kind=kind)
            saved = {v.name.casefold(): v.pk for v in values}
            new = [ListValue(kind=kind, name=typed) for typed in sorted(names) if typed.casefold() not in saved]
            position = values.count()
            for offset, value in enumerate(new, start=1):
                value.position = position + offset
            ListValue.objects.bulk_create(new)
            saved = {v.name.casefold(): v.pk for v in values.all()}
            for row, at, value in cells:
                if isinstance(value, dict):
                    row[at] = saved[value["new"].casefold()]
        cells = list(self._cells(plan, "categories"))
        names = {item["new"] for _row, _at, items in cells for item in items if isinstance(item, dict)}
        if names:
            saved = {c.name.casefold(): c.pk for c in Category.objects.all()}
            for typed in sorted(names, key=str.casefold):
                if typed.casefold() not in saved:
                    category = Category(name=typed)
                    services.category_save(category=category)
                    saved[typed.casefold()] = category.pk
            for row, at, items in cells:
                row[at] = [saved[item["new"].casefold()] if isinstance(item, dict) else item for item in items]

    @staticmethod
    def _cells(plan: Plan, name: str):
        """(container, index or key, value) of field ``name`` in every planned row."""
        if name in plan.new_fields:
            at = plan.new_fields.index(name) + 1
            for row in plan.new:
                yield row, at, row[at]
        for row in plan.update:
            if name in row[3]:
                yield row[3], name, row[3][name]


# --- People: leads and business contacts ------------------------------------------

# "Initiated by" (crm.resources.INITIATED_BY) under other names: leads and
# opportunities alike.
INITIATED_BY_SYNONYMS = {
    "initiated_by_account": ("Referring Account",),
    "initiated_by_contact": ("Referring Contact",),
    "initiated_by_activity": ("Marketing Activity", "Campaign", "Campaign Name", "Marketing Campaign"),
}

# Header names other tools export, by column: Outlook's contact export (the
# "Outlook CSV" of Outlook for Windows and Outlook.com), Google Contacts (both
# its older "Google CSV" and the current layout) and common CRM exports.
PERSON_SYNONYMS = {
    "full_name": ("Name", "Display Name", "Contact Name", "Lead Name", "Contact"),
    "first_name": ("Given Name", "First", "Firstname"),
    "middle_name": ("Additional Name", "Middle", "Middlename"),
    "last_name": ("Family Name", "Surname", "Last", "Lastname"),
    # "Title" is the job title in some CRMs' exports, the salutation in Outlook's
    # (see PersonImporter.match_headers).
    "job_title": ("Title", "Position", "Organization 1 - Title", "Organization Title", "Job"),
    "department": ("Organization 1 - Department", "Organization Department", "Dept"),
    "company_name": ("Company Name", "Organization", "Organisation", "Organization 1 - Name", "Organization Name",
                     "Account Name", "Employer"),
    "email": ("Email", "E-mail", "Email Address", "E-mail 1 - Value", "Primary Email", "Email 1", "Work Email", "Mail"),
    "email2": ("Email 2", "E-mail 2 - Value", "Secondary Email"),
    "email3": ("Email 3", "E-mail 3 - Value"),
    "business_phone": ("Phone", "Work Phone", "Phone 1 - Value", "Office Phone", "Telephone", "Phone Number",
                       "Primary Phone", "Company Main Phone"),
    "mobile_phone": ("Mobile", "Cell", "Cell Phone", "Mobile Phone Number", "Phone 2 - Value"),
    "other_phone": ("Phone 3 - Value",),
    "fax": ("Fax", "Fax Number"),
    "web_page": ("Website", "Web Site", "URL", "Website 1 - Value", "Homepage"),
    "business_street": ("Street", "Address", "Address 1 - Street", "Street Address", "Mailing Street", "Address Line 1"),
    "business_street2": ("Address 1 - Extended Address", "Address Line 2"),
    "business_street3": ("Address Line 3",),
    "business_city": ("City", "Address 1 - City", "Mailing City", "Town"),
    "business_state": ("State", "State/Province", "Province", "Region", "Address 1 - Region", "County"),
    "business_postal_code": ("Postal Code", "Zip", "Zip Code", "ZIP/Postal Code", "Postcode", "Address 1 - Postal Code"),
    "business_country": ("Country", "Country/Region", "Business Country/Region", "Address 1 - Country"),
    "home_country": ("Home Country/Region",),
    "other_country": ("Other Country/Region",),
    "source": ("Source", "Lead source", "Origin", "Channel"),
    **INITIATED_BY_SYNONYMS,
    "assigned_to": ("Owner", "Lead Owner", "Assigned", "Sales Rep", "Salesperson"),
    "categories": ("Category", "Labels", "Tags", "Group Membership"),
    "comments": ("Notes", "Description", "Note", "Remarks"),
    "office": ("Office",),
    "profession": ("Occupation",),
    "manager_name": ("Manager",),
    "assistant_name": ("Assistant",),
}

# Columns of Outlook's and Google's contact exports a person record has no
# place for: known, so they never send the user to the Columns step.
PERSON_IGNORED = (
    # Outlook
    "Title", "Suffix", "Business Phone 2", "Assistant's Phone", "Callback", "Car Phone", "Home Fax", "Home Phone 2",
    "ISDN", "Other Fax", "Pager", "Radio Phone", "TTY/TDD Phone", "Telex", "Anniversary", "Assistant's Name",
    "Billing Information", "Birthday", "Business Address PO Box", "Children", "Directory Server", "E-mail Type",
    "E-mail Display Name", "E-mail 2 Type", "E-mail 2 Display Name", "E-mail 3 Type", "E-mail 3 Display Name",
    "Gender", "Government ID Number", "Hobby", "Home Address PO Box", "Initials", "Internet Free Busy", "Keywords",
    "Language", "Location", "Manager's Name", "Mileage", "Office Location", "Organizational ID Number",
    "Other Address PO Box", "Priority", "Private", "Profession", "Referred By", "Sensitivity", "Spouse",
    "User 1", "User 2", "User 3", "User 4",
    # Google Contacts
    "Yomi Name", "Given Name Yomi", "Additional Name Yomi", "Family Name Yomi", "Phonetic First Name",
    "Phonetic Middle Name", "Phonetic Last Name", "Name Prefix", "Name Suffix", "Nickname", "Short Name",
    "Maiden Name", "Occupation", "Subject", "Photo",
)
# Google numbers its repeated columns ("Phone 4 - Value", "Address 2 - City",
# "Event 1 - Label"); those without a place above are left out.
PERSON_IGNORED_PATTERNS = (
    r"(email|phone|address|organization|website|event|relation|customfield|im|externalid|calendarlink|jot"
    r"|sipaddress|location)\d+.*",
)
# Columns of our own person exports that the import does not set.
READ_ONLY_PERSON = ("Rating", "Created")
ADDRESS_PREFIXES = ("business", "home", "other")
# Columns that are parts of other fields (the importer folds them in).
PART_COLUMNS = {
    "middle_name": "Middle Name",
    **{f"{prefix}_street{line}": f"{prefix.title()} Street {line}" for prefix in ADDRESS_PREFIXES for line in (2, 3)},
}


def import_columns(resource_columns: dict, read_only: tuple[str, ...], synonyms: dict[str, tuple[str, ...]],
                   parts: dict[str, str] | None = None) -> list[Column]:
    """The columns of an importer: its export's columns (so an export imports
    back unchanged) under the names other tools use too (``synonyms``), plus
    ``parts`` of fields (key → header) the importer folds in."""
    columns = []
    for key, resource_field in resource_columns.items():
        header = resource_field.column_name
        if header in read_only:
            continue
        columns.append(Column(key=key, label=header, headers=synonyms.get(key, ())))
    for key, label in (parts or {}).items():
        columns.append(Column(key=key, label=label, headers=synonyms.get(key, ()), parse=name_parser))
    return columns


def person_columns(resource_columns: dict, read_only: tuple[str, ...]) -> list[Column]:
    """A person importer's columns, with the parts Outlook and Google split a
    name or a street into."""
    return import_columns(resource_columns, read_only, PERSON_SYNONYMS, PART_COLUMNS)


class PersonImporter(RecordImporter):
    """Leads and business contacts: names and accounts, and Outlook's and
    Google's ways of splitting a name (middle name) and a street (lines 2 and 3)."""

    ignored_header_patterns = PERSON_IGNORED_PATTERNS
    ignored_headers = READ_ONLY_PERSON + PERSON_IGNORED
    preview_columns = (("full_name", gettext_lazy("Full name")), ("company_name", gettext_lazy("Company")),
                       ("email", gettext_lazy("E-mail")))
    fulltext = CONTACT_SEARCH_INDEX
    list_columns = {"source": (ListKind.SOURCE, True)}
    optional_links = ("source", "assigned_to", "account")
    derived_fields = ("full_name", "first_name", "last_name", "file_as", "mailing_address", "score", "manual_score")
    repr_field = "full_name"

    def match_headers(self, header: list[str], rows: list[list[str]] = ()) -> dict[int, str | None]:
        """Outlook's "Title" holds the salutation (Mr., Ms.): it is left out when
        the file has a job title column of its own, or when its values are
        salutations; otherwise (other CRMs' exports) it is the job title."""
        mapping = super().match_headers(header, rows)
        for index, key in mapping.items():
            if key == "job_title" and normalize_header(header[index]) == "title":
                values = {row[index].strip().rstrip(".").casefold() for row in rows[:1000]
                          if index < len(row) and row[index].strip()}
                if values and values <= TITLES:
                    mapping[index] = None
        return mapping

    def prepare_lookups(self, rows: list[RowResult]) -> None:
        # Accounts by name; of several so called, the oldest.
        self.accounts = {name: found[0] for name, found in
                         self.named_records(rows, self.model._meta.get_field("account")).items()}

    def resolve_row(self, row: RowResult, header_of: dict[str, str]) -> None:
        values = row.values
        if "account" in values:
            name = values["account"].strip()
            values["account"] = self.accounts.get(name.casefold()) if name else None
            if name and values["account"] is None:
                row.errors.append((header_of["account"], self.unknown_message(self.model._meta.get_field("account"), name)))

    def complete_row(self, row: RowResult, current, header_of: dict[str, str]) -> None:
        """Fold the middle name into the first name and the street's extra lines
        into the street, and name the person from the first and last names when
        the file gives no full name — taking from the record what the file's
        empty cells keep (``current``)."""
        values = row.values
        middle = values.pop("middle_name", "")
        if middle:
            first = values["first_name"] if "first_name" in values else (current.first_name if current else "")
            if not first.endswith(middle):
                values["first_name"] = " ".join(p for p in (first, middle) if p)
        for prefix in ADDRESS_PREFIXES:
            self.fold_street(values, prefix, current)
        if not values.get("full_name") and ("first_name" in values or "last_name" in values):
            first = values.get("first_name", current.first_name if current else "")
            last = values.get("last_name", current.last_name if current else "")
            # The same first and last name keep the full name as saved ("Dr. Anna Hansen").
            if (first or last) and (current is None or (first, last) != (current.first_name, current.last_name)):
                values["full_name"] = " ".join(p for p in (first, last) if p)
            elif current is not None:
                values.pop("full_name", None)
        if (current is None or "full_name" in values) and not values.get("full_name"):
            row.errors.append((header_of.get("full_name", _("Full Name")), self.needs_name_message()))

    @staticmethod
    def fold_street(values: dict, prefix: str, current) -> None:
        """Outlook's "Street 2" and "Street 3" (Google's "Extended Address") are
        lines of the street: each given line replaces that line, an empty one
        keeps the saved line."""
        street, keys = f"{prefix}_street", [f"{prefix}_street", f"{prefix}_street2", f"{prefix}_street3"]
        extra = [key for key in keys[1:] if key in values]
        if not extra:
            return
        saved = (getattr(current, street) or "").splitlines() if current is not None else []
        lines = (saved + ["", "", ""])[:3] + saved[3:]
        for at, key in enumerate(keys):
            if key in values:
                lines[at] = values.pop(key) if at else values[key]
        values[street] = "\n".join(line for line in lines if line)

    def needs_name_message(self) -> str:
        return _("A business contact needs a full name (or a first and last name).")

    def update_note(self, current) -> str:
        if current.is_lead and not self.record_defaults.get("is_lead"):
            return _("Matches the lead “%(name)s”: the lead is updated and stays a lead.") % {"name": current}
        if not current.is_lead and self.record_defaults.get("is_lead"):
            return _("Matches the business contact “%(name)s” (not a lead): the business contact is updated.") % {
                "name": current}
        return ""


class ContactImporter(PersonImporter):
    """Business contacts; a row whose e-mail address is a lead's updates the lead."""

    model = BusinessContact
    columns = person_columns(CONTACT_COLUMNS, READ_ONLY_PERSON)
    record_defaults = {"is_lead": False}


# --- Accounts ---------------------------------------------------------------------

ACCOUNT_SYNONYMS = {
    "name": ("Name", "Company", "Company Name", "Organization", "Organisation", "Organization Name", "Account",
             "Customer", "Customer Name"),
    "account_number": ("Account No", "Account #", "Customer Number", "Customer No"),
    "office": ("Office Location", "Location"),
    "email": ("Email", "E-mail", "Email Address", "Primary Email"),
    "email2": ("Email 2", "Secondary Email"),
    "email3": ("Email 3",),
    "business_phone": ("Phone", "Main Phone", "Company Main Phone", "Telephone", "Phone Number"),
    "fax": ("Fax", "Fax Number"),
    "web_page": ("Website", "Web Site", "URL", "Homepage"),
    "business_street": ("Street", "Address", "Street Address"),
    "business_city": ("City", "Town"),
    "business_state": ("State", "State/Province", "Province", "Region"),
    "business_postal_code": ("Postal Code", "Zip", "Zip Code", "Postcode"),
    "business_country": ("Country", "Country/Region", "Business Country/Region"),
    "billing_country": ("Billing Country/Region",),
    "shipping_country": ("Shipping Country/Region",),
    "assigned_to": ("Owner", "Account Owner", "Sales Rep", "Salesperson"),
    "categories": ("Category", "Labels", "Tags"),
    "comments": ("Notes", "Description", "Note"),
}


class AccountImporter(RecordImporter):
    """Accounts, matched by ID only (names repeat, e-mail addresses are shared)."""

    model = Account
    columns = import_columns(ACCOUNT_COLUMNS, ("Created",), ACCOUNT_SYNONYMS)
    preview_columns = (("name", gettext_lazy("Account name")), ("business_city", gettext_lazy("City")),
                       ("email", gettext_lazy("E-mail")))
    ignored_headers = ("Created",)
    duplicate_key = None
    duplicate_label = gettext_lazy("When a row's ID matches an existing account")
    derived_fields = ("mailing_address",)
    repr_field = "name"

    def complete_row(self, row: RowResult, current, header_of: dict[str, str]) -> None:
        if (current is None or "name" in row.values) and not " ".join((row.values.get("name") or "").split()):
            row.errors.append((header_of.get("name", _("Account Name")), _("An account needs a name.")))
