"""The Link to dialog lists the record types of every app, each on its own."""
import pytest
from django.urls import reverse

from crm.tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("chosen", "listed"), [("lead", "Lena Lead"), ("opportunity", "Big Deal"),
                                                ("account", "Acme"), ("contact", "Carl Contact")])
def test_link_to_record_lists_only_the_chosen_type(staff_client, chosen, listed):
    from leads.tests.factories import LeadFactory
    from sales.tests.factories import OpportunityFactory

    account = AccountFactory(name="Acme")
    ContactFactory(full_name="Carl Contact")
    LeadFactory(full_name="Lena Lead")
    OpportunityFactory(title="Big Deal", account=account)
    types = "account,contact,lead,opportunity"
    body = staff_client.get(reverse("crm:link_to_search"), {"types": types, "type": chosen}).content.decode()
    assert listed in body
    for other in {"Acme", "Carl Contact", "Lena Lead", "Big Deal"} - {listed}:
        assert other not in body
