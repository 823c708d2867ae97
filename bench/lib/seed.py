"""Seeding: the users every data set starts with, the page benchmark's
contacts, leads, accounts, categories and history (bench/run.py, also used by
bench/reports.py), the sales stages' mix of opportunities, and business
projects with their tasks (bench/projects.py, bench/reports.py)."""
from __future__ import annotations

import datetime as dt
import itertools
import random
import statistics

from bench.lib.bulk import Inserter
from bench.lib.data import (CITIES, CITY_WEIGHTS, COMPANY_TRADES, COMPANY_WORDS, FIRST_NAMES, JOB_TITLES, LAST_NAMES,
                            LAST_WEIGHTS, TOPICS, account_names, ascii_slug)

NOW = dt.datetime(2026, 3, 1, 12, 0, 0)   # a fixed "today", naive UTC: the data repeat exactly
USER_WEIGHTS = [0.2, 0.45, 0.35]          # owner, alice, bob: how records are assigned

# The contacts' own vocabulary.
DEPARTMENTS = ["Purchasing", "Sales", "IT", "Finance", "Operations", "Marketing", "Logistics", "HR", ""]
CATEGORIES = [("Key customer", "#dc3545"), ("Partner", "#198754"), ("Prospect", "#0d6efd"), ("Supplier", "#fd7e14")]
CATEGORY_WEIGHTS = [0.40, 0.25, 0.25, 0.10]   # of the ~30% of contacts that carry one
# Lead scores (stars) as a scored database has them: most leads low, a few hot.
SCORES = [0] * 30 + [1] * 25 + [2] * 20 + [3] * 13 + [4] * 8 + [5] * 4
CATEGORY_SHARE = 0.30

HISTORY_KINDS = ["note", "phone", "email", "task", "appointment", "file"]
HISTORY_KIND_WEIGHTS = [0.25, 0.30, 0.25, 0.10, 0.07, 0.03]
SUBJECTS = {
    "note": ["Meeting notes: {t}", "Notes on {t}", "Visit report: {t}", "Internal note about {t}"],
    "phone": ["Call about {t}", "Phoned back about {t}", "Missed call: {t}", "Follow-up call on {t}"],
    "email": ["Re: {t}", "Quote for {t}", "Fwd: {t}", "Question about {t}"],
    "task": ["Follow up on {t}", "Send quote for {t}", "Prepare offer: {t}", "Check status of {t}"],
    "appointment": ["Meeting about {t}", "Lunch: {t}", "Workshop on {t}", "Video call: {t}"],
    "file": ["Offer document: {t}", "Signed contract: {t}", "Price list: {t}", "Specification: {t}"],
}
BODY_SENTENCES = [
    "Interested in the spring range; send a quote.", "Asked for a discount on orders above 500 units.",
    "Delivery was two days late, customer was understanding.", "Wants a demo for the purchasing team next month.",
    "Budget approved for the next quarter.", "Needs the updated price list before Friday.",
    "Contract renewal is due in the autumn.", "Prefers e-mail over phone calls.",
    "Their warehouse moves in March; update the shipping address then.", "Decision maker is the CFO.",
    "Happy with the last delivery.", "Compared us with two competitors; we are cheapest on freight.",
]
FILE_TYPES = [("pdf", "application/pdf"), ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
              ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("png", "image/png")]
TASK_STATUSES = ["not_started", "in_progress", "waiting", "deferred", "completed", "completed", "completed"]

# Opportunities: the stages as the migration ships them, the share of the
# opportunities in each (70 % open) and probabilities that fit the stage.
STAGE_MIX = [
    ("Prospecting", 0.22, [10, 10, 15]),
    ("Qualification", 0.20, [20, 25, 30]),
    ("Proposal", 0.16, [40, 50, 60]),
    ("Negotiation", 0.12, [70, 75, 80, 90]),
    ("Closed Won", 0.18, [100]),
    ("Closed Lost", 0.12, [0]),
]

