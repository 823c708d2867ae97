"""Load the demo data and print the demo sign-in (``make run`` calls this
every time).

The demo is seeded in parts — users, categories, accounts with their
contacts and history, the product catalogue, leads, opportunities — and a
part already in the database is skipped, so a second run adds nothing and an
older demo database gains only the parts it lacks. A database with other
users and no demo owner is left alone unless ``--force`` is given.

Every record is written through the services (record, lead, sales and
history services), so versions, scores, totals and change logs are what the
pages would have written.
"""
from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from crm import services
from crm.generic import services as record_services
from crm.models import Account, BusinessContact, Category, HistoryItem, ListKind, ListValue
from crm.permissions import OWNER_GROUP

DEFAULT_ADDRPORT = "127.0.0.1:8000"

DEMO_USERS = [
    # username, password, first, last, owner?
    ("owner", "owner-demo-2026", "Olivia", "Owner", True),
    ("alice", "alice-demo-2026", "Alice", "Martin", False),
    ("bob", "bob-demo-2026", "Bob", "Nowak", False),
]
CATEGORIES = [("Key customer", "#dc3545"), ("Partner", "#198754"), ("Prospect", "#0d6efd"), ("Supplier", "#fd7e14")]

COMPANIES = [
    ("Northwind Traders", "Oslo", "Norway"), ("Contoso Ltd", "Lyon", "France"), ("Fabrikam Inc", "Kraków", "Poland"),
    ("Tailspin Toys", "Bandung", "Indonesia"), ("Adventure Works", "Bergen", "Norway"), ("Wide World Importers", "Paris", "France"),
    ("Litware Inc", "Gdańsk", "Poland"), ("Proseware", "Jakarta", "Indonesia"), ("Coho Winery", "Bordeaux", "France"),
    ("Fourth Coffee", "Trondheim", "Norway"),
]
FIRST = ["Anna", "Jean", "Ola", "Kari", "Piotr", "Maria", "Budi", "Sari", "Louis", "Zofia", "Ingrid", "Dewi"]
LAST = ["Hansen", "Dubois", "Kowalski", "Santoso", "Larsen", "Moreau", "Nowak", "Wijaya", "Berg", "Lefebvre"]
TITLES = ["Purchasing Manager", "CEO", "IT Director", "Office Manager", "Sales Director", "CFO"]

PRODUCTS = [
    ("Office chair Ergo", "349.00", "Adjustable office chair, black."),
    ("Standing desk 160", "899.00", "Electric sit-stand desk, 160 × 80 cm."),
    ("Installation (per hour)", "85.00", "On-site installation by a technician."),
    ("Service contract, 1 year", "1200.00", "Maintenance and replacement parts for a year."),
    ("Meeting table 8p", "1490.00", "Oak meeting table for eight."),
]

# Companies the leads work for: prospects, not (yet) accounts.
LEAD_COMPANIES = [
    ("Blue Yonder Airlines", "Stavanger", "Norway"), ("Lucerne Publishing", "Lille", "France"),
    ("Margie's Travel", "Nantes", "France"), ("Trey Research", "Wrocław", "Poland"),
    ("Woodgrove Bank", "Surabaya", "Indonesia"), ("Alpine Ski House", "Tromsø", "Norway"),
    ("Relecloud", "Poznań", "Poland"), ("Lamna Healthcare", "Medan", "Indonesia"),
    ("VanArsdel Ltd", "Marseille", "France"), ("Consolidated Messenger", "Drammen", "Norway"),
]
LEAD_COUNT = 30
LEAD_COMMENTS = [
    "Met at the spring fair; wants a call back after the holidays.",
    "Asked for the price list and delivery times to Norway.",
    "Their current supplier closes in June; they are looking now.",
    "Budget is set in September. Send a short proposal before then.",
    "Prefers e-mail. Interested in standing desks for 40 people.",
]
OPPORTUNITIES_PER_STAGE = 3
OPPORTUNITY_TOPICS = ["office refit", "service renewal", "new meeting rooms", "standing desks", "second office"]


