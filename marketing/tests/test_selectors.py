"""What a marketing activity brought in: the tracking figures against sums
worked out by hand, the ratios as pure functions, and a query count that does
not grow with the number of leads and opportunities."""
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.models import BusinessContact
from leads.tests.factories import LeadFactory
from marketing import selectors
from marketing.tests.factories import MarketingActivityFactory, initiated_deal
from sales.models import Opportunity

pytestmark = pytest.mark.django_db


# --- the ratios, without the database -------------------------------------------------------

@pytest.mark.parametrize("budget, leads, expected", [
    (Decimal("2000.00"), 5, Decimal("400.00")),
    (Decimal("1000.00"), 3, Decimal("333.33")),
    (Decimal("1000.00"), 6, Decimal("166.67")),   # 166.666… half up
    (Decimal("0.00"), 4, Decimal("0.00")),        # a free activity: nothing a lead
    (None, 4, None),                              # no budget
    (Decimal("1000.00"), 0, None),                # no leads
])
def test_cost_per_lead(budget, leads, expected):
    assert selectors.cost_per_lead(budget, leads) == expected


@pytest.mark.parametrize("won, budget, expected", [
    (Decimal("3700.50"), Decimal("2000.00"), Decimal("185.0")),    # 185.025 % to one decimal
    (Decimal("5000.00"), Decimal("2000.00"), Decimal("250.0")),
    (Decimal("1.00"), Decimal("3.00"), Decimal("33.3")),
    (Decimal("2.00"), Decimal("3.00"), Decimal("66.7")),
    (Decimal("0.00"), Decimal("800.00"), Decimal("0.0")),
    (Decimal("100.00"), None, None),
    (Decimal("100.00"), Decimal("0.00"), None),                    # nothing to divide by
])
def test_return_on_budget_is_a_percentage(won, budget, expected):
    assert selectors.return_on_budget(won, budget) == expected


# --- the figures (the ``campaign`` fixture: marketing/tests/conftest.py) ------------------------

def test_figures_match_the_sums_worked_out_by_hand(campaign):
    figures = selectors.tracking_figures(campaign)
    assert figures == selectors.TrackingFigures(
        budget=Decimal("2000.00"), leads=5, leads_converted=2, leads_open=3, contacts=3,
        opportunities=5, open_opportunities=2, pipeline_value=Decimal("1300.00"), expected_revenue=Decimal("550.00"),
        won_count=2, won_revenue=Decimal("3700.50"), lost_count=1)
    assert figures.cost_per_lead == Decimal("400.00")
    assert figures.return_on_budget == Decimal("185.0")


def test_figures_agree_with_the_stored_records(campaign):
    """The SQL sums equal the same sums over the records in Python."""
    mine = list(Opportunity.objects.filter(initiated_by_activity=campaign).select_related("stage"))
    open_ones = [o for o in mine if not o.is_closed]
    figures = selectors.tracking_figures(campaign)
    assert figures.pipeline_value == sum(o.total for o in open_ones)
    assert figures.expected_revenue == sum(o.expected_revenue for o in open_ones)
    assert figures.won_revenue == sum(o.total for o in mine if o.stage and o.stage.kind == "won")
    people = BusinessContact.objects.filter(initiated_by_activity=campaign)
    assert figures.leads == sum(1 for p in people if p.is_lead or p.converted_on)


def test_an_activity_that_brought_nothing_has_zeros_and_no_ratios():
    figures = selectors.tracking_figures(MarketingActivityFactory(budget=None))
    assert (figures.leads, figures.opportunities, figures.pipeline_value, figures.won_revenue) == (
        0, 0, Decimal("0.00"), Decimal("0.00"))
    assert figures.cost_per_lead is None and figures.return_on_budget is None


def test_the_previews_are_the_first_rows_in_the_lists_order(campaign):
    leads = selectors.initiated_leads(campaign)
    assert len(leads) == 5 and all(p.initiated_by_activity_id == campaign.pk for p in leads)
    assert [p.file_as.lower() for p in leads] == sorted(p.file_as.lower() for p in leads)
    assert "Direct contact" not in [p.full_name for p in leads]   # never a lead
    assert [o.title for o in selectors.initiated_opportunities(campaign)] == [
        "Lost", "Open one", "Open, no stage", "Won big", "Won small"]
    assert len(selectors.initiated_opportunities(campaign, limit=2)) == 2


def test_figures_and_previews_take_four_queries_at_any_size(campaign, staff, django_assert_num_queries):
    def read():
        selectors.tracking_figures(campaign)
        selectors.initiated_leads(campaign)
        selectors.initiated_opportunities(campaign)

    with django_assert_num_queries(4):
        read()
    LeadFactory.create_batch(15, initiated_by_activity=campaign)
    for n in range(12):
        initiated_deal(staff, campaign, f"More {n}", [("1", "10.00")], 10)
    with django_assert_num_queries(4):
        read()
    assert selectors.tracking_figures(campaign).leads == 20


def test_a_converted_lead_counts_by_its_conversion_day_not_its_flag(campaign):
    """A business contact the activity initiated counts as a lead only if it was
    one: converted_on says so (set by lead_convert)."""
    assert BusinessContact.objects.filter(initiated_by_activity=campaign, is_lead=False,
                                          converted_on=timezone.localdate()).count() == 2
