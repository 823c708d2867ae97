"""Writes of business projects: their tasks and % complete, project templates,
and projects created from opportunities. Every write path (the project form,
the task pages, bulk actions, imports, the admin) comes through here or
through the record services (``crm.generic.services``), which keep a
project's % complete by ``ProjectTask.write_dependents``."""
from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, fields as dataclass_fields, replace
import datetime
from typing import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _, ngettext

from crm.generic import services as record_services
from crm.generic.services import LOOKUP_SLICE, DomainError, display_value
from crm.models import ChangeLogEntry
from projects.models import BusinessProject, Priority, ProjectTask, TaskStatus, percent_complete


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



# The task fields the project form edits in its rows.
TASK_FIELDS = ("subject", "assigned_to", "start_date", "due_date", "status", "priority", "percent_complete")


@dataclass
class TaskInput:
    """One task row of the project form as entered: ``id`` None for a new task;
    ``version`` the task's version when the form was loaded; ``delete`` the row
    was removed. Tasks of the project the form does not name (added elsewhere
    meanwhile) are left as they are."""

    subject: str
    assigned_to: object = None
    start_date: datetime.date | None = None
    due_date: datetime.date | None = None
    status: str = TaskStatus.NOT_STARTED
    priority: str = Priority.NORMAL
    percent_complete: int = 0
    id: int | None = None
    version: int | None = None
    delete: bool = False


@dataclass
class StaleTask:
    """A task the form changed that was saved elsewhere after the form was
    loaded: the task as stored, the row merged with it (the stored value where
    the row still had the loaded one) and the change-log entries since."""

    current: ProjectTask
    merged: TaskInput
    entries: list[ChangeLogEntry]


class TaskConflict(DomainError):
    """Rows of the project form that change tasks someone saved meanwhile
    (on the task's page, in the list, by an import): nothing was saved."""

    def __init__(self, stale: dict[int, StaleTask]):
        names = record_services.EditConflict.names([e for item in stale.values() for e in item.entries])
        tasks = ", ".join(f"“{item.current}”" for item in stale.values())
        super().__init__(ngettext(
            "%(users)s changed the task %(tasks)s while you were editing the project. Nothing was saved: its row "
            "now shows what they saved where you had not changed it. Check it, then save again.",
            "%(users)s changed the tasks %(tasks)s while you were editing the project. Nothing was saved: their rows "
            "now show what was saved where you had not changed them. Check them, then save again.",
            len(stale)) % {"users": names, "tasks": tasks})
        self.stale = stale


def _task_values(row: TaskInput) -> dict:
    return {name: getattr(row, name) for name in TASK_FIELDS}


def _as_input(task: ProjectTask) -> TaskInput:
    return TaskInput(**{name: getattr(task, name) for name in TASK_FIELDS}, id=task.pk, version=task.version)


def _task_state(task: ProjectTask) -> tuple:
    """What a task is, as the form edits it, to tell whether it changes."""
    return (task.subject, task.assigned_to_id, task.start_date, task.due_date, task.status, task.priority,
            task.percent_complete)


def _task_summary(task) -> str:
    """How the project's change log names a task and its values."""
    field = ProjectTask._meta.get_field
    dates = " – ".join(display_value(field(name), getattr(task, name)) for name in ("start_date", "due_date")
                       if getattr(task, name))
    parts = [str(task.assigned_to) if task.assigned_to else "", dates,
             display_value(field("status"), task.status), f"{task.percent_complete} %"]
    return f"{task.subject}: " + ", ".join(part for part in parts if part)


def _apply(task: ProjectTask, row: TaskInput) -> ProjectTask:
    """A copy of the stored ``task`` with the row's values, its rules applied
    (``ProjectTask.clean``: completed and 100 % go together)."""
    changed = copy.copy(task)
    for name, value in _task_values(row).items():
        setattr(changed, name, value)
    changed.subject = " ".join(changed.subject.split())
    changed.clean()
    return changed


def _merge_stale(row: TaskInput, current: ProjectTask) -> tuple[TaskInput, list[ChangeLogEntry]]:
    """The row as the user meant it on top of what was saved since the form was
    loaded: a field whose value is still the one loaded (the change log's
    "old" of the first change since) takes the stored value."""
    entries = list(record_services.changelog_for(current).filter(version__gt=row.version).order_by("version"))
    loaded: dict[str, str] = {}
    for entry in entries:
        for name, change in (entry.changes or {}).items():
            loaded.setdefault(name, change.get("old", ""))
    merged = replace(row)
    for name in TASK_FIELDS:
        if name in loaded and display_value(ProjectTask._meta.get_field(name), getattr(row, name)) == loaded[name]:
            setattr(merged, name, getattr(current, name))
    return merged, entries


@dataclass
class _TaskPlan:
    creates: list[ProjectTask]
    updates: list[tuple[ProjectTask, int | None]]
    deletes: list[int]
    old: list[str]
    new: list[str]


