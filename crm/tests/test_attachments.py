"""Attachments: names Windows would change, programs under an innocent name,
and which stored files a browser may show rather than download."""
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from crm.models import HistoryItem
from crm.tests.factories import ContactFactory, HistoryItemFactory, link

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


def attach(client, name: str, body: bytes):
    contact = ContactFactory()
    url = reverse("crm:contact_history_add", args=[contact.pk, "file"])
    return client.post(url, {"occurred_at": "2026-11-20T10:00", "file": SimpleUploadedFile(name, body)})


def nothing_stored(settings) -> bool:
    media = settings.MEDIA_ROOT
    return not HistoryItem.objects.exists() and not (media.exists() and any(p.is_file() for p in media.rglob("*")))


@pytest.mark.parametrize("name", ["evil.exe.", "evil.exe  ", "evil.exe . .", "evil.bat.."])
def test_a_program_name_with_trailing_dots_or_spaces_is_refused(staff_client, settings, name):
    """Windows drops trailing dots and spaces: "evil.exe." is saved as evil.exe."""
    response = attach(staff_client, name, b"harmless text")
    assert response.status_code == 200
    assert "can run programs or scripts and cannot be attached." in response.content.decode()
    assert nothing_stored(settings)


def test_trailing_dots_and_spaces_are_dropped_from_a_harmless_name(staff_client):
    response = attach(staff_client, "minutes.txt. ", b"We met.")
    assert response.status_code == 302
    item = HistoryItem.objects.get()
    assert item.file_name == "minutes.txt"
    assert item.file.name.endswith(".txt")


def test_a_name_of_only_dots_and_spaces_is_refused(staff_client, settings):
    response = attach(staff_client, ". . .", b"text")
    assert "The file has no name." in response.content.decode()
    assert nothing_stored(settings)


@pytest.mark.parametrize("body, kind", [
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "Windows"),
    (b"\x7fELF\x02\x01\x01\x00", "Linux"),
    (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01", "macOS"),
    (b"\xfe\xed\xfa\xce\x00\x00\x00\x12", "macOS"),
    (b"\xca\xfe\xba\xbe\x00\x00\x00\x02", "macOS"),
    (b"#!/bin/sh\nrm -rf ~\n", "script"),
])
def test_a_program_under_an_innocent_name_is_refused(staff_client, settings, body, kind):
    response = attach(staff_client, "invoice.pdf", body)
    assert response.status_code == 200
    assert "“invoice.pdf” is a program or script, whatever its name says, and cannot be attached." in response.content.decode()
    assert nothing_stored(settings)


def test_the_model_refuses_a_program_on_every_write_path():
    """The admin and any service save through the model's validator too."""
    from django.core.exceptions import ValidationError

    item = HistoryItem(kind=HistoryItem.Kind.FILE, subject="x", file=SimpleUploadedFile("notes.txt", b"\x7fELF\x02\x01"))
    with pytest.raises(ValidationError, match="is a program or script"):
        item.full_clean()


def test_text_that_starts_like_a_program_word_is_accepted(staff_client):
    """Only the magic bytes count: a text that begins "MZ…" in words is not a program."""
    assert attach(staff_client, "notes.txt", b"Mzungu means traveller.").status_code == 302


# --- Serving stored files -----------------------------------------------------------

def stored_item(name: str, body: bytes) -> HistoryItem:
    item = HistoryItemFactory(kind=HistoryItem.Kind.FILE, file=ContentFile(body, name=name), file_name=name)
    link(item, ContactFactory())
    return item


@pytest.mark.parametrize("name, body", [
    ("quote.pdf", b"%PDF-1.4 quote"),
    ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
    ("page.txt", b"<html><script>alert(1)</script></html>"),
])
def test_attachments_are_downloads_never_shown_as_pages(staff_client, name, body):
    item = stored_item(name, body)
    response = staff_client.get(reverse("crm:history_file", args=[item.pk]))
    response.close()
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"


def photo_response(client, name: str, body: bytes):
    contact = ContactFactory(photo=ContentFile(body, name=name))
    response = client.get(reverse("crm:contact_photo", args=[contact.pk]))
    response.close()
    return response


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt, content_type", [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"),
                                               ("WEBP", "image/webp")])
def test_a_photo_of_a_safe_type_is_shown_inline(staff_client, fmt, content_type):
    response = photo_response(staff_client, f"photo.{fmt.lower()}", image_bytes(fmt))
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name, body", [
    ("photo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
    ("photo.bmp", None),
    ("photo.png", b"<html><script>alert(1)</script></html>"),  # not what its name says
])
def test_other_stored_images_are_downloads(staff_client, name, body):
    response = photo_response(staff_client, name, body if body is not None else image_bytes("BMP"))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
