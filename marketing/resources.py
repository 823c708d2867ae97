"""Export columns of marketing activities (the importer reads the same headers back)."""
from crm.models import MarketingActivity
from crm.resources import COMMON, column, resource_class

MARKETING_ACTIVITY_COLUMNS = {
    "id": column("id", "ID"),
    "name": column("name", "Name"),
    "activity_type": column("activity_type__name", "Type"),
    "start_date": column("start_date", "Start Date"),
    "end_date": column("end_date", "End Date"),
    "budget": column("budget", "Budget"),
    "assigned_to": COMMON["assigned_to"],
    "categories": COMMON["categories"],
    "comments": COMMON["comments"],
    "created": column("created", "Created"),
}

MarketingActivityResource = resource_class("MarketingActivityResource", MarketingActivity, MARKETING_ACTIVITY_COLUMNS)
