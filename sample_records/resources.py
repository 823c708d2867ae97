"""Export columns of site visits (the importer reads the same headers back)."""
from crm.resources import COMMON, column, resource_class
from sample_records.models import SiteVisit

SITE_VISIT_COLUMNS = {
    "id": column("id", "ID"),
    "title": column("title", "Title"),
    "visit_date": column("visit_date", "Visit Date"),
    "kind": column("kind", "Kind"),
    "expenses": column("expenses", "Expenses"),
    "account": column("account__name", "Account"),
    "contact": column("contact__full_name", "Business Contact"),
    "assigned_to": COMMON["assigned_to"],
    "categories": COMMON["categories"],
    "comments": COMMON["comments"],
    "created": column("created", "Created"),
}

SiteVisitResource = resource_class("SiteVisitResource", SiteVisit, SITE_VISIT_COLUMNS)
