"""Links to a record go to the page of its type: a lead and a business contact
share one table, so a lead's links go to /leads/N/ and a converted lead's old
pages send the browser on to the business contact's."""
import re

import pytest
from django.urls import reverse

from crm.generic import registry
from crm.models import BusinessContact
from crm.tests.factories import AccountFactory, ContactFactory, HistoryItemFactory, link
from leads.models import Lead
from leads.services import lead_convert
from leads.tests.factories import LeadFactory
from sales.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def hrefs(body: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', body))


def test_a_lead_links_to_its_lead_page_whatever_class_it_was_read_as():
    lead = LeadFactory()
    contact = ContactFactory()
    # Read through the shared table (history links, foreign keys), a lead is a BusinessContact.
    assert BusinessContact.objects.get(pk=lead.pk).get_absolute_url() == f"/leads/{lead.pk}/"
    assert contact.get_absolute_url() == f"/contacts/{contact.pk}/"
    # A Lead that was converted is a business contact.
    converted = Lead.objects.get(pk=LeadFactory().pk)
    converted.is_lead = False
    assert converted.get_absolute_url() == f"/contacts/{converted.pk}/"
    assert registry.record_url(lead, "history") == f"/leads/{lead.pk}/history/"


def test_account_history_links_a_lead_linked_item_to_the_lead(staff_client):
    account = AccountFactory(name="Acme")
    lead = LeadFactory(full_name="Lena Lead", account=account)
    link(HistoryItemFactory(subject="Call with Lena"), account, lead)
    body = staff_client.get(reverse("crm:account_history", args=[account.pk])).content.decode()
    assert "Call with Lena" in body
    assert f"/leads/{lead.pk}/" in hrefs(body)
    assert f"/contacts/{lead.pk}/" not in hrefs(body)


def test_rolled_up_history_of_a_lead_links_to_the_lead(staff_client):
    """An item of a lead rolls up to its account's History, which says whose it is."""
    account = AccountFactory(name="Acme")
    lead = LeadFactory(full_name="Lena Lead", account=account)
    link(HistoryItemFactory(subject="Note on the lead"), lead)
    body = staff_client.get(reverse("crm:account_history", args=[account.pk])).content.decode()
    assert "Note on the lead" in body
    assert f"/leads/{lead.pk}/" in hrefs(body)
    assert f"/contacts/{lead.pk}/" not in hrefs(body)


def test_history_item_links_work_for_every_type(staff_client):
    account = AccountFactory(name="Acme")
    contact = ContactFactory(full_name="Carl Contact", account=account)
    lead = LeadFactory(full_name="Lena Lead")
    opportunity = OpportunityFactory(title="Big Deal", account=account)
    item = link(HistoryItemFactory(subject="Meeting"), account, contact, lead, opportunity)
    body = staff_client.get(item.get_absolute_url()).content.decode()
    expected = {f"/accounts/{account.pk}/", f"/contacts/{contact.pk}/", f"/leads/{lead.pk}/",
                f"/opportunities/{opportunity.pk}/"}
    assert expected <= hrefs(body)
    assert f"/contacts/{lead.pk}/" not in hrefs(body)
    for url in expected:
        assert staff_client.get(url).status_code == 200, url


def test_initiated_by_a_lead_links_to_the_lead(staff_client):
    referrer = LeadFactory(full_name="Lena Lead")
    contact = ContactFactory(full_name="Carl Contact", initiated_by_contact=referrer)
    body = staff_client.get(contact.get_absolute_url()).content.decode()
    assert f"/leads/{referrer.pk}/" in hrefs(body)
    assert staff_client.get(f"/leads/{referrer.pk}/").status_code == 200


@pytest.mark.parametrize("subpage", ["", "edit/", "history/", "changes/", "print/", "history/new/phone/"])
def test_a_converted_leads_old_pages_redirect_to_the_contact(staff_client, staff, subpage):
    lead = LeadFactory(full_name="Lena Lead")
    lead_convert(lead=lead, user=staff)
    response = staff_client.get(f"/leads/{lead.pk}/{subpage}?next=/")
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{lead.pk}/{subpage}?next=%2F"
    assert staff_client.get(response["Location"]).status_code == 200


def test_a_contact_url_of_a_lead_redirects_to_the_lead(staff_client):
    lead = LeadFactory(full_name="Lena Lead")
    response = staff_client.get(f"/contacts/{lead.pk}/history/")
    assert response.status_code == 302
    assert response["Location"] == f"/leads/{lead.pk}/history/"


def test_a_missing_record_or_another_tables_record_is_still_not_found(staff_client):
    account = AccountFactory()
    assert staff_client.get(f"/leads/{account.pk + 1000}/").status_code == 404
    # An account's primary key is no lead's or contact's.
    assert staff_client.get(f"/contacts/{account.pk}/").status_code == 404


def test_a_post_to_a_converted_leads_page_is_not_redirected(staff_client, staff):
    """A form sent to the old page is not turned into a GET of another page."""
    lead = LeadFactory(full_name="Lena Lead")
    lead_convert(lead=lead, user=staff)
    response = staff_client.post(f"/leads/{lead.pk}/edit/", {"full_name": "Changed"})
    assert response.status_code == 404
    assert BusinessContact.objects.get(pk=lead.pk).full_name == "Lena Lead"
