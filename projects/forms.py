"""Forms of business projects, project tasks, project templates and Create project."""
from __future__ import annotations


# --- Projects and tasks ------------------------------------------------------------------


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
    field.label_from_instance = lambda user: user.get_full_name() or user.get_username()


class TemplateTaskForm(forms.ModelForm):
    """One task definition of a project template, on the Customize page and in
    the admin's inline alike: a start before the project's or a negative
    duration is refused beside its field in words, not as a bare minimum."""

    class Meta:
        model = TemplateTask
        fields = ["subject", "offset_days", "duration_days", "priority", "assignee"]
        labels = {"subject": _("Task"), "offset_days": _("Starts (days after the project start)"),
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
