"""Importing project tasks and business projects: a task names its project,
odd values are refused under their column, and the projects' % complete follows."""
import pytest
from django.urls import reverse

from crm.generic.testing import csv_bytes, import_confirm, import_upload
from crm.tests.factories import AccountFactory, ContactFactory
from projects.models import BusinessProject, ProjectTask
from projects.tests.factories import ProjectFactory, ProjectTaskFactory

pytestmark = pytest.mark.django_db

TASK_IMPORT = reverse("projects:project_task_import")
PROJECT_IMPORT = reverse("projects:project_import")


def upload(client, url, header, *rows):
    response = import_upload(client, url, "rows.csv", csv_bytes([header, *rows]))
    assert response.status_code == 200 and response.context["step"] == "preview", response.context.get("step")
    return response


def errors(response) -> list[tuple[int, str, str]]:
    return [(number, column, reason) for number, column, _cell, reason in response.context["errors"]]


def test_tasks_name_their_project_and_odd_rows_are_refused_under_their_column(staff_client):
    project = ProjectFactory(name="Office move")
    header = ["Subject", "Business Project", "Start Date", "Due Date", "% Complete", "Status"]
    response = upload(staff_client, TASK_IMPORT, header,
                      ["Pack", "office move", "2026-05-04", "2026-05-07", "50", "In progress"],
                      ["Ghost", "Nowhere project", "", "", "0", ""],
                      ["No project", "", "", "", "0", ""],
                      ["Too much", "Office move", "", "", "150", ""],
                      ["Negative", "Office move", "", "", "-5", ""],
                      ["Backwards", "Office move", "2026-05-07", "2026-05-04", "0", ""],
                      ["", "Office move", "", "", "0", ""])
    assert errors(response) == [
        (3, "Business Project", "No business project called “Nowhere project”."),
        (4, "Business Project", "A project task belongs to one business project."),
        (5, "% Complete", "Ensure this value is less than or equal to 100."),
        (6, "% Complete", "Ensure this value is greater than or equal to 0."),
        (7, "Due Date", "The due date cannot be before the start date."),
        (8, "Subject", "A project task needs a subject."),
    ]
    import_confirm(staff_client, TASK_IMPORT, response, skip_errors="on")
    assert list(ProjectTask.objects.values_list("subject", "project", "percent_complete")) == [
        ("Pack", project.pk, 50)]
    # The project's % complete follows its imported task.
    assert BusinessProject.objects.get(pk=project.pk).percent_complete == 50


def test_two_projects_of_one_name_are_refused_for_a_new_task(staff_client):
    ProjectFactory(name="Office move")
    ProjectFactory(name="Office move")
    response = upload(staff_client, TASK_IMPORT, ["Subject", "Business Project"], ["Pack", "Office move"])
    assert errors(response) == [(2, "Business Project", "Several business projects are called “Office move”; give "
                                                        "the project task's ID to keep its link, or rename one of them.")]


def test_an_update_to_100_percent_completes_the_task_and_refreshes_its_project(staff_client):
    project = ProjectFactory(name="Office move")
    task = ProjectTaskFactory(project=project, subject="Pack", status="in_progress", percent_complete=20)
    ProjectTaskFactory(project=project, subject="Move")
    response = upload(staff_client, TASK_IMPORT, ["ID", "% Complete"], [str(task.pk), "100"])
    assert response.context["counts"]["update"] == 1
    import_confirm(staff_client, TASK_IMPORT, response)
    task.refresh_from_db()
    assert (task.status, task.percent_complete, task.version) == ("completed", 100, 2)
    assert BusinessProject.objects.get(pk=project.pk).percent_complete == 50


def test_a_task_moved_to_another_project_by_import_refreshes_both(staff_client):
    first, second = ProjectFactory(name="First"), ProjectFactory(name="Second")
    task = ProjectTaskFactory(project=first, subject="Pack", status="completed", percent_complete=100)
    ProjectTaskFactory(project=first, subject="Stays")
    import_confirm(staff_client, TASK_IMPORT, upload(staff_client, TASK_IMPORT, ["ID", "Business Project"],
                                                     [str(task.pk), "Second"]))
    assert ProjectTask.objects.get(pk=task.pk).project == second
    assert BusinessProject.objects.get(pk=first.pk).percent_complete == 0
    assert BusinessProject.objects.get(pk=second.pk).percent_complete == 100


def test_projects_link_to_what_they_name_and_refuse_both_or_neither(staff_client):
    nordic, anna = AccountFactory(name="Nordic Fjord AS"), ContactFactory(full_name="Anna Hansen")
    header = ["Project Name", "Account", "Business Contact", "Status", "Start Date", "Due Date", "% Complete"]
    response = upload(staff_client, PROJECT_IMPORT, header,
                      ["Office move", "Nordic Fjord AS", "", "In progress", "2026-05-01", "2026-06-01", "77"],
                      ["Roof", "", "Anna Hansen", "", "", "", ""],
                      ["Both", "Nordic Fjord AS", "Anna Hansen", "", "", "", ""],
                      ["Neither", "", "", "", "", "", ""],
                      ["Backwards", "Nordic Fjord AS", "", "", "2026-06-01", "2026-05-01", ""])
    rule = "Link the project to one account or one business contact."
    assert errors(response) == [(4, "Account", rule), (5, "Account", rule),
                                (6, "Due Date", "The due date cannot be before the start date.")]
    import_confirm(staff_client, PROJECT_IMPORT, response, skip_errors="on")
    assert list(BusinessProject.objects.order_by("name").values_list("name", "account", "contact", "percent_complete")) == [
        ("Office move", nordic.pk, None, 0),   # % complete comes from the tasks, not the file
        ("Roof", None, anna.pk, 0)]


def test_a_completed_project_without_tasks_imported_is_100_percent(staff_client):
    AccountFactory(name="Nordic Fjord AS")
    import_confirm(staff_client, PROJECT_IMPORT, upload(staff_client, PROJECT_IMPORT, ["Project Name", "Account", "Status"],
                                                        ["Done deal", "Nordic Fjord AS", "Completed"]))
    assert BusinessProject.objects.get().percent_complete == 100
