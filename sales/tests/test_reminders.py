"""The sales reminders (crm.reminders sources registered by SalesConfig): an
open opportunity's reminder time, and the due dates of its current stage's
sales activities when the owner turned activity reminders on."""
import datetime

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from crm import reminders, services as crm_services
from crm.models import ReminderState
from crm.tests.factories import UserFactory
from sales import selectors, services
from sales.models import ActivityDone, Opportunity, SalesActivity, due_offset_sql, due_offsets
from sales.tests.factories import ActivityFactory, OpportunityFactory, StageFactory, stage

pytestmark = pytest.mark.django_db

NOW = timezone.now


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def keys(user, until=None, **kwargs) -> list[tuple[str, int, int]]:
    until = NOW() if until is None else until
    return [(r.source.key, r.object_id, r.detail_id) for r in reminders.reminders_for(user, until=until, **kwargs)]


def with_reminder(user, at: datetime.datetime, **kwargs) -> Opportunity:
    return OpportunityFactory(assigned_to=user, reminder=True, reminder_at=at, stage=kwargs.pop("stage", stage()),
                              stage_entered_on=days(0), **kwargs)


@pytest.fixture
def activity_reminders():
    services.sales_settings_save(activity_reminders=True)


@pytest.fixture
def sales_stage(db):
    """An open stage with activities of 2, 0 and 3 days: due 2 and 5 days after entering it."""
    new = StageFactory(name="Demo stage")
    first = ActivityFactory(stage=new, name="Book the demo", duration_days=2, position=1)
    ActivityFactory(stage=new, name="No duration", duration_days=0, position=2)
    third = ActivityFactory(stage=new, name="Send the offer", duration_days=3, position=3)
    return new, first, third


# --- the opportunity's reminder -------------------------------------------------------------

def test_an_open_opportunitys_ticked_reminder_is_due_at_its_time(staff, other_staff):
    due = with_reminder(staff, NOW() - datetime.timedelta(hours=2), title="Acme renewal")
    with_reminder(staff, NOW() + datetime.timedelta(hours=2))                    # later
    with_reminder(other_staff, NOW() - datetime.timedelta(hours=2))              # someone else's
    OpportunityFactory(assigned_to=staff, reminder=False, reminder_at=NOW() - datetime.timedelta(hours=1))
    assert keys(staff) == [("opportunity", due.pk, 0)]
    assert reminders.badge_count(staff) == 1
    [reminder] = reminders.reminders_for(staff, until=NOW())
    assert (reminder.kind, reminder.title, reminder.url, reminder.date_only) == (
        "Opportunity reminder", "Acme renewal", due.get_absolute_url(), False)
    assert reminder.due == due.reminder_at and reminder.record_label == str(due.account)


def test_closed_opportunities_do_not_remind_but_one_without_a_stage_does(staff):
    before = NOW() - datetime.timedelta(hours=1)
    with_reminder(staff, before, stage=stage("won"))
    with_reminder(staff, before, stage=stage("lost"))
    no_stage = with_reminder(staff, before, stage=None)
    assert keys(staff) == [("opportunity", no_stage.pk, 0)] and reminders.badge_count(staff) == 1


def test_a_dismissed_opportunity_reminder_comes_back_with_a_new_time(staff):
    opportunity = with_reminder(staff, NOW() - datetime.timedelta(hours=1))
    reminder = reminders.find(staff, "opportunity", opportunity.pk)
    state = crm_services.reminder_dismiss(user=staff, source="opportunity", object_id=opportunity.pk,
                                          due=reminder.due_key)
    assert (state.due_at, state.due_on) == (opportunity.reminder_at, None)
    assert keys(staff) == [] and reminders.badge_count(staff) == 0
    Opportunity.objects.filter(pk=opportunity.pk).update(reminder_at=NOW() - datetime.timedelta(minutes=5))
    assert keys(staff) == [("opportunity", opportunity.pk, 0)] and reminders.badge_count(staff) == 1


def test_closing_an_opportunity_ends_its_reminder(staff):
    opportunity = with_reminder(staff, NOW() - datetime.timedelta(hours=1))
    services.opportunities_close(queryset=Opportunity.objects.filter(pk=opportunity.pk), user=staff,
                                 stage=stage("won"))
    assert keys(staff) == [] and reminders.badge_count(staff) == 0


# --- the sales activities' due dates ------------------------------------------------------------

def test_activity_reminders_follow_the_owners_setting(staff, sales_stage):
    new, first, third = sales_stage
    deal = OpportunityFactory(assigned_to=staff, stage=new, stage_entered_on=days(-10))
    assert keys(staff) == [] and reminders.badge_count(staff) == 0
    services.sales_settings_save(activity_reminders=True)
    assert keys(staff) == [("sales_activity", deal.pk, first.pk), ("sales_activity", deal.pk, third.pk)]
    assert reminders.badge_count(staff) == 2
    services.sales_settings_save(activity_reminders=False)
    assert keys(staff) == [] and reminders.badge_count(staff) == 0


