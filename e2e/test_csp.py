"""Browser tests of the Content-Security-Policy: every page of the app and of
the admin loads without a single violation, and the pages that run script
(htmx list filtering, reading pane, column chooser, live totals, Link to,
category badges) still work under it."""
import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from crm.tests.factories import AccountFactory, CategoryFactory, ContactFactory, HistoryItemFactory, link
from e2e.conftest import add_row, link_to, restore_shipped_criteria

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Reported by the page itself (securitypolicyviolation) and by Chromium's console.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`);
});
"""


class Violations:
    """Collects CSP violations on ``page``, from the DOM event and the console."""

    def __init__(self, page: Page):
        self.page = page
        self.console: list[str] = []
        page.add_init_script(WATCH_VIOLATIONS)
        page.on("console", lambda message: self.console.append(message.text)
                if "Content Security Policy" in message.text or "htmx:evalDisallowedError" in message.text else None)

    def of_current_page(self) -> list[str]:
        return self.page.evaluate("window.__cspViolations || []") + self.console

    def assert_none(self, where: str) -> None:
        found = self.of_current_page()
        assert not found, f"{where}: {found}"


@pytest.fixture
def violations(page):
    return Violations(page)


@pytest.fixture
def records(db):
    """One record of each kind, pk 1 (the URLs of tests.test_permissions' walk)."""
    from sales.models import Product
    from sales.tests.factories import OpportunityFactory

    restore_shipped_criteria()
    category = CategoryFactory(name="Key account", colour="#ffc107")
    account = AccountFactory(pk=1, name="Northwind Traders", email="a@example.com")
    account.categories.add(category)
    contact = ContactFactory(pk=1, full_name="Nancy Davolio", account=account, email="c@example.com")
    contact.categories.add(category)
    link(HistoryItemFactory(pk=1, subject="Called about the order"), contact)
    OpportunityFactory(pk=1, account=account)
    Product.objects.get_or_create(pk=1, defaults={"name": "Router", "unit_price": "100.00"})


def html_pages(page: Page, live_server) -> list[str]:
    """Every URL of the site (app and admin, sample arguments) that answers a
    GET with an HTML page, not a download, a partial, a script or an image."""
    from tests.test_permissions import walk

    urls = []
    for name, url in walk():
        if name in {"logout", "admin:logout"}:
            continue
        response = page.request.get(f"{live_server.url}{url}", max_redirects=0)
        disposition = response.headers.get("content-disposition", "")
        body = response.text() if response.headers.get("content-type", "").startswith("text/html") else ""
        if body.lstrip().lower().startswith("<!doctype html") and not disposition.startswith("attachment"):
            urls.append(url)
    return urls


def test_every_page_loads_without_a_policy_violation(page: Page, live_server, owner, sign_in, records, violations):
    page.set_default_timeout(10_000)
    # Signed out: the sign-in page.
    response = page.goto(f"{live_server.url}{reverse('login')}")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    violations.assert_none("sign-in page")

    sign_in(page, owner)
    urls = html_pages(page, live_server)
    # The walk reaches lists, record pages, forms, Customize, import, the admin.
    for expected in ("/accounts/", "/contacts/1/", "/opportunities/1/edit/", "/customize/", "/accounts/import/",
                     "/leads/import/", "/admin/", "/admin/crm/account/1/change/", "/customize/sign-in-locks/"):
        assert expected in urls, expected
    for url in urls:
        response = page.goto(f"{live_server.url}{url}")
        assert "content-security-policy" in response.headers, url
        page.wait_for_load_state("load")
        violations.assert_none(url)
    # A page that is not there.
    page.goto(f"{live_server.url}/no-such-page/")
    violations.assert_none("404 page")


def test_script_driven_parts_work_under_the_policy(page: Page, live_server, staff, sign_in, violations):
    from sales.models import Product

    page.set_default_timeout(10_000)
    sign_in(page, staff)
    category = CategoryFactory(name="Key account", colour="#ffc107")
    account = AccountFactory(name="Northwind Traders")
    nancy = ContactFactory(full_name="Nancy Davolio", account=account)
    nancy.categories.add(category)
    ContactFactory(full_name="Grace Hopper", business_phone="+1 555 0100")
    Product.objects.create(name="Router", unit_price="100.00")

    # Lists: htmx filtering, the reading pane and the column chooser.
    page.goto(f"{live_server.url}/contacts/")
    page.get_by_label("Search", exact=True).press_sequentially("grace")
    expect(page.get_by_text("1 record", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=grace"))
    # Any other filter applies as soon as it changes (crm.js sends "filters-change").
    page.goto(f"{live_server.url}/contacts/")
    expect(page.get_by_text("2 records", exact=True)).to_be_visible()
    page.locator("#filters").get_by_label("Key account").check()
    expect(page.get_by_text("1 record", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"category="))
    page.goto(f"{live_server.url}/contacts/?q=grace")
    page.get_by_role("cell", name="+1 555 0100").click()
    pane = page.get_by_role("region", name="Preview")
    expect(pane.get_by_role("heading", name="Grace Hopper")).to_be_visible()
    page.get_by_role("button", name="Columns").click()
    page.get_by_role("form", name="Columns shown").get_by_role("checkbox", name="Job title").check()
    expect(page.get_by_role("columnheader", name="Job title")).to_be_visible()
    violations.assert_none("contact list")

    # Bulk edit: choosing the field brings its input (crm.js sends "field-change").
    page.get_by_label("Select Grace Hopper").check()
    page.get_by_role("button", name=re.compile("Edit several at once")).click()
    expect(page).to_have_url(re.compile(r"/bulk/edit/"))
    page.wait_for_load_state("load")  # the scripts listen from then on, as htmx does
    page.get_by_label("Field to change").select_option(label="Job title")
    page.get_by_label("New value").fill("Rear Admiral")
    page.get_by_role("button", name="OK").click()
    expect(page.get_by_role("alert").filter(has_text="1 record changed.")).to_be_visible()
    violations.assert_none("bulk edit")

    # Category badges keep their colours (set from data attributes by the script).
    page.goto(f"{live_server.url}/contacts/{nancy.pk}/")
    badge = page.locator(".category-badge", has_text="Key account").first
    expect(badge).to_be_visible()
    expect(badge).to_have_css("background-color", "rgb(255, 193, 7)")
    expect(badge).to_have_css("color", "rgb(0, 0, 0)")
    violations.assert_none("contact page")

    # The opportunity form: live totals and the Link to dialog.
    page.goto(f"{live_server.url}/opportunities/add/")
    page.get_by_label("Opportunity title").fill("Policy check")
    link_to(page, page.get_by_role("group", name="Linked account or business contact"), "North",
            pick="Northwind Traders", not_offered="Grace Hopper")
    page.get_by_label("Probability (%)").fill("50")
    lines = page.get_by_role("group", name="Products and services")
    add_row(lines, "Add line", "Catalogue item")
    lines.get_by_label("Catalogue item").nth(0).select_option(label="Router")
    lines.get_by_label("Quantity").nth(0).fill("3")
    expect(lines.get_by_test_id("total")).to_have_text("$300.00")
    expect(lines.get_by_test_id("expected-revenue")).to_have_text("$150.00")
    violations.assert_none("opportunity form")
