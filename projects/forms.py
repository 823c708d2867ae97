"""Forms of business projects, project tasks, project templates and Create project."""
from __future__ import annotations

from crispy_forms.bootstrap import Tab, TabHolder
from crispy_forms.layout import HTML, Fieldset, Layout
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.forms import CRMRecordForm, two_columns
from crm.generic.forms import date_widgets
from crm.generic.links import LinkManyField
from crm.names import person_name
from projects.models import BusinessProject, ProjectTask
from projects.services import TASK_FIELDS, TaskConflict, TaskInput
from sales.forms import BaseLineFormSet


# --- Projects and tasks ------------------------------------------------------------------

def assignee_choices(assigned_ids=()) -> tuple:
    """The "Assigned to" users of task rows (the active users, and whoever a
    task is assigned to now) and their choices, read once for all rows."""
    users = get_user_model().objects.filter(Q(is_active=True) | Q(pk__in=list(assigned_ids))).order_by(
        "first_name", "last_name", "username")
    listed = list(users)
    return users, [("", "---------"), *[(user.pk, user.get_full_name() or user.get_username()) for user in listed]]


class TaskRowForm(forms.ModelForm):
    """One task row of the project form: the task's own checks and rules
    (``ProjectTask.clean``), its errors beside its cells."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ProjectTask
        fields = list(TASK_FIELDS)
        widgets = {
            "subject": forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            "assigned_to": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "start_date": forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"},
                                          format="%Y-%m-%d"),
            "due_date": forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"},
                                        format="%Y-%m-%d"),
            "status": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "priority": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "percent_complete": forms.NumberInput(attrs={"class": "form-control form-control-sm text-end",
                                                         "min": 0, "max": 100, "step": 1}),
        }

    def __init__(self, *args, assignees=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        users, choices = assignees or assignee_choices([self.instance.assigned_to_id] if self.instance.pk else [])
        self.fields["assigned_to"].queryset = users
        self.fields["assigned_to"].choices = choices

    def _update_errors(self, errors):
        # The row's project is the form's, set when it is saved (a new project
        # has no key yet): the link's rule is not the row's to check.
        if hasattr(errors, "error_dict"):
            kept = {name: messages for name, messages in errors.error_dict.items()
                    if name not in ("in_project", "project")}
            if not kept:
                return
            errors = ValidationError(kept)
        super()._update_errors(errors)

    def as_input(self) -> TaskInput | None:
        """The row as entered (None: an empty new row, or one that did not validate)."""
        data = getattr(self, "cleaned_data", None) or {}
        if not data or (not data.get("id") and data.get("DELETE")):
            return None
        task = data.get("id")
        return TaskInput(**{name: data.get(name) for name in TASK_FIELDS}, id=task.pk if task else None,
                         version=data.get("version"), delete=bool(data.get("DELETE")))


class BaseTaskFormSet(BaseLineFormSet):
    """The project's task rows (as many as the post sent, see ``BaseLineFormSet``),
    sharing one read of the "Assigned to" users."""

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if not hasattr(self, "_assignees"):
            assigned = self.get_queryset().exclude(assigned_to=None).values_list("assigned_to", flat=True) \
                if self.instance.pk else []
            self._assignees = assignee_choices(assigned)
        kwargs["assignees"] = self._assignees
        return kwargs


TaskFormSet = forms.inlineformset_factory(
    BusinessProject, ProjectTask, form=TaskRowForm, formset=BaseTaskFormSet, fields=list(TASK_FIELDS), extra=0,
    can_delete=True, max_num=500, absolute_max=500, validate_max=True)


class ProjectForm(CRMRecordForm):
    """The business project: General (project, link, dates, % complete and the
    opportunity it came from, read-only; its tasks, edited in rows), Related
    accounts and business contacts, Details, Categories."""

    linked = BusinessProject.linked.formfield()
    related_accounts = LinkManyField(type_key="account", label=_("Related accounts"))
    related_contacts = LinkManyField(type_key="contact", label=_("Related business contacts"))

    class Meta:
        model = BusinessProject
        fields = ["name", "assigned_to", "status", "priority", "start_date", "due_date", "related_accounts",
                  "related_contacts", "categories", "comments"]
        widgets = date_widgets("start_date", "due_date")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A post without the tasks' management form (another client, bulk edit's
        # copy of the form) leaves the tasks as they are.
        self.tasks_submitted = self.is_bound and "tasks-TOTAL_FORMS" in self.data
        self.tasks = TaskFormSet(self.data if self.tasks_submitted else None, instance=self.instance, prefix="tasks")

    def get_layout(self):
        return Layout(
            TabHolder(
                Tab(_("General"),
                    Fieldset(_("Project information"), "name", two_columns("assigned_to", "priority"),
                             two_columns("status", "start_date"), two_columns("due_date"),
                             HTML('{% include "projects/includes/project_figures.html" %}')),
                    Fieldset(_("Linked account or business contact"), "linked"),
                    HTML('{% include "projects/includes/tasks_form.html" %}'),
                    ),
                Tab(_("Related accounts and business contacts"), two_columns("related_accounts", "related_contacts")),
                Tab(_("Details"), "comments"),
                Tab(_("Categories"), "categories"),
            )
        )

    def is_valid(self) -> bool:
        # Both run, so the errors of the project and of its task rows show together.
        return all([super().is_valid(), not self.tasks_submitted or self.tasks.is_valid()])

    def has_errors(self) -> bool:
        return super().has_errors() or (self.tasks_submitted and self.tasks.total_error_count() > 0)

    def tasks_data(self) -> list[TaskInput] | None:
        """The task rows as entered, in order, removed ones marked (None: the
        rows were not part of the post)."""
        if not self.tasks_submitted:
            return None
        return [row for row in (form.as_input() for form in self.tasks.forms) if row is not None]

    def show_task_conflict(self, conflict: TaskConflict) -> None:
        """After ``TaskConflict``: the rows of the tasks saved meanwhile show the
        merged values (theirs where the row had the loaded value) and their new
        version, with what changed beside them; saving again then writes them."""
        data = self.data.copy()
        for form in self.tasks.forms:
            task = (getattr(form, "cleaned_data", None) or {}).get("id")
            stale = conflict.stale.get(task.pk) if task else None
            if stale is None:
                continue
            merged = stale.merged
            for name in TASK_FIELDS:
                data.setlist(form.add_prefix(name), [posted_value(getattr(merged, name))])
            data.setlist(form.add_prefix("version"), [str(stale.current.version)])
            if not merged.delete:
                data.setlist(form.add_prefix("DELETE"), [])
        self.data = data
        self.tasks = TaskFormSet(data, instance=self.instance, prefix="tasks")
        self.tasks.is_valid()
        for form in self.tasks.forms:
            task = (getattr(form, "cleaned_data", None) or {}).get("id")
            stale = conflict.stale.get(task.pk) if task else None
            if stale is not None:
                form.add_error(None, changed_meanwhile(stale.entries))


def posted_value(value) -> str:
    """A value as a browser posts it from the row's input."""
    if value is None:
        return ""
    if hasattr(value, "pk"):
        return str(value.pk)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def changed_meanwhile(entries) -> str:
    """"Bob Nowak changed: status In progress → Completed; % complete 40 → 100"."""
    from crm.generic.services import EditConflict

    changes = "; ".join(f"{change.get('label', name)} {change.get('old') or '—'} → {change.get('new') or '—'}"
                        for entry in entries for name, change in (entry.changes or {}).items())
    return _("%(users)s changed: %(changes)s") % {"users": EditConflict.names(entries), "changes": changes}