# Business projects and their tasks.
PROJECT_STATUSES = ["not_started", "in_progress", "completed", "deferred"]
PROJECT_STATUS_WEIGHTS = [0.20, 0.50, 0.25, 0.05]
PRIORITIES, PRIORITY_WEIGHTS = ["low", "normal", "high"], [0.2, 0.6, 0.2]
PROJECT_KINDS = ["Office move", "Network upgrade", "CRM roll-out", "Warehouse fit-out", "Website relaunch",
                 "ERP integration", "Staff training", "Security audit", "Fleet renewal", "Data migration"]
PROJECT_TASK_SUBJECTS = ["Kick-off meeting", "Gather requirements", "Site survey", "Order equipment",
                         "Install hardware", "Configure the system", "Migrate the data", "Test with users",
                         "Train the staff", "Go live", "Write the handbook", "Follow-up visit", "Sign-off",
                         "Invoice the customer", "Review lessons learnt"]
PROJECT_TASK_COUNTS = list(range(5, 16))   # 5–15 tasks per project, mean 10
MARKETING_ACTIVITY_KINDS = ["fair", "mailing", "webinar", "campaign"]


def create_users() -> list[int]:
    """The three users of every data set (owner, in "Database owners"; alice; bob),
    without a usable password (the benchmarks sign in with ``force_login``); their ids."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User

    from crm.permissions import OWNER_GROUP

    unusable = make_password(None)
    users = [
        User.objects.create(username=u, first_name=f, last_name=l, email=f"{u}@example.com", password=unusable)
        for u, f, l in [("owner", "Olivia", "Owner"), ("alice", "Alice", "Martin"), ("bob", "Bob", "Nowak")]
    ]
    users[0].groups.add(Group.objects.get(name=OWNER_GROUP))
    return [u.pk for u in users]


def create_inactive_user() -> int:
    """A colleague who has left: deactivated (not deleted), so the records still
    assigned to him keep his name; his id."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    return User.objects.create(username="dave", first_name="Dave", last_name="Former", email="dave@example.com",
                               password=make_password(None), is_active=False).pk


def create_marketing_activities(count: int, user_ids: list[int], now: dt.datetime) -> list[int]:
    """``count`` marketing activities, one every three weeks up to ``now`` (no
    random draws, so a caller's random sequence is not disturbed); their ids."""
    from crm.models import ListKind, ListValue, MarketingActivity

    types = list(ListValue.objects.filter(kind=ListKind.MARKETING_ACTIVITY_TYPE).values_list("pk", flat=True))
    activities = []
    for i in range(count):
        start = (now - dt.timedelta(days=21 * (count - i))).date()
        activities.append(MarketingActivity(
            name=f"{COMPANY_WORDS[i % len(COMPANY_WORDS)]} {MARKETING_ACTIVITY_KINDS[i % 4]} {start.year} #{i + 1}",
            activity_type_id=types[i % len(types)] if types else None, start_date=start,
            end_date=start + dt.timedelta(days=i % 30), assigned_to_id=user_ids[i % len(user_ids)],
            created_by_id=user_ids[0]))
    return [a.pk for a in MarketingActivity.objects.bulk_create(activities)]


