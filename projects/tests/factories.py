"""Factories of the project workspace: one per model, required fields only, and helpers."""
import datetime

import factory

from crm.tests.factories import AccountFactory, CategoryFactory, ContactFactory, UserFactory
from projects.models import BusinessProject, ProjectTask, TaskStatus


# --- Projects and tasks ------------------------------------------------------------------

class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessProject

    name = factory.Sequence(lambda n: f"Project {n:04d}")
    account = factory.SubFactory(AccountFactory)


class ProjectTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectTask

    subject = factory.Sequence(lambda n: f"Task {n:04d}")
    project = factory.SubFactory(ProjectFactory)
    position = factory.Sequence(lambda n: n + 1)


def full_project(**overrides) -> BusinessProject:
    """A project with every field of its form filled in (linked to a business
    contact, the other key empty as the rule wants), three tasks through the
    project service (its % complete stored), related accounts and contacts,
    categories and comments."""
    from projects import services

    carol, dave = UserFactory(username="carol"), UserFactory(username="dave", first_name="Dave", last_name="Dunn")
    project = BusinessProject(
        name="Fully filled project", account=None, contact=ContactFactory(full_name="Linked Person"),
        assigned_to=carol, status="in_progress", priority="high", start_date=datetime.date(2026, 4, 1),
        due_date=datetime.date(2026, 6, 30), comments="First line\nSecond line with <b>bold</b>", **overrides)
    tasks = [
        services.TaskInput(subject="Kick-off meeting", assigned_to=carol, start_date=datetime.date(2026, 4, 1),
                           due_date=datetime.date(2026, 4, 1), status=TaskStatus.COMPLETED, priority="normal",
                           percent_complete=100),
        services.TaskInput(subject="Install the <b>servers</b>", assigned_to=dave, start_date=datetime.date(2026, 4, 2),
                           due_date=datetime.date(2026, 4, 10), status=TaskStatus.IN_PROGRESS, priority="high",
                           percent_complete=40),
        services.TaskInput(subject="Training", start_date=None, due_date=None, percent_complete=0),
    ]
    services.project_save(instance=project, user=carol, tasks=tasks, m2m={
        "related_accounts": [AccountFactory(name="Partner One"), AccountFactory(name="Partner Two")],
        "related_contacts": [ContactFactory(full_name="Helper Person")],
        "categories": [CategoryFactory(name="Key customer"), CategoryFactory(name="Partner")]})
    return project


def full_project_task(**overrides) -> ProjectTask:
    """A project task with every field of its form filled in."""
    task = ProjectTaskFactory(
        subject="Fully filled task", project=ProjectFactory(name="Roll-out"), assigned_to=UserFactory(username="carol"),
        start_date=datetime.date(2026, 4, 2), due_date=datetime.date(2026, 4, 10), status=TaskStatus.IN_PROGRESS,
        priority="high", percent_complete=40, comments="First line\nSecond line with <b>bold</b>", **overrides)
    task.categories.add(CategoryFactory(name="Key customer"), CategoryFactory(name="Partner"))
    return task


def project_related_state(project: BusinessProject) -> dict:
    """The tasks a project form's save writes beside the project's own fields."""
    return {"percent_complete": project.percent_complete, "tasks": [
        (task.pk, task.subject, task.assigned_to_id, task.start_date, task.due_date, task.status, task.priority,
         task.percent_complete, task.position, task.version) for task in project.tasks.order_by("position", "id")]}