class ProjectTaskForm(CRMRecordForm):
    """A project task on its own page: its project (Link to), subject, assigned
    to, dates, status, priority, % complete, comments, categories."""

    in_project = ProjectTask.in_project.formfield()

    class Meta:
        model = ProjectTask
        fields = ["subject", "assigned_to", "start_date", "due_date", "status", "priority", "percent_complete",
                  "categories", "comments"]
        widgets = {**date_widgets("start_date", "due_date"),
                   "percent_complete": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1})}

    def get_layout(self):
        return Layout(
            TabHolder(
                Tab(_("General"),
                    Fieldset(_("Project task"), "in_project", "subject", two_columns("assigned_to", "priority"),
                             two_columns("start_date", "due_date"), two_columns("status", "percent_complete"))),
                Tab(_("Details"), "comments"),
                Tab(_("Categories"), "categories"),
            )
        )


# --- Project templates and creating projects from opportunities --------------------------
# (Imported here, not at the top: this section is written apart from the one above.)
from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.generic.forms import date_widgets
from projects.models import BusinessProject, ProjectTemplate, TemplateTask
from projects.services import TEMPLATE_GONE


class ProjectTemplateForm(forms.ModelForm):
    class Meta:
        model = ProjectTemplate
        fields = ["name"]
        labels = {"name": _("Template name")}

    def validate_unique(self):
        # A name is taken in any case ("onboarding" beside "Onboarding"): the
        # service checks that (template_save) and says so.
        pass


