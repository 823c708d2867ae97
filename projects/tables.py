"""Columns of the business project and project task lists."""
from __future__ import annotations

from django.utils.translation import gettext as _g, gettext_lazy as _

from crm.generic.tables import EMPTY, ChoiceColumn, DateColumn, FastColumn, RecordTable, TitleColumn, UserColumn, esc
from projects.models import BusinessProject, ProjectTask


# --- Projects and tasks ------------------------------------------------------------------

class LinkedColumn(FastColumn):
    """The account or business contact the project is for."""

    clip = True

    def cell(self, record, name: str) -> str:
        linked = record.linked
        return esc(linked) if linked else EMPTY

    def text(self, record, name: str) -> str:
        return str(record.linked or "")


class PercentColumn(FastColumn):
    """A % complete, right-aligned."""

    def cell(self, record, name: str) -> str:
        value = self.value_of(record, name)
        return EMPTY if value is None else f'<span class="d-block text-end">{esc(value)} %</span>'


class OverdueCountColumn(FastColumn):
    """How many of the project's tasks are overdue (annotated), in red when any."""

    def cell(self, record, name: str) -> str:
        count = getattr(record, name, 0) or 0
        if not count:
            return '<span class="d-block text-end text-muted">0</span>'
        return f'<span class="d-block text-end text-danger fw-semibold overdue">{count}</span>'


class DueDateColumn(DateColumn):
    """A task's due date; an overdue one in red with the word "Overdue", so it
    does not rest on the colour alone."""

    def cell(self, record, name: str) -> str:
        shown = super().cell(record, name)
        if not record.is_overdue:
            return shown
        return (f'<span class="overdue text-danger fw-semibold">{shown}</span> '
                f'<span class="badge text-bg-danger overdue-badge">{esc(_g("Overdue"))}</span>')


class ProjectTable(RecordTable):
    name = TitleColumn(verbose_name=_("Project name"))
    linked = LinkedColumn(verbose_name=_("Account or business contact"), order_by=("account__name", "contact__file_as"))
    status = ChoiceColumn(verbose_name=_("Status"))
    priority = ChoiceColumn(verbose_name=_("Priority"))
    start_date = DateColumn(verbose_name=_("Start date"))
    due_date = DateColumn(verbose_name=_("Due date"))
    percent_complete = PercentColumn(verbose_name=_("% complete"))
    overdue_tasks = OverdueCountColumn(verbose_name=_("Overdue tasks"), orderable=False)
    assigned_to = UserColumn(verbose_name=_("Assigned to"), order_by=("assigned_to_id",))

    default_columns = ("name", "linked", "status", "priority", "start_date", "due_date", "percent_complete",
                       "overdue_tasks", "assigned_to")

    class Meta(RecordTable.Meta):
        model = BusinessProject
        fields = ("name", "linked", "status", "priority", "start_date", "due_date", "percent_complete",
                  "overdue_tasks", "assigned_to", "categories")
        sequence = fields


class ProjectColumn(FastColumn):
    """The task's project, by name."""

    clip = True

    def cell(self, record, name: str) -> str:
        return esc(record.project.name)

    def text(self, record, name: str) -> str:
        return record.project.name


class ProjectTaskTable(RecordTable):
    subject = TitleColumn(verbose_name=_("Subject"))
    project = ProjectColumn(verbose_name=_("Business project"), order_by=("project__name", "project_id", "position"))
    assigned_to = UserColumn(verbose_name=_("Assigned to"), order_by=("assigned_to_id",))
    start_date = DateColumn(verbose_name=_("Start date"))
    due_date = DueDateColumn(verbose_name=_("Due date"))
    status = ChoiceColumn(verbose_name=_("Status"))
    priority = ChoiceColumn(verbose_name=_("Priority"))
    percent_complete = PercentColumn(verbose_name=_("% complete"))

    default_columns = ("subject", "project", "assigned_to", "start_date", "due_date", "status", "priority",
                       "percent_complete")

    class Meta(RecordTable.Meta):
        model = ProjectTask
        fields = ("subject", "project", "assigned_to", "start_date", "due_date", "status", "priority",
                  "percent_complete", "categories")
        sequence = fields
