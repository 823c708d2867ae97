"""Browser tests of Sales ▸ Opportunities (the issue's acceptance check):
a new opportunity linked to an account with catalogue lines and a live
expected revenue; moving to the next sales stage and ticking an activity;
marking it Closed Won, after which it is read-only; and printing it to PDF.

Each test drives Chromium through the pages as a user would — by visible
labels, roles and button names — against pytest-django's live server.
"""
import datetime
import re
from decimal import Decimal

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import Page, expect

from crm.tests.factories import AccountFactory
from e2e.conftest import add_row, link_to, printed_pdf_text
from sales import services
from sales.models import Opportunity, Product, SalesStage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The two catalogue items and the lines Alice enters. Amounts worked out by hand:
#   line 1: 3 × 1,249.95, no discount              = 3,749.85
#   line 2: 2 × 349.99 less 12.5 % = 699.98 × 0.875 =   612.4825 → 612.48
#   total                                          = 4,362.33
#   expected revenue at 50 %: 2,181.165 → 2,181.17 (half up, not to even)
#   expected revenue at 35 %: 1,526.8155 → 1,526.82
ROUTER, ROUTER_PRICE = "Fjord Router X1", Decimal("1249.95")
SERVICE, SERVICE_PRICE = "On-site installation", Decimal("349.99")


@pytest.fixture
def js_errors(signed_in_page: Page):
    """Uncaught exceptions and console errors of the page; each test checks it is empty at the end."""
    errors: list[str] = []

    def on_console(msg):
        # A missing resource (e.g. the favicon, a 404) is a console error too.
        if msg.type == "error":
            errors.append(f"console.{msg.type}: {msg.text} ({msg.location.get('url')})")

    signed_in_page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    signed_in_page.on("console", on_console)
    return errors


def label(text: str) -> re.Pattern:
    """An accessible name that is `text`, allowing for a leading icon glyph (see test_foundation)."""
    return re.compile(rf"^[\ue000-\uf8ff\s]*{re.escape(text)}$")


def short_date(day: datetime.date) -> str:
    """A date as the checklist shows it ("due <short date>") in English."""
    with translation.override("en"):
        return formats.date_format(day, "SHORT_DATE_FORMAT")


def open_workspace_tab(page: Page, workspace: str, tab: str) -> None:
    """Open a list through the navigation bar's workspace menu (e.g. Sales ▸ Opportunities)."""
    menu = page.get_by_role("navigation")
    menu.get_by_role("button", name=workspace).click()
    menu.get_by_role("link", name=tab, exact=True).click()
    expect(page.get_by_role("heading", name=tab, level=1)).to_be_visible()


def activity_boxes(scope):
    """The sales activity checkboxes of the form's checklist (labelled "<activity> due <date>")."""
    return scope.get_by_role("checkbox", name=re.compile(r" due "))


def record_actions(page: Page):
    return page.get_by_role("toolbar", name="Record actions")


def definition(page: Page, term: str):
    """The value (<dd>) shown next to `term` (<dt>) in a record's sections."""
    return page.locator(f"xpath=//dt[normalize-space()='{term}']/following-sibling::dd[1]")


def open_opportunity(user, title: str, account, lines: list[tuple[Product, str, str, str]], probability: int) -> Opportunity:
    """An open opportunity in the default stage, saved as the form saves it."""
    opportunity = Opportunity(title=title, account=account, assigned_to=user, probability=probability,
                              stage=services.default_stage())
    return services.opportunity_save(instance=opportunity, user=user, lines=[
        services.LineInput(product=p, description="", quantity=Decimal(q), unit_price=Decimal(u), discount_percent=Decimal(d))
        for p, q, u, d in lines], done_activities=[])


# --- 1. New opportunity: Link to, catalogue lines, live expected revenue --------------

