"""The Reminders page, its Dismiss and Snooze buttons, the count in the
navigation bar, and the calendar feed (parsed with the icalendar library)."""
import datetime
import re

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm import reminders, services
from crm.models import HistoryItem, ReminderState
from crm.tests.factories import AccountFactory, HistoryItemFactory, link

pytestmark = pytest.mark.django_db


def task(user, due_in_days: int | None, subject: str, **kwargs) -> HistoryItem:
    due = None if due_in_days is None else timezone.localdate() + datetime.timedelta(days=due_in_days)
    return HistoryItemFactory(kind=HistoryItem.Kind.TASK, assigned_to=user, due_date=due, subject=subject,
                              status=kwargs.pop("status", HistoryItem.TaskStatus.NOT_STARTED), **kwargs)


def fields(item: HistoryItem, user, **extra) -> dict:
    reminder = reminders.find(user, "task", item.pk)
    return {"source": "task", "object_id": item.pk, "detail_id": 0, "due": reminder.due_key, **extra}


def badge(html: str) -> str | None:
    """The count drawn in the navigation bar's Reminders entry (None: no count)."""
    match = re.search(r'<span id="reminder-badge"[^>]*>\s*(?:<span class="badge[^"]*">([^<]*)</span>)?', html)
    assert match, "no reminder count on the page"
    return match.group(1)


# --- the page ---------------------------------------------------------------------------------

def test_the_page_lists_due_reminders_by_day_overdue_days_first(staff_client, staff, other_staff):
    link(task(staff, -3, "Oldest overdue"), AccountFactory(name="Acme AS"))
    task(staff, -1, "Yesterday's task")
    task(staff, 0, "Today's task")
    task(staff, 2, "Not due yet")
    task(other_staff, -1, "Someone else's task")
    response = staff_client.get(reverse("crm:reminders"))
    assert response.status_code == 200
    body = response.content.decode()
    order = [body.index(text) for text in ("Oldest overdue", "Yesterday&#x27;s task", "Today&#x27;s task")]
    assert order == sorted(order)
    assert "Not due yet" not in body and "Someone else" not in body
    headings = re.findall(r'<h2 class="h6( text-danger)?"[^>]*>(.*?)</h2>', body, re.S)
    assert [(bool(red), "Overdue" in text, "Today" in text) for red, text in headings] == [
        (True, True, False), (True, True, False), (False, False, True)]
    assert "Acme AS" in body and ">Task<" in body
    assert 'data-reminder-count="3"' in body and "3 reminders due now or overdue." in body
    assert badge(body) == "3"


def test_the_page_without_reminders_says_so(staff_client):
    body = staff_client.get(reverse("crm:reminders")).content.decode()
    assert "Nothing to be reminded of right now." in body and badge(body) is None


def test_every_page_shows_the_count_for_one_query(staff_client, staff, django_assert_num_queries):
    """The navigation bar's count costs one query on every page (pinned here
    on Preferences: the page's own queries plus one)."""
    for n in range(3):
        task(staff, -n, f"Task {n}")
    url = reverse("crm:preferences")
    staff_client.get(url)  # the session's language is stored on the first page
    with CaptureQueriesContext(connection) as queries:
        body = staff_client.get(url).content.decode()
    assert badge(body) == "3"
    assert len([q for q in queries if "crm_reminderstate" in q["sql"]]) == 1
    with django_assert_num_queries(len(queries)):
        staff_client.get(url)
    task(staff, -5, "One more")
    with django_assert_num_queries(len(queries)):
        assert badge(staff_client.get(url).content.decode()) == "4"


def test_a_partial_page_does_not_count(staff_client, staff):
    task(staff, -1, "Due")
    with CaptureQueriesContext(connection) as queries:
        staff_client.get(reverse("crm:account_list"), headers={"HX-Request": "true", "HX-Target": "results"})
    assert not [q for q in queries if "crm_reminderstate" in q["sql"]]


# --- Dismiss and Snooze ---------------------------------------------------------------------

def test_dismiss_without_javascript_goes_back_to_the_page_with_a_message(staff_client, staff):
    item = task(staff, -1, "Call the buyer")
    response = staff_client.post(reverse("crm:reminder_dismiss"), fields(item, staff), follow=True)
    assert response.redirect_chain == [(reverse("crm:reminders"), 302)]
    body = response.content.decode()
    assert "“Call the buyer” dismissed." in body and "Nothing to be reminded of right now." in body
    assert ReminderState.objects.get().dismissed


