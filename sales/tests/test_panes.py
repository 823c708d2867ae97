"""The Opportunities section sales adds to the panes of accounts and business
contacts (SalesConfig.ready, crm.generic.panes): on their pages and reading
panes, not on a lead's, in a number of queries that does not grow with them."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.tests.factories import AccountFactory, ContactFactory
from leads.tests.factories import LeadFactory
from sales.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db

PANE = {"HX-Request": "true", "HX-Target": "reading-pane"}


def queries(client, url, **headers) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        body = client.get(url, headers=headers).content.decode()
    return len(captured), body


@pytest.mark.parametrize("headers", [{}, PANE], ids=["page", "pane"])
def test_accounts_and_contacts_show_their_opportunities_in_flat_queries(staff_client, headers):
    account, contact = AccountFactory(name="Litware"), ContactFactory(full_name="Anna Hansen")
    for record, link in ((account, {"account": account}), (contact, {"account": None, "contact": contact})):
        OpportunityFactory(title="First deal", **link)
        url = record.get_absolute_url()
        staff_client.get(url)
        few, body = queries(staff_client, url, **headers)
        assert 'class="mb-3 related-opportunities"' in body and "First deal" in body
        OpportunityFactory.create_batch(12, **link)
        many, body = queries(staff_client, url, **headers)
        assert many == few
        assert body.count("<li><a href=\"/opportunities/") == 10 and "Show all" in body


def test_a_lead_has_no_opportunities_section(staff_client):
    lead = LeadFactory(full_name="Lena Lead")
    for headers in ({}, PANE):
        body = staff_client.get(lead.get_absolute_url(), headers=headers).content.decode()
        assert "Lena Lead" in body and "related-opportunities" not in body
