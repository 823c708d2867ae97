#!/usr/bin/env python
"""Opportunities benchmark: the list page, its filters and sorts, the detail
page, and deleting a sales stage that holds 50,000 opportunities.

For every size N (default 1,000 and 100,000 opportunities) the script starts
from an empty database, runs the migrations and seeds N / 10 accounts, N / 2
business contacts, N opportunities and about 3 x N opportunity lines with
consistent stored totals (``sales.pricing``). It then times the pages through
``django.test.Client`` with the machinery of ``bench/lib/`` and, at the
biggest size, ``sales.services.stage_delete`` on a stage of 50,000
opportunities.

SQLite (default): a throw-away file ``bench/data/opportunities.sqlite3``.
PostgreSQL: needs ``DATABASE_URL``; its ``public`` schema is DROPPED for every
size, so use a throw-away server::

    scripts/with-postgres.sh .venv/bin/python bench/opportunities.py --db postgres

See the "Opportunities" section of bench/README.md for the latest figures.
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import math
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.lib import cli, data, database, measure, report  # noqa: E402
from bench.lib.bulk import Inserter  # noqa: E402
from bench.lib.seed import NOW, STAGE_MIX, USER_WEIGHTS, create_users  # noqa: E402

# Our own file, so a page benchmark (bench/run.py) running at the same time is not disturbed.
SQLITE_FILE = cli.DATA_DIR / "opportunities.sqlite3"
RESULTS = "results-opportunities-{db}.json"

TARGET_MS = 30.0
TARGET_STAGE_DELETE_S = 3.0
STAGE_DELETE_ROWS = 50_000

FILTER_STAGE = "Qualification"   # ~20 % of the rows

# The catalogue: name, list price, unit cost, (min, max) quantity, unit of the title.
PRODUCTS = [
    ("CRM Standard licence (user/year)", "480.00", "95.00", (5, 150)),
    ("CRM Professional licence (user/year)", "960.00", "180.00", (5, 120)),
    ("Onboarding workshop (day)", "1200.00", "600.00", (1, 5)),
    ("Data migration", "2500.00", "1100.00", (1, 1)),
    ("Support plan Gold (year)", "3600.00", "900.00", (1, 1)),
    ("Support plan Silver (year)", "1800.00", "450.00", (1, 1)),
    ("Consulting hour", "150.00", "70.00", (4, 80)),
    ("Training course (seat)", "450.00", "120.00", (2, 30)),
    ("Integration module", "4200.00", "1500.00", (1, 2)),
    ("Hosting (month)", "99.00", "35.00", (12, 36)),
]
FREE_TEXT_LINES = [
    ("Travel expenses", (200, 2500)), ("Custom report development", (800, 6000)),
    ("On-site installation", (500, 3000)), ("Extra storage 100 GB (year)", (120, 600)),
    ("Project management", (1000, 8000)), ("Hardware: barcode scanners", (150, 400)),
    ("Rush delivery", (100, 900)),
]
TITLE_PRODUCTS = ["CRM licences", "support plan", "onboarding", "hosting", "integration module", "training",
                  "data migration", "consulting", "CRM Professional"]
TITLE_PATTERNS = ["{c}: {p} renewal", "{c}: {p}", "{c}: {p} upgrade", "{c}: new {p}", "{c}: {p} extension",
                  "{c}: {p} for {n} users", "{c}: {p} {y}"]
LINE_COUNTS, LINE_WEIGHTS = [1, 2, 3, 4, 5], [0.15, 0.20, 0.30, 0.20, 0.15]     # mean 3.0
DISCOUNTS = [Decimal(0)] * 12 + [Decimal(d) for d in ("5", "10", "10", "12.5", "15", "20", "25")]
COMPETITORS = ["", "", "", "", "Salesforce", "HubSpot", "Pipedrive", "Zoho", "Local reseller"]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Seed opportunities at several sizes; time their list and detail pages and a stage deletion.",
        epilog="PostgreSQL: scripts/with-postgres.sh .venv/bin/python bench/opportunities.py --db postgres",
    )
    cli.add_common_arguments(parser, sizes="1000,100000", what="opportunities")
    parser.add_argument("--no-stage-delete", action="store_true", help="skip the stage deletion at the biggest size")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file of the last size")
    args = parser.parse_args(argv)
    if args.markdown:
        return args
    return cli.check_common_arguments(parser, args, script="bench/opportunities.py", min_size=100)


# --- seeding ------------------------------------------------------------------------------

def seed_opportunities(size: int, *, seed: int) -> dict:
    """Seed ``size`` opportunities with their accounts, contacts and lines; return what the pages need."""
    from django.db import connection, transaction

    from crm.models import Account, BusinessContact, ListKind, ListValue
    from sales import pricing
    from sales.models import Opportunity, OpportunityLine, Product, SalesListKind, SalesStage

    rng = random.Random(seed + size)
    ins = Inserter(connection)
    n_accounts, n_contacts, n_opps = max(1, size // 10), max(1, size // 2), size
    today = NOW.date()
    created_start = NOW - dt.timedelta(days=3 * 365)
    to_db, date_db = ins.datetime, ins.date

    with connection.constraint_checks_disabled(), transaction.atomic():
        user_ids = create_users()
        user_cum = list(itertools.accumulate(USER_WEIGHTS))
        lists = {kind: list(ListValue.objects.filter(kind=kind).values_list("pk", flat=True))
                 for kind in (ListKind.SOURCE, SalesListKind.OPPORTUNITY_TYPE, SalesListKind.PAYMENT_TERMS)}
        stages = {s.name: s for s in SalesStage.objects.all()}
        stage_ids = [stages[name].pk for name, _share, _p in STAGE_MIX]
        stage_cum = list(itertools.accumulate(share for _n, share, _p in STAGE_MIX))
        stage_probabilities = {stages[name].pk: p for name, _s, p in STAGE_MIX}
        closed_ids = {s.pk for s in stages.values() if s.is_closed}
        products = Product.objects.bulk_create([
            Product(name=name, unit_price=Decimal(price), unit_cost=Decimal(cost), description="")
            for name, price, cost, _q in PRODUCTS])

        # Accounts and business contacts: the columns the list and detail pages show.
        # Unique "<Word> <Trade> [City]" names, made as for the page benchmark (bench/run.py).
        account_names = data.account_names(rng, n_accounts)   # (name without legal form, account name, city index)
        account_created = sorted(created_start - dt.timedelta(days=rng.randint(0, 1500)) for _ in range(n_accounts))

        def account_rows():
            for i, (base, name, city_index) in enumerate(account_names):
                city, country, _postal, phone, _legal, _streets = data.CITIES[city_index]
                domain = data.ascii_slug(base) + ".example"
                stamp = to_db(account_created[i])
                yield (i + 1, name, f"A-{100000 + i}", f"info@{domain}", f"https://www.{domain}",
                       f"{phone} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}", city, country,
                       rng.choices(user_ids, cum_weights=user_cum)[0], user_ids[0], stamp, stamp, "business")

        ins.insert(Account, ["id", "name", "account_number", "email", "web_page", "business_phone", "business_city",
                             "business_country", "assigned_to_id", "created_by_id", "created", "modified",
                             "mailing_address"], account_rows(), n_accounts)

        contact_company: list[str] = []
        last_cum = list(itertools.accumulate(data.LAST_WEIGHTS))

        def contact_rows():
            for pid in range(1, n_contacts + 1):
                first = rng.choice(data.FIRST_NAMES)
                last = rng.choices(data.LAST_NAMES, cum_weights=last_cum)[0]
                if rng.random() < 0.95:
                    account_id = rng.randint(1, n_accounts)
                    base, company, city_index = account_names[account_id - 1]
                else:
                    account_id, city_index = None, rng.randrange(len(data.CITIES))
                    base = f"{rng.choice(data.COMPANY_WORDS)} {rng.choice(data.COMPANY_TRADES)}"
                    company = base
                contact_company.append(base)
                city, country, _postal, phone, _legal, _streets = data.CITIES[city_index]
                stamp = to_db(created_start + dt.timedelta(seconds=rng.randint(0, 3 * 365 * 86400)))
                yield (pid, False, f"{first} {last}", first, last, f"{last}, {first}", rng.choice(data.JOB_TITLES),
                       company, account_id, f"{data.ascii_slug(first)}.{data.ascii_slug(last)}@{data.ascii_slug(base)}.example",
                       f"{phone} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}", city, country,
                       rng.choices(user_ids, cum_weights=user_cum)[0], user_ids[0], stamp, stamp, "business")

        ins.insert(BusinessContact, ["id", "is_lead", "full_name", "first_name", "last_name", "file_as", "job_title",
                                     "company_name", "account_id", "email", "business_phone", "business_city",
                                     "business_country", "assigned_to_id", "created_by_id", "created", "modified",
                                     "mailing_address"], contact_rows(), n_contacts)

        # Opportunities and their lines: the lines first (in memory), so the stored
        # totals are exactly pricing's sums of them.
        product_rows = [(p.pk, p.unit_price, q) for p, (_n, _pr, _c, q) in zip(products, PRODUCTS)]
        opp_created = sorted(created_start + dt.timedelta(seconds=rng.randint(0, 3 * 365 * 86400))
                             for _ in range(n_opps))
        lines: list[tuple] = []
        opps: list[tuple] = []
        stage_count: dict[int, int] = {}
        line_id = 0
        for oid in range(1, n_opps + 1):
            created = opp_created[oid - 1]
            stage_id = rng.choices(stage_ids, cum_weights=stage_cum)[0]
            stage_count[stage_id] = stage_count.get(stage_id, 0) + 1
            probability = rng.choice(stage_probabilities[stage_id])
            totals = []
            for position in range(1, rng.choices(LINE_COUNTS, weights=LINE_WEIGHTS)[0] + 1):
                line_id += 1
                if rng.random() < 0.8:
                    product_id, list_price, (q_min, q_max) = rng.choice(product_rows)
                    description = ""
                    quantity = Decimal(rng.randint(q_min, q_max))
                    # A negotiated price now and then (the list price otherwise).
                    unit_price = list_price if rng.random() < 0.85 else pricing.to_money(
                        list_price * Decimal(rng.choice(["0.9", "0.95", "1.05"])))
                else:
                    product_id = None
                    description, (p_min, p_max) = rng.choice(FREE_TEXT_LINES)
                    quantity = Decimal(rng.choice([1, 1, 1, 2, 3, 5, 10]))
                    unit_price = Decimal(rng.randint(p_min, p_max))
                discount = rng.choice(DISCOUNTS)
                line_total = pricing.line_total(quantity, unit_price, discount)
                totals.append(line_total)
                lines.append((line_id, oid, product_id, description, quantity, unit_price, discount, line_total,
                              position))
            total = pricing.opportunity_total(totals)
            expected = pricing.expected_revenue(total, probability)
            if stage_id in closed_ids:            # closed in the last year, after it was created
                close = max(created.date(), today - dt.timedelta(days=rng.randint(0, 365)))
                entered = close
            else:                                  # open: expected within the next year (a few overdue)
                close = today + dt.timedelta(days=rng.randint(-30, 365))
                entered = max(created.date(), today - dt.timedelta(days=rng.randint(0, 120)))
            if rng.random() < 0.95:
                account_id, contact_id = rng.randint(1, n_accounts), None
                company = account_names[account_id - 1][0]
            else:
                account_id, contact_id = None, rng.randint(1, n_contacts)
                company = contact_company[contact_id - 1]
            title = rng.choice(TITLE_PATTERNS).format(c=company, p=rng.choice(TITLE_PRODUCTS),
                                                      n=rng.choice([10, 25, 50, 100, 250]), y=created.year + 1)
            stamp = to_db(created)
            modified = to_db(min(NOW, created + dt.timedelta(days=rng.randint(0, 90))))
            opps.append((oid, title[:200], account_id, contact_id, probability, total, expected, date_db(close),
                         stage_id, date_db(entered), rng.choices(user_ids, cum_weights=user_cum)[0],
                         rng.choice(lists[ListKind.SOURCE]) if rng.random() < 0.8 else None,
                         rng.choice(lists[SalesListKind.OPPORTUNITY_TYPE]) if rng.random() < 0.9 else None,
                         rng.choice(lists[SalesListKind.PAYMENT_TERMS]) if rng.random() < 0.7 else None,
                         rng.choice(COMPETITORS), user_ids[0], stamp, modified))

        ins.insert(Opportunity, ["id", "title", "account_id", "contact_id", "probability", "total", "expected_revenue",
                                 "close_date", "stage_id", "stage_entered_on", "assigned_to_id", "source_id",
                                 "opportunity_type_id", "payment_terms_id", "competitors", "created_by_id", "created",
                                 "modified"], iter(opps), n_opps)
        ins.insert(OpportunityLine, ["id", "opportunity_id", "product_id", "description", "quantity", "unit_price",
                                     "discount_percent", "line_total", "position"], iter(lines), len(lines))

        ins.finish([Account, BusinessContact, Opportunity, OpportunityLine])

    # A typical opportunity for the detail page: open, with three lines.
    lines_per_opp: dict[int, int] = {}
    for line in lines:
        lines_per_opp[line[1]] = lines_per_opp.get(line[1], 0) + 1
    detail = next(o[0] for o in opps[n_opps // 2:] if o[8] not in closed_ids and lines_per_opp[o[0]] == 3 and o[2])
    filter_stage = stages[FILTER_STAGE].pk
    return {
        "login_user": user_ids[0],
        "stage": filter_stage,
        "stage_rows": stage_count.get(filter_stage, 0),
        "open_rows": sum(c for s, c in stage_count.items() if s not in closed_ids),
        "detail": detail,
        "rows": {"accounts": n_accounts, "contacts": n_contacts, "opportunities": n_opps, "lines": len(lines)},
        "tables": ins.stats,
    }


def check_consistency() -> dict:
    """The stored totals equal the SQL sum of the stored lines (``with_totals``) and
    the expected revenue equals ``pricing.expected_revenue``. Compared in Python:
    SQLite sums decimals as floating point, so an SQL ``=`` can miss by a rounding."""
    from sales import pricing
    from sales.models import Opportunity

    bad_total = bad_expected = checked = 0
    for total, lines_total, probability, expected in (Opportunity.objects.with_totals().order_by()
                                                      .values_list("total", "lines_total", "probability",
                                                                   "expected_revenue").iterator(chunk_size=5000)):
        checked += 1
        bad_total += pricing.to_money(lines_total) != total
        bad_expected += pricing.expected_revenue(total, probability) != expected
    if bad_total or bad_expected:
        raise SystemExit(f"seeded data inconsistent: {bad_total} totals, {bad_expected} expected revenues")
    return {"opportunities_checked": checked}


# --- pages ----------------------------------------------------------------------------------

HTMX = {"HX-Request": "true", "HX-Target": "results", "HX-Current-URL": "http://testserver/opportunities/"}


def pages_for(ids: dict, size: int, page_size: int) -> list[tuple[str, str, dict]]:
    middle = max(1, math.ceil(size / page_size) // 2)
    return [
        ("opportunities: first page", "/opportunities/", {}),
        ("opportunities: middle page", f"/opportunities/?page={middle}", {}),
        ("opportunities: stage (~20 %)", f"/opportunities/?stage={ids['stage']}", {}),
        ("opportunities: status open", "/opportunities/?status=open", {}),
        ("opportunities: sort -expected", "/opportunities/?sort=-expected_revenue", {}),
        ("opportunities: -expected middle", f"/opportunities/?sort=-expected_revenue&page={middle}", {}),
        ("opportunities: htmx partial", "/opportunities/", HTMX),
        ("opportunity detail", f"/opportunities/{ids['detail']}/", {}),
    ]


class DetailPageClient:
    """A test client for ``measure.measure`` on a detail page, which checks that a
    page holds list rows ("record-row"); a detail page has none, so this checks
    instead that every response holds the lines table with the opportunity's
    lines, and only then marks it as checked for ``measure.measure``."""

    def __init__(self, client, lines: int):
        self.client, self.lines = client, lines

    def get(self, url, headers=None):
        response = self.client.get(url, headers=headers)
        body = response.content
        if response.status_code == 200:
            table = body[body.find(b"lines-table"):]
            if b"lines-table" not in body or table[:table.find(b"</tbody>")].count(b"<tr><td>") != self.lines:
                raise SystemExit(f"{url}: the detail page lacks its {self.lines} lines")
            response.content = body + b"<!-- record-row: lines table checked -->"
        return response


def stage_delete(ids: dict, db: str) -> dict:
    """Put exactly 50,000 open opportunities into Proposal, then delete Proposal
    (replacement Negotiation, activities moved along) and check the result."""
    from django.contrib.auth.models import User
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from crm.models import ChangeLogEntry
    from sales import services
    from sales.models import Opportunity, SalesStage

    stages = {s.name: s for s in SalesStage.objects.all()}
    proposal, negotiation = stages["Proposal"], stages["Negotiation"]
    # The first open opportunities (by id) outside Negotiation go to Proposal; the other
    # Proposal ones to Qualification, so Proposal holds exactly ``wanted``.
    candidates = Opportunity.objects.filter(stage__kind=SalesStage.Kind.OPEN).exclude(stage=negotiation)
    wanted = min(STAGE_DELETE_ROWS, candidates.count())
    cutoff = candidates.order_by("pk").values_list("pk", flat=True)[wanted - 1]
    with transaction.atomic():
        Opportunity.objects.filter(stage=proposal, pk__gt=cutoff).update(stage=stages["Qualification"])
        candidates.filter(pk__lte=cutoff).update(stage=proposal)
    database.analyze(db)
    held = Opportunity.objects.filter(stage=proposal).count()
    assert held == wanted, (held, wanted)
    negotiation_before = Opportunity.objects.filter(stage=negotiation).count()
    ct = ContentType.objects.get_for_model(Opportunity)
    log_before = ChangeLogEntry.objects.filter(content_type=ct).count()
    owner = User.objects.get(pk=ids["login_user"])
    statements: list[dict] = []

    def record(execute, sql, params, many, context):
        # Each statement's time, and whether it ran inside the service's atomic block (one transaction).
        inside, begun = connection.in_atomic_block, time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append({"ms": round((time.perf_counter() - begun) * 1000, 2), "in_transaction": inside,
                               "sql": sql[:300]})

    start = time.perf_counter()
    with connection.execute_wrapper(record):
        moved = services.stage_delete(stage=proposal, replacement=negotiation, move_activities=True, user=owner)
    seconds = time.perf_counter() - start
    logged = ChangeLogEntry.objects.filter(content_type=ct).count() - log_before
    arrived = Opportunity.objects.filter(stage=negotiation).count() - negotiation_before
    # SQLite's BEGIN IMMEDIATE runs just before the atomic block counts as entered.
    begins = [q for q in statements if q["sql"].upper().startswith("BEGIN")]
    one_transaction = len(begins) <= 1 and all(q["in_transaction"] or q in begins for q in statements)
    ok = (moved == wanted == logged == arrived and one_transaction
          and not SalesStage.objects.filter(pk=proposal.pk).exists())
    return {"rows": wanted, "seconds": round(seconds, 3), "moved": moved, "changelog_entries": logged,
            "moved_to_replacement": arrived, "statements": len(statements), "one_transaction": one_transaction,
            "slowest": sorted(statements, key=lambda q: -q["ms"])[:3],
            "ok": ok}


# --- a run per size ---------------------------------------------------------------------------

def run_size(size: int, args, biggest: bool) -> dict:
    """Seed ``size`` opportunities, measure the pages and, at the biggest size, the stage deletion."""
    from django.conf import settings
    from django.db import connection

    from sales.models import Opportunity

    print(f"\n== {args.db} · {size:,} opportunities ==", flush=True)
    ids, seconds = database.fresh_database(args.db, SQLITE_FILE, lambda: seed_opportunities(size, seed=args.seed))
    consistency = check_consistency()
    assert Opportunity.objects.count() == size

    client = measure.signed_in_client(ids["login_user"], "/opportunities/")
    print(f"  pages: stage #{ids['stage']} ({ids['stage_rows']:,} rows, {ids['stage_rows'] / size:.0%}), "
          f"open {ids['open_rows']:,}, detail #{ids['detail']}", flush=True)
    load, speed = measure.machine_state(" (36 ms on a quiet machine)")
    results = measure.measure_pages(client, pages_for(ids, size, settings.CRM_PAGE_SIZE), args, target_ms=TARGET_MS,
                                    width=34, clients={"opportunity detail": DetailPageClient(client, 3)})
    deletion = None
    if biggest and not args.no_stage_delete:
        deletion = stage_delete(ids, args.db)
        print(f"  stage delete: {deletion['rows']:,} opportunities moved in {deletion['seconds']:.2f} s "
              f"({deletion['statements']} statements, one transaction: {deletion['one_transaction']}; "
              f"{deletion['changelog_entries']:,} change-log entries; "
              f"{'ok' if deletion['ok'] else 'CHECK FAILED'})", flush=True)
        for q in deletion["slowest"]:
            print(f"    {q['ms']:9.1f} ms  {q['sql'][:110]}")
    connection.close()
    return {"size": size, "load_average": round(load, 2), "calibration_ms": speed,
            "migrate_s": round(seconds["migrate_s"], 2), "seed_s": round(seconds["seed_s"], 2),
            "analyze_s": round(seconds["analyze_s"], 2), "rows": ids["rows"], "tables": ids["tables"],
            "picked": {k: ids[k] for k in ("stage", "stage_rows", "open_rows", "detail")},
            "consistency": consistency, "pages": results, "stage_delete": deletion}


def verdict(db: str, runs: list[dict], version: str) -> str:
    """The verdict on the pages (30 ms here), plus the stage deletion."""
    deletions = [r["stage_delete"] for r in runs if r.get("stage_delete")]
    extra = "".join(f"; stage delete of {d['rows']:,} in {d['seconds']:.2f} s "
                    f"({'<' if d['seconds'] <= TARGET_STAGE_DELETE_S else '>'} {TARGET_STAGE_DELETE_S:.0f} s"
                    f"{', checked' if d['ok'] else ', CHECK FAILED'})" for d in deletions)
    extra_ok = all(d["seconds"] <= TARGET_STAGE_DELETE_S and d["ok"] for d in deletions)
    return report.verdict(db, runs, {"version": version}, what="opportunities", target_ms=TARGET_MS, extra=extra,
                          extra_ok=extra_ok)


def markdown() -> str:
    """The saved results as the tables of bench/README.md ("Opportunities")."""
    lines = []
    for result in report.saved_results(RESULTS):
        runs, info = result["runs"], result["database"]
        lines += [f"**{info['engine']} {info.get('version', '').split()[0]}** — median ms (p90 ms); queries per page; "
                  "SQL ms = time inside the database driver on one request; CPU ms = median CPU time of the "
                  "benchmark process (Python, and SQLite, which runs in it)", ""]
        lines += report.pages_markdown(runs, TARGET_MS, cpu=True)
        lines.append("| machine: load average / calibration loop | "
                     + " | ".join(f"{r['load_average']} / {r['calibration_ms']:.0f} ms" for r in runs) + " | | | |")
        lines += report.seeding_markdown(runs, info["engine"], "**total seeding** (incl. Python generation)")
        for r in runs:
            d = r.get("stage_delete")
            if d:
                lines += ["", f"Stage delete at {r['size']:,}: Proposal ({d['rows']:,} opportunities) → Negotiation "
                              f"with its activities: **{d['seconds']:.2f} s**, {d['statements']} SQL statements in one "
                              f"transaction; {d['moved_to_replacement']:,} moved, {d['changelog_entries']:,} change-log "
                              f"entries ({'checked' if d['ok'] else 'CHECK FAILED'})."]
        lines += report.verdict_markdown(result)
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.markdown:
        print(markdown())
        return 0
    cli.start_page_benchmark("Opportunities benchmark", args, SQLITE_FILE)
    runs = [run_size(size, args, biggest=size == max(args.sizes)) for size in args.sizes]
    info = database.database_info(args.db)
    text = verdict(args.db, runs, info.get("version", ""))
    print("\n" + text)
    report.write_results(
        args.output or cli.DATA_DIR / RESULTS.format(db=args.db), database=info,
        settings={"requests": args.requests, "warmup": args.warmup, "seed": args.seed},
        targets={"median_ms": TARGET_MS, "queries": measure.TARGET_QUERIES, "stage_delete_s": TARGET_STAGE_DELETE_S},
        runs=runs, verdict=text)
    if args.db == "sqlite" and not args.keep:
        database.remove_sqlite(SQLITE_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
