"""Timing pages: a signed-in test client, the machine's speed, and per page the
median, p90 and CPU time of the timed requests, the query count and the time
spent inside the database driver."""
from __future__ import annotations

import math
import os
import statistics
import time

TARGET_QUERIES = 15   # every page of every benchmark: 15 queries or fewer


def signed_in_client(user_pk: int, first_url: str):
    """A ``django.test.Client`` signed in as the user (``force_login``), after one
    untimed request: the first request of a session stores the language in it."""
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(pk=user_pk))
    client.get(first_url)
    return client


def machine_state(note: str = "") -> tuple[float, float]:
    """Print and return the load average and the calibration loop's milliseconds."""
    load, speed = os.getloadavg()[0], calibrate()
    print(f"  machine: load average {load:.1f} on {os.cpu_count()} CPUs, calibration loop {speed:.0f} ms{note}",
          flush=True)
    return load, speed


def calibrate() -> float:
    """Milliseconds of a fixed pure-Python workload (best of 5): how fast this CPU is
    right now. On a shared machine it moves with the neighbours' load, and page
    times move with it."""
    def work():
        total = 0
        for i in range(200_000):
            total += len(str(i)) * (i % 7)
        return total

    best = math.inf
    for _ in range(5):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return round(best * 1000, 2)


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` 0.9 for p90)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def measure(client, url: str, headers: dict, args) -> dict:
    """Time one page: ``args.warmup`` untimed requests, ``args.requests`` timed
    ones, and one more for its queries; every answer must be a 200 with rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = set()
    for _ in range(args.warmup):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        counts.add(len(ctx))
    times, cpu_times = [], []
    for _ in range(args.requests):
        cpu, start = time.process_time(), time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
        cpu_times.append((time.process_time() - cpu) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    timings: list[float] = []

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((time.perf_counter() - start) * 1000)

    # One more request, for the queries and their own times (CaptureQueriesContext
    # rounds to whole milliseconds, so the wrapper times them).
    with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(timed):
        response = client.get(url, headers=headers)
    counts.add(len(ctx))
    # The page must be what we think we measure: the partial alone for htmx, and rows in it.
    # (A file — CSV, PDF — is checked by the client a benchmark passes for it.)
    body = response.content
    if response.get("Content-Type", "").startswith("text/html") and bool(headers) == (b"<html" in body):
        raise SystemExit(f"{url}: expected {'only the partial' if headers else 'a full page'}")
    if b"record-row" not in body and not (b"history-table" in body and body.count(b"<tr>") > 1):
        raise SystemExit(f"{url}: no rows on the page")
    if len(counts) != 1:
        print(f"    note: {url} ran {sorted(counts)} queries on different requests")
    return {
        "url": url,
        "htmx": bool(headers),
        "median_ms": round(statistics.median(times), 2),
        "p90_ms": round(percentile(times, 0.9), 2),
        "min_ms": round(min(times), 2),
        # CPU time of this process (Python, and SQLite, which runs in-process; not
        # the PostgreSQL server): less disturbed by other work on the machine.
        "cpu_median_ms": round(statistics.median(cpu_times), 2),
        "queries": len(ctx),
        "db_ms": round(sum(timings), 2),
        "bytes": len(response.content),
        "sql": [{"ms": round(ms, 3), "sql": q["sql"][:4000]} for ms, q in zip(timings, ctx.captured_queries)],
    }


def explain(db: str, sql: str) -> str:
    """The plan of a query, indented for the page's line (ANALYZE on PostgreSQL)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if db == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            return "\n".join(f"      {row[0]:>3} {row[1]:>3} {row[3]}" for row in cursor.fetchall())
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join("      " + row[0] for row in cursor.fetchall())


def measure_pages(client, pages: list[tuple[str, str, dict]], args, *, target_ms: float, width: int,
                  clients: dict | None = None, target_queries: int = TARGET_QUERIES) -> list[dict]:
    """Measure the pages (name, URL, headers) that ``--pages`` selects, each with
    ``client`` or the one ``clients`` names for it; their results."""
    clients = clients or {}
    return [measure_page(name, clients.get(name, client), url, headers, args, target_ms, width, target_queries)
            for name, url, headers in pages if not args.pages or any(p in name for p in args.pages)]


def measure_page(name: str, client, url: str, headers: dict, args, target_ms: float, width: int,
                 target_queries: int = TARGET_QUERIES) -> dict:
    """Measure one page, print its line (flagged when over target; with --explain,
    the plan of its slowest query) and return its result."""
    result = {"page": name, **measure(client, url, headers, args)}
    flag = "" if result["median_ms"] <= target_ms and result["queries"] <= target_queries else "  <-- over target"
    print(f"    {name:{width}} {result['median_ms']:8.1f} ms  p90 {result['p90_ms']:8.1f} ms  "
          f"{result['queries']:3} queries  (SQL {result['db_ms']:.1f} ms, CPU {result['cpu_median_ms']:.1f} ms)"
          f"{flag}", flush=True)
    if flag and args.explain:
        slowest = max(result["sql"], key=lambda q: q["ms"])
        print(f"      slowest query ({slowest['ms']} ms): {slowest['sql'][:400]}")
        print(explain(args.db, slowest["sql"]))
    return result