def test_new_opportunity_with_catalogue_lines_and_live_expected_revenue(signed_in_page: Page, live_server, shipped_stages,
                                                                        js_errors):
    page = signed_in_page
    AccountFactory(name="Nordic Fjord AS")
    AccountFactory(name="Baltic Amber Ltd")  # must not match the search below
    Product.objects.create(name=ROUTER, unit_price=ROUTER_PRICE)
    Product.objects.create(name=SERVICE, unit_price=SERVICE_PRICE)
    page.goto(f"{live_server.url}/")

    open_workspace_tab(page, "Sales", "Opportunities")
    expect(page).to_have_url(re.compile(r"/opportunities/$"))
    page.get_by_role("link", name=re.compile(r"^New opportunity$", re.I)).click()
    expect(page.get_by_role("heading", name=re.compile(r"^New opportunity$", re.I), level=1)).to_be_visible()

    page.get_by_label("Opportunity title").fill("Fjord office network")

    # Link to… the account through the dialog.
    link_field = page.get_by_role("group", name="Linked account or business contact")
    link_to(page, link_field, "Fjord", pick="Nordic Fjord AS", not_offered="Baltic Amber Ltd")

    page.get_by_label("Probability (%)").fill("50")

    # Products and services: the first line from the catalogue…
    lines = page.get_by_role("group", name="Products and services")
    expected = lines.get_by_test_id("expected-revenue")
    total = lines.get_by_test_id("total")
    # A new opportunity opens with no line: "Add line" adds the first one.
    expect(lines.get_by_label("Catalogue item")).to_have_count(0)
    add_row(lines, "Add line", "Catalogue item")
    lines.get_by_label("Catalogue item").nth(0).select_option(label=ROUTER)
    # …whose unit price fills in from the catalogue.
    expect(lines.get_by_label("Unit price").nth(0)).to_have_value("1249.95")
    lines.get_by_label("Quantity").nth(0).fill("3")
    expect(total).to_have_text("$3,749.85")
    expect(expected).to_have_text("$1,874.93")  # 3,749.85 × 50 % = 1,874.925, half up

    # …and a second line with a discount.
    add_row(lines, "Add line", "Catalogue item")
    lines.get_by_label("Catalogue item").nth(1).select_option(label=SERVICE)
    expect(lines.get_by_label("Unit price").nth(1)).to_have_value("349.99")
    lines.get_by_label("Quantity").nth(1).fill("2")
    lines.get_by_label("Discount %").nth(1).fill("12.5")

    expect(total).to_have_text("$4,362.33")
    expect(expected).to_have_text("$2,181.17")
    expect(lines.get_by_text("Expected revenue (50 %)")).to_be_visible()
    line_rows = lines.get_by_role("row").filter(has=page.get_by_label("Catalogue item"))
    expect(line_rows.nth(0).get_by_role("cell").nth(5)).to_have_text("$3,749.85")  # the "Line total" column
    expect(line_rows.nth(1).get_by_role("cell").nth(5)).to_have_text("$612.48")

    # A new probability updates the expected revenue again.
    page.get_by_label("Probability (%)").fill("35")
    expect(expected).to_have_text("$1,526.82")
    expect(lines.get_by_text("Expected revenue (35 %)")).to_be_visible()
    page.get_by_label("Probability (%)").fill("50")
    expect(expected).to_have_text("$2,181.17")

    page.get_by_role("button", name="Save & Close").click()

    # The detail page: the lines, the total and the expected revenue.
    expect(page).to_have_url(re.compile(r"/opportunities/\d+/$"))
    expect(page.get_by_role("heading", name="Fjord office network", level=1)).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="was saved")).to_be_visible()
    expect(page.get_by_role("link", name="Nordic Fjord AS")).to_be_visible()
    table = page.get_by_role("table").filter(has_text="Product or service")
    router_row = table.get_by_role("row").filter(has_text=ROUTER)
    service_row = table.get_by_role("row").filter(has_text=SERVICE)
    expect(router_row.get_by_role("cell")).to_have_text([ROUTER, "3", "$1,249.95", "0", "$3,749.85"])
    expect(service_row.get_by_role("cell")).to_have_text([SERVICE, "2", "$349.99", "12.50", "$612.48"])
    expect(table.get_by_test_id("total")).to_have_text("$4,362.33")
    expect(table.get_by_text("Expected revenue (50 %)")).to_be_visible()
    expect(table.get_by_test_id("expected-revenue")).to_have_text("$2,181.17")
    expect(definition(page, "Probability (%)")).to_have_text("50")
    expect(definition(page, "Sales stage")).to_have_text("Prospecting")

    # It is listed, with its expected revenue.
    open_workspace_tab(page, "Sales", "Opportunities")
    row = page.get_by_role("row").filter(has_text="Fjord office network")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("$2,181.17")

    assert js_errors == []