def _slug(text: str) -> str:
    return "".join(c for c in text.lower() if c.isascii() and c.isalnum())


class Command(BaseCommand):
    help = "Load the demo users and records (each part once) and print the demo sign-in."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="Seed the missing demo parts even if the database has other users.")
        parser.add_argument("--addrport", default=DEFAULT_ADDRPORT,
                            help="Where the server listens, as runserver takes it (printed in the sign-in banner; "
                                 "default: %(default)s).")

    def handle(self, *args, force=False, addrport=DEFAULT_ADDRPORT, **options):
        url = self.sign_in_url(addrport)
        is_demo = not User.objects.exists() or User.objects.filter(username=DEMO_USERS[0][0]).exists()
        if force or is_demo:
            added = self.seed()
            self.stdout.write("Demo data loaded: " + ", ".join(added) + "." if added else "Demo data already loaded.")
        else:
            self.stdout.write("The database has other users: no demo data loaded (--force loads it).")
        self.stdout.write(self.style.SUCCESS(f"\nSign in at {url} with one of:"))
        for username, password, first, last, owner in DEMO_USERS:
            role = "database owner" if owner else "sales staff"
            self.stdout.write(f"  {username:6} / {password:18} ({first} {last}, {role})")
        self.stdout.write("")

    @staticmethod
    def sign_in_url(addrport: str) -> str:
        """The address a browser opens, from runserver's ``[addr:]port``."""
        host, sep, port = addrport.rpartition(":")
        if not sep:
            host, port = "127.0.0.1", addrport
        if not port.isdigit():
            raise CommandError(f"--addrport: “{addrport}” is not [address:]port.")
        if host in ("", "0", "0.0.0.0", "::", "[::]"):
            host = "127.0.0.1"
        return f"http://{host}:{port}/"

    # --- the parts ------------------------------------------------------------

    @transaction.atomic
    def seed(self) -> list[str]:
        """Seed every part that is missing; return what was added."""
        rng = random.Random(2026)
        users = self.seed_users()
        categories = self.seed_categories()
        added = []
        if not Account.objects.filter(name__in=[name for name, _c, _n in COMPANIES]).exists():
            self.seed_contacts(rng, users, categories)
            added.append("accounts and business contacts")
        products = self.seed_products()
        if self.seed_leads(rng, users, categories):
            added.append("leads")
        if self.seed_opportunities(rng, users, products):
            added.append("opportunities")
        return added

    def seed_users(self) -> list[User]:
        owners = Group.objects.get(name=OWNER_GROUP)
        users = []
        for username, password, first, last, owner in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(username, f"{username}@example.com", password,
                                                first_name=first, last_name=last)
                if owner:
                    user.groups.add(owners)
            users.append(user)
        return users

    def seed_categories(self) -> list[Category]:
        categories = []
        for name, colour in CATEGORIES:
            category = Category.objects.filter(name=name).first()
            if category is None:
                category = Category(name=name, colour=colour)
                services.category_save(category=category)
            categories.append(category)
        return categories

    def seed_contacts(self, rng, users, categories) -> None:
        """Ten accounts, two to four business contacts each, with calls, notes and a task."""
        owner, alice, bob = users
        sources = list(ListValue.objects.filter(kind=ListKind.SOURCE))
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

    def seed_products(self):
        from sales import services as sales_services
        from sales.models import Product

        products = []
        for name, price, description in PRODUCTS:
            product = Product.objects.filter(name=name).first()
            if product is None:
                product = sales_services.product_save(product=Product(
                    name=name, unit_price=Decimal(price), unit_cost=(Decimal(price) * Decimal("0.6")).quantize(Decimal("0.01")),
                    description=description))
            products.append(product)
        return products

    @staticmethod
    def lead_people(rng) -> list[tuple[str, str, tuple[str, str, str]]]:
        """LEAD_COUNT distinct (first, last, company) for the demo leads."""
        names = rng.sample([(first, last) for first in FIRST for last in LAST], LEAD_COUNT)
        return [(first, last, LEAD_COMPANIES[i % len(LEAD_COMPANIES)]) for i, (first, last) in enumerate(names)]

    def seed_leads(self, rng, users, categories) -> bool:
        """About thirty leads: every source, scores from none to five stars
        (automatic from the ticked criteria, a few manual), each demo user with
        some, some with categories, comments, a referrer and a phone log."""
        from leads import services as lead_services
        from leads.models import Lead, ScoringCriterion

        people = self.lead_people(rng)
        emails = [f"{first}.{last}@{_slug(company)}.example".lower() for first, last, (company, _c, _n) in people]
        # Also when a demo lead was converted since: it is still the same person.
        if BusinessContact.objects.filter(email__in=emails).exists():
            return False
        sources = list(ListValue.objects.filter(kind=ListKind.SOURCE))
        criteria = list(ScoringCriterion.objects.all())
        referrers = list(BusinessContact.objects.filter(is_lead=False, account__name__in=[c[0] for c in COMPANIES]))
        prospect = next((c for c in categories if c.name == "Prospect"), None)
        now = timezone.now()
        for index, ((first, last, (company, city, country)), email) in enumerate(zip(people, emails)):
            creator = users[index % len(users)]
            # Every seventh lead is nobody's yet; the others go round the demo users.
            assignee = None if index % 7 == 6 else users[(index + 1) % len(users)]
            manual = index % 6 == 5
            source = sources[index % len(sources)] if sources else None
            lead = Lead(
                is_lead=True, full_name=f"{first} {last}", job_title=rng.choice(TITLES), company_name=company,
                email=email, business_phone=f"+47 9{rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(100, 999)}",
                business_city=city, business_country=country, source=source, assigned_to=assignee,
                comments=LEAD_COMMENTS[index % len(LEAD_COMMENTS)] if index % 3 == 0 else "",
                score_type=BusinessContact.ScoreType.MANUAL if manual else BusinessContact.ScoreType.AUTOMATIC,
                manual_score=rng.randint(1, 5) if manual else None,
            )
            if source is not None and source.name in ("Partner", "Word of mouth") and referrers:
                lead.initiated_by_contact = rng.choice(referrers)
            chosen = []
            if index % 4 == 0 and prospect is not None:
                chosen = [prospect]
            elif index % 5 == 1:
                chosen = rng.sample(categories, 1)
            # 0 … all criteria ticked, so the automatic scores spread from 0 to 5 stars.
            ticked = rng.sample(criteria, index % (len(criteria) + 1)) if criteria else []
            lead = lead_services.person_save(instance=lead, user=creator, criteria=ticked, m2m={"categories": chosen})
            if index % 4 == 1:
                services.history_item_create(
                    item=HistoryItem(kind=HistoryItem.Kind.PHONE, subject=f"First call with {company}",
                                     occurred_at=now - datetime.timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 6)),
                                     direction=HistoryItem.Direction.INCOMING, phone_number=lead.business_phone,
                                     duration_minutes=rng.randint(5, 30), author=creator),
                    user=creator, records=[lead],
                )
        return True

    def seed_opportunities(self, rng, users, products) -> bool:
        """A few opportunities in every sales stage (the open ones, Closed Won
        and Closed Lost), with products and services, for the demo accounts
        and business contacts; open ones have some of their activities done."""
        from sales import services as sales_services
        from sales.models import Opportunity, SalesStage

        accounts = list(Account.objects.filter(name__in=[name for name, _c, _n in COMPANIES]).order_by("name"))
        contacts = list(BusinessContact.objects.filter(is_lead=False, account__in=accounts).order_by("full_name", "pk"))
        if not accounts or Opportunity.objects.filter(Q(account__in=accounts) | Q(contact__in=contacts)).exists():
            return False
        owner = users[0]
        types = list(ListValue.objects.filter(kind=ListKind.OPPORTUNITY_TYPE))
        terms = list(ListValue.objects.filter(kind=ListKind.PAYMENT_TERMS))
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
