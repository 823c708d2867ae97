"""Screenshots of every workspace's list, record page and form at a laptop's
1280 × 800, signed in, with demo-like data (e2e/demo.py), for people to look
at: test-results/screenshots/<workspace>-<page>.png (git-ignored).

Each screenshot is taken once the page's key element is visible, so a page
that does not show its main content fails here rather than in a picture.
"""
import re

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import shoot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WORKSPACES = [
    # file prefix, list path, list heading, record to open (its list index in e2e.demo.Demo), form's first label
    ("accounts", "/accounts/", "Accounts", "accounts", "Account name"),
    ("business-contacts", "/contacts/", "Business Contacts", "contacts", "Full name"),
    ("leads", "/leads/", "Leads", "leads", "Full name"),
    ("opportunities", "/opportunities/", "Opportunities", "opportunities", "Opportunity title"),
]


@pytest.fixture
def demo(staff, other_staff):
    from e2e.demo import seed

    return seed(staff, other_staff)


@pytest.mark.parametrize("prefix, path, heading, records, first_label", WORKSPACES)
def test_screenshots_of_list_record_and_form(signed_in_page: Page, live_server, demo, prefix, path, heading, records,
                                             first_label):
    page = signed_in_page
    page.set_viewport_size({"width": 1280, "height": 800})
    record = getattr(demo, records)[0]
    title = str(record)

    # The list, then the list with the reading pane open on its first record.
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=title, exact=True))
    expect(row).to_be_visible()
    shoot(page, f"{prefix}-list")
    row.get_by_role("cell").nth(2).click()
    pane = page.get_by_role("region", name="Preview")
    expect(pane.get_by_role("heading", name=title)).to_be_visible()
    shoot(page, f"{prefix}-list-preview")

    # The record's page: its title and its sections.
    page.goto(f"{live_server.url}{record.get_absolute_url()}")
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(page.get_by_role("toolbar", name="Record actions")).to_be_visible()
    shoot(page, f"{prefix}-record", full_page=True)

    # The edit form, with the record's values.
    page.goto(f"{live_server.url}{record.get_absolute_url()}edit/")
    expect(page.get_by_role("textbox", name=re.compile(rf"^{re.escape(first_label)}\*?$"))).to_be_visible()
    expect(page.get_by_role("button", name="Save & Close")).to_be_visible()
    if prefix == "opportunities":
        lines = page.get_by_role("group", name="Products and services")
        expect(lines.get_by_label("Description").first).to_be_visible()
        expect(lines.get_by_test_id("total")).to_have_text(f"${record.total:,.2f}")
    shoot(page, f"{prefix}-form", full_page=True)

    # A new record's form.
    page.goto(f"{live_server.url}{path}add/")
    expect(page.get_by_role("textbox", name=re.compile(rf"^{re.escape(first_label)}\*?$"))).to_be_visible()
    shoot(page, f"{prefix}-form-new", full_page=True)