def _plan_tasks(project: BusinessProject, rows: list[TaskInput], creating: bool) -> _TaskPlan:
    """What the rows change, checked against the tasks as stored (read locked):
    a row that changes a task someone saved since the form was loaded is a
    conflict (``TaskConflict``), one that changes nothing is left out."""
    named = [row.id for row in rows if row.id is not None]
    stored = {} if creating or not named else {
        task.pk: task for task in ProjectTask.objects.select_for_update(of=("self",)).select_related("assigned_to")
        .filter(project=project, pk__in=named)}
    plan = _TaskPlan([], [], [], [], [])
    stale: dict[int, StaleTask] = {}
    for row in rows:
        if row.id is None:
            if not row.delete:
                task = ProjectTask(**_task_values(row))
                task.subject = " ".join(task.subject.split())
                task.settle_completion()
                plan.creates.append(task)
                plan.new.append(_task_summary(task))
            continue
        current = stored.get(row.id)
        if current is None:
            raise DomainError(_("A task of this project was deleted or moved to another project while you were "
                                "editing it. Nothing was saved: reload the page."))
        is_stale = row.version is not None and row.version != current.version
        wanted = row
        entries: list[ChangeLogEntry] = []
        if is_stale and not row.delete:
            wanted, entries = _merge_stale(row, current)
        if row.delete:
            if is_stale:
                entries = list(record_services.changelog_for(current).filter(version__gt=row.version).order_by("version"))
                stale[current.pk] = StaleTask(current, replace(_as_input(current), delete=False), entries)
                continue
            plan.deletes.append(current.pk)
            plan.old.append(_task_summary(current))
            continue
        changed = _apply(current, wanted)
        if _task_state(changed) == _task_state(current):
            continue  # as stored (or a stale row the user left as loaded): nothing to write
        if is_stale:
            stale[current.pk] = StaleTask(current, replace(wanted, version=current.version), entries)
            continue
        plan.updates.append((changed, row.version))
        plan.old.append(_task_summary(current))
        plan.new.append(_task_summary(changed))
    if stale:
        raise TaskConflict(stale)
    return plan


def _write_tasks(project: BusinessProject, plan: _TaskPlan, user) -> None:
    """Write the planned task changes through the record services: each task
    gets its own version and change-log entry; a removed task goes to Deleted
    items (restorable); new tasks go after the others."""
    if plan.deletes:
        record_services.records_delete(queryset=ProjectTask.objects.filter(pk__in=plan.deletes), user=user)
    for task, version in plan.updates:
        record_services.record_update(instance=task, user=user, expected_version=version)
    if plan.creates:
        last = ProjectTask.objects.filter(project=project).aggregate(last=Max("position"))["last"] or 0
        for position, task in enumerate(plan.creates, start=last + 1):
            task.project, task.position = project, position
            record_services.record_create(instance=task, user=user)


@transaction.atomic
def project_save(*, instance: BusinessProject, user, tasks: list[TaskInput] | None = None,
                 expected_version: int | None = None, m2m: dict | None = None) -> BusinessProject:
    """Create or update a project with the task rows of its form, in one transaction.

    The project is written by the record services (a stale form is refused, an
    unchanged one writes nothing); the tasks the rows create, change or remove
    go into the project's change-log entry (a new version of the project) and
    are written through the record services too, each with its own version
    and entry. A row that changes a task saved elsewhere since the form was
    loaded refuses the whole save (``TaskConflict``); a row left as loaded
    never overwrites such a task. ``tasks`` None: the post had no task rows,
    the tasks stay as they are. Then the project's % complete is stored."""
    creating = instance.pk is None
    if not creating:
        current = record_services.lock_current(instance)  # the tasks below are read under the project's lock
        conflict = record_services.edit_conflict(current, expected_version)
        if conflict is not None:
            raise conflict
    related = {}
    plan = _plan_tasks(instance, tasks, creating) if tasks is not None else None
    if plan is not None and (plan.old or plan.new):
        related["tasks"] = {"label": str(_("project tasks")), "old": "; ".join(plan.old), "new": "; ".join(plan.new)}
    if creating:
        record_services.record_create(instance=instance, user=user, m2m=m2m, related_changes=related)
    else:
        record_services.record_update(instance=instance, user=user, expected_version=expected_version, m2m=m2m,
                                      related_changes=related)
    if plan is not None:
        _write_tasks(instance, plan, user)
    projects_refresh([instance.pk])
    instance.percent_complete = BusinessProject.objects.filter(pk=instance.pk).values_list(
        "percent_complete", flat=True).get()
    return instance


@transaction.atomic
def tasks_complete(*, queryset, user) -> int:
    """Mark completed: the selected tasks that are not completed yet become
    Completed at 100 %, each with its next version and a change-log entry;
    their projects' % complete follows (``ProjectTask.write_dependents``), all
    in one transaction. Returns how many tasks changed."""
    pending = queryset.exclude(status=TaskStatus.COMPLETED, percent_complete=100)
    if not pending.exists():
        return 0
    return record_services.records_bulk_set(
        queryset=pending, user=user, values={"status": TaskStatus.COMPLETED, "percent_complete": 100})


# --- Project templates and projects created from opportunities ---------------------------
