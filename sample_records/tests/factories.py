import datetime
from decimal import Decimal

import factory

from crm.tests.factories import AccountFactory, CategoryFactory, ContactFactory, UserFactory
from sample_records.models import SiteVisit


class SiteVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SiteVisit

    title = factory.Sequence(lambda n: f"Visit {n:04d}")
    visit_date = datetime.date(2026, 3, 2)
    account = factory.SubFactory(AccountFactory)


def full_site_visit(**overrides) -> SiteVisit:
    """A site visit with every field of its form filled in (the link to a
    business contact, the other key empty as the rule wants)."""
    visit = SiteVisitFactory(
        title="Fully filled visit", visit_date=datetime.date(2026, 4, 15), kind=SiteVisit.Kind.INSTALLATION,
        expenses=Decimal("1250.50"), account=None, contact=ContactFactory(full_name="Visited Person"),
        assigned_to=UserFactory(username="carol"), comments="First line\nSecond line with <b>bold</b>", **overrides)
    visit.categories.add(CategoryFactory(name="Key customer"), CategoryFactory(name="Partner"))
    return visit
