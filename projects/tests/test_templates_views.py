"""The pages of project templates and Create project: Customize ▸ Project
templates (the database owner's), the Create project page of an opportunity
(its button on the opportunity's page and pane, open or closed), and the
Create project bulk action on the Opportunities list."""
import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from crm.models import ChangeLogEntry
from crm.tests.factories import AccountFactory, ContactFactory
from projects.models import BusinessProject, ProjectTask, ProjectTemplate, TemplateTask
from projects.tests.factories_templates import ProjectTemplateFactory, TemplateTaskFactory, template_with_tasks
from sales.models import Opportunity
from sales.tests.factories import OpportunityFactory, create_won_opportunity

pytestmark = pytest.mark.django_db

PANE = {"HX-Request": "true", "HX-Target": "reading-pane"}
START = datetime.date(2026, 3, 2)


def templates_url() -> str:
    return reverse("projects:templates")


def create_url(opportunity) -> str:
    return reverse("projects:opportunity_create_project", args=[opportunity.pk])


# --- Customize ▸ Project templates --------------------------------------------------------

def test_staff_cannot_open_or_change_project_templates(staff_client):
    template = template_with_tasks("Launch", ("Kick-off", 0, 1))
    task = template.tasks.get()
    assert staff_client.get(templates_url()).status_code == 403
    assert staff_client.post(templates_url(), {"list": "template", "op": "add", "name": "Hacked"}).status_code == 403
    assert staff_client.post(templates_url(), {"list": "template_task", "op": "delete", "pk": task.pk}).status_code == 403
    assert staff_client.get(reverse("projects:template_delete", args=[template.pk])).status_code == 403
    assert staff_client.post(reverse("projects:template_delete", args=[template.pk])).status_code == 403
    assert list(ProjectTemplate.objects.values_list("name", flat=True)) == ["Launch"]
    assert TemplateTask.objects.count() == 1


def test_the_customize_page_lists_project_templates(owner_client):
    body = owner_client.get(reverse("crm:customize")).content.decode()
    assert templates_url() in body and "Project templates" in body


def test_owner_adds_renames_and_moves_templates_and_their_tasks(owner_client, staff):
    url = templates_url()
    owner_client.post(url, {"list": "template", "op": "add", "name": "Website launch"})
    owner_client.post(url, {"list": "template", "op": "add", "name": "Onboarding"})
    launch = ProjectTemplate.objects.get(name="Website launch")
    owner_client.post(url, {"list": "template", "op": "edit", "pk": launch.pk, "name": "Web launch"})
    owner_client.post(url, {"list": "template", "op": "down", "pk": launch.pk})
    for subject, offset, duration in (("Kick-off", "0", "1"), ("Design", "1", "10")):
        response = owner_client.post(url, {"list": "template_task", "op": "add", "parent": launch.pk, "subject": subject,
                                           "offset_days": offset, "duration_days": duration, "priority": "high",
                                           "assignee": staff.pk if subject == "Design" else ""})
        assert response.status_code == 302
    design = TemplateTask.objects.get(subject="Design")
    owner_client.post(url, {"list": "template_task", "op": "up", "pk": design.pk})
    owner_client.post(url, {"list": "template_task", "op": "edit", "pk": design.pk, "subject": "Design pages",
                            "offset_days": "2", "duration_days": "8", "priority": "low", "assignee": ""})
    assert list(ProjectTemplate.objects.values_list("name", flat=True)) == ["Onboarding", "Web launch"]
    assert list(TemplateTask.objects.filter(template__name="Web launch").values_list(
        "subject", "offset_days", "duration_days", "priority", "assignee")) == [
        ("Design pages", 2, 8, "low", None), ("Kick-off", 0, 1, "high", None)]
    body = owner_client.get(url).content.decode()
    assert "Web launch" in body and "2 tasks" in body and "No tasks in this template yet." in body
    assert "Starts after (days)" in body and "Default assignee" in body


def test_a_task_definition_is_deleted_from_the_page(owner_client):
    template = template_with_tasks("Launch", ("Kick-off", 0, 1), ("Build", 1, 5))
    kickoff = template.tasks.get(subject="Kick-off")
    response = owner_client.post(templates_url(), {"list": "template_task", "op": "delete", "pk": kickoff.pk},
                                 follow=True)
    assert "“Kick-off” was deleted." in response.content.decode()
    assert list(template.tasks.values_list("subject", flat=True)) == ["Build"]


