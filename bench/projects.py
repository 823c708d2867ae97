#!/usr/bin/env python
"""Project Management benchmark: the Business Projects list and the Project
Tasks list (Mine + Overdue, the everyday view), their filters, sorts and
pages, and a project's page.

For every size N (default 1,000 and 100,000 projects) the script starts from
an empty database, runs the migrations and seeds N / 10 accounts, N / 5
business contacts, N business projects and 10 x N project tasks (5 to 15 per
project) with consistent stored % complete (``projects.models.percent_complete``,
the function every write path uses). Task dates are spread around *today*
(the day the script runs), as the Overdue filter compares with today. It then
times the pages through ``django.test.Client`` with the machinery of
``bench/lib/``.

SQLite (default): a throw-away file ``bench/data/projects.sqlite3``.
PostgreSQL: needs ``DATABASE_URL``; its ``public`` schema is DROPPED for every
size, so use a throw-away server::

    scripts/with-postgres.sh .venv/bin/python bench/projects.py --db postgres

See the "Projects" section of bench/README.md for the latest figures.
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import math
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.lib import cli, data, database, measure, report  # noqa: E402
from bench.lib.bulk import Inserter  # noqa: E402
from bench.lib.seed import NOW, USER_WEIGHTS, create_users, generate_projects, insert_projects  # noqa: E402

SQLITE_FILE = cli.DATA_DIR / "projects.sqlite3"
RESULTS = "results-projects-{db}.json"

TARGET_MS = 25.0
TARGET_LIST_QUERIES = 8     # the two lists of the brief; other pages keep the shared 15



def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Seed business projects with their tasks at several sizes; time the project and task lists.",
        epilog="PostgreSQL: scripts/with-postgres.sh .venv/bin/python bench/projects.py --db postgres",
    )
    cli.add_common_arguments(parser, sizes="1000,100000", what="projects")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file of the last size")
    args = parser.parse_args(argv)
    if args.markdown:
        return args
    return cli.check_common_arguments(parser, args, script="bench/projects.py", min_size=100)


# --- seeding ------------------------------------------------------------------------------

def seed_projects(size: int, *, seed: int) -> dict:
    """Seed ``size`` projects with their accounts, contacts and tasks; return what the pages need."""
    from django.db import connection, transaction
    from django.utils import timezone

    from crm.models import Account, BusinessContact
    from projects.models import BusinessProject, ProjectTask

    rng = random.Random(seed + size)
    ins = Inserter(connection)
    n_accounts, n_contacts = max(1, size // 10), max(1, size // 5)
    today = timezone.localdate()
    created_start = NOW - dt.timedelta(days=3 * 365)
    to_db, date_db = ins.datetime, ins.date

    with connection.constraint_checks_disabled(), transaction.atomic():
        user_ids = create_users()
        user_cum = list(itertools.accumulate(USER_WEIGHTS))
        account_names = data.account_names(rng, n_accounts)

        def account_rows():
            for i, (_base, name, city_index) in enumerate(account_names):
                stamp = to_db(created_start - dt.timedelta(days=rng.randint(0, 1500)))
                yield (i + 1, name, data.CITIES[city_index][0], rng.choices(user_ids, cum_weights=user_cum)[0],
                       user_ids[0], stamp, stamp, "business")

        ins.insert(Account, ["id", "name", "business_city", "assigned_to_id", "created_by_id", "created", "modified",
                             "mailing_address"], account_rows(), n_accounts)

        last_cum = list(itertools.accumulate(data.LAST_WEIGHTS))

        def contact_rows():
            for pid in range(1, n_contacts + 1):
                first = rng.choice(data.FIRST_NAMES)
                last = rng.choices(data.LAST_NAMES, cum_weights=last_cum)[0]
                stamp = to_db(created_start + dt.timedelta(seconds=rng.randint(0, 3 * 365 * 86400)))
                yield (pid, False, f"{first} {last}", first, last, f"{last}, {first}", rng.randint(1, n_accounts),
                       rng.choices(user_ids, cum_weights=user_cum)[0], user_ids[0], stamp, stamp, "business")

        ins.insert(BusinessContact, ["id", "is_lead", "full_name", "first_name", "last_name", "file_as", "account_id",
                                     "assigned_to_id", "created_by_id", "created", "modified", "mailing_address"],
                   contact_rows(), n_contacts)

        generated = generate_projects(rng, size, today=today, created_start=created_start, user_ids=user_ids,
                                      account_names=[base for base, _name, _city in account_names],
                                      contact_ids=range(1, n_contacts + 1), to_db=to_db, date_db=date_db)
        projects, tasks = generated["projects"], generated["tasks"]
        insert_projects(ins, projects, tasks)
        ins.finish([Account, BusinessContact, BusinessProject, ProjectTask])

    detail = projects[size // 2][0]
    return {
        "login_user": user_ids[1],
        "detail": detail,
        "overdue": generated["overdue"],
        "overdue_mine": generated["overdue_mine"],
        "rows": {"accounts": n_accounts, "contacts": n_contacts, "projects": size, "tasks": len(tasks)},
        "tables": ins.stats,
    }


def check_consistency(sample: int = 2000) -> dict:
    """The stored % complete of a sample of projects equals ``percent_complete``
    of their stored tasks (and ``projects_refresh`` finds nothing to write)."""
    from projects.models import BusinessProject, ProjectTask, percent_complete
    from projects.services import projects_refresh

    pks = list(BusinessProject.objects.order_by("?").values_list("pk", flat=True)[:sample])
    tasks: dict[int, list] = {}
    for project_id, *figures in ProjectTask.objects.filter(project_id__in=pks).values_list(
            "project_id", "percent_complete", "start_date", "due_date"):
        tasks.setdefault(project_id, []).append(figures)
    bad = sum(percent_complete(tasks.get(pk, [])) != stored for pk, stored in
              BusinessProject.objects.filter(pk__in=pks).values_list("pk", "percent_complete"))
    rewritten = projects_refresh(pks)
    if bad or rewritten:
        raise SystemExit(f"seeded data inconsistent: {bad} projects' % complete, {rewritten} rewritten")
    return {"projects_checked": len(pks)}


# --- pages ----------------------------------------------------------------------------------

def pages_for(ids: dict, size: int, page_size: int) -> list[tuple[str, str, dict]]:
    middle = max(1, math.ceil(size / page_size) // 2)
    task_middle = max(1, math.ceil(size * 10 / page_size) // 2)
    htmx = {"HX-Request": "true", "HX-Target": "results", "HX-Current-URL": "http://testserver/project-tasks/"}
    return [
        ("projects: first page", "/projects/", {}),
        ("projects: middle page", f"/projects/?page={middle}", {}),
        ("projects: status in progress", "/projects/?status=in_progress", {}),
        ("projects: sort -% complete", "/projects/?sort=-percent_complete", {}),
        ("projects: with overdue tasks", "/projects/?overdue=on", {}),
        ("tasks: Mine + Overdue", "/project-tasks/?mine=on&overdue=on", {}),
        ("tasks: Mine + Overdue htmx", "/project-tasks/?mine=on&overdue=on", htmx),
        ("tasks: first page", "/project-tasks/", {}),
        ("tasks: middle page", f"/project-tasks/?page={task_middle}", {}),
        ("tasks: Overdue", "/project-tasks/?overdue=on", {}),
        ("tasks: Mine, sort subject", "/project-tasks/?mine=on&sort=subject", {}),
        ("project detail", f"/projects/{ids['detail']}/", {}),
    ]


class DetailPageClient:
    """``measure.measure`` checks that a page holds list rows; a project's page
    has none, so this checks that it holds the project's task table instead."""

    def __init__(self, client, tasks: int):
        self.client, self.tasks = client, tasks

    def get(self, url, headers=None):
        response = self.client.get(url, headers=headers)
        body = response.content
        if response.status_code == 200:
            table = body[body.find(b"project-tasks"):]
            table = table[table.find(b"<tbody>"):]
            if table[:table.find(b"</tbody>")].count(b"<tr") != self.tasks:
                raise SystemExit(f"{url}: the project page lacks its {self.tasks} tasks")
            response.content = body + b"<!-- record-row: task table checked -->"
        return response


