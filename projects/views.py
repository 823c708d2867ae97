"""Project Management ▸ Business Projects and Project Tasks, project templates
(Customize) and Create project from an opportunity."""
from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from crm.generic.actions import DEFAULT_ACTIONS, BulkAction
from crm.generic.params import parse_id
from crm.views.records import CRMRecordViewSet
from projects import selectors, services
from projects.filtersets import ProjectFilterSet, ProjectTaskFilterSet
from projects.forms import ProjectForm, ProjectTaskForm, TaskFormSet
from projects.imports import ProjectImporter, ProjectTaskImporter
from projects.models import BusinessProject, ProjectTask
from projects.resources import ProjectResource, ProjectTaskResource
from projects.tables import ProjectTable, ProjectTaskTable


# --- Projects and tasks ------------------------------------------------------------------

class ProjectViewSet(CRMRecordViewSet):
    record_type = "project"
    url_prefix = "projects"
    queryset = BusinessProject.objects.select_related("assigned_to", "account", "contact")
    list_fields = ("name", "status", "priority", "start_date", "due_date", "percent_complete", "created",
                   "account__name", "contact__full_name", "assigned_to__username", "assigned_to__first_name",
                   "assigned_to__last_name")
    filterset = ProjectFilterSet
    table = ProjectTable
    form = ProjectForm
    resource = ProjectResource
    importer = ProjectImporter
    template_pane = "projects/project_pane.html"
    template_print = "projects/project_print.html"
    detail_sections = [
        (gettext_lazy("Project information"), ["name", "account", "contact", "assigned_to", "status", "priority",
                                               "start_date", "due_date", "opportunity", "categories"]),
        (gettext_lazy("Related accounts and business contacts"), ["related_accounts", "related_contacts"]),
        (gettext_lazy("Details"), ["comments"]),
    ]

    @classmethod
    def object_queryset(cls, request):
        return BusinessProject.objects.select_related("account", "contact", "assigned_to", "opportunity")

    @classmethod
    def list_annotations(cls, model) -> dict:
        return {**super().list_annotations(model), "overdue_tasks": selectors.overdue_task_count()}

    @classmethod
    def save_form(cls, request, obj, form, creating: bool) -> None:
        try:
            services.project_save(instance=obj, user=request.user, tasks=form.tasks_data(),
                                  expected_version=None if creating else form.cleaned_data.get("version"),
                                  m2m=form.m2m_data())
        except services.TaskConflict as conflict:
            # The form is shown again with the tasks saved meanwhile merged into their rows.
            form.show_task_conflict(conflict)
            raise

    @classmethod
    def detail_context(cls, request, obj) -> dict:
        return {"tasks": selectors.project_tasks(obj)}

    @classmethod
    def print_context(cls, request, obj) -> dict:
        return {**super().print_context(request, obj), "tasks": selectors.project_tasks(obj)}

    @classmethod
    def extra_urls(cls) -> list:
        return [
            *super().extra_urls(),
            path("projects/form/task/", TaskRowView.as_view(), name="project_task_row"),
        ]


class TaskRowView(View):
    """One empty task row for the project form ("Add task", htmx): the row at
    the formset's count (``tasks-TOTAL_FORMS``, as the form has it), and that
    count plus one, which replaces the form's out of band."""

    def get(self, request):
        index = parse_id(request.GET.get("tasks-TOTAL_FORMS", "0")) or 0
        index = index if index < 500 else 0
        task = TaskFormSet(prefix="tasks").empty_form
        task.prefix = f"tasks-{index}"  # the row's place in the formset
        task.fields["subject"].widget.attrs["autofocus"] = True  # htmx focuses it once the row is in
        return render(request, "projects/includes/task_row.html", {"task": task, "new_total_forms": index + 1})


class MarkCompleted(BulkAction):
    """Mark one or several project tasks completed (100 %)."""

    name = "complete"
    label = gettext_lazy("Mark completed")
    icon = "check2-square"

    def run(self, queryset, user, form) -> str:
        count = services.tasks_complete(queryset=queryset, user=user)
        return ngettext("%(count)d task marked completed.", "%(count)d tasks marked completed.", count) % {
            "count": count}


class ProjectTaskViewSet(CRMRecordViewSet):
    record_type = "project_task"
    url_prefix = "project-tasks"
    queryset = ProjectTask.objects.select_related("assigned_to", "project")
    list_fields = ("subject", "start_date", "due_date", "status", "priority", "percent_complete", "created",
                   "project__name", "assigned_to__username", "assigned_to__first_name", "assigned_to__last_name")
    filterset = ProjectTaskFilterSet
    table = ProjectTaskTable
    form = ProjectTaskForm
    resource = ProjectTaskResource
    importer = ProjectTaskImporter
    actions = [*DEFAULT_ACTIONS[:1], MarkCompleted(), *DEFAULT_ACTIONS[1:]]
    default_sort = "due_date"
    detail_sections = [
        (gettext_lazy("Project task"), ["project", "subject", "assigned_to", "start_date", "due_date", "status",
                                        "priority", "percent_complete", "categories"]),
        (gettext_lazy("Details"), ["comments"]),
    ]
    template_pane = "projects/task_pane.html"

    @classmethod
    def object_queryset(cls, request):
        return ProjectTask.objects.select_related("project", "assigned_to")
