import factory
from decimal import Decimal

from crm.tests.factories import AccountFactory
from sales.models import Opportunity, OpportunityLine, Product, SalesActivity, SalesStage


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n:03d}")
    unit_price = Decimal("100.00")


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesStage

    name = factory.Sequence(lambda n: f"Stage {n}")
    position = factory.Sequence(lambda n: 100 + n)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesActivity

    stage = factory.SubFactory(StageFactory)
    name = factory.Sequence(lambda n: f"Activity {n}")
    duration_days = 2


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    title = factory.Sequence(lambda n: f"Opportunity {n:04d}")
    account = factory.SubFactory(AccountFactory)


class LineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpportunityLine

    opportunity = factory.SubFactory(OpportunityFactory)
    description = factory.Sequence(lambda n: f"Line {n}")
    quantity = Decimal(1)
    unit_price = Decimal("10.00")


def stage(kind: str = "open", name: str | None = None) -> SalesStage:
    """A shipped stage: the built-in closed ones by kind, or an open one by name."""
    if kind != "open":
        return SalesStage.objects.get(kind=kind)
    return SalesStage.objects.get(name=name) if name else SalesStage.objects.get(is_default=True)


def create_won_opportunity(**kwargs) -> Opportunity:
    """A closed (won) opportunity, as the services leave it."""
    from django.utils import timezone

    today = timezone.localdate()
    return OpportunityFactory(stage=stage("won"), probability=100, close_date=today, stage_entered_on=today, **kwargs)
