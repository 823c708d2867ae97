#!/usr/bin/env python
"""Pipeline board benchmark: Sales ▸ Opportunities ▸ Board over 5,000 open
opportunities, alone and among many closed ones.

For every size N (default 5,000 and 100,000 opportunities in all) the script
starts from an empty database, runs the migrations and seeds N / 20 accounts,
N / 20 business contacts and N opportunities: 5,000 open ones (or N, if
smaller) spread over the four shipped open stages, 2 % without a stage,
and the rest closed (won or lost), with consistent stored totals and expected
revenue (``sales.pricing``; the board reads the stored figures, so no lines
are seeded). Alice, who is signed in, has about 45 % of them. The columns'
figures every page must show (count and expected revenue per column, for
each filter) are worked out in Python while seeding, and every answer is
checked against them before it counts. Then it times through
``django.test.Client`` (the machinery of ``bench/lib/``):

- the board; the board filtered to Mine; filtered to a close date range;
- "Show more" (htmx): a column's second page, and its 20th (cards 951–1,000);
- a move (htmx POST): a card to another stage and back, through the form's
  service, with the card and every column's figures in the answer.

SQLite (default): a throw-away file ``bench/data/board.sqlite3``.
PostgreSQL: needs ``DATABASE_URL``; its ``public`` schema is DROPPED for every
size, so use a throw-away server::

    scripts/with-postgres.sh .venv/bin/python bench/board.py --db postgres

Target: a median of 80 ms or less per page, 15 queries or fewer, the same query
count at every size. See the "Pipeline board" section of bench/README.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import re
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.lib import cli, data, database, measure, report  # noqa: E402
from bench.lib.bulk import Inserter  # noqa: E402
from bench.lib.seed import NOW, USER_WEIGHTS, create_users  # noqa: E402

SQLITE_FILE = cli.DATA_DIR / "board.sqlite3"
RESULTS = "results-board-{db}.json"

TARGET_MS = 80.0
OPEN = 5_000
NO_STAGE_SHARE = 0.02
# The shipped open stages: share of the open opportunities, probabilities that fit.
OPEN_MIX = [("Prospecting", 0.34, [10, 10, 15]), ("Qualification", 0.28, [20, 25, 30]),
            ("Proposal", 0.22, [40, 50, 60]), ("Negotiation", 0.16, [70, 75, 80, 90])]
RANGE_DAYS = 90            # the close date filter: the next 90 days
DEEP_PAGE = 20             # "Show more" as far as cards 951–1,000 of the biggest column


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Seed 5,000 open opportunities (and closed ones up to each size); time the pipeline board.",
        epilog="PostgreSQL: scripts/with-postgres.sh .venv/bin/python bench/board.py --db postgres",
    )
    cli.add_common_arguments(parser, sizes="5000,100000", what="opportunities in all (5,000 of them open)")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file of the last size")
    args = parser.parse_args(argv)
    if args.markdown:
        return args
    return cli.check_common_arguments(parser, args, script="bench/board.py", min_size=100)


# --- seeding ------------------------------------------------------------------------------

class Figures:
    """What the columns' headers must say: count and expected revenue per column key."""

    def __init__(self):
        self.count: dict[str, int] = {}
        self.revenue: dict[str, Decimal] = {}

    def add(self, key: str, expected: Decimal) -> None:
        self.count[key] = self.count.get(key, 0) + 1
        self.revenue[key] = self.revenue.get(key, Decimal("0.00")) + expected


