"""Edit several at once on a link to one record of several types ("Initiated
by", an opportunity's "Link to"): the value is picked in the Link to control,
the chosen type's key is set and the others cleared, in one change."""
import pytest
from django.urls import reverse

from crm.models import BusinessContact, ChangeLogEntry
from crm.tests.factories import AccountFactory
from leads.tests.factories import LeadFactory
from marketing.tests.factories import MarketingActivityFactory
from sales.models import Opportunity
from sales.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db

BULK = reverse("leads:lead_bulk", args=["edit"])


def test_initiated_by_is_offered_with_the_link_to_control(staff_client):
    lead = LeadFactory()
    page = staff_client.get(BULK, {"pk": lead.pk}).content.decode()
    assert '<option value="initiated_by">Initiated by</option>' in page
    value = staff_client.get(BULK, {"pk": lead.pk, "field": "initiated_by"},
                             headers={"HX-Request": "true", "HX-Target": "bulk-value"}).content.decode()
    assert 'data-types="account,contact,marketing_activity"' in value and "Link to…" in value


def test_bulk_edit_sets_a_marketing_activity_and_clears_the_account(staff_client):
    fair = MarketingActivityFactory(name="Spring fair")
    referrer = AccountFactory(name="Referrer AS")
    leads = [LeadFactory(full_name="Ann", initiated_by_account=referrer), LeadFactory(full_name="Bo")]
    response = staff_client.post(BULK, {"pk": [lead.pk for lead in leads], "field": "initiated_by",
                                        "value": f"marketing_activity:{fair.pk}", "_apply": "1"})
    assert response.status_code == 302
    assert list(BusinessContact.objects.order_by("full_name").values_list(
        "full_name", "initiated_by_account", "initiated_by_activity", "version")) == [
        ("Ann", None, fair.pk, 2), ("Bo", None, fair.pk, 2)]
    changes = ChangeLogEntry.objects.get(object_id=leads[0].pk, action="update").changes
    assert {name: (changes[name]["old"], changes[name]["new"]) for name in ("initiated_by_account",
                                                                           "initiated_by_activity")} == {
        "initiated_by_account": ("Referrer AS", ""), "initiated_by_activity": ("", "Spring fair")}


def test_clearing_a_required_link_is_refused_and_nothing_changes(staff_client):
    opportunity = OpportunityFactory(title="Fleet deal")
    url = reverse("sales:opportunity_bulk", args=["edit"])
    response = staff_client.post(url, {"pk": [opportunity.pk], "field": "linked", "clear": "on", "_apply": "1"})
    assert "“Link to” is required, so it cannot be cleared." in response.content.decode()
    stored = Opportunity.objects.get(pk=opportunity.pk)
    assert (stored.account_id, stored.version) == (opportunity.account_id, 1)
