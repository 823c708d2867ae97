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
