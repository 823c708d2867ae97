"""Browser test of project templates and Create project (the issue's check):
the owner makes a template with three task definitions on Customize ▸
Project templates; Alice, on a won opportunity, clicks Create project,
chooses the template and a start date, and OK opens the new project with
the three tasks dated from that start and "created from" the opportunity.
At 1280 px, by the labels and buttons a user sees."""
import datetime
import re

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import Page, expect

from crm.tests.factories import AccountFactory
from e2e.conftest import shoot, signed_in_as
from projects.models import BusinessProject, ProjectTemplate
from sales.models import Opportunity, SalesStage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# (subject, starts days after the project start, duration in days, priority)
DEFINITIONS = [("Kick-off meeting", "0", "1", "High"), ("Install the routers", "2", "5", "Normal"),
               ("Train the staff", "7", "2", "Low")]


def short_date(day: datetime.date) -> str:
    with translation.override("en"):
        return formats.date_format(day, "SHORT_DATE_FORMAT")


def add_definition(section, template: str, subject: str, offset: str, duration: str, priority: str) -> None:
    """Type one task definition into the template's add row and press Add task."""
    row = section.locator("tfoot tr")
    row.get_by_label(f"New task in {template}").fill(subject)
    row.get_by_label("Starts after (days)").fill(offset)
    row.get_by_label("Duration (days)").fill(duration)
    row.get_by_label("Default priority").select_option(label=priority)
    row.get_by_role("button", name="Add task").click()


def test_a_template_made_by_the_owner_gives_a_project_created_from_a_won_opportunity_its_tasks(
        browser, browser_context_args, sign_in, live_server, owner, staff):
    won_stage, _ = SalesStage.objects.get_or_create(kind=SalesStage.Kind.WON,
                                                    defaults={"name": "Closed Won", "position": 1000})
    account = AccountFactory(name="Fjord Networks")
    today = timezone.localdate()
    won = Opportunity.objects.create(title="Fjord routers for 12 offices", account=account, stage=won_stage,
                                     probability=100, close_date=today, stage_entered_on=today)

    # --- The owner: Customize ▸ Project templates ------------------------------------------
    page = signed_in_as(browser, browser_context_args, sign_in, owner)
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation").get_by_role("link", name="Customize").click()
    page.get_by_role("link", name="Project templates").click()
    expect(page.get_by_role("heading", name="Project templates", level=1)).to_be_visible()
    page.get_by_label("Template name").fill("Router installation")
    page.get_by_role("button", name="Add template").click()
    expect(page.get_by_role("alert").filter(has_text="“Router installation” was saved.")).to_be_visible()
    section = page.get_by_role("region", name=re.compile("^Router installation"))
    expect(section.get_by_text("No tasks in this template yet.")).to_be_visible()
    for definition in DEFINITIONS:
        add_definition(section, "Router installation", *definition)
        expect(page.get_by_role("alert").filter(has_text=f"“{definition[0]}” was saved.")).to_be_visible()
    expect(section.get_by_role("heading", name=re.compile("3 tasks"))).to_be_visible()

    # A negative duration: the browser refuses to send it (the field's minimum is 0), and nothing is added.
    add_definition(section, "Router installation", "Hand over", "9", "-1", "Normal")
    duration = section.locator("tfoot tr").get_by_label("Duration (days)")
    assert duration.evaluate("input => input.validity.rangeUnderflow")
    expect(section.locator("tfoot tr").get_by_label("New task in Router installation")).to_have_value("Hand over")
    expect(section.get_by_role("heading", name=re.compile("3 tasks"))).to_be_visible()
    shoot(page, "project-templates", full_page=True)
    template = ProjectTemplate.objects.get()
    assert list(template.tasks.order_by("position").values_list("subject", "offset_days", "duration_days",
                                                               "priority")) == [
        ("Kick-off meeting", 0, 1, "high"), ("Install the routers", 2, 5, "normal"), ("Train the staff", 7, 2, "low")]
    page.context.close()

    # --- Alice: Create project on the won opportunity --------------------------------------
    page = signed_in_as(browser, browser_context_args, sign_in, staff)
    page.goto(f"{live_server.url}{won.get_absolute_url()}")
    expect(page.get_by_role("heading", name="Fjord routers for 12 offices", level=1)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="is closed (Closed Won) and cannot be changed")).to_be_visible()
    shoot(page, "won-opportunity-create-project")
    page.get_by_role("toolbar", name="Record actions").get_by_role("link", name="Create project").click()
    expect(page.get_by_role("heading", name="Create project", level=1)).to_be_visible()
    expect(page.get_by_label("Project template")).to_have_value("")   # "Do not use a template" first
    expect(page.get_by_label("Project name")).to_have_value("Fjord routers for 12 offices")
    expect(page.locator(".link-to").get_by_text("Fjord Networks")).to_be_visible()
    page.get_by_label("Project template").select_option(label="Router installation")
    start = today + datetime.timedelta(days=30)
    page.get_by_label("Start date").fill(start.isoformat())
    shoot(page, "create-project")
    page.get_by_role("button", name="OK").click()

    project = BusinessProject.objects.get()
    expect(page).to_have_url(re.compile(rf"/projects/{project.pk}/$"))
    assert (project.name, project.account, project.opportunity, project.start_date) == (
        "Fjord routers for 12 offices", account, won, start)
    expect(page.get_by_role("alert").filter(
        has_text="The project “Fjord routers for 12 offices” was created.")).to_be_visible()
    expect(page.get_by_role("heading", name="Fjord routers for 12 offices", level=1)).to_be_visible()
    created_from = page.locator("dt", has_text="Created from opportunity").locator("xpath=following-sibling::dd[1]")
    expect(created_from).to_have_text("Fjord routers for 12 offices")
    tasks = page.locator("table.project-tasks tbody tr")
    expect(tasks).to_have_count(3)
    day = datetime.timedelta(days=1)
    expected = [("Kick-off meeting", start, start, "High"),
                ("Install the routers", start + 2 * day, start + 6 * day, "Normal"),
                ("Train the staff", start + 7 * day, start + 8 * day, "Low")]
    for row, (subject, begins, due, priority) in zip(tasks.all(), expected):
        expect(row.get_by_role("cell")).to_have_text(
            [subject, "Alice Martin", short_date(begins), short_date(due), "Not started", priority, "0 %"])
    shoot(page, "project-from-template", full_page=True)
    # The opportunity is as it was: still won, its version untouched.
    assert Opportunity.objects.get(pk=won.pk).version == won.version
    page.context.close()


