"""Writes of business projects: their tasks and % complete, project templates,
and projects created from opportunities. Every write path (the project form,
the task pages, bulk actions, imports, the admin) comes through here or
through the record services (``crm.generic.services``), which keep a
project's % complete by ``ProjectTask.write_dependents``."""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from django.db import transaction

from crm.generic.services import LOOKUP_SLICE
from projects.models import BusinessProject, ProjectTask, percent_complete


# --- Projects and their tasks ------------------------------------------------------------

@transaction.atomic
def projects_refresh(project_ids: Iterable[int]) -> int:
    """Store the % complete of these projects from their tasks
    (``projects.models.percent_complete``; a project without tasks is 100 %
    when completed, else 0 %). Only projects whose figure changes are written,
    in one UPDATE per distinct value; it is a computed figure like an
    opportunity's total, so no new version (an edit of the project in
    progress stays valid). Returns the number of projects written."""
    ids = sorted({pk for pk in project_ids if pk is not None})
    tasks: dict[int, list[tuple]] = defaultdict(list)
    stored: dict[int, tuple[int, str]] = {}
    for start in range(0, len(ids), LOOKUP_SLICE):
        part = ids[start:start + LOOKUP_SLICE]
        for project_id, percent, begins, due in ProjectTask.objects.filter(project_id__in=part).order_by().values_list(
                "project_id", "percent_complete", "start_date", "due_date"):
            tasks[project_id].append((percent, begins, due))
        stored.update((pk, (percent, status)) for pk, percent, status in BusinessProject.objects.filter(
            pk__in=part).values_list("pk", "percent_complete", "status"))
    by_value: dict[int, list[int]] = defaultdict(list)
    for pk, (percent_now, status) in stored.items():
        computed = percent_complete(tasks.get(pk, ()))
        if computed is None:
            computed = 100 if status == "completed" else 0
        if computed != percent_now:
            by_value[computed].append(pk)
    for value, pks in by_value.items():
        for start in range(0, len(pks), LOOKUP_SLICE):
            BusinessProject.objects.filter(pk__in=pks[start:start + LOOKUP_SLICE]).update(percent_complete=value)
    return sum(len(pks) for pks in by_value.values())


# --- Project templates and projects created from opportunities ---------------------------