def test_snooze_with_htmx_answers_the_list_and_the_count(staff_client, staff):
    item, other = task(staff, -1, "Call the buyer"), task(staff, -2, "Send the quote")
    response = staff_client.post(reverse("crm:reminder_snooze"), fields(item, staff, duration="1h"),
                                 headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "“Call the buyer” snoozed until" in body and 'role="alert"' in body
    assert "Send the quote" in body and "Call the buyer</a>" not in body
    assert 'id="reminder-badge" hx-swap-oob="true"' in body and badge(body) == "1"
    state = ReminderState.objects.get()
    assert abs(state.snoozed_until - (timezone.now() + datetime.timedelta(hours=1))) < datetime.timedelta(minutes=1)
    assert other.pk != state.object_id


def test_snooze_with_an_unknown_duration_says_so_and_writes_nothing(staff_client, staff):
    item = task(staff, -1, "Call the buyer")
    for duration in ("forever", "", "1h; DROP TABLE"):
        response = staff_client.post(reverse("crm:reminder_snooze"), fields(item, staff, duration=duration),
                                     follow=True)
        assert "Choose how long to snooze: 15 minutes, 1 hour, tomorrow or next week." in response.content.decode()
    assert not ReminderState.objects.exists()


def test_answering_someone_elses_or_an_unknown_reminder_says_so_and_writes_nothing(staff_client, staff, other_staff):
    theirs = task(other_staff, -1, "Their task")
    posts = [fields(theirs, other_staff), {**fields(theirs, other_staff), "object_id": 999_999},
             {**fields(theirs, other_staff), "source": "nothing"}, {**fields(theirs, other_staff), "object_id": "x"},
             {"source": "task"}]
    for data in posts:
        for name in ("crm:reminder_dismiss", "crm:reminder_snooze"):
            response = staff_client.post(reverse(name), {**data, "duration": "1h"}, follow=True)
            assert response.status_code == 200
            assert "This reminder is not one of yours, or it no longer exists" in response.content.decode()
    assert not ReminderState.objects.exists()


def test_dismiss_snooze_and_regenerate_refuse_get(staff_client, staff):
    item = task(staff, -1, "Call the buyer")
    for name in ("crm:reminder_dismiss", "crm:reminder_snooze", "crm:reminder_feed_regenerate"):
        assert staff_client.get(reverse(name), fields(item, staff, duration="1h")).status_code == 405
    assert not ReminderState.objects.exists()


def test_dismiss_needs_the_csrf_token(staff, client):
    from django.test import Client

    item = task(staff, -1, "Call the buyer")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)
    assert browser.post(reverse("crm:reminder_dismiss"), fields(item, staff)).status_code == 403
    assert not ReminderState.objects.exists()


def test_the_buttons_post_what_the_services_need(staff_client, staff):
    """The page's own forms, submitted as a browser would, dismiss and snooze."""
    from tests.urlwalk import page_forms

    first, second = task(staff, -2, "First"), task(staff, -1, "Second")
    page = staff_client.get(reverse("crm:reminders")).content.decode()
    forms = [f for f in page_forms(page) if f.action == reverse("crm:reminder_dismiss")]
    assert len(forms) == 2
    # Snooze's buttons post the same form to the snooze address (formaction).
    assert page.count(f'name="duration" value="tomorrow" formaction="{reverse("crm:reminder_snooze")}"') == 2
    staff_client.post(forms[0].action, forms[0].data())
    staff_client.post(reverse("crm:reminder_snooze"), {**forms[1].data(), "duration": "tomorrow"})
    states = {s.object_id: s for s in ReminderState.objects.all()}
    assert states[first.pk].dismissed and states[second.pk].snoozed_until.date() == (
        timezone.localdate() + datetime.timedelta(days=1))


# --- the calendar feed ---------------------------------------------------------------------

def feed(client, user) -> icalendar.Calendar:
    response = client.get(reverse("crm:reminder_feed", args=[reminders.feed_token(user)]))
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    return icalendar.Calendar.from_ical(response.content)


