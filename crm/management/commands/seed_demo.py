"""Load demo data the first time (`make run` calls this every time; it only
seeds an empty database) and print the demo sign-in."""
import datetime
import random

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from crm import services
from crm.generic import services as record_services
from crm.models import Account, BusinessContact, Category, HistoryItem, ListValue
from crm.permissions import OWNER_GROUP

DEMO_USERS = [
    # username, password, first, last, owner?
    ("owner", "owner-demo-2026", "Olivia", "Owner", True),
    ("alice", "alice-demo-2026", "Alice", "Martin", False),
    ("bob", "bob-demo-2026", "Bob", "Nowak", False),
]

COMPANIES = [
    ("Northwind Traders", "Oslo", "Norway"), ("Contoso Ltd", "Lyon", "France"), ("Fabrikam Inc", "Kraków", "Poland"),
    ("Tailspin Toys", "Bandung", "Indonesia"), ("Adventure Works", "Bergen", "Norway"), ("Wide World Importers", "Paris", "France"),
    ("Litware Inc", "Gdańsk", "Poland"), ("Proseware", "Jakarta", "Indonesia"), ("Coho Winery", "Bordeaux", "France"),
    ("Fourth Coffee", "Trondheim", "Norway"),
]
FIRST = ["Anna", "Jean", "Ola", "Kari", "Piotr", "Maria", "Budi", "Sari", "Louis", "Zofia", "Ingrid", "Dewi"]
LAST = ["Hansen", "Dubois", "Kowalski", "Santoso", "Larsen", "Moreau", "Nowak", "Wijaya", "Berg", "Lefebvre"]
TITLES = ["Purchasing Manager", "CEO", "IT Director", "Office Manager", "Sales Director", "CFO"]


class Command(BaseCommand):
    help = "Create demo users and records on an empty database, and print the demo sign-in."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Seed even if users exist.")

    def handle(self, *args, force=False, **options):
        if User.objects.exists() and not force:
            self.stdout.write("Demo data already loaded.")
        else:
            self.seed()
        self.stdout.write(self.style.SUCCESS("\nSign in at http://127.0.0.1:8000/ with one of:"))
        for username, password, first, last, owner in DEMO_USERS:
            role = "database owner" if owner else "sales staff"
            self.stdout.write(f"  {username:6} / {password:18} ({first} {last}, {role})")
        self.stdout.write("")

    @transaction.atomic
    def seed(self):
        rng = random.Random(2026)
        owners = Group.objects.get(name=OWNER_GROUP)
        users = []
        for username, password, first, last, owner in DEMO_USERS:
            user = User.objects.create_user(username, f"{username}@example.com", password, first_name=first, last_name=last)
            if owner:
                user.groups.add(owners)
            users.append(user)
        owner, alice, bob = users
        categories = [
            Category.objects.create(name=name, colour=colour)
            for name, colour in [("Key customer", "#dc3545"), ("Partner", "#198754"), ("Prospect", "#0d6efd"), ("Supplier", "#fd7e14")]
        ]
        sources = list(ListValue.objects.filter(kind="source"))
        now = timezone.now()
        for index, (name, city, country) in enumerate(COMPANIES):
            account = record_services.record_create(
                instance=Account(
                    name=name, business_phone=f"+47 22 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                    email=f"info@{name.split()[0].lower()}.example", web_page=f"https://{name.split()[0].lower()}.example",
                    business_street=f"{rng.randint(1, 120)} Market Street", business_city=city, business_country=country,
                    assigned_to=rng.choice(users),
                ),
                user=owner, m2m={"categories": rng.sample(categories, rng.randint(0, 2))},
            )
            for _ in range(rng.randint(2, 4)):
                first, last = rng.choice(FIRST), rng.choice(LAST)
                contact = record_services.record_create(
                    instance=BusinessContact(
                        full_name=f"{first} {last}", job_title=rng.choice(TITLES), company_name=name, account=account,
                        email=f"{first}.{last}@{name.split()[0].lower()}.example".lower(),
                        business_phone=f"+33 4 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                        business_city=city, business_country=country, source=rng.choice(sources), assigned_to=rng.choice(users),
                    ),
                    user=rng.choice(users), m2m={"categories": rng.sample(categories, rng.randint(0, 1))},
                )
                author = rng.choice(users)
                services.history_item_create(
                    item=HistoryItem(kind="phone", subject=f"Call about {rng.choice(['pricing', 'delivery', 'a demo', 'renewal'])}",
                                     occurred_at=now - datetime.timedelta(days=rng.randint(0, 60), hours=rng.randint(0, 8)),
                                     direction="out", phone_number=contact.business_phone, duration_minutes=rng.randint(3, 40),
                                     author=author),
                    user=author, records=[contact],
                )
                services.history_item_create(
                    item=HistoryItem(kind="note", subject="Meeting notes",
                                     occurred_at=now - datetime.timedelta(days=rng.randint(0, 90)),
                                     body="Interested in the spring range. Send a quote.", author=author),
                    user=author, records=[contact, account],
                )
            services.history_item_create(
                item=HistoryItem(kind="task", subject=f"Follow up with {name}", due_date=(now + datetime.timedelta(days=index - 3)).date(),
                                 status="not_started", priority="normal", assigned_to=rng.choice([alice, bob]), author=owner),
                user=owner, records=[account],
            )
        self.seed_sales(rng, users)

    def seed_sales(self, rng, users):
        """A small catalogue and one or two opportunities per account, some closed."""
        from decimal import Decimal

        from sales import services as sales_services
        from sales.models import Opportunity, Product, SalesStage

        owner = users[0]
        products = [
            Product.objects.create(name=name, unit_price=Decimal(price), unit_cost=Decimal(price) * Decimal("0.6"),
                                   description=description)
            for name, price, description in [
                ("Office chair Ergo", "349.00", "Adjustable office chair, black."),
                ("Standing desk 160", "899.00", "Electric sit-stand desk, 160 × 80 cm."),
                ("Installation (per hour)", "85.00", "On-site installation by a technician."),
                ("Service contract, 1 year", "1200.00", "Maintenance and replacement parts for a year."),
                ("Meeting table 8p", "1490.00", "Oak meeting table for eight."),
            ]
        ]
        open_stages = list(SalesStage.objects.filter(kind="open"))
        won, lost = SalesStage.objects.get(kind="won"), SalesStage.objects.get(kind="lost")
        today = timezone.localdate()
        for index, account in enumerate(Account.objects.order_by("name")):
            for n in range(rng.randint(1, 2)):
                lines = [
                    sales_services.LineInput(product=product, description="", quantity=Decimal(rng.randint(1, 12)),
                                             unit_price=product.unit_price, discount_percent=Decimal(rng.choice([0, 0, 5, 10])))
                    for product in rng.sample(products, rng.randint(1, 3))
                ]
                stage = rng.choice(open_stages)
                user = rng.choice(users)
                opportunity = sales_services.opportunity_save(
                    instance=Opportunity(
                        title=f"{account.name}: {'office refit' if n == 0 else 'service renewal'}", account=account,
                        stage=stage, probability={1: 10, 2: 30, 3: 60, 4: 80}.get(stage.position, 50),
                        close_date=today + datetime.timedelta(days=rng.randint(10, 120)), assigned_to=user),
                    user=user, lines=lines)
                if index % 4 == 3 and n == 0:
                    sales_services.opportunities_close(queryset=Opportunity.objects.filter(pk=opportunity.pk), user=owner,
                                                       stage=won if index % 8 == 3 else lost,
                                                       close_date=today - datetime.timedelta(days=rng.randint(1, 30)))
