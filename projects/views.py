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


# --- Project templates and creating projects from opportunities --------------------------
# (Imported here, not at the top: this section is written apart from the one above.)
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy, ngettext
from django.views import View

from crm.generic.actions import BulkAction
from crm.generic.forms import add_refusal
from crm.generic.ordered import OrderedDeleteView, OrderedList
from crm.generic.services import DomainError
from crm.permissions import OwnerRequiredMixin
from crm.selectors import active_users
from crm.views.customize import CustomizeListView
from projects import services
from projects.forms import CreateProjectForm, CreateProjectsForm, ProjectTemplateForm, TemplateTaskForm
from projects.models import ProjectTemplate, TemplateTask
from sales.models import Opportunity


class TemplateTasks(OrderedList):
    """The task definitions of one project template (``parent``), a table under it."""

    key = "template_task"
    form_class = TemplateTaskForm
    queryset = TemplateTask.objects.select_related("template", "assignee")
    column_headings = True
    column_classes = {"offset_days": "col-w-7", "duration_days": "col-w-7", "assignee": "col-w-14"}
    add_label = gettext_lazy("Add task")
    add_inline = True
    empty_text = gettext_lazy("No tasks in this template yet.")

    def __init__(self):
        self._people = None

    def people(self) -> list:
        """The active users, read once for every row's Default assignee (this
        list is made per request: ``TemplatesView.get_lists``)."""
        if self._people is None:
            self._people = list(active_users())
        return self._people

    def new_instance(self, parent):
        return TemplateTask(template=parent)

    def get_form(self, data=None, *, instance, adding, **kwargs):
        form = super().get_form(data, instance=instance, adding=adding, people=self.people(), **kwargs)
        if adding:
            form.fields["subject"].label = _("New task in %(template)s") % {"template": instance.template}
            form.fields["subject"].widget.attrs["placeholder"] = _("New task")
        return form

    def save(self, form, *, creating):
        services.template_task_save(task=form.save(commit=False))
        return _("“%(name)s” was saved.") % {"name": form.instance}

    def move(self, item, offset):
        services.template_task_move(task=item, offset=offset)

    def delete(self, item, user):
        services.template_task_delete(task=item)
        return _("“%(name)s” was deleted.") % {"name": item}


class Templates(OrderedList):
    """The project templates, each with its task definitions; deleting one is
    confirmed first (``TemplateDeleteView``)."""

    key = "template"
    form_class = ProjectTemplateForm
    edit_label = gettext_lazy("Rename")
    add_label = gettext_lazy("Add template")
    add_heading = gettext_lazy("New project template")
    empty_text = gettext_lazy("No project templates yet.")
    delete_url_name = "projects:template_delete"

    def __init__(self):
        self.nested = TemplateTasks()

    def get_queryset(self):
        return (ProjectTemplate.objects.order_by("position", "name", "id")
                .prefetch_related(Prefetch("tasks", queryset=TemplateTask.objects.select_related("template", "assignee")
                                           .order_by("position", "id"))))

    def nested_items(self, item):
        return item.tasks.all()

    def save(self, form, *, creating):
        services.template_save(template=form.save(commit=False))
        return _("“%(name)s” was saved.") % {"name": form.instance}

    def move(self, item, offset):
        services.template_move(template=item, offset=offset)


class TemplatesView(CustomizeListView):
    """Customize ▸ Project templates (the database owner's)."""

    template_name = "projects/templates.html"
    title = gettext_lazy("Project templates")
    intro = gettext_lazy(
        "Create project (on an opportunity) offers these templates. A project made from one gets its tasks: each "
        "starts the given number of days after the project's start date and lasts the given number of days, with "
        "its default priority and assignee (whoever creates the project if none is set).")
    page_width = "col-12"

    def get_lists(self):
        # Made per request: the task definitions' list keeps the users it read for this page.
        return [Templates()]


class TemplateDeleteView(OwnerRequiredMixin, OrderedDeleteView):
    """Delete a project template: the page says how many task definitions go with it."""

    queryset = ProjectTemplate.objects.annotate(task_count=Count("tasks"))
    template_name = "projects/template_delete.html"

    def list_url(self, item):
        return reverse("projects:templates")

    def delete(self, item, form, user):
        count = services.template_delete(template=item)
        return ngettext("“%(name)s” was deleted with its %(count)d task.",
                        "“%(name)s” was deleted with its %(count)d tasks.", count) % {"name": item, "count": count}


class CreateProjectView(View):
    """Create project from an opportunity (its page's and pane's button): a
    template or none, the project's name and link, a start date; OK opens the
    new project. Anyone may, whatever the opportunity's stage: the opportunity
    is only read (a closed one stays as it is)."""

    template_name = "projects/create_project.html"

    def dispatch(self, request, pk):
        self.opportunity = get_object_or_404(Opportunity.objects.select_related("account", "contact"), pk=pk)
        return super().dispatch(request, pk)

    def render_form(self, request, form):
        return render(request, self.template_name, {"form": form, "opportunity": self.opportunity})

    def get(self, request, pk):
        return self.render_form(request, CreateProjectForm(opportunity=self.opportunity))

    def post(self, request, pk):
        form = CreateProjectForm(request.POST, opportunity=self.opportunity)
        if form.is_valid():
            data = form.cleaned_data
            try:
                project = services.project_create_from_opportunity(
                    opportunity=self.opportunity, user=request.user, template=data["template"], name=data["name"],
                    linked=data["linked"], start_date=data["start_date"])
            except services.TemplateGone as error:
                form.add_error("template", error.message)
            except DomainError as error:
                form.add_error(None, error.message)
            except ValidationError as error:
                add_refusal(form, error)
            else:
                messages.success(request, _("The project “%(name)s” was created.") % {"name": project})
                return redirect(reverse("projects:project_detail", args=[project.pk]))
        return self.render_form(request, form)


class CreateProjects(BulkAction):
    """Create project for each selected opportunity (Opportunities ▸ bulk action)."""

    name = "create_project"
    label = gettext_lazy("Create project")
    icon = "kanban"
    form_class = CreateProjectsForm

    def run(self, queryset, user, form) -> str:
        try:
            projects = services.projects_create_from_opportunities(
                queryset=queryset, user=user, template=form.cleaned_data["template"],
                start_date=form.cleaned_data["start_date"])
        except ValidationError as error:
            # The bulk page shows a refusal above its form (the start date is its one field that can be refused).
            raise DomainError(" ".join(error.messages)) from error
        return ngettext("%(count)d project was created from the selected opportunity.",
                        "%(count)d projects were created from the selected opportunities.",
                        len(projects)) % {"count": len(projects)}
