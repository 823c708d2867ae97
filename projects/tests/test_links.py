"""A project is for one account or one business contact, never both and never
neither (form, admin, database); a task belongs to one project."""
import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from crm.tests.admin_forms import page_data
from crm.tests.factories import AccountFactory, ContactFactory
from projects.models import BusinessProject, ProjectTask
from projects.tests.factories import ProjectFactory, ProjectTaskFactory

pytestmark = pytest.mark.django_db


def test_the_admin_refuses_both_keys_beside_the_first(admin_client):
    account, contact = AccountFactory(), ContactFactory()
    add = reverse("admin:projects_businessproject_add")
    data = {**page_data(admin_client.get(add)), "name": "Both", "status": "not_started", "priority": "normal",
            "account": account.pk, "contact": contact.pk}
    response = admin_client.post(add, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "account": ["Link the project to one account or one business contact."]}
    assert not BusinessProject.objects.exists()


def test_the_admin_refuses_neither(admin_client):
    add = reverse("admin:projects_businessproject_add")
    data = {**page_data(admin_client.get(add)), "name": "Neither", "status": "not_started", "priority": "normal"}
    response = admin_client.post(add, data)
    assert response.context["adminform"].form.errors == {
        "account": ["Link the project to one account or one business contact."]}
    assert not BusinessProject.objects.exists()


def test_the_admin_saves_a_project_through_the_service(admin_client):
    account = AccountFactory()
    add = reverse("admin:projects_businessproject_add")
    data = {**page_data(admin_client.get(add)), "name": "Admin project", "status": "completed", "priority": "normal",
            "account": account.pk}
    assert admin_client.post(add, data).status_code == 302
    # A completed project without tasks is 100 % (projects_refresh ran).
    assert BusinessProject.objects.get().percent_complete == 100


def test_the_database_refuses_both_or_neither():
    project = ProjectFactory()
    for values in ({"contact": ContactFactory()}, {"account": None}):
        with pytest.raises(IntegrityError), transaction.atomic():
            BusinessProject.objects.filter(pk=project.pk).update(**values)


def test_the_database_refuses_a_task_without_a_project_or_over_100_percent():
    task = ProjectTaskFactory()
    for values in ({"project": None}, {"percent_complete": 101}):
        with pytest.raises(IntegrityError), transaction.atomic():
            ProjectTask.objects.filter(pk=task.pk).update(**values)


def test_a_task_without_a_project_is_refused_beside_the_link(staff_client):
    response = staff_client.post(reverse("projects:project_task_add"), {
        "subject": "Orphan", "status": "not_started", "priority": "normal", "percent_complete": "0",
        "comments": "Kept text"})
    body = response.content.decode()
    assert response.status_code == 200
    assert '<div class="input-group link-to is-invalid"' in body and "This field is required." in body
    assert "Kept text" in body
    assert not ProjectTask.objects.exists()


@pytest.mark.parametrize("value, message", [("abc", "Choose a record."), ("project:abc", "Choose a record."),
                                            ("account:1", "Choose a record."),
                                            ("999999", "That record no longer exists.")])
def test_an_odd_project_is_refused_beside_it(staff_client, value, message):
    response = staff_client.post(reverse("projects:project_task_add"), {
        "subject": "Orphan", "in_project": value, "status": "not_started", "priority": "normal",
        "percent_complete": "0"})
    assert response.status_code == 200 and message in response.content.decode()
    assert not ProjectTask.objects.exists()


def test_a_new_task_from_a_project_page_starts_in_that_project(staff_client):
    project = ProjectFactory(name="Office move")
    body = staff_client.get(reverse("projects:project_task_add") + f"?in_project={project.pk}").content.decode()
    assert f'name="in_project" value="{project.pk}"' in body and ">Office move</span>" in body
