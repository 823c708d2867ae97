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


def test_leads_are_not_offered_as_business_contacts(staff_client):
    ContactFactory(full_name="Lead Person", is_lead=True)
    body = staff_client.get(reverse("crm:link_to_search"), {"types": "contact", "q": "lead"}).content.decode()
    assert "Lead Person" not in body


def test_new_creates_and_offers_the_record(staff_client, staff):
    response = staff_client.post(reverse("crm:link_to_create"), {"type": "account", "name": "Fresh Co"})
    account = Account.objects.get(name="Fresh Co")
    assert f'data-value="{account.pk}"' in response.content.decode()
    assert account.assigned_to == staff


def test_new_without_a_name_is_refused(staff_client):
    response = staff_client.post(reverse("crm:link_to_create"), {"type": "contact", "name": ""})
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
