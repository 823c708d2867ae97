"""Browser tests of Project Management (the issue's acceptance check): a new
business project made through its form with three task rows, two of them
assigned to two colleagues, and related accounts picked in the Link to
dialog; one task marked completed from the Project Tasks list and the
project's % complete following; an overdue task in red (and marked
"Overdue" in words) on the Project Tasks list filtered to Mine + Overdue.

Each test drives Chromium at 1280 px through the pages as a user would — by
visible labels, roles and button names — against pytest-django's live server.
Screenshots: test-results/screenshots/projects-*.png.
"""
import datetime
import re

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import Page, expect

from crm.tests.factories import AccountFactory, UserFactory
from e2e.conftest import add_row, link_to, shoot
from projects import services
from projects.models import BusinessProject, ProjectTask, percent_complete

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def js_errors(signed_in_page: Page):
    """Uncaught exceptions and console errors of the page; each test checks it is empty at the end."""
    errors: list[str] = []
    signed_in_page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    signed_in_page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    signed_in_page.set_viewport_size({"width": 1280, "height": 900})
    return errors


@pytest.fixture
def carol(db):
    return UserFactory(username="carol", first_name="Carol", last_name="Chen")


def open_workspace_tab(page: Page, workspace: str, tab: str) -> None:
    menu = page.get_by_role("navigation")
    menu.get_by_role("button", name=workspace).click()
    menu.get_by_role("link", name=tab, exact=True).click()
    expect(page.get_by_role("heading", name=tab, level=1)).to_be_visible()


def short_date(day: datetime.date) -> str:
    with translation.override("en"):
        return formats.date_format(day, "SHORT_DATE_FORMAT")


def definition(page: Page, term: str):
    return page.locator(f"xpath=//dt[normalize-space()='{term}']/following-sibling::dd[1]")


def fill_task(rows, index: int, subject: str, start: datetime.date, due: datetime.date, assignee: str | None = None,
              percent: str | None = None) -> None:
    rows.get_by_label("Subject").nth(index).fill(subject)
    if assignee:
        rows.get_by_label("Assigned to").nth(index).select_option(label=assignee)
    rows.get_by_label("Start date").nth(index).fill(start.isoformat())
    rows.get_by_label("Due date").nth(index).fill(due.isoformat())
    if percent is not None:
        rows.get_by_label("% complete").nth(index).fill(percent)


# --- 1. A new project with three task rows for two colleagues ------------------------------

def test_new_project_with_three_tasks_for_two_colleagues(signed_in_page: Page, live_server, other_staff, carol,
                                                         js_errors):
    page = signed_in_page
    AccountFactory(name="Nordic Fjord AS")
    AccountFactory(name="Baltic Amber Ltd")
    AccountFactory(name="Fjord Partners AS")
    start = timezone.localdate() + datetime.timedelta(days=7)
    page.goto(f"{live_server.url}/")

    open_workspace_tab(page, "Project Management", "Business Projects")
    page.get_by_role("link", name=re.compile(r"^New business project$", re.I)).click()
    expect(page.get_by_role("heading", name=re.compile(r"^New business project$", re.I), level=1)).to_be_visible()
    page.get_by_label("Project name").fill("Fjord office move")
    page.get_by_label("Status").select_option(label="In progress")
    link_to(page, page.get_by_role("group", name="Linked account or business contact"), "Nordic",
            pick="Nordic Fjord AS", not_offered="Baltic Amber Ltd")

    # Three task rows: "Add task" adds each; two go to two colleagues.
    tasks = page.get_by_role("group", name="Tasks")
    expect(tasks.get_by_label("Subject")).to_have_count(0)
    for _ in range(3):
        add_row(tasks, "Add task", "Subject")
    fill_task(tasks, 0, "Pack the archive", start, start + datetime.timedelta(days=3), "Bob Nowak", "50")
    fill_task(tasks, 1, "Move the furniture", start + datetime.timedelta(days=4), start + datetime.timedelta(days=4),
              "Carol Chen")
    fill_task(tasks, 2, "Unpack", start + datetime.timedelta(days=5), start + datetime.timedelta(days=9))
    # A row added by mistake is removed again.
    add_row(tasks, "Add task", "Subject")
    tasks.get_by_role("button", name="Remove task").nth(3).click()
    expect(tasks.get_by_label("Subject").nth(3)).to_be_hidden()

    # Related accounts: picked one by one in the Link to dialog.
    page.get_by_role("tab", name="Related accounts and business contacts").click()
    page.get_by_role("button", name="Related accounts: Add…").click()
    dialog = page.get_by_role("dialog", name="Link to")
    dialog.get_by_label("Search by name").fill("Partners")
    expect(dialog.get_by_role("button", name="Baltic Amber Ltd")).to_have_count(0)
    dialog.get_by_role("button", name="Fjord Partners AS").click()
    expect(dialog).to_be_hidden()
    related = page.get_by_role("list").filter(has=page.get_by_role("button", name="Remove Fjord Partners AS"))
    expect(related.get_by_role("listitem")).to_have_text(["Fjord Partners AS"])
    expect(page.get_by_role("button", name="Related business contacts: Add…")).to_be_visible()
    page.get_by_role("tab", name="General").click()
    shoot(page, "projects-form", full_page=True)

    page.get_by_role("button", name="Save & Close").click()
    expect(page).to_have_url(re.compile(r"/projects/\d+/$"))
    expect(page.get_by_role("heading", name="Fjord office move", level=1)).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="was saved")).to_be_visible()

    project = BusinessProject.objects.get()
    stored = list(project.tasks.order_by("position"))
    assert [(t.subject, str(t.assigned_to or "")) for t in stored] == [
        ("Pack the archive", "bob"), ("Move the furniture", "carol"), ("Unpack", "")]
    expected = percent_complete((t.percent_complete, t.start_date, t.due_date) for t in stored)
    assert expected == 20  # 50 % of 4 days, 0 % of 1 day and of 5 days: 200 / 10

    table = page.get_by_role("table").filter(has_text="Pack the archive")
    expect(table.get_by_role("row").filter(has_text="Pack the archive")).to_contain_text("Bob Nowak")
    expect(table.get_by_role("row").filter(has_text="Move the furniture")).to_contain_text("Carol Chen")
    expect(table.get_by_test_id("project-percent-complete")).to_have_text(f"{expected} %")
    expect(page.get_by_test_id("percent-complete")).to_have_text(f"{expected} %")
    expect(page.get_by_role("progressbar", name="% complete")).to_have_attribute("value", str(expected))
    expect(definition(page, "Related accounts")).to_have_text("Fjord Partners AS")
    shoot(page, "projects-record", full_page=True)
    assert js_errors == []


