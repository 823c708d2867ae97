"""Export columns of opportunities (file headers are the same in every language;
the importer reads the same headers back)."""
from crm.resources import COMMON, INITIATED_BY, column, resource_class
from sales.models import Opportunity

OPPORTUNITY_COLUMNS = {
    "id": column("id", "ID"),
    "title": column("title", "Opportunity Title"),
    "account": column("account__name", "Account"),
    "contact": column("contact__full_name", "Business Contact"),
    "opportunity_type": column("opportunity_type__name", "Type"),
    "stage": column("stage__name", "Sales Stage"),
    "probability": column("probability", "Probability"),
    "total": column("total", "Total"),
    "expected_revenue": column("expected_revenue", "Expected Revenue"),
    "close_date": column("close_date", "Close Date"),
    "payment_terms": column("payment_terms__name", "Payment Terms"),
    "expiration_date": column("expiration_date", "Expiration Date"),
    "delivery_date": column("delivery_date", "Delivery Date"),
    "source": column("source__name", "Source"),
    **INITIATED_BY,
    "competitors": column("competitors", "Competitors"),
    "assigned_to": COMMON["assigned_to"],
    "categories": COMMON["categories"],
    "comments": COMMON["comments"],
    "created": column("created", "Created"),
}

OpportunityResource = resource_class("OpportunityResource", Opportunity, OPPORTUNITY_COLUMNS)
