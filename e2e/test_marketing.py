"""Browser test of Marketing ▸ Marketing Activities (the issue's acceptance
check): a marketing activity with a budget, created through its form; a lead
whose Initiated by is that activity, picked in the Link to dialog; the lead
converted with an opportunity; a line added and the opportunity won (Mark
closed ▸ Closed Won); the activity's tracking page then shows the won
revenue and the return on budget, worked out by hand below. On the way, the
list filtered to the activity says so and its filter can be removed.

Chromium at 1280 × 800, driven by visible labels, roles and button names
against pytest-django's live server; screenshots go to
test-results/screenshots/marketing-*.png.
"""
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from crm.models import BusinessContact, ListKind, ListValue, MarketingActivity
from e2e.conftest import add_row, shoot
from sales.models import Opportunity, Product, SalesStage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Worked out by hand:
#   budget                                     2,000.00
#   one line: 3 × 1,250.00, no discount       = 3,750.00 (the won revenue)
#   return on budget: 3,750.00 ÷ 2,000.00     = 187.5 %
#   cost per lead: 2,000.00 ÷ 1 lead          = 2,000.00
BUDGET, PRICE, QUANTITY = "2000", Decimal("1250.00"), "3"
WON_REVENUE, RETURN_ON_BUDGET, COST_PER_LEAD = "$3,750.00", "187.5 %", "$2,000.00"
PRODUCT = "Standing desk 160"


@pytest.fixture
def shipped_lists(db):
    """What the migrations ship and a transactional test's flush takes away:
    the marketing activity types, and the sales stages (default and closed)."""
    for position, name in enumerate(["Direct mail", "E-mail", "Event", "Advertisement", "Web", "Other"], start=1):
        ListValue.objects.get_or_create(kind=ListKind.MARKETING_ACTIVITY_TYPE, name=name, defaults={"position": position})
    SalesStage.objects.get_or_create(name="Prospecting", defaults={"position": 1, "is_default": True})
    SalesStage.objects.get_or_create(kind=SalesStage.Kind.WON, defaults={"name": "Closed Won", "position": 1000})
    SalesStage.objects.get_or_create(kind=SalesStage.Kind.LOST, defaults={"name": "Closed Lost", "position": 1001})


@pytest.fixture
def page_1280(signed_in_page: Page) -> Page:
    signed_in_page.set_viewport_size({"width": 1280, "height": 800})
    return signed_in_page


@pytest.fixture
def js_errors(page_1280: Page):
    """Uncaught exceptions and console errors of the page; checked empty at the end."""
    errors: list[str] = []
    page_1280.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    page_1280.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    return errors


def label(text: str) -> re.Pattern:
    """An accessible name that is ``text``, allowing for a leading icon glyph."""
    return re.compile(rf"^[\ue000-\uf8ff\s]*{re.escape(text)}$")


def open_workspace_tab(page: Page, workspace: str, tab: str) -> None:
    menu = page.get_by_role("navigation")
    menu.get_by_role("button", name=workspace).click()
    menu.get_by_role("link", name=tab, exact=True).click()
    expect(page.get_by_role("heading", name=tab, level=1)).to_be_visible()


def record_actions(page: Page):
    return page.get_by_role("toolbar", name="Record actions")


def definition(scope, term: str):
    """The value (<dd>) right after ``term`` (<dt>)."""
    return scope.locator(f"xpath=//dt[normalize-space()='{term}']/following-sibling::dd[1]")


