"""The project services: % complete kept by every write path (with the one
function ``projects.models.percent_complete``), ``project_save`` and
``tasks_complete``."""
import datetime
import random

import pytest
from django.urls import reverse

from crm.generic import services as record_services
from crm.generic.testing import submitted_form
from crm.models import ChangeLogEntry
from projects import services
from projects.models import BusinessProject, ProjectTask, percent_complete
from projects.tests.factories import ProjectFactory, ProjectTaskFactory, full_project

pytestmark = pytest.mark.django_db


def stored(project) -> int:
    return BusinessProject.objects.get(pk=project.pk).percent_complete


def computed(project) -> int:
    return percent_complete(ProjectTask.objects.filter(project=project).values_list(
        "percent_complete", "start_date", "due_date"))


def test_a_task_edited_on_its_page_moves_its_project(staff_client):
    project = ProjectFactory()
    task = ProjectTaskFactory(project=project, start_date=datetime.date(2026, 5, 1), due_date=datetime.date(2026, 5, 3))
    ProjectTaskFactory(project=project)
    url = reverse("projects:project_task_edit", args=[task.pk])
    data = submitted_form(staff_client.get(url).content.decode(), class_="record-form")
    data.update(percent_complete=["80"], _save_close=[""])
    assert staff_client.post(url, data).status_code == 302
    assert stored(project) == computed(project) == 60   # (80 × 3 + 0 × 1) / 4


def test_a_task_page_refuses_odd_percentages_beside_the_field(staff_client):
    task = ProjectTaskFactory(percent_complete=10)
    url = reverse("projects:project_task_edit", args=[task.pk])
    for value, message in (("101", "Ensure this value is less than or equal to 100."),
                           ("-1", "Ensure this value is greater than or equal to 0."),
                           (str(10**30), "Ensure this value is less than or equal to 100.")):
        data = submitted_form(staff_client.get(url).content.decode(), class_="record-form")
        data.update(percent_complete=[value], _save_close=[""])
        response = staff_client.post(url, data)
        assert response.status_code == 200 and message in response.content.decode(), value
    assert ProjectTask.objects.get(pk=task.pk).version == 1


def test_a_task_due_before_it_starts_is_refused(staff_client):
    task = ProjectTaskFactory()
    url = reverse("projects:project_task_edit", args=[task.pk])
    data = submitted_form(staff_client.get(url).content.decode(), class_="record-form")
    data.update(start_date=["2026-05-10"], due_date=["2026-05-01"], _save_close=[""])
    response = staff_client.post(url, data)
    assert "The due date cannot be before the start date." in response.content.decode()
    assert ProjectTask.objects.get(pk=task.pk).version == 1


def test_a_project_without_tasks_is_100_percent_when_completed_whatever_the_path(staff_client, staff):
    project = ProjectFactory(status="in_progress")
    staff_client.post(reverse("projects:project_bulk", args=["edit"]), {
        "pk": [project.pk], "_apply": "1", "field": "status", "value": "completed"})
    assert stored(project) == 100
    staff_client.post(reverse("projects:project_bulk", args=["edit"]), {
        "pk": [project.pk], "_apply": "1", "field": "status", "value": "deferred"})
    assert stored(project) == 0


