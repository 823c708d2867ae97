#!/usr/bin/env python
"""Marketing benchmark: a marketing activity's tracking page (and its record
page, and the Leads and Opportunities lists filtered to it) over N leads and
N opportunities, a realistic share of them initiated by the activity.

For every size N (default 1,000 and 100,000) the script starts from an
empty database, runs the migrations and seeds N / 10 accounts, 50 marketing
activities, N leads (8 % of them converted since: business contacts with
their conversion day) and N opportunities in every sales stage with
consistent stored totals (``sales.pricing``; the tracking page reads the
stored totals, so no lines are seeded). The measured activity initiated 2 %
of the leads and 2 % of the opportunities (2,000 of each at 100,000); the
other activities about a fifth of the rest. The figures it should show are
worked out in Python while seeding, and every answer of the tracking page
is checked against them. Then it times the pages through
``django.test.Client`` with the machinery of ``bench/lib/``.

SQLite (default): a throw-away file ``bench/data/marketing.sqlite3``.
PostgreSQL: needs ``DATABASE_URL``; its ``public`` schema is DROPPED for every
size, so use a throw-away server::

    scripts/with-postgres.sh .venv/bin/python bench/marketing.py --db postgres

Target: a median of 50 ms or less per page, 15 queries or fewer, the same
query count at every size. See the "Marketing" section of bench/README.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.lib import cli, data, database, measure, report  # noqa: E402
from bench.lib.bulk import Inserter  # noqa: E402
from bench.lib.seed import NOW, STAGE_MIX, USER_WEIGHTS, create_users  # noqa: E402

SQLITE_FILE = cli.DATA_DIR / "marketing.sqlite3"
RESULTS = "results-marketing-{db}.json"

TARGET_MS = 50.0
ACTIVITIES = 50
SHARE = 0.02           # of the leads and of the opportunities, initiated by the measured activity
OTHERS_SHARE = 0.20    # of the rest, initiated by one of the other activities
CONVERTED_SHARE = 0.08
ACTIVITY_TYPES = ["Direct mail", "E-mail", "Event", "Advertisement", "Web", "Other"]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Seed leads and opportunities at several sizes; time a marketing activity's tracking page.",
        epilog="PostgreSQL: scripts/with-postgres.sh .venv/bin/python bench/marketing.py --db postgres",
    )
    cli.add_common_arguments(parser, sizes="1000,100000", what="leads and opportunities (each)")
    args = parser.parse_args(argv)
    if args.markdown:
        return args
    return cli.check_common_arguments(parser, args, script="bench/marketing.py", min_size=100)


# --- seeding ------------------------------------------------------------------------------

def seed(size: int, *, seed: int) -> dict:
    """Seed ``size`` leads and ``size`` opportunities with their accounts and the
    activities; return what the pages need and the figures the tracking page must show."""
    from django.db import connection, transaction

    from crm.models import Account, BusinessContact, ListKind, ListValue, MarketingActivity
    from sales import pricing
    from sales.models import Opportunity, SalesStage

    rng = random.Random(seed + size)
    ins = Inserter(connection)
    n_accounts = max(1, size // 10)
    today = NOW.date()
    created_start = NOW - dt.timedelta(days=3 * 365)
    to_db, date_db = ins.datetime, ins.date
    mine_count = max(1, round(size * SHARE))

    with connection.constraint_checks_disabled(), transaction.atomic():
        user_ids = create_users()
        user_cum = list(itertools.accumulate(USER_WEIGHTS))
        types = list(ListValue.objects.filter(kind=ListKind.MARKETING_ACTIVITY_TYPE).values_list("pk", flat=True))
        sources = list(ListValue.objects.filter(kind=ListKind.SOURCE).values_list("pk", flat=True))
        stages = {s.name: s for s in SalesStage.objects.all()}
        stage_ids = [stages[name].pk for name, _share, _p in STAGE_MIX]
        stage_cum = list(itertools.accumulate(share for _n, share, _p in STAGE_MIX))
        probabilities = {stages[name].pk: p for name, _s, p in STAGE_MIX}
        kinds = {s.pk: s.kind for s in stages.values()}

        # Activities: one every three weeks over three years, budgets from 500 to 25,000.
        def activity_rows():
            for i in range(1, ACTIVITIES + 1):
                start = (created_start + dt.timedelta(days=21 * i)).date()
                stamp = to_db(created_start + dt.timedelta(days=21 * i - 7))
                yield (i, f"{rng.choice(data.COMPANY_WORDS)} {rng.choice(['fair', 'mailing', 'webinar', 'campaign'])} "
                          f"{start.year} #{i}", rng.choice(types), date_db(start), date_db(start + dt.timedelta(days=rng.randint(0, 30))),
                       Decimal(rng.randrange(500, 25_000, 250)), rng.choices(user_ids, cum_weights=user_cum)[0],
                       user_ids[0], stamp, stamp)

        ins.insert(MarketingActivity, ["id", "name", "activity_type_id", "start_date", "end_date", "budget",
                                       "assigned_to_id", "created_by_id", "created", "modified"],
                   activity_rows(), ACTIVITIES)
        measured = ACTIVITIES // 2   # an activity in the middle of the three years
        mine_leads = set(rng.sample(range(1, size + 1), mine_count))
        mine_deals = set(rng.sample(range(1, size + 1), mine_count))

        others = [a for a in range(1, ACTIVITIES + 1) if a != measured]

        def initiated(number: int, mine: set) -> int | None:
            if number in mine:
                return measured
            return rng.choice(others) if rng.random() < OTHERS_SHARE else None

        names = data.account_names(rng, n_accounts)

        def account_rows():
            for i, (_base, name, city_index) in enumerate(names, start=1):
                city, country, *_rest = data.CITIES[city_index]
                stamp = to_db(created_start)
                yield (i, name, city, country, rng.choices(user_ids, cum_weights=user_cum)[0], user_ids[0], stamp,
                       stamp, "business")

        ins.insert(Account, ["id", "name", "business_city", "business_country", "assigned_to_id", "created_by_id",
                             "created", "modified", "mailing_address"], account_rows(), n_accounts)

        figures = {"leads": 0, "leads_converted": 0, "opportunities": 0, "won_count": 0,
                   "won_revenue": Decimal("0.00"), "pipeline_value": Decimal("0.00"),
                   "expected_revenue": Decimal("0.00")}
        last_cum = list(itertools.accumulate(data.LAST_WEIGHTS))

        def lead_rows():
            for pid in range(1, size + 1):
                first = rng.choice(data.FIRST_NAMES)
                last = rng.choices(data.LAST_NAMES, cum_weights=last_cum)[0]
                company = f"{rng.choice(data.COMPANY_WORDS)} {rng.choice(data.COMPANY_TRADES)}"
                created = created_start + dt.timedelta(seconds=rng.randint(0, 3 * 365 * 86400))
                converted = rng.random() < CONVERTED_SHARE
                activity = initiated(pid, mine_leads)
                if activity == measured:
                    figures["leads"] += 1
                    figures["leads_converted"] += converted
                stamp = to_db(created)
                yield (pid, not converted, f"{first} {last}", first, last, f"{last}, {first}", rng.choice(data.JOB_TITLES),
                       company, f"{data.ascii_slug(first)}.{data.ascii_slug(last)}.{pid}@{data.ascii_slug(company)}.example",
                       rng.choice(sources), activity,
                       date_db(min(today, created.date() + dt.timedelta(days=rng.randint(1, 200)))) if converted else None,
                       rng.choices(user_ids, cum_weights=user_cum)[0], user_ids[0], stamp, stamp, "business")

        ins.insert(BusinessContact, ["id", "is_lead", "full_name", "first_name", "last_name", "file_as", "job_title",
                                     "company_name", "email", "source_id", "initiated_by_activity_id", "converted_on",
                                     "assigned_to_id", "created_by_id", "created", "modified", "mailing_address"],
                   lead_rows(), size)

        def opportunity_rows():
            for oid in range(1, size + 1):
                created = created_start + dt.timedelta(seconds=rng.randint(0, 3 * 365 * 86400))
                stage_id = rng.choices(stage_ids, cum_weights=stage_cum)[0]
                probability = rng.choice(probabilities[stage_id])
                total = pricing.to_money(Decimal(rng.randint(200, 60_000)) + Decimal(rng.randint(0, 99)) / 100)
                expected = pricing.expected_revenue(total, probability)
                closed = kinds[stage_id] != SalesStage.Kind.OPEN
                close = (max(created.date(), today - dt.timedelta(days=rng.randint(0, 365))) if closed
                         else today + dt.timedelta(days=rng.randint(-30, 365)))
                activity = initiated(oid, mine_deals)
                if activity == measured:
                    figures["opportunities"] += 1
                    if kinds[stage_id] == SalesStage.Kind.WON:
                        figures["won_count"] += 1
                        figures["won_revenue"] += total
                    elif not closed:
                        figures["pipeline_value"] += total
                        figures["expected_revenue"] += expected
                account_id = rng.randint(1, n_accounts)
                stamp = to_db(created)
                yield (oid, f"{names[account_id - 1][0]}: order {oid}", account_id, probability, total, expected,
                       date_db(close), stage_id, date_db(close if closed else created.date()), activity,
                       rng.choice(sources) if rng.random() < 0.8 else None,
                       rng.choices(user_ids, cum_weights=user_cum)[0], user_ids[0], stamp, stamp)

        ins.insert(Opportunity, ["id", "title", "account_id", "probability", "total", "expected_revenue", "close_date",
                                 "stage_id", "stage_entered_on", "initiated_by_activity_id", "source_id",
                                 "assigned_to_id", "created_by_id", "created", "modified"], opportunity_rows(), size)
        ins.finish([MarketingActivity, Account, BusinessContact, Opportunity])

    budget = MarketingActivity.objects.get(pk=measured).budget
    return {"login_user": user_ids[0], "activity": measured, "budget": budget, "figures": figures,
            "rows": {"activities": ACTIVITIES, "accounts": n_accounts, "leads": size, "opportunities": size},
            "tables": ins.stats}


class TrackingPageClient:
    """A test client for ``measure.measure`` on the tracking page and the record
    page, which have no list rows ("record-row"): each answer is checked
    against the figures worked out while seeding (leads, won revenue, …) and
    only then marked as checked."""

    def __init__(self, client, expected: list[str]):
        self.client, self.expected = client, [text.encode() for text in expected]

    def get(self, url, headers=None):
        response = self.client.get(url, headers=headers)
        if response.status_code == 200:
            missing = [text.decode() for text in self.expected if text not in response.content]
            if missing:
                raise SystemExit(f"{url}: the page lacks {missing}")
            response.content = response.content + b"<!-- record-row: figures checked -->"
        return response


def expected_texts(ids: dict) -> dict[str, list[str]]:
    """What the tracking page and the record page must show (the figures, formatted as the pages do)."""
    from django.utils.formats import number_format

    from marketing.selectors import return_on_budget

    f = ids["figures"]

    def money(value) -> str:
        return number_format(value, 2, force_grouping=True)

    rob = return_on_budget(f["won_revenue"], ids["budget"])
    tracking = [f'<dd class="h4 mb-0">{f["leads"]}</dd>', f'<dd class="h4 mb-0">{f["leads_converted"]}</dd>',
                f'<dd class="h4 mb-0">{f["opportunities"]}</dd>', money(f["won_revenue"]), money(f["pipeline_value"]),
                money(f["expected_revenue"]), f"{number_format(rob, 1, force_grouping=True)} %"]
    return {"tracking": tracking, "record": [money(f["won_revenue"]), money(ids["budget"])]}


def pages_for(ids: dict) -> list[tuple[str, str, dict]]:
    pk = ids["activity"]
    return [
        ("tracking page", f"/marketing-activities/{pk}/tracking/", {}),
        ("activity record page", f"/marketing-activities/{pk}/", {}),
        ("leads initiated by it", f"/leads/?initiated_by_activity={pk}", {}),
        ("opportunities initiated by it", f"/opportunities/?initiated_by_activity={pk}", {}),
        ("marketing activities list", "/marketing-activities/", {}),
    ]


# --- a run per size ---------------------------------------------------------------------------

def run_size(size: int, args) -> dict:
    from django.db import connection

    print(f"\n== {args.db} · {size:,} leads and {size:,} opportunities ==", flush=True)
    ids, seconds = database.fresh_database(args.db, SQLITE_FILE, lambda: seed(size, seed=args.seed))
    f = ids["figures"]
    print(f"  activity #{ids['activity']}: {f['leads']:,} leads ({f['leads_converted']:,} converted), "
          f"{f['opportunities']:,} opportunities ({f['won_count']:,} won for {f['won_revenue']:,}), "
          f"budget {ids['budget']:,}", flush=True)
    client = measure.signed_in_client(ids["login_user"], "/marketing-activities/")
    texts = expected_texts(ids)
    load, speed = measure.machine_state(" (36 ms on a quiet machine)")
    results = measure.measure_pages(client, pages_for(ids), args, target_ms=TARGET_MS, width=30, clients={
        "tracking page": TrackingPageClient(client, texts["tracking"]),
        "activity record page": TrackingPageClient(client, texts["record"])})
    connection.close()
    return {"size": size, "load_average": round(load, 2), "calibration_ms": speed,
            "migrate_s": round(seconds["migrate_s"], 2), "seed_s": round(seconds["seed_s"], 2),
            "analyze_s": round(seconds["analyze_s"], 2), "rows": ids["rows"], "tables": ids["tables"],
            "activity": {"pk": ids["activity"], "budget": str(ids["budget"]),
                         **{k: str(v) for k, v in ids["figures"].items()}},
            "pages": results}


def markdown() -> str:
    """The saved results as the tables of bench/README.md ("Marketing")."""
    lines = []
    for result in report.saved_results(RESULTS):
        runs, info = result["runs"], result["database"]
        lines += [f"**{info['engine']} {info.get('version', '').split()[0]}** — median ms (p90 ms); queries per page; "
                  "SQL ms = time inside the database driver on one request; CPU ms = median CPU time of the "
                  "benchmark process", ""]
        lines += report.pages_markdown(runs, TARGET_MS, cpu=True)
        lines += report.seeding_markdown(runs, info["engine"], "**total seeding** (incl. Python generation)")
        lines += report.verdict_markdown(result)
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.markdown:
        print(markdown())
        return 0
    cli.start_page_benchmark("Marketing benchmark", args, SQLITE_FILE)
    runs = [run_size(size, args) for size in args.sizes]
    info = database.database_info(args.db)
    text = report.verdict(args.db, runs, {"version": info.get("version", "")},
                          what="leads and opportunities", target_ms=TARGET_MS)
    report.print_pages(args.db, runs, TARGET_MS)
    print("\n" + text)
    report.write_results(args.output or cli.DATA_DIR / RESULTS.format(db=args.db), database=info,
                         settings={"requests": args.requests, "warmup": args.warmup, "seed": args.seed},
                         targets={"median_ms": TARGET_MS, "queries": measure.TARGET_QUERIES}, runs=runs, verdict=text)
    if args.db == "sqlite":
        database.remove_sqlite(SQLITE_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
