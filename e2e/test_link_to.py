"""Browser tests of the Link to dialog: "Create and link" picks the new record
and closes the dialog; the record type chosen in the dialog filters the list.

Each test drives Chromium through the pages as a user would — by visible
labels, roles and button names — against pytest-django's live server.
"""
import re

import pytest
from playwright.sync_api import Page, expect

from crm.generic import registry
from crm.models import Account, BusinessContact
from crm.selectors import linked_records
from crm.tests.factories import AccountFactory, ContactFactory, HistoryItemFactory, link
from leads.tests.factories import LeadFactory
from sales.tests.factories import OpportunityFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def link_to_field(page: Page, name: str):
    """The Link to control whose hidden input is ``name``."""
    return page.locator(".link-to", has=page.locator(f"input[name={name}]"))


def create_and_link(page: Page, field, name: str, record_type: str | None = None) -> None:
    """Open the dialog of ``field``, create ``name`` in place, and check the dialog
    closed with the new record picked in the field."""
    field.get_by_role("button", name="Link to…").click()
    dialog = page.get_by_role("dialog", name="Link to")
    expect(dialog).to_be_visible()
    if record_type:
        dialog.get_by_label("Record type").select_option(label=record_type)
    dialog.get_by_text("New", exact=True).click()
    dialog.get_by_label("Name of the new record").fill(name)
    dialog.get_by_role("button", name="Create and link").click()
    expect(dialog).to_be_hidden()
    expect(field.get_by_text(name)).to_be_visible()


