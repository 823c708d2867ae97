"""The shared record view tests, applied to accounts and business contacts."""
import pytest
from django.urls import reverse

from crm.generic.testing import ImportViewTests, RecordViewTests
from crm.tests.factories import AccountFactory, ContactFactory, criteria_met, full_account, full_person

class TestAccountViews(RecordViewTests, ImportViewTests):
    record_type = "account"
    factory = AccountFactory
    title_field = "name"
    form_data = {"name": "Acme Industries", "business_city": "Oslo"}
    bulk_edit_data = {"field": "business_city", "value": "Bergen"}
    import_key = "ID"
    import_change = ("Office", "office", "Bergen")


    def full_record(self):
        return full_account()


class TestContactViews(RecordViewTests, ImportViewTests):
    record_type = "contact"
    factory = ContactFactory
    title_field = "full_name"
    form_data = {"full_name": "Anna Hansen", "business_city": "Lyon"}
    bulk_edit_data = {"field": "job_title", "value": "Buyer"}
    import_key = "E-mail Address"
    import_change = ("Job Title", "job_title", "Chief buyer")


    def full_record(self):
        return full_person()

    def related_state(self, record) -> dict:
        return {"criteria": criteria_met(record)}


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


def test_bulk_edit_invalid_for_one_record_shows_why_and_changes_nothing(staff_client):
    """Mailing address "Home" suits the contact with a home address, not the other one."""
    from django.urls import reverse

    from crm.models import BusinessContact, ChangeLogEntry

    with_home = ContactFactory(full_name="Has Home", home_city="Oslo")
    without_home = ContactFactory(full_name="No Home", business_city="Lyon")
    response = staff_client.post(reverse("crm:contact_bulk", args=["edit"]), {
        "pk": [with_home.pk, without_home.pk], "field": "mailing_address", "value": "home", "_apply": "1"})
    body = response.content.decode()
    assert "Nothing was changed: the new value is not valid for 1 of the selected records." in body
    assert "No Home: The Home address is empty, so it cannot be the mailing address." in body
    assert set(BusinessContact.objects.values_list("mailing_address", flat=True)) == {""}
    assert not ChangeLogEntry.objects.exists()


def test_bulk_edit_value_field_follows_the_chosen_field(staff_client):
    """Choosing a field (htmx) shows that field's own input for the new value."""
    from django.urls import reverse

    contact = ContactFactory()
    response = staff_client.get(reverse("crm:contact_bulk", args=["edit"]), {"pk": contact.pk, "field": "mailing_address"},
                                headers={"HX-Request": "true", "HX-Target": "bulk-value"})
    body = response.content.decode()
    assert 'name="value"' in body and '<option value="home">Home</option>' in body and "<html" not in body


def test_search_index_follows_edits_and_deletes(staff_client, staff):
    from django.urls import reverse

    from crm.generic import services

    contact = ContactFactory(full_name="Before Rename")
    contact.full_name = "Zanzibar Person"
    services.record_update(instance=contact, user=staff)
    url = reverse("crm:contact_list")
    assert "Zanzibar Person" in staff_client.get(url, {"q": "zanzi"}).content.decode()
    assert "0 records" in staff_client.get(url, {"q": "before"}).content.decode()
    services.record_delete(instance=contact, user=staff)
    assert "0 records" in staff_client.get(url, {"q": "zanzi"}).content.decode()


def test_categorize_with_no_category_ticked_says_so(staff_client):
    from django.urls import reverse

    from crm.models import Category

    contact = ContactFactory()
    Category.objects.create(name="Key")
    response = staff_client.post(reverse("crm:contact_bulk", args=["categorize"]), {"pk": [contact.pk], "_apply": "1"})
    assert "Tick at least one category to add or remove." in response.content.decode()
    assert not contact.categories.exists()


def test_category_badges_come_with_the_rows_in_name_order(staff_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from crm.tests.factories import CategoryFactory

    tagged = ContactFactory(full_name="Tagged Person")
    tagged.categories.add(CategoryFactory(name="Zulu", colour="#123456"), CategoryFactory(name="Alpha", colour="#ffeedd"))
    ContactFactory(full_name="Plain Person")
    with CaptureQueriesContext(connection) as ctx:
        body = staff_client.get(reverse("crm:contact_list")).content.decode()
    assert not any(q["sql"].startswith('SELECT "crm_businesscontact_categories"') for q in ctx.captured_queries)
    row = body[body.index("Tagged Person"):]
    row = row[:row.index("</tr>")]
    assert row.index(">Alpha<") < row.index(">Zulu<") and 'data-colour="#ffeedd" data-text-colour="#000"' in row
    plain = body[body.index("Plain Person"):]
    assert "category-badge" not in plain[:plain.index("</tr>")]


@pytest.mark.parametrize("value, message", [
    ("99999999999999999999999", "Ensure this value is less than or equal to 9223372036854775807."),
    ("-1e309", "Enter a whole number."),
    ("1.5", "Enter a whole number."),
])
def test_an_odd_account_filter_is_a_field_error(staff_client, value, message):
    ContactFactory(full_name="Anna Berg", account=AccountFactory())
    response = staff_client.get(reverse("crm:contact_list"), {"account": value})
    body = response.content.decode()
    assert response.status_code == 200 and message in body and "Anna Berg" not in body
