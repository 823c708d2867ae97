"""The Business Projects and Project Tasks lists: their columns, the overdue
tasks in red (and said in words), the Mine and Overdue filters, Mark
completed, and query counts that do not grow with the rows."""
import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import Category, ChangeLogEntry
from crm.tests.factories import ContactFactory
from projects.models import BusinessProject, ProjectTask
from projects.tests.factories import ProjectFactory, ProjectTaskFactory

pytestmark = pytest.mark.django_db

TASKS = reverse("projects:project_task_list")
PROJECTS = reverse("projects:project_list")


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def listed(response) -> list[str]:
    """The titles of the list's rows, in order."""
    return re.findall(r'<td class="clip title-cell" title="[^"]*"><a href="[^"]+">([^<]*)</a>', response.content.decode())


def headers(response) -> list[str]:
    head = response.content.decode().split("<thead>")[1].split("</thead>")[0]
    return [h.strip() for h in re.findall(r'<th scope="col">\s*(?:<a [^>]*>)?([^<]+)', head)]


def row_of(response, title: str) -> str:
    body = response.content.decode()
    return next(row for row in body.split('<tr class="record-row"')[1:] if f">{title}</a>" in row).split("</tr>")[0]


def test_the_task_list_shows_its_columns(staff_client, staff):
    project = ProjectFactory(name="Office move")
    ProjectTaskFactory(subject="Pack", project=project, assigned_to=staff, start_date=days(-3), due_date=days(2),
                       status="in_progress", priority="high", percent_complete=40)
    response = staff_client.get(TASKS)
    assert headers(response) == [
        "Subject", "Business project", "Assigned to", "Start date", "Due date", "Status", "Priority", "% complete"]
    row = row_of(response, "Pack")
    assert "Office move" in row and "Alice Martin" in row and "In progress" in row and "High" in row and "40 %" in row


def test_an_overdue_task_is_red_and_says_so(staff_client):
    ProjectTaskFactory(subject="Late", due_date=days(-1), status="in_progress")
    ProjectTaskFactory(subject="Late but done", due_date=days(-1), status="completed", percent_complete=100)
    ProjectTaskFactory(subject="Due today", due_date=today())
    response = staff_client.get(TASKS)
    late = row_of(response, "Late")
    assert '<span class="overdue text-danger fw-semibold">' in late
    assert '<span class="badge text-bg-danger overdue-badge">Overdue</span>' in late
    for title in ("Late but done", "Due today"):
        assert "overdue" not in row_of(response, title)


def test_mine_and_overdue(staff_client, staff, other_staff):
    ProjectTaskFactory(subject="Mine late", assigned_to=staff, due_date=days(-2))
    ProjectTaskFactory(subject="Mine later", assigned_to=staff, due_date=days(5))
    ProjectTaskFactory(subject="Mine done", assigned_to=staff, due_date=days(-2), status="completed")
    ProjectTaskFactory(subject="Bobs late", assigned_to=other_staff, due_date=days(-3))
    ProjectTaskFactory(subject="Nobodys late", due_date=days(-4))
    assert listed(staff_client.get(TASKS, {"mine": "on"})) == ["Mine late", "Mine done", "Mine later"]
    assert listed(staff_client.get(TASKS, {"overdue": "on"})) == ["Nobodys late", "Bobs late", "Mine late"]
    assert listed(staff_client.get(TASKS, {"mine": "on", "overdue": "on"})) == ["Mine late"]


def test_by_project_name_and_status(staff_client):
    move, roof = ProjectFactory(name="Office move"), ProjectFactory(name="Roof repair")
    ProjectTaskFactory(subject="Pack", project=move, status="in_progress")
    ProjectTaskFactory(subject="Unpack", project=move)
    ProjectTaskFactory(subject="Tiles", project=roof, status="in_progress")
    assert sorted(listed(staff_client.get(TASKS, {"project_name": "office"}))) == ["Pack", "Unpack"]
    assert sorted(listed(staff_client.get(TASKS, {"status": "in_progress"}))) == ["Pack", "Tiles"]
    assert listed(staff_client.get(TASKS, {"project": move.pk, "status": "in_progress"})) == ["Pack"]