def test_create_and_link_an_account_on_a_new_contact(signed_in_page: Page, live_server):
    page = signed_in_page
    page.goto(f"{live_server.url}/contacts/add/")
    page.get_by_label("Full name").fill("Ingrid Berg")
    account_field = link_to_field(page, "account")
    create_and_link(page, account_field, "Fjord Shipping")
    # The hidden value is the new account: saving links the contact to it.
    page.get_by_role("button", name="Save & Close").click()
    expect(page.get_by_role("heading", name="Ingrid Berg", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Fjord Shipping")).to_be_visible()
    assert Account.objects.filter(name="Fjord Shipping").count() == 1
    assert BusinessContact.objects.get(full_name="Ingrid Berg").account.name == "Fjord Shipping"


def test_create_and_link_cannot_be_sent_twice(signed_in_page: Page, live_server):
    page = signed_in_page
    page.goto(f"{live_server.url}/contacts/add/")
    field = link_to_field(page, "account")
    field.get_by_role("button", name="Link to…").click()
    dialog = page.get_by_role("dialog", name="Link to")
    dialog.get_by_text("New", exact=True).click()
    dialog.get_by_label("Name of the new record").fill("Once Only Ltd")
    button = dialog.get_by_role("button", name="Create and link")
    # Hold the request so the button's state can be seen while it runs.
    held = []
    page.route("**/link-to/new/", lambda route: held.append(route))
    button.click()
    expect(button).to_be_disabled()
    button.click(force=True)  # a second click on the disabled button sends nothing
    dialog.get_by_label("Name of the new record").press("Enter")  # nor does Enter in the name box
    page.wait_for_timeout(300)
    assert len(held) == 1
    held[0].continue_()
    expect(dialog).to_be_hidden()
    expect(field.get_by_text("Once Only Ltd")).to_be_visible()
    assert Account.objects.filter(name="Once Only Ltd").count() == 1


def test_create_and_link_on_a_lead_and_an_opportunity(signed_in_page: Page, live_server):
    """"Initiated by" of a lead (account or business contact) and "Link to" of an
    opportunity: Create and link makes a record of the type chosen in the dialog."""
    page = signed_in_page
    page.goto(f"{live_server.url}/leads/add/")
    page.get_by_label("Full name").fill("Lars Lead")
    create_and_link(page, link_to_field(page, "initiated_by"), "Referrer Person", record_type="Business Contacts")
    page.get_by_role("button", name="Save & Close").click()
    expect(page.get_by_role("link", name="Referrer Person")).to_be_visible()
    lead = BusinessContact.objects.get(full_name="Lars Lead")
    assert lead.initiated_by_contact.full_name == "Referrer Person" and not lead.initiated_by_contact.is_lead

    page.goto(f"{live_server.url}/opportunities/add/")
    page.get_by_label("Title").fill("Ferry contract")
    create_and_link(page, link_to_field(page, "linked"), "Harbour Ferries AS", record_type="Accounts")
    page.get_by_role("button", name="Save & Close").click()
    expect(page.get_by_role("heading", name="Ferry contract", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Harbour Ferries AS")).to_be_visible()
    assert Account.objects.filter(name="Harbour Ferries AS").count() == 1


@pytest.mark.parametrize(("record_type", "listed"), [("Leads", "Lena Lead"), ("Opportunities", "Big Deal")])
def test_link_to_record_lists_only_the_chosen_type(signed_in_page: Page, live_server, record_type, listed):
    page = signed_in_page
    account = AccountFactory(name="Arctic Account")
    ContactFactory(full_name="Carl Contact")
    lead = LeadFactory(full_name="Lena Lead")
    opportunity = OpportunityFactory(title="Big Deal", account=account)
    item = link(HistoryItemFactory(subject="Call about the offer"), account)
    others = {"Arctic Account", "Carl Contact", "Lena Lead", "Big Deal"} - {listed}

    page.goto(f"{live_server.url}/history/{item.pk}/link/")
    link_to_field(page, "record").get_by_role("button", name="Link to…").click()
    dialog = page.get_by_role("dialog", name="Link to")
    expect(dialog.get_by_role("button", name="Arctic Account")).to_be_visible()
    dialog.get_by_label("Record type").select_option(label=record_type)
    expect(dialog.get_by_role("button", name=listed)).to_be_visible()
    # Leads and opportunities are not created in place: "New" is not offered for them.
    expect(dialog.get_by_text("New", exact=True)).to_be_hidden()
    for name in others:
        expect(dialog.get_by_role("button", name=name)).to_have_count(0)
    dialog.get_by_role("button", name=listed).click()
    expect(dialog).to_be_hidden()
    page.get_by_role("button", name="OK").click()
    expect(page.get_by_role("alert").filter(has_text=f"Linked to “{listed}”.")).to_be_visible()
    record = lead if record_type == "Leads" else opportunity
    linked = {(rtype.key, obj.pk) for rtype, obj in linked_records(item)}
    assert linked == {("account", account.pk), (registry.for_instance(record).key, record.pk)}


def test_the_record_type_list_offers_only_the_field_types(signed_in_page: Page, live_server):
    """A field that links accounts only offers Accounts; "Initiated by" offers All,
    Accounts, Business Contacts and Marketing activities; Link to record on a history
    item offers every type."""
    page = signed_in_page
    item = HistoryItemFactory(subject="Note")
    dialog = page.get_by_role("dialog", name="Link to")
    record_type = dialog.get_by_label("Record type")
    expected = [
        ("/leads/add/", "account", ["Accounts"]),
        ("/leads/add/", "initiated_by", ["All", "Accounts", "Business Contacts", "Marketing activities"]),
        # Every registered type, in registration order (an app's new type included).
        (f"/history/{item.pk}/link/", "record",
         ["All", *(str(t.verbose_name_plural) for t in registry.linkable_types())]),
    ]
    assert expected[2][2][:5] == ["All", "Accounts", "Business Contacts", "Leads", "Opportunities"]
    for url, field, offered in expected:
        page.goto(f"{live_server.url}{url}")
        link_to_field(page, field).get_by_role("button", name="Link to…").click()
        expect(dialog).to_be_visible()
        # Every option the list holds: one merely hidden is still offered by some browsers.
        expect(record_type.locator("option")).to_have_text(offered)


@pytest.mark.parametrize("url, field", [("/leads/add/", "initiated_by"), ("/opportunities/add/", "linked")])
def test_search_and_type_choice_on_fields_of_two_types(signed_in_page: Page, live_server, url, field):
    """"Initiated by" of a lead and "Link to" of an opportunity link an account or
    a business contact: the type chosen and the name typed both narrow the list."""
    page = signed_in_page
    AccountFactory(name="Nordic Fjord AS")
    AccountFactory(name="Baltic Amber Ltd")
    ContactFactory(full_name="Nora Nordmann")
    LeadFactory(full_name="Nils Lead")  # a lead is neither
    page.goto(f"{live_server.url}{url}")
    box = link_to_field(page, field)
    box.get_by_role("button", name="Link to…").click()
    dialog = page.get_by_role("dialog", name="Link to")
    dialog.get_by_label("Search by name").fill("nor")
    expect(dialog.get_by_role("button", name="Nordic Fjord AS")).to_be_visible()
    expect(dialog.get_by_role("button", name="Nora Nordmann")).to_be_visible()
    expect(dialog.get_by_role("button", name="Baltic Amber Ltd")).to_have_count(0)
    expect(dialog.get_by_role("button", name="Nils Lead")).to_have_count(0)
    dialog.get_by_label("Record type").select_option(label="Business Contacts")
    expect(dialog.get_by_role("button", name="Nordic Fjord AS")).to_have_count(0)
    dialog.get_by_role("button", name="Nora Nordmann").click()
    expect(dialog).to_be_hidden()
    expect(box.get_by_text("Nora Nordmann")).to_be_visible()
    expect(box.locator("input[type=hidden]")).to_have_value(re.compile(r"^contact:\d+$"))
