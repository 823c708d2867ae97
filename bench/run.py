#!/usr/bin/env python
"""Page-speed benchmark of the CRM at 1k, 10k and 100k business contacts.

For every size the script starts from an empty database, runs the migrations,
seeds realistic data with bulk inserts (accounts = contacts / 10, history
items = 10 x contacts, each linked to one contact and ~10% also to the
contact's account), then requests the busiest pages through
``django.test.Client`` and reports the median and p90 server time and the
number of SQL queries of each page.

SQLite (default): a throw-away file ``bench/data/bench.sqlite3``, recreated
for every size; the developer's ``db.sqlite3`` is never opened.

PostgreSQL: needs ``DATABASE_URL``; the ``public`` schema of that database is
DROPPED and recreated for every size, so use a throw-away server::

    scripts/with-postgres.sh .venv/bin/python bench/run.py --db postgres

See bench/README.md for what is measured and the latest results.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.lib import cli, database, measure, report, seed  # noqa: E402

SQLITE_FILE = cli.DATA_DIR / "bench.sqlite3"
RESULTS = "results-{db}.json"

TARGET_MS = 25.0


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Seed the CRM at several sizes and time its list and history pages.",
        epilog="PostgreSQL: scripts/with-postgres.sh .venv/bin/python bench/run.py --db postgres",
    )
    cli.add_common_arguments(parser, sizes="1000,10000,100000", what="business contacts")
    parser.add_argument("--leads", type=float, default=0.2,
                        help="leads (is_lead=True) to add, as a fraction of the contacts (default: %(default)s)")
    parser.add_argument("--no-analyze", action="store_true",
                        help="skip ANALYZE after seeding (to see the plans a database without statistics gets)")
    parser.add_argument("--keep-indexes", action="store_true",
                        help="load with every index in place (slower; default: drop and rebuild the secondary "
                             "indexes of tables with 50k rows or more)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the database of the last size for a later --reuse (default: delete the SQLite file)")
    parser.add_argument("--reuse", action="store_true",
                        help="skip seeding when the database still holds the same size from a --keep run "
                             "(e.g. to measure again after adding an index)")
    args = parser.parse_args(argv)
    if args.markdown:
        return args
    return cli.check_common_arguments(parser, args, script="bench/run.py", min_size=10)


HTMX = {"HX-Request": "true", "HX-Target": "results", "HX-Current-URL": "http://testserver/contacts/"}


def pages_for(ids: dict, num_pages: int) -> list[tuple[str, str, dict]]:
    """The pages measured: (name, URL, request headers)."""
    from urllib.parse import urlencode

    return [
        ("contacts: first page", "/contacts/", {}),
        ("contacts: middle page", f"/contacts/?page={max(1, num_pages // 2)}", {}),
        ("contacts: user + search", "/contacts/?" + urlencode({"assigned_to": ids["filter_user"],
                                                                "q": ids["common_last_name"]}), {}),
        ("contacts: category", f"/contacts/?category={ids['category']}", {}),
        ("contacts: sort -company", "/contacts/?sort=-company_name", {}),
        ("contacts: sort created", "/contacts/?sort=created", {}),
        ("contacts: htmx partial", "/contacts/", HTMX),
        ("account history roll-up", f"/accounts/{ids['account']}/history/", {}),
        ("leads: first page", "/leads/", {}),
        ("leads: rating filter", "/leads/?rating=4", {}),
        ("leads: sort by rating", "/leads/?sort=-score", {}),
        ("leads: search", "/leads/?" + urlencode({"q": ids["common_last_name"]}), {}),
    ]


def seeded_size() -> int | None:
    """How many business contacts the bench database holds (None without the tables)."""
    from django.db import DatabaseError, connection

    from crm.models import BusinessContact

    try:
        return BusinessContact.objects.filter(is_lead=False).count()
    except DatabaseError:
        connection.close()
        return None


def run_size(size: int, args) -> dict:
    """Seed ``size`` contacts (or, with --reuse, take the database a --keep run
    left), then measure the pages; the results of this size."""
    from django.conf import settings
    from django.db import connection

    from crm.models import BusinessContact

    print(f"\n== {args.db} · {size:,} business contacts ==", flush=True)
    seeded_file = cli.DATA_DIR / f"seeded-{args.db}.json"
    previous = json.loads(seeded_file.read_text()) if args.reuse and seeded_file.exists() else {}
    if previous.get("size") == size and previous.get("seed") == args.seed and previous.get("leads") == args.leads \
            and seeded_size() == size:
        # --reuse: measure the database the last run left (--keep), e.g. to try an index.
        ids, migrate_s, seed_s, analyze_s = previous["ids"], 0.0, previous["seed_s"], 0.0
        print(f"  reusing the database seeded on {previous['when']} (pass no --reuse to seed afresh)", flush=True)
    else:
        seeded_file.unlink(missing_ok=True)
        ids, seconds = database.fresh_database(
            args.db, SQLITE_FILE, lambda: seed.seed_contacts(size, seed=args.seed, leads=args.leads,
                                                             rebuild_indexes=not args.keep_indexes),
            analyze_after=not args.no_analyze)
        migrate_s, seed_s, analyze_s = seconds["migrate_s"], seconds["seed_s"], seconds["analyze_s"]
        seeded_file.write_text(json.dumps({"size": size, "seed": args.seed, "leads": args.leads, "ids": ids,
                                           "seed_s": round(seed_s, 2), "when": time.strftime("%Y-%m-%d %H:%M")}))

    contacts = BusinessContact.objects.filter(is_lead=False).count()
    assert contacts == size, (contacts, size)
    num_pages = math.ceil(contacts / settings.CRM_PAGE_SIZE)
    client = measure.signed_in_client(ids["login_user"], "/contacts/")
    print(f"  pages: account #{ids['account']} ({ids['account_contacts']} contacts), user #{ids['filter_user']}, "
          f"q={ids['common_last_name']!r} ({ids['common_last_name_share']:.1%} of contacts), "
          f"category #{ids['category']} ({ids['category_contacts']:,} contacts)", flush=True)
    load, speed = measure.machine_state()
    results = measure.measure_pages(client, pages_for(ids, num_pages), args, target_ms=TARGET_MS, width=28)
    connection.close()
    return {
        "size": size, "load_average": round(load, 2), "calibration_ms": speed, "migrate_s": round(migrate_s, 2), "seed_s": round(seed_s, 2),
        "analyze_s": round(analyze_s, 2),
        "rows": ids["rows"], "tables": ids["tables"],
        "picked": {k: ids[k] for k in ("login_user", "filter_user", "common_last_name", "common_last_name_share",
                                       "category", "category_contacts", "account", "account_contacts")},
        "pages": results,
    }


def print_report(db: str, runs: list[dict], info: dict) -> None:
    """The pages of every size, the seeding speed of the big tables, the verdict."""
    report.print_pages(db, runs, TARGET_MS)
    print(f"\nseeding ({db}):")
    for run in runs:
        items = next(t for t in run["tables"] if t["table"] == "crm_historyitem")
        links = next(t for t in run["tables"] if t["table"] == "crm_historylink")
        print(f"  {run['size']:>8,} contacts: {run['seed_s']:6.1f} s total; history items {items['rows']:,} in "
              f"{items['seconds']:.1f} s ({items['rows_per_s']:,}/s), links {links['rows']:,} in {links['seconds']:.1f} s "
              f"({links['rows_per_s']:,}/s)")
    print(verdict(db, runs, info))


def verdict(db: str, runs: list[dict], info: dict) -> str:
    """The verdict against this benchmark's targets (``report.verdict``)."""
    return report.verdict(db, runs, info, what="contacts", target_ms=TARGET_MS)


