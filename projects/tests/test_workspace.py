"""What ProjectsConfig registers: the Project Management tabs, History with the
roll-ups (a task's into its project, a project's into its account or
contact), the project sections of account, contact and opportunity pages,
and the project's page, pane and print with its tasks."""
import datetime
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from crm import navigation
from crm.tests.factories import AccountFactory, ContactFactory
from projects.tests.factories import ProjectFactory, ProjectTaskFactory
from sales.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def test_the_tabs_and_the_active_one(staff_client):
    body = staff_client.get(reverse("projects:project_task_list")).content.decode()
    projects, tasks = reverse("projects:project_list"), reverse("projects:project_task_list")
    assert f'<a class="nav-link" href="{projects}">Business Projects</a>' in body
    assert f'<a class="nav-link active" href="{tasks}">Project Tasks</a>' in body
    # A project task's pages belong to the Project Tasks tab, not to Business Projects ("project_").
    assert navigation.active("project_task_detail")[1].label == "Project Tasks"
    assert navigation.active("project_detail")[1].label == "Business Projects"


def post_note(client, url_name, pk, subject):
    response = client.post(reverse(url_name, args=[pk, "note"]), {
        "subject": subject, "occurred_at": "2026-05-04T10:30", "body": "Text."})
    assert response.status_code == 302


def test_history_rolls_up_from_task_to_project_and_from_project_to_its_account(staff_client):
    account, anna = AccountFactory(name="Nordic Fjord AS"), ContactFactory(full_name="Anna Hansen")
    project = ProjectFactory(name="Office move", account=account)
    other = ProjectFactory(name="Roof", account=None, contact=anna)
    task = ProjectTaskFactory(project=project, subject="Pack")
    post_note(staff_client, "projects:project_task_history_add", task.pk, "Forty boxes")
    post_note(staff_client, "projects:project_history_add", project.pk, "Kick-off held")
    post_note(staff_client, "projects:project_history_add", other.pk, "Roof inspected")

    def history(url_name, pk):
        return staff_client.get(reverse(url_name, args=[pk])).content.decode()

    assert "Forty boxes" in history("projects:project_task_history", task.pk)
    project_page = history("projects:project_history", project.pk)
    assert "Forty boxes" in project_page and "Kick-off held" in project_page and "Roof inspected" not in project_page
    account_page = history("crm:account_history", account.pk)
    assert "Kick-off held" in account_page and "Roof inspected" not in account_page
    assert "Roof inspected" in history("crm:contact_history", anna.pk)


def test_accounts_and_contacts_show_their_projects(staff_client):
    account = AccountFactory(name="Nordic Fjord AS")
    ProjectFactory(name="Office move", account=account, status="in_progress", percent_complete=40)
    ProjectFactory(name="Someone else's")
    body = staff_client.get(reverse("crm:account_detail", args=[account.pk])).content.decode()
    section = body.split('<section class="mb-3 related-projects">')[1].split("</section>")[0]
    assert "Office move" in section and "In progress · 40 % complete" in section and "Someone else" not in section
    assert f'{reverse("projects:project_add")}?linked=account:{account.pk}' in section
    anna = ContactFactory(full_name="Anna Hansen")
    pane = staff_client.get(reverse("crm:contact_detail", args=[anna.pk]),
                            headers={"HX-Request": "true", "HX-Target": "reading-pane"}).content.decode()
    assert "No business projects yet." in pane


def test_an_opportunity_lists_the_projects_created_from_it(staff_client):
    opportunity = OpportunityFactory(title="Fleet renewal")
    ProjectFactory(name="Fleet delivery", opportunity=opportunity)
    body = staff_client.get(reverse("sales:opportunity_detail", args=[opportunity.pk])).content.decode()
    section = body.split('<section class="mb-3 opportunity-projects">')[1].split("</section>")[0]
    assert "Projects created from it" in section and "Fleet delivery" in section
    bare = OpportunityFactory()
    assert "opportunity-projects" not in staff_client.get(reverse("sales:opportunity_detail", args=[bare.pk])).content.decode()


def test_the_project_page_and_pane_list_its_tasks_overdue_in_red(staff_client, staff):
    project = ProjectFactory(name="Office move", percent_complete=45)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    ProjectTaskFactory(project=project, subject="Late one", due_date=yesterday, assigned_to=staff)
    ProjectTaskFactory(project=project, subject="Done one", due_date=yesterday, status="completed",
                       percent_complete=100)
    for headers in ({}, {"HX-Request": "true", "HX-Target": "reading-pane"}):
        body = staff_client.get(reverse("projects:project_detail", args=[project.pk]), headers=headers).content.decode()
        tasks = body.split('<table class="table table-sm project-tasks">')[1].split("</table>")[0]
        late = tasks.split("Late one")[1].split("</tr>")[0]
        done = tasks.split("Done one")[1].split("</tr>")[0]
        assert '<span class="badge text-bg-danger overdue-badge">Overdue</span>' in late and "Alice Martin" in late
        assert "overdue" not in done
        assert 'data-testid="project-percent-complete">45 %<' in tasks
        assert f"{reverse('projects:project_task_add')}?in_project={project.pk}" in body


def test_the_printed_project_lists_its_tasks(staff_client):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    project = ProjectFactory(name="Office move", percent_complete=45)
    ProjectTaskFactory(project=project, subject="Pack the archive", percent_complete=40,
                       due_date=timezone.localdate() - datetime.timedelta(days=1))
    pdf = staff_client.get(reverse("projects:project_print", args=[project.pk])).content
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "TASKS" in text and "Pack the archive" in text and "(Overdue)" in text and "40 %" in text
    assert "% complete of the project" in text and "45 %" in text
