"""The demo data of the contact-management base (a step of ``crm.generic.demo``):
the demo users, categories, and ten accounts with their business contacts and
history. The names here are shared: the other apps' demo steps use the
companies, first and last names and job titles too."""
from __future__ import annotations

import datetime

from django.contrib.auth.models import Group, User
from django.utils import timezone

from crm import services
from crm.generic import demo
from crm.generic import services as record_services
from crm.models import Account, BusinessContact, Category, HistoryItem, ListKind, ListValue
from crm.permissions import OWNER_GROUP

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


@demo.step(order=100)
def seed_contacts(data: demo.DemoData) -> list[str]:
    """The users and categories (each once), then the accounts and business
    contacts unless the demo's accounts are there already."""
    data.users = _users()
    data.categories = _categories()
    if Account.objects.filter(name__in=[name for name, _c, _n in COMPANIES]).exists():
        return []
    _contacts(data.rng, data.users, data.categories)
    return ["accounts and business contacts"]


def _users() -> list[User]:
    """The demo users (created once): the database owner, then the sales staff."""
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


def _categories() -> list[Category]:
    categories = []
    for name, colour in CATEGORIES:
        category = Category.objects.filter(name=name).first()
        if category is None:
            category = Category(name=name, colour=colour)
            services.category_save(category=category)
        categories.append(category)
    return categories


def _contacts(rng, users, categories) -> None:
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
