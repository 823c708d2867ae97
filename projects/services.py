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
# (Imported here, not at the top: this section is written apart from the one above.)
import datetime

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from crm.generic import services as record_services
from crm.generic.bulk import insert_rows
from crm.generic.services import DomainError, changelog_insert, diff_snapshots, reorder, snapshot
from crm.models import ChangeLogEntry
from projects.models import ProjectTemplate, TemplateTask

# What a Create project form says when its chosen template was deleted after the
# form was shown: the form's own check and the service's (a delete made after the
# form's check) say the same.
TEMPLATE_GONE = gettext_lazy("That project template no longer exists. Choose another one, or do not use a template.")


class TemplateGone(DomainError):
    """The project template chosen on a form was deleted before OK."""

    def __init__(self):
        super().__init__(str(TEMPLATE_GONE))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _template_name_taken(name: str, exclude_pk=None) -> None:
    # Unique in any case, as sales stages are: "onboarding" beside "Onboarding" is the same template to a reader.
    if ProjectTemplate.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        raise DomainError(_("There is already a project template called “%(name)s”.") % {"name": name})


@transaction.atomic
def template_save(*, template: ProjectTemplate) -> ProjectTemplate:
    """Add a project template (after the others) or save a renamed one."""
    template.name = _one_line(template.name)
    _template_name_taken(template.name, exclude_pk=template.pk)
    if template.pk is None:
        template.position = (ProjectTemplate.objects.aggregate(m=Max("position"))["m"] or 0) + 1
    template.full_clean()
    template.save()
    return template


@transaction.atomic
def template_move(*, template: ProjectTemplate, offset: int) -> None:
    """Move a template up (-1) or down (+1) in the list a Create project form offers."""
    reorder(ProjectTemplate.objects.order_by("position", "name", "id"), template, offset)


@transaction.atomic
def template_delete(*, template: ProjectTemplate) -> int:
    """Delete a template with its task definitions; projects made from it keep
    their tasks. Returns how many task definitions went with it."""
    count = template.tasks.count()
    template.delete()
    return count


@transaction.atomic
def template_task_save(*, task: TemplateTask) -> TemplateTask:
    """Add a task definition to its template (at the end) or save a changed one."""
    task.subject = _one_line(task.subject)
    if task.pk is None:
        task.position = (TemplateTask.objects.filter(template_id=task.template_id)
                         .aggregate(m=Max("position"))["m"] or 0) + 1
    task.full_clean()
    task.save()
    return task


@transaction.atomic
def template_task_move(*, task: TemplateTask, offset: int) -> None:
    reorder(TemplateTask.objects.filter(template_id=task.template_id).order_by("position", "id"), task, offset)


@transaction.atomic
def template_task_delete(*, task: TemplateTask) -> None:
    task.delete()


def _template_tasks(template: ProjectTemplate) -> list[TemplateTask]:
    """The template's task definitions as stored now, inside the caller's
    transaction, with the template row locked so it cannot be deleted
    half-way (``TemplateGone`` if it was deleted after the form was shown)."""
    if not ProjectTemplate.objects.select_for_update().filter(pk=template.pk).exists():
        raise TemplateGone()
    return list(TemplateTask.objects.filter(template_id=template.pk).select_related("assignee")
                .order_by("position", "id"))


def _planned_dates(definitions: list[TemplateTask], start_date: datetime.date | None) -> list[tuple]:
    """(start, due) of each definition in a project starting on ``start_date``;
    a start so late that a task would end after the last day a date can hold
    is refused beside the start date, not a server error."""
    try:
        return [definition.task_dates(start_date) for definition in definitions]
    except OverflowError:
        raise ValidationError({"start_date": _(
            "With this template the tasks would end after the year 9999: choose an earlier start date.")}) from None


def _new_tasks(project: BusinessProject, definitions: list[TemplateTask], dates: list[tuple], user) -> list[ProjectTask]:
    """The unsaved tasks of ``project`` from the template's definitions: their
    dates, priority, position and assignee (the definition's default assignee
    if that person may still be assigned work, else whoever creates the project)."""
    now = timezone.now()
    tasks = []
    for position, (definition, (start, due)) in enumerate(zip(definitions, dates), start=1):
        assignee = definition.assignee if definition.assignee is not None and definition.assignee.is_active else user
        task = ProjectTask(project=project, subject=definition.subject, start_date=start, due_date=due,
                           priority=definition.priority, position=position, assigned_to=assignee,
                           created_by=user if user and user.is_authenticated else None, created=now, modified=now)
        # Field and record rules without queries: the project and the assignee
        # are rows this transaction holds (a field check of a foreign key asks
        # the database once per task).
        task.clean_fields(exclude={"project", "assigned_to", "created_by"})
        task.clean()
        tasks.append(task)
    return tasks


