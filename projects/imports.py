"""Importing business projects and project tasks from CSV/Excel: the exports'
columns (so an exported file imports back unchanged) under the names other
tools give them. Rows match existing records by ID only (names repeat).

A project's % complete comes from its tasks, and the opportunity it was
created from and its related accounts and business contacts are kept on its
form (names are not unique among 100,000 accounts): the import reads those
columns as information only. A task names its project in the "Business
Project" column, as the export writes it."""
from django.utils.translation import gettext as _, gettext_lazy

from crm.imports import RecordImporter, import_columns
from projects.models import BusinessProject, ProjectTask
from projects.resources import PROJECT_COLUMNS, PROJECT_TASK_COLUMNS


# --- Projects and tasks ------------------------------------------------------------------

PROJECT_SYNONYMS = {
    "name": ("Project", "Name", "Title", "Project Title"),
    "account": ("Account Name", "Company", "Customer", "Organization", "Organisation"),
    "contact": ("Contact", "Contact Name", "Person"),
    "status": ("Project Status", "State"),
    "start_date": ("Start", "Starts", "Begins"),
    "due_date": ("Due", "End Date", "Deadline", "Finish"),
    "assigned_to": ("Owner", "Project Manager", "Manager"),
    "categories": ("Category", "Labels", "Tags"),
    "comments": ("Notes", "Description"),
}
PROJECT_READ_ONLY = ("% Complete", "Related Accounts", "Related Business Contacts", "Created From Opportunity",
                     "Created")


class ProjectImporter(RecordImporter):
    model = BusinessProject
    columns = import_columns(PROJECT_COLUMNS, PROJECT_READ_ONLY, PROJECT_SYNONYMS)
    preview_columns = (("name", gettext_lazy("Project name")), ("account", gettext_lazy("Account")),
                       ("contact", gettext_lazy("Business contact")), ("status", gettext_lazy("Status")))
    ignored_headers = PROJECT_READ_ONLY
    duplicate_key = None
    duplicate_label = gettext_lazy("When a row's ID matches an existing business project")
    repr_field = "name"

    def complete_row(self, row, current, header_of: dict[str, str]) -> None:
        """A new project needs a name; an update keeps it unless its cell gives one
        (the importer runs the record's clean(), not the field checks)."""
        values = row.values
        if (current is None or "name" in values) and not " ".join((values.get("name") or "").split()):
            row.errors.append((header_of.get("name", _("Project Name")), _("A business project needs a name.")))


TASK_SYNONYMS = {
    "subject": ("Task", "Task Name", "Title", "Name"),
    "project": ("Project", "Project Name", "Business Project Name"),
    "assigned_to": ("Owner", "Assignee", "Resource", "Resource Names"),
    "start_date": ("Start", "Starts", "Begins"),
    "due_date": ("Due", "Finish", "End Date", "Deadline"),
    "status": ("Task Status", "State"),
    "percent_complete": ("Percent Complete", "% Done", "Progress", "Complete"),
    "categories": ("Category", "Labels", "Tags"),
    "comments": ("Notes", "Description"),
}
TASK_READ_ONLY = ("Created",)


class ProjectTaskImporter(RecordImporter):
    model = ProjectTask
    columns = import_columns(PROJECT_TASK_COLUMNS, TASK_READ_ONLY, TASK_SYNONYMS)
    preview_columns = (("subject", gettext_lazy("Subject")), ("project", gettext_lazy("Business project")),
                       ("status", gettext_lazy("Status")), ("percent_complete", gettext_lazy("% complete")))
    ignored_headers = TASK_READ_ONLY
    duplicate_key = None
    duplicate_label = gettext_lazy("When a row's ID matches an existing project task")
    # Completed and 100 % go together (ProjectTask.clean): either may follow from the other.
    derived_fields = ("status", "percent_complete")
    repr_field = "subject"

    def complete_row(self, row, current, header_of: dict[str, str]) -> None:
        """A new task needs a subject; an update keeps it unless its cell gives one."""
        values = row.values
        if (current is None or "subject" in values) and not " ".join((values.get("subject") or "").split()):
            row.errors.append((header_of.get("subject", _("Subject")), _("A project task needs a subject.")))
