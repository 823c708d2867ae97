"""The demo's marketing activities (marketing/demo.py): campaigns with budgets
whose tracking pages have something to show, written through the services."""
import io

import pytest
from django.core.management import call_command

from crm.models import BusinessContact, ChangeLogEntry, MarketingActivity
from marketing.selectors import tracking_figures
from sales.models import Opportunity

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_the_demo_has_activities_that_brought_in_leads_and_opportunities():
    assert "marketing activities" in seed()
    activities = {a.name: a for a in MarketingActivity.objects.select_related("activity_type")}
    assert len(activities) == 4
    assert all(a.budget and a.activity_type and a.start_date <= a.end_date for a in activities.values())
    fair = tracking_figures(activities["Spring trade fair Oslo"])
    assert (fair.leads, fair.leads_converted, fair.won_count) == (3, 2, 1) and fair.won_revenue > 0
    assert fair.return_on_budget is not None and fair.cost_per_lead is not None
    assert tracking_figures(activities["Newsletter: spring range"]).leads_open == 2
    assert tracking_figures(activities["Direct mail to prospects"]).lost_count == 1
    assert tracking_figures(activities["Web banner campaign"]).open_opportunities == 2
    # The opportunities of converted leads carry the lead's Initiated by (leads.services.lead_convert).
    converted = BusinessContact.objects.filter(initiated_by_activity=activities["Spring trade fair Oslo"],
                                               converted_on__isnull=False)
    assert set(Opportunity.objects.filter(contact__in=converted).values_list("initiated_by_activity", flat=True)) == {
        activities["Spring trade fair Oslo"].pk}
    # Written through the services: each activity's creation is in its change log.
    assert ChangeLogEntry.objects.filter(action="create", object_repr__in=activities).count() == 4


def test_a_second_run_adds_no_activity():
    seed()
    counts = (MarketingActivity.objects.count(), BusinessContact.objects.count(), Opportunity.objects.count())
    assert "Demo data already loaded." in seed()
    assert (MarketingActivity.objects.count(), BusinessContact.objects.count(), Opportunity.objects.count()) == counts