def seed(size: int, *, seed: int) -> dict:
    """Seed ``size`` opportunities (``OPEN`` of them open) with their accounts and
    contacts; return what the pages need and the figures they must show."""
    from django.db import connection, transaction

    from crm.models import Account, BusinessContact
    from sales import pricing
    from sales.models import Opportunity, SalesStage

    rng = random.Random(seed + size)
    ins = Inserter(connection)
    n_accounts = n_contacts = max(100, size // 20)
    n_open = min(OPEN, size)
    today = NOW.date()
    created_start = NOW - dt.timedelta(days=3 * 365)
    to_db, date_db = ins.datetime, ins.date
    range_end = today + dt.timedelta(days=RANGE_DAYS)

    with connection.constraint_checks_disabled(), transaction.atomic():
        user_ids = create_users()
        alice = user_ids[1]
        user_cum = list(itertools.accumulate(USER_WEIGHTS))
        stages = {s.name: s for s in SalesStage.objects.all()}
        open_ids = [stages[name].pk for name, _share, _p in OPEN_MIX]
        open_cum = list(itertools.accumulate(share for _n, share, _p in OPEN_MIX))
        probabilities = {stages[name].pk: p for name, _s, p in OPEN_MIX}
        closed_ids = [stages["Closed Won"].pk, stages["Closed Lost"].pk]
        names = data.account_names(rng, n_accounts)

        def account_rows():
            for i, (_base, name, city_index) in enumerate(names, start=1):
                city, country, *_rest = data.CITIES[city_index]
                stamp = to_db(created_start)
                yield (i, name, city, country, rng.choices(user_ids, cum_weights=user_cum)[0], user_ids[0], stamp,
                       stamp, "business")

        ins.insert(Account, ["id", "name", "business_city", "business_country", "assigned_to_id", "created_by_id",
                             "created", "modified", "mailing_address"], account_rows(), n_accounts)

        def contact_rows():
            for pid in range(1, n_contacts + 1):
                first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
                stamp = to_db(created_start)
                yield (pid, False, f"{first} {last}", first, last, f"{last}, {first}", user_ids[0], user_ids[0],
                       stamp, stamp, "business")

        ins.insert(BusinessContact, ["id", "is_lead", "full_name", "first_name", "last_name", "file_as",
                                     "assigned_to_id", "created_by_id", "created", "modified", "mailing_address"],
                   contact_rows(), n_contacts)

        # The board's figures, per filter: every opportunity, Alice's, closing in the next 90 days.
        figures = {"all": Figures(), "mine": Figures(), "range": Figures()}
        column_rows: dict[str, list[tuple]] = {}   # key -> (close date or None, id), for "Show more"
        open_numbers = set(rng.sample(range(1, size + 1), n_open))

        def opportunity_rows():
            for oid in range(1, size + 1):
                created = created_start + dt.timedelta(seconds=rng.randint(0, 3 * 365 * 86400))
                total = pricing.to_money(Decimal(rng.randint(200, 60_000)) + Decimal(rng.randint(0, 99)) / 100)
                assignee = rng.choices(user_ids, cum_weights=user_cum)[0]
                if oid in open_numbers:
                    stage_id = None if rng.random() < NO_STAGE_SHARE else rng.choices(open_ids, cum_weights=open_cum)[0]
                    probability = rng.choice(probabilities.get(stage_id, [5, 10]))
                    close = None if rng.random() < 0.05 else today + dt.timedelta(days=rng.randint(-30, 365))
                    entered = max(created.date(), today - dt.timedelta(days=rng.randint(0, 120)))
                    expected = pricing.expected_revenue(total, probability)
                    key = str(stage_id) if stage_id else "none"
                    figures["all"].add(key, expected)
                    if assignee == alice:
                        figures["mine"].add(key, expected)
                    if close is not None and today <= close <= range_end:
                        figures["range"].add(key, expected)
                    column_rows.setdefault(key, []).append((close, oid))
                else:
                    stage_id = rng.choice(closed_ids)
                    probability = 100 if stage_id == closed_ids[0] else 0
                    close = max(created.date(), today - dt.timedelta(days=rng.randint(0, 365)))
                    entered = close
                    expected = pricing.expected_revenue(total, probability)
                if rng.random() < 0.95:
                    account_id, contact_id = rng.randint(1, n_accounts), None
                    company = names[account_id - 1][0]
                else:
                    account_id, contact_id, company = None, rng.randint(1, n_contacts), "Private"
                stamp = to_db(created)
                yield (oid, f"{company}: order {oid}", account_id, contact_id, probability, total, expected,
                       date_db(close), stage_id, date_db(entered), assignee, user_ids[0], stamp, stamp)

        ins.insert(Opportunity, ["id", "title", "account_id", "contact_id", "probability", "total", "expected_revenue",
                                 "close_date", "stage_id", "stage_entered_on", "assigned_to_id", "created_by_id",
                                 "created", "modified"], opportunity_rows(), size)
        ins.finish([Account, BusinessContact, Opportunity])

    # The biggest column, in the board's order (closing soonest first, undated last, then id).
    biggest = max((key for key in column_rows if key != "none"), key=lambda k: len(column_rows[k]))
    ordered = sorted(column_rows[biggest], key=lambda row: (row[0] is None, row[0] or today, row[1]))
    last = ordered[DEEP_PAGE * 50 - 51] if len(ordered) >= DEEP_PAGE * 50 else ordered[-51]
    deep_after = f"{last[0].isoformat() if last[0] else ''}_{last[1]}"
    mover = next(oid for _close, oid in ordered)
    return {"login_user": alice, "figures": figures, "biggest": biggest, "deep_after": deep_after,
            "biggest_rows": len(ordered), "mover": mover, "range": (today.isoformat(), range_end.isoformat()),
            "stages": {name: stages[name].pk for name, _s, _p in OPEN_MIX},
            "rows": {"accounts": n_accounts, "contacts": n_contacts, "opportunities": size, "open": n_open},
            "tables": ins.stats}


# --- checked answers -----------------------------------------------------------------------

def money(value: Decimal) -> str:
    from django.utils.formats import number_format

    return number_format(value, 2, force_grouping=True)


def expected_headers(figures: Figures) -> list[str]:
    """Each column's header as the page writes it (count, expected revenue)."""
    texts = []
    for key, count in figures.count.items():
        noun = "opportunity" if count == 1 else "opportunities"
        texts.append(f'id="board-head-{key}"')
        texts.append(f'<div class="board-count">{count} {noun}</div>')
        texts.append(f'<div class="board-revenue">Expected revenue {money(figures.revenue[key])}</div>')
    return texts


class CheckedClient:
    """A test client for ``measure.measure``: the board must show the columns'
    figures worked out while seeding (``texts``) in order, and a "Show more"
    answer ``cards`` cards; only then is the answer marked as having rows."""

    def __init__(self, client, *, texts: list[str] = (), cards: int | None = None):
        self.client, self.texts, self.cards = client, [t.encode() for t in texts], cards

    def get(self, url, headers=None):
        response = self.client.get(url, headers=headers)
        if response.status_code == 200:
            body = response.content
            missing = [text.decode() for text in self.texts if text not in body]
            if missing:
                raise SystemExit(f"{url}: the page lacks {missing[:3]}")
            shown = body.count(b'<article class="card board-card"')
            if self.cards is not None and shown != self.cards:
                raise SystemExit(f"{url}: {shown} cards, not {self.cards}")
            response.content = body + b"<!-- record-row: figures checked -->"
        return response


def pages_for(ids: dict, client) -> tuple[list[tuple[str, str, dict]], dict]:
    """The pages (name, URL, headers) and their checking clients."""
    board = "/opportunities/board/"
    start, end = ids["range"]
    first = client.get(board).content.decode()
    more = re.search(rf'id="board-cards-{ids["biggest"]}".*?hx-get="([^"]+)"', first, re.S).group(1).replace("&amp;", "&")
    deep = f"{board}?column={ids['biggest']}&after={ids['deep_after']}"
    htmx = {"HX-Request": "true"}
    pages = [("board", board, {}), ("board: mine", f"{board}?assigned_to=mine", {}),
             ("board: closing in 90 days", f"{board}?close_after={start}&close_before={end}", {}),
             ("show more (htmx)", more, htmx), (f"show more, page {DEEP_PAGE} (htmx)", deep, htmx)]
    f = ids["figures"]
    clients = {"board": CheckedClient(client, texts=expected_headers(f["all"]), cards=None),
               "board: mine": CheckedClient(client, texts=expected_headers(f["mine"])),
               "board: closing in 90 days": CheckedClient(client, texts=expected_headers(f["range"])),
               "show more (htmx)": CheckedClient(client, cards=50),
               f"show more, page {DEEP_PAGE} (htmx)": CheckedClient(client, cards=50)}
    return pages, clients


# --- a move ---------------------------------------------------------------------------------

def time_moves(client, ids: dict, args) -> dict:
    """A card moved to Negotiation and back, again and again (htmx POSTs, each
    with the version the card shows): median and p90 ms, queries, and a check
    that the move was written with the stage's probability."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sales.models import Opportunity

    pk = ids["mover"]
    start_stage = Opportunity.objects.get(pk=pk).stage_id
    targets = itertools.cycle([ids["stages"]["Negotiation"], start_stage])

    def move():
        current = Opportunity.objects.values("stage_id", "version").get(pk=pk)
        target = next(targets)
        if target == current["stage_id"]:
            target = next(targets)
        response = client.post("/opportunities/board/move/", {
            "opportunity": pk, "stage": target, "version": current["version"], "column": str(current["stage_id"]),
            "columns": list(ids["stages"].values())}, headers={"HX-Request": "true"})
        if response.status_code != 200 or b"moved to" not in response.content:
            raise SystemExit(f"move: {response.status_code} {response.content[:300]!r}")
        return target

    for _ in range(args.warmup):
        move()
    times = []
    for _ in range(args.requests):
        started = time.perf_counter()
        move()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        target = move()
    moved = Opportunity.objects.get(pk=pk)
    ok = moved.stage_id == target and (target != ids["stages"]["Negotiation"] or moved.probability == 80)
    return {"median_ms": round(statistics.median(times), 2), "p90_ms": round(measure.percentile(times, 0.9), 2),
            "queries": len(ctx), "ok": ok}


# --- a run per size ---------------------------------------------------------------------------

def run_size(size: int, args) -> dict:
    from django.db import connection

    print(f"\n== {args.db} · {size:,} opportunities ({min(OPEN, size):,} open) ==", flush=True)
    ids, seconds = database.fresh_database(args.db, SQLITE_FILE, lambda: seed(size, seed=args.seed))
    print(f"  biggest column #{ids['biggest']}: {ids['biggest_rows']:,} cards", flush=True)
    client = measure.signed_in_client(ids["login_user"], "/opportunities/board/")
    pages, clients = pages_for(ids, client)
    load, speed = measure.machine_state(" (36 ms on a quiet machine)")
    results = measure.measure_pages(client, pages, args, target_ms=TARGET_MS, width=30, clients=clients)
    moves = time_moves(client, ids, args)
    print(f"    {'move (htmx POST)':30} {moves['median_ms']:8.1f} ms  p90 {moves['p90_ms']:8.1f} ms  "
          f"{moves['queries']:3} queries  ({'checked' if moves['ok'] else 'CHECK FAILED'})", flush=True)
    connection.close()
    return {"size": size, "load_average": round(load, 2), "calibration_ms": speed,
            "migrate_s": round(seconds["migrate_s"], 2), "seed_s": round(seconds["seed_s"], 2),
            "analyze_s": round(seconds["analyze_s"], 2), "rows": ids["rows"], "tables": ids["tables"],
            "pages": results, "move": moves}


def verdict(db: str, runs: list[dict], version: str) -> str:
    """The verdict on the pages, plus the move (its queries are the form's save: not held to 15)."""
    extra = "".join(f"; move at {r['size']:,}: {r['move']['median_ms']:.0f} ms"
                    f"{'' if r['move']['ok'] else ' CHECK FAILED'}" for r in runs)
    extra_ok = all(r["move"]["ok"] and r["move"]["median_ms"] <= TARGET_MS for r in runs)
    return report.verdict(db, runs, {"version": version}, what="opportunities (5,000 open)", target_ms=TARGET_MS,
                          extra=extra, extra_ok=extra_ok)


def markdown() -> str:
    """The saved results as the tables of bench/README.md ("Pipeline board")."""
    lines = []
    for result in report.saved_results(RESULTS):
        runs, info = result["runs"], result["database"]
        lines += [f"**{info['engine']} {info.get('version', '').split()[0]}** — median ms (p90 ms); queries per page; "
                  "SQL ms = time inside the database driver on one request; CPU ms = median CPU time of the "
                  "benchmark process", ""]
        lines += report.pages_markdown(runs, TARGET_MS, cpu=True)
        lines.append("| move (htmx POST) | " + " | ".join(f"{r['move']['median_ms']:.0f} ({r['move']['p90_ms']:.0f})"
                                                       for r in runs)
                     + f" | {' / '.join(sorted({str(r['move']['queries']) for r in runs}))} | | |")
        lines.append("| machine: load average / calibration loop | "
                     + " | ".join(f"{r['load_average']} / {r['calibration_ms']:.0f} ms" for r in runs) + " | | | |")
        lines += report.seeding_markdown(runs, info["engine"], "**total seeding** (incl. Python generation)")
        lines += report.verdict_markdown(result)
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.markdown:
        print(markdown())
        return 0
    cli.start_page_benchmark("Pipeline board benchmark", args, SQLITE_FILE)
    runs = [run_size(size, args) for size in args.sizes]
    info = database.database_info(args.db)
    text = verdict(args.db, runs, info.get("version", ""))
    report.print_pages(args.db, runs, TARGET_MS)
    print("\n" + text)
    report.write_results(args.output or cli.DATA_DIR / RESULTS.format(db=args.db), database=info,
                         settings={"requests": args.requests, "warmup": args.warmup, "seed": args.seed},
                         targets={"median_ms": TARGET_MS, "queries": measure.TARGET_QUERIES}, runs=runs,
                         verdict=text)
    if args.db == "sqlite" and not args.keep:
        database.remove_sqlite(SQLITE_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
