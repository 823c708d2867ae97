"""Export columns of business projects and project tasks (the importers read
the same headers back)."""
from import_export import fields
from import_export.widgets import ManyToManyWidget

from crm.models import Account, BusinessContact
from crm.resources import COMMON, column, resource_class
from projects.models import BusinessProject, ProjectTask


# --- Projects and tasks ------------------------------------------------------------------

PROJECT_COLUMNS = {
    "id": column("id", "ID"),
    "name": column("name", "Project Name"),
    "account": column("account__name", "Account"),
    "contact": column("contact__full_name", "Business Contact"),
    "status": column("status", "Status"),
    "priority": column("priority", "Priority"),
    "start_date": column("start_date", "Start Date"),
    "due_date": column("due_date", "Due Date"),
    "percent_complete": column("percent_complete", "% Complete"),
    "related_accounts": fields.Field(attribute="related_accounts", column_name="Related Accounts",
                                     widget=ManyToManyWidget(Account, field="name", separator="; ")),
    "related_contacts": fields.Field(attribute="related_contacts", column_name="Related Business Contacts",
                                     widget=ManyToManyWidget(BusinessContact, field="full_name", separator="; ")),
    "opportunity": column("opportunity__title", "Created From Opportunity"),
    "assigned_to": COMMON["assigned_to"],
    "categories": COMMON["categories"],
    "comments": COMMON["comments"],
    "created": column("created", "Created"),
}

ProjectResource = resource_class("ProjectResource", BusinessProject, PROJECT_COLUMNS)

PROJECT_TASK_COLUMNS = {
    "id": column("id", "ID"),
    "subject": column("subject", "Subject"),
    "project": column("project__name", "Business Project"),
    "assigned_to": COMMON["assigned_to"],
    "start_date": column("start_date", "Start Date"),
    "due_date": column("due_date", "Due Date"),
    "status": column("status", "Status"),
    "priority": column("priority", "Priority"),
    "percent_complete": column("percent_complete", "% Complete"),
    "categories": COMMON["categories"],
    "comments": COMMON["comments"],
    "created": column("created", "Created"),
}

ProjectTaskResource = resource_class("ProjectTaskResource", ProjectTask, PROJECT_TASK_COLUMNS)
