"""The demo leads (a step of ``crm.generic.demo``, after crm's): about thirty,
written through the services (``crm.services.person_save``), so scores and change logs are what the
pages would have written."""
from __future__ import annotations

import datetime

from django.utils import timezone

from crm import services
from crm.demo import COMPANIES, FIRST, LAST, TITLES
from crm.generic import demo
from crm.models import BusinessContact, HistoryItem, ListKind, ListValue, ScoringCriterion
from leads.models import Lead

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


@demo.step(order=200)
def seed_leads(data: demo.DemoData) -> list[str]:
    """The leads, unless the demo's are there already (also when converted since)."""
    return ["leads"] if _leads(data.rng, data.users, data.categories) else []


def _slug(text: str) -> str:
    return "".join(c for c in text.lower() if c.isascii() and c.isalnum())


def _people(rng) -> list[tuple[str, str, tuple[str, str, str]]]:
    """LEAD_COUNT distinct (first, last, company) for the demo leads."""
    names = rng.sample([(first, last) for first in FIRST for last in LAST], LEAD_COUNT)
    return [(first, last, LEAD_COMPANIES[i % len(LEAD_COMPANIES)]) for i, (first, last) in enumerate(names)]


def _leads(rng, users, categories) -> bool:
    """About thirty leads: every source, scores from none to five stars
    (automatic from the ticked criteria, a few manual), each demo user with
    some, some with categories, comments, a referrer and a phone log."""
    people = _people(rng)
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
        lead = services.person_save(instance=lead, user=creator, criteria=ticked, m2m={"categories": chosen})
        if index % 4 == 1:
            services.history_item_create(
                item=HistoryItem(kind=HistoryItem.Kind.PHONE, subject=f"First call with {company}",
                                 occurred_at=now - datetime.timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 6)),
                                 direction=HistoryItem.Direction.INCOMING, phone_number=lead.business_phone,
                                 duration_minutes=rng.randint(5, 30), author=creator),
                user=creator, records=[lead],
            )
    return True
