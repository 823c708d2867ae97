"""Browser test of the reports (issue 13's acceptance check): open Pipeline by
Sales Stage from Sales ▸ Reports, narrow it to one person, save it as "My Q4
pipeline", and open it again from Saved reports with its filter kept; a
figure's link opens the opportunities it counts.

Chromium at 1280 px, by visible labels and buttons, against the live server.
Screenshots: test-results/screenshots/reports-*.png.
"""
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import shoot
from reports.models import SavedReport
from sales.tests.factories import OpportunityFactory, stage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def js_errors(signed_in_page: Page):
    errors: list[str] = []
    signed_in_page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    signed_in_page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    signed_in_page.set_viewport_size({"width": 1280, "height": 900})
    return errors


def test_save_the_pipeline_for_one_person_and_open_it_from_saved_reports(signed_in_page: Page, live_server, staff,
                                                                          other_staff, shipped_stages, js_errors):
    page = signed_in_page
    prospecting, negotiation = stage(name="Prospecting"), stage(name="Negotiation")
    OpportunityFactory(title="Fjord desks", stage=prospecting, assigned_to=staff, total=Decimal("1200.00"),
                       expected_revenue=Decimal("120.00"))
    OpportunityFactory(title="Fjord chairs", stage=negotiation, assigned_to=staff, total=Decimal("800.00"),
                       expected_revenue=Decimal("640.00"))
    OpportunityFactory(title="Baltic lamps", stage=negotiation, assigned_to=other_staff, total=Decimal("5000.00"),
                       expected_revenue=Decimal("4000.00"))
    OpportunityFactory(title="Won before", stage=stage("won"), assigned_to=staff, total=Decimal("9000.00"))
    page.goto(f"{live_server.url}/")

    # Sales ▸ Reports ▸ Pipeline by Sales Stage.
    menu = page.get_by_role("navigation")
    menu.get_by_role("button", name="Sales").click()
    menu.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("link", name=re.compile("^Pipeline by Sales Stage")).click()
    expect(page.get_by_role("heading", name="Pipeline by Sales Stage", level=1)).to_be_visible()
    table = page.locator("table.report-table")
    expect(page.get_by_role("img", name=re.compile("Pipeline by Sales Stage"))).to_be_visible()
    expect(table.get_by_role("row", name=re.compile("^Negotiation"))).to_contain_text("5,800.00")
    expect(table.locator("tfoot")).to_contain_text("7,000.00")  # the won one is not pipeline

    # A filter: only Alice's opportunities (the page follows as the option changes).
    options = page.get_by_role("form", name="Options")
    options.get_by_label("Assigned to").select_option(label="Alice Martin")
    expect(table.locator("tfoot")).to_contain_text("2,000.00")
    expect(table.get_by_role("row", name=re.compile("^Negotiation"))).to_contain_text("800.00")
    shoot(page, "reports-pipeline", full_page=True)

    # Save as "My Q4 pipeline".
    page.get_by_role("button", name="Save as…").click()
    save = page.get_by_role("form", name="Save as")
    save.get_by_label("Name").fill("My Q4 pipeline")
    save.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="My Q4 pipeline", level=1)).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="was saved")).to_be_visible()
    saved = SavedReport.objects.get()
    assert (saved.name, saved.owner, saved.options["assigned_to"]) == ("My Q4 pipeline", staff, [str(staff.pk)])

    # Back on the list of Sales reports, it is under Saved reports; it opens with its filter.
    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("link", name="My Q4 pipeline").click()
    expect(page.get_by_role("heading", name="My Q4 pipeline", level=1)).to_be_visible()
    expect(page.get_by_role("form", name="Options").get_by_label("Assigned to")).to_have_value(str(staff.pk))
    expect(table.locator("tfoot")).to_contain_text("2,000.00")
    shoot(page, "reports-saved", full_page=True)

    # A figure opens the opportunities it counts.
    table.get_by_role("row", name=re.compile("^Negotiation")).get_by_role("link", name="1", exact=True).click()
    expect(page.get_by_role("heading", name="Opportunities", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Fjord chairs")).to_be_visible()
    expect(page.get_by_role("link", name="Baltic lamps")).to_have_count(0)
    assert js_errors == []
