"""The benchmark scripts' command line and Django set-up."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "bench" / "data"   # git-ignored: the benchmarks' databases, files and results


def add_common_arguments(parser: argparse.ArgumentParser, *, sizes: str, what: str) -> None:
    """The options of the page benchmarks (bench/run.py and bench/opportunities.py)."""
    parser.add_argument("--db", choices=["sqlite", "postgres"], default=None,
                        help="database to benchmark (default: postgres if DATABASE_URL is set, else sqlite)")
    parser.add_argument("--sizes", default=sizes,
                        help=f"comma-separated numbers of {what} (default: %(default)s); 10k, 1e5 work too")
    parser.add_argument("--requests", "-n", type=int, default=15, help="timed requests per page (default: %(default)s)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests per page first (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the generated data (default: %(default)s)")
    parser.add_argument("--explain", action="store_true",
                        help="print the query plan of the slowest query of every page that misses the target")
    parser.add_argument("--pages", default="",
                        help="measure only the pages whose name contains one of these comma-separated words "
                             "(e.g. 'middle,history'; default: all pages)")
    parser.add_argument("--output", type=Path, default=None, help="JSON results file (default: under bench/data/)")
    parser.add_argument("--markdown", action="store_true",
                        help="print the saved results (bench/data/results-*.json) as Markdown tables and exit")


def check_common_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace, *, script: str,
                           min_size: int) -> argparse.Namespace:
    """Defaults and checks of the shared options (after parse_args; not with --markdown)."""
    try:
        args.sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError as error:
        parser.error(f"--sizes: {error}")
    if not args.sizes or any(s < min_size for s in args.sizes):
        parser.error(f"--sizes: give one or more sizes of at least {min_size}")
    choose_database(parser, args, script=script)
    args.pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    return args


def parse_size(text: str) -> int:
    """A size as typed: 1000, 10k, 1e5, 1m, 100_000."""
    text = text.strip().lower().replace("_", "")
    factor = 1
    if text.endswith("k"):
        factor, text = 1000, text[:-1]
    elif text.endswith("m"):
        factor, text = 1_000_000, text[:-1]
    return int(float(text) * factor)


def default_database() -> str:
    """PostgreSQL when ``DATABASE_URL`` is set, else SQLite."""
    return "postgres" if os.environ.get("DATABASE_URL") else "sqlite"


def choose_database(parser: argparse.ArgumentParser, args: argparse.Namespace, *, script: str) -> None:
    """``--db``: the default database when not given; PostgreSQL needs ``DATABASE_URL``."""
    if args.db is None:
        args.db = default_database()
    if args.db == "postgres" and not os.environ.get("DATABASE_URL"):
        parser.error("--db postgres needs DATABASE_URL; run it as\n"
                     f"  scripts/with-postgres.sh .venv/bin/python {script} --db postgres")


def django_environment(db: str, sqlite_file: Path, **settings: str) -> dict[str, str]:
    """The environment of a benchmark's Django (this process's, and a server's it
    starts): crm.settings in production mode (``DEBUG`` off, no HTTPS redirect),
    ``settings`` on top, and on SQLite the benchmark's own file — never the
    developer's db.sqlite3, whatever the environment says."""
    env = {k: v for k, v in os.environ.items() if k not in ("SQLITE_PATH", "CRM_HTTPS")}
    env.update(DJANGO_SETTINGS_MODULE="crm.settings", DEBUG="0", **settings)
    if db == "sqlite":
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(sqlite_file)
    return env


def start_page_benchmark(title: str, args: argparse.Namespace, sqlite_file: Path) -> None:
    """Django for a page benchmark (whose test client's host is allowed), and its first line."""
    setup_django(django_environment(args.db, sqlite_file, ALLOWED_HOSTS="testserver,127.0.0.1"))
    print(f"{title}: {args.db}, sizes {', '.join(f'{s:,}' for s in args.sizes)}, "
          f"{args.requests} timed requests per page after {args.warmup} warm-ups", flush=True)


def setup_django(env: dict[str, str]) -> None:
    """Run Django in this process with ``env`` (from ``django_environment``) as its environment."""
    os.environ.clear()
    os.environ.update(env)
    if "SQLITE_PATH" in env:
        Path(env["SQLITE_PATH"]).parent.mkdir(parents=True, exist_ok=True)
    os.chdir(ROOT)
    import django

    django.setup()
    from django.conf import settings

    assert not settings.DEBUG
    if "SQLITE_PATH" in env:
        assert Path(settings.DATABASES["default"]["NAME"]).resolve() == Path(env["SQLITE_PATH"]).resolve()
