#!/usr/bin/env python
"""Create project benchmark: ``projects.services.project_create`` with a
template of 50 task definitions (target: a median of at most 50 ms), and of 5
for comparison, on a database that already holds projects.

The script starts from an empty database, runs the migrations, and seeds 200
accounts, 200 opportunities and 500 projects made from the 50-task template
through the service itself (25,000 tasks and 25,500 change-log entries), so
the inserts land in tables and indexes that are not empty. It then times
``--runs`` calls of the service (after ``--warmup`` untimed ones), each a
project from an opportunity with a start date, in its own transaction as a
request makes it (commit included), and counts each call's queries, which
must not grow with the template.

SQLite (default): a throw-away file ``bench/data/project_create.sqlite3``.
PostgreSQL: needs ``DATABASE_URL``; its ``public`` schema is DROPPED, so use a
throw-away server::

    scripts/with-postgres.sh .venv/bin/python bench/project_create.py --db postgres

See "Create project" in bench/README.md for the latest figures.
"""
from __future__ import annotations

import argparse
import json
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.lib import cli, database, measure, report  # noqa: E402
from bench.lib.seed import create_users  # noqa: E402

SQLITE_FILE = cli.DATA_DIR / "project_create.sqlite3"
TARGET_MS = 50.0
SEEDED_PROJECTS = 500
ACCOUNTS = 200
START = dt.date(2026, 3, 2)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time Create project with a 50-task template (and a 5-task one).",
        epilog="PostgreSQL: scripts/with-postgres.sh .venv/bin/python bench/project_create.py --db postgres",
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default=None,
                        help="database to benchmark (default: postgres if DATABASE_URL is set, else sqlite)")
    parser.add_argument("--runs", "-n", type=int, default=30, help="timed calls per template (default: %(default)s)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed calls per template first (default: %(default)s)")
    parser.add_argument("--output", type=Path, default=None, help="JSON results file (default: under bench/data/)")
    args = parser.parse_args(argv)
    cli.choose_database(parser, args, script="bench/project_create.py")
    return args


def definitions(size: int) -> list[tuple]:
    """(subject, offset days, duration days, priority) of a template of ``size`` tasks, as a plan would have them."""
    priorities = ["high", "normal", "normal", "low"]
    return [(f"Step {i + 1:02d}: {['Plan', 'Order', 'Install', 'Test', 'Train'][i % 5]}", 2 * i, 1 + i % 5,
             priorities[i % 4]) for i in range(size)]


def seed() -> dict:
    """Users, accounts, opportunities, the two templates and ``SEEDED_PROJECTS`` projects from the big one."""
    from django.contrib.auth.models import User
    from django.db import transaction

    from crm.models import Account
    from projects import services
    from projects.models import ProjectTask, ProjectTemplate, TemplateTask
    from sales.models import Opportunity, SalesStage

    with transaction.atomic():
        user_ids = create_users()
        accounts = Account.objects.bulk_create([Account(name=f"Account {i:04d}") for i in range(ACCOUNTS)])
        won = SalesStage.objects.get(kind=SalesStage.Kind.WON)
        opportunities = Opportunity.objects.bulk_create([
            Opportunity(title=f"Deal {i:04d}: routers for {accounts[i].name}", account=accounts[i], stage=won,
                        probability=100, close_date=START) for i in range(ACCOUNTS)])
        templates = {}
        for size in (50, 5):
            template = services.template_save(template=ProjectTemplate(name=f"Installation ({size} tasks)"))
            for subject, offset, duration, priority in definitions(size):
                services.template_task_save(task=TemplateTask(template=template, subject=subject, offset_days=offset,
                                                              duration_days=duration, priority=priority))
            templates[size] = template.pk
    alice = User.objects.get(pk=user_ids[1])
    big = ProjectTemplate.objects.get(pk=templates[50])
    for i in range(SEEDED_PROJECTS):
        services.project_create_from_opportunity(opportunity=opportunities[i % ACCOUNTS], user=alice, template=big,
                                                 start_date=START + dt.timedelta(days=i % 90))
    return {"user": alice.pk, "templates": templates, "opportunities": [o.pk for o in opportunities],
            "tables": [{"table": "projects_projecttask", "rows": ProjectTask.objects.count()}]}


def time_calls(ids: dict, size: int, args) -> dict:
    """``args.warmup`` + ``args.runs`` calls of Create project with the template of ``size`` tasks."""
    from django.contrib.auth.models import User
    from django.db import connection

    from projects import services
    from projects.models import ProjectTemplate
    from sales.models import Opportunity

    user = User.objects.get(pk=ids["user"])
    template = ProjectTemplate.objects.get(pk=ids["templates"][size])
    opportunities = list(Opportunity.objects.select_related("account", "contact").filter(pk__in=ids["opportunities"]))
    times, counts = [], set()
    for call in range(args.warmup + args.runs):
        opportunity = opportunities[call % len(opportunities)]
        queries = []
        with connection.execute_wrapper(lambda execute, sql, params, many, context: (
                queries.append(sql), execute(sql, params, many, context))[1]):
            start = time.perf_counter()
            project = services.project_create_from_opportunity(opportunity=opportunity, user=user, template=template,
                                                               start_date=START)
            elapsed = (time.perf_counter() - start) * 1000
        if project.tasks.count() != size:
            raise SystemExit(f"a project from the {size}-task template has {project.tasks.count()} tasks")
        if call >= args.warmup:
            times.append(elapsed)
            counts.add(len(queries))
    return {"tasks": size, "runs": len(times), "median_ms": round(statistics.median(times), 2),
            "p90_ms": round(measure.percentile(times, 0.9), 2), "min_ms": round(min(times), 2),
            "max_ms": round(max(times), 2), "queries": sorted(counts)}


def main(argv=None) -> int:
    args = parse_args(argv)
    cli.setup_django(cli.django_environment(args.db, SQLITE_FILE))
    print(f"Create project benchmark: {args.db}, {args.runs} timed calls per template after {args.warmup} warm-ups",
          flush=True)
    ids, seconds = database.fresh_database(args.db, SQLITE_FILE, seed)
    load, speed = measure.machine_state()
    results = [time_calls(ids, size, args) for size in (5, 50)]
    print(f"\n{'template':>10} {'median ms':>10} {'p90 ms':>8} {'min ms':>8} {'max ms':>8} {'queries':>8}")
    for r in results:
        print(f"{r['tasks']:>4} tasks {r['median_ms']:>10.1f} {r['p90_ms']:>8.1f} {r['min_ms']:>8.1f} "
              f"{r['max_ms']:>8.1f} {'/'.join(map(str, r['queries'])):>8}")
    big = results[-1]
    flat = len({q for r in results for q in r["queries"]}) == 1
    ok = big["median_ms"] <= TARGET_MS and flat
    info = database.database_info(args.db)
    print(f"\n{'PASS' if ok else 'FAIL'} {args.db} {info['version']}: 50-task template median {big['median_ms']:.1f} ms "
          f"(target <= {TARGET_MS:.0f} ms); queries the same for 5 and 50 tasks: {'yes' if flat else 'no'}")
    output = args.output or cli.DATA_DIR / f"results-project-create-{args.db}.json"
    output.write_text(json.dumps({
        "database": info, "targets": {"median_ms": TARGET_MS}, "results": results, "seconds": seconds,
        "machine": {**report.machine(), "load": load, "calibration_ms": speed}, "git": report.git_state(),
    }, indent=2))
    print(f"  results: {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    if args.db == "sqlite":
        database.remove_sqlite(SQLITE_FILE)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
