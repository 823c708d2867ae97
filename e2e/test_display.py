"""Browser tests of how the pages look and fit at a laptop's 1280 × 800: the
favicon, long text on record pages, lists that fit with the reading pane
open, the column chooser, and Export of what the list shows.

Each test drives Chromium through the pages as a user would — by visible
labels, roles and button names — against pytest-django's live server.
"""
import csv
import io
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