def test_an_activity_is_due_on_its_checklist_day_until_ticked_done(staff, sales_stage, activity_reminders):
    new, first, third = sales_stage
    deal = OpportunityFactory(assigned_to=staff, stage=new, stage_entered_on=days(-3), title="Acme deal")
    # Entered three days ago: "Book the demo" (2 days) is overdue, "Send the offer" due in two days.
    assert keys(staff) == [("sales_activity", deal.pk, first.pk)]
    upcoming = reminders.reminders_for(staff, until=NOW() + datetime.timedelta(days=7))
    checklist = {item.activity.pk: item.due for item in deal.activity_checklist()}
    assert [(r.detail_id, r.due_value) for r in upcoming] == [(first.pk, checklist[first.pk]),
                                                              (third.pk, checklist[third.pk])]
    assert (upcoming[0].kind, upcoming[0].title, upcoming[0].record_label, upcoming[0].url) == (
        "Sales activity", "Book the demo", "Acme deal", deal.get_absolute_url())
    ActivityDone.objects.create(opportunity=deal, activity=first)
    assert keys(staff) == [] and reminders.badge_count(staff) == 0
    assert [r.detail_id for r in reminders.reminders_for(staff, until=NOW() + datetime.timedelta(days=7))] == [
        third.pk]


def test_only_the_current_stage_of_open_opportunities_reminds(staff, other_staff, sales_stage, activity_reminders):
    new, first, _third = sales_stage
    other_stage = StageFactory(name="Other stage")
    ActivityFactory(stage=other_stage, duration_days=1)
    OpportunityFactory(assigned_to=staff, stage=stage("won"), stage_entered_on=days(-30))
    OpportunityFactory(assigned_to=other_staff, stage=new, stage_entered_on=days(-30))
    ActivityFactory(stage=stage("lost"), duration_days=1)
    OpportunityFactory(assigned_to=staff, stage=stage("lost"), stage_entered_on=days(-30))
    mine = OpportunityFactory(assigned_to=staff, stage=new, stage_entered_on=days(-2))
    assert keys(staff) == [("sales_activity", mine.pk, first.pk)]
    # Moving on to another stage: that stage's activities, from the day it entered it.
    Opportunity.objects.filter(pk=mine.pk).update(stage=other_stage, stage_entered_on=days(-1))
    assert [(k, d) for k, _o, d in keys(staff)] == [
        ("sales_activity", SalesActivity.objects.get(stage=other_stage).pk)]


def test_a_snoozed_activity_reminder_comes_back(staff, sales_stage, activity_reminders):
    new, first, _third = sales_stage
    deal = OpportunityFactory(assigned_to=staff, stage=new, stage_entered_on=days(-2))
    now = NOW()
    crm_services.reminder_snooze(user=staff, source="sales_activity", object_id=deal.pk, detail_id=first.pk,
                                 due=reminders.find(staff, "sales_activity", deal.pk, first.pk).due_key,
                                 duration="1h", now=now)
    state = ReminderState.objects.get()
    assert (state.detail_id, state.due_on) == (first.pk, days(0))
    assert reminders.badge_count(staff, now=now) == 0
    assert reminders.badge_count(staff, now=now + datetime.timedelta(hours=1, seconds=1)) == 1


def test_the_sql_due_dates_agree_with_the_checklist(staff, activity_reminders):
    """``due_offset_sql`` is ``due_offsets`` in SQL: activities in odd orders
    (equal positions, zero durations, several stages), opportunities entered
    on different days or never (then: as if today)."""
    stages = [StageFactory(name=f"Agree {n}") for n in range(3)]
    specs = [(0, 3, 2), (0, 1, 0), (0, 1, 5), (0, 4, 1), (1, 1, 7), (1, 2, 0), (2, 5, 0), (2, 5, 4)]
    for index, position, duration in specs:
        ActivityFactory(stage=stages[index], position=position, duration_days=duration)
    deals = [OpportunityFactory(assigned_to=staff, stage=s, stage_entered_on=entered)
             for s in stages for entered in (days(-40), days(-3), days(6), None)]
    rows = selectors.activity_reminder_rows(staff)
    sql = {(row.reminder_object, row.reminder_detail): row.reminder_due for row in rows}
    python = {(deal.pk, item.activity.pk): item.due for deal in deals for item in deal.activity_checklist()
              if item.due is not None}
    assert sorted(sql.items()) == sorted(python.items()) and len(sql) == 4 * 5
    # The offsets themselves, activity by activity.
    by_sql = dict(SalesActivity.objects.annotate(offset=due_offset_sql()).values_list("pk", "offset"))
    for s in stages:
        activities = list(s.activities.all())
        offsets = due_offsets([a.duration_days for a in activities])
        assert {a.pk: o for a, o in zip(activities, offsets) if o is not None} == {
            a.pk: by_sql[a.pk] for a in activities if a.duration_days}


