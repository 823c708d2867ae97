"""A full disk (issue: hole 10): an import upload, a history item's attachment
or a record's photo that the disk refuses gives a clear error on the form,
leaves no empty or partial file and saves nothing."""
import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from crm.generic.testing import disk_full
from crm.models import BusinessContact, ChangeLogEntry, HistoryItem
from crm.tests.factories import ContactFactory, HistoryItemFactory, link

pytestmark = pytest.mark.django_db

DISK_FULL = ("The file could not be stored: the server&#x27;s disk is full. Nothing was saved; "
             "try again later or tell your administrator.")


def stored_files(settings) -> list[str]:
    """Every file in the media folder (empty ones included)."""
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_the_storage_removes_what_a_refused_write_left(settings):
    from django.core.files.storage import default_storage

    from crm.generic.files import FileNotStored

    with disk_full(settings.MEDIA_ROOT), pytest.raises(FileNotStored) as refused:
        default_storage.save("attachments/quote.pdf", ContentFile(b"%PDF-1.4 quote"))
    assert refused.value.messages == [DISK_FULL.replace("&#x27;", "'")]
    assert stored_files(settings) == []


def test_an_attachment_on_a_full_disk(staff_client, settings):
    contact = ContactFactory()
    upload = SimpleUploadedFile("quote.pdf", b"%PDF-1.4 quote", content_type="application/pdf")
    with disk_full(settings.MEDIA_ROOT):
        response = staff_client.post(reverse("crm:contact_history_add", args=[contact.pk, "file"]),
                                     {"occurred_at": "2026-11-20T10:00", "file": upload})
    assert response.status_code == 200
    assert DISK_FULL in response.content.decode()
    assert not HistoryItem.objects.exists() and stored_files(settings) == []


def test_a_new_attachment_of_an_item_on_a_full_disk(staff_client, settings):
    contact = ContactFactory()
    item = HistoryItemFactory(kind=HistoryItem.Kind.FILE, subject="Quote")
    link(item, contact)
    upload = SimpleUploadedFile("quote-2.pdf", b"%PDF-1.4 second quote", content_type="application/pdf")
    with disk_full(settings.MEDIA_ROOT):
        response = staff_client.post(reverse("crm:history_edit", args=[item.pk]), {
            "occurred_at": "2026-11-20T10:00", "subject": "Quote", "file": upload, "version": item.version})
    assert response.status_code == 200
    assert DISK_FULL in response.content.decode()
    item.refresh_from_db()
    assert not item.file and stored_files(settings) == []


def test_a_photo_on_a_full_disk(staff_client, settings):
    photo = SimpleUploadedFile("me.png", png(), content_type="image/png")
    with disk_full(settings.MEDIA_ROOT):
        response = staff_client.post(reverse("crm:contact_add"), {"full_name": "Anna Hansen", "photo": photo})
    assert response.status_code == 200
    assert DISK_FULL in response.content.decode()
    assert not BusinessContact.objects.exists() and not ChangeLogEntry.objects.exists()
    assert stored_files(settings) == []


def test_a_new_photo_of_a_record_on_a_full_disk(staff_client, settings):
    contact = ContactFactory(full_name="Anna Hansen")
    photo = SimpleUploadedFile("me.png", png(), content_type="image/png")
    with disk_full(settings.MEDIA_ROOT):
        response = staff_client.post(reverse("crm:contact_edit", args=[contact.pk]), {
            "full_name": "Anna Hansen", "file_as": contact.file_as, "photo": photo, "version": contact.version})
    assert response.status_code == 200
    assert DISK_FULL in response.content.decode()
    contact.refresh_from_db()
    assert not contact.photo and stored_files(settings) == []
