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


def ensure_shipped_stages() -> None:
    """The stages, activities and lists a new database starts with
    (sales/migrations/0002_shipped_stages_and_lists.py), put back where they
    are missing: a transactional test flushes the database afterwards, taking
    the data migration's rows with it."""
    import importlib

    from crm.models import ListValue

    shipped = importlib.import_module("sales.migrations.0002_shipped_stages_and_lists")
    for position, (name, activities) in enumerate(shipped.STAGES, start=1):
        open_stage, _ = SalesStage.objects.get_or_create(
            name=name, defaults={"position": position, "is_default": position == 1})
        for index, (activity, days) in enumerate(activities, start=1):
            SalesActivity.objects.get_or_create(stage=open_stage, name=activity,
                                                defaults={"duration_days": days, "position": index})
    SalesStage.objects.get_or_create(kind=SalesStage.Kind.WON, defaults={"name": "Closed Won", "position": 1000})
    SalesStage.objects.get_or_create(kind=SalesStage.Kind.LOST, defaults={"name": "Closed Lost", "position": 1001})
    for kind, names in shipped.LISTS.items():
        for position, name in enumerate(names, start=1):
            ListValue.objects.get_or_create(kind=kind, name=name, defaults={"position": position})


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


def full_opportunity() -> Opportunity:
    """An opportunity with every field of its form filled in: type, payment terms,
    dates, source, initiated by, competitors, a stage with one activity done, a
    reminder, two lines (a catalogue item and free text), categories, comments."""
    import datetime

    from django.utils import timezone

    from crm.models import ListValue
    from crm.tests.factories import CategoryFactory, ContactFactory, UserFactory
    from sales import services

    open_stage = StageFactory(name="Negotiation (full)")
    first, _second = ActivityFactory(stage=open_stage, name="Send offer"), ActivityFactory(stage=open_stage, name="Call")
    owner = UserFactory(username="carol")
    opportunity = Opportunity(
        title="Fully filled deal", assigned_to=owner, contact=ContactFactory(full_name="Linked Person"),
        opportunity_type=ListValue.objects.get_or_create(kind="opportunity_type", name="New business")[0],
        payment_terms=ListValue.objects.get_or_create(kind="payment_terms", name="Net 30")[0], probability=40,
        close_date=datetime.date(2026, 12, 31), expiration_date=datetime.date(2026, 12, 15),
        delivery_date=datetime.date(2027, 1, 20), source=ListValue.objects.get_or_create(kind="source", name="Web site")[0],
        initiated_by_account=AccountFactory(name="Referrer AS"), competitors="Globex\nInitech <b>bold</b>",
        stage=open_stage, reminder=True,
        reminder_at=timezone.make_aware(datetime.datetime(2026, 12, 1, 9, 30)),
        comments="First line\nSecond line with <b>bold</b>")
    lines = [services.LineInput(product=ProductFactory(name="Van", unit_price=Decimal("30000.00")), description="Van",
                                quantity=Decimal(2), unit_price=Decimal("30000.00"), discount_percent=Decimal(5)),
             services.LineInput(product=None, description="Winter tyres", quantity=Decimal(8),
                                unit_price=Decimal("149.90"))]
    services.opportunity_save(instance=opportunity, user=owner, lines=lines, done_activities=[first.pk],
                              m2m={"categories": [CategoryFactory(name="Key customer"), CategoryFactory(name="Partner")]})
    return opportunity


def opportunity_related_state(opportunity: Opportunity) -> dict:
    """The lines and ticked activities a save writes beside the opportunity's own fields."""
    return {
        "lines": [(line.product_id, line.description, line.quantity, line.unit_price, line.discount_percent,
                   line.line_total, line.position) for line in opportunity.lines.order_by("position")],
        "done": sorted(opportunity.activities_done.values_list("activity_id", flat=True)),
    }
