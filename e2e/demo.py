"""Demo-like records for the browser tests that judge how pages look: a few
accounts, business contacts, rated and categorized leads, and opportunities
with product lines — with the long names, e-mail addresses and phone numbers
real lists have. Written through the services, as the forms write them."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

ACCOUNTS = [
    # name, phone, e-mail, city
    ("Northwind Traders International AS", "+47 22 41 87 90", "post@northwind-traders.example", "Oslo"),
    ("Contoso Ltd", "+33 4 72 10 20 30", "contact@contoso.example", "Lyon"),
    ("Fabrikam Inc", "+48 12 345 67 89", "biuro@fabrikam.example", "Kraków"),
    ("Wide World Importers", "+33 1 44 55 66 77", "sales@wideworldimporters.example", "Paris"),
    ("Tailspin Toys", "+62 22 420 1234", "halo@tailspin.example", "Bandung"),
]
PEOPLE = [
    # full name, job title, company, phone, e-mail, city
    ("Kristin Johansen-Berg", "Purchasing Manager", "Northwind Traders International AS", "+47 917 23 456",
     "kristin.johansen-berg@northwind-traders.example", "Oslo"),
    ("Jean-Baptiste Dubois", "Chief Executive Officer", "Contoso Ltd", "+33 6 12 34 56 78",
     "jean-baptiste.dubois@contoso.example", "Lyon"),
    ("Zofia Kowalska", "IT Director", "Fabrikam Inc", "+48 601 234 567", "zofia.kowalska@fabrikam.example", "Kraków"),
    ("Budi Santoso", "Office Manager", "Tailspin Toys", "+62 812 3456 7890", "budi.santoso@tailspin.example", "Bandung"),
]
LEADS = [
    # full name, company, phone, e-mail, score, categories
    ("Ingrid Marie Larsen", "Fjordline Shipping & Logistics AS", "+47 930 11 222", "ingrid.larsen@fjordline.example", 5,
     ["Key customer", "Prospect"]),
    ("Piotr Nowak", "Litware Inc", "+48 22 555 01 02", "piotr.nowak@litware.example", 4, ["Prospect"]),
    ("Dewi Wijaya", "Proseware", "+62 21 555 0303", "dewi@proseware.example", 2, []),
    ("Louis Lefebvre", "Coho Winery", "+33 5 56 00 11 22", "louis.lefebvre@cohowinery.example", 3, ["Partner"]),
]
CATEGORIES = [("Key customer", "#dc3545"), ("Partner", "#198754"), ("Prospect", "#0d6efd"), ("Supplier", "#fd7e14")]
STAGES = ["Prospecting", "Qualification", "Proposal", "Negotiation"]


@dataclass
class Demo:
    accounts: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    leads: list = field(default_factory=list)
    opportunities: list = field(default_factory=list)


def seed(user, colleague) -> Demo:
    """Create the demo records, assigned to ``user`` and ``colleague`` in turn."""
    from crm.generic import services as record_services
    from crm.models import Account, BusinessContact, Category, ListValue
    from leads.models import Lead
    from sales import services as sales_services
    from sales.models import Opportunity, Product, SalesStage

    from e2e.conftest import restore_shipped_criteria

    restore_shipped_criteria()
    demo = Demo()
    users = [user, colleague]
    categories = {name: Category.objects.get_or_create(name=name, defaults={"colour": colour})[0]
                  for name, colour in CATEGORIES}
    source, _created = ListValue.objects.get_or_create(kind="source", name="Trade fair")
    for index, (name, phone, email, city) in enumerate(ACCOUNTS):
        demo.accounts.append(record_services.record_create(
            instance=Account(name=name, business_phone=phone, email=email, business_city=city,
                             assigned_to=users[index % 2],
                             comments="Head office in the city centre.\nPrefers e-mail before calls."),
            user=user, m2m={"categories": [categories["Key customer"], categories["Partner"]][:index % 3]}))
    for index, (name, title, company, phone, email, city) in enumerate(PEOPLE):
        demo.contacts.append(record_services.record_create(
            instance=BusinessContact(full_name=name, job_title=title, company_name=company, account=demo.accounts[index],
                                     business_phone=phone, email=email, business_city=city, assigned_to=users[index % 2]),
            user=user, m2m={"categories": [categories["Partner"]] if index % 2 else []}))
    for index, (name, company, phone, email, score, names) in enumerate(LEADS):
        lead = record_services.record_create(
            instance=Lead(is_lead=True, full_name=name, company_name=company, business_phone=phone, email=email, source=source,
                          score_type=BusinessContact.ScoreType.MANUAL, manual_score=score, assigned_to=users[index % 2]),
            user=user, m2m={"categories": [categories[n] for n in names]})
        demo.leads.append(lead)

    for position, name in enumerate(STAGES, start=1):
        SalesStage.objects.get_or_create(name=name, defaults={"position": position, "is_default": position == 1})
    SalesStage.objects.get_or_create(kind=SalesStage.Kind.WON, defaults={"name": "Closed Won", "position": 1000})
    SalesStage.objects.get_or_create(kind=SalesStage.Kind.LOST, defaults={"name": "Closed Lost", "position": 1001})
    chair = Product.objects.create(name="Office chair Ergo", unit_price=Decimal("349.00"))
    desk = Product.objects.create(name="Standing desk 160", unit_price=Decimal("899.00"))
    today = timezone.localdate()
    for index, account in enumerate(demo.accounts[:4]):
        stage = SalesStage.objects.get(name=STAGES[index])
        lines = [sales_services.LineInput(product=chair, description="", quantity=Decimal(12), unit_price=chair.unit_price,
                                          discount_percent=Decimal(10)),
                 sales_services.LineInput(product=None, description="Delivery and installation", quantity=Decimal("6.5"),
                                          unit_price=Decimal("85.00"), discount_percent=Decimal(0))]
        if index % 2:
            lines.append(sales_services.LineInput(product=desk, description="", quantity=Decimal(4),
                                                  unit_price=desk.unit_price, discount_percent=Decimal(5)))
        demo.opportunities.append(sales_services.opportunity_save(
            instance=Opportunity(title=f"{account.name}: office refit", account=account, stage=stage,
                                 probability=[10, 30, 60, 80][index], close_date=today + datetime.timedelta(days=20 * (index + 1)),
                                 assigned_to=users[index % 2], competitors="Steelcase\nIKEA Business"),
            user=user, lines=lines))
    return demo
