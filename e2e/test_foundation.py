"""Browser tests of the foundation: sign-in, records, Link to, history,
bulk actions, multi-select, reading pane, printing and time stamps.

Each test drives Chromium through the pages as a user would — by visible
labels, roles and button names — against pytest-django's live server.
"""
import re

import pytest
from playwright.sync_api import Page, expect

from crm.tests.factories import AccountFactory, ContactFactory
from e2e.conftest import bulk_assign, link_to, printed_pdf_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-2026"  # UserFactory's password


def label(text: str) -> re.Pattern:
    """An accessible name that is `text`, allowing for a leading icon.

    The Bootstrap Icons glyphs of the record toolbar have no aria-hidden, so
    Chromium puts their private-use character in front of the name
    (" Edit"); see the report.
    """
    return re.compile(rf"^[\ue000-\uf8ff\s]*{re.escape(text)}$")


def row_checkboxes(page: Page):
    """The list's per-row "Select <name>" checkboxes, in display order."""
    return page.get_by_role("checkbox", name=re.compile(r"^Select (?!all on this page)"))


# --- 1. Sign in -----------------------------------------------------------------------

def test_sign_in_with_wrong_then_right_password(page: Page, live_server, staff):
    page.set_default_timeout(5_000)
    page.goto(f"{live_server.url}/")
    # Signed out: the CRM sends the visitor to the sign-in page.
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("button", name="Alice Martin")).to_have_count(0)

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    # The user menu in the navigation bar shows who is signed in.
    expect(page.get_by_role("button", name="Alice Martin")).to_be_visible()
    expect(page.get_by_role("button", name="Contact Management")).to_be_visible()


# --- 2. Account, then a contact linked to it through the Link to dialog ----------------

def test_create_account_then_contact_linked_with_link_to_dialog(signed_in_page: Page, live_server):
    page = signed_in_page
    AccountFactory(name="Zephyr Logistics")  # must not match the search below
    page.goto(f"{live_server.url}/")

    menu = page.get_by_role("navigation")
    menu.get_by_role("button", name="Contact Management").click()
    menu.get_by_role("link", name="Accounts", exact=True).click()
    expect(page.get_by_role("heading", name="Accounts", level=1)).to_be_visible()
    page.get_by_role("link", name="New Account").click()
    page.get_by_label("Account name").fill("Northwind Traders")
    page.get_by_role("button", name="Save & Close").click()

    expect(page.get_by_role("heading", name="Northwind Traders", level=1)).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="was saved")).to_be_visible()

    menu.get_by_role("button", name="Contact Management").click()
    menu.get_by_role("link", name="Business Contacts", exact=True).click()
    page.get_by_role("link", name="New Business Contact").click()
    page.get_by_label("Full name").fill("Nancy Davolio")

    # The "Link to…" button of the Account field (not of "Initiated by account").
    account_field = (
        page.locator("div")
        .filter(has=page.get_by_text("Account", exact=True))
        .filter(has=page.get_by_role("button", name="Link to…"))
        .last
    )
    link_to(page, account_field, "wind", pick="Northwind Traders", not_offered="Zephyr Logistics")

    page.get_by_role("button", name="Save & Close").click()

    expect(page.get_by_role("heading", name="Nancy Davolio", level=1)).to_be_visible()
    account_link = page.get_by_role("link", name="Northwind Traders")
    expect(account_link).to_be_visible()
    account_link.click()
    expect(page.get_by_role("heading", name="Northwind Traders", level=1)).to_be_visible()


# --- 3. Phone log on a contact, rolled up to its account ------------------------------

