"""The demo catalogue and opportunities (a step of ``crm.generic.demo``, after
crm's and leads'): products and services, then a few opportunities in every
sales stage for the demo accounts and business contacts, written through the
sales services, so totals, versions and change logs are what the pages would
have written."""
from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from crm.demo import COMPANIES
from crm.generic import demo
from crm.models import Account, BusinessContact, ListKind, ListValue
from sales import services as sales_services
from sales.models import Opportunity, Product, SalesListKind, SalesStage

PRODUCTS = [
    ("Office chair Ergo", "349.00", "Adjustable office chair, black."),
    ("Standing desk 160", "899.00", "Electric sit-stand desk, 160 × 80 cm."),
    ("Installation (per hour)", "85.00", "On-site installation by a technician."),
    ("Service contract, 1 year", "1200.00", "Maintenance and replacement parts for a year."),
    ("Meeting table 8p", "1490.00", "Oak meeting table for eight."),
]

OPPORTUNITIES_PER_STAGE = 3
OPPORTUNITY_TOPICS = ["office refit", "service renewal", "new meeting rooms", "standing desks", "second office"]


@demo.step(order=300)
def seed_opportunities(data: demo.DemoData) -> list[str]:
    """The catalogue (each product once), then the opportunities unless the
    demo accounts have some already."""
    products = _products()
    return ["opportunities"] if _opportunities(data.rng, data.users, products) else []


def _products() -> list[Product]:
    """The product catalogue (each product once)."""
    products = []
    for name, price, description in PRODUCTS:
        product = Product.objects.filter(name=name).first()
        if product is None:
            product = sales_services.product_save(product=Product(
                name=name, unit_price=Decimal(price), unit_cost=(Decimal(price) * Decimal("0.6")).quantize(Decimal("0.01")),
                description=description))
        products.append(product)
    return products


def _opportunities(rng, users, products) -> bool:
    """A few opportunities in every sales stage (the open ones, Closed Won
    and Closed Lost), with products and services, for the demo accounts
    and business contacts; open ones have some of their activities done."""
    accounts = list(Account.objects.filter(name__in=[name for name, _c, _n in COMPANIES]).order_by("name"))
    contacts = list(BusinessContact.objects.filter(is_lead=False, account__in=accounts).order_by("full_name", "pk"))
    if not accounts or Opportunity.objects.filter(Q(account__in=accounts) | Q(contact__in=contacts)).exists():
        return False
    owner = users[0]
    types = list(ListValue.objects.filter(kind=SalesListKind.OPPORTUNITY_TYPE))
    terms = list(ListValue.objects.filter(kind=SalesListKind.PAYMENT_TERMS))
    sources = list(ListValue.objects.filter(kind=ListKind.SOURCE))
    open_stages = list(SalesStage.objects.filter(kind=SalesStage.Kind.OPEN).order_by("position", "id"))
    closed_stages = list(SalesStage.objects.exclude(kind=SalesStage.Kind.OPEN).order_by("position", "id"))
    first_open = open_stages[0] if open_stages else None
    today = timezone.localdate()
    number = 0
    for stage_index, stage in enumerate([*open_stages, *closed_stages]):
        for _ in range(OPPORTUNITIES_PER_STAGE):
            linked = accounts[number % len(accounts)] if number % 3 or not contacts else contacts[number % len(contacts)]
            number += 1
            user = users[number % len(users)]
            lines = [
                sales_services.LineInput(product=product, description="", quantity=Decimal(rng.randint(1, 12)),
                                         unit_price=product.unit_price, discount_percent=Decimal(rng.choice([0, 0, 5, 10])))
                for product in rng.sample(products, rng.randint(1, 3))
            ]
            # Closed ones are won or lost from an open stage, as a person does it.
            start_stage = stage if not stage.is_closed else first_open
            probability = min(90, 10 + 80 * stage_index // max(1, len(open_stages))) if not stage.is_closed else 50
            opportunity = Opportunity(
                title=f"{linked}: {OPPORTUNITY_TOPICS[number % len(OPPORTUNITY_TOPICS)]}", stage=start_stage,
                probability=probability, close_date=today + datetime.timedelta(days=rng.randint(10, 120)),
                assigned_to=user, opportunity_type=rng.choice(types) if types else None,
                payment_terms=rng.choice(terms) if terms else None, source=rng.choice(sources) if sources else None,
            )
            if isinstance(linked, Account):
                opportunity.account = linked
            else:
                opportunity.contact = linked
            done = []
            if start_stage is not None and not stage.is_closed:
                activities = list(start_stage.activities.order_by("position", "id").values_list("pk", flat=True))
                done = activities[:rng.randint(0, len(activities))]
            opportunity = sales_services.opportunity_save(instance=opportunity, user=user, lines=lines,
                                                          done_activities=done)
            if stage.is_closed:
                sales_services.opportunities_close(
                    queryset=Opportunity.objects.filter(pk=opportunity.pk), user=owner, stage=stage,
                    close_date=today - datetime.timedelta(days=rng.randint(1, 60)))
    return True
