"""Browser tests of what a person does and sees, for the defects a service test
could not catch (issue 9): two people editing one record, categories ticked on a
form, a lead made from an uploaded e-mail, the leads filter and 0-star leads.

Each test drives Chromium at 1280 px through the pages by visible labels and
buttons, then checks what is shown and what was stored.
"""
import re

import pytest
from playwright.sync_api import Page, expect

from crm.models import BusinessContact, Category, HistoryItem
from crm.tests.factories import CategoryFactory, ContactFactory, ListValueFactory
from e2e.conftest import signed_in_as
from leads.models import Lead
from leads.tests.factories import LeadFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 1280, 800


def test_two_people_editing_one_contact_lose_nothing(browser, live_server, staff, other_staff, sign_in,
                                                     browser_context_args):
    """Alice and Bob open the same contact's form; Bob saves first. Alice's save is
    refused with Bob's change shown and her typing kept; saving again keeps both."""
    contact = ContactFactory(full_name="Ola Shared", job_title="Buyer", comments="")
    url = f"{live_server.url}/contacts/{contact.pk}/edit/"
    alice = signed_in_as(browser, browser_context_args, sign_in, staff, WIDTH, HEIGHT)
    bob = signed_in_as(browser, browser_context_args, sign_in, other_staff, WIDTH, HEIGHT)
    try:
        alice.goto(url)
        bob.goto(url)
        bob.get_by_label("Job title").fill("Head of purchasing")
        bob.get_by_role("button", name="Save & Close").click()
        expect(bob.get_by_role("heading", name="Ola Shared", level=1)).to_be_visible()

        alice.get_by_role("tab", name="Comments").click()
        alice.get_by_label("Comments").fill("Wants a quote for 200 chairs.")
        alice.get_by_role("button", name="Save & Close").click()

        conflict = alice.get_by_role("alert").filter(has_text="Bob Nowak changed this record while you were editing it")
        expect(conflict).to_be_visible()
        expect(conflict).to_contain_text("Head of purchasing")       # what Bob changed
        contact.refresh_from_db()
        assert (contact.job_title, contact.comments) == ("Head of purchasing", "")  # nothing of Alice's written yet
        alice.get_by_role("tab", name="Comments").click()
        expect(alice.get_by_label("Comments")).to_have_value("Wants a quote for 200 chairs.")  # her typing kept
        alice.get_by_role("tab", name="General").click()
        expect(alice.get_by_label("Job title")).to_have_value("Head of purchasing")  # his value in a field she left

        alice.get_by_role("button", name="Save & Close").click()
        expect(alice.get_by_role("heading", name="Ola Shared", level=1)).to_be_visible()
        contact.refresh_from_db()
        assert (contact.job_title, contact.comments) == ("Head of purchasing", "Wants a quote for 200 chairs.")
    finally:
        alice.context.close()
        bob.context.close()


def test_categories_ticked_on_the_form_survive_save_and_close(signed_in_page: Page, live_server):
    page = signed_in_page
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    for name in ("Key customer", "Partner", "Press"):
        CategoryFactory(name=name)
    contact = ContactFactory(full_name="Kari Tagged")
    page.goto(f"{live_server.url}/contacts/{contact.pk}/edit/")
    page.get_by_role("tab", name="Categories").click()
    page.get_by_label("Key customer").check()
    page.get_by_label("Press").check()
    page.get_by_role("button", name="Save & Close").click()
    expect(page.get_by_role("heading", name="Kari Tagged", level=1)).to_be_visible()
    assert sorted(c.name for c in contact.categories.all()) == ["Key customer", "Press"]

    # Open the form again and save without a change: the boxes are still ticked, nothing is lost.
    page.get_by_role("link", name=re.compile(r"Edit$")).first.click()
    page.get_by_role("tab", name="Categories").click()
    expect(page.get_by_label("Key customer")).to_be_checked()
    expect(page.get_by_label("Press")).to_be_checked()
    expect(page.get_by_label("Partner")).not_to_be_checked()
    page.get_by_role("button", name="Save & Close").click()
    expect(page.get_by_role("heading", name="Kari Tagged", level=1)).to_be_visible()
    assert sorted(c.name for c in contact.categories.all()) == ["Key customer", "Press"]
    badges = page.locator(".category-badge")
    expect(badges.filter(has_text="Key customer").first).to_be_visible()
    expect(badges.filter(has_text="Press").first).to_be_visible()


