"""Business projects, their tasks, and the owner's project templates.

A project is linked to one account or business contact and may come from an
opportunity; its % complete is computed from its tasks (``percent_complete``
below, kept stored by ``projects.services`` so lists sort by it), never typed.
"""
from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.generic.links import LinkedRecord
from crm.models import HistoryItem
from crm.models.base import Record


# A project task is a task as a history item is one: the same priorities and
# statuses (crm.models.HistoryItem), so the two read and filter alike.
Priority = HistoryItem.Priority
TaskStatus = HistoryItem.TaskStatus


class ProjectStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    DEFERRED = "deferred", _("Deferred")


def task_weight(start: datetime.date | None, due: datetime.date | None) -> int:
    """How much a task counts in its project's % complete: its length in days
    (start and due day included), 1 when it has not both dates."""
    if start and due and due >= start:
        return (due - start).days + 1
    return 1


def percent_complete(tasks: Iterable[tuple[int, datetime.date | None, datetime.date | None]]) -> int | None:
    """A project's % complete from its tasks' (% complete, start, due): the
    average weighted by each task's length (``task_weight``), rounded half up;
    None without tasks. The one computation every write path uses
    (``projects.services.projects_refresh``)."""
    total = weight_sum = 0
    for percent, start, due in tasks:
        weight = task_weight(start, due)
        total += (percent or 0) * weight
        weight_sum += weight
    if not weight_sum:
        return None
    return int((Decimal(total) / weight_sum).quantize(Decimal(1), rounding=ROUND_HALF_UP))