def test_every_write_path_keeps_the_one_computation(staff, owner):
    """A random series of task writes through the record services and the
    project services: the stored figure is always the function's."""
    rng = random.Random(12)
    projects = [ProjectFactory() for _ in range(3)]
    for step in range(40):
        project = rng.choice(projects)
        tasks = list(ProjectTask.objects.filter(project__in=projects))
        action = rng.choice(["create", "update", "bulk", "complete", "delete", "move"] if tasks else ["create"])
        if action == "create":
            start = datetime.date(2026, 5, 1) + datetime.timedelta(days=rng.randint(0, 20))
            record_services.record_create(instance=ProjectTask(
                project=project, subject=f"Task {step}", start_date=start,
                due_date=start + datetime.timedelta(days=rng.randint(0, 9)), percent_complete=rng.randint(0, 99)),
                user=staff)
        elif action == "update":
            task = rng.choice(tasks)
            task.percent_complete = rng.randint(0, 100)
            record_services.record_update(instance=task, user=staff)
        elif action == "bulk":
            chosen = ProjectTask.objects.filter(pk__in=[t.pk for t in rng.sample(tasks, min(3, len(tasks)))])
            record_services.records_bulk_update(queryset=chosen, user=staff, field_name="percent_complete",
                                                value=rng.randint(0, 100))
        elif action == "complete":
            services.tasks_complete(queryset=ProjectTask.objects.filter(pk=rng.choice(tasks).pk), user=staff)
        elif action == "delete":
            record_services.record_delete(instance=rng.choice(tasks), user=owner)
        else:
            record_services.records_bulk_update(queryset=ProjectTask.objects.filter(pk=rng.choice(tasks).pk),
                                                user=staff, field_name="in_project", value=project)
        for each in projects:
            assert stored(each) == (computed(each) if computed(each) is not None else 0), (step, action)


def test_tasks_complete_writes_versions_entries_and_the_projects(staff):
    first, second = ProjectFactory(), ProjectFactory()
    a = ProjectTaskFactory(project=first, percent_complete=30)
    b = ProjectTaskFactory(project=second, status="waiting")
    c = ProjectTaskFactory(project=second, status="completed", percent_complete=100)
    count = services.tasks_complete(queryset=ProjectTask.objects.filter(pk__in=[a.pk, b.pk, c.pk]), user=staff)
    assert count == 2
    assert set(ProjectTask.objects.values_list("pk", "status", "percent_complete", "version")) == {
        (a.pk, "completed", 100, 2), (b.pk, "completed", 100, 2), (c.pk, "completed", 100, 1)}
    assert set(ChangeLogEntry.objects.filter(action="update").values_list("object_id", flat=True)) == {a.pk, b.pk}
    assert (stored(first), stored(second)) == (100, 100)
    assert services.tasks_complete(queryset=ProjectTask.objects.all(), user=staff) == 0


def test_an_unchanged_save_writes_nothing(staff):
    project = full_project()
    entries = ChangeLogEntry.objects.count()
    tasks = [services.TaskInput(**{name: getattr(task, name) for name in services.TASK_FIELDS}, id=task.pk,
                                version=task.version) for task in project.tasks.order_by("position")]
    fresh = BusinessProject.objects.get(pk=project.pk)
    services.project_save(instance=fresh, user=staff, tasks=tasks, expected_version=fresh.version,
                          m2m={"related_accounts": list(fresh.related_accounts.all()),
                               "related_contacts": list(fresh.related_contacts.all()),
                               "categories": list(fresh.categories.all())})
    assert ChangeLogEntry.objects.count() == entries
    assert BusinessProject.objects.get(pk=project.pk).version == 1
    assert set(ProjectTask.objects.values_list("version", flat=True)) == {1}


def test_a_stale_project_is_refused_before_any_task_is_written(staff, other_staff):
    project = full_project()
    first = project.tasks.order_by("position").first()
    theirs = BusinessProject.objects.get(pk=project.pk)
    theirs.name = "Renamed by Bob"
    record_services.record_update(instance=theirs, user=other_staff)
    mine = BusinessProject.objects.get(pk=project.pk)
    row = services.TaskInput(**{name: getattr(first, name) for name in services.TASK_FIELDS}, id=first.pk,
                             version=first.version)
    row.percent_complete, row.status = 10, "in_progress"
    with pytest.raises(record_services.EditConflict):
        services.project_save(instance=mine, user=staff, tasks=[row, services.TaskInput(subject="New")],
                              expected_version=1)
    assert ProjectTask.objects.get(pk=first.pk).version == 1 and ProjectTask.objects.count() == 3