def run_size(size: int, args) -> dict:
    from django.conf import settings
    from django.db import connection

    from projects.models import BusinessProject, ProjectTask

    print(f"\n== {args.db} · {size:,} projects ==", flush=True)
    ids, seconds = database.fresh_database(args.db, SQLITE_FILE, lambda: seed_projects(size, seed=args.seed))
    consistency = check_consistency()
    assert BusinessProject.objects.count() == size
    detail_tasks = ProjectTask.objects.filter(project_id=ids["detail"]).count()
    client = measure.signed_in_client(ids["login_user"], "/projects/")
    print(f"  {ids['rows']['tasks']:,} tasks, {ids['overdue']:,} overdue, {ids['overdue_mine']:,} of them Alice's "
          f"(Mine + Overdue); detail #{ids['detail']} ({detail_tasks} tasks)", flush=True)
    load, speed = measure.machine_state()
    results = measure.measure_pages(client, pages_for(ids, size, settings.CRM_PAGE_SIZE), args, target_ms=TARGET_MS,
                                    width=30, clients={"project detail": DetailPageClient(client, detail_tasks)})
    connection.close()
    return {"size": size, "load_average": round(load, 2), "calibration_ms": speed,
            "migrate_s": round(seconds["migrate_s"], 2), "seed_s": round(seconds["seed_s"], 2),
            "analyze_s": round(seconds["analyze_s"], 2), "rows": ids["rows"], "tables": ids["tables"],
            "picked": {k: ids[k] for k in ("detail", "overdue", "overdue_mine")},
            "consistency": consistency, "pages": results}