@pytest.mark.parametrize("field, value, message", [
    ("duration_days", "-2", "A duration cannot be negative: enter 0 or more days."),
    ("offset_days", "-1", "A task cannot start before its project: enter 0 or more days."),
    ("duration_days", "99999", "Ensure this value is less than or equal to 3650."),
    ("offset_days", "1.5", "Enter a whole number."),
])
def test_an_odd_offset_or_duration_is_refused_beside_the_field(owner_client, field, value, message):
    template = ProjectTemplateFactory(name="Launch")
    data = {"list": "template_task", "op": "add", "parent": template.pk, "subject": "Kick-off", "offset_days": "0",
            "duration_days": "1", "priority": "normal", field: value}
    response = owner_client.post(templates_url(), data)
    body = response.content.decode()
    assert response.status_code == 400
    # Beside the field, which keeps what was typed.
    field_id = f"template_task-add-{template.pk}-{field}"
    assert re.search(rf'<input [^>]*value="{re.escape(value)}"[^>]*id="{field_id}"[^>]*>'
                     rf'<div class="invalid-feedback">{re.escape(message)}</div>', body), body
    assert not TemplateTask.objects.exists()


def test_an_edited_negative_duration_is_refused_and_the_definition_unchanged(owner_client):
    template = template_with_tasks("Launch", ("Kick-off", 0, 1))
    task = template.tasks.get()
    response = owner_client.post(templates_url(), {"list": "template_task", "op": "edit", "pk": task.pk,
                                                   "subject": "Kick-off", "offset_days": "0", "duration_days": "-5",
                                                   "priority": "normal"})
    assert response.status_code == 400
    assert "A duration cannot be negative: enter 0 or more days." in response.content.decode()
    task.refresh_from_db()
    assert task.duration_days == 1


def test_a_template_name_taken_in_another_case_is_refused(owner_client):
    ProjectTemplateFactory(name="Onboarding")
    response = owner_client.post(templates_url(), {"list": "template", "op": "add", "name": "onboarding"}, follow=True)
    assert "There is already a project template called “onboarding”." in response.content.decode()
    assert ProjectTemplate.objects.count() == 1


def test_deleting_a_template_says_how_many_task_definitions_go(owner_client, staff):
    from projects import services

    template = template_with_tasks("Launch", ("Kick-off", 0, 1), ("Build", 1, 5), ("Go live", 6, 1))
    project = services.project_create(user=staff, name="P", linked=AccountFactory(), template=template)
    url = reverse("projects:template_delete", args=[template.pk])
    page = owner_client.get(url).content.decode()
    assert "Its 3 task definitions are deleted with it." in page
    assert "Projects already created from it keep their tasks." in page
    response = owner_client.post(url, follow=True)
    assert "“Launch” was deleted with its 3 tasks." in response.content.decode()
    assert not ProjectTemplate.objects.exists() and not TemplateTask.objects.exists()
    assert project.tasks.count() == 3


