"""Reminders (crm.reminders): the registry and the count, the history tasks'
source, dismissing and snoozing, and the date rules. The sources of the
other apps are tested in their own tests (sales, projects); the pages and
the calendar feed in test_reminders_views.py."""
import datetime
import zoneinfo

import pytest
from django.db import connection
from django.db.models import F, Value
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm import reminders, services
from crm.generic.services import DomainError
from crm.models import HistoryItem, ReminderFeed, ReminderState
from crm.tests.factories import AccountFactory, HistoryItemFactory, UserFactory, link

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def task(user, due: datetime.date | None, status=HistoryItem.TaskStatus.NOT_STARTED, **kwargs) -> HistoryItem:
    return HistoryItemFactory(kind=HistoryItem.Kind.TASK, assigned_to=user, due_date=due, status=status, **kwargs)


def days(n: int) -> datetime.date:
    return TODAY() + datetime.timedelta(days=n)


def listed(user, **kwargs) -> list[tuple[str, int]]:
    return [(r.source.key, r.object_id) for r in reminders.reminders_for(user, until=timezone.now(), **kwargs)]


def answer(state: str, user, item: HistoryItem, **kwargs) -> ReminderState:
    reminder = reminders.find(user, "task", item.pk)
    if state == "dismiss":
        return services.reminder_dismiss(user=user, source="task", object_id=item.pk, due=reminder.due_key)
    return services.reminder_snooze(user=user, source="task", object_id=item.pk, due=reminder.due_key, **kwargs)


# --- the history tasks' source ---------------------------------------------------------------

def test_an_open_task_reminds_its_assignee_from_its_due_day_on(staff, other_staff):
    overdue, today, later = task(staff, days(-3)), task(staff, days(0)), task(staff, days(2))
    task(other_staff, days(-1))
    assert listed(staff) == [("task", overdue.pk), ("task", today.pk)]
    assert reminders.badge_count(staff) == 2
    # The dashboard may ask for the days ahead too.
    ahead = reminders.reminders_for(staff, until=timezone.now() + datetime.timedelta(days=7))
    assert [r.object_id for r in ahead] == [overdue.pk, today.pk, later.pk]


def test_completed_tasks_other_kinds_and_tasks_without_a_due_date_do_not_remind(staff):
    task(staff, days(-1), status=HistoryItem.TaskStatus.COMPLETED)
    task(staff, None)
    HistoryItemFactory(kind=HistoryItem.Kind.PHONE, assigned_to=staff, due_date=days(-1))
    waiting = task(staff, days(-1), status=HistoryItem.TaskStatus.WAITING)
    assert listed(staff) == [("task", waiting.pk)]
    assert reminders.badge_count(staff) == 1


def test_a_task_is_due_at_the_start_of_its_day_in_the_users_time_zone(staff):
    item = task(staff, datetime.date(2026, 3, 10))
    for zone in ("Europe/Paris", "Asia/Jakarta", "America/New_York"):
        with timezone.override(zoneinfo.ZoneInfo(zone)):
            reminder = reminders.find(staff, "task", item.pk)
            assert reminder.due == datetime.datetime(2026, 3, 10, tzinfo=zoneinfo.ZoneInfo(zone))
            midnight = reminder.due
            before = midnight - datetime.timedelta(seconds=1)
            assert reminders.badge_count(staff, now=before) == 0
            assert reminders.badge_count(staff, now=midnight) == 1
            assert [r.object_id for r in reminders.reminders_for(staff, until=before)] == []
            assert [r.object_id for r in reminders.reminders_for(staff, until=midnight)] == [item.pk]


def test_a_task_shows_its_linked_records_and_links_to_itself(staff):
    item = link(task(staff, days(-1), subject="Send the offer"), AccountFactory(name="Acme AS"))
    [reminder] = reminders.reminders_for(staff, until=timezone.now())
    assert (reminder.kind, reminder.title, reminder.record_label, reminder.url) == (
        "Task", "Send the offer", "Acme AS", item.get_absolute_url())
    assert reminder.date_only


def test_an_inactive_user_has_no_reminders_and_a_deleted_ones_go_with_them(staff):
    item = task(staff, days(-1))
    answer("dismiss", staff, task(staff, days(-2)))
    staff.is_active = False
    staff.save()
    assert (reminders.badge_count(staff), reminders.reminders_for(staff), reminders.find(staff, "task", item.pk)) == (
        0, [], None)
    staff.delete()
    item.refresh_from_db()
    assert item.assigned_to is None   # nobody's reminder any more
    assert not ReminderState.objects.exists()


