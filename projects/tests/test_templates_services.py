"""Project templates and Create project, at the service level: the owner's
template writes, a project's tasks from a template (dates from the start,
priority, assignee, order), Create project from an opportunity (open or
closed), and the instantiation's queries, flat in the template's size."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.generic.services import DomainError, changelog_for
from crm.models import ChangeLogEntry
from crm.tests.factories import AccountFactory, ContactFactory, UserFactory
from projects import services
from projects.models import BusinessProject, ProjectTask, ProjectTemplate, TemplateTask
from projects.tests.factories_templates import ProjectTemplateFactory, TemplateTaskFactory, template_with_tasks
from sales.tests.factories import OpportunityFactory, create_won_opportunity

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 3, 2)


def tasks_of(project) -> list[tuple]:
    return list(project.tasks.order_by("position").values_list(
        "subject", "start_date", "due_date", "priority", "assigned_to__username", "position"))


# --- Templates --------------------------------------------------------------------------

def test_a_new_template_goes_last_and_its_name_is_unique_in_any_case():
    first = services.template_save(template=ProjectTemplate(name="  Website   launch "))
    second = services.template_save(template=ProjectTemplate(name="Onboarding"))
    assert (first.name, first.position, second.position) == ("Website launch", 1, 2)
    with pytest.raises(DomainError, match="There is already a project template called “ONBOARDING”."):
        services.template_save(template=ProjectTemplate(name="ONBOARDING"))
    assert ProjectTemplate.objects.count() == 2
    second.name = "Website LAUNCH"
    with pytest.raises(DomainError):
        services.template_save(template=second)
    assert ProjectTemplate.objects.get(pk=second.pk).name == "Onboarding"


def test_templates_and_their_tasks_move_up_and_down():
    a, b = services.template_save(template=ProjectTemplate(name="A")), services.template_save(
        template=ProjectTemplate(name="B"))
    services.template_move(template=b, offset=-1)
    assert list(ProjectTemplate.objects.values_list("name", flat=True)) == ["B", "A"]
    one, two = (services.template_task_save(task=TemplateTask(template=a, subject=s)) for s in ("One", "Two"))
    assert (one.position, two.position) == (1, 2)
    services.template_task_move(task=two, offset=-1)
    assert list(a.tasks.values_list("subject", flat=True)) == ["Two", "One"]


def test_a_negative_duration_or_offset_is_refused_by_the_service():
    template = ProjectTemplateFactory()
    with pytest.raises(ValidationError) as refused:
        services.template_task_save(task=TemplateTask(template=template, subject="Kick-off", offset_days=-1,
                                                      duration_days=-3))
    assert set(refused.value.message_dict) == {"offset_days", "duration_days"}
    assert not TemplateTask.objects.exists()


def test_deleting_a_template_says_how_many_definitions_go_and_keeps_projects_tasks(staff):
    template = template_with_tasks("Launch", ("Plan", 0, 2), ("Build", 2, 5))
    project = services.project_create(user=staff, name="Launch Contoso", linked=AccountFactory(), template=template)
    assert services.template_delete(template=template) == 2
    assert not TemplateTask.objects.exists()
    assert project.tasks.count() == 2


# --- A project from a template ---------------------------------------------------------

def test_tasks_are_dated_from_the_start_in_the_templates_order(staff, other_staff):
    template = template_with_tasks(
        "Launch", ("Kick-off", 0, 1, "high"), ("Build", 1, 10, "normal", other_staff), ("Review", 11, 0, "low"),
        ("Go live", 30, 2))
    project = services.project_create(user=staff, name="Contoso launch", linked=AccountFactory(),
                                      template=template, start_date=START)
    assert tasks_of(project) == [
        ("Kick-off", START, START, "high", "alice", 1),
        ("Build", datetime.date(2026, 3, 3), datetime.date(2026, 3, 12), "normal", "bob", 2),
        ("Review", datetime.date(2026, 3, 13), datetime.date(2026, 3, 13), "low", "alice", 3),
        ("Go live", datetime.date(2026, 4, 1), datetime.date(2026, 4, 2), "normal", "alice", 4),
    ]
    project.refresh_from_db()
    # Due when its last task is; nothing done yet.
    assert (project.start_date, project.due_date, project.percent_complete) == (START, datetime.date(2026, 4, 2), 0)
    assert (project.assigned_to, project.created_by, project.opportunity) == (staff, staff, None)


def test_without_a_start_date_the_tasks_have_no_dates(staff):
    template = template_with_tasks("Launch", ("Kick-off", 0, 1), ("Build", 3, 10))
    project = services.project_create(user=staff, name="Undated", linked=ContactFactory(), template=template)
    assert [(s, start, due) for s, start, due, *_rest in tasks_of(project)] == [
        ("Kick-off", None, None), ("Build", None, None)]
    assert (project.contact is not None, project.start_date, project.due_date) == (True, None, None)


def test_a_default_assignee_who_left_is_replaced_by_whoever_creates_the_project(staff):
    gone = UserFactory(username="gone", is_active=False)
    template = template_with_tasks("Launch", ("Kick-off", 0, 1, "normal", gone))
    project = services.project_create(user=staff, name="P", linked=AccountFactory(), template=template)
    assert project.tasks.get().assigned_to == staff


def test_the_project_may_be_assigned_to_someone_else(staff, other_staff):
    template = template_with_tasks("Launch", ("Kick-off", 0, 1))
    project = services.project_create(user=staff, name="P", linked=AccountFactory(), template=template,
                                      assigned_to=other_staff)
    # The project goes to Bob; a task without a default assignee to whoever created it.
    assert (project.assigned_to, project.tasks.get().assigned_to) == (other_staff, staff)


def test_without_a_template_the_project_has_no_tasks(staff):
    project = services.project_create(user=staff, name="Plain", linked=AccountFactory(), start_date=START)
    assert not project.tasks.exists()
    assert (project.due_date, BusinessProject.objects.get().percent_complete) == (None, 0)


def test_the_project_and_each_task_are_logged_as_created(staff):
    template = template_with_tasks("Launch", ("Kick-off", 0, 1), ("Build", 1, 3))
    project = services.project_create(user=staff, name="Logged", linked=AccountFactory(), template=template,
                                      start_date=START)
    entry = changelog_for(project).get()
    assert (entry.action, entry.user, entry.version) == (ChangeLogEntry.Action.CREATE, staff, 1)
    assert entry.changes["template"] == {"label": "Project template", "old": "", "new": "Launch"}
    assert entry.changes["name"]["new"] == "Logged"
    for task in project.tasks.all():
        entry = changelog_for(task).get()
        assert (entry.action, entry.user, entry.object_repr, entry.version) == ("create", staff, task.subject, 1)
        assert entry.changes["subject"]["new"] == task.subject
        assert entry.changes["project"]["new"] == "Logged"
        assert entry.changes["assigned_to"]["new"] == "alice"
    assert all((t.version, t.created_by, t.status, t.percent_complete) == (1, staff, "not_started", 0)
               for t in project.tasks.all())


def test_percent_complete_follows_the_created_tasks(staff):
    from crm.generic import services as record_services

    template = template_with_tasks("Launch", ("Kick-off", 0, 1), ("Build", 1, 3))
    project = services.project_create(user=staff, name="P", linked=AccountFactory(), template=template,
                                      start_date=START)
    kickoff = project.tasks.get(subject="Kick-off")
    kickoff.status = "completed"
    record_services.record_update(instance=kickoff, user=staff)
    # One day of four done: the stored figure the lists sort by.
    assert BusinessProject.objects.get().percent_complete == 25


def test_a_start_so_late_that_tasks_end_after_9999_is_refused_and_nothing_is_written(staff):
    template = template_with_tasks("Launch", ("Kick-off", 0, 1), ("Build", 30, 3))
    with pytest.raises(ValidationError) as refused:
        services.project_create(user=staff, name="Late", linked=AccountFactory(), template=template,
                                start_date=datetime.date(9999, 12, 20))
    assert "after the year 9999" in refused.value.message_dict["start_date"][0]
    assert not BusinessProject.objects.exists() and not ProjectTask.objects.exists()


def test_a_template_deleted_before_ok_is_refused_and_nothing_is_written(staff):
    template = template_with_tasks("Launch", ("Kick-off", 0, 1))
    ProjectTemplate.objects.filter(pk=template.pk).delete()
    with pytest.raises(services.TemplateGone, match="That project template no longer exists"):
        services.project_create(user=staff, name="P", linked=AccountFactory(), template=template)
    assert not BusinessProject.objects.exists() and not ChangeLogEntry.objects.exists()


@pytest.mark.parametrize("name, linked, field", [("", "account", "name"), ("P", None, "linked")])
def test_a_project_without_a_name_or_a_link_is_refused(staff, name, linked, field):
    template = template_with_tasks("Launch", ("Kick-off", 0, 1))
    with pytest.raises(ValidationError) as refused:
        services.project_create(user=staff, name=name, linked=AccountFactory() if linked else None,
                                template=template)
    assert field in refused.value.message_dict
    assert not BusinessProject.objects.exists() and not ProjectTask.objects.exists()


# --- Create project from an opportunity ------------------------------------------------

def test_create_project_from_an_opportunity_takes_its_title_and_link(staff):
    contact = ContactFactory(full_name="Nora Nilsen")
    opportunity = OpportunityFactory(title="Chairs for Contoso", account=None, contact=contact)
    project = services.project_create_from_opportunity(opportunity=opportunity, user=staff)
    assert (project.name, project.linked, project.opportunity, project.start_date) == (
        "Chairs for Contoso", contact, opportunity, None)
    assert not project.tasks.exists()


def test_create_project_from_an_opportunity_with_another_name_link_and_a_template(staff):
    opportunity = OpportunityFactory(title="Chairs")
    other = AccountFactory(name="Fabrikam")
    template = template_with_tasks("Delivery", ("Order", 0, 2), ("Deliver", 2, 1))
    project = services.project_create_from_opportunity(opportunity=opportunity, user=staff, template=template,
                                                       name="Chairs delivery", linked=other, start_date=START)
    assert (project.name, project.account, project.opportunity) == ("Chairs delivery", other, opportunity)
    assert [t[:3] for t in tasks_of(project)] == [
        ("Order", START, datetime.date(2026, 3, 3)), ("Deliver", datetime.date(2026, 3, 4), datetime.date(2026, 3, 4))]


def test_a_closed_opportunity_starts_a_project_and_stays_as_it_was(staff):
    won = create_won_opportunity(title="Won deal")
    before = (won.version, changelog_for(won).count(), won.modified, won.stage_id)
    template = template_with_tasks("Delivery", ("Order", 0, 2))
    project = services.project_create_from_opportunity(opportunity=won, user=staff, template=template,
                                                       start_date=START)
    won.refresh_from_db()
    assert (won.version, changelog_for(won).count(), won.modified, won.stage_id) == before
    assert (project.opportunity, project.tasks.count()) == (won, 1)


def test_projects_from_several_opportunities_each_take_their_own_title_and_link(staff):
    from sales.models import Opportunity

    contact = ContactFactory(full_name="Nora Nilsen")
    won = create_won_opportunity(title="B deal")
    OpportunityFactory(title="A deal", account=None, contact=contact)
    template = template_with_tasks("Delivery", ("Order", 0, 2), ("Deliver", 2, 1))
    projects = services.projects_create_from_opportunities(queryset=Opportunity.objects.all(), user=staff,
                                                           template=template, start_date=START)
    assert [(p.name, p.linked, p.opportunity.title) for p in projects] == [
        ("A deal", contact, "A deal"), ("B deal", won.account, "B deal")]
    for project in projects:
        assert [t[:3] for t in tasks_of(project)] == [("Order", START, datetime.date(2026, 3, 3)),
                                                       ("Deliver", datetime.date(2026, 3, 4), datetime.date(2026, 3, 4))]
    assert ProjectTask.objects.count() == 4
    assert ChangeLogEntry.objects.filter(action="create").count() == 2 + 4


# --- Speed: the instantiation's queries do not grow with the template ------------------

def queries_to_create(user, size: int) -> list[str]:
    template = template_with_tasks(f"Size {size}", *[(f"Task {i}", i, 2) for i in range(size)])
    linked = AccountFactory()
    with CaptureQueriesContext(connection) as captured:
        project = services.project_create(user=user, name=f"P{size}", linked=linked, template=template,
                                          start_date=START)
    assert project.tasks.count() == size
    return [q["sql"] for q in captured.captured_queries]


def test_creating_a_project_takes_as_many_queries_for_50_tasks_as_for_5(staff):
    few, many = queries_to_create(staff, 5), queries_to_create(staff, 50)
    assert len(many) == len(few), "\n".join(many)