def seed_contacts(size: int, *, seed: int, leads: float, rebuild_indexes: bool = True, now: dt.datetime = NOW,
                  lead_activities: int = 0) -> dict:
    """The page benchmark's data (bench/README.md, "What is seeded"): ``size``
    business contacts, ``leads`` x ``size`` leads, their accounts, categories and
    history, from ``random.Random(seed + size)``. Returns the records the pages
    use, the rows per kind and the ``Inserter``'s figures per table.

    ``now`` is when the three years of history end (default: the fixed ``NOW``,
    so the data repeat exactly; a report over "the last 90 days" needs today).
    With ``lead_activities``, that many marketing activities are made and a
    quarter of the leads were initiated by one of them."""
    from django.db import connection, transaction

    from crm.models import Account, BusinessContact, Category, HistoryItem, HistoryLink, ListValue
    from crm.selectors import _ct

    rng = random.Random(seed + size)
    ins = Inserter(connection, rebuild_indexes=rebuild_indexes)
    n_accounts = max(1, size // 10)
    n_leads = int(size * leads)
    n_people = size + n_leads
    n_items = size * 10
    history_start = now - dt.timedelta(days=3 * 365)

    if not ins.postgres:
        # A large page cache while loading: index pages stay in memory instead of
        # spilling to the WAL again and again. Set back to the app's value after.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            app_cache_size = cursor.fetchone()[0]
            cursor.execute("PRAGMA cache_size = -1000000")

    # Foreign keys are checked once at the end (PRAGMA foreign_key_check on
    # SQLite, like loaddata does), not row by row; PostgreSQL checks them at COMMIT.
    with connection.constraint_checks_disabled(), transaction.atomic():
        # Users, categories: a handful of rows through the ORM.
        user_ids = create_users()
        categories = Category.objects.bulk_create([Category(name=n, colour=c) for n, c in CATEGORIES])
        category_ids = [c.pk for c in categories]
        source_ids = list(ListValue.objects.filter(kind="source").values_list("pk", flat=True))
        activity_ids = create_marketing_activities(lead_activities, user_ids, now) if lead_activities else []

        # Accounts: unique "<Word> <Trade> [City] <legal form>" names.
        accounts = [(name, city_index, ascii_slug(base) + ".example", CITIES[city_index][3])
                    for base, name, city_index in account_names(rng, n_accounts)]

        account_created = sorted(history_start - dt.timedelta(days=rng.randint(0, 2000)) +
                                  dt.timedelta(seconds=rng.randint(0, 86399)) for _ in range(n_accounts))

        def account_rows():
            for i, (name, city_index, domain, phone) in enumerate(accounts):
                city, country, postal, _p, _l, streets = CITIES[city_index]
                created = ins.datetime(account_created[i])
                yield (
                    i + 1, name, f"A-{100000 + i}", f"info@{domain}", f"https://www.{domain}",
                    f"{phone} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                    f"{rng.randint(1, 180)} {rng.choice(streets)}", city, postal.format(rng.randint(1, 99)), country,
                    rng.choices(user_ids, weights=USER_WEIGHTS)[0], user_ids[0], created, created, "business",
                )

        ins.insert(Account, ["id", "name", "account_number", "email", "web_page", "business_phone", "business_street",
                             "business_city", "business_postal_code", "business_country", "assigned_to_id",
                             "created_by_id", "created", "modified", "mailing_address"], account_rows(), n_accounts)

        # Business contacts (and leads, mixed in by id). ~5% of contacts have no account.
        lead_ids = set(rng.sample(range(1, n_people + 1), n_leads))
        contact_ids = [i for i in range(1, n_people + 1) if i not in lead_ids]
        contact_account: dict[int, int | None] = {}
        contact_phone: dict[int, str] = {}
        contact_email: dict[int, str] = {}
        people_created = sorted(history_start + dt.timedelta(seconds=rng.randint(0, 3 * 365 * 86400))
                                for _ in range(n_people))
        category_rows = []
        last_name_counts: dict[str, int] = {}

        slugs = {name: ascii_slug(name) for name in FIRST_NAMES + LAST_NAMES}
        last_cum = list(itertools.accumulate(LAST_WEIGHTS))
        city_cum = list(itertools.accumulate(CITY_WEIGHTS))
        user_cum = list(itertools.accumulate(USER_WEIGHTS))
        category_cum = list(itertools.accumulate(CATEGORY_WEIGHTS))

        def people_rows():
            choices, rand = rng.choices, rng.random
            for pid in range(1, n_people + 1):
                is_lead = pid in lead_ids
                first = FIRST_NAMES[int(rand() * len(FIRST_NAMES))]
                last = choices(LAST_NAMES, cum_weights=last_cum)[0]
                if not is_lead and rng.random() < 0.95:
                    account_id = rng.randint(1, n_accounts)
                    company, city_index, domain, phone = accounts[account_id - 1]
                else:
                    account_id = None
                    word, trade = rng.choice(COMPANY_WORDS), rng.choice(COMPANY_TRADES)
                    city_index = choices(range(len(CITIES)), cum_weights=city_cum)[0]
                    legal = CITIES[city_index][4]
                    company = f"PT {word} {trade}" if legal == "PT" else f"{word} {trade} {legal}"
                    domain, phone = ascii_slug(word + trade) + ".example", CITIES[city_index][3]
                city, country, postal, _p, _l, streets = CITIES[city_index]
                email = f"{slugs[first]}.{slugs[last]}@{domain}"
                business_phone = f"{phone} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
                mobile = f"{phone.split()[0]} {rng.randint(400, 999)} {rng.randint(10, 99)} {rng.randint(100, 999)}" \
                    if rng.random() < 0.6 else ""
                created = ins.datetime(people_created[pid - 1])
                assigned = choices(user_ids, cum_weights=user_cum)[0] if rand() < 0.92 else None
                if not is_lead:
                    contact_account[pid] = account_id
                    contact_phone[pid] = business_phone
                    contact_email[pid] = email
                    last_name_counts[last] = last_name_counts.get(last, 0) + 1
                if rng.random() < CATEGORY_SHARE:
                    category_rows.append((pid, choices(category_ids, cum_weights=category_cum)[0]))
                # (no draw without activities: bench/run.py's data stay as they were)
                activity = rng.choice(activity_ids) if activity_ids and is_lead and rand() < 0.25 else None
                yield (
                    pid, is_lead, f"{first} {last}", first, last, f"{last}, {first}", rng.choice(JOB_TITLES), company,
                    account_id, email, business_phone, mobile, f"{rng.randint(1, 180)} {rng.choice(streets)}", city,
                    postal.format(rng.randint(1, 99)), country, rng.choice(DEPARTMENTS),
                    rng.choice(source_ids) if rng.random() < 0.7 else None, assigned,
                    rng.choice(user_ids), created, created, "business", rng.choice(SCORES), activity,
                )

        ins.insert(BusinessContact, ["id", "is_lead", "full_name", "first_name", "last_name", "file_as", "job_title",
                                     "company_name", "account_id", "email", "business_phone", "mobile_phone",
                                     "business_street", "business_city", "business_postal_code", "business_country",
                                     "department", "source_id", "assigned_to_id", "created_by_id", "created",
                                     "modified", "mailing_address", "score", "initiated_by_activity_id"],
                   people_rows(), n_people)
        through = BusinessContact.categories.through
        ins.insert(through, ["id", "businesscontact_id", "category_id"],
                   ((i, c, cat) for i, (c, cat) in enumerate(category_rows, start=1)), len(category_rows))

        # History: 10 items per contact on average (uniformly spread), ids in time order.
        n_contacts, rand = len(contact_ids), rng.random
        item_contact = [contact_ids[int(rand() * n_contacts)] for _ in range(n_items)]
        span = (now - history_start).total_seconds()
        kinds = rng.choices(HISTORY_KINDS, weights=HISTORY_KIND_WEIGHTS, k=n_items)

        # Pre-built strings and random.random() indexing: a million rows in Python is the slow part.
        subjects = {k: [t.format(t=topic) for t in SUBJECTS[k] for topic in TOPICS] for k in HISTORY_KINDS}
        bodies = [" ".join(rng.sample(BODY_SENTENCES, rng.randint(1, 3))) for _ in range(200)] + [""] * 200
        places = ("Their office", "Our office", "Teams", "Café Central")
        priorities = ("low", "normal", "normal", "high")
        n_users = len(user_ids)
        to_db, date_to_db = ins.datetime, ins.date
        minute, day = dt.timedelta(minutes=1), dt.timedelta(days=1)

        def item_rows():
            rand = rng.random
            step = dt.timedelta(seconds=span / n_items)
            for i in range(n_items):
                kind = kinds[i]
                logged = history_start + step * (i + rand())
                occurred = logged - minute * int(rand() * 600)
                duration = due = percent = end = size_bytes = assigned = None
                direction = phone = status = priority = location = attendees = email_from = email_to = ""
                file = file_name = file_type = ""
                contact = item_contact[i]
                if kind == "phone":
                    duration, direction, phone = 1 + int(rand() * 45), ("in", "out")[rand() < 0.6], contact_phone[contact]
                elif kind == "email":
                    email_from, email_to = "alice@example.com", contact_email[contact]
                elif kind == "task":
                    due = date_to_db((occurred + day * (1 + int(rand() * 21))).date())
                    status, priority = TASK_STATUSES[int(rand() * 7)], priorities[int(rand() * 4)]
                    percent = 100 if status == "completed" else int(rand() * 91)
                    assigned = user_ids[int(rand() * n_users)]
                elif kind == "appointment":
                    occurred = occurred + day * int(rand() * 15)
                    end = to_db(occurred + minute * (30, 60, 90)[int(rand() * 3)])
                    location, attendees = places[int(rand() * 4)], contact_email[contact]
                elif kind == "file":
                    ext, file_type = FILE_TYPES[int(rand() * len(FILE_TYPES))]
                    file_name = f"document-{i}.{ext}"
                    file = f"attachments/{logged:%Y/%m}/{i:032x}.{ext}"
                    size_bytes = 20_000 + int(rand() * 4_000_000)
                choices = subjects[kind]
                stamp = to_db(logged)
                yield (
                    i + 1, kind, choices[int(rand() * len(choices))], to_db(occurred), user_ids[int(rand() * n_users)],
                    bodies[int(rand() * 400)], duration, direction, phone, due, status, priority, percent, assigned,
                    end, location, attendees, email_from, email_to, file, file_name, size_bytes, file_type, stamp, stamp,
                )

        ins.insert(HistoryItem, ["id", "kind", "subject", "occurred_at", "author_id", "body", "duration_minutes",
                                 "direction", "phone_number", "due_date", "status", "priority", "percent_complete",
                                 "assigned_to_id", "end_at", "location", "attendees", "email_from", "email_to", "file",
                                 "file_name", "file_size", "content_type", "created", "modified"],
                   item_rows(), n_items)

        ct_contact, ct_account = _ct(BusinessContact).pk, _ct(Account).pk
        account_links = [i for i in range(n_items) if contact_account[item_contact[i]] and rng.random() < 0.10]
        n_links = n_items + len(account_links)

        def link_rows():
            link_id = 0
            extra = iter(account_links)
            next_extra = next(extra, None)
            for i in range(n_items):
                link_id += 1
                yield (link_id, i + 1, ct_contact, item_contact[i])
                if i == next_extra:
                    link_id += 1
                    yield (link_id, i + 1, ct_account, contact_account[item_contact[i]])
                    next_extra = next(extra, None)

        ins.insert(HistoryLink, ["id", "item_id", "content_type_id", "object_id"], link_rows(), n_links)

        checked_s = ins.finish([Account, BusinessContact, through, HistoryItem, HistoryLink])
        if not ins.postgres:
            print(f"    foreign keys checked in {checked_s:.1f} s", flush=True)

    if not ins.postgres:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(app_cache_size)}")

    # Pick the records the pages use.
    contacts_per_account: dict[int, list[int]] = {}
    for pid, account_id in contact_account.items():
        if account_id:
            contacts_per_account.setdefault(account_id, []).append(pid)
    typical = statistics.median_low(len(v) for v in contacts_per_account.values())
    account_id = next(a for a in sorted(contacts_per_account) if len(contacts_per_account[a]) == typical)
    category_counts: dict[int, int] = {}
    for pid, cat in category_rows:
        if pid not in lead_ids:
            category_counts[cat] = category_counts.get(cat, 0) + 1
    common_last = max(last_name_counts, key=last_name_counts.get)
    return {
        "login_user": user_ids[0],
        "filter_user": user_ids[1],
        "common_last_name": common_last,
        "common_last_name_share": round(last_name_counts[common_last] / size, 4),
        "category": max(category_counts, key=category_counts.get),
        "category_contacts": max(category_counts.values()),
        "account": account_id,
        "account_contacts": typical,
        "users": user_ids,
        "categories": category_ids,
        "activities": activity_ids,
        "rows": {"accounts": n_accounts, "contacts": size, "leads": n_leads, "contact_categories": len(category_rows),
                 "history_items": n_items, "history_links": n_links},
        "tables": ins.stats,
    }