def _insert_tasks(tasks: list[ProjectTask], user) -> None:
    """Write new tasks set-based: one INSERT per batch and one per batch of
    their change-log entries (each as ``record_create`` would log it), no
    model saves and no queries per task."""
    if not tasks:
        return
    changes = [diff_snapshots(ProjectTask, {}, snapshot(task)) for task in tasks]
    names = [f.attname for f in ProjectTask._meta.concrete_fields if not f.primary_key]
    pks = insert_rows(ProjectTask, names, ([getattr(task, name) for name in names] for task in tasks), count=len(tasks))
    for task, pk in zip(tasks, pks):
        task.pk = pk
    changelog_insert(ProjectTask, [(task.pk, str(task), task.version, change) for task, change in zip(tasks, changes)],
                     user, ChangeLogEntry.Action.CREATE)


def _project(*, name: str, linked, start_date, opportunity, assigned_to, dates: list[tuple]) -> BusinessProject:
    """The unsaved project; with dated tasks it is due when its last task is."""
    project = BusinessProject(name=_one_line(name or ""), start_date=start_date, opportunity=opportunity,
                              assigned_to=assigned_to)
    project.linked = linked
    due_dates = [due for _start, due in dates if due is not None]
    if due_dates:
        project.due_date = max(due_dates)
    return project


def _template_change(template: ProjectTemplate | None) -> dict:
    """The project's creation entry names the template it was made from."""
    if template is None:
        return {}
    return {"template": {"label": _("Project template"), "old": "", "new": str(template)}}


@transaction.atomic
def project_create(*, user, name: str, linked, template: ProjectTemplate | None = None,
                   start_date: datetime.date | None = None, opportunity=None, assigned_to=None) -> BusinessProject:
    """Create a business project for ``linked`` (an account or business
    contact), assigned to ``assigned_to`` (default: ``user``), through the
    record services; with a ``template``, its tasks too: one per task
    definition, in the template's order, dated from ``start_date``
    (``TemplateTask.task_dates``; undated without a start date), with the
    definition's priority and assignee. The tasks are written set-based, so
    the number of queries does not grow with the template; then the project's
    % complete is stored. Refuses (nothing written) a template deleted
    meanwhile (``TemplateGone``) and, as a ``ValidationError`` by field, a
    project its rules refuse (no name, no link, …)."""
    definitions = _template_tasks(template) if template is not None else []
    dates = _planned_dates(definitions, start_date)
    project = _project(name=name, linked=linked, start_date=start_date, opportunity=opportunity,
                       assigned_to=assigned_to if assigned_to is not None else user, dates=dates)
    record_services.record_create(instance=project, user=user, related_changes=_template_change(template))
    _insert_tasks(_new_tasks(project, definitions, dates, user), user)
    projects_refresh([project.pk])
    return project


def project_create_from_opportunity(*, opportunity, user, template: ProjectTemplate | None = None,
                                    name: str | None = None, linked=None,
                                    start_date: datetime.date | None = None) -> BusinessProject:
    """Create project (an opportunity's action): a project named after the
    opportunity and linked to its account or business contact unless told
    otherwise, that records the opportunity it came from. The opportunity is
    read, never written, so a closed (read-only) one starts a project too."""
    return project_create(user=user, name=opportunity.title if name is None else name,
                          linked=opportunity.linked if linked is None else linked, template=template,
                          start_date=start_date, opportunity=opportunity)


@transaction.atomic
def projects_create_from_opportunities(*, queryset, user, template: ProjectTemplate | None = None,
                                       start_date: datetime.date | None = None) -> list[BusinessProject]:
    """Create project for several opportunities at once (the list's bulk
    action): one project per opportunity, each with its own title and link,
    all from the same template and start date, in one transaction. The
    template's definitions are read once and all the tasks written in one
    set-based pass."""
    definitions = _template_tasks(template) if template is not None else []
    dates = _planned_dates(definitions, start_date)
    projects, tasks = [], []
    for opportunity in queryset.select_related("account", "contact").order_by("title", "pk"):
        project = _project(name=opportunity.title, linked=opportunity.linked, start_date=start_date,
                           opportunity=opportunity, assigned_to=user, dates=dates)
        record_services.record_create(instance=project, user=user, related_changes=_template_change(template))
        tasks += _new_tasks(project, definitions, dates, user)
        projects.append(project)
    _insert_tasks(tasks, user)
    projects_refresh([project.pk for project in projects])
    return projects
