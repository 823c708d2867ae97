"""Project Management ▸ Business Projects and Project Tasks, project templates
(Customize) and Create project from an opportunity."""
from __future__ import annotations


# --- Projects and tasks ------------------------------------------------------------------


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
    column_class = "col-w-8"
    column_classes = {"offset_days": "col-w-6", "duration_days": "col-w-6"}
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
