"""Browser tests of how the pages look and fit at a laptop's 1280 × 800: the
favicon, long text on record pages, lists that fit with the reading pane
open, the column chooser, and Export of what the list shows.

Each test drives Chromium through the pages as a user would — by visible
labels, roles and button names — against pytest-django's live server.
"""
import csv
import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture
def laptop_page(signed_in_page: Page) -> Page:
    signed_in_page.set_viewport_size(LAPTOP)
    return signed_in_page


@pytest.fixture
def failed_requests(laptop_page: Page) -> list[str]:
    """Every response of 400 or more and every console error while the test runs."""
    failures: list[str] = []
    laptop_page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    laptop_page.on("console", lambda m: failures.append(f"console: {m.text}") if m.type == "error" else None)
    laptop_page.on("pageerror", lambda e: failures.append(f"pageerror: {e}"))
    return failures


# --- Favicon ------------------------------------------------------------------------------

def test_every_page_has_a_favicon_that_loads(laptop_page: Page, live_server, failed_requests):
    page = laptop_page
    for path in ("/", "/accounts/"):
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("navigation")).to_be_visible()
        href = page.locator("link[rel=icon]").get_attribute("href")
        assert href, "no <link rel=icon> on the page"
        response = page.request.get(f"{live_server.url}{href}")
        assert response.status == 200 and response.headers["content-type"].startswith("image/")
    page.wait_for_load_state("networkidle")
    assert failed_requests == []


# --- Export: what the list shows ---------------------------------------------------------

def shown_titles(page: Page) -> list[str]:
    """The titles (first link) of the list's rows, top to bottom."""
    rows = page.get_by_role("row").filter(has=page.get_by_role("checkbox", name=re.compile(r"^Select (?!all on this page)")))
    return [row.get_by_role("link").first.inner_text() for row in rows.all()]


def test_export_after_a_search_and_a_sort_has_exactly_the_rows_shown(laptop_page: Page, live_server, failed_requests):
    from leads.tests.factories import LeadFactory

    page = laptop_page
    for name in ("Anna Fjellberg", "Per Fjellberg", "Kari Nord", "Ola Strand", "Eva Fjellberg"):
        LeadFactory(full_name=name, file_as=name)
    page.goto(f"{live_server.url}/leads/")
    expect(page.get_by_role("heading", name="Leads", level=1)).to_be_visible()
    expect(page.get_by_text("5 records", exact=True)).to_be_visible()

    # The search and the sort update only the rows (htmx), not the whole page.
    page.evaluate("window.unchangedPage = true")
    page.get_by_role("searchbox", name="Search").press_sequentially("fjellberg")
    expect(page.get_by_text("3 records", exact=True)).to_be_visible()
    header = page.get_by_role("columnheader", name="Full name")
    header.get_by_role("link").click()
    expect(header.locator(".bi-caret-up-fill")).to_have_count(1)
    header.get_by_role("link").click()
    expect(header.locator(".bi-caret-down-fill")).to_have_count(1)
    shown = shown_titles(page)
    assert shown == ["Per Fjellberg", "Eva Fjellberg", "Anna Fjellberg"]
    assert page.evaluate("window.unchangedPage") is True

    page.get_by_role("button", name="Export", exact=True).click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="All matching records as CSV").click()
    with open(download_info.value.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["Full Name"] for row in rows] == shown
    assert failed_requests == []


# --- Lists fit the screen, with the reading pane open ------------------------------------------

@pytest.fixture
def demo(staff, other_staff):
    from e2e.demo import seed

    return seed(staff, other_staff)


def results_table(page: Page):
    return page.locator("#results table.record-table")


