"""Worlds of records for the report tests, each record with a plain
description (``Fact``) that the tests count and sum in Python, independently
of the aggregate queries the reports run.

The people are always the same four: Alice and Bob (active), Zed (a
deactivated user: "Zed Old (inactive)") and Gus, whose records stay when his
user is deleted (they become unassigned). A fact's ``who`` names the group the
record must fall in: "alice", "bob", "zed", or None (unassigned, also for Gus).
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from crm.models import ListValue
from crm.tests.factories import (
    AccountFactory, CategoryFactory, ContactFactory, HistoryItemFactory, UserFactory, link)
from leads.tests.factories import LeadFactory
from marketing.tests.factories import MarketingActivityFactory
from projects.tests.factories import ProjectFactory, ProjectTaskFactory
from sales.tests.factories import OpportunityFactory, stage

PEOPLE_LABELS = {"alice": "Alice Martin", "bob": "Bob Nowak", "zed": "Zed Old (inactive)", None: "Unassigned"}
CATEGORY_NAMES = ("Key", "Partner", "Unused")  # "Unused" has no record: an empty group


def today() -> datetime.date:
    return timezone.localdate()


def month(offset: int, day: int = 1) -> datetime.date:
    """A day of the month ``offset`` months from this one (written apart from reports.periods)."""
    now = today()
    index = now.year * 12 + now.month - 1 + offset
    return datetime.date(index // 12, index % 12 + 1, day)


def noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@dataclass
class Fact:
    """What a test knows about one record, in plain values."""

    record: object
    name: str
    who: str | None
    categories: tuple[str, ...] = ()
    values: dict = field(default_factory=dict)

    def __getattr__(self, key):
        try:
            return self.__dict__["values"][key]
        except KeyError:
            raise AttributeError(key) from None

    @property
    def pk(self):
        return self.record.pk


@dataclass
class World:
    users: dict
    facts: list[Fact]
    categories: dict
    extra: dict = field(default_factory=dict)

    def named(self, *names: str) -> set:
        return {f.pk for f in self.facts if f.name in names}


def people(alice, bob) -> dict:
    """Alice and Bob (the conftest's users), Zed (deactivated) and Gus (deleted by ``gone()``)."""
    return {"alice": alice, "bob": bob,
            "zed": UserFactory(username="zed", first_name="Zed", last_name="Old", is_active=False),
            "gus": UserFactory(username="gus", first_name="Gus", last_name="Gone")}


def gone(users: dict) -> None:
    """Delete Gus: his records' Assigned to becomes empty (SET_NULL)."""
    users.pop("gus").delete()


def categories() -> dict:
    return {name: CategoryFactory(name=name) for name in CATEGORY_NAMES}


def _who(assignee: str | None) -> str | None:
    return None if assignee == "gus" else assignee


# --- Opportunities ----------------------------------------------------------------------------

# title, assigned to, stage ("won"/"lost"/an open stage's name/None), total, expected revenue,
# close date (a function of today), source, type, marketing activity, categories, linked record.
OPPORTUNITIES = [
    ("o01", "alice", "Prospecting", "1000.00", "100.00", lambda: month(0, 3), "Web", "New business", "Spring fair",
     ("Key",), "Acme"),
    ("o02", "alice", "Qualification", "2500.50", "1250.25", lambda: month(1, 10), "Event", None, None,
     ("Key", "Partner"), "Acme"),
    ("o03", "bob", "Prospecting", "400.00", "40.00", lambda: None, None, None, "Spring fair", (), "@Carla Contact"),
    ("o04", "bob", "won", "3000.00", "3000.00", today, "Web", "New business", "Autumn mail", (), "Beta"),
    ("o05", "zed", "Proposal", "700.00", "350.00", lambda: month(2, 28), "Partner", None, None, (), "Gamma"),
    ("o06", "gus", "Qualification", "150.00", "15.00", lambda: month(3, 1), "Web", None, None, ("Partner",), "Delta"),
    ("o07", "alice", "lost", "800.00", "0.00", today, "Event", None, None, (), "Epsilon"),
    ("o08", None, None, "50.00", "5.00", lambda: month(-1, 15), "Web", None, None, ("Partner",), "Zeta"),
    ("o09", "bob", "won", "1200.00", "1200.00", lambda: datetime.date(today().year, 1, 1), "Event", None, None, (),
     "Eta"),
    ("o10", "alice", "lost", "999.00", "0.00", lambda: datetime.date(today().year - 1, 12, 15), "Web", None, None, (),
     "Theta"),
    ("o11", "bob", "lost", "100.00", "0.00", today, None, "Existing business", "Autumn mail", (), "Iota"),
    ("o12", "gus", "won", "75.25", "75.25", lambda: month(-1, 20), "Web", None, None, ("Key",), "Kappa"),
]


def status_of(stage_name: str | None) -> str:
    return stage_name if stage_name in ("won", "lost") else "open"


def sales_world(alice, bob) -> World:
    """Twelve opportunities of every kind (see OPPORTUNITIES): open in three of
    the four shipped open stages (Negotiation stays empty) and in none, won
    and lost this year and last, a close date that is empty, one linked to a
    business contact, one in two categories, Zed's and Gus's."""
    users = people(alice, bob)
    cats = categories()
    accounts, contacts, activities = {}, {}, {}
    facts = []
    for (title, who, stage_name, total, expected, close, source, kind, activity, in_categories,
         linked) in OPPORTUNITIES:
        if linked.startswith("@"):
            contact = contacts.get(linked) or contacts.setdefault(linked, ContactFactory(full_name=linked[1:]))
            link_kw = {"account": None, "contact": contact}
        else:
            account = accounts.get(linked) or accounts.setdefault(linked, AccountFactory(name=linked))
            link_kw = {"account": account}
        if stage_name in ("won", "lost"):
            the_stage = stage(stage_name)
        else:
            the_stage = stage("open", stage_name) if stage_name else None
        opportunity = OpportunityFactory(
            title=title, assigned_to=users[who] if who else None, stage=the_stage, total=Decimal(total),
            expected_revenue=Decimal(expected), close_date=close(),
            source=ListValue.objects.get(kind="source", name=source) if source else None,
            opportunity_type=ListValue.objects.get(kind="opportunity_type", name=kind) if kind else None,
            initiated_by_activity=(activities.get(activity) or activities.setdefault(
                activity, MarketingActivityFactory(name=activity))) if activity else None,
            **link_kw)
        opportunity.categories.add(*[cats[name] for name in in_categories])
        facts.append(Fact(opportunity, title, _who(who), in_categories, {
            "stage": stage_name, "status": status_of(stage_name), "total": Decimal(total),
            "expected": Decimal(expected), "close": close(), "source": source, "kind": kind, "activity": activity,
            "linked": linked.lstrip("@")}))
    gone(users)
    return World(users, facts, cats, {"accounts": accounts, "contacts": contacts, "activities": activities})


# --- Leads ------------------------------------------------------------------------------------

# name, assigned to, score (stars), source, marketing activity, categories, month created (offset)
LEADS = [
    ("Lena Five", "alice", 5, "Web", "Spring fair", ("Key",), 0),
    ("Lars Three", "alice", 3, "Event", None, (), -1),
    ("Lily Zero", "alice", 0, None, None, ("Key", "Partner"), 0),
    ("Leo Five", "bob", 5, "Web", None, (), -2),
    ("Lou Two", "bob", 2, "Web", "Spring fair", ("Partner",), 0),
    ("Lea Three", "zed", 3, None, None, (), 0),
    ("Liv One", "gus", 1, "Event", None, (), -1),
    ("Lukas Zero", None, 0, "Web", None, (), 0),
]


def leads_world(alice, bob) -> World:
    """Eight leads (see LEADS) created this month and the two before, with
    every rating but 4 stars, and a business contact that is not a lead."""
    users = people(alice, bob)
    cats = categories()
    activities = {}
    facts = []
    for name, who, score, source, activity, in_categories, created in LEADS:
        lead = LeadFactory(
            full_name=name, assigned_to=users[who] if who else None, score=score,
            source=ListValue.objects.get(kind="source", name=source) if source else None,
            initiated_by_activity=(activities.get(activity) or activities.setdefault(
                activity, MarketingActivityFactory(name=activity))) if activity else None)
        lead.categories.add(*[cats[n] for n in in_categories])
        created_on = month(created, 15) if created else today()
        type(lead).objects.filter(pk=lead.pk).update(created=noon(created_on))
        facts.append(Fact(lead, name, _who(who), in_categories, {
            "score": score, "source": source, "activity": activity, "created": created_on}))
    # Not a lead: no lead report counts it.
    ContactFactory(full_name="Not A Lead", assigned_to=alice, score=5,
                   source=ListValue.objects.get(kind="source", name="Web"))
    gone(users)
    return World(users, facts, cats, {"activities": activities})


# --- Accounts and business contacts -----------------------------------------------------------

# name, assigned to, categories, city
ACCOUNTS = [
    ("Acme", "alice", ("Key", "Partner"), "Oslo"),
    ("Beta", "bob", ("Key",), "Oslo"),
    ("Gamma", "zed", (), "Bergen"),
    ("Delta", "gus", ("Partner",), ""),
    ("Epsilon", None, (), "Oslo"),
]

# name, assigned to, categories, account, city, history: [(where, days ago)] where is
# "self" (linked to the contact), "opportunity" or "project" (linked to one of the contact's).
CONTACTS = [
    ("Cora Recent", "alice", ("Key",), "Acme", "Oslo", [("self", 10)]),
    ("Carl Old", "alice", ("Key", "Partner"), None, "Oslo", [("self", 200)]),
    ("Cecil Silent", "bob", (), "Acme", "Bergen", []),
    ("Cleo Deal", "bob", ("Partner",), None, "", [("opportunity", 5)]),
    ("Cyril Stale Deal", "bob", (), "Beta", "", [("opportunity", 120), ("self", 95)]),
    ("Chris Project", None, (), None, "", [("project", 30)]),
    ("Cato Inactive", "zed", (), None, "Oslo", []),
    ("Cyd Orphan", "gus", ("Key",), "Beta", "", []),
]


def contacts_world(alice, bob) -> World:
    """Five accounts and eight business contacts (see ACCOUNTS and CONTACTS),
    with history on the contacts, on their opportunities and on their
    projects, some days ago; and a lead, which no contact report counts."""
    users = people(alice, bob)
    cats = categories()
    facts, accounts = [], {}
    for name, who, in_categories, city in ACCOUNTS:
        account = AccountFactory(name=name, assigned_to=users[who] if who else None, business_city=city)
        account.categories.add(*[cats[n] for n in in_categories])
        accounts[name] = account
        facts.append(Fact(account, name, _who(who), in_categories, {"kind": "account", "city": city}))
    now = timezone.now()
    for name, who, in_categories, account, city, history in CONTACTS:
        contact = ContactFactory(full_name=name, assigned_to=users[who] if who else None,
                                 account=accounts[account] if account else None, business_city=city)
        contact.categories.add(*[cats[n] for n in in_categories])
        for where, days in history:
            target = contact
            if where == "opportunity":
                target = OpportunityFactory(title=f"Deal of {name}", account=None, contact=contact)
            elif where == "project":
                target = ProjectFactory(name=f"Project of {name}", account=None, contact=contact)
            link(HistoryItemFactory(subject=f"About {name}", occurred_at=now - datetime.timedelta(days=days)), target)
        facts.append(Fact(contact, name, _who(who), in_categories, {
            "kind": "contact", "account": account, "city": city,
            # How long ago the contact (or one of its records) last had history.
            "quiet": min((days for _where, days in history), default=None)}))
    lead = LeadFactory(full_name="Lead Not Contact", assigned_to=alice)
    lead.categories.add(cats["Key"])
    gone(users)
    return World(users, facts, cats, {"accounts": accounts})


# --- Business projects and their tasks --------------------------------------------------------

# name, assigned to, status, due date, % complete, categories
PROJECTS = [
    ("Roll-out", "alice", "in_progress", lambda: month(0, 20), 40, ("Key",)),
    ("Survey", "alice", "not_started", lambda: None, 0, ()),
    ("Migration", "bob", "completed", lambda: month(-1, 5), 100, ()),
    ("Training", "zed", "in_progress", lambda: month(0, 3), 65, ("Partner",)),
    ("Audit", "gus", "deferred", lambda: month(1, 1), 10, ()),
]

# subject, project, assigned to, due (days from today), status, priority
TASKS = [
    ("t1", "Roll-out", "alice", -5, "in_progress", "high"),
    ("t2", "Roll-out", "alice", -1, "not_started", "normal"),
    ("t3", "Survey", "alice", -3, "completed", "normal"),
    ("t4", "Migration", "bob", -10, "waiting", "low"),
    ("t5", "Migration", "bob", 0, "in_progress", "high"),
    ("t6", "Training", "bob", 3, "not_started", "normal"),
    ("t7", "Training", "zed", -2, "deferred", "high"),
    ("t8", "Audit", "gus", -4, "not_started", "normal"),
    ("t9", "Audit", None, None, "not_started", "low"),
    ("t10", "Audit", None, -30, "not_started", "high"),
]


def projects_world(alice, bob) -> World:
    """Five projects in every status but one each, and ten tasks: overdue
    (due before today, not completed) or not (completed, due today or later,
    no due date)."""
    users = people(alice, bob)
    cats = categories()
    facts, projects = [], {}
    for name, who, status, due, percent, in_categories in PROJECTS:
        project = ProjectFactory(name=name, assigned_to=users[who] if who else None, status=status, due_date=due(),
                                 percent_complete=percent)
        project.categories.add(*[cats[n] for n in in_categories])
        projects[name] = project
        facts.append(Fact(project, name, _who(who), in_categories, {
            "kind": "project", "status": status, "due": due(), "percent": percent}))
    for subject, project, who, due, status, priority in TASKS:
        due_date = today() + datetime.timedelta(days=due) if due is not None else None
        task = ProjectTaskFactory(subject=subject, project=projects[project], assigned_to=users[who] if who else None,
                                  due_date=due_date, status=status, priority=priority,
                                  percent_complete=100 if status == "completed" else 0)
        facts.append(Fact(task, subject, _who(who), (), {
            "kind": "task", "project": project, "due": due_date, "status": status, "priority": priority,
            "overdue": due_date is not None and due_date < today() and status != "completed"}))
    gone(users)
    return World(users, facts, cats, {"projects": projects})