# --- 2. The next sales stage: its checklist, an activity ticked ---------------------------

def test_next_stage_reloads_the_checklist_and_a_ticked_activity_shows_done(signed_in_page: Page, live_server, staff,
                                                                           shipped_stages, js_errors):
    page = signed_in_page
    router = Product.objects.create(name=ROUTER, unit_price=ROUTER_PRICE)
    opportunity = open_opportunity(staff, "Fjord office network", AccountFactory(name="Nordic Fjord AS"),
                                   [(router, "3", "1249.95", "0")], probability=50)
    today = timezone.localdate()

    page.goto(f"{live_server.url}/opportunities/{opportunity.pk}/")
    expect(page.get_by_role("heading", name="Sales activities: Prospecting")).to_be_visible()
    record_actions(page).get_by_role("link", name=label("Edit")).click()
    expect(page.get_by_role("heading", name="Edit Fjord office network", level=1)).to_be_visible()

    stage_group = page.get_by_role("group", name="Sales stage and activities")
    expect(page.get_by_label("Sales stage")).to_have_value(str(SalesStage.objects.get(name="Prospecting").pk))
    expect(stage_group.get_by_role("checkbox", name=re.compile(r"^Identify the decision makers"))).to_be_visible()
    expect(activity_boxes(stage_group)).to_have_count(2)

    # The next stage: the checklist reloads with its activities and due dates.
    page.get_by_label("Sales stage").select_option(label="Qualification")
    budget = stage_group.get_by_role("checkbox", name=re.compile(r"^Confirm the budget"))
    timeline = stage_group.get_by_role("checkbox", name=re.compile(r"^Confirm the timeline"))
    expect(budget).to_be_visible()
    expect(stage_group.get_by_role("checkbox", name=re.compile(r"^Identify the decision makers"))).to_have_count(0)
    expect(activity_boxes(stage_group)).to_have_count(2)
    expect(budget).to_have_accessible_name(f"Confirm the budget due {short_date(today + datetime.timedelta(days=5))}")
    expect(timeline).to_have_accessible_name(f"Confirm the timeline due {short_date(today + datetime.timedelta(days=10))}")
    expect(budget).not_to_be_checked()

    budget.check()
    page.get_by_role("button", name="Save & Close").click()

    expect(page).to_have_url(re.compile(rf"/opportunities/{opportunity.pk}/$"))
    expect(page.get_by_role("alert").filter(has_text="was saved")).to_be_visible()
    expect(definition(page, "Sales stage")).to_have_text("Qualification")
    expect(page.get_by_role("heading", name="Sales activities: Qualification")).to_be_visible()
    checklist = page.get_by_role("list").filter(has_text="Confirm the budget")
    done_item = checklist.get_by_role("listitem").filter(has_text="Confirm the budget")
    open_item = checklist.get_by_role("listitem").filter(has_text="Confirm the timeline")
    expect(done_item).to_contain_text("Done:")
    expect(done_item.locator(".bi-check-square")).to_have_count(1)
    expect(open_item).to_contain_text("To do:")
    expect(open_item.locator(".bi-check-square")).to_have_count(0)
    expect(open_item).to_contain_text(f"due {short_date(today + datetime.timedelta(days=10))}")

    # The edit form shows the tick too.
    record_actions(page).get_by_role("link", name=label("Edit")).click()
    expect(page.get_by_role("checkbox", name=re.compile(r"^Confirm the budget"))).to_be_checked()
    expect(page.get_by_role("checkbox", name=re.compile(r"^Confirm the timeline"))).not_to_be_checked()

    assert js_errors == []


# --- 3. Mark closed (won): read-only; Print to PDF ----------------------------------------