# --- 2. Mark completed from the Project Tasks list ---------------------------------------

def test_mark_a_task_completed_from_the_list_and_the_project_follows(signed_in_page: Page, live_server, staff,
                                                                     other_staff, js_errors):
    page = signed_in_page
    start = timezone.localdate()
    project = BusinessProject(name="Fjord office move", account=AccountFactory(name="Nordic Fjord AS"),
                              assigned_to=staff)
    services.project_save(instance=project, user=staff, tasks=[
        services.TaskInput(subject="Pack the archive", assigned_to=other_staff, start_date=start,
                           due_date=start + datetime.timedelta(days=3), percent_complete=50, status="in_progress"),
        services.TaskInput(subject="Move the furniture", start_date=start + datetime.timedelta(days=4),
                           due_date=start + datetime.timedelta(days=4)),
        services.TaskInput(subject="Unpack", start_date=start + datetime.timedelta(days=5),
                           due_date=start + datetime.timedelta(days=9)),
    ])
    assert BusinessProject.objects.get().percent_complete == 20

    page.goto(f"{live_server.url}/")
    open_workspace_tab(page, "Project Management", "Project Tasks")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Unpack", exact=True))
    row.get_by_role("checkbox").check()
    page.get_by_role("button", name="Mark completed").click()
    expect(page.get_by_text("1 record selected")).to_be_visible()
    page.get_by_role("button", name="OK").click()
    expect(page.get_by_role("alert").filter(has_text="1 task marked completed.")).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Unpack", exact=True))
    expect(row).to_contain_text("Completed")
    expect(row).to_contain_text("100 %")

    tasks = ProjectTask.objects.filter(project=project)
    expected = percent_complete(tasks.values_list("percent_complete", "start_date", "due_date"))
    assert expected == 70  # 50 % of 4 days, 0 % of 1 day, 100 % of 5 days: 700 / 10
    page.get_by_role("row").filter(has=page.get_by_role("link", name="Unpack", exact=True)).get_by_role(
        "cell").nth(2).click()   # the reading pane
    pane = page.get_by_role("region", name="Preview")
    pane.get_by_role("link", name="Fjord office move").click()
    expect(page.get_by_role("heading", name="Fjord office move", level=1)).to_be_visible()
    expect(page.get_by_test_id("project-percent-complete")).to_have_text(f"{expected} %")
    assert js_errors == []


# --- 3. An overdue task in red on Mine + Overdue ------------------------------------------

def test_an_overdue_task_shows_in_red_with_mine_and_overdue(signed_in_page: Page, live_server, staff, other_staff,
                                                            js_errors):
    page = signed_in_page
    today = timezone.localdate()
    project = BusinessProject(name="Fjord office move", account=AccountFactory(name="Nordic Fjord AS"))
    services.project_save(instance=project, user=staff, tasks=[
        services.TaskInput(subject="Order the cables", assigned_to=staff, due_date=today - datetime.timedelta(days=2),
                           status="in_progress", percent_complete=30),
        services.TaskInput(subject="Book the van", assigned_to=staff, due_date=today + datetime.timedelta(days=5)),
        services.TaskInput(subject="Bob's late task", assigned_to=other_staff, due_date=today - datetime.timedelta(days=3)),
    ])

    page.goto(f"{live_server.url}/")
    open_workspace_tab(page, "Project Management", "Project Tasks")
    expect(page.get_by_role("link", name="Bob's late task")).to_be_visible()
    page.get_by_role("checkbox", name="Mine").check()
    page.get_by_role("checkbox", name="Overdue").check()
    expect(page.get_by_role("link", name="Bob's late task")).to_have_count(0)
    expect(page.get_by_role("link", name="Book the van")).to_have_count(0)
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Order the cables", exact=True))
    expect(row).to_have_count(1)
    expect(page).to_have_url(re.compile(r"mine=on.*overdue=on|overdue=on.*mine=on"))

    due = row.get_by_text(short_date(today - datetime.timedelta(days=2)), exact=True)
    expect(due).to_be_visible()
    expect(due).to_have_css("color", "rgb(220, 53, 69)")  # Bootstrap's text-danger
    expect(row.get_by_text("Overdue", exact=True)).to_be_visible()
    shoot(page, "projects-tasks-mine-overdue")
    assert js_errors == []
