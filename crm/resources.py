"""Import/export column definitions (django-import-export resources).

Column names are the file's interface (the same in every language, like the
exports of other CRMs), so a file exported here imports back unchanged.
"""
from import_export import fields, resources
from import_export.widgets import ManyToManyWidget

from crm.models import Account, BusinessContact, Category
from crm.models.base import ADDRESS_PARTS

PART_HEADERS = {"street": "Street", "city": "City", "state": "State", "postal_code": "Postal Code", "country": "Country"}


def address_columns(prefix: str, label: str) -> dict[str, fields.Field]:
    return {f"{prefix}_{part}": fields.Field(attribute=f"{prefix}_{part}", column_name=f"{label} {PART_HEADERS[part]}")
            for part in ADDRESS_PARTS}


def column(attribute: str, name: str) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=name)


COMMON = {
    "email": column("email", "E-mail Address"),
    "email2": column("email2", "E-mail 2 Address"),
    "email3": column("email3", "E-mail 3 Address"),
    "business_phone": column("business_phone", "Business Phone"),
    "mobile_phone": column("mobile_phone", "Mobile Phone"),
    "fax": column("fax", "Business Fax"),
    "other_phone": column("other_phone", "Other Phone"),
    "web_page": column("web_page", "Web Page"),
    "assigned_to": column("assigned_to__username", "Assigned To"),
    "categories": fields.Field(attribute="categories", column_name="Categories",
                               widget=ManyToManyWidget(Category, field="name", separator=", ")),
    "comments": column("comments", "Comments"),
}


def resource_class(name: str, model, columns: dict[str, fields.Field]) -> type[resources.ModelResource]:
    """Build a resource with exactly ``columns``, in that order."""
    meta = type("Meta", (), {"model": model, "fields": tuple(columns), "export_order": tuple(columns)})
    return type(name, (resources.ModelResource,), {**columns, "Meta": meta, "__module__": __name__})


# "Initiated by" (one account, business contact or marketing activity), one
# column per type, by name: the importer finds the record by its type's
# lookup fields (crm.imports.RecordImporter.resolve_link).
INITIATED_BY = {
    "initiated_by_account": column("initiated_by_account__name", "Initiated By Account"),
    "initiated_by_contact": column("initiated_by_contact__full_name", "Initiated By Business Contact"),
    "initiated_by_activity": column("initiated_by_activity__name", "Initiated By Marketing Activity"),
}

ACCOUNT_COLUMNS = {
    "id": column("id", "ID"),
    "name": column("name", "Account Name"),
    "account_number": column("account_number", "Account Number"),
    "office": column("office", "Office"),
    **COMMON,
    **address_columns("business", "Business"),
    **address_columns("billing", "Billing"),
    **address_columns("shipping", "Shipping"),
    "mailing_address": column("mailing_address", "Mailing Address"),
    "created": column("created", "Created"),
}

AccountResource = resource_class("AccountResource", Account, ACCOUNT_COLUMNS)

PERSON_COLUMNS = {
    "id": column("id", "ID"),
    "full_name": column("full_name", "Full Name"),
    "first_name": column("first_name", "First Name"),
    "last_name": column("last_name", "Last Name"),
    "file_as": column("file_as", "File As"),
    "job_title": column("job_title", "Job Title"),
    "department": column("department", "Department"),
    "company_name": column("company_name", "Company"),
    "account": column("account__name", "Account"),
    **COMMON,
    "home_phone": column("home_phone", "Home Phone"),
    **address_columns("business", "Business"),
    **address_columns("home", "Home"),
    **address_columns("other", "Other"),
    "mailing_address": column("mailing_address", "Mailing Address"),
    "source": column("source__name", "Lead Source"),
    **INITIATED_BY,
    "score_type": column("score_type", "Score Type"),
    "manual_score": column("manual_score", "Manual Score"),
    "score": column("score", "Rating"),
    "created": column("created", "Created"),
}

CONTACT_COLUMNS = {
    **PERSON_COLUMNS,
    "office": column("office", "Office Location"),
    "profession": column("profession", "Profession"),
    "manager_name": column("manager_name", "Manager's Name"),
    "assistant_name": column("assistant_name", "Assistant's Name"),
    "birthday": column("birthday", "Birthday"),
    "anniversary": column("anniversary", "Anniversary"),
}

ContactResource = resource_class("ContactResource", BusinessContact, CONTACT_COLUMNS)