def test_a_campaign_from_its_form_to_its_won_revenue(page_1280: Page, live_server, shipped_lists, js_errors):
    page = page_1280
    Product.objects.create(name=PRODUCT, unit_price=PRICE)
    MarketingActivity.objects.create(name="Autumn mailing")   # must not match the search below
    page.goto(f"{live_server.url}/")

    # 1. A marketing activity with a budget, through its form.
    open_workspace_tab(page, "Marketing", "Marketing Activities")
    page.get_by_role("link", name=re.compile(r"New marketing activity", re.I)).click()
    page.get_by_role("textbox", name=re.compile(r"^Name\*?$")).fill("Spring fair 2026")   # * : required
    page.get_by_label("Type", exact=True).select_option(label="Event")
    page.get_by_label("Start date").fill("2026-03-02")
    page.get_by_label("End date").fill("2026-03-04")
    page.get_by_label("Budget").fill(BUDGET)
    shoot(page, "marketing-form")
    page.get_by_role("button", name="Save & Close").click()
    expect(page.get_by_role("heading", name="Spring fair 2026", level=1)).to_be_visible()
    expect(definition(page, "Budget")).to_have_text("$2,000.00")
    activity = MarketingActivity.objects.get(name="Spring fair 2026")
    assert activity.budget == Decimal("2000.00")

    # 2. A lead initiated by it, picked in the Link to dialog (Marketing activities, searched by name).
    open_workspace_tab(page, "Sales", "Leads")
    page.get_by_role("link", name=re.compile(r"^New lead$", re.I)).click()
    page.get_by_label("Full name").fill("Ingrid Fairgoer")
    field = page.locator(".link-to", has=page.locator("input[name=initiated_by]"))
    field.get_by_role("button", name="Link to…").click()
    dialog = page.get_by_role("dialog", name="Link to")
    expect(dialog.get_by_label("Record type").locator("option", has_text="Marketing activities")).to_have_count(1)
    dialog.get_by_label("Record type").select_option(label="Marketing activities")
    dialog.get_by_label("Search by name").fill("spring")
    expect(dialog.get_by_role("button", name="Autumn mailing")).to_have_count(0)
    shoot(page, "marketing-link-to")
    dialog.get_by_role("button", name=re.compile("Spring fair 2026")).click()
    expect(dialog).to_be_hidden()
    expect(field.get_by_text("Spring fair 2026")).to_be_visible()
    page.get_by_role("button", name="Save & Close").click()
    expect(page.get_by_role("heading", name="Ingrid Fairgoer", level=1)).to_be_visible()
    expect(definition(page, "Initiated by marketing activity")).to_have_text("Spring fair 2026")
    lead = BusinessContact.objects.get(full_name="Ingrid Fairgoer")
    assert lead.is_lead and lead.initiated_by_activity == activity

    # 3. Converted, with an opportunity in the same step.
    record_actions(page).get_by_role("link", name=label("Convert to Business Contact")).click()
    page.get_by_label("Also create an opportunity for this business contact").check()
    page.get_by_label("Opportunity title").fill("Fair desks")
    page.get_by_role("button", name="Convert", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="with the opportunity “Fair desks”")).to_be_visible()
    opportunity = Opportunity.objects.get(title="Fair desks")
    assert opportunity.initiated_by_activity == activity   # taken from the lead

    # 4. A line, then Mark closed ▸ Closed Won.
    page.goto(f"{live_server.url}/opportunities/{opportunity.pk}/")
    expect(definition(page, "Initiated by marketing activity")).to_have_text("Spring fair 2026")
    record_actions(page).get_by_role("link", name=label("Edit")).click()
    lines = page.get_by_role("group", name="Products and services")
    add_row(lines, "Add line", "Catalogue item")
    lines.get_by_label("Catalogue item").nth(0).select_option(label=PRODUCT)
    expect(lines.get_by_label("Unit price").nth(0)).to_have_value("1250.00")
    lines.get_by_label("Quantity").nth(0).fill(QUANTITY)
    expect(lines.get_by_test_id("total")).to_have_text(WON_REVENUE)
    page.get_by_role("button", name="Save & Close").click()
    expect(page.get_by_role("heading", name="Fair desks", level=1)).to_be_visible()
    record_actions(page).get_by_role("link", name=label("Mark closed")).click()
    page.get_by_role("radio", name="Closed Won").check()
    page.get_by_role("button", name="OK").click()
    expect(page.get_by_role("alert").filter(has_text="1 opportunity closed.")).to_be_visible()

    # 5. The activity's tracking page: the won revenue and the return on budget.
    page.goto(f"{live_server.url}{activity.get_absolute_url()}")
    shoot(page, "marketing-detail")
    page.get_by_role("link", name="Tracking", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/marketing-activities/{activity.pk}/tracking/$"))
    results = page.get_by_role("region", name="Results")
    expect(definition(results, "Won revenue")).to_have_text(WON_REVENUE)
    expect(definition(results, "Return on budget")).to_have_text(RETURN_ON_BUDGET)
    expect(definition(results, "Cost per lead")).to_have_text(COST_PER_LEAD)
    expect(definition(results, "Leads")).to_have_text("1")
    expect(definition(results, "Leads converted")).to_have_text("1")
    opportunities = page.get_by_role("region", name=re.compile("^Opportunities"))
    expect(opportunities.get_by_role("row").filter(has_text="Fair desks")).to_contain_text("Closed Won")
    expect(page.get_by_role("region", name=re.compile("^Leads")).get_by_role("link", name="Ingrid Fairgoer")).to_be_visible()
    shoot(page, "marketing-tracking", full_page=True)

    # 6. The opportunities list filtered to the activity says so; the filter can go.
    opportunities.get_by_role("link", name="Open the 1 opportunity in the Opportunities list").click()
    notice = page.get_by_role("status").filter(has_text="Only opportunities initiated by the marketing activity")
    expect(notice).to_be_visible()
    expect(notice.get_by_role("link", name="Spring fair 2026")).to_be_visible()
    expect(page.get_by_text("1 record", exact=True)).to_be_visible()
    shoot(page, "marketing-filtered-list")
    notice.get_by_role("link", name="Remove this filter").click()
    expect(page).to_have_url(re.compile(r"/opportunities/$"))
    expect(page.get_by_role("status").filter(has_text="Only opportunities initiated")).to_have_count(0)

    # 7. The list and its reading pane: the budget as money, and a Tracking button.
    open_workspace_tab(page, "Marketing", "Marketing Activities")
    row = page.get_by_role("row").filter(has_text="Spring fair 2026")
    expect(row).to_contain_text("$2,000.00")
    row.get_by_role("cell").nth(2).click()
    pane = page.get_by_role("region", name="Preview")
    expect(pane.get_by_role("link", name=label("Tracking"))).to_be_visible()
    shoot(page, "marketing-list-pane")

    assert js_errors == []


def test_edit_several_leads_at_once_to_name_the_activity(page_1280: Page, live_server, shipped_lists, js_errors):
    """Bulk edit ▸ Initiated by: the value is picked in the Link to dialog."""
    from leads.tests.factories import LeadFactory

    page = page_1280
    fair = MarketingActivity.objects.create(name="Spring fair 2026")
    leads = [LeadFactory(full_name="Ann Visitor", file_as="Visitor, Ann"),
             LeadFactory(full_name="Bo Visitor", file_as="Visitor, Bo")]
    page.goto(f"{live_server.url}/leads/")
    for lead in leads:
        page.get_by_label(f"Select {lead.full_name}").check()
    page.get_by_role("button", name=label("Edit several at once")).click()
    expect(page.get_by_text("2 records selected")).to_be_visible()
    page.wait_for_load_state()   # the page's script sends the field's change (crm.js)
    page.get_by_label("Field").select_option(label="Initiated by")
    field = page.locator(".link-to", has=page.locator("input[name=value]"))
    expect(field.get_by_role("button", name="Link to…")).to_be_visible()   # drawn for the field chosen (htmx)
    field.get_by_role("button", name="Link to…").click()
    dialog = page.get_by_role("dialog", name="Link to")
    dialog.get_by_label("Search by name").fill("spring")
    dialog.get_by_role("button", name="Marketing activity Spring fair 2026").click()
    expect(dialog).to_be_hidden()
    expect(field.get_by_text("Spring fair 2026")).to_be_visible()
    page.get_by_role("button", name="OK").click()
    expect(page.get_by_role("alert").filter(has_text="2 records")).to_be_visible()
    assert set(BusinessContact.objects.filter(pk__in=[lead.pk for lead in leads])
               .values_list("initiated_by_activity", flat=True)) == {fair.pk}
    # The activity's leads, on the Leads list filtered to it.
    page.goto(f"{live_server.url}/marketing-activities/{fair.pk}/tracking/")
    page.get_by_role("link", name="Open the 2 leads in the Leads list").click()
    expect(page.get_by_role("status").filter(has_text="Only leads initiated by the marketing activity")).to_be_visible()
    expect(page.get_by_role("link", name="Ann Visitor")).to_be_visible()
    expect(page.get_by_role("link", name="Bo Visitor")).to_be_visible()
    assert js_errors == []