def test_mark_completed_from_the_list(staff_client, staff):
    project = ProjectFactory(name="Office move")
    pack = ProjectTaskFactory(subject="Pack", project=project, percent_complete=40, status="in_progress",
                              start_date=days(0), due_date=days(2))
    ProjectTaskFactory(subject="Move", project=project, start_date=days(3), due_date=days(3))
    done = ProjectTaskFactory(subject="Done", project=project, status="completed", percent_complete=100)
    assert "Mark completed" in staff_client.get(TASKS).content.decode()
    confirm = staff_client.post(reverse("projects:project_task_bulk", args=["complete"]), {"pk": [pack.pk, done.pk]})
    assert "2 records selected" in confirm.content.decode()
    response = staff_client.post(reverse("projects:project_task_bulk", args=["complete"]),
                                 {"pk": [pack.pk, done.pk], "_apply": "1"}, follow=True)
    assert "1 task marked completed." in response.content.decode()
    fresh = {t.subject: t for t in ProjectTask.objects.all()}
    assert (fresh["Pack"].status, fresh["Pack"].percent_complete, fresh["Pack"].version) == ("completed", 100, 2)
    assert fresh["Done"].version == 1 and fresh["Move"].version == 1  # already done / not selected: untouched
    entry = ChangeLogEntry.objects.get(object_id=pack.pk, action="update")
    assert entry.changes == {"status": {"label": "status", "old": "In progress", "new": "Completed"},
                             "percent_complete": {"label": "% complete", "old": "40", "new": "100"}}
    # 3 days at 100 %, 1 day at 0 %, 1 (no dates) at 100 %: 400 / 5 = 80.
    assert BusinessProject.objects.get(pk=project.pk).percent_complete == 80


def test_bulk_edit_of_percent_over_100_is_refused_and_nothing_changes(staff_client):
    tasks = ProjectTaskFactory.create_batch(2, percent_complete=10)
    response = staff_client.post(reverse("projects:project_task_bulk", args=["edit"]), {
        "pk": [t.pk for t in tasks], "_apply": "1", "field": "percent_complete", "value": "150"})
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 100." in response.content.decode()
    assert set(ProjectTask.objects.values_list("percent_complete", "version")) == {(10, 1)}


def test_bulk_edit_of_percent_to_100_completes_and_the_project_follows(staff_client):
    project = ProjectFactory()
    tasks = ProjectTaskFactory.create_batch(2, project=project)
    response = staff_client.post(reverse("projects:project_task_bulk", args=["edit"]), {
        "pk": [tasks[0].pk], "_apply": "1", "field": "percent_complete", "value": "100"})
    assert response.status_code == 302
    assert ProjectTask.objects.get(pk=tasks[0].pk).status == "completed"
    assert BusinessProject.objects.get(pk=project.pk).percent_complete == 50


def test_bulk_move_to_another_project_refreshes_both(staff_client):
    first, second = ProjectFactory(name="First"), ProjectFactory(name="Second")
    task = ProjectTaskFactory(project=first, percent_complete=100, status="completed")
    ProjectTaskFactory(project=second)
    assert BusinessProject.objects.get(pk=first.pk).percent_complete == 0  # a factory row: not refreshed yet
    response = staff_client.post(reverse("projects:project_task_bulk", args=["edit"]), {
        "pk": [task.pk], "_apply": "1", "field": "in_project", "value": str(second.pk)})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ProjectTask.objects.get(pk=task.pk).project == second
    assert BusinessProject.objects.get(pk=second.pk).percent_complete == 50


def test_the_project_list_shows_its_columns_and_overdue_counts(staff_client, staff):
    anna = ContactFactory(full_name="Anna Hansen")
    project = ProjectFactory(name="Office move", account=None, contact=anna, assigned_to=staff, status="in_progress",
                             priority="high", start_date=days(-10), due_date=days(10), percent_complete=35)
    ProjectTaskFactory.create_batch(2, project=project, due_date=days(-1))
    ProjectTaskFactory(project=project, due_date=days(-1), status="completed")
    ProjectFactory(name="Calm project")
    response = staff_client.get(PROJECTS)
    body = response.content.decode()
    assert headers(response) == [
        "Project name", "Account or business contact", "Status", "Priority", "Start date", "Due date", "% complete",
        "Overdue tasks", "Assigned to"]
    row = row_of(response, "Office move")
    assert "Anna Hansen" in row and "In progress" in row and "35 %" in row and "Alice Martin" in row
    assert '<span class="d-block text-end text-danger fw-semibold overdue">2</span>' in row
    assert '<span class="d-block text-end text-muted">0</span>' in row_of(response, "Calm project")
    # Not sortable: its header is no link.
    assert "sort=overdue_tasks" not in body
    assert listed(staff_client.get(PROJECTS, {"overdue": "on"})) == ["Office move"]


@pytest.mark.parametrize("url, filters, factory", [
    (TASKS, {"mine": "on", "overdue": "on"}, "task"),
    (TASKS, {}, "task"),
    (PROJECTS, {}, "project"),
    (PROJECTS, {"overdue": "on", "status": "in_progress"}, "project"),
])
def test_list_queries_do_not_grow_with_rows(staff_client, staff, django_assert_max_num_queries, url, filters, factory):
    category = Category.objects.create(name="Key")

    def make(count):
        for _ in range(count):
            project = ProjectFactory(assigned_to=staff, status="in_progress")
            project.categories.add(category)
            for _task in range(2):
                task = ProjectTaskFactory(project=project, assigned_to=staff, due_date=days(-1))
                task.categories.add(category)

    make(3)
    with django_assert_max_num_queries(8) as small:
        assert staff_client.get(url, filters).status_code == 200
    make(30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = staff_client.get(url, filters)
    assert len(listed(response)) > 30
