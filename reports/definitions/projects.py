"""Project Management ▸ Reports."""
from django.db.models import Avg, Count
from django.utils.translation import gettext_lazy as _

from projects.filtersets import ProjectFilterSet, ProjectTaskFilterSet
from projects.models import BusinessProject, ProjectStatus, ProjectTask, overdue_q

from .. import dimensions
from ..base import Measure, Report
from ..registry import register


@register
class ProjectsByStatus(Report):
    code = "projects-by-status"
    workspace = "projects"
    title = _("Business Projects by Status")
    description = _("How many projects are in each status, and how far along they are.")
    list_url_name = "projects:project_list"
    filterset_class = ProjectFilterSet
    filter_names = ("assigned_to", "priority", "category", "overdue")
    date_field = "due_date"
    date_label = _("Due date")
    date_params = ("due_after", "due_before")
    dimensions = [
        dimensions.choice("status", _("Status"), ProjectStatus.choices, param="status"),
        dimensions.person(),
        dimensions.month("due_date", _("Due month"), date_params),
    ]
    default_group = "status"
    then_by = ("assigned_to",)
    measures = [
        Measure("count", _("Business projects"), "count", Count("pk")),
        Measure("percent_complete",
                # xgettext:no-python-format
                _("Average % complete"), "percent", Avg("percent_complete"), chartable=False),
    ]
    default_columns = ("count", "percent_complete")

    def records(self):
        return BusinessProject.objects.all()


@register
class OverdueTasksByPerson(Report):
    code = "overdue-project-tasks-by-person"
    workspace = "projects"
    title = _("Overdue Project Tasks by Assigned To")
    description = _("Project tasks due and not completed, by the person they are assigned to.")
    list_url_name = "projects:project_task_list"
    filterset_class = ProjectTaskFilterSet
    filter_names = ("priority", "category", "project_name")
    fixed_params = {"overdue": "on"}
    date_field = "due_date"
    date_label = _("Due date")
    date_params = ("due_after", "due_before")
    dimensions = [
        dimensions.person(),
        dimensions.choice("priority", _("Priority"), ProjectTask._meta.get_field("priority").choices, param="priority"),
    ]
    default_group = "assigned_to"
    then_by = ("priority",)
    measures = [Measure("count", _("Overdue tasks"), "count", Count("pk"))]
    default_columns = ("count",)
    default_sort = "count"
    default_descending = True

    def records(self):
        return ProjectTask.objects.filter(overdue_q())
