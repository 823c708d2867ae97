"""Browser test: a contact deleted from its page goes to Deleted items with its
history and attachment, and Restore brings it all back."""
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from crm import services
from crm.models import HistoryItem
from crm.tests.factories import ContactFactory
from e2e.conftest import shoot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def named(text: str) -> re.Pattern:
    """An accessible name that is ``text``, allowing for a leading icon glyph."""
    return re.compile(rf"^[\ue000-\uf8ff\s]*{re.escape(text)}$")


def test_a_deleted_contact_is_restored_with_its_history_and_attachment(signed_in_page: Page, live_server, staff):
    page = signed_in_page
    anna = ContactFactory(full_name="Anna Hansen", assigned_to=staff)
    services.history_item_create(item=HistoryItem(kind=HistoryItem.Kind.NOTE, subject="Met at the fair"), user=staff,
                                 records=[anna])
    offer = services.history_item_create(
        item=HistoryItem(kind=HistoryItem.Kind.FILE, subject="Signed offer",
                         file=SimpleUploadedFile("offer.pdf", b"%PDF-1.4 the signed offer")),
        user=staff, records=[anna])

    page.goto(f"{live_server.url}/contacts/{anna.pk}/")
    page.get_by_role("link", name=named("Delete")).click()
    expect(page.get_by_role("heading", name="Delete “Anna Hansen”?", level=1)).to_be_visible()
    expect(page.get_by_text("Also goes to Deleted items: 2 history items, 1 attachment.")).to_be_visible()
    expect(page.get_by_text("Restorable from Deleted items for 30 days")).to_be_visible()
    shoot(page, "deleted-items-confirm-delete")
    page.get_by_role("button", name="Yes, delete").click()

    expect(page).to_have_url(re.compile(r"/contacts/$"))
    expect(page.get_by_role("alert").filter(
        has_text="“Anna Hansen” was deleted; it can be restored from Deleted items.")).to_be_visible()
    expect(page.get_by_role("link", name="Anna Hansen")).to_have_count(0)
    response = page.request.get(f"{live_server.url}/history/{offer.pk}/file/")
    assert response.status == 404  # the attachment went with it

    page.locator(".workspace-tabs").get_by_role("link", name=named("Deleted items")).click()
    expect(page.get_by_role("heading", name="Deleted items", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Anna Hansen")
    expect(row).to_contain_text("Business Contact")
    expect(row).to_contain_text("Alice Martin")
    expect(row).to_contain_text("2 history items, 1 attachment")
    shoot(page, "deleted-items-list")
    row.get_by_role("button", name="Restore Anna Hansen").click()

    expect(page).to_have_url(re.compile(rf"/contacts/{anna.pk}/$"))
    expect(page.get_by_role("alert").filter(has_text="“Anna Hansen” was restored.")).to_be_visible()
    expect(page.get_by_role("heading", name="Anna Hansen", level=1)).to_be_visible()
    page.get_by_role("link", name="History", exact=True).click()
    expect(page.get_by_role("row").filter(has_text="Met at the fair")).to_have_count(1)
    expect(page.get_by_role("row").filter(has_text="Signed offer")).to_have_count(1)
    response = page.request.get(f"{live_server.url}/history/{offer.pk}/file/")
    assert response.status == 200 and response.body() == b"%PDF-1.4 the signed offer"

    page.locator(".workspace-tabs").get_by_role("link", name=named("Deleted items")).click()
    expect(page.get_by_text("Nothing deleted here can still be restored.")).to_be_visible()
