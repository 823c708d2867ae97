"""Reads of the project workspace that span relations."""
from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from projects.models import ProjectTask, overdue_q


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