def generate_projects(rng: random.Random, size: int, *, today: dt.date, created_start: dt.datetime,
                      user_ids: list[int], account_names: list[str], contact_ids, to_db, date_db) -> dict:
    """``size`` business projects (as rows for ``insert_projects``) with 5 to 15
    tasks each, dated around ``today`` (the Overdue filters compare with it);
    each project's stored % complete is ``percent_complete`` of its tasks. 90 %
    belong to an account (ids 1 … len(account_names)), the rest to one of
    ``contact_ids``. Returns the rows and how many tasks are overdue (all, and
    the second user's: Mine + Overdue)."""
    from projects.models import percent_complete

    n_accounts, n_contacts = len(account_names), len(contact_ids)
    user_cum = list(itertools.accumulate(USER_WEIGHTS))
    # Tasks first (in memory), so each project's stored % complete is the function's.
    projects: list[tuple] = []
    tasks: list[tuple] = []
    task_id = 0
    overdue_mine = overdue = 0
    alice = user_ids[1]
    for project_id in range(1, size + 1):
        status = rng.choices(PROJECT_STATUSES, weights=PROJECT_STATUS_WEIGHTS)[0]
        # A project runs 1–6 months, around today: finished ones in the past, new ones ahead.
        span = rng.randint(30, 180)
        offset = {"completed": rng.randint(-720, -span), "not_started": rng.randint(1, 120)}.get(
            status, rng.randint(-span, 0))
        begins = today + dt.timedelta(days=offset)
        ends = begins + dt.timedelta(days=span)
        figures = []
        count = rng.choice(PROJECT_TASK_COUNTS)
        step = max(1, span // count)
        for position in range(1, count + 1):
            task_id += 1
            start = begins + dt.timedelta(days=(position - 1) * step)
            due = start + dt.timedelta(days=rng.randint(0, step * 2))
            if status == "completed" or (status == "in_progress" and due < today and rng.random() < 0.75):
                task_status, percent = "completed", 100
            elif status == "not_started":
                task_status, percent = "not_started", 0
            else:
                task_status = rng.choice(["not_started", "in_progress", "in_progress", "waiting", "deferred"])
                percent = 0 if task_status == "not_started" else rng.choice([10, 20, 25, 40, 50, 60, 75, 90])
            assignee = rng.choices(user_ids, cum_weights=user_cum)[0] if rng.random() < 0.9 else None
            late = due < today and task_status != "completed"
            overdue += late
            overdue_mine += late and assignee == alice
            figures.append((percent, start, due))
            stamp = to_db(created_start + dt.timedelta(seconds=rng.randint(0, 3 * 365 * 86400)))
            tasks.append((task_id, project_id, f"{rng.choice(PROJECT_TASK_SUBJECTS)}", date_db(start), date_db(due),
                          task_status, rng.choices(PRIORITIES, weights=PRIORITY_WEIGHTS)[0], percent, position,
                          assignee, user_ids[0], stamp, stamp))
        percent = percent_complete(figures)
        if rng.random() < 0.9:
            account_id, contact_id = rng.randint(1, n_accounts), None
            company = account_names[account_id - 1]
        else:
            account_id, contact_id = None, contact_ids[rng.randint(1, n_contacts) - 1]
            company = "Private"
        stamp = to_db(created_start + dt.timedelta(seconds=rng.randint(0, 3 * 365 * 86400)))
        projects.append((project_id, f"{company}: {rng.choice(PROJECT_KINDS)} {begins.year}"[:200], account_id,
                         contact_id, status, rng.choices(PRIORITIES, weights=PRIORITY_WEIGHTS)[0],
                         date_db(begins), date_db(ends), percent,
                         rng.choices(user_ids, cum_weights=user_cum)[0], user_ids[0], stamp, stamp))
    return {"projects": projects, "tasks": tasks, "overdue": overdue, "overdue_mine": overdue_mine}


def insert_projects(ins: Inserter, projects: list[tuple], tasks: list[tuple]) -> None:
    """Load what ``generate_projects`` made."""
    from projects.models import BusinessProject, ProjectTask

    ins.insert(BusinessProject, ["id", "name", "account_id", "contact_id", "status", "priority", "start_date",
                                 "due_date", "percent_complete", "assigned_to_id", "created_by_id", "created",
                                 "modified"], iter(projects), len(projects))
    ins.insert(ProjectTask, ["id", "project_id", "subject", "start_date", "due_date", "status", "priority",
                             "percent_complete", "position", "assigned_to_id", "created_by_id", "created",
                             "modified"], iter(tasks), len(tasks))