# --- the count --------------------------------------------------------------------------------

def test_the_count_is_one_query_and_agrees_with_the_list_for_every_user_and_time(staff, other_staff):
    for n in (-5, -2, -1, 0, 1):
        task(staff, days(n))
    task(other_staff, days(-1))
    answer("dismiss", staff, HistoryItem.objects.get(assigned_to=staff, due_date=days(-2)))
    answer("snooze", staff, HistoryItem.objects.get(assigned_to=staff, due_date=days(-1)), duration="1h")
    now = timezone.now()
    for user, moment in [(staff, now), (other_staff, now), (staff, now + datetime.timedelta(hours=2)),
                         (staff, now + datetime.timedelta(days=1)), (staff, now - datetime.timedelta(days=3))]:
        with CaptureQueriesContext(connection) as queries:
            count = reminders.badge_count(user, now=moment)
        assert len(queries) == 1
        assert count == len(reminders.reminders_for(user, until=moment, now=moment)), (user, moment)
    assert reminders.badge_count(staff, now=now) == 2           # -5 and today; -2 dismissed, -1 snoozed
    assert reminders.badge_count(staff, now=now + datetime.timedelta(hours=2)) == 3   # the snooze is over


def test_the_count_stops_past_the_cap_and_shows_99_plus(staff):
    HistoryItem.objects.bulk_create([
        HistoryItem(kind=HistoryItem.Kind.TASK, subject=f"Task {n}", assigned_to=staff, due_date=days(-1),
                    status=HistoryItem.TaskStatus.NOT_STARTED) for n in range(reminders.BADGE_CAP + 5)])
    badge = reminders.badge(staff)
    assert badge.count == reminders.BADGE_CAP + 1 and badge.more and str(badge) == "99+"
    assert str(reminders.badge(UserFactory())) == "0" and not reminders.badge(UserFactory())
    assert len(reminders.reminders_for(staff, until=timezone.now())) == reminders.PAGE_LIMIT


def test_no_count_for_anonymous_or_inactive_users(staff):
    from django.contrib.auth.models import AnonymousUser

    task(staff, days(-1))
    staff.is_active = False
    with CaptureQueriesContext(connection) as queries:
        assert reminders.badge_count(AnonymousUser()) == 0
        assert reminders.badge_count(staff) == 0
    assert len(queries) == 0


def test_a_source_registered_again_replaces_the_old_one(staff):
    task(staff, days(-1))
    original = reminders.source("task")
    try:
        reminders.register_source("task", "Renamed", rows=original.rows, describe=original.describe,
                                  prepare=original.prepare, date_only=True, order=original.order)
        assert [r.kind for r in reminders.reminders_for(staff, until=timezone.now())] == ["Renamed"]
        assert [s.key for s in reminders.sources()].count("task") == 1
    finally:
        reminders.register_source(original.key, original.label, rows=original.rows, describe=original.describe,
                                  prepare=original.prepare, date_only=True, order=original.order)


# --- dismissing and snoozing -----------------------------------------------------------------

def test_a_dismissed_reminder_stays_away_until_its_date_changes(staff):
    item = task(staff, days(-1))
    state = answer("dismiss", staff, item)
    assert (state.dismissed, state.due_on, state.due_at, state.snoozed_until) == (True, days(-1), None, None)
    assert listed(staff) == [] and reminders.badge_count(staff) == 0
    item.due_date = days(0)
    item.save()
    assert listed(staff) == [("task", item.pk)] and reminders.badge_count(staff) == 1


def test_a_snoozed_reminder_comes_back_when_the_snooze_is_over(staff):
    item = task(staff, days(-1))
    now = timezone.now()
    state = answer("snooze", staff, item, duration="15m", now=now)
    assert (state.dismissed, state.snoozed_until) == (False, now + datetime.timedelta(minutes=15))
    assert reminders.badge_count(staff, now=now) == 0
    assert reminders.badge_count(staff, now=now + datetime.timedelta(minutes=15, seconds=1)) == 1
    # A new answer replaces the last one: one row per reminder.
    answer("dismiss", staff, item)
    assert ReminderState.objects.get().dismissed and ReminderState.objects.get().snoozed_until is None