def expect_list_fits(page: Page) -> None:
    """No horizontal scrolling: not of the page, not of the table in its column;
    names and phone numbers do not wrap (every row is one line high)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    table = results_table(page)
    widths = table.evaluate("t => [t.scrollWidth, t.parentElement.clientWidth]")
    assert widths[0] <= widths[1], f"table {widths[0]} px wide in {widths[1]} px"
    heights = table.evaluate("t => [...t.tBodies[0].rows].map(r => r.getBoundingClientRect().height)")
    assert heights and max(heights) < 40, heights


@pytest.mark.parametrize("path, heading, row_text", [
    ("/accounts/", "Accounts", "Northwind Traders International AS"),
    ("/contacts/", "Business Contacts", "Kristin Johansen-Berg"),
    ("/leads/", "Leads", "Ingrid Marie Larsen"),
    ("/opportunities/", "Opportunities", "Northwind Traders International AS: office refit"),
])
def test_each_list_fits_1280_pixels_with_the_reading_pane_open(laptop_page: Page, live_server, demo, failed_requests,
                                                               path, heading, row_text):
    page = laptop_page
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    pane = page.get_by_role("region", name="Preview")
    # The pane stays out of the way until a row is clicked.
    expect(pane).to_be_hidden()
    expect_list_fits(page)

    row = page.get_by_role("row").filter(has_text=row_text)
    row.get_by_role("cell").nth(2).click()  # not the title link
    expect(pane).to_be_visible()
    expect(pane.get_by_role("heading", name=row_text)).to_be_visible()
    expect_list_fits(page)
    expect(row.get_by_role("link", name=row_text)).to_be_visible()

    # Close hides it; the list has the width again.
    pane.get_by_role("button", name="Close the preview").click()
    expect(pane).to_be_hidden()
    expect_list_fits(page)
    assert failed_requests == []


def test_the_column_chooser_hides_and_shows_columns_and_remembers_them(laptop_page: Page, live_server, demo, staff,
                                                                       failed_requests):
    from crm.models import UserPreferences

    page = laptop_page
    page.goto(f"{live_server.url}/contacts/?q=kristin")
    expect(page.get_by_text("1 record", exact=True)).to_be_visible()
    table = results_table(page)
    expect(table.get_by_role("columnheader", name="E-mail")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Job title")).to_have_count(0)

    page.get_by_role("button", name="Columns").click()
    chooser = page.get_by_role("form", name="Columns shown")
    expect(chooser.get_by_role("checkbox", name="Full name")).to_be_disabled()  # the title always shows
    chooser.get_by_role("checkbox", name="E-mail").uncheck()
    expect(table.get_by_role("columnheader", name="E-mail")).to_have_count(0)
    chooser.get_by_role("checkbox", name="Job title").check()
    expect(table.get_by_role("columnheader", name="Job title")).to_be_visible()
    expect(table.get_by_role("cell", name="Purchasing Manager")).to_be_visible()
    # The rows kept the list's search while the columns changed.
    expect(page.get_by_text("1 record", exact=True)).to_be_visible()
    expect_list_fits(page)

    page.reload()
    expect(table.get_by_role("columnheader", name="Job title")).to_be_visible()
    expect(table.get_by_role("columnheader", name="E-mail")).to_have_count(0)
    assert UserPreferences.objects.get(user=staff).list_columns["contact"] == [
        "full_name", "company_name", "job_title", "business_phone", "assigned_to", "categories"]

    # Default columns puts them back.
    page.get_by_role("button", name="Columns").click()
    page.get_by_role("form", name="Columns shown").get_by_role("button", name="Default columns").click()
    expect(table.get_by_role("columnheader", name="E-mail")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Job title")).to_have_count(0)
    expect(page.get_by_text("1 record", exact=True)).to_be_visible()
    assert failed_requests == []


# --- Long text: lines kept, markup shown as typed -------------------------------------------

def test_comments_show_their_lines_and_markup_as_text_on_the_page_the_pane_and_the_pdf(laptop_page: Page, live_server,
                                                                                        failed_requests):
    from crm.tests.factories import AccountFactory
    from e2e.conftest import printed_pdf_text

    page = laptop_page
    account = AccountFactory(name="Acme", comments="Met at the fair.\nWants a <b>bold</b> offer")
    comments = re.compile(r"^Met at the fair\.\s*Wants a <b>bold</b> offer$")

    page.goto(f"{live_server.url}{account.get_absolute_url()}")
    value = page.locator("xpath=//dt[normalize-space()='Comments']/following-sibling::dd[1]")
    expect(value).to_have_text(comments)
    assert value.inner_text().splitlines() == ["Met at the fair.", "Wants a <b>bold</b> offer"]
    expect(page.get_by_text("<p>")).to_have_count(0)

    page.goto(f"{live_server.url}/accounts/")
    page.get_by_role("row").filter(has_text="Acme").get_by_role("cell").nth(2).click()
    pane = page.get_by_role("region", name="Preview")
    expect(pane.get_by_role("heading", name="Acme")).to_be_visible()
    pane_value = pane.locator("xpath=.//dt[normalize-space()='Comments']/following-sibling::dd[1]")
    expect(pane_value).to_have_text(comments)
    expect(pane.get_by_text("<p>")).to_have_count(0)

    text = printed_pdf_text(page, live_server, f"{account.get_absolute_url()}print/")
    if text is not None:
        assert "Met at the fair.\nWants a <b>bold</b> offer" in text and "<p>" not in text
    assert failed_requests == []