def test_due_offsets_is_a_running_sum_of_the_durations():
    assert due_offsets([3, 0, 2, 5]) == [3, None, 5, 10]
    assert due_offsets([]) == [] and due_offsets([0, 0]) == [None, None]


def test_an_inactive_user_gets_no_sales_reminders(staff, sales_stage, activity_reminders):
    new, _first, _third = sales_stage
    OpportunityFactory(assigned_to=staff, stage=new, stage_entered_on=days(-10))
    with_reminder(staff, NOW() - datetime.timedelta(hours=1))
    assert reminders.badge_count(staff) == 3
    staff.is_active = False
    staff.save()
    assert reminders.badge_count(staff) == 0 and reminders.reminders_for(staff) == []


def test_every_source_in_one_count_query(staff, sales_stage, activity_reminders, django_assert_num_queries):
    new, _first, _third = sales_stage
    OpportunityFactory(assigned_to=staff, stage=new, stage_entered_on=days(-10))
    with_reminder(staff, NOW() - datetime.timedelta(hours=1))
    with django_assert_num_queries(1):
        assert reminders.badge_count(staff) == 3


# --- the feed and the page --------------------------------------------------------------------

def test_the_feed_has_opportunity_reminders_at_their_time_and_activities_on_their_day(client, staff, sales_stage,
                                                                                     activity_reminders):
    new, first, third = sales_stage
    at = (NOW() + datetime.timedelta(days=1)).replace(microsecond=0)
    deal = with_reminder(staff, at, title="Acme renewal", stage=new)
    Opportunity.objects.filter(pk=deal.pk).update(stage_entered_on=days(-1))
    response = client.get(reverse("crm:reminder_feed", args=[reminders.feed_token(staff)]))
    events = {str(e["SUMMARY"]): e for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")}
    assert set(events) == {"Opportunity reminder: Acme renewal", "Sales activity: Book the demo",
                           "Sales activity: Send the offer"}
    timed = events["Opportunity reminder: Acme renewal"]
    assert timed["DTSTART"].dt == at and timed["DTEND"].dt == at + datetime.timedelta(minutes=15)
    assert events["Sales activity: Book the demo"]["DTSTART"].dt == days(1)
    assert events["Sales activity: Send the offer"]["DTSTART"].dt == days(4)
    assert all(len(e.walk("VALARM")) == 1 for e in events.values())
    assert str(events["Sales activity: Book the demo"]["UID"]) == f"sales_activity-{deal.pk}-{first.pk}@crm-reminders"
    assert third.pk


def test_the_page_shows_the_sales_reminders_with_their_kinds(staff_client, staff, sales_stage, activity_reminders):
    new, _first, _third = sales_stage
    OpportunityFactory(assigned_to=staff, stage=new, stage_entered_on=days(-10), title="Stalled deal")
    with_reminder(staff, NOW() - datetime.timedelta(hours=1), title="Call Acme back")
    body = staff_client.get(reverse("crm:reminders")).content.decode()
    for text in ("Opportunity reminder", "Call Acme back", "Sales activity", "Book the demo", "Send the offer",
                 "Stalled deal"):
        assert text in body
    assert 'data-reminder-count="3"' in body


def test_a_user_without_sales_reminders_after_a_user_with(staff, other_staff, sales_stage, activity_reminders):
    """The count's SQL is built once and reused: with another user and time it counts theirs."""
    new, _first, _third = sales_stage
    OpportunityFactory(assigned_to=staff, stage=new, stage_entered_on=days(-10))
    assert reminders.badge_count(staff) == 2
    assert reminders.badge_count(other_staff) == 0
    assert reminders.badge_count(UserFactory()) == 0
    assert reminders.badge_count(staff, now=NOW() - datetime.timedelta(days=7)) == 1   # 3 days in the stage


def test_the_pages_queries_do_not_grow_with_sales_reminders(staff_client, staff, sales_stage, activity_reminders,
                                                           django_assert_num_queries):
    from crm.tests.factories import ContactFactory

    new, _first, _third = sales_stage

    def add(n: int) -> None:
        for i in range(n):
            linked = {"account": None, "contact": ContactFactory()} if i % 2 else {}
            with_reminder(staff, NOW() - datetime.timedelta(hours=1 + i), stage=new, **linked)

    add(2)
    Opportunity.objects.update(stage_entered_on=days(-10))
    url = reverse("crm:reminders")
    staff_client.get(url)
    with django_assert_num_queries(8) as few:   # session, user, feed key, the four sources, the count
        staff_client.get(url)
    add(10)
    Opportunity.objects.update(stage_entered_on=days(-10))
    with django_assert_num_queries(len(few)):
        body = staff_client.get(url).content.decode()
    assert 'data-reminder-count="36"' in body   # 12 reminders and 24 activities
