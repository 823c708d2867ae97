#!/usr/bin/env python
"""Reminders benchmark: the count in the navigation bar (on every page) and
the Reminders page, over N opportunities with their tasks and project tasks.

For every size N (default 1,000 and 100,000) the script starts from an empty
database, runs the migrations and seeds, around *today* (the day it runs, as
reminders compare with the clock), for a sales team of one person per 2,000
opportunities (at least the three users of every data set: 50 at 100,000),
everything shared out evenly — or with ``--stress`` for the three users of the
other benchmarks, Alice holding 45 % of everything (4,000 reminders due at
100,000):

- N opportunities created over three years, in the shipped stages: those
  older than four months are closed (won or lost) but for 3 % left open,
  the newer ones 75 % open; an open one entered its stage between its
  creation and today. 15 % have their reminder ticked (open ones within a
  month either side of today); the sales activities of an open opportunity's
  current stage due more than two days ago are ticked done four times in
  five, and the activities of its earlier stages are done. Activity
  reminders are on (Customize ▸ Sales stages).
- N tasks in the communication history (due within a month of their
  creation; 95 % of those due more than two weeks ago completed, 30 % of
  the others), and N / 20 business projects of 10 project tasks each over
  the past two years and the next two months: the tasks of finished
  projects completed but one in fifty, three in four of the past tasks of
  running ones.
- Everyone dismissed a fifth of their due reminders and snoozed a twentieth
  of them into the next hour.

The reminders Alice must see are worked out in Python while seeding, and the
count and the page are checked against them before anything is timed. Then
it times ``crm.reminders.badge_count`` (what the navigation bar runs on every
page: median and p90 of 200 calls, its queries and their SQL time) and the
Reminders page through ``django.test.Client`` (bench/lib/measure.py).

SQLite (default): a throw-away file ``bench/data/reminders.sqlite3``.
PostgreSQL: needs ``DATABASE_URL``; its ``public`` schema is DROPPED for every
size, so use a throw-away server::

    scripts/with-postgres.sh .venv/bin/python bench/reminders.py --db postgres

Targets: the count at most 2 ms and 1 query; the Reminders page 50 ms and
15 queries, the same at every size. See the "Reminders" section of
bench/README.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.lib import cli, data, database, measure, report  # noqa: E402
from bench.lib.bulk import Inserter  # noqa: E402
from bench.lib.seed import USER_WEIGHTS, create_users  # noqa: E402

SQLITE_FILE = cli.DATA_DIR / "reminders.sqlite3"
RESULTS = "results-reminders-{db}{mode}.json"

BADGE_TARGET_MS = 2.0
BADGE_TARGET_QUERIES = 1
PAGE_TARGET_MS = 50.0
BADGE_CALLS = 200

TEAM_SHARE = 2_000     # opportunities per salesperson (three years of work)
REMINDER_SHARE = 0.15
DISMISSED_SHARE = 0.20
SNOOZED_SHARE = 0.05
TASK_SUBJECTS = ["Follow up on the offer", "Send the price list", "Call back about delivery", "Prepare the demo",
                 "Check the contract", "Book the workshop", "Chase the invoice"]
PROJECT_TASKS = ["Kick-off meeting", "Site survey", "Order equipment", "Install hardware", "Configure the system",
                 "Migrate the data", "Test with users", "Train the staff", "Go live", "Sign-off"]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Seed opportunities, tasks and project tasks; time the reminder count and the Reminders page.",
        epilog="PostgreSQL: scripts/with-postgres.sh .venv/bin/python bench/reminders.py --db postgres",
    )
    cli.add_common_arguments(parser, sizes="1000,100000", what="opportunities")
    parser.add_argument("--stress", action="store_true",
                        help="the three users of the other benchmarks, Alice with 45 %% of everything (thousands of "
                             "reminders due) instead of a team that grows with the data")
    parser.add_argument("--keep", action="store_true",
                        help="keep the last size's SQLite database (bench/data/reminders.sqlite3) to look into")
    args = parser.parse_args(argv)
    if args.markdown:
        return args
    return cli.check_common_arguments(parser, args, script="bench/reminders.py", min_size=100)


# --- seeding ------------------------------------------------------------------------------

def seed(size: int, *, seed: int, stress: bool = False) -> dict:
    """Seed ``size`` opportunities with their tasks and project tasks; return
    Alice's id and the reminders she must see (source, object, detail)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.utils import timezone

    from crm.models import Account, HistoryItem, ReminderState
    from projects.models import BusinessProject, ProjectTask
    from sales.models import ActivityDone, Opportunity, SalesActivity, SalesSettings, SalesStage, due_offsets

    rng = random.Random(seed + size)
    ins = Inserter(connection)
    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate(now)
    start = now - dt.timedelta(days=3 * 365)
    to_db, date_db = ins.datetime, ins.date
    n_accounts = max(1, size // 10)
    expected: set[tuple[str, int, int]] = set()
    states: list[tuple] = []

    def naive(moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(dt.UTC).replace(tzinfo=None)

    with connection.constraint_checks_disabled(), transaction.atomic():
        user_ids = create_users()
        alice = user_ids[1]
        weights = USER_WEIGHTS
        if not stress:
            # A sales team of one person per TEAM_SHARE opportunities (at least the
            # three users every data set has), each with an equal share.
            team = max(3, size // TEAM_SHARE)
            user_ids += [u.pk for u in User.objects.bulk_create(
                User(username=f"seller{n}", first_name="Seller", last_name=str(n), password=make_password(None))
                for n in range(4, team + 1))]
            weights = [1 / len(user_ids)] * len(user_ids)
        user_cum = list(itertools.accumulate(weights))

        def assignee(share: float = 0.95) -> int | None:
            return rng.choices(user_ids, cum_weights=user_cum)[0] if rng.random() < share else None

        def answer(user: int | None, source: str, object_id: int, detail_id: int, due_at=None, due_on=None) -> None:
            """A reminder due now: dismissed, snoozed or to be seen (Alice's are the ones checked)."""
            if user is None:
                return
            draw = rng.random()
            if draw < DISMISSED_SHARE + SNOOZED_SHARE:
                snoozed = draw >= DISMISSED_SHARE
                states.append((len(states) + 1, user, source, object_id, detail_id,
                               to_db(naive(due_at)) if due_at else None, date_db(due_on), not snoozed,
                               to_db(naive(now + dt.timedelta(hours=1))) if snoozed else None, to_db(naive(now))))
            elif user == alice:
                expected.add((source, object_id, detail_id))

        SalesSettings.objects.update_or_create(pk=1, defaults={"activity_reminders": True})
        stages = list(SalesStage.objects.filter(kind="open").order_by("position"))
        won, lost = SalesStage.objects.get(kind="won").pk, SalesStage.objects.get(kind="lost").pk
        activities = {s.pk: list(SalesActivity.objects.filter(stage=s).order_by("position", "id")) for s in stages}
        offsets = {pk: due_offsets([a.duration_days for a in acts]) for pk, acts in activities.items()}
        names = data.account_names(rng, n_accounts)

        def account_rows():
            for i, (_base, name, city_index) in enumerate(names, start=1):
                stamp = to_db(naive(start))
                yield (i, name, data.CITIES[city_index][0], assignee(), user_ids[0], stamp, stamp, "business")

        ins.insert(Account, ["id", "name", "business_city", "assigned_to_id", "created_by_id", "created", "modified",
                             "mailing_address"], account_rows(), n_accounts)

        done_rows: list[tuple] = []

        def opportunity_rows():
            for oid in range(1, size + 1):
                created = start + dt.timedelta(seconds=rng.randint(0, 3 * 365 * 86400))
                age = (today - timezone.localdate(created)).days
                is_open = rng.random() < (0.75 if age <= 120 else 0.03)
                user = assignee()
                if is_open:
                    stage = rng.choice(stages)
                    entered = timezone.localdate(created) + dt.timedelta(days=rng.randint(0, max(age, 0)))
                    close = today + dt.timedelta(days=rng.randint(7, 120))
                    for earlier in stages[:stages.index(stage)]:
                        done_rows.extend((oid, a.pk, date_db(entered)) for a in activities[earlier.pk])
                    for activity, offset in zip(activities[stage.pk], offsets[stage.pk]):
                        due = None if offset is None else entered + dt.timedelta(days=offset)
                        if due is not None and due < today - dt.timedelta(days=2) and rng.random() < 0.8:
                            done_rows.append((oid, activity.pk, date_db(due)))
                        elif due is not None and due <= today:
                            answer(user, "sales_activity", oid, activity.pk, due_on=due)
                    stage_id, probability = stage.pk, rng.choice([10, 25, 50, 75])
                else:
                    stage_id = won if rng.random() < 0.4 else lost
                    probability = 100 if stage_id == won else 0
                    close = entered = timezone.localdate(created) + dt.timedelta(days=rng.randint(0, min(age, 120)))
                reminder_at = None
                if rng.random() < REMINDER_SHARE:
                    if is_open:
                        # Not within a day ahead: none falls due while the script runs.
                        minutes = rng.randint(1, 30 * 1440) * rng.choice([-1, 1])
                        reminder_at = now + dt.timedelta(minutes=minutes + (1440 if minutes > 0 else 0))
                        if reminder_at <= now:
                            answer(user, "opportunity", oid, 0, due_at=reminder_at)
                    else:
                        reminder_at = created + dt.timedelta(minutes=rng.randint(0, 60 * 1440))
                total = Decimal(rng.randint(200, 60_000))
                account_id = rng.randint(1, n_accounts)
                stamp = to_db(naive(created))
                yield (oid, f"{names[account_id - 1][0]}: order {oid}", account_id, probability, total,
                       (total * probability / 100).quantize(Decimal("0.01")), date_db(close), stage_id,
                       date_db(entered), reminder_at is not None, to_db(naive(reminder_at)) if reminder_at else None,
                       user, user_ids[0], stamp, stamp)

        ins.insert(Opportunity, ["id", "title", "account_id", "probability", "total", "expected_revenue",
                                 "close_date", "stage_id", "stage_entered_on", "reminder", "reminder_at",
                                 "assigned_to_id", "created_by_id", "created", "modified"], opportunity_rows(), size)
        ins.insert(ActivityDone, ["id", "opportunity_id", "activity_id", "done_on"],
                   ((i, *row) for i, row in enumerate(done_rows, start=1)), len(done_rows))

        def task_rows():
            for tid in range(1, size + 1):
                created = start + dt.timedelta(seconds=rng.randint(0, 3 * 365 * 86400))
                due = timezone.localdate(created) + dt.timedelta(days=rng.randint(0, 30))
                completed = rng.random() < (0.95 if due < today - dt.timedelta(days=14) else 0.30)
                status = "completed" if completed else rng.choice(["not_started", "in_progress", "waiting", "deferred"])
                user = assignee(0.9)
                if not completed and due <= today:
                    answer(user, "task", tid, 0, due_on=due)
                stamp = to_db(naive(created))
                yield (tid, "task", f"{rng.choice(TASK_SUBJECTS)} #{tid}", stamp, user_ids[0], date_db(due), status,
                       "normal", user, stamp, stamp)

        ins.insert(HistoryItem, ["id", "kind", "subject", "occurred_at", "author_id", "due_date", "status", "priority",
                                 "assigned_to_id", "created", "modified"], task_rows(), size)

        n_projects = max(1, size // 20)

        def project_rows():
            for pid in range(1, n_projects + 1):
                stamp = to_db(naive(start))
                yield (pid, f"Project {pid}", rng.randint(1, n_accounts), "in_progress", "normal",
                       rng.choices(user_ids, cum_weights=user_cum)[0], user_ids[0], stamp, stamp)

        project_tasks: list[tuple] = []
        for pid in range(1, n_projects + 1):
            # Projects of about two months: finished ones in the past (a task left
            # open in one in fifty), running ones (three in four past tasks done), new ones.
            begins = today + dt.timedelta(days=rng.randint(-700, 60))
            finished = begins < today - dt.timedelta(days=90)
            for position in range(1, 11):
                tid = len(project_tasks) + 1
                due = begins + dt.timedelta(days=position * rng.randint(2, 6))
                completed = due < today and rng.random() < (0.98 if finished else 0.75)
                user = assignee(0.9)
                if not completed and due <= today:
                    answer(user, "project_task", tid, 0, due_on=due)
                stamp = to_db(naive(start))
                project_tasks.append((tid, pid, PROJECT_TASKS[position - 1], date_db(due),
                                      "completed" if completed else "in_progress", 100 if completed else 50,
                                      position, user, user_ids[0], stamp, stamp))

        ins.insert(BusinessProject, ["id", "name", "account_id", "status", "priority", "assigned_to_id",
                                     "created_by_id", "created", "modified"], project_rows(), n_projects)
        ins.insert(ProjectTask, ["id", "project_id", "subject", "due_date", "status", "percent_complete", "position",
                                 "assigned_to_id", "created_by_id", "created", "modified"],
                   iter(project_tasks), len(project_tasks))
        ins.insert(ReminderState, ["id", "user_id", "source", "object_id", "detail_id", "due_at", "due_on",
                                   "dismissed", "snoozed_until", "modified"], iter(states), len(states))
        ins.finish([Account, Opportunity, ActivityDone, HistoryItem, BusinessProject, ProjectTask, ReminderState])

    return {"login_user": alice, "expected": sorted(expected), "states": len(states),
            "rows": {"opportunities": size, "activities_done": len(done_rows), "tasks": size,
                     "projects": n_projects, "project_tasks": len(project_tasks), "reminder_states": len(states)},
            "tables": ins.stats}


# --- checking and timing ------------------------------------------------------------------------

def check(ids: dict) -> int:
    """The count and the page's reminders are the ones worked out while seeding;
    returns how many the page shows."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from crm import reminders

    alice = User.objects.get(pk=ids["login_user"])
    expected = {tuple(row) for row in ids["expected"]}
    by_source: dict[str, int] = {}
    for source, _object, _detail in expected:
        by_source[source] = by_source.get(source, 0) + 1
    # The count stops at BADGE_CAP + 1.
    capped = min(len(expected), reminders.BADGE_CAP + 1)
    count = reminders.badge_count(alice)
    found = {(r.source.key, r.object_id, r.detail_id)
             for r in reminders.reminders_for(alice, limit=None, until=timezone.now())}
    if count != capped or found != expected:
        raise SystemExit(f"Alice's reminders: count {count} (expected {capped}), listed {len(found)} "
                         f"(expected {len(expected)}; missing {sorted(expected - found)[:5]}, "
                         f"extra {sorted(found - expected)[:5]})")
    print(f"  Alice has {len(expected):,} reminders due ({', '.join(f'{k} {v:,}' for k, v in sorted(by_source.items()))}); "
          f"{ids['states']:,} of everyone's dismissed or snoozed: the count ({count}, at most {reminders.BADGE_CAP + 1}) and the list checked",
          flush=True)
    return min(len(expected), reminders.PAGE_LIMIT)


def time_badge(ids: dict, args) -> dict:
    """``badge_count`` as the navigation bar runs it: median and p90 of
    ``BADGE_CALLS`` calls, and its queries with their SQL time."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from crm import reminders

    alice = User.objects.get(pk=ids["login_user"])
    for _ in range(max(args.warmup, 5)):
        reminders.badge_count(alice)
    times = []
    for _ in range(BADGE_CALLS):
        begin = time.perf_counter()
        reminders.badge_count(alice)
        times.append((time.perf_counter() - begin) * 1000)
    timings: list[float] = []

    def timed(execute, sql, params, many, context):
        begin = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((time.perf_counter() - begin) * 1000)

    with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(timed):
        count = reminders.badge_count(alice)
    result = {"page": "navigation bar count", "count": count, "median_ms": round(statistics.median(times), 3),
              "p90_ms": round(measure.percentile(times, 0.9), 3), "queries": len(ctx),
              "db_ms": round(sum(timings), 3), "sql": [q["sql"][:4000] for q in ctx.captured_queries]}
    over = result["median_ms"] > BADGE_TARGET_MS or result["queries"] > BADGE_TARGET_QUERIES
    print(f"    {'navigation bar count':24} {result['median_ms']:8.2f} ms  p90 {result['p90_ms']:8.2f} ms  "
          f"{result['queries']:3} queries  (SQL {result['db_ms']:.2f} ms){'  <-- over target' if over else ''}",
          flush=True)
    if over and args.explain:
        print(measure.explain(args.db, ctx.captured_queries[0]["sql"]))
    return result


class RemindersPageClient:
    """The Reminders page for ``measure.measure``, which wants list rows: the
    page must list the reminders worked out while seeding (as many as it shows) first."""

    def __init__(self, client, count: int):
        self.client, self.count = client, count

    def get(self, url, headers=None):
        response = self.client.get(url, headers=headers)
        if response.status_code == 200:
            if f'data-reminder-count="{self.count}"'.encode() not in response.content:
                raise SystemExit(f"{url}: the page does not show {self.count} reminders")
            response.content = response.content + b"<!-- record-row: count checked -->"
        return response


def run_size(size: int, args) -> dict:
    from django.db import connection

    print(f"\n== {args.db} · {size:,} opportunities, {size:,} tasks, {size // 2:,} project tasks ==", flush=True)
    ids, seconds = database.fresh_database(args.db, SQLITE_FILE, lambda: seed(size, seed=args.seed, stress=args.stress))
    shown = check(ids)
    load, speed = measure.machine_state(" (36 ms on a quiet machine)")
    badge = time_badge(ids, args)
    client = measure.signed_in_client(ids["login_user"], "/reminders/")
    pages = measure.measure_pages(client, [("Reminders page", "/reminders/", {})], args, target_ms=PAGE_TARGET_MS,
                                  width=24, clients={"Reminders page": RemindersPageClient(client, shown)})
    connection.close()
    return {"size": size, "reminders_due": len(ids["expected"]), "load_average": round(load, 2), "calibration_ms": speed,
            "migrate_s": round(seconds["migrate_s"], 2), "seed_s": round(seconds["seed_s"], 2),
            "analyze_s": round(seconds["analyze_s"], 2), "rows": ids["rows"], "tables": ids["tables"],
            "badge": badge, "pages": pages}


def verdict_text(db: str, runs: list[dict], version: str) -> str:
    badges = [(r["size"], r["badge"]) for r in runs]
    slow = [f"{size:,}: {b['median_ms']:.2f} ms" for size, b in badges if b["median_ms"] > BADGE_TARGET_MS]
    chatty = [f"{size:,}: {b['queries']}" for size, b in badges if b["queries"] > BADGE_TARGET_QUERIES]
    line = (f"{'FAIL' if slow or chatty else 'PASS'} {db} {version}: navigation bar count <= {BADGE_TARGET_MS} ms "
            f"and {BADGE_TARGET_QUERIES} query at {', '.join(f'{s:,}' for s, _b in badges)} opportunities")
    if slow:
        line += "\n  over the time: " + "; ".join(slow)
    if chatty:
        line += "\n  over the queries: " + "; ".join(chatty)
    return line + "\n" + report.verdict(db, runs, {"version": version}, what="opportunities",
                                        target_ms=PAGE_TARGET_MS)


def markdown() -> str:
    """The saved results as the tables of bench/README.md ("Reminders")."""
    results = [r for mode in ("", "-stress") for r in report.saved_results(RESULTS.replace("{mode}", mode))]
    lines = []
    for result in results:
        info = result["database"]
        data_set = "stress: Alice holds 45 % of everything" if result["settings"].get("stress") else "a team"
        lines += [f"**{info['engine']} {info.get('version', '').split()[0]}, {data_set}** — median ms (p90 ms); "
                  "SQL ms = time inside the database driver on one call or request", "",
                  "| size | Alice's reminders due | count: median (p90) | count: queries, SQL ms | Reminders page: "
                  "median (p90) | page: queries, SQL ms, CPU ms | load average / calibration loop |",
                  "|--:|--:|--:|--:|--:|--:|--:|"]
        for run in result["runs"]:
            badge, page = run["badge"], (run["pages"] or [{}])[0]
            due = run.get("reminders_due")
            lines.append(f"| {run['size']:,} | {due if due is None else format(due, ',')} | {badge['median_ms']:.2f} ({badge['p90_ms']:.2f}) "
                         f"| {badge['queries']}, {badge['db_ms']:.2f} | {page.get('median_ms', 0):.1f} "
                         f"({page.get('p90_ms', 0):.1f}) | {page.get('queries', '')}, {page.get('db_ms', 0):.1f}, "
                         f"{page.get('cpu_median_ms', 0):.1f} "
                         f"| {run['load_average']} / {run['calibration_ms']:.0f} ms |")
        lines += ["", "```", result["verdict"], "```", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.markdown:
        print(markdown())
        return 0
    cli.start_page_benchmark("Reminders benchmark", args, SQLITE_FILE)
    runs = [run_size(size, args) for size in args.sizes]
    info = database.database_info(args.db)
    text = verdict_text(args.db, runs, info.get("version", ""))
    report.print_pages(args.db, runs, PAGE_TARGET_MS)
    print("\n" + text)
    mode = "-stress" if args.stress else ""
    report.write_results(args.output or cli.DATA_DIR / RESULTS.format(db=args.db, mode=mode), database=info,
                         settings={"requests": args.requests, "warmup": args.warmup, "seed": args.seed,
                                   "badge_calls": BADGE_CALLS, "stress": args.stress},
                         targets={"badge_ms": BADGE_TARGET_MS, "badge_queries": BADGE_TARGET_QUERIES,
                                  "page_median_ms": PAGE_TARGET_MS, "queries": measure.TARGET_QUERIES},
                         runs=runs, verdict=text)
    if args.db == "sqlite" and not args.keep:
        database.remove_sqlite(SQLITE_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