def test_the_feed_has_the_users_reminders_each_with_an_alarm(client, staff, other_staff):
    """No sign-in: the address is the key. Past 30 days and every later
    reminder, dismissed ones left out, snoozed ones at the time they come back."""
    item = link(task(staff, -2, "Call the buyer"), AccountFactory(name="Acme AS"))
    upcoming = task(staff, 40, "Renew the contract")
    task(staff, -31, "Too old")
    snoozed, dismissed = task(staff, -1, "Snoozed one"), task(staff, 0, "Dismissed one")
    task(other_staff, -1, "Not mine")
    task(staff, -1, "Done", status=HistoryItem.TaskStatus.COMPLETED)
    until = services.reminder_snooze(user=staff, source="task", object_id=snoozed.pk, duration="tomorrow",
                                     due=reminders.find(staff, "task", snoozed.pk).due_key).snoozed_until
    services.reminder_dismiss(user=staff, source="task", object_id=dismissed.pk,
                              due=reminders.find(staff, "task", dismissed.pk).due_key)
    calendar = feed(client, staff)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Task: Call the buyer", "Task: Renew the contract", "Task: Snoozed one"}
    call = events["Task: Call the buyer"]
    # A task is due on its day: an all-day event, with its alarm at the start.
    assert call["DTSTART"].dt == item.due_date and call["DTEND"].dt == item.due_date + datetime.timedelta(days=1)
    assert str(call["UID"]) == f"task-{item.pk}-0@crm-reminders"
    assert "Acme AS" in str(call["DESCRIPTION"]) and str(call["URL"]).endswith(item.get_absolute_url())
    for event in events.values():
        [alarm] = event.walk("VALARM")
        assert (str(alarm["ACTION"]), alarm["TRIGGER"].dt) == ("DISPLAY", datetime.timedelta(0))
        assert str(alarm["DESCRIPTION"]) == str(event["SUMMARY"])
    assert events["Task: Snoozed one"]["DTSTART"].dt == until
    assert events["Task: Renew the contract"]["DTSTART"].dt == upcoming.due_date
    assert str(calendar["X-WR-CALNAME"]) == "CRM reminders"


def test_the_feed_speaks_the_users_language(client, staff):
    from crm.models import UserPreferences

    UserPreferences.objects.create(user=staff, language="fr")
    task(staff, -1, "Appeler")
    assert [str(e["SUMMARY"]) for e in feed(client, staff).walk("VEVENT")] == ["Tâche: Appeler"]


@pytest.mark.parametrize("token", ["nothing", "1-abc", "0-" + "0" * 64, "99999999999999999999-x"])
def test_a_wrong_feed_address_is_a_404_without_data(client, staff, token):
    task(staff, -1, "Secret deal")
    for method in (client.get, client.head):
        response = method(reverse("crm:reminder_feed", args=[token]))
        assert response.status_code == 404
        assert b"Secret deal" not in response.content and b"VCALENDAR" not in response.content


def test_a_regenerated_feed_address_ends_the_old_one(staff_client, client, staff):
    task(staff, -1, "Secret deal")
    old = reverse("crm:reminder_feed", args=[reminders.feed_token(staff)])
    assert client.get(old).status_code == 200
    page = staff_client.get(reverse("crm:reminders")).content.decode()
    assert f"http://testserver{old}" in page and f"webcal://testserver{old}" in page
    response = staff_client.post(reverse("crm:reminder_feed_regenerate"), follow=True)
    assert "Your calendar feed has a new address." in response.content.decode()
    new = reverse("crm:reminder_feed", args=[reminders.feed_token(staff)])
    assert new != old and f"http://testserver{new}" in response.content.decode()
    assert client.get(old).status_code == 404 and b"Secret deal" not in client.get(old).content
    assert b"Secret deal" in client.get(new).content


def test_an_inactive_users_feed_is_a_404(client, staff):
    url = reverse("crm:reminder_feed", args=[reminders.feed_token(staff)])
    staff.is_active = False
    staff.save()
    assert client.get(url).status_code == 404


def test_the_pages_queries_do_not_grow_with_its_reminders(staff_client, staff, django_assert_num_queries):
    from crm.tests.factories import ContactFactory

    def add(n: int) -> None:
        for i in range(n):
            link(task(staff, -1 - i % 3, f"Task {i}"), AccountFactory(), ContactFactory())

    add(2)
    url = reverse("crm:reminders")
    staff_client.get(url)
    with CaptureQueriesContext(connection) as few:
        staff_client.get(url)
    add(20)
    with django_assert_num_queries(len(few)):
        body = staff_client.get(url).content.decode()
    assert 'data-reminder-count="22"' in body


def test_a_long_list_shows_the_oldest_and_says_how_many_are_due(staff_client, staff):
    HistoryItem.objects.bulk_create([
        HistoryItem(kind=HistoryItem.Kind.TASK, subject=f"Task {n:03d}", assigned_to=staff, status="not_started",
                    due_date=timezone.localdate() - datetime.timedelta(days=n)) for n in range(reminders.PAGE_LIMIT)])
    body = staff_client.get(reverse("crm:reminders")).content.decode()
    assert f"{reminders.PAGE_LIMIT} reminders due now or overdue." in body and "The oldest" not in body
    task(staff, -200, "Forgotten long ago")
    task(staff, 0, "Due today")
    body = staff_client.get(reverse("crm:reminders")).content.decode()
    assert f"The oldest {reminders.PAGE_LIMIT} of {reminders.PAGE_LIMIT + 2} reminders due now or overdue." in body
    assert body.count('name="object_id"') == reminders.PAGE_LIMIT
    assert "Forgotten long ago" in body and "Due today" not in body
