"""Browser tests of Reminders: a signed-in user with reminders of every kind
sees their count in the navigation bar, opens Reminders (overdue days first,
marked "Overdue"), dismisses one and snoozes another, and the count follows —
with htmx, and without JavaScript.

Chromium at 1280 px, by visible labels, roles and button names, against
pytest-django's live server. Screenshot: test-results/screenshots/reminders.png.
"""
import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from crm.models import HistoryItem
from crm.tests.factories import AccountFactory, HistoryItemFactory, link
from e2e.conftest import shoot, signed_in_as
from projects.tests.factories import ProjectFactory, ProjectTaskFactory
from sales.tests.factories import OpportunityFactory, StageFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def day(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def seed_reminders(user) -> None:
    """Four reminders due for ``user`` (two overdue days and today), and one not due yet."""
    acme = AccountFactory(name="Acme AS")
    link(HistoryItemFactory(kind=HistoryItem.Kind.TASK, subject="Call the buyer", assigned_to=user, due_date=day(-2),
                            status=HistoryItem.TaskStatus.NOT_STARTED), acme)
    HistoryItemFactory(kind=HistoryItem.Kind.TASK, subject="Send the price list", assigned_to=user, due_date=day(-1),
                       status=HistoryItem.TaskStatus.IN_PROGRESS)
    HistoryItemFactory(kind=HistoryItem.Kind.TASK, subject="Book the workshop", assigned_to=user, due_date=day(3),
                       status=HistoryItem.TaskStatus.NOT_STARTED)
    ProjectTaskFactory(project=ProjectFactory(name="Office move"), subject="Order the desks", assigned_to=user,
                       due_date=day(0))
    OpportunityFactory(title="Acme renewal", account=acme, assigned_to=user, stage=StageFactory(),
                       stage_entered_on=day(-5),
                       reminder=True, reminder_at=timezone.now() - datetime.timedelta(hours=1))


def reminders_link(page: Page, count: int | None):
    name = f"Reminders {count} due" if count else "Reminders"
    return page.get_by_role("navigation").get_by_role("link", name=name, exact=True)


def reminder(page: Page, title: str):
    return page.get_by_role("listitem").filter(has=page.get_by_role("link", name=title, exact=True))


@pytest.fixture
def js_errors(signed_in_page: Page):
    errors: list[str] = []
    signed_in_page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    signed_in_page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    signed_in_page.set_viewport_size({"width": 1280, "height": 900})
    return errors


def test_dismiss_and_snooze_and_the_count_follows(signed_in_page: Page, live_server, staff, js_errors):
    page = signed_in_page
    seed_reminders(staff)
    page.goto(f"{live_server.url}/")
    expect(reminders_link(page, 4)).to_be_visible()

    reminders_link(page, 4).click()
    expect(page.get_by_role("heading", name="Reminders", level=1)).to_be_visible()
    expect(page.get_by_text("4 reminders due now or overdue.")).to_be_visible()
    # Overdue days first, oldest first, marked in words; then today.
    headings = page.get_by_role("heading", level=2).filter(has_text=re.compile(r"Overdue|Today"))
    expect(headings).to_have_count(3)
    expect(headings.nth(0)).to_contain_text("Overdue")
    expect(headings.nth(1)).to_contain_text("Overdue")
    expect(headings.nth(2)).to_contain_text("Today")
    expect(headings.nth(0)).to_have_class(re.compile(r"\btext-danger\b"))
    expect(reminder(page, "Call the buyer")).to_contain_text("Acme AS")
    expect(reminder(page, "Order the desks")).to_contain_text("Project task")
    expect(reminder(page, "Acme renewal")).to_contain_text("Opportunity reminder")
    expect(page.get_by_role("link", name="Book the workshop")).to_have_count(0)
    shoot(page, "reminders", full_page=True)

    reminder(page, "Call the buyer").get_by_role("button", name="Dismiss").click()
    expect(page.get_by_role("alert").filter(has_text="“Call the buyer” dismissed.")).to_be_visible()
    expect(reminder(page, "Call the buyer")).to_have_count(0)
    expect(reminders_link(page, 3)).to_be_visible()

    snoozed = reminder(page, "Send the price list")
    snoozed.get_by_text("Snooze").click()
    expect(snoozed.get_by_role("button", name="Next week")).to_be_visible()
    shoot(page, "reminders-snooze")
    snoozed.get_by_role("button", name="1 hour").click()
    expect(page.get_by_role("alert").filter(has_text="“Send the price list” snoozed until")).to_be_visible()
    expect(reminder(page, "Send the price list")).to_have_count(0)
    expect(reminders_link(page, 2)).to_be_visible()
    expect(page.get_by_text("2 reminders due now or overdue.")).to_be_visible()

    # Still so on the next page.
    page.goto(f"{live_server.url}/preferences/")
    expect(reminders_link(page, 2)).to_be_visible()
    assert js_errors == []


def test_dismiss_works_without_javascript(browser, browser_context_args, sign_in, live_server, staff):
    seed_reminders(staff)
    page = signed_in_as(browser, {**browser_context_args, "java_script_enabled": False}, sign_in, staff)
    try:
        page.goto(f"{live_server.url}/reminders/")
        expect(reminders_link(page, 4)).to_be_visible()
        reminder(page, "Acme renewal").get_by_role("button", name="Dismiss").click()
        expect(page).to_have_url(f"{live_server.url}/reminders/")
        expect(page.get_by_role("alert").filter(has_text="“Acme renewal” dismissed.")).to_be_visible()
        expect(reminders_link(page, 3)).to_be_visible()
        # Snooze opens without script too (a <details>), and posts.
        later = reminder(page, "Order the desks")
        later.get_by_text("Snooze").click()
        later.get_by_role("button", name="Tomorrow").click()
        expect(page.get_by_role("alert").filter(has_text="“Order the desks” snoozed until")).to_be_visible()
        expect(reminders_link(page, 2)).to_be_visible()
    finally:
        page.context.close()
