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
