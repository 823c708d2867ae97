"""Project tasks remind their assignee on their due date (the crm.reminders
source registered by ProjectsConfig)."""
import datetime

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from crm import reminders, services as crm_services
from projects.models import ProjectTask, TaskStatus
from projects.tests.factories import ProjectFactory, ProjectTaskFactory

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def due(user) -> list[int]:
    return [r.object_id for r in reminders.reminders_for(user, until=timezone.now())]


def test_an_open_project_task_reminds_its_assignee_from_its_due_day_on(staff, other_staff):
    project = ProjectFactory(name="Office move")
    overdue = ProjectTaskFactory(project=project, assigned_to=staff, due_date=days(-2), subject="Order the desks",
                                 status=TaskStatus.IN_PROGRESS)
    today = ProjectTaskFactory(project=project, assigned_to=staff, due_date=days(0))
    ProjectTaskFactory(project=project, assigned_to=staff, due_date=days(1))
    ProjectTaskFactory(project=project, assigned_to=staff, due_date=None)
    ProjectTaskFactory(project=project, assigned_to=staff, due_date=days(-5), status=TaskStatus.COMPLETED)
    ProjectTaskFactory(project=project, assigned_to=other_staff, due_date=days(-1))
    assert due(staff) == [overdue.pk, today.pk] and reminders.badge_count(staff) == 2
    first = reminders.reminders_for(staff, until=timezone.now())[0]
    assert (first.kind, first.title, first.record_label, first.url, first.date_only) == (
        "Project task", "Order the desks", "Office move", overdue.get_absolute_url(), True)
    assert first.due == reminders.start_of_day(days(-2))


def test_completing_or_reassigning_a_project_task_ends_its_reminder(staff, other_staff):
    task = ProjectTaskFactory(assigned_to=staff, due_date=days(-1))
    ProjectTask.objects.filter(pk=task.pk).update(status=TaskStatus.COMPLETED)
    assert due(staff) == [] and reminders.badge_count(staff) == 0
    ProjectTask.objects.filter(pk=task.pk).update(status=TaskStatus.WAITING, assigned_to=other_staff)
    assert due(staff) == [] and due(other_staff) == [task.pk]


def test_a_dismissed_project_task_comes_back_with_a_new_due_date(staff):
    task = ProjectTaskFactory(assigned_to=staff, due_date=days(-1))
    crm_services.reminder_dismiss(user=staff, source="project_task", object_id=task.pk,
                                  due=reminders.find(staff, "project_task", task.pk).due_key)
    assert due(staff) == [] and reminders.badge_count(staff) == 0
    ProjectTask.objects.filter(pk=task.pk).update(due_date=days(0))
    assert due(staff) == [task.pk] and reminders.badge_count(staff) == 1


def test_an_inactive_user_gets_no_project_task_reminders(staff):
    ProjectTaskFactory(assigned_to=staff, due_date=days(-1))
    staff.is_active = False
    staff.save()
    assert due(staff) == [] and reminders.badge_count(staff) == 0


def test_project_tasks_in_the_feed_are_all_day_events_with_an_alarm(client, staff):
    task = ProjectTaskFactory(assigned_to=staff, due_date=days(3), subject="Go live")
    response = client.get(reverse("crm:reminder_feed", args=[reminders.feed_token(staff)]))
    [event] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert (str(event["SUMMARY"]), event["DTSTART"].dt, event["DTEND"].dt) == (
        "Project task: Go live", task.due_date, task.due_date + datetime.timedelta(days=1))
    assert len(event.walk("VALARM")) == 1
