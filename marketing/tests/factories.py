import datetime
from decimal import Decimal

import factory

from crm.models import MarketingActivity


class MarketingActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarketingActivity

    name = factory.Sequence(lambda n: f"Campaign {n:04d}")


def full_marketing_activity(**overrides) -> MarketingActivity:
    """A marketing activity with every field of its form filled in."""
    from crm.models import ListKind, ListValue
    from crm.tests.factories import CategoryFactory, UserFactory

    activity = MarketingActivityFactory(
        **{"activity_type": ListValue.objects.get(kind=ListKind.MARKETING_ACTIVITY_TYPE, name="Event"),
           "start_date": datetime.date(2026, 3, 2), "end_date": datetime.date(2026, 3, 4),
           "budget": Decimal("2500.00"), "assigned_to": UserFactory(), "comments": "Spring trade fair", **overrides})
    activity.categories.add(CategoryFactory())
    return activity


def initiated_deal(user, activity, title: str, lines: list[tuple[str, str]], probability: int, *,
                   stage_kind: str | None = "open", account=None):
    """An opportunity initiated by ``activity`` with (quantity, unit price) lines,
    saved as the form saves it (in the default stage, or in none), then won or
    lost as Mark closed does."""
    from crm.tests.factories import AccountFactory
    from sales import services
    from sales.models import Opportunity
    from sales.tests.factories import stage

    opportunity = Opportunity(title=title, account=account or AccountFactory(), assigned_to=user, probability=probability,
                              stage=stage() if stage_kind else None, initiated_by_activity=activity)
    services.opportunity_save(instance=opportunity, user=user, lines=[
        services.LineInput(product=None, description=f"{title} line {n}", quantity=Decimal(q), unit_price=Decimal(p))
        for n, (q, p) in enumerate(lines)])
    if stage_kind in ("won", "lost"):
        services.opportunities_close(queryset=Opportunity.objects.filter(pk=opportunity.pk), user=user,
                                     stage=stage(stage_kind))
    return Opportunity.objects.get(pk=opportunity.pk)


def campaign_with_results(user) -> MarketingActivity:
    """A trade fair with a budget of 2,000.00 that initiated:

    - leads: 3 still leads, 2 converted through the service (5 leads), and a
      business contact that never was a lead (not a lead);
    - opportunities: two open (2 × 500.00 at 40 % = 1,000.00, expected 400.00;
      3 × 100.00 in no stage at 50 % = 300.00, expected 150.00), two won
      (2,500.00 and 2 × 600.25 = 1,200.50) and one lost (999.00).

    Another activity's lead and won opportunity count for it, not here.
    Worked out by hand: 5 leads, 2 converted; 5 opportunities, 2 open,
    pipeline 1,300.00, expected 550.00; 2 won for 3,700.50; 1 lost; cost per
    lead 2,000.00 ÷ 5 = 400.00; return on budget 3,700.50 ÷ 2,000.00 = 185.0 %."""
    from crm.tests.factories import ContactFactory
    from leads import services as lead_services
    from leads.tests.factories import LeadFactory

    fair = MarketingActivityFactory(name="Spring fair", budget=Decimal("2000.00"))
    other = MarketingActivityFactory(name="Newsletter", budget=Decimal("100.00"))
    LeadFactory.create_batch(3, initiated_by_activity=fair)
    for lead in LeadFactory.create_batch(2, initiated_by_activity=fair):
        lead_services.lead_convert(lead=lead, user=user)
    ContactFactory(full_name="Direct contact", initiated_by_activity=fair)
    LeadFactory(initiated_by_activity=other)
    initiated_deal(user, fair, "Open one", [("2", "500.00")], 40)
    initiated_deal(user, fair, "Open, no stage", [("3", "100.00")], 50, stage_kind=None)
    initiated_deal(user, fair, "Won big", [("1", "2500.00")], 60, stage_kind="won")
    initiated_deal(user, fair, "Won small", [("2", "600.25")], 60, stage_kind="won")
    initiated_deal(user, fair, "Lost", [("1", "999.00")], 20, stage_kind="lost")
    initiated_deal(user, other, "Other's win", [("1", "7777.00")], 10, stage_kind="won")
    return fair
