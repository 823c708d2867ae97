"""The demo marketing activities (a step of ``crm.generic.demo``, after crm's,
leads' and sales'): four campaigns with budgets, and what they brought in —
leads from the trade fair and the newsletter, two of them converted with an
opportunity each (one won), and opportunities of the demo accounts initiated
by the mailing and the web campaign. Written through the services, as the
pages would (lead_convert carries the lead's Initiated by to its
opportunity), so each activity's tracking page has figures to show."""
from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from crm import services as crm_services
from crm.demo import COMPANIES, FIRST, LAST, TITLES
from crm.generic import demo
from crm.generic import services as record_services
from crm.models import Account, BusinessContact, ListKind, ListValue, MarketingActivity
from leads import services as lead_services
from leads.models import Lead
from sales import services as sales_services
from sales.models import Opportunity, Product, SalesStage

# name, type, first day and last day (from today), budget, comments
ACTIVITIES = [
    ("Spring trade fair Oslo", "Event", -60, -58, "12000.00",
     "Stand B12 with the new standing desks; two demo chairs and the meeting table."),
    ("Newsletter: spring range", "E-mail", -45, -45, "800.00", "Sent to 2,400 subscribers; 31 % opened it."),
    ("Direct mail to prospects", "Direct mail", -30, -10, "2500.00", "Printed catalogue to 300 offices in Norway."),
    ("Web banner campaign", "Advertisement", -20, 40, "4000.00", ""),
]
# The people the fair and the newsletter brought in: (activity, source, account index, converted with …)
VISITORS = [
    (0, "Event", 0, "won"), (0, "Event", 4, "open"), (0, "Event", 9, None),
    (1, "E-mail marketing", 2, None), (1, "E-mail marketing", 6, None),
]


@demo.step(order=400)
def seed_marketing(data: demo.DemoData) -> list[str]:
    """The activities and what they brought in, unless the demo's activities are there already."""
    if not data.users or MarketingActivity.objects.filter(name__in=[a[0] for a in ACTIVITIES]).exists():
        return []
    accounts = list(Account.objects.filter(name__in=[name for name, _c, _n in COMPANIES]).order_by("name"))
    products = list(Product.objects.filter(active=True).order_by("name"))
    if not accounts or not products:
        return []
    activities = _activities(data.users)
    _visitors(data, activities, accounts, products)
    _campaign_deals(data, activities, accounts, products)
    return ["marketing activities"]


def _activities(users) -> list[MarketingActivity]:
    types = {v.name: v for v in ListValue.objects.filter(kind=ListKind.MARKETING_ACTIVITY_TYPE)}
    today = timezone.localdate()
    activities = []
    for index, (name, kind, first, last, budget, comments) in enumerate(ACTIVITIES):
        activities.append(record_services.record_create(instance=MarketingActivity(
            name=name, activity_type=types.get(kind), start_date=today + datetime.timedelta(days=first),
            end_date=today + datetime.timedelta(days=last), budget=Decimal(budget), comments=comments,
            assigned_to=users[index % len(users)]), user=users[0]))
    return activities


def _lines(rng, products) -> list[sales_services.LineInput]:
    return [sales_services.LineInput(product=product, description="", quantity=Decimal(rng.randint(2, 10)),
                                     unit_price=product.unit_price)
            for product in rng.sample(products, min(2, len(products)))]


def _visitors(data: demo.DemoData, activities, accounts, products) -> None:
    """Leads from the fair and the newsletter: people of the demo accounts
    (new colleagues met there); two from the fair are converted with an
    opportunity, one of which is won."""
    rng, users = data.rng, data.users
    sources = {v.name: v for v in ListValue.objects.filter(kind=ListKind.SOURCE)}
    taken = set(BusinessContact.objects.values_list("full_name", flat=True))
    names = [name for name in (f"{first} {last}" for last in reversed(LAST) for first in reversed(FIRST))
             if name not in taken]
    stages = list(SalesStage.objects.filter(kind=SalesStage.Kind.OPEN).order_by("position", "id"))
    won = SalesStage.objects.filter(kind=SalesStage.Kind.WON).first()
    for index, (activity, source, account_index, outcome) in enumerate(VISITORS):
        account = accounts[account_index % len(accounts)]
        full_name = names[index]
        owner = users[(index + 1) % len(users)]
        lead = crm_services.person_save(instance=Lead(
            is_lead=True, full_name=full_name, company_name=account.name, account=account, job_title=rng.choice(TITLES),
            email=f"{full_name.lower().replace(' ', '.')}.{index}@{account.name.lower().replace(' ', '')}.example",
            source=sources.get(source), initiated_by_activity=activities[activity], assigned_to=owner,
        ), user=owner, criteria=[])
        if outcome is None:
            continue
        contact = lead_services.lead_convert(lead=lead, user=owner, opportunity_title=f"{account}: {full_name}'s order")
        deal = Opportunity.objects.get(pk=contact.new_opportunity.pk)
        # Its products and services, and where it stands now: won, or further on (in one save, as the form does).
        deal.stage = won if outcome == "won" and won else (stages[min(2, len(stages) - 1)] if stages else None)
        deal.probability = 60
        sales_services.opportunity_save(instance=deal, user=owner, lines=_lines(rng, products), done_activities=[])


def _campaign_deals(data: demo.DemoData, activities, accounts, products) -> None:
    """Opportunities of demo accounts that the mailing (lost) and the web
    campaign (open) brought in; the lost one is closed as Mark closed does."""
    rng, users = data.rng, data.users
    stages = list(SalesStage.objects.filter(kind=SalesStage.Kind.OPEN).order_by("position", "id"))
    lost = SalesStage.objects.filter(kind=SalesStage.Kind.LOST).first()
    sources = {v.name: v for v in ListValue.objects.filter(kind=ListKind.SOURCE)}
    today = timezone.localdate()
    for activity, account, stage, source, title in [
        (activities[2], accounts[1], lost, "Other", "catalogue order"),
        (activities[3], accounts[7], stages[0] if stages else None, "Web", "chairs for the new office"),
        (activities[3], accounts[3], stages[-1] if stages else None, "Web", "meeting rooms"),
    ]:
        owner = users[rng.randrange(len(users))]
        deal = sales_services.opportunity_save(instance=Opportunity(
            title=f"{account}: {title}", account=account, stage=stages[0] if stage == lost and stages else stage,
            probability=30, assigned_to=owner, close_date=today + datetime.timedelta(days=rng.randint(10, 90)),
            initiated_by_activity=activity, source=sources.get(source),
        ), user=owner, lines=_lines(rng, products), done_activities=[])
        if stage is not None and stage.is_closed:
            sales_services.opportunities_close(queryset=Opportunity.objects.filter(pk=deal.pk), user=users[0],
                                               stage=stage, close_date=today - datetime.timedelta(days=rng.randint(1, 9)))