def markdown() -> str:
    """The saved results as the tables of bench/README.md: per database, a row per page
    and a column per size ("median ms (p90)"; over-target medians in bold)."""
    lines = []
    for result in report.saved_results(RESULTS):
        runs, info = result["runs"], result["database"]
        lines += [f"**{info['engine']} {info.get('version', '').split()[0]}** — median ms (p90 ms) per page; "
                  f"queries per page; SQL ms = time inside the database driver on one request", ""]
        lines += report.pages_markdown(runs, TARGET_MS)
        lines += report.seeding_markdown(runs, info["engine"])
        lines.append("| machine: load average / calibration loop | "
                     + " | ".join(f"{run['load_average']} / {run.get('calibration_ms', '?')} ms" for run in runs) + " |")
        lines += report.verdict_markdown(result)
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.markdown:
        print(markdown())
        return 0
    cli.start_page_benchmark("CRM benchmark", args, SQLITE_FILE)
    info = database.database_info(args.db) if args.db == "postgres" else {"engine": "sqlite"}
    runs = []
    for size in args.sizes:
        runs.append(run_size(size, args))
        if args.db == "sqlite":
            info = database.database_info(args.db)
    print_report(args.db, runs, info)
    report.write_results(
        args.output or cli.DATA_DIR / RESULTS.format(db=args.db), database=info,
        settings={"requests": args.requests, "warmup": args.warmup, "seed": args.seed, "leads": args.leads,
                  "analyze": not args.no_analyze},
        targets={"median_ms": TARGET_MS, "queries": measure.TARGET_QUERIES}, runs=runs,
        verdict=verdict(args.db, runs, info))
    if not args.keep:
        (cli.DATA_DIR / f"seeded-{args.db}.json").unlink(missing_ok=True)
        if args.db == "sqlite":
            database.remove_sqlite(SQLITE_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