def test_mark_closed_won_makes_it_read_only_and_it_prints(signed_in_page: Page, live_server, staff, shipped_stages,
                                                          js_errors):
    page = signed_in_page
    router = Product.objects.create(name=ROUTER, unit_price=ROUTER_PRICE)
    service = Product.objects.create(name=SERVICE, unit_price=SERVICE_PRICE)
    opportunity = open_opportunity(staff, "Fjord office network", AccountFactory(name="Nordic Fjord AS"),
                                   [(router, "3", "1249.95", "0"), (service, "2", "349.99", "12.5")], probability=50)
    assert opportunity.total == Decimal("4362.33") and opportunity.expected_revenue == Decimal("2181.17")
    detail_url = f"{live_server.url}/opportunities/{opportunity.pk}/"

    page.goto(detail_url)
    expect(record_actions(page).get_by_role("link", name=label("Edit"))).to_be_visible()
    record_actions(page).get_by_role("link", name=label("Mark closed")).click()

    expect(page.get_by_role("heading", name="Mark closed", level=1)).to_be_visible()
    expect(page.get_by_text("1 record selected")).to_be_visible()
    page.get_by_role("radio", name="Closed Won").check()
    close_date = timezone.localdate() - datetime.timedelta(days=1)
    page.get_by_label("Close date").fill(close_date.isoformat())
    page.get_by_role("button", name="OK").click()

    # Back on the record: closed and read-only.
    expect(page).to_have_url(re.compile(rf"/opportunities/{opportunity.pk}/$"))
    expect(page.get_by_role("alert").filter(has_text="1 opportunity closed.")).to_be_visible()
    expect(page.get_by_role("heading", name="Fjord office network", level=1)).to_be_visible()
    closed_notice = "“Fjord office network” is closed (Closed Won) and cannot be changed. Reopen it first."
    expect(page.get_by_role("status").filter(has_text=closed_notice)).to_be_visible()
    expect(record_actions(page).get_by_role("link", name=label("Edit"))).to_have_count(0)
    expect(record_actions(page).get_by_role("link", name=label("Mark closed"))).to_have_count(0)
    expect(record_actions(page).get_by_role("link", name=label("Reopen"))).to_be_visible()  # Alice is assigned
    expect(definition(page, "Sales stage")).to_have_text("Closed Won")
    expect(definition(page, "Probability (%)")).to_have_text("100")
    table = page.get_by_role("table").filter(has_text="Product or service")
    expect(table.get_by_text("Expected revenue (100 %)")).to_be_visible()
    expect(table.get_by_test_id("total")).to_have_text("$4,362.33")
    expect(table.get_by_test_id("expected-revenue")).to_have_text("$4,362.33")
    with translation.override("en"):
        expect(definition(page, "Close date")).to_have_text(formats.date_format(close_date))  # the date she entered

    # Opening the edit page directly sends her back with a warning.
    page.goto(f"{live_server.url}/opportunities/{opportunity.pk}/edit/")
    expect(page).to_have_url(detail_url)
    warning = page.get_by_role("alert").filter(has_text=closed_notice)
    expect(warning).to_be_visible()
    expect(warning).to_have_class(re.compile(r"\balert-warning\b"))
    expect(page.get_by_role("button", name="Save & Close")).to_have_count(0)

    # Print: a PDF with the products and the total.
    href = record_actions(page).get_by_role("link", name=label("Print")).get_attribute("href")
    assert href == f"/opportunities/{opportunity.pk}/print/"
    text = printed_pdf_text(page, live_server, href, layout=True)
    if text is not None:
        for expected_text in ("Fjord office network", ROUTER, SERVICE, "$3,749.85", "$612.48", "$4,362.33"):
            assert expected_text in text, f"{expected_text!r} not in the printed PDF:\n{text}"
        assert re.search(r"Total\s+\$4,362\.33", text), text

    assert js_errors == []


# --- 4. The product lines fit the form (1280 × 800): typed lines, totals, saved ---------------

def expect_inside(inner, outer) -> None:
    """``inner``'s box has a width and lies within ``outer``'s (horizontally)."""
    box, frame = inner.bounding_box(), outer.bounding_box()
    assert box is not None and frame is not None
    assert box["width"] > 0, box
    assert frame["x"] - 1 <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1, (box, frame)


