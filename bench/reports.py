#!/usr/bin/env python
"""Reports benchmark: every report page (Contact Management, Sales, Marketing
and Project Management ▸ Reports), with its default options and with one
variant each, plus the CSV export and the PDF of Pipeline by Sales Stage.

For every size N (default 100,000 opportunities) the script starts from an
empty database, runs the migrations and seeds, all relative to *today* (the
reports' relative periods and "no history in the last 90 days" compare with
the real date):

- N business contacts, 2 x N leads, N / 10 accounts, categories on about 30 %
  of them, and 10 x N history items over the last three years, linked to the
  contacts (and ~10 % also to the contact's account): ``seed.seed_contacts``,
  as bench/run.py seeds them, with 50 marketing activities that initiated a
  quarter of the leads;
- N opportunities: 70 % open across the four open stages (1 % with no stage),
  won and lost ones closed over the last two years, no close date on 8 % of
  the open ones, assigned to four users (one of them deactivated) or nobody,
  with sources, types, marketing activities and, on a quarter of them, a
  category; a fifth of the history items are linked to an opportunity of
  their contact (or of the contact's account) as well;
- N / 10 business projects with 5 to 15 tasks each (``seed.generate_projects``).

Then it requests every report through ``django.test.Client`` with the
machinery of ``bench/lib/``. Targets: a median of 150 ms or less and 10
queries or fewer per report page up to 100,000 opportunities, 600 ms at
1,000,000 (``--sizes 1m``; everything else scales with it, so 10,000,000
history items: it takes a while). The PDF is timed but has no target.

SQLite (default): a throw-away file ``bench/data/reports.sqlite3``.
PostgreSQL: needs ``DATABASE_URL``; its ``public`` schema is DROPPED for every
size, so use a throw-away server::

    scripts/with-postgres.sh .venv/bin/python bench/reports.py --db postgres

See the "Reports" section of bench/README.md for the latest figures.
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import math
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.lib import cli, database, measure, report  # noqa: E402
from bench.lib.bulk import Inserter  # noqa: E402
from bench.lib.seed import (CATEGORY_WEIGHTS, STAGE_MIX, create_inactive_user, generate_projects,  # noqa: E402
                            insert_projects, seed_contacts)

SQLITE_FILE = cli.DATA_DIR / "reports.sqlite3"
RESULTS = "results-reports-{db}.json"
SEEDED = "seeded-reports-{db}.json"

TARGET_QUERIES = 10
ACTIVITIES = 50
NO_STAGE_SHARE = 0.01        # open opportunities without a stage
NO_CLOSE_DATE_SHARE = 0.08   # of the open ones
CATEGORY_SHARE = 0.25        # of the opportunities (and of the accounts)
HISTORY_ON_OPPORTUNITY = 0.20  # of the history items, linked to an opportunity too
# owner, alice, bob, dave (deactivated), nobody
OPPORTUNITY_ASSIGNEES = [0.15, 0.35, 0.30, 0.10, 0.10]


def target_ms(size: int) -> float:
    """The brief's target for a report page at this many opportunities."""
    return 150.0 if size <= 100_000 else 600.0


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Seed opportunities, leads, contacts, history and projects; time every report.",
        epilog="PostgreSQL: scripts/with-postgres.sh .venv/bin/python bench/reports.py --db postgres",
    )
    cli.add_common_arguments(parser, sizes="100000", what="opportunities (contacts x1, leads x2, history x10, "
                                                          "projects / 10, tasks x1)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the SQLite database of the last size for a later --reuse")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the database a --keep run left when it holds the same size and seed "
                             "(new migrations are applied first: e.g. to try an index)")
    args = parser.parse_args(argv)
    if args.markdown:
        return args
    args = cli.check_common_arguments(parser, args, script="bench/reports.py", min_size=100)
    if args.reuse and args.db == "postgres":
        parser.error("--reuse works on SQLite only (scripts/with-postgres.sh removes its server afterwards)")
    return args


