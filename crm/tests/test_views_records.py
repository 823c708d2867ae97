"""The shared record view tests, applied to accounts and business contacts."""
from crm.generic.testing import RecordViewTests
from crm.tests.factories import AccountFactory, ContactFactory


class TestAccountViews(RecordViewTests):
    record_type = "account"
    factory = AccountFactory
    title_field = "name"
    form_data = {"name": "Acme Industries", "business_city": "Oslo"}
    bulk_edit_data = {"field": "business_city", "value": "Bergen"}


class TestContactViews(RecordViewTests):
    record_type = "contact"
    factory = ContactFactory
    title_field = "full_name"
    form_data = {"full_name": "Anna Hansen", "business_city": "Lyon"}
    bulk_edit_data = {"field": "job_title", "value": "Buyer"}


def test_contact_photo_upload_is_shown_and_limited(staff_client, settings):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse
    from PIL import Image

    from crm.models import BusinessContact

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    photo = SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")
    staff_client.post(reverse("crm:contact_add"), {"full_name": "Anna Hansen", "photo": photo})
    contact = BusinessContact.objects.get()
    assert contact.photo.name.startswith("photos/") and "me" not in contact.photo.name
    assert reverse("crm:contact_photo", args=[contact.pk]) in staff_client.get(contact.get_absolute_url()).content.decode()
    served = staff_client.get(reverse("crm:contact_photo", args=[contact.pk]))
    assert served["Content-Type"] == "image/png" and b"".join(served.streaming_content) == buffer.getvalue()
    served.close()

    settings.CRM_MAX_PHOTO_SIZE = 10
    photo = SimpleUploadedFile("big.png", buffer.getvalue(), content_type="image/png")
    response = staff_client.post(reverse("crm:contact_add"), {"full_name": "Ola Berg", "photo": photo})
    assert "the limit is 10\xa0bytes" in response.content.decode()
    assert BusinessContact.objects.count() == 1


def test_not_an_image_is_refused_as_photo(staff_client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from crm.models import BusinessContact

    photo = SimpleUploadedFile("evil.png", b"<script>alert(1)</script>", content_type="image/png")
    response = staff_client.post(reverse("crm:contact_add"), {"full_name": "Anna Hansen", "photo": photo})
    assert "Upload a valid image." in response.content.decode()
    assert not BusinessContact.objects.exists()