def test_phone_log_shows_on_contact_and_account_history(signed_in_page: Page, live_server):
    page = signed_in_page
    account = AccountFactory(name="Fabrikam Ltd")
    contact = ContactFactory(full_name="Peter Parker", account=account)

    page.goto(f"{live_server.url}/contacts/{contact.pk}/")
    record_actions = page.get_by_role("toolbar", name="Record actions")
    record_actions.get_by_role("button", name=label("New")).click()
    page.get_by_role("link", name="Phone Log").click()
    expect(page.get_by_role("heading", name="New Phone Log")).to_be_visible()
    page.get_by_label("Subject").fill("Called about the spring order")
    page.get_by_role("button", name="Save & Close").click()

    # Back on the contact's History page, with the new item listed.
    expect(page).to_have_url(re.compile(rf"/contacts/{contact.pk}/history/"))
    expect(page.get_by_role("heading", name="Peter Parker", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Called about the spring order")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Phone Log")
    expect(row).to_contain_text("Alice Martin")

    # The account's History page shows it too (roll-up from its contacts).
    page.get_by_role("link", name="General", exact=True).click()
    page.get_by_role("link", name="Fabrikam Ltd").click()
    expect(page.get_by_role("heading", name="Fabrikam Ltd", level=1)).to_be_visible()
    page.get_by_role("link", name="History", exact=True).click()
    expect(page.get_by_role("row").filter(has_text="Called about the spring order")).to_have_count(1)


# --- 4. Bulk Assign to ----------------------------------------------------------------

def test_bulk_assign_two_contacts(signed_in_page: Page, live_server, other_staff):
    page = signed_in_page
    for name in ("Anna Adams", "Bert Brown", "Carl Clark"):
        ContactFactory(full_name=name)

    page.goto(f"{live_server.url}/contacts/")
    bulk_assign(page, ["Anna Adams", "Carl Clark"], to="Bob Nowak")
    expect(page).to_have_url(re.compile(r"/contacts/"))
    rows = page.get_by_role("row")
    expect(rows.filter(has_text="Anna Adams")).to_contain_text("Bob Nowak")
    expect(rows.filter(has_text="Carl Clark")).to_contain_text("Bob Nowak")
    expect(rows.filter(has_text="Bert Brown")).not_to_contain_text("Bob Nowak")


# --- 5. Shift-click range selection ---------------------------------------------------

def test_shift_click_selects_a_range(signed_in_page: Page, live_server):
    page = signed_in_page
    for name in ("Anna Adams", "Bert Brown", "Carl Clark", "Dora Davis", "Emil Evans"):
        ContactFactory(full_name=name)

    page.goto(f"{live_server.url}/contacts/")
    boxes = row_checkboxes(page)
    expect(boxes).to_have_count(5)
    expect(page.get_by_role("button", name="Assign to")).to_be_disabled()

    boxes.nth(0).click()
    expect(page.get_by_text("1 selected")).to_be_visible()
    boxes.nth(3).click(modifiers=["Shift"])

    for i in range(4):
        expect(boxes.nth(i)).to_be_checked()
    expect(boxes.nth(4)).not_to_be_checked()
    expect(page.get_by_text("4 selected", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Assign to")).to_be_enabled()


# --- 6. Reading pane ------------------------------------------------------------------

def test_clicking_a_row_previews_the_record_in_the_reading_pane(signed_in_page: Page, live_server):
    page = signed_in_page
    ContactFactory(full_name="Anna Adams", job_title="Buyer")
    ContactFactory(full_name="Grace Hopper", job_title="Rear Admiral", business_phone="+1 555 0100")

    page.goto(f"{live_server.url}/contacts/")
    list_url = page.url
    pane = page.get_by_role("region", name="Preview")
    expect(page.get_by_text("Click a row to preview it; double-click to open it.")).to_be_visible()
    expect(pane).to_be_hidden()  # until a row is clicked: the list has the whole width

    # Click the Business phone cell, not the name link.
    page.get_by_role("cell", name="+1 555 0100").click()

    expect(pane).to_be_visible()
    expect(pane.get_by_role("heading", name="Grace Hopper")).to_be_visible()
    expect(pane.get_by_role("link", name="Open")).to_be_visible()
    expect(pane).to_contain_text("+1 555 0100")
    expect(pane).not_to_contain_text("Anna Adams")
    expect(page).to_have_url(list_url)
    expect(page.get_by_role("heading", name="Business Contacts", level=1)).to_be_visible()


# --- 7. Print to PDF --------------------------------------------------------------------

def test_print_contact_to_pdf(signed_in_page: Page, live_server):
    page = signed_in_page
    contact = ContactFactory(full_name="Ada Lovelace", job_title="Analyst")

    page.goto(f"{live_server.url}/contacts/{contact.pk}/")
    href = page.get_by_role("toolbar", name="Record actions").get_by_role("link", name=label("Print")).get_attribute("href")
    assert href == f"/contacts/{contact.pk}/print/"

    text = printed_pdf_text(page, live_server, href)
    if text is not None:
        assert "Ada Lovelace" in text


# --- 8. Add time stamp --------------------------------------------------------------

def test_add_time_stamp_inserts_user_name_in_comments(signed_in_page: Page, live_server):
    page = signed_in_page
    contact = ContactFactory(full_name="Alan Turing")

    page.goto(f"{live_server.url}/contacts/{contact.pk}/")
    page.get_by_role("toolbar", name="Record actions").get_by_role("link", name=label("Edit")).click()
    expect(page.get_by_role("heading", name="Edit Alan Turing")).to_be_visible()
    page.get_by_role("tab", name="Comments").click()

    comments = page.get_by_label("Comments")
    expect(comments).to_be_visible()
    expect(comments).not_to_have_value(re.compile("Alice Martin"))
    page.get_by_role("button", name="Add time stamp").click()

    expect(comments).to_have_value(re.compile(r"— .*\d{2}:\d{2} Alice Martin —"))