# --- seeding ------------------------------------------------------------------------------

def seed(size: int, *, seed: int) -> dict:
    """Seed the contacts, leads and history (``seed_contacts``), then the
    opportunities, the accounts' and opportunities' categories, the history's
    links to opportunities and the projects; return what the pages need."""
    from django.utils import timezone

    now = timezone.now().replace(tzinfo=None, microsecond=0)   # naive UTC, as the Inserter writes it
    people = seed_contacts(size, seed=seed, leads=2.0, now=now, lead_activities=ACTIVITIES)
    sales = seed_sales_and_projects(size, seed=seed, now=now, people=people)
    return {
        "login_user": people["login_user"], "filter_user": people["filter_user"], "today": str(now.date()),
        "open_opportunities": sales["open"], "rows": {**people["rows"], **sales["rows"]},
        "tables": people["tables"] + sales["tables"],
    }


def seed_sales_and_projects(size: int, *, seed: int, now: dt.datetime, people: dict) -> dict:
    """The second half of ``seed``, once the people are in."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from crm.models import Account, BusinessContact, HistoryLink, ListKind, ListValue
    from projects.models import BusinessProject, ProjectTask
    from sales import pricing
    from sales.models import Opportunity, SalesListKind, SalesStage

    rng = random.Random(seed + size + 1)   # not seed_contacts' sequence
    ins = Inserter(connection)
    today = now.date()
    to_db, date_db = ins.datetime, ins.date
    day = dt.timedelta(days=1)

    with connection.constraint_checks_disabled(), transaction.atomic():
        user_ids = [*people["users"], create_inactive_user(), None]
        user_cum = list(itertools.accumulate(OPPORTUNITY_ASSIGNEES))
        category_ids, category_cum = people["categories"], list(itertools.accumulate(CATEGORY_WEIGHTS))
        activity_ids = people["activities"]
        sources = list(ListValue.objects.filter(kind=ListKind.SOURCE).values_list("pk", flat=True))
        types = list(ListValue.objects.filter(kind=SalesListKind.OPPORTUNITY_TYPE).values_list("pk", flat=True))
        stages = {s.name: s for s in SalesStage.objects.all()}
        closed = {s.pk for s in stages.values() if s.is_closed}
        mix = [(stages[name].pk, share, probabilities) for name, share, probabilities in STAGE_MIX]
        open_share = sum(share for pk, share, _p in mix if pk not in closed)
        # Scale the open stages so that, with the opportunities without a stage, 70 % stay open.
        mix = [(pk, share if pk in closed else share * (open_share - NO_STAGE_SHARE) / open_share, p)
               for pk, share, p in mix] + [(None, NO_STAGE_SHARE, [10])]
        stage_cum = list(itertools.accumulate(share for _pk, share, _p in mix))
        account_names = list(Account.objects.order_by("pk").values_list("name", flat=True))
        n_accounts = len(account_names)
        contacts = list(BusinessContact.objects.filter(is_lead=False).order_by("pk").values_list("pk", "account_id"))
        contact_ids = [pk for pk, _a in contacts]

        # Opportunities: id, link, stage, figures, dates, people, lists.
        account_opps: dict[int, list[int]] = {}
        contact_opps: dict[int, list[int]] = {}
        opp_categories: list[tuple[int, int]] = []
        open_count = 0

        def opportunity_rows():
            nonlocal open_count
            rand = rng.random
            for oid in range(1, size + 1):
                stage_id, _share, probabilities = mix[rng.choices(range(len(mix)), cum_weights=stage_cum)[0]]
                probability = rng.choice(probabilities)
                total = pricing.to_money(Decimal(rng.randint(200, 60_000)) + Decimal(rng.randint(0, 99)) / 100)
                if stage_id in closed:   # closed in the last two years, some weeks or months after it was created
                    close = today - day * rng.randint(0, 730)
                    created = min(now, dt.datetime.combine(close, dt.time(9)) - day * rng.randint(5, 200))
                    entered = close
                else:
                    open_count += 1
                    created = now - day * rng.randint(0, 365) - dt.timedelta(seconds=rng.randint(0, 86399))
                    close = None if rand() < NO_CLOSE_DATE_SHARE else today + day * rng.randint(-30, 365)
                    entered = max(created.date(), today - day * rng.randint(0, 120)) if stage_id else None
                if rand() < 0.95:
                    account_id, contact_id = rng.randint(1, n_accounts), None
                    account_opps.setdefault(account_id, []).append(oid)
                    title = f"{account_names[account_id - 1]}: order {oid}"
                else:
                    account_id, contact_id = None, contact_ids[int(rand() * len(contact_ids))]
                    contact_opps.setdefault(contact_id, []).append(oid)
                    title = f"Private order {oid}"
                if rand() < CATEGORY_SHARE:
                    opp_categories.append((oid, rng.choices(category_ids, cum_weights=category_cum)[0]))
                stamp = to_db(created)
                yield (oid, title[:200], account_id, contact_id, probability, total,
                       pricing.expected_revenue(total, probability), date_db(close), stage_id, date_db(entered),
                       rng.choices(user_ids, cum_weights=user_cum)[0],
                       rng.choice(sources) if rand() < 0.8 else None, rng.choice(types) if rand() < 0.9 else None,
                       rng.choice(activity_ids) if rand() < 0.15 else None, people["users"][0], stamp, stamp)

        ins.insert(Opportunity, ["id", "title", "account_id", "contact_id", "probability", "total", "expected_revenue",
                                 "close_date", "stage_id", "stage_entered_on", "assigned_to_id", "source_id",
                                 "opportunity_type_id", "initiated_by_activity_id", "created_by_id", "created",
                                 "modified"], opportunity_rows(), size)
        through = Opportunity.categories.through
        ins.insert(through, ["id", "opportunity_id", "category_id"],
                   ((i, o, c) for i, (o, c) in enumerate(opp_categories, start=1)), len(opp_categories))
        account_categories = [(a, rng.choices(category_ids, cum_weights=category_cum)[0])
                              for a in range(1, n_accounts + 1) if rng.random() < CATEGORY_SHARE]
        ins.insert(Account.categories.through, ["id", "account_id", "category_id"],
                   ((i, a, c) for i, (a, c) in enumerate(account_categories, start=1)), len(account_categories))

        # A fifth of the history items concern an opportunity of their contact (or
        # of the contact's account): linked to it as well.
        contact_account = dict(contacts)
        ct_contact = ContentType.objects.get_for_model(BusinessContact).pk
        ct_opportunity = ContentType.objects.get_for_model(Opportunity).pk
        next_id = (HistoryLink.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        links = []
        for item_id, contact in (HistoryLink.objects.filter(content_type_id=ct_contact).order_by("item_id")
                                 .values_list("item_id", "object_id").iterator(chunk_size=20_000)):
            if rng.random() >= HISTORY_ON_OPPORTUNITY:
                continue
            candidates = contact_opps.get(contact) or account_opps.get(contact_account.get(contact))
            if candidates:
                links.append((next_id + len(links), item_id, ct_opportunity, candidates[item_id % len(candidates)]))
        ins.insert(HistoryLink, ["id", "item_id", "content_type_id", "object_id"], iter(links), len(links))

        # Projects: a tenth of the opportunities, 5–15 tasks each.
        generated = generate_projects(rng, max(1, size // 10), today=today, created_start=now - 3 * 365 * day,
                                      user_ids=people["users"], account_names=account_names, contact_ids=contact_ids,
                                      to_db=to_db, date_db=date_db)
        insert_projects(ins, generated["projects"], generated["tasks"])
        ins.finish([Opportunity, through, Account.categories.through, HistoryLink, BusinessProject, ProjectTask])

    return {
        "open": open_count,
        "rows": {"opportunities": size, "opportunity_categories": len(opp_categories),
                 "account_categories": len(account_categories), "history_links_to_opportunities": len(links),
                 "projects": len(generated["projects"]), "tasks": len(generated["tasks"]),
                 "overdue_tasks": generated["overdue"]},
        "tables": ins.stats,
    }


# --- pages ----------------------------------------------------------------------------------

def variant(report_class, ids: dict) -> tuple[str, dict]:
    """The report's second measured view: its other "Then by" grouping where it
    has one, else Assigned to (alice) with a relative period; the rest of the
    options are the defaults (a submitted form carries all of them)."""
    params = {"group": report_class.default_group, "sort": report_class.default_sort,
              "columns": list(report_class.default_columns), "limit": report_class.default_limit,
              **report_class.default_filters}
    if report_class.default_descending:
        params["descending"] = "on"
    if report_class.default_period:
        params["period"] = report_class.default_period
    others = [key for key in report_class.then_by if key != report_class.default_then_by]
    if others:
        params["then_by"] = others[0]
        return f"then by {others[0]}", params
    period = "last_year" if report_class.default_period == "this_year" else "this_year"
    if "assigned_to" in report_class.filter_names:
        params["assigned_to"] = ids["filter_user"]
    params["period"] = period
    return f"alice, {period}", params


def pages_for(ids: dict) -> list[tuple[str, str]]:
    """(name, URL) of every report page, its variant, and the files."""
    from django.urls import reverse

    from reports import registry

    pages = []
    for report_class in registry.all_reports():
        url = reverse("reports:report", kwargs={"workspace": report_class.workspace, "code": report_class.code})
        label, params = variant(report_class, ids)
        pages.append((report_class.code, url))
        pages.append((f"{report_class.code}: {label}", f"{url}?{urlencode(params, doseq=True)}"))
    for output in ("csv", "pdf"):
        pages.append((f"pipeline-by-stage {output.upper()}",
                      reverse(f"reports:{output}", kwargs={"workspace": "sales", "code": "pipeline-by-stage"})))
    return pages


class ReportClient:
    """A test client for ``measure.measure``, which wants list rows
    ("record-row"): a report page must hold its table with groups and a total
    (Pipeline by Sales Stage: the total the seeding counted), the CSV its
    header and total, the PDF a PDF; only then is the answer marked checked."""

    def __init__(self, client, ids: dict):
        from reports.charts import format_figure

        self.client = client
        self.pipeline_total = format_figure(ids["open_opportunities"], "count").encode()

    def get(self, url, headers=None):
        from django.http import HttpResponse

        response = self.client.get(url, headers=headers)
        if response.status_code != 200:
            return response
        kind = response.get("Content-Type", "")
        if response.streaming:   # the CSV: read to the end, as a download would
            response = HttpResponse(b"".join(response.streaming_content), content_type=kind)
        body = response.content
        if kind.startswith("text/html"):
            table = body[body.find(b"report-table"):]
            table = table[:table.find(b"</table>")]
            if table.count(b'<th scope="row"') < 2 or b"<tfoot>" not in table:
                raise SystemExit(f"{url}: no report table with groups and a total")
            if url.rstrip("/").endswith("/pipeline-by-stage"):
                total = table[table.find(b"<tfoot>"):]
                if b">" + self.pipeline_total + b"<" not in total:
                    raise SystemExit(f"{url}: the total is not the {self.pipeline_total.decode()} open opportunities")
        elif kind.startswith("text/csv"):
            if body.count(b"\n") < 3 or b"Total" not in body:
                raise SystemExit(f"{url}: the CSV lacks its groups or total")
        elif kind == "application/pdf":
            if not body.startswith(b"%PDF"):
                raise SystemExit(f"{url}: not a PDF")
        else:
            raise SystemExit(f"{url}: unexpected {kind}")
        response.content = body + b"<!-- record-row: report checked -->"
        return response


# --- a run per size ---------------------------------------------------------------------------

def seeded_database(size: int, args) -> tuple[dict, dict]:
    """Seed ``size`` afresh, or with --reuse take the database a --keep run left
    (after applying any new migration); what ``seed`` returned and the seconds."""
    from django.db import DatabaseError, connection

    from sales.models import Opportunity

    marker = cli.DATA_DIR / SEEDED.format(db=args.db)
    previous = json.loads(marker.read_text()) if args.reuse and marker.exists() else {}
    if previous.get("size") == size and previous.get("seed") == args.seed:
        try:
            held = Opportunity.objects.count()
        except DatabaseError:
            connection.close()
            held = None
        if held == size:
            migrate_s = database.migrate()
            analyze_s = database.analyze(args.db)
            print(f"  reusing the database seeded on {previous['when']} (migrate {migrate_s:.1f} s, "
                  f"ANALYZE {analyze_s:.1f} s)", flush=True)
            return previous["ids"], {"migrate_s": migrate_s, "seed_s": previous["seed_s"], "analyze_s": analyze_s}
    marker.unlink(missing_ok=True)
    ids, seconds = database.fresh_database(args.db, SQLITE_FILE, lambda: seed(size, seed=args.seed))
    marker.write_text(json.dumps({"size": size, "seed": args.seed, "ids": ids, "seed_s": round(seconds["seed_s"], 2),
                                  "when": time.strftime("%Y-%m-%d %H:%M")}))
    return ids, seconds


def run_size(size: int, args) -> dict:
    from django.db import connection

    print(f"\n== {args.db} · {size:,} opportunities ==", flush=True)
    ids, seconds = seeded_database(size, args)
    rows = ids["rows"]
    print(f"  {rows['opportunities']:,} opportunities ({ids['open_opportunities']:,} open), {rows['leads']:,} leads, "
          f"{rows['contacts']:,} contacts, {rows['history_items']:,} history items "
          f"({rows['history_links_to_opportunities']:,} also on an opportunity), {rows['projects']:,} projects, "
          f"{rows['tasks']:,} tasks; seeded for {ids['today']}", flush=True)
    client = ReportClient(measure.signed_in_client(ids["login_user"], "/reports/"), ids)
    load, speed = measure.machine_state()
    target = target_ms(size)
    results = []
    for name, url in pages_for(ids):
        if args.pages and not any(p in name for p in args.pages):
            continue
        page_target = None if name.endswith("PDF") else target
        result = measure.measure_page(name, client, url, {}, args, page_target or math.inf, 58, TARGET_QUERIES)
        result.update(target_ms=page_target, load_average=round(os.getloadavg()[0], 2),
                      ok=page_target is None or (result["median_ms"] <= page_target
                                                 and result["queries"] <= TARGET_QUERIES))
        results.append(result)
    connection.close()
    return {"size": size, "target_ms": target, "load_average": round(load, 2), "calibration_ms": speed,
            "migrate_s": round(seconds["migrate_s"], 2), "seed_s": round(seconds["seed_s"], 2),
            "analyze_s": round(seconds["analyze_s"], 2), "rows": rows, "tables": ids["tables"],
            "today": ids["today"], "pages": results}


# --- the figures ----------------------------------------------------------------------------

def print_table(db: str, runs: list[dict]) -> None:
    """Every page of every size with its target and verdict, and the load average when it was measured."""
    print(f"\n{'database':9} {'size':>9}  {'page':58} {'median':>7} {'p90':>7} {'CPU ms':>7} {'queries':>7} "
          f"{'SQL ms':>7} {'target':>7} {'verdict':>7} {'load':>5}")
    for run in runs:
        for page in run["pages"]:
            target = f"{page['target_ms']:.0f}" if page["target_ms"] else "-"
            verdict_ = ("pass" if page["ok"] else "FAIL") if page["target_ms"] else "info"
            print(f"{db:9} {run['size']:>9,}  {page['page']:58} {page['median_ms']:>7.1f} {page['p90_ms']:>7.1f} "
                  f"{page['cpu_median_ms']:>7.1f} {page['queries']:>7} {page['db_ms']:>7.1f} {target:>7} {verdict_:>7} "
                  f"{page['load_average']:>5.1f}")


def verdict(db: str, runs: list[dict], version: str) -> str:
    """The shared verdict of each size against its own target (150 ms, 600 ms at
    1M; 10 queries), the PDF left out."""
    lines = []
    for run in runs:
        timed = {**run, "pages": [p for p in run["pages"] if p["target_ms"]]}
        lines.append(report.verdict(db, [timed], {"version": version}, what="opportunities",
                                    target_ms=run["target_ms"], target_queries=TARGET_QUERIES))
    return "\n".join(lines)


def named_once(tables: list[dict]) -> list[dict]:
    """The seeding figures with a table loaded twice (the history links) named apart."""
    seen: set[str] = set()
    named = []
    for table in tables:
        name = table["table"]
        named.append({**table, "table": f"{name} (to opportunities)" if name in seen else name})
        seen.add(name)
    return named


def markdown() -> str:
    """The saved results as the tables of bench/README.md ("Reports")."""
    lines = []
    # The default size's results, then those of other --sizes (e.g. results-reports-sqlite-1000000.json).
    paths = sorted(cli.DATA_DIR.glob(RESULTS.format(db="*")), key=lambda p: (len(p.name), "postgres" in p.name))
    for result in [json.loads(path.read_text()) for path in paths]:
        info = result["database"]
        for run in result["runs"]:
            lines += [f"**{info['engine']} {info.get('version', '').split()[0]}, {run['size']:,} opportunities** "
                      f"(seeded for {run['today']}; load average {run['load_average']} at the start, calibration "
                      f"loop {run['calibration_ms']:.0f} ms) — median and p90 ms; CPU ms = median CPU time of the "
                      "benchmark process (Python, and SQLite, which runs in it; not the PostgreSQL server); "
                      "queries; SQL ms = time inside the database driver on one request; load = 1-minute load "
                      "average after the page", "",
                      "| report page | median ms | p90 ms | CPU ms | queries | SQL ms | target | | load |",
                      "|---|--:|--:|--:|--:|--:|--:|---|--:|"]
            for p in run["pages"]:
                median = f"{p['median_ms']:.0f}"
                verdict_ = ("pass" if p["ok"] else "**FAIL**") if p["target_ms"] else "(no target)"
                lines.append(f"| {p['page']} | {median if p['ok'] else '**' + median + '**'} | {p['p90_ms']:.0f} | "
                             f"{p['cpu_median_ms']:.0f} | {p['queries']} | {p['db_ms']:.1f} | "
                             f"{'≤ %.0f ms, ≤ %d q' % (p['target_ms'], TARGET_QUERIES) if p['target_ms'] else '–'} | "
                             f"{verdict_} | {p['load_average']} |")
            lines += report.seeding_markdown([{**run, "tables": named_once(run["tables"])}], info["engine"],
                                             "**total seeding** (incl. Python generation)")
            lines.append("")
        lines += report.verdict_markdown(result)
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.markdown:
        print(markdown())
        return 0
    cli.start_page_benchmark("Reports benchmark", args, SQLITE_FILE)
    runs = [run_size(size, args) for size in args.sizes]
    info = database.database_info(args.db)
    print_table(args.db, runs)
    text = verdict(args.db, runs, info.get("version", ""))
    print("\n" + text)
    default = args.sizes == [100_000]
    name = RESULTS.format(db=args.db) if default else RESULTS.format(
        db=f"{args.db}-{'-'.join(str(s) for s in args.sizes)}")
    report.write_results(
        args.output or cli.DATA_DIR / name, database=info,
        settings={"requests": args.requests, "warmup": args.warmup, "seed": args.seed},
        targets={"median_ms": {str(s): target_ms(s) for s in args.sizes}, "queries": TARGET_QUERIES}, runs=runs,
        verdict=text)
    if args.db == "sqlite" and not args.keep:
        (cli.DATA_DIR / SEEDED.format(db=args.db)).unlink(missing_ok=True)
        database.remove_sqlite(SQLITE_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
