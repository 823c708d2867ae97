"""The Link to dialog: search by type and name, or create a record in place."""
import pytest
from django.urls import reverse

from crm.models import Account, BusinessContact
from crm.tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_search_by_type_and_name(staff_client):
    AccountFactory(name="Northwind Traders")
    ContactFactory(full_name="North Person")
    ContactFactory(full_name="Someone Else")
    url = reverse("crm:link_to_search")
    body = staff_client.get(url, {"types": "account,contact", "q": "north"}).content.decode()
    assert "Northwind Traders" in body and "North Person" in body and "Someone Else" not in body
    body = staff_client.get(url, {"types": "account,contact", "type": "account", "q": "north"}).content.decode()
    assert "Northwind Traders" in body and "North Person" not in body
    assert 'data-value="account:' in body


def test_single_type_values_are_plain_keys(staff_client):
    account = AccountFactory(name="Acme")
    body = staff_client.get(reverse("crm:link_to_search"), {"types": "account", "q": "acme"}).content.decode()
    assert f'data-value="{account.pk}"' in body


def test_the_dialog_searches_what_the_list_searches(staff_client):
    """Search fields are declared once, on the model: an account's phone finds
    it in the Link to dialog as in the Accounts list."""
    AccountFactory(name="Fjord Fisk AS", business_phone="+47 5550 1234")
    AccountFactory(name="Baltic Amber Ltd", business_phone="+371 6700 0000")
    body = staff_client.get(reverse("crm:link_to_search"), {"types": "account", "q": "5550"}).content.decode()
    assert "Fjord Fisk AS" in body and "Baltic Amber Ltd" not in body
    listed = staff_client.get(reverse("crm:account_list"), {"q": "5550"}).content.decode()
    assert "Fjord Fisk AS" in listed and "Baltic Amber Ltd" not in listed


def test_leads_are_not_offered_as_business_contacts(staff_client):
    ContactFactory(full_name="Lead Person", is_lead=True)
    body = staff_client.get(reverse("crm:link_to_search"), {"types": "contact", "q": "lead"}).content.decode()
    assert "Lead Person" not in body


def test_new_creates_and_offers_the_record(staff_client, staff):
    response = staff_client.post(reverse("crm:link_to_create"), {"types": "account", "type": "account", "name": "Fresh Co"})
    account = Account.objects.get(name="Fresh Co")
    assert f'data-value="{account.pk}"' in response.content.decode()
    assert account.assigned_to == staff


def test_new_without_a_name_is_refused(staff_client):
    response = staff_client.post(reverse("crm:link_to_create"), {"types": "contact", "type": "contact", "name": ""})
    assert "This field cannot be blank." in response.content.decode()
    assert not BusinessContact.objects.exists()


def test_contact_form_links_an_account(staff_client):
    account = AccountFactory(name="Acme")
    response = staff_client.post(reverse("crm:contact_add"), {"full_name": "Anna Hansen", "account": account.pk})
    contact = BusinessContact.objects.get()
    assert response["Location"] == contact.get_absolute_url()
    assert contact.account == account
    assert "Anna Hansen" in staff_client.get(account.get_absolute_url()).content.decode()


def test_contact_form_refuses_a_missing_account(staff_client):
    response = staff_client.post(reverse("crm:contact_add"), {"full_name": "Anna Hansen", "account": 999999})
    assert "Select a valid choice." in response.content.decode()
    assert not BusinessContact.objects.exists()


def created_event(response) -> dict:
    """The "linkToCreated" event the response asks htmx to fire (HX-Trigger)."""
    import json

    return json.loads(response["HX-Trigger"])["linkToCreated"]


def test_new_picks_the_created_record_in_the_field(staff_client):
    """Create and link: the response tells the page which value and name to put
    in the field (the dialog then closes), so nothing is left to click."""
    response = staff_client.post(reverse("crm:link_to_create"), {"types": "account", "type": "account", "name": "Fresh Co"})
    account = Account.objects.get(name="Fresh Co")
    assert created_event(response) == {"value": str(account.pk), "label": "Fresh Co"}


def test_new_on_a_field_of_several_types_picks_type_and_key(staff_client):
    response = staff_client.post(reverse("crm:link_to_create"),
                                 {"types": "account,contact", "type": "contact", "name": "Rita Referrer"})
    contact = BusinessContact.objects.get(full_name="Rita Referrer")
    assert not contact.is_lead
    assert created_event(response) == {"value": f"contact:{contact.pk}", "label": "Rita Referrer"}


def test_new_of_a_type_the_field_does_not_link_is_refused(staff_client):
    response = staff_client.post(reverse("crm:link_to_create"), {"types": "contact", "type": "account", "name": "Wrong Co"})
    assert "Choose Accounts or Business Contacts first." in response.content.decode()
    assert "HX-Trigger" not in response
    assert not Account.objects.exists()


def test_new_error_does_not_pick_anything(staff_client):
    response = staff_client.post(reverse("crm:link_to_create"), {"types": "account", "type": "account", "name": "  "})
    assert "This field cannot be blank." in response.content.decode()
    assert "HX-Trigger" not in response
    assert not Account.objects.exists()


@pytest.mark.parametrize("chosen", ["lead", "opportunity", "nonsense"])
def test_a_type_the_field_does_not_link_lists_nothing(staff_client, chosen):
    """A chosen record type filters: one the field cannot link lists nothing,
    not every type the field links."""
    AccountFactory(name="Acme")
    ContactFactory(full_name="Carl Contact")
    body = staff_client.get(reverse("crm:link_to_search"), {"types": "account,contact", "type": chosen}).content.decode()
    assert "Acme" not in body and "Carl Contact" not in body
    assert "No matching records." in body


@pytest.mark.parametrize("text", ["a\x00b", "x" * 1_000_000])
def test_an_odd_search_text_finds_nothing(staff_client, text):
    AccountFactory(name="Acme")
    response = staff_client.get(reverse("crm:link_to_search"), {"types": "account,contact", "q": text})
    assert response.status_code == 200 and "Acme" not in response.content.decode()


def test_new_with_a_nul_character_is_refused(staff_client):
    response = staff_client.post(reverse("crm:link_to_create"), {"types": "account", "type": "account", "name": "A\x00B"})
    assert "Null characters are not allowed." in response.content.decode()
    assert not Account.objects.exists()