class BusinessProject(Record):
    """A piece of work for one account or business contact, made of tasks."""

    name = models.CharField(_("project name"), max_length=200)
    # PROTECT: the link is required, so an account or contact with projects is
    # not deleted from under them (the delete is refused, naming the projects).
    account = models.ForeignKey("crm.Account", verbose_name=_("account"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="projects")
    contact = models.ForeignKey("crm.BusinessContact", verbose_name=_("business contact"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="projects", db_index=False)
    linked = LinkedRecord("account", "contact", required=True, verbose_name=_("Link to"),
                          help_text=_("The account or business contact this project is for."),
                          message=_("Link the project to one account or one business contact."))
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus.choices,
                              default=ProjectStatus.NOT_STARTED)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    percent_complete = models.PositiveSmallIntegerField(_("% complete"), default=0, editable=False)
    related_accounts = models.ManyToManyField("crm.Account", verbose_name=_("related accounts"), blank=True,
                                              related_name="related_projects")
    related_contacts = models.ManyToManyField("crm.BusinessContact", verbose_name=_("related business contacts"),
                                              blank=True, related_name="related_projects")
    opportunity = models.ForeignKey("sales.Opportunity", verbose_name=_("created from opportunity"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="projects", db_index=False)

    lookup_fields = ("name",)
    search_fields = ("name",)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("business project")
        verbose_name_plural = _("business projects")
        # One index per sortable column (crm.generic.views.lists.list_ordering).
        indexes = [
            models.Index(Lower("name"), F("id"), F("name"), name="project_name_idx"),
            models.Index(F("status"), Lower("name"), F("id"), name="project_status_idx"),
            models.Index(F("priority"), F("id"), name="project_priority_idx"),
            models.Index(F("start_date"), F("id"), name="project_start_idx"),
            models.Index(F("due_date"), F("id"), name="project_due_idx"),
            models.Index(F("percent_complete"), F("id"), name="project_percent_idx"),
            models.Index(F("assigned_to"), Lower("name"), F("id"), name="project_assigned_idx"),
            models.Index(F("created"), F("id"), name="project_created_idx"),
            *[models.Index(fields=[name], condition=Q(**{f"{name}__isnull": False}), name=f"project_{name}_idx")
              for name in ("contact", "opportunity")],
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = self.link_errors()
        if self.start_date and self.due_date and self.due_date < self.start_date:
            errors["due_date"] = [_("The due date cannot be before the start date.")]
        if errors:
            raise ValidationError(errors)

    # --- its own % complete follows its status when it has no tasks (crm.generic.services) ---
    @classmethod
    def write_dependents(cls, pks: list[int]) -> set[int]:
        """The projects themselves: a project without tasks is 100 % when it is
        completed, so every write of a project (its form, bulk edit, import)
        stores its % complete again."""
        return set(pks)

    @classmethod
    def refresh_dependents(cls, keys: set) -> None:
        from projects.services import projects_refresh

        projects_refresh(keys)

    def primary_email(self) -> str:
        """E-mail and Meeting request write to the account or contact of the project."""
        linked = self.linked
        return linked.primary_email() if linked else ""

    def email_recipient_name(self) -> str:
        return str(self.linked or "")


class ProjectTaskQuerySet(models.QuerySet):
    def overdue(self, today: datetime.date | None = None):
        """Tasks due before today and not completed (shown in red, counted on the project)."""
        return self.filter(overdue_q(today))


def overdue_q(today: datetime.date | None = None, prefix: str = "") -> Q:
    """The filter of overdue tasks (``prefix`` "tasks__" from a project)."""
    today = today or timezone.localdate()
    return Q(**{f"{prefix}due_date__lt": today}) & ~Q(**{f"{prefix}status": TaskStatus.COMPLETED})


class ProjectTask(Record):
    """One task of a business project; each may be assigned to another colleague."""

    project = models.ForeignKey(BusinessProject, verbose_name=_("business project"), on_delete=models.CASCADE,
                                related_name="tasks", db_index=False)
    in_project = LinkedRecord("project", required=True, verbose_name=_("Business project"),
                              message=_("A project task belongs to one business project."),
                              constraint_name="projecttask_has_project")
    subject = models.CharField(_("subject"), max_length=200)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    percent_complete = models.PositiveSmallIntegerField(_("% complete"), default=0, validators=[MaxValueValidator(100)])
    position = models.PositiveIntegerField(_("position"), default=0, editable=False)
    # As on every record, without the single-column index (projecttask_assigned_idx starts with it).
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+", db_index=False)

    objects = ProjectTaskQuerySet.as_manager()

    lookup_fields = ("subject",)
    search_fields = ("subject",)

    class Meta:
        ordering = ["project", "position", "id"]
        verbose_name = _("project task")
        verbose_name_plural = _("project tasks")
        constraints = [
            models.CheckConstraint(condition=Q(percent_complete__lte=100), name="projecttask_percent_range"),
        ]
        indexes = [
            models.Index(F("project"), F("position"), F("id"), name="projecttask_project_idx"),
            models.Index(Lower("subject"), F("id"), F("subject"), name="projecttask_subject_idx"),
            models.Index(F("due_date"), F("id"), name="projecttask_due_idx"),
            models.Index(F("start_date"), F("id"), name="projecttask_start_idx"),
            models.Index(F("assigned_to"), F("due_date"), F("id"), name="projecttask_assigned_idx"),
            models.Index(F("status"), F("due_date"), F("id"), name="projecttask_status_idx"),
            models.Index(F("percent_complete"), F("id"), name="projecttask_percent_idx"),
            # The open tasks by due date, everyone's and each person's: the Overdue and
            # Mine + Overdue lists walk them in order without stepping over the many
            # completed tasks of the past (bench/projects.py: 140 ms → 1 ms at 1M tasks).
            models.Index(F("due_date"), F("id"), condition=~Q(status="completed"), name="projecttask_open_due_idx"),
            models.Index(F("assigned_to"), F("due_date"), F("id"), condition=~Q(status="completed"),
                         name="projecttask_open_assigned_idx"),
            # Mine sorted by project: each project's tasks of one person, in the project's order.
            models.Index(F("assigned_to"), F("project"), F("position"), F("id"), name="projecttask_assigned_proj_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    # The stored status and % complete, for clean() to tell which of them the user changed.
    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._loaded = (instance.__dict__.get("status"), instance.__dict__.get("percent_complete"))
        return instance

    # --- its project's % complete follows its tasks (crm.generic.services) -------
    @classmethod
    def write_dependents(cls, pks: list[int]) -> set[int]:
        """The projects of the tasks ``pks``."""
        from crm.generic.services import LOOKUP_SLICE

        found = set()
        for start in range(0, len(pks), LOOKUP_SLICE):
            found.update(cls.objects.filter(pk__in=pks[start:start + LOOKUP_SLICE]).order_by()
                         .values_list("project_id", flat=True).distinct())
        return found

    @classmethod
    def refresh_dependents(cls, keys: set) -> None:
        from projects.services import projects_refresh

        projects_refresh(keys)

    @property
    def is_overdue(self) -> bool:
        return bool(self.due_date and self.status != TaskStatus.COMPLETED and self.due_date < timezone.localdate())

    def clean(self) -> None:
        errors = self.link_errors()
        if self.start_date and self.due_date and self.due_date < self.start_date:
            errors["due_date"] = [_("The due date cannot be before the start date.")]
        if errors:
            raise ValidationError(errors)
        self.settle_completion()

    def settle_completion(self) -> None:
        """Completed and 100 % go together, as in a task list: marking a task
        completed makes it 100 %, typing 100 % completes it, and reopening a
        completed task (another status) starts it again from 0 % unless a
        percentage is typed with it (part of ``clean()``; the project form's
        new rows are settled before their project exists)."""
        loaded_status, loaded_percent = getattr(self, "_loaded", (None, None))
        if self.percent_complete is None or not 0 <= self.percent_complete <= 100:
            return  # the field's own error says so
        if self.status == TaskStatus.COMPLETED:
            self.percent_complete = 100
        elif self.percent_complete == 100:
            if loaded_status == TaskStatus.COMPLETED and loaded_percent == 100:
                self.percent_complete = 0
            else:
                self.status = TaskStatus.COMPLETED

    def primary_email(self) -> str:
        project = self.project if self.project_id else None
        return project.primary_email() if project else ""

    def email_recipient_name(self) -> str:
        project = self.project if self.project_id else None
        return project.email_recipient_name() if project else ""


class ProjectTemplate(models.Model):
    """A named list of task definitions (owner): a project created from it gets those tasks."""

    name = models.CharField(_("template name"), max_length=200, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name = _("project template")
        verbose_name_plural = _("project templates")

    def __str__(self) -> str:
        return self.name


class TemplateTask(models.Model):
    """One task definition of a project template: the task starts ``offset_days``
    after the project's start date and lasts ``duration_days`` (``task_dates``)."""

    template = models.ForeignKey(ProjectTemplate, verbose_name=_("project template"), on_delete=models.CASCADE,
                                 related_name="tasks")
    subject = models.CharField(_("subject"), max_length=200)
    offset_days = models.PositiveSmallIntegerField(_("starts (days after the project start)"), default=0,
                                                   validators=[MaxValueValidator(3650)])
    duration_days = models.PositiveSmallIntegerField(_("duration (days)"), default=1,
                                                     validators=[MaxValueValidator(3650)])
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("default assignee"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+",
                                 help_text=_("Leave empty to assign the task to whoever creates the project."))
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["template", "position", "id"]
        verbose_name = _("template task")
        verbose_name_plural = _("template tasks")

    def __str__(self) -> str:
        return self.subject

    def task_dates(self, project_start: datetime.date | None) -> tuple[datetime.date | None, datetime.date | None]:
        """(start, due) of the task in a project starting on ``project_start``: a
        one-day task is due the day it starts; none without a project start."""
        if project_start is None:
            return None, None
        start = project_start + datetime.timedelta(days=self.offset_days)
        return start, start + datetime.timedelta(days=max(self.duration_days - 1, 0))