def _people(field: forms.ModelChoiceField, current_pk) -> None:
    """The active users (everyone who may be assigned work), plus the one the
    definition names now if that account was deactivated since, by their names."""
    from crm.selectors import active_users

    queryset = active_users()
    if current_pk:
        queryset = queryset.model.objects.filter(models.Q(is_active=True) | models.Q(pk=current_pk)).order_by(
            "first_name", "last_name", "username")
    field.queryset = queryset
    field.label_from_instance = person_name


class TemplateTaskForm(forms.ModelForm):
    """One task definition of a project template, on the Customize page and in
    the admin's inline alike: a start before the project's or a negative
    duration is refused beside its field in words, not as a bare minimum."""

    class Meta:
        model = TemplateTask
        fields = ["subject", "offset_days", "duration_days", "priority", "assignee"]
        labels = {"subject": _("Task"), "offset_days": _("Starts after (days)"),
                  "duration_days": _("Duration (days)"), "priority": _("Default priority"),
                  "assignee": _("Default assignee")}
        error_messages = {
            "offset_days": {"min_value": _("A task cannot start before its project: enter 0 or more days.")},
            "duration_days": {"min_value": _("A duration cannot be negative: enter 0 or more days.")},
        }

    def __init__(self, *args, people: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        _people(field, self.instance.assignee_id)
        field.empty_label = _("(whoever creates the project)")
        if people is not None:
            # A page of many definitions reads the active users once (``people``)
            # for all their selects, not once per row; the queryset still checks a post.
            current = self.instance.assignee if self.instance.assignee_id else None
            listed = people if current is None or current in people else [*people, current]
            field.choices = [("", field.empty_label), *((user.pk, field.label_from_instance(user)) for user in listed)]


class TemplateChoiceField(forms.ModelChoiceField):
    """The Create project form's "Project template": "Do not use a template" first."""

    def __init__(self, **kwargs):
        super().__init__(queryset=ProjectTemplate.objects.order_by("position", "name", "id"), required=False,
                         label=_("Project template"), empty_label=_("Do not use a template"),
                         error_messages={"invalid_choice": TEMPLATE_GONE}, **kwargs)


START_DATE_HELP = _("Task dates are counted from it. Leave it empty to create the tasks without dates.")


class CreateProjectForm(forms.Form):
    """Create project from one opportunity: the template, the project's name
    and link (the opportunity's title and link to begin with), the start date."""

    template = TemplateChoiceField()
    name = forms.CharField(label=_("Project name"), max_length=BusinessProject._meta.get_field("name").max_length)
    linked = BusinessProject.linked.formfield()
    start_date = forms.DateField(label=_("Start date"), required=False, help_text=START_DATE_HELP,
                                 widget=date_widgets("start_date")["start_date"])

    def __init__(self, *args, opportunity, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("name", opportunity.title)
        self.initial.setdefault("linked", self.fields["linked"].prepare_value(opportunity.linked))


class CreateProjectsForm(forms.Form):
    """Create project for several opportunities (the bulk action): each project
    takes its opportunity's title and link, so only these are asked."""

    template = TemplateChoiceField()
    start_date = forms.DateField(label=_("Start date"), required=False, help_text=START_DATE_HELP,
                                 widget=date_widgets("start_date")["start_date"])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