@pytest.mark.parametrize(("now", "choice", "expected"), [
    ("2026-03-04 10:20", "15m", "2026-03-04 10:35"),
    ("2026-03-04 23:30", "1h", "2026-03-05 00:30"),
    ("2026-03-04 23:30", "tomorrow", "2026-03-05 08:00"),   # a Wednesday
    ("2026-03-04 10:20", "next_week", "2026-03-09 08:00"),   # the next Monday
    ("2026-03-09 07:00", "next_week", "2026-03-16 08:00"),   # on a Monday: a week later
    ("2026-03-08 18:00", "next_week", "2026-03-09 08:00"),   # on a Sunday: tomorrow
])
def test_snooze_durations(now, choice, expected):
    def local(text):
        return timezone.make_aware(datetime.datetime.fromisoformat(text))

    assert reminders.snooze_until(choice, local(now)) == local(expected)


def test_an_unknown_snooze_duration_is_refused_and_nothing_is_written(staff):
    item = task(staff, days(-1))
    with pytest.raises(DomainError, match="Choose how long to snooze"):
        answer("snooze", staff, item, duration="forever")
    assert not ReminderState.objects.exists()


def test_someone_elses_or_an_unknown_reminder_cannot_be_answered(staff, other_staff):
    theirs = task(other_staff, days(-1))
    due = reminders.find(other_staff, "task", theirs.pk).due_key
    closed = task(staff, days(-1), status=HistoryItem.TaskStatus.COMPLETED)
    for source, object_id in [("task", theirs.pk), ("task", closed.pk), ("task", 999_999), ("nothing", theirs.pk)]:
        with pytest.raises(services.ReminderNotFound, match="not one of yours"):
            services.reminder_dismiss(user=staff, source=source, object_id=object_id, due=due)
        with pytest.raises(services.ReminderNotFound):
            services.reminder_snooze(user=staff, source=source, object_id=object_id, due=due, duration="1h")
    assert not ReminderState.objects.exists()


def test_a_reminder_whose_date_changed_since_the_page_is_not_answered(staff):
    item = task(staff, days(-1))
    shown = reminders.find(staff, "task", item.pk).due_key
    HistoryItem.objects.filter(pk=item.pk).update(due_date=days(-4))
    with pytest.raises(services.ReminderChanged, match="new date"):
        services.reminder_dismiss(user=staff, source="task", object_id=item.pk, due=shown)
    assert not ReminderState.objects.exists()


# --- the calendar feed's secret ----------------------------------------------------------------

def test_the_feed_token_is_the_users_until_regenerated(staff, other_staff):
    token = reminders.feed_token(staff)
    assert token.startswith(f"{staff.pk}-") and len(token.split("-", 1)[1]) == 64
    assert token != reminders.feed_token(other_staff)
    assert reminders.feed_user(token) == staff
    new = services.reminder_feed_token_regenerate(user=staff)
    assert new != token and new == reminders.feed_token(staff) and ReminderFeed.objects.get().user == staff
    assert reminders.feed_user(token) is None and reminders.feed_user(new) == staff
    # The key is not the token: the stored row alone does not give the address away.
    assert ReminderFeed.objects.get().key not in new


@pytest.mark.parametrize("token", ["", "abc", "-", "1-", "-abc", "1-abc", "x1-abc", "٣-abc", "9" * 40 + "-abc",
                                   "1-" + "0" * 64, "1-\x00"])
def test_a_malformed_or_wrong_feed_token_finds_nobody(staff, token):
    assert reminders.feed_user(token) is None
    assert reminders.feed_user(reminders.feed_token(staff) + "0") is None
    assert reminders.feed_user(reminders.feed_token(staff)[:-1]) is None


def test_the_feed_token_is_compared_in_constant_time(staff, monkeypatch):
    import hmac

    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    assert reminders.feed_user(reminders.feed_token(staff)) == staff
    assert reminders.feed_user(f"{staff.pk}-{'f' * 64}") is None
    assert len(calls) == 2


def test_an_inactive_users_feed_finds_nobody(staff):
    token = reminders.feed_token(staff)
    staff.is_active = False
    staff.save()
    assert reminders.feed_user(token) is None


# --- SQL date arithmetic --------------------------------------------------------------------

def test_add_days_in_sql_gives_dates_that_compare_with_stored_dates(staff):
    item = task(staff, datetime.date(2026, 2, 27))
    row = HistoryItem.objects.annotate(
        later=reminders.AddDays(F("due_date"), Value(3)), earlier=reminders.AddDays(F("due_date"), Value(-28)),
    ).filter(pk=item.pk, due_date__lt=reminders.AddDays(F("due_date"), Value(1))).get()
    assert (row.later, row.earlier) == (datetime.date(2026, 3, 2), datetime.date(2026, 1, 30))