def test_the_templates_page_queries_do_not_grow_with_templates_and_tasks(owner_client, django_assert_max_num_queries):
    template_with_tasks("One", ("Kick-off", 0, 1))
    owner_client.get(templates_url())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        owner_client.get(templates_url())
    for n in range(5):
        template_with_tasks(f"More {n}", *[(f"Task {i}", i, 1) for i in range(6)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert owner_client.get(templates_url()).status_code == 200


# --- Create project from one opportunity --------------------------------------------------

@pytest.mark.parametrize("headers", [{}, PANE], ids=["page", "pane"])
@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
def test_the_create_project_button_shows_on_open_and_closed_opportunities(staff_client, headers, closed):
    opportunity = create_won_opportunity() if closed else OpportunityFactory()
    body = staff_client.get(opportunity.get_absolute_url(), headers=headers).content.decode()
    assert re.search(rf'<a class="btn [^"]*" href="{re.escape(create_url(opportunity))}">'
                     r'<i class="bi bi-kanban" aria-hidden="true"></i> Create project</a>', body)


def test_the_button_is_not_on_other_record_types(staff_client):
    account = AccountFactory()
    assert "Create project" not in staff_client.get(account.get_absolute_url()).content.decode()


def test_the_create_project_form_starts_from_the_opportunity(staff_client):
    contact = ContactFactory(full_name="Nora Nilsen")
    opportunity = OpportunityFactory(title="Chairs for Contoso", account=None, contact=contact)
    ProjectTemplateFactory(name="Delivery", position=2)
    ProjectTemplateFactory(name="Audit", position=1)
    body = staff_client.get(create_url(opportunity)).content.decode()
    # "Do not use a template" first, then the templates in their order.
    select = re.search(r'<select name="template".*?</select>', body, re.S).group(0)
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', select)
    assert [label for _value, label in options] == ["Do not use a template", "Audit", "Delivery"]
    assert re.search(r'<option value="" selected>Do not use a template</option>', select)
    assert 'name="name" value="Chairs for Contoso"' in body
    assert f'name="linked" value="contact:{contact.pk}"' in body and "Nora Nilsen" in body
    assert 'type="date" name="start_date"' in body


def test_ok_creates_the_project_with_its_tasks_and_opens_it(staff_client, staff):
    opportunity = OpportunityFactory(title="Chairs")
    template = template_with_tasks("Delivery", ("Order", 0, 2), ("Deliver", 2, 1))
    response = staff_client.post(create_url(opportunity), {
        "template": template.pk, "name": "Chairs delivery", "linked": f"account:{opportunity.account_id}",
        "start_date": "2026-03-02"})
    project = BusinessProject.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("projects:project_detail", args=[project.pk])
    assert (project.name, project.account, project.opportunity, project.start_date, project.assigned_to) == (
        "Chairs delivery", opportunity.account, opportunity, START, staff)
    assert list(project.tasks.values_list("subject", "start_date", "due_date")) == [
        ("Order", START, datetime.date(2026, 3, 3)), ("Deliver", datetime.date(2026, 3, 4), datetime.date(2026, 3, 4))]
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["The project “Chairs delivery” was created."]


def test_a_closed_opportunity_creates_a_project_and_is_not_changed(staff_client):
    won = create_won_opportunity(title="Won deal")
    before = (won.version, ChangeLogEntry.objects.filter(object_id=won.pk, content_type__model="opportunity").count())
    response = staff_client.post(create_url(won), {"template": "", "name": "Won deal",
                                                   "linked": f"account:{won.account_id}", "start_date": ""})
    assert response.status_code == 302
    project = BusinessProject.objects.get()
    assert (project.opportunity, project.tasks.count()) == (won, 0)
    won.refresh_from_db()
    assert (won.version, ChangeLogEntry.objects.filter(
        object_id=won.pk, content_type__model="opportunity").count()) == before


def test_a_template_deleted_before_ok_is_a_form_error_and_nothing_is_written(staff_client):
    opportunity = OpportunityFactory(title="Chairs")
    template = template_with_tasks("Delivery", ("Order", 0, 2))
    data = {"template": template.pk, "name": "Chairs", "linked": f"account:{opportunity.account_id}",
            "start_date": "2026-03-02"}
    template.delete()
    response = staff_client.post(create_url(opportunity), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "That project template no longer exists. Choose another one, or do not use a template." in body
    assert 'name="name" value="Chairs"' in body  # what was typed is kept
    assert not BusinessProject.objects.exists() and not ProjectTask.objects.exists()


def test_a_template_deleted_after_the_forms_check_is_refused_beside_it(staff_client, monkeypatch):
    from projects import forms as project_forms

    opportunity = OpportunityFactory(title="Chairs")
    template = template_with_tasks("Delivery", ("Order", 0, 2))
    checked = project_forms.CreateProjectForm.clean

    def clean_then_delete(form):
        data = checked(form)
        ProjectTemplate.objects.filter(pk=template.pk).delete()   # someone else, between the check and the write
        return data

    monkeypatch.setattr(project_forms.CreateProjectForm, "clean", clean_then_delete)
    response = staff_client.post(create_url(opportunity), {
        "template": template.pk, "name": "Chairs", "linked": f"account:{opportunity.account_id}", "start_date": ""})
    assert response.status_code == 200
    assert "That project template no longer exists." in response.content.decode()
    assert not BusinessProject.objects.exists()


@pytest.mark.parametrize("data, field, message", [
    ({"linked": ""}, "linked", "This field is required."),
    ({"name": "  "}, "name", "This field is required."),
    ({"start_date": "2026-02-30"}, "start_date", "Enter a valid date."),
    ({"start_date": "9999-12-25"}, "start_date", "With this template the tasks would end after the year 9999"),
    ({"template": "abc"}, "template", "That project template no longer exists."),
    ({"linked": "account:999999"}, "linked", "That record no longer exists."),
])
def test_bad_input_is_refused_beside_its_field_and_nothing_is_written(staff_client, data, field, message):
    opportunity = OpportunityFactory(title="Chairs")
    template = template_with_tasks("Delivery", ("Order", 0, 2), ("Deliver", 20, 1))
    post = {"template": template.pk, "name": "Chairs", "linked": f"account:{opportunity.account_id}",
            "start_date": "2026-03-02", **data}
    response = staff_client.post(create_url(opportunity), post)
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert not BusinessProject.objects.exists() and not ProjectTask.objects.exists()


def test_an_unknown_opportunity_is_not_found(staff_client):
    assert staff_client.get(reverse("projects:opportunity_create_project", args=[999999])).status_code == 404


# --- Create project for several opportunities (bulk action) -------------------------------

def bulk_url() -> str:
    return reverse("sales:opportunity_bulk", args=["create_project"])


def test_the_opportunities_list_offers_create_project_before_delete(staff_client):
    OpportunityFactory()
    body = staff_client.get(reverse("sales:opportunity_list")).content.decode()
    assert bulk_url() in body
    assert body.index(bulk_url()) < body.index(reverse("sales:opportunity_bulk", args=["delete"]))


def test_the_bulk_action_creates_one_project_per_opportunity(staff_client, staff):
    contact = ContactFactory(full_name="Nora Nilsen")
    deals = [OpportunityFactory(title="A deal", account=None, contact=contact), create_won_opportunity(title="B deal")]
    OpportunityFactory(title="Not ticked")
    template = template_with_tasks("Delivery", ("Order", 0, 2), ("Deliver", 2, 1))
    form = staff_client.get(bulk_url(), {"pk": [d.pk for d in deals]}).content.decode()
    assert "2 records selected" in form and "Project template" in form and "Start date" in form
    response = staff_client.post(bulk_url(), {"pk": [d.pk for d in deals], "template": template.pk,
                                              "start_date": "2026-03-02", "_apply": "1"})
    assert response.status_code == 302 and response.url == reverse("sales:opportunity_list")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "2 projects were created from the selected opportunities."]
    assert list(BusinessProject.objects.order_by("name").values_list("name", "contact", "account", "opportunity")) == [
        ("A deal", contact.pk, None, deals[0].pk), ("B deal", None, deals[1].account_id, deals[1].pk)]
    assert ProjectTask.objects.filter(start_date=START, subject="Order").count() == 2
    assert Opportunity.objects.get(pk=deals[1].pk).version == deals[1].version


def test_the_bulk_action_refuses_a_deleted_template_and_writes_nothing(staff_client):
    deals = OpportunityFactory.create_batch(2)
    template = template_with_tasks("Delivery", ("Order", 0, 2))
    data = {"pk": [d.pk for d in deals], "template": template.pk, "start_date": "", "_apply": "1"}
    template.delete()
    response = staff_client.post(bulk_url(), data)
    assert response.status_code == 200
    assert "That project template no longer exists." in response.content.decode()
    assert not BusinessProject.objects.exists()


def test_the_bulk_action_refuses_a_start_too_late_for_the_template(staff_client):
    deals = OpportunityFactory.create_batch(2)
    template = template_with_tasks("Delivery", ("Order", 0, 2), ("Deliver", 40, 1))
    response = staff_client.post(bulk_url(), {"pk": [d.pk for d in deals], "template": template.pk,
                                              "start_date": "9999-12-01", "_apply": "1"})
    assert response.status_code == 200
    assert "With this template the tasks would end after the year 9999" in response.content.decode()
    assert not BusinessProject.objects.exists() and not ProjectTask.objects.exists()