def new_opportunity_for_fjord(page: Page, live_server, title: str) -> None:
    """Open New opportunity, type ``title`` and link it to Nordic Fjord AS through
    the Link to dialog (which does not offer Baltic Amber Ltd for "Fjord")."""
    AccountFactory(name="Nordic Fjord AS")
    AccountFactory(name="Baltic Amber Ltd")
    page.goto(f"{live_server.url}/opportunities/add/")
    expect(page.get_by_role("heading", name=re.compile(r"^New opportunity$", re.I), level=1)).to_be_visible()
    page.get_by_label("Opportunity title").fill(title)
    link_to(page, page.get_by_role("group", name="Linked account or business contact"), "Fjord",
            pick="Nordic Fjord AS", not_offered="Baltic Amber Ltd")


def test_typed_product_lines_fit_the_form_and_are_saved(signed_in_page: Page, live_server, shipped_stages, js_errors):
    page = signed_in_page
    page.set_viewport_size({"width": 1280, "height": 800})
    new_opportunity_for_fjord(page, live_server, "Fjord workshop")
    page.get_by_label("Probability (%)").fill("40")

    lines = page.get_by_role("group", name="Products and services")
    table = lines.get_by_role("table")
    # The lines table takes the fieldset's width (it was squeezed to nothing beside the legend).
    expect(table).to_be_visible()
    expect_inside(table, lines)
    add_row(lines, "Add line", "Catalogue item")
    add_row(lines, "Add line", "Catalogue item")
    for index, (description, quantity, price, discount) in enumerate(
            [("Design workshop", "2", "1500", "10"), ("Support hours", "12.5", "80", "0")]):
        lines.get_by_label("Description").nth(index).fill(description)
        lines.get_by_label("Quantity").nth(index).fill(quantity)
        lines.get_by_label("Unit price").nth(index).fill(price)
        lines.get_by_label("Discount %").nth(index).fill(discount)
    for field in ("Catalogue item", "Description", "Quantity", "Unit price", "Discount %"):
        expect_inside(lines.get_by_label(field).nth(1), lines)
    expect_inside(lines.get_by_role("button", name="Remove line").nth(1), lines)
    # 2 × 1,500 less 10 % = 2,700; 12.5 × 80 = 1,000; at 40 %: 1,480.
    expect(lines.get_by_test_id("total")).to_have_text("$3,700.00")
    expect(lines.get_by_test_id("expected-revenue")).to_have_text("$1,480.00")
    expect(lines.get_by_text("Expected revenue (40 %)")).to_be_visible()
    rows = lines.get_by_role("row").filter(has=page.get_by_label("Description"))
    expect(rows.nth(0).get_by_role("cell").nth(5)).to_have_text("$2,700.00")
    expect(rows.nth(1).get_by_role("cell").nth(5)).to_have_text("$1,000.00")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

    page.get_by_role("button", name="Save & Close").click()
    expect(page).to_have_url(re.compile(r"/opportunities/\d+/$"))
    expect(page.get_by_role("alert").filter(has_text="was saved")).to_be_visible()
    opportunity = Opportunity.objects.get(title="Fjord workshop")
    assert [(line.description, line.quantity, line.unit_price, line.discount_percent)
            for line in opportunity.lines.order_by("position", "pk")] == [
        ("Design workshop", Decimal("2"), Decimal("1500"), Decimal("10")),
        ("Support hours", Decimal("12.5"), Decimal("80"), Decimal("0"))]
    assert opportunity.total == Decimal("3700.00") and opportunity.expected_revenue == Decimal("1480.00")

    # The edit form shows the saved lines, inside the form too.
    page.goto(f"{live_server.url}/opportunities/{opportunity.pk}/edit/")
    lines = page.get_by_role("group", name="Products and services")
    expect(lines.get_by_label("Description").nth(1)).to_have_value("Support hours")
    expect_inside(lines.get_by_role("table"), lines)
    expect(lines.get_by_test_id("total")).to_have_text("$3,700.00")
    assert js_errors == []