def test_create_project_from_the_reading_pane_and_for_several_opportunities(browser, browser_context_args, sign_in,
                                                                            live_server, staff):
    from projects.tests.factories_templates import template_with_tasks

    fjord, nordic = AccountFactory(name="Fjord Networks"), AccountFactory(name="Nordic Paper")
    Opportunity.objects.create(title="Fjord routers", account=fjord, probability=60)
    Opportunity.objects.create(title="Nordic printers", account=nordic, probability=30)
    template_with_tasks("Delivery", ("Order", 0, 2), ("Deliver", 2, 1))
    page = signed_in_as(browser, browser_context_args, sign_in, staff)
    page.goto(f"{live_server.url}/opportunities/")

    # The reading pane offers Create project beside Open.
    page.get_by_role("cell", name="Nordic Paper").click()
    pane = page.get_by_role("region", name="Preview")
    expect(pane.get_by_role("heading", name="Nordic printers")).to_be_visible()
    expect(pane.get_by_role("link", name="Open")).to_be_visible()
    shoot(page, "opportunity-pane-create-project")
    pane.get_by_role("link", name="Create project").click()
    expect(page.get_by_role("heading", name="Create project", level=1)).to_be_visible()
    expect(page.get_by_label("Project name")).to_have_value("Nordic printers")
    page.go_back()

    # Both at once: one project each, with its own title and link, from the template.
    page.get_by_label("Select Fjord routers").check()
    page.get_by_label("Select Nordic printers").check()
    page.get_by_role("group", name="Actions on selected records").get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", name="Create project", level=1)).to_be_visible()
    expect(page.get_by_text("2 records selected")).to_be_visible()
    page.get_by_label("Project template").select_option(label="Delivery")
    page.get_by_label("Start date").fill("2030-05-06")
    shoot(page, "create-projects-bulk")
    page.get_by_role("button", name="OK").click()
    expect(page.get_by_role("alert").filter(
        has_text="2 projects were created from the selected opportunities.")).to_be_visible()
    expect(page.get_by_role("heading", name="Opportunities", level=1)).to_be_visible()
    assert sorted(BusinessProject.objects.values_list("name", "account__name", "opportunity__title")) == [
        ("Fjord routers", "Fjord Networks", "Fjord routers"), ("Nordic printers", "Nordic Paper", "Nordic printers")]
    assert sorted(BusinessProject.objects.values_list("tasks__subject", "tasks__start_date")) == [
        ("Deliver", datetime.date(2030, 5, 8)), ("Deliver", datetime.date(2030, 5, 8)),
        ("Order", datetime.date(2030, 5, 6)), ("Order", datetime.date(2030, 5, 6))]
    page.context.close()
