"""The figures: the verdict against the targets, the results saved as JSON
(with the machine and the code measured), and their Markdown tables."""
from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path

from bench.lib.cli import DATA_DIR, ROOT
from bench.lib.measure import TARGET_QUERIES


def print_pages(db: str, runs: list[dict], target_ms: float) -> None:
    """Every measured page of every size, one line each (a star when over a target)."""
    print(f"\n{'database':10} {'size':>8}  {'page':28} {'median ms':>10} {'p90 ms':>9} {'queries':>8} {'SQL ms':>8} "
          f"{'CPU ms':>8}")
    for run in runs:
        for page in run["pages"]:
            mark = " *" if page["median_ms"] > target_ms or page["queries"] > TARGET_QUERIES else ""
            print(f"{db:10} {run['size']:>8,}  {page['page']:28} {page['median_ms']:>10.1f} {page['p90_ms']:>9.1f} "
                  f"{page['queries']:>8} {page['db_ms']:>8.1f} {page['cpu_median_ms']:>8.1f}{mark}")


def verdict(db: str, runs: list[dict], info: dict, *, what: str, target_ms: float, extra: str = "",
            extra_ok: bool = True, target_queries: int = TARGET_QUERIES) -> str:
    """One line per database against the targets, then what missed them.
    (``extra`` adds a figure of the caller's own, e.g. a stage deletion.)"""
    if not any(r["pages"] for r in runs):
        return f"{db}: no pages measured (see --pages)"
    measured = [(r["size"], p) for r in runs for p in r["pages"]]
    slow = [f"{p['page']} @ {size:,} ({p['median_ms']:.0f} ms)" for size, p in measured if p["median_ms"] > target_ms]
    chatty = [f"{p['page']} @ {size:,} ({p['queries']})" for size, p in measured if p["queries"] > target_queries]
    by_page: dict[str, set] = {}
    for size, page in measured:
        by_page.setdefault(page["page"], set()).add(page["queries"])
    varying = [f"{name} {sorted(counts)}" for name, counts in by_page.items() if len(counts) > 1]
    ok = not (slow or chatty or varying) and extra_ok
    sizes = ", ".join(f"{r['size']:,}" for r in runs)
    lines = [f"{'PASS' if ok else 'FAIL'} {db} {info.get('version', '')} at {sizes} {what}: "
             f"median <= {target_ms:.0f} ms on {len(measured) - len(slow)}/{len(measured)} pages; "
             f"<= {target_queries} queries on {len(measured) - len(chatty)}/{len(measured)}; "
             f"same query count at every size: {'yes' if not varying else 'no'}{extra}"]
    if slow:
        lines.append(f"  over {target_ms:.0f} ms: " + "; ".join(slow))
    if chatty:
        lines.append(f"  over {target_queries} queries: " + "; ".join(chatty))
    if varying:
        lines.append("  query count changes with size: " + "; ".join(varying))
    return "\n".join(lines)


def git_state() -> dict:
    """The commit measured, and the tracked files changed since."""
    def git(*argv) -> str:
        try:
            return subprocess.run(["git", *argv], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            return ""

    changed = [line[3:] for line in git("status", "--porcelain", "--untracked-files=no").splitlines()]
    return {"commit": git("rev-parse", "--short", "HEAD").strip(), "uncommitted_changes": changed}


def machine() -> dict:
    """Python, Django, the platform and the number of CPUs."""
    import django

    return {"python": platform.python_version(), "django": django.get_version(), "platform": platform.platform(),
            "cpus": os.cpu_count()}


def write_results(output: Path, *, database: dict, settings: dict, targets: dict, runs: list[dict],
                  verdict: str) -> None:
    """Save a run's results as JSON, with the machine and the code they were measured on."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({
        "database": database, "machine": machine(), "code": git_state(), "settings": settings, "targets": targets,
        "runs": runs, "verdict": verdict,
    }, indent=2, ensure_ascii=False, default=str))
    print(f"results: {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")


def saved_results(name: str) -> list[dict]:
    """The results saved under bench/data/ as ``name`` (with ``{db}``): SQLite's, then PostgreSQL's."""
    paths = [DATA_DIR / name.format(db=db) for db in ("sqlite", "postgres")]
    return [json.loads(path.read_text()) for path in paths if path.exists()]


def pages_markdown(runs: list[dict], target_ms: float, *, cpu: bool = False) -> list[str]:
    """The pages table of the saved results: a row per page, a column per size
    ("median ms (p90)", over-target medians in bold), the query counts, the SQL
    ms per size and, with ``cpu``, the CPU ms per size."""
    sizes = [f"{run['size']:,}" for run in runs]
    per_size = " / ".join(sizes)
    lines = ["| page | " + " | ".join(sizes) + f" | queries | SQL ms ({per_size})"
             + (f" | CPU ms ({per_size})" if cpu else "") + " |",
             "|---|" + "--:|" * len(sizes) + "--:|--:|" + ("--:|" if cpu else "")]
    for index, page in enumerate(runs[0]["pages"]):
        measured = [run["pages"][index] for run in runs]
        cells = []
        for m in measured:
            median = f"{m['median_ms']:.0f}"
            cells.append(f"{'**' + median + '**' if m['median_ms'] > target_ms else median} ({m['p90_ms']:.0f})")
        columns = [" | ".join(cells), " / ".join(sorted({str(m["queries"]) for m in measured})),
                   " / ".join(f"{m['db_ms']:.1f}" for m in measured)]
        if cpu:
            columns.append(" / ".join(f"{m['cpu_median_ms']:.0f}" for m in measured))
        lines.append(f"| {page['page']} | " + " | ".join(columns) + " |")
    return lines


def seeding_markdown(runs: list[dict], engine: str, total_label: str = "**total seeding**") -> list[str]:
    """The seeding table of the saved results: rows per table and size, the total, ANALYZE."""
    sizes = [f"{run['size']:,}" for run in runs]
    lines = ["", "| seeding | " + " | ".join(sizes) + " |", "|---|" + "--:|" * len(sizes)]
    tables = sorted({t["table"] for run in runs for t in run["tables"]}, key=[t["table"] for t in runs[0]["tables"]].index)
    for table in tables:
        cells = []
        for run in runs:
            t = next(x for x in run["tables"] if x["table"] == table)
            cells.append(f"{t['rows']:,} rows, {t['seconds']:.1f} s ({t['rows_per_s']:,}/s)")
        lines.append(f"| {table} | " + " | ".join(cells) + " |")
    lines.append(f"| {total_label} | " + " | ".join(f"**{run['seed_s']:.1f} s**" for run in runs) + " |")
    lines.append(f"| {'ANALYZE' if engine == 'sqlite' else 'VACUUM ANALYZE'} | "
                 + " | ".join(f"{run['analyze_s']:.1f} s" for run in runs) + " |")
    return lines


def verdict_markdown(result: dict) -> list[str]:
    """The verdict line and the code and machine it was measured on, under a results table."""
    uncommitted = result["code"].get("uncommitted_changes")
    return ["", "```", result["verdict"].splitlines()[0], "```",
            f"(code {result['code']['commit']}" + (f" + uncommitted {', '.join(uncommitted)}" if uncommitted else "")
            + f", Python {result['machine']['python']}, Django {result['machine']['django']}, "
            f"{result['machine']['cpus']} CPUs)", ""]
