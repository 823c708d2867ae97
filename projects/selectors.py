"""Reads of the project workspace that span relations."""
from __future__ import annotations

from django.db.models import Count, F, IntegerField, OuterRef, PositiveBigIntegerField, Subquery, Value
from django.db.models.functions import Coalesce

from projects.models import ProjectTask, TaskStatus, overdue_q


# --- Projects and tasks ------------------------------------------------------------------

def overdue_task_count():
    """How many overdue tasks a project has (``projects.models.overdue_q``), as
    an annotation: one subquery per row of a list page, walking the tasks'
    project index."""
    overdue = (ProjectTask.objects.filter(overdue_q(), project=OuterRef("pk")).order_by().values("project")
               .annotate(count=Count("pk")).values("count"))
    return Coalesce(Subquery(overdue, output_field=IntegerField()), 0)


def project_tasks(project):
    """A project's tasks in their order, with their assignees (one query)."""
    return project.tasks.select_related("assigned_to").order_by("position", "id")


def related_projects(record, limit: int = 10) -> dict:
    """An account's or business contact's first ``limit`` projects and how many
    it has: the Business projects section of its pane."""
    projects = record.projects.order_by("name", "id")
    return {"rows": list(projects[:limit]), "count": projects.count(), "limit": limit}


def projects_from_opportunity(opportunity, limit: int = 10) -> dict:
    """The projects created from an opportunity (the section of its pane)."""
    projects = opportunity.projects.order_by("name", "id")
    return {"rows": list(projects[:limit]), "count": projects.count(), "limit": limit}


# --- Reminders (crm.reminders; registered in ProjectsConfig.ready) ------------------------

def task_reminder_rows(user, *, until=None, since=None, now=None):
    """The user's project tasks not completed that have a due date (the
    index projecttask_open_assigned_idx holds exactly these, by due date)."""
    from crm import reminders

    rows = (ProjectTask.objects.filter(assigned_to=user, due_date__isnull=False).exclude(status=TaskStatus.COMPLETED)
            .annotate(**{reminders.OBJECT: F("pk"), reminders.DETAIL: Value(0, PositiveBigIntegerField()),
                         reminders.DUE: F("due_date")}))
    if until is not None:
        rows = rows.filter(due_date__lte=until)
    if since is not None:
        rows = rows.filter(due_date__gte=since)
    return rows.select_related("project").only("pk", "subject", "due_date", "project__name")


def describe_task_reminder(task) -> tuple[str, str, str]:
    return task.subject, task.project.name, task.get_absolute_url()