@pytest.mark.parametrize("price, message", [
    ("", "This field is required."),
    ("1e15", "Ensure that there are no more than 14 digits in total."),
])
def test_an_odd_unit_price_is_shown_beside_the_line_and_nothing_is_saved(signed_in_page: Page, live_server,
                                                                        shipped_stages, price, message):
    """A price the number box lets through but the server cannot take (left empty, or 1e15)
    comes back as an error beside that line, with the typing kept; nothing is stored."""
    page = signed_in_page
    page.set_viewport_size({"width": 1280, "height": 800})
    new_opportunity_for_fjord(page, live_server, "Fjord chairs")
    lines = page.get_by_role("group", name="Products and services")
    add_row(lines, "Add line", "Catalogue item")
    lines.get_by_label("Description").fill("Chairs")
    lines.get_by_label("Quantity").fill("2")
    lines.get_by_label("Unit price").fill(price)

    page.get_by_role("button", name="Save & Close").click()
    expect(page).to_have_url(re.compile(r"/opportunities/add/$"))
    # The top of the page says something is wrong (the line is further down).
    summary = page.get_by_role("alert").filter(has_text="Please correct the errors below.")
    expect(summary).to_be_visible()
    expect(summary).to_be_in_viewport()
    lines = page.get_by_role("group", name="Products and services")
    row = lines.get_by_role("row").filter(has=page.get_by_label("Description"))
    expect(row.get_by_text(message)).to_be_visible()
    expect(row.get_by_label("Description")).to_have_value("Chairs")
    expect(page.get_by_label("Opportunity title")).to_have_value("Fjord chairs")
    assert not Opportunity.objects.exists()



def test_a_missing_link_is_shown_beside_the_link_to_control(signed_in_page: Page, live_server, shipped_stages):
    """Saved without an account or business contact: the Link to control says what
    is missing (its value sits in a hidden input, whose error Bootstrap shows only
    when the control's group is marked invalid), the typing is kept, nothing is saved."""
    page = signed_in_page
    page.goto(f"{live_server.url}/opportunities/add/")
    page.get_by_label("Opportunity title").fill("No link yet")
    page.get_by_role("button", name="Save & Close").click()
    expect(page).to_have_url(re.compile(r"/opportunities/add/$"))
    link = page.get_by_role("group", name="Linked account or business contact")
    expect(link.get_by_text("This field is required.")).to_be_visible()
    expect(page.get_by_label("Opportunity title")).to_have_value("No link yet")
    assert not Opportunity.objects.exists()

# --- 5. Lines added in quick succession and removed: totals from the server -----------------

def test_lines_added_quickly_and_removed_keep_the_totals_right(signed_in_page: Page, live_server, shipped_stages,
                                                                js_errors):
    """Add line asks the server for each row: two quick clicks give two rows of their own
    (not one index twice), the cursor goes to the new row, and Remove takes the line out
    of the total at once (the server recomputes it)."""
    page = signed_in_page
    new_opportunity_for_fjord(page, live_server, "Fjord desks")
    page.get_by_label("Probability (%)").fill("50")
    lines = page.get_by_role("group", name="Products and services")
    lines.get_by_role("button", name="Add line").dblclick()
    expect(lines.get_by_label("Description")).to_have_count(2)
    expect(lines.get_by_label("Catalogue item").nth(1)).to_be_focused()
    for index, (description, quantity, price) in enumerate([("Desk", "2", "300"), ("Chair", "4", "100")]):
        lines.get_by_label("Description").nth(index).fill(description)
        lines.get_by_label("Quantity").nth(index).fill(quantity)
        lines.get_by_label("Unit price").nth(index).fill(price)
    expect(lines.get_by_test_id("total")).to_have_text("$1,000.00")
    rows = lines.get_by_role("row").filter(has=page.get_by_label("Description"))
    expect(rows.nth(1).get_by_role("cell").nth(5)).to_have_text("$400.00")

    rows.nth(0).get_by_role("button", name="Remove line").click()
    expect(lines.get_by_test_id("total")).to_have_text("$400.00")
    expect(lines.get_by_test_id("expected-revenue")).to_have_text("$200.00")
    page.get_by_role("button", name="Save & Close").click()
    expect(page.get_by_role("alert").filter(has_text="was saved")).to_be_visible()
    opportunity = Opportunity.objects.get(title="Fjord desks")
    assert [(line.description, line.quantity) for line in opportunity.lines.all()] == [("Chair", Decimal("4"))]
    assert opportunity.total == Decimal("400.00")
    assert js_errors == []