def is_list(page: dict) -> bool:
    """The pages the brief's targets name: the projects list and Project Tasks with Mine + Overdue."""
    return page["page"].startswith("projects:") or page["page"].startswith("tasks: Mine + Overdue")


def verdict(db: str, runs: list[dict], version: str) -> str:
    """The shared verdict (median and 15 queries on every page), plus the lists' own: ≤ 8 queries."""
    chatty = [f"{p['page']} @ {r['size']:,} ({p['queries']})" for r in runs for p in r["pages"]
              if is_list(p) and p["queries"] > TARGET_LIST_QUERIES]
    extra = (f"; the lists <= {TARGET_LIST_QUERIES} queries: " + ("yes" if not chatty else "no (" + "; ".join(chatty) + ")"))
    return report.verdict(db, runs, {"version": version}, what="projects", target_ms=TARGET_MS, extra=extra,
                          extra_ok=not chatty)


def markdown() -> str:
    """The saved results as the tables of bench/README.md ("Projects")."""
    lines = []
    for result in report.saved_results(RESULTS):
        runs, info = result["runs"], result["database"]
        lines += [f"**{info['engine']} {info.get('version', '').split()[0]}** — median ms (p90 ms); queries per page; "
                  "SQL ms = time inside the database driver on one request; CPU ms = median CPU time of the "
                  "benchmark process", ""]
        lines += report.pages_markdown(runs, TARGET_MS, cpu=True)
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
    cli.start_page_benchmark("Projects benchmark", args, SQLITE_FILE)
    runs = [run_size(size, args) for size in args.sizes]
    info = database.database_info(args.db)
    text = verdict(args.db, runs, info.get("version", ""))
    print("\n" + text)
    report.write_results(
        args.output or cli.DATA_DIR / RESULTS.format(db=args.db), database=info,
        settings={"requests": args.requests, "warmup": args.warmup, "seed": args.seed},
        targets={"median_ms": TARGET_MS, "queries": measure.TARGET_QUERIES, "list_queries": TARGET_LIST_QUERIES},
        runs=runs, verdict=text)
    if args.db == "sqlite" and not args.keep:
        database.remove_sqlite(SQLITE_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
