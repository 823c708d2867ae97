"""Filters of the business project and project task lists."""
from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from crm.filtersets import RecordFilterSet
from projects.models import BusinessProject, Priority, ProjectStatus, ProjectTask, TaskStatus, overdue_q


def date_input():
    return forms.DateInput(attrs={"type": "date"})


# --- Projects and tasks ------------------------------------------------------------------

class ProjectFilterSet(RecordFilterSet):
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices, label=_("Status"))
    priority = django_filters.ChoiceFilter(choices=Priority.choices, label=_("Priority"))
    linked = django_filters.CharFilter(method="filter_linked", label=_("Account or business contact"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("With overdue tasks"),
                                           widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    start_after = django_filters.DateFilter(field_name="start_date", lookup_expr="gte", label=_("Start date from"),
                                            widget=date_input())
    # With "Due date to", the due-date range a report's figure links to (a due month, a period).
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte", label=_("Due date from"),
                                          widget=date_input())
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label=_("Due date to"),
                                           widget=date_input())
    account = django_filters.NumberFilter(field_name="account_id", widget=forms.HiddenInput)
    contact = django_filters.NumberFilter(field_name="contact_id", widget=forms.HiddenInput)
    opportunity = django_filters.NumberFilter(field_name="opportunity_id", widget=forms.HiddenInput)

    class Meta:
        model = BusinessProject
        fields = ["q", "status", "priority", "assigned_to", "linked", "overdue", "start_after", "due_after",
                  "due_before", "category", "created_after", "created_before", "account", "contact", "opportunity"]

    def filter_linked(self, queryset, name, value):
        for word in value.split()[:8]:
            queryset = queryset.filter(BusinessProject.linked.name_q(word))
        return queryset

    def filter_overdue(self, queryset, name, value):
        """Projects with at least one overdue task (a correlated EXISTS on the tasks' project index)."""
        if not value:
            return queryset
        return queryset.filter(Exists(ProjectTask.objects.filter(overdue_q(), project=OuterRef("pk"))))


class ProjectTaskFilterSet(RecordFilterSet):
    """"Mine" and "Overdue" first: the list's everyday view of one's late work."""

    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Mine"),
                                        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"),
                                           widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    project_name = django_filters.CharFilter(method="filter_project_name", label=_("Business project"))
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices, label=_("Status"))
    priority = django_filters.ChoiceFilter(choices=Priority.choices, label=_("Priority"))
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte", label=_("Due date from"),
                                          widget=date_input())
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label=_("Due date to"),
                                           widget=date_input())
    project = django_filters.NumberFilter(field_name="project_id", widget=forms.HiddenInput)

    class Meta:
        model = ProjectTask
        fields = ["q", "mine", "overdue", "project_name", "status", "priority", "assigned_to", "due_after",
                  "due_before", "category", "created_after", "created_before", "project"]

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset.none()
        return queryset.filter(assigned_to=user.pk)

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q()) if value else queryset

    def filter_project_name(self, queryset, name, value):
        for word in value.split()[:8]:
            queryset = queryset.filter(ProjectTask.in_project.name_q(word))
        return queryset