EML = (b'From: "Hansen, Anna" <anna@example.com>\r\nTo: sales@ourco.example\r\nSubject: Quote please\r\n'
       b"Date: Mon, 16 Nov 2026 09:30:00 +0100\r\n\r\nCould you send a quote for 200 chairs?\r\n")


def test_new_lead_from_an_uploaded_eml_keeps_the_message(signed_in_page: Page, live_server, tmp_path):
    page = signed_in_page
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    message = tmp_path / "quote.eml"
    message.write_bytes(EML)
    page.goto(f"{live_server.url}/leads/")
    page.get_by_role("link", name="New lead from e-mail").click()
    page.get_by_label("E-mail message file (.eml)").set_input_files(str(message))
    page.get_by_role("button", name="Read the message").click()

    expect(page.get_by_role("heading", name="New Lead", level=1)).to_be_visible()
    expect(page.get_by_label("Full name")).to_have_value("Anna Hansen")
    expect(page.get_by_label("E-mail", exact=True)).to_have_value("anna@example.com")
    page.get_by_role("button", name="Save & Close").click()

    expect(page.get_by_role("heading", name="Anna Hansen", level=1)).to_be_visible()
    page.get_by_role("link", name=re.compile(r"History$")).first.click()
    expect(page.get_by_role("link", name="Quote please")).to_be_visible()
    lead = Lead.objects.get()
    item = HistoryItem.objects.get()
    assert item.kind == "email" and "200 chairs" in item.body and item.links.get().object_id == lead.pk

    # The same sender again: the existing lead is offered, not a silent second lead.
    page.goto(f"{live_server.url}/leads/from-email/")
    page.get_by_label("E-mail message file (.eml)").set_input_files(str(message))
    page.get_by_role("button", name="Read the message").click()
    expect(page.get_by_role("heading", name="This sender is already in the CRM")).to_be_visible()
    expect(page.get_by_role("link", name="Open existing")).to_be_visible()
    page.get_by_role("button", name="Keep the message in its history").click()
    expect(page.get_by_role("alert").filter(has_text="The message was added to the history")).to_be_visible()
    assert BusinessContact.objects.count() == 1 and HistoryItem.objects.count() == 2


def test_filter_by_source_lists_the_zero_star_leads(signed_in_page: Page, live_server):
    page = signed_in_page
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    fair = ListValueFactory(name="Trade fair")
    web = ListValueFactory(name="Web form")
    for name in ("Zero Star One", "Zero Star Two"):
        LeadFactory(full_name=name, source=fair)          # new and imported leads have 0 stars
    LeadFactory(full_name="Four Stars", source=fair, score_type="manual", manual_score=4, score=4)
    LeadFactory(full_name="From The Web", source=web)
    page.goto(f"{live_server.url}/leads/")
    expect(page.get_by_text("4 records", exact=True)).to_be_visible()

    # Search + Enter with nothing else chosen lists every lead.
    page.get_by_role("searchbox", name="Search", exact=True).press("Enter")
    expect(page.get_by_text("4 records", exact=True)).to_be_visible()
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("4 records", exact=True)).to_be_visible()

    page.get_by_role("combobox", name="Source").select_option(label="Trade fair")
    expect(page.get_by_text("3 records", exact=True)).to_be_visible()
    rows = page.locator("#results tbody tr")
    for name in ("Zero Star One", "Zero Star Two", "Four Stars"):
        expect(rows.filter(has_text=name)).to_be_visible()
    expect(rows.filter(has_text="From The Web")).to_have_count(0)
    assert Category.objects.count() == 0
