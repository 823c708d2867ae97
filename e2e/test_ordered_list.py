"""Browser test of the ordered-list editor (Customize ▸ a customizable list):
add a value, rename it, move it up and delete it, at 1280 px, by the labels
and buttons a user sees."""
import re

import pytest
from playwright.sync_api import Page, expect

from crm.models import ListValue
from e2e.conftest import shoot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def names(page: Page) -> list[str]:
    """The values as the table lists them, top to bottom."""
    return page.get_by_role("table").get_by_role("textbox").evaluate_all("boxes => boxes.map(box => box.value)")


def test_a_value_is_added_renamed_moved_and_deleted(page: Page, live_server, owner, sign_in):
    page.set_default_timeout(5_000)
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, owner)
    # Our own values (whether the shipped ones are still there depends on the tests before).
    ListValue.objects.filter(kind="source").delete()
    for position, name in enumerate(["Web", "Event"], start=1):
        ListValue.objects.create(kind="source", name=name, position=position)

    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation").get_by_role("link", name="Customize").click()
    page.get_by_role("link", name="Source", exact=True).click()
    expect(page.get_by_role("heading", name="Edit the list “Source”", level=1)).to_be_visible()

    # Add: the new value goes to the end of the list.
    page.get_by_role("textbox", name="Value").last.fill("Trade show")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="“Trade show” was added.")).to_be_visible()
    assert names(page) == ["Web", "Event", "Trade show"]
    expect(page.get_by_role("button", name="Move Trade show down")).to_be_disabled()

    # Rename it in its row.
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Delete Trade show"))
    row.get_by_role("textbox", name="Value").fill("Trade fair")
    row.get_by_role("button", name="Rename").click()
    expect(page.get_by_role("link", name="Delete Trade fair")).to_be_visible()
    assert names(page) == ["Web", "Event", "Trade fair"]

    # Move it up one place.
    page.get_by_role("button", name="Move Trade fair up").click()
    expect(page.get_by_role("button", name="Move Trade fair down")).to_be_enabled()
    assert names(page) == ["Web", "Trade fair", "Event"]
    shoot(page, "customize-list-edit")

    # Delete it: a confirmation first, then back to the list without it.
    page.get_by_role("link", name="Delete Trade fair").click()
    expect(page.get_by_role("heading", name="Delete “Trade fair”?", level=1)).to_be_visible()
    expect(page.get_by_text("No record uses this value.")).to_be_visible()
    page.get_by_role("button", name="Yes, delete").click()
    expect(page).to_have_url(re.compile(r"/customize/lists/source/$"))
    expect(page.get_by_role("alert").filter(has_text="“Trade fair” was deleted; 0 records changed.")).to_be_visible()
    expect(page.get_by_role("link", name="Delete Trade fair")).to_have_count(0)
    assert names(page) == ["Web", "Event"]
    assert list(ListValue.objects.filter(kind="source").order_by("position").values_list("name", flat=True)) == [
        "Web", "Event"]
