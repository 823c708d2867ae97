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
import datetime as dt
import itertools
import json
import math
import os
import platform
import random
import statistics
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "bench" / "data"
SQLITE_FILE = DATA_DIR / "bench.sqlite3"
SCHEMA_MARK = "crm-bench scratch schema"  # COMMENT ON SCHEMA public, PostgreSQL only

TARGET_MS = 25.0
TARGET_QUERIES = 15


# --- command line and Django set-up ------------------------------------------------

def add_common_arguments(parser: argparse.ArgumentParser, *, sizes: str, what: str) -> None:
    """The options every benchmark script shares (this one and bench/opportunities.py)."""
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
    if args.db is None:
        args.db = "postgres" if os.environ.get("DATABASE_URL") else "sqlite"
    try:
        args.sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError as error:
        parser.error(f"--sizes: {error}")
    if not args.sizes or any(s < min_size for s in args.sizes):
        parser.error(f"--sizes: give one or more sizes of at least {min_size}")
    if args.db == "postgres" and not os.environ.get("DATABASE_URL"):
        parser.error("--db postgres needs DATABASE_URL; run it as\n"
                     f"  scripts/with-postgres.sh .venv/bin/python {script} --db postgres")
    args.pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    return args


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Seed the CRM at several sizes and time its list and history pages.",
        epilog="PostgreSQL: scripts/with-postgres.sh .venv/bin/python bench/run.py --db postgres",
    )
    add_common_arguments(parser, sizes="1000,10000,100000", what="business contacts")
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
    return check_common_arguments(parser, args, script="bench/run.py", min_size=10)


def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    factor = 1
    if text.endswith("k"):
        factor, text = 1000, text[:-1]
    elif text.endswith("m"):
        factor, text = 1_000_000, text[:-1]
    return int(float(text) * factor)


def setup_django(args) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "crm.settings"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ["DEBUG"] = "0"
    if args.db == "sqlite":
        # Never the developer's db.sqlite3, whatever the environment says.
        os.environ.pop("DATABASE_URL", None)
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        os.environ["SQLITE_PATH"] = str(SQLITE_FILE)
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import django

    django.setup()
    from django.conf import settings

    assert not settings.DEBUG
    if args.db == "sqlite":
        assert Path(settings.DATABASES["default"]["NAME"]).resolve() == SQLITE_FILE.resolve()


# --- a clean database per size --------------------------------------------------------

def reset_database(db: str) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, connections

    connections.close_all()
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT obj_description('public'::regnamespace, 'pg_namespace')")
            comment = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            tables = cursor.fetchone()[0]
            if tables and comment != SCHEMA_MARK:
                sys.exit(f"Refusing to drop the public schema of {connection.settings_dict['NAME']!r}: it holds "
                         f"{tables} tables that this benchmark did not create. Use a throw-away database "
                         "(scripts/with-postgres.sh).")
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
            cursor.execute(f"COMMENT ON SCHEMA public IS '{SCHEMA_MARK}'")
    ContentType.objects.clear_cache()


def migrate() -> float:
    from django.core.management import call_command

    start = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    return time.perf_counter() - start


# --- realistic data --------------------------------------------------------------------

FIRST_NAMES = [
    "Anna", "Jean", "Ola", "Kari", "Piotr", "Maria", "Budi", "Sari", "Louis", "Zofia", "Ingrid", "Dewi", "Lars",
    "Camille", "Tomasz", "Agnieszka", "Rizky", "Putri", "Emma", "Lucas", "Nora", "Hugo", "Julia", "Jakub", "Siti",
    "Agus", "Marie", "Pierre", "Kristin", "Erik", "Magnus", "Sofie", "Léa", "Chloé", "Mateusz", "Katarzyna",
    "Wahyu", "Indah", "Olivia", "James", "Sophie", "Thomas", "Ewa", "Marek", "Nina", "Henrik", "Astrid", "Claire",
    "Antoine", "Paweł", "Małgorzata", "Ayu", "Bayu", "Fitri", "Daniel", "Sarah", "Michael", "Laura", "David", "Elise",
    "Sindre", "Hanne", "Mathilde", "Bartosz", "Joanna", "Eko", "Rina", "Oliver", "Grace", "Noah",
]
# Ordered from most to least common; weights fall off like real surname lists.
LAST_NAMES = [
    "Hansen", "Nowak", "Martin", "Santoso", "Smith", "Johansen", "Kowalski", "Bernard", "Wijaya", "Olsen",
    "Dubois", "Wiśniewski", "Jones", "Larsen", "Thomas", "Saputra", "Andersen", "Wójcik", "Robert", "Taylor",
    "Pedersen", "Kowalczyk", "Richard", "Hidayat", "Nilsen", "Kamiński", "Petit", "Brown", "Kristiansen",
    "Lewandowski", "Durand", "Kusuma", "Jensen", "Zieliński", "Leroy", "Williams", "Karlsen", "Szymański",
    "Moreau", "Pratama", "Berg", "Woźniak", "Lefebvre", "Wilson", "Haugen", "Mazur", "Mercier", "Setiawan",
    "Dahl", "Krawczyk", "Lambert", "Gunawan", "Bakken", "Kaczmarek", "Bonnet", "Nugroho", "Strand", "Halim",
    "Robinson", "Wright", "Lie", "Tan", "Fontaine", "Sørensen", "Jakobsen", "Rousseau", "Grabowski", "Lim",
]
LAST_WEIGHTS = [1 / (rank + 10) ** 0.7 for rank in range(len(LAST_NAMES))]  # top name ~3.5%
JOB_TITLES = [
    "Purchasing Manager", "CEO", "IT Director", "Office Manager", "Sales Director", "CFO", "Account Manager",
    "Project Manager", "Marketing Manager", "Operations Manager", "Buyer", "Logistics Coordinator", "HR Manager",
    "Product Owner", "Chief Engineer", "Customer Service Lead", "Financial Controller", "Managing Director",
    "Procurement Specialist", "Quality Manager",
]
DEPARTMENTS = ["Purchasing", "Sales", "IT", "Finance", "Operations", "Marketing", "Logistics", "HR", ""]
COMPANY_WORDS = [
    "Nordic", "Atlas", "Baltic", "Summit", "Harbor", "Pioneer", "Silver", "Granite", "Coastal", "Alpine", "Blue",
    "Green", "Golden", "Royal", "United", "Central", "Global", "Pacific", "Northern", "Western", "Bright", "Rapid",
    "Prime", "Delta", "Apex", "Vertex", "Crystal", "Evergreen", "Fjord", "Lumière", "Vistula", "Java", "Borneo",
    "Riviera", "Arctic", "Oak", "Maple", "Cedar", "Polar", "Aurora",
]
COMPANY_TRADES = [
    "Traders", "Logistics", "Systems", "Foods", "Energy", "Textiles", "Motors", "Pharma", "Media", "Consulting",
    "Construction", "Electronics", "Furniture", "Shipping", "Software", "Paper", "Metals", "Plastics", "Coffee",
    "Winery", "Outfitters", "Marine", "Robotics", "Labs", "Analytics", "Health", "Farms", "Brewing", "Design", "Optics",
]
# city, country, postal code pattern, phone prefix, legal form, street names
CITIES = [
    ("Oslo", "Norway", "0{:03d}", "+47 22", "AS", ["Storgata", "Karl Johans gate", "Drammensveien"]),
    ("Bergen", "Norway", "50{:02d}", "+47 55", "AS", ["Strandgaten", "Nygårdsgaten"]),
    ("Trondheim", "Norway", "70{:02d}", "+47 73", "AS", ["Munkegata", "Olav Tryggvasons gate"]),
    ("Stavanger", "Norway", "40{:02d}", "+47 51", "AS", ["Kirkegata", "Løkkeveien"]),
    ("Paris", "France", "750{:02d}", "+33 1", "SAS", ["rue de Rivoli", "boulevard Haussmann", "rue Lafayette"]),
    ("Lyon", "France", "6900{:01d}", "+33 4", "SARL", ["rue de la République", "cours Lafayette"]),
    ("Bordeaux", "France", "330{:02d}", "+33 5", "SAS", ["cours de l'Intendance", "quai des Chartrons"]),
    ("Lille", "France", "590{:02d}", "+33 3", "SARL", ["rue Nationale", "boulevard de la Liberté"]),
    ("Nantes", "France", "440{:02d}", "+33 2", "SAS", ["rue Crébillon", "quai de la Fosse"]),
    ("Warszawa", "Poland", "00-{:03d}", "+48 22", "Sp. z o.o.", ["ul. Marszałkowska", "al. Jerozolimskie"]),
    ("Kraków", "Poland", "30-{:03d}", "+48 12", "Sp. z o.o.", ["ul. Floriańska", "ul. Długa"]),
    ("Gdańsk", "Poland", "80-{:03d}", "+48 58", "S.A.", ["ul. Długa", "ul. Grunwaldzka"]),
    ("Wrocław", "Poland", "50-{:03d}", "+48 71", "Sp. z o.o.", ["ul. Świdnicka", "ul. Legnicka"]),
    ("Poznań", "Poland", "60-{:03d}", "+48 61", "Sp. z o.o.", ["ul. Półwiejska", "ul. Głogowska"]),
    ("Jakarta", "Indonesia", "10{:03d}", "+62 21", "PT", ["Jl. Sudirman", "Jl. Thamrin", "Jl. Gatot Subroto"]),
    ("Bandung", "Indonesia", "40{:03d}", "+62 22", "PT", ["Jl. Asia Afrika", "Jl. Braga"]),
    ("Surabaya", "Indonesia", "60{:03d}", "+62 31", "PT", ["Jl. Tunjungan", "Jl. Basuki Rahmat"]),
    ("Medan", "Indonesia", "20{:03d}", "+62 61", "PT", ["Jl. Gatot Subroto", "Jl. Imam Bonjol"]),
    ("London", "United Kingdom", "EC{:d}A 1BB", "+44 20", "Ltd", ["High Street", "Baker Street", "Fleet Street"]),
    ("Manchester", "United Kingdom", "M{:d} 2AB", "+44 161", "Ltd", ["Deansgate", "Market Street"]),
    ("Edinburgh", "United Kingdom", "EH{:d} 1YZ", "+44 131", "Ltd", ["Princes Street", "George Street"]),
]
CITY_WEIGHTS = [8, 4, 3, 2, 8, 4, 3, 2, 2, 6, 4, 3, 2, 2, 6, 3, 3, 1, 6, 3, 2]
CATEGORIES = [("Key customer", "#dc3545"), ("Partner", "#198754"), ("Prospect", "#0d6efd"), ("Supplier", "#fd7e14")]
CATEGORY_WEIGHTS = [0.40, 0.25, 0.25, 0.10]   # of the ~30% of contacts that carry one
# Lead scores (stars) as a scored database has them: most leads low, a few hot.
SCORES = [0] * 30 + [1] * 25 + [2] * 20 + [3] * 13 + [4] * 8 + [5] * 4
CATEGORY_SHARE = 0.30

HISTORY_KINDS = ["note", "phone", "email", "task", "appointment", "file"]
HISTORY_KIND_WEIGHTS = [0.25, 0.30, 0.25, 0.10, 0.07, 0.03]
TOPICS = ["pricing", "delivery", "a demo", "renewal", "the spring range", "invoice 2024-118", "the service contract",
          "volume discounts", "the trade show", "onboarding", "a complaint", "the new catalogue", "payment terms",
          "the pilot project", "shipping costs", "the framework agreement"]
SUBJECTS = {
    "note": ["Meeting notes: {t}", "Notes on {t}", "Visit report: {t}", "Internal note about {t}"],
    "phone": ["Call about {t}", "Phoned back about {t}", "Missed call: {t}", "Follow-up call on {t}"],
    "email": ["Re: {t}", "Quote for {t}", "Fwd: {t}", "Question about {t}"],
    "task": ["Follow up on {t}", "Send quote for {t}", "Prepare offer: {t}", "Check status of {t}"],
    "appointment": ["Meeting about {t}", "Lunch: {t}", "Workshop on {t}", "Video call: {t}"],
    "file": ["Offer document: {t}", "Signed contract: {t}", "Price list: {t}", "Specification: {t}"],
}
BODY_SENTENCES = [
    "Interested in the spring range; send a quote.", "Asked for a discount on orders above 500 units.",
    "Delivery was two days late, customer was understanding.", "Wants a demo for the purchasing team next month.",
    "Budget approved for the next quarter.", "Needs the updated price list before Friday.",
    "Contract renewal is due in the autumn.", "Prefers e-mail over phone calls.",
    "Their warehouse moves in March; update the shipping address then.", "Decision maker is the CFO.",
    "Happy with the last delivery.", "Compared us with two competitors; we are cheapest on freight.",
]
FILE_TYPES = [("pdf", "application/pdf"), ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
              ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("png", "image/png")]
TASK_STATUSES = ["not_started", "in_progress", "waiting", "deferred", "completed", "completed", "completed"]


def account_names(rng: random.Random, count: int) -> list[tuple[str, str, int]]:
    """``count`` distinct account names: (base, name, city index), the name being
    "<Word> <Trade> [City] <legal form>" ("Nordic Traders Oslo AS", "PT Java Foods").

    The words make 26,400 different names; past that (264,000 contacts and
    more) they repeat with a number ("Nordic Traders Oslo 2 AS"), so any size
    can be seeded. Up to 26,400 the names are those of earlier runs, drawn
    from ``rng`` in the same order, so the results stay comparable.
    """
    variants = len(CITIES) + 1          # one per city, and one without a city
    pool = len(COMPANY_WORDS) * len(COMPANY_TRADES) * variants
    cities = rng.choices(range(len(CITIES)), weights=CITY_WEIGHTS, k=count)
    names: list[tuple[str, str, int]] = []
    round_number = 1
    while len(names) < count:
        for pick in rng.sample(range(pool), min(pool, count - len(names))):
            combo, variant = divmod(pick, variants)
            word, trade = COMPANY_WORDS[combo // len(COMPANY_TRADES)], COMPANY_TRADES[combo % len(COMPANY_TRADES)]
            city_index = cities[len(names)] if variant == len(CITIES) else variant
            legal = CITIES[city_index][4]
            base = f"{word} {trade}" + (f" {CITIES[city_index][0]}" if variant != len(CITIES) else "")
            if round_number > 1:
                base = f"{base} {round_number}"
            names.append((base, f"PT {base}" if legal == "PT" else f"{base} {legal}", city_index))
        round_number += 1
    return names


def ascii_slug(text: str) -> str:
    text = text.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("Ø", "O").replace("æ", "ae")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in text.lower() if c.isalnum())


class Inserter:
    """Fast loading of plain tuples: COPY on PostgreSQL, executemany on SQLite.

    Every concrete column gets a value: the ones a table generator gives and
    the field defaults (prepared once) for the rest. For a big table the
    secondary indexes are dropped first and rebuilt from their own saved
    definitions afterwards (building an index from sorted data is much faster
    than updating it row by row); indexes that back a constraint stay.
    """

    def __init__(self, connection, rebuild_indexes: bool = True):
        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.rebuild_indexes = rebuild_indexes
        self.stats: list[dict] = []

    def datetime(self, value: dt.datetime):
        """A naive UTC datetime as the backend stores it (what Django's adapt_datetimefield_value does)."""
        return value.replace(tzinfo=dt.timezone.utc) if self.postgres else str(value)

    def date(self, value):
        if value is None:
            return None
        return value if self.postgres else value.isoformat()

    def secondary_indexes(self, cursor, table: str) -> list[tuple[str, str]]:
        """(name, CREATE INDEX statement) of the indexes that no constraint needs."""
        if self.postgres:
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                "WHERE t.relname = %s AND t.relnamespace = 'public'::regnamespace "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) ORDER BY 1", [table])
        else:
            # Indexes of UNIQUE/PRIMARY KEY constraints are sqlite_autoindex_* without SQL: they stay.
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                           "AND sql IS NOT NULL ORDER BY 1", [table])
        return list(cursor.fetchall())

    def foreign_keys(self, cursor, table: str) -> list[tuple[str, str]]:
        """(name, definition) of a PostgreSQL table's foreign keys."""
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' "
                       "AND conrelid = %s::regclass ORDER BY 1", [self.connection.ops.quote_name(table)])
        return list(cursor.fetchall())

    def insert(self, model, columns: list[str], rows, count: int) -> None:
        """Insert ``rows`` (tuples in ``columns`` order) into ``model``'s table; defaults fill the rest."""
        conn = self.connection
        qn = conn.ops.quote_name
        db_table = model._meta.db_table
        rest = [f for f in model._meta.concrete_fields if f.column not in set(columns)]
        missing_required = [f.column for f in rest if not f.null and not f.has_default() and not f.empty_strings_allowed]
        if missing_required:
            raise ValueError(f"{model.__name__}: no value for {missing_required}")
        defaults = tuple(f.get_db_prep_save(f.get_default(), conn) for f in rest)
        column_sql = ", ".join(qn(c) for c in list(columns) + [f.column for f in rest])
        start = time.perf_counter()
        with conn.cursor() as cursor:
            big = self.rebuild_indexes and count >= 50_000
            indexes = self.secondary_indexes(cursor, db_table) if big else []
            for name, _sql in indexes:
                cursor.execute(f"DROP INDEX {qn(name)}")
            # PostgreSQL: a foreign key re-added after the load is validated by one
            # join instead of a trigger call per row (what pg_restore does too).
            fks = self.foreign_keys(cursor, db_table) if big and self.postgres else []
            for name, _definition in fks:
                cursor.execute(f"ALTER TABLE {qn(db_table)} DROP CONSTRAINT {qn(name)}")
            if self.postgres:
                with cursor.cursor.copy(f"COPY {qn(db_table)} ({column_sql}) FROM STDIN") as copy:
                    write = copy.write_row
                    for row in rows:
                        write(row + defaults)
            else:
                placeholders = ", ".join(["%s"] * (len(columns) + len(rest)))
                cursor.executemany(f"INSERT INTO {qn(db_table)} ({column_sql}) VALUES ({placeholders})",
                                   (row + defaults for row in rows))
            if self.postgres:
                # Run the deferred foreign-key checks of the COPY now (an index cannot be
                # built on a table with pending trigger events).
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            loaded = time.perf_counter()
            for _name, sql in indexes:
                cursor.execute(sql)
            for name, definition in fks:
                cursor.execute(f"ALTER TABLE {qn(db_table)} ADD CONSTRAINT {qn(name)} {definition}")
            if indexes and sorted(self.secondary_indexes(cursor, db_table)) != sorted(indexes):
                raise RuntimeError(f"{db_table}: the rebuilt indexes differ from the migrated ones")
            if fks and self.foreign_keys(cursor, db_table) != fks:
                raise RuntimeError(f"{db_table}: the re-added foreign keys differ from the migrated ones")
        end = time.perf_counter()
        seconds = end - start
        self.stats.append({"table": db_table, "rows": count, "seconds": round(seconds, 3),
                           "load_s": round(loaded - start, 3), "index_s": round(end - loaded, 3),
                           "indexes_rebuilt": len(indexes), "foreign_keys_readded": len(fks), "rows_per_s": round(count / seconds) if seconds else None})
        detail = (f"  (load {loaded - start:.1f} s + {len(indexes)} indexes"
                  + (f", {len(fks)} foreign keys" if fks else "") + f" {end - loaded:.1f} s)") if indexes or fks else ""
        print(f"    {db_table:34} {count:>10,} rows {seconds:8.2f} s {count / max(seconds, 1e-9):>12,.0f} rows/s{detail}",
              flush=True)


def seed(size: int, args) -> dict:
    """Seed ``size`` business contacts and everything around them; return the ids the pages need."""
    from django.contrib.auth.models import Group, User
    from django.contrib.auth.hashers import make_password
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from crm.models import Account, BusinessContact, Category, HistoryItem, HistoryLink, ListValue
    from crm.permissions import OWNER_GROUP
    from crm.selectors import _ct

    rng = random.Random(args.seed + size)
    ins = Inserter(connection, rebuild_indexes=not args.keep_indexes)
    n_accounts = max(1, size // 10)
    n_leads = int(size * args.leads)
    n_people = size + n_leads
    n_items = size * 10
    now = dt.datetime(2026, 3, 1, 12, 0, 0)          # fixed "today", naive UTC: results repeat exactly
    history_start = now - dt.timedelta(days=3 * 365)

    if not ins.postgres:
        # A large page cache while loading: index pages stay in memory instead of
        # spilling to the WAL again and again. Set back to the app's value after.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            app_cache_size = cursor.fetchone()[0]
            cursor.execute("PRAGMA cache_size = -1000000")

    # Foreign keys are checked once at the end (PRAGMA foreign_key_check on
    # SQLite, like loaddata does), not row by row; PostgreSQL checks them at COMMIT.
    with connection.constraint_checks_disabled(), transaction.atomic():
        # Users, categories: a handful of rows through the ORM.
        unusable = make_password(None)
        users = [
            User.objects.create(username=u, first_name=f, last_name=l, email=f"{u}@example.com", password=unusable)
            for u, f, l in [("owner", "Olivia", "Owner"), ("alice", "Alice", "Martin"), ("bob", "Bob", "Nowak")]
        ]
        users[0].groups.add(Group.objects.get(name=OWNER_GROUP))
        user_ids = [u.pk for u in users]
        user_weights = [0.2, 0.45, 0.35]
        categories = Category.objects.bulk_create([Category(name=n, colour=c) for n, c in CATEGORIES])
        category_ids = [c.pk for c in categories]
        source_ids = list(ListValue.objects.filter(kind="source").values_list("pk", flat=True))

        # Accounts: unique "<Word> <Trade> [City] <legal form>" names.
        accounts = [(name, city_index, ascii_slug(base) + ".example", CITIES[city_index][3])
                    for base, name, city_index in account_names(rng, n_accounts)]

        account_created = sorted(history_start - dt.timedelta(days=rng.randint(0, 2000)) +
                                  dt.timedelta(seconds=rng.randint(0, 86399)) for _ in range(n_accounts))

        def account_rows():
            for i, (name, city_index, domain, phone) in enumerate(accounts):
                city, country, postal, _p, _l, streets = CITIES[city_index]
                created = ins.datetime(account_created[i])
                yield (
                    i + 1, name, f"A-{100000 + i}", f"info@{domain}", f"https://www.{domain}",
                    f"{phone} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                    f"{rng.randint(1, 180)} {rng.choice(streets)}", city, postal.format(rng.randint(1, 99)), country,
                    rng.choices(user_ids, weights=user_weights)[0], user_ids[0], created, created, "business",
                )

        ins.insert(Account, ["id", "name", "account_number", "email", "web_page", "business_phone", "business_street",
                             "business_city", "business_postal_code", "business_country", "assigned_to_id",
                             "created_by_id", "created", "modified", "mailing_address"], account_rows(), n_accounts)

        # Business contacts (and leads, mixed in by id). ~5% of contacts have no account.
        lead_ids = set(rng.sample(range(1, n_people + 1), n_leads))
        contact_ids = [i for i in range(1, n_people + 1) if i not in lead_ids]
        contact_account: dict[int, int | None] = {}
        contact_phone: dict[int, str] = {}
        contact_email: dict[int, str] = {}
        people_created = sorted(history_start + dt.timedelta(seconds=rng.randint(0, 3 * 365 * 86400))
                                for _ in range(n_people))
        category_rows = []
        last_name_counts: dict[str, int] = {}

        slugs = {name: ascii_slug(name) for name in FIRST_NAMES + LAST_NAMES}
        last_cum = list(itertools.accumulate(LAST_WEIGHTS))
        city_cum = list(itertools.accumulate(CITY_WEIGHTS))
        user_cum = list(itertools.accumulate(user_weights))
        category_cum = list(itertools.accumulate(CATEGORY_WEIGHTS))

        def people_rows():
            choices, rand = rng.choices, rng.random
            for pid in range(1, n_people + 1):
                is_lead = pid in lead_ids
                first = FIRST_NAMES[int(rand() * len(FIRST_NAMES))]
                last = choices(LAST_NAMES, cum_weights=last_cum)[0]
                if not is_lead and rng.random() < 0.95:
                    account_id = rng.randint(1, n_accounts)
                    company, city_index, domain, phone = accounts[account_id - 1]
                else:
                    account_id = None
                    word, trade = rng.choice(COMPANY_WORDS), rng.choice(COMPANY_TRADES)
                    city_index = choices(range(len(CITIES)), cum_weights=city_cum)[0]
                    legal = CITIES[city_index][4]
                    company = f"PT {word} {trade}" if legal == "PT" else f"{word} {trade} {legal}"
                    domain, phone = ascii_slug(word + trade) + ".example", CITIES[city_index][3]
                city, country, postal, _p, _l, streets = CITIES[city_index]
                email = f"{slugs[first]}.{slugs[last]}@{domain}"
                business_phone = f"{phone} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
                mobile = f"{phone.split()[0]} {rng.randint(400, 999)} {rng.randint(10, 99)} {rng.randint(100, 999)}" \
                    if rng.random() < 0.6 else ""
                created = ins.datetime(people_created[pid - 1])
                assigned = choices(user_ids, cum_weights=user_cum)[0] if rand() < 0.92 else None
                if not is_lead:
                    contact_account[pid] = account_id
                    contact_phone[pid] = business_phone
                    contact_email[pid] = email
                    last_name_counts[last] = last_name_counts.get(last, 0) + 1
                if rng.random() < CATEGORY_SHARE:
                    category_rows.append((pid, choices(category_ids, cum_weights=category_cum)[0]))
                yield (
                    pid, is_lead, f"{first} {last}", first, last, f"{last}, {first}", rng.choice(JOB_TITLES), company,
                    account_id, email, business_phone, mobile, f"{rng.randint(1, 180)} {rng.choice(streets)}", city,
                    postal.format(rng.randint(1, 99)), country, rng.choice(DEPARTMENTS),
                    rng.choice(source_ids) if rng.random() < 0.7 else None, assigned,
                    rng.choice(user_ids), created, created, "business", rng.choice(SCORES),
                )

        ins.insert(BusinessContact, ["id", "is_lead", "full_name", "first_name", "last_name", "file_as", "job_title",
                                     "company_name", "account_id", "email", "business_phone", "mobile_phone",
                                     "business_street", "business_city", "business_postal_code", "business_country",
                                     "department", "source_id", "assigned_to_id", "created_by_id", "created",
                                     "modified", "mailing_address", "score"], people_rows(), n_people)
        through = BusinessContact.categories.through
        ins.insert(through, ["id", "businesscontact_id", "category_id"],
                   ((i, c, cat) for i, (c, cat) in enumerate(category_rows, start=1)), len(category_rows))

        # History: 10 items per contact on average (uniformly spread), ids in time order.
        n_contacts, rand = len(contact_ids), rng.random
        item_contact = [contact_ids[int(rand() * n_contacts)] for _ in range(n_items)]
        span = (now - history_start).total_seconds()
        kinds = rng.choices(HISTORY_KINDS, weights=HISTORY_KIND_WEIGHTS, k=n_items)

        # Pre-built strings and random.random() indexing: a million rows in Python is the slow part.
        subjects = {k: [t.format(t=topic) for t in SUBJECTS[k] for topic in TOPICS] for k in HISTORY_KINDS}
        bodies = [" ".join(rng.sample(BODY_SENTENCES, rng.randint(1, 3))) for _ in range(200)] + [""] * 200
        places = ("Their office", "Our office", "Teams", "Café Central")
        priorities = ("low", "normal", "normal", "high")
        n_users = len(user_ids)
        to_db, date_to_db = ins.datetime, ins.date
        minute, day = dt.timedelta(minutes=1), dt.timedelta(days=1)

        def item_rows():
            rand = rng.random
            step = dt.timedelta(seconds=span / n_items)
            for i in range(n_items):
                kind = kinds[i]
                logged = history_start + step * (i + rand())
                occurred = logged - minute * int(rand() * 600)
                duration = due = percent = end = size_bytes = assigned = None
                direction = phone = status = priority = location = attendees = email_from = email_to = ""
                file = file_name = file_type = ""
                contact = item_contact[i]
                if kind == "phone":
                    duration, direction, phone = 1 + int(rand() * 45), ("in", "out")[rand() < 0.6], contact_phone[contact]
                elif kind == "email":
                    email_from, email_to = "alice@example.com", contact_email[contact]
                elif kind == "task":
                    due = date_to_db((occurred + day * (1 + int(rand() * 21))).date())
                    status, priority = TASK_STATUSES[int(rand() * 7)], priorities[int(rand() * 4)]
                    percent = 100 if status == "completed" else int(rand() * 91)
                    assigned = user_ids[int(rand() * n_users)]
                elif kind == "appointment":
                    occurred = occurred + day * int(rand() * 15)
                    end = to_db(occurred + minute * (30, 60, 90)[int(rand() * 3)])
                    location, attendees = places[int(rand() * 4)], contact_email[contact]
                elif kind == "file":
                    ext, file_type = FILE_TYPES[int(rand() * len(FILE_TYPES))]
                    file_name = f"document-{i}.{ext}"
                    file = f"attachments/{logged:%Y/%m}/{i:032x}.{ext}"
                    size_bytes = 20_000 + int(rand() * 4_000_000)
                choices = subjects[kind]
                stamp = to_db(logged)
                yield (
                    i + 1, kind, choices[int(rand() * len(choices))], to_db(occurred), user_ids[int(rand() * n_users)],
                    bodies[int(rand() * 400)], duration, direction, phone, due, status, priority, percent, assigned,
                    end, location, attendees, email_from, email_to, file, file_name, size_bytes, file_type, stamp, stamp,
                )

        ins.insert(HistoryItem, ["id", "kind", "subject", "occurred_at", "author_id", "body", "duration_minutes",
                                 "direction", "phone_number", "due_date", "status", "priority", "percent_complete",
                                 "assigned_to_id", "end_at", "location", "attendees", "email_from", "email_to", "file",
                                 "file_name", "file_size", "content_type", "created", "modified"],
                   item_rows(), n_items)

        ct_contact, ct_account = _ct(BusinessContact).pk, _ct(Account).pk
        account_links = [i for i in range(n_items) if contact_account[item_contact[i]] and rng.random() < 0.10]
        n_links = n_items + len(account_links)

        def link_rows():
            link_id = 0
            extra = iter(account_links)
            next_extra = next(extra, None)
            for i in range(n_items):
                link_id += 1
                yield (link_id, i + 1, ct_contact, item_contact[i])
                if i == next_extra:
                    link_id += 1
                    yield (link_id, i + 1, ct_account, contact_account[item_contact[i]])
                    next_extra = next(extra, None)

        ins.insert(HistoryLink, ["id", "item_id", "content_type_id", "object_id"], link_rows(), n_links)

        start = time.perf_counter()
        tables = [Account._meta.db_table, BusinessContact._meta.db_table, through._meta.db_table,
                  HistoryItem._meta.db_table, HistoryLink._meta.db_table]
        connection.check_constraints(table_names=tables)   # raises IntegrityError on a dangling key
        if not ins.postgres:
            print(f"    foreign keys checked in {time.perf_counter() - start:.1f} s", flush=True)

        if ins.postgres:  # explicit ids: move the identity sequences past them
            models = [Account, BusinessContact, through, HistoryItem, HistoryLink]
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)

    if not ins.postgres:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(app_cache_size)}")

    # Pick the records the pages use.
    contacts_per_account: dict[int, list[int]] = {}
    for pid, account_id in contact_account.items():
        if account_id:
            contacts_per_account.setdefault(account_id, []).append(pid)
    typical = statistics.median_low(len(v) for v in contacts_per_account.values())
    account_id = next(a for a in sorted(contacts_per_account) if len(contacts_per_account[a]) == typical)
    category_counts: dict[int, int] = {}
    for pid, cat in category_rows:
        if pid not in lead_ids:
            category_counts[cat] = category_counts.get(cat, 0) + 1
    common_last = max(last_name_counts, key=last_name_counts.get)
    return {
        "users": user_ids,
        "login_user": user_ids[0],
        "filter_user": user_ids[1],
        "common_last_name": common_last,
        "common_last_name_share": round(last_name_counts[common_last] / size, 4),
        "category": max(category_counts, key=category_counts.get),
        "category_contacts": max(category_counts.values()),
        "account": account_id,
        "account_contacts": typical,
        "rows": {"accounts": n_accounts, "contacts": size, "leads": n_leads, "contact_categories": len(category_rows),
                 "history_items": n_items, "history_links": n_links},
        "tables": ins.stats,
    }


def analyze(db: str) -> float:
    from django.db import connection

    start = time.perf_counter()
    with connection.cursor() as cursor:
        if db == "sqlite":
            cursor.execute("ANALYZE")
        else:
            # VACUUM also sets the visibility map, so index-only scans work as on a settled database.
            cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - start


# --- measuring pages ---------------------------------------------------------------------

HTMX = {"HX-Request": "true", "HX-Target": "results", "HX-Current-URL": "http://testserver/contacts/"}


def pages_for(ids: dict, num_pages: int) -> list[tuple[str, str, dict]]:
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
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def measure(client, url: str, headers: dict, args) -> dict:
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
    body = response.content
    if bool(headers) == (b"<html" in body):
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
    from django.db import connection

    with connection.cursor() as cursor:
        if db == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            return "\n".join(f"      {row[0]:>3} {row[1]:>3} {row[3]}" for row in cursor.fetchall())
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join("      " + row[0] for row in cursor.fetchall())


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
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client

    from crm.models import BusinessContact

    print(f"\n== {args.db} · {size:,} business contacts ==", flush=True)
    seeded_file = DATA_DIR / f"seeded-{args.db}.json"
    previous = json.loads(seeded_file.read_text()) if args.reuse and seeded_file.exists() else {}
    if previous.get("size") == size and previous.get("seed") == args.seed and previous.get("leads") == args.leads \
            and seeded_size() == size:
        # --reuse: measure the database the last run left (--keep), e.g. to try an index.
        ids, migrate_s, seed_s, analyze_s = previous["ids"], 0.0, previous["seed_s"], 0.0
        print(f"  reusing the database seeded on {previous['when']} (pass no --reuse to seed afresh)", flush=True)
    else:
        seeded_file.unlink(missing_ok=True)
        reset_database(args.db)
        migrate_s = migrate()
        print(f"  migrate: {migrate_s:.1f} s\n  seeding:", flush=True)
        start = time.perf_counter()
        ids = seed(size, args)
        seed_s = time.perf_counter() - start
        analyze_s = 0.0 if args.no_analyze else analyze(args.db)
        if args.db == "sqlite":  # fold the load's WAL into the database file, as after a quiet spell
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        total_rows = sum(ids["rows"].values())
        print(f"  seeded {total_rows:,} rows in {seed_s:.1f} s ({total_rows / seed_s:,.0f} rows/s)"
              + ("" if args.no_analyze else f", {'ANALYZE' if args.db == 'sqlite' else 'VACUUM ANALYZE'} {analyze_s:.1f} s"),
              flush=True)
        seeded_file.write_text(json.dumps({"size": size, "seed": args.seed, "leads": args.leads, "ids": ids,
                                           "seed_s": round(seed_s, 2), "when": time.strftime("%Y-%m-%d %H:%M")}))

    contacts = BusinessContact.objects.filter(is_lead=False).count()
    assert contacts == size, (contacts, size)
    from django.conf import settings

    num_pages = math.ceil(contacts / settings.CRM_PAGE_SIZE)
    client = Client()
    client.force_login(User.objects.get(pk=ids["login_user"]))
    client.get("/contacts/")  # the first request of a session stores the language choice in it
    print(f"  pages: account #{ids['account']} ({ids['account_contacts']} contacts), user #{ids['filter_user']}, "
          f"q={ids['common_last_name']!r} ({ids['common_last_name_share']:.1%} of contacts), "
          f"category #{ids['category']} ({ids['category_contacts']:,} contacts)", flush=True)
    load, speed = os.getloadavg()[0], calibrate()
    print(f"  machine: load average {load:.1f} on {os.cpu_count()} CPUs, calibration loop {speed:.0f} ms", flush=True)
    results = []
    for name, url, headers in pages_for(ids, num_pages):
        if args.pages and not any(p in name for p in args.pages):
            continue
        results.append(measure_page(name, client, url, headers, args, TARGET_MS, width=28))
    connection.close()
    return {
        "size": size, "load_average": round(load, 2), "calibration_ms": speed, "migrate_s": round(migrate_s, 2), "seed_s": round(seed_s, 2),
        "analyze_s": round(analyze_s, 2),
        "rows": ids["rows"], "tables": ids["tables"],
        "picked": {k: ids[k] for k in ("login_user", "filter_user", "common_last_name", "common_last_name_share",
                                       "category", "category_contacts", "account", "account_contacts")},
        "pages": results,
    }


def database_info(db: str) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if db == "sqlite" else "SHOW server_version")
        version = cursor.fetchone()[0]
    connection.close()
    return {"engine": db, "version": version}


def report(db: str, runs: list[dict], info: dict) -> None:
    print(f"\n{'database':10} {'size':>8}  {'page':28} {'median ms':>10} {'p90 ms':>9} {'queries':>8} {'SQL ms':>8} "
          f"{'CPU ms':>8}")
    for run in runs:
        for page in run["pages"]:
            mark = " *" if page["median_ms"] > TARGET_MS or page["queries"] > TARGET_QUERIES else ""
            print(f"{db:10} {run['size']:>8,}  {page['page']:28} {page['median_ms']:>10.1f} {page['p90_ms']:>9.1f} "
                  f"{page['queries']:>8} {page['db_ms']:>8.1f} {page['cpu_median_ms']:>8.1f}{mark}")
    print(f"\nseeding ({db}):")
    for run in runs:
        items = next(t for t in run["tables"] if t["table"] == "crm_historyitem")
        links = next(t for t in run["tables"] if t["table"] == "crm_historylink")
        print(f"  {run['size']:>8,} contacts: {run['seed_s']:6.1f} s total; history items {items['rows']:,} in "
              f"{items['seconds']:.1f} s ({items['rows_per_s']:,}/s), links {links['rows']:,} in {links['seconds']:.1f} s "
              f"({links['rows_per_s']:,}/s)")
    print(verdict(db, runs, info))


def verdict(db: str, runs: list[dict], info: dict, *, what: str = "contacts", target_ms: float = TARGET_MS,
            extra: str = "", extra_ok: bool = True) -> str:
    """One line per database against the targets, then what missed them.
    (``extra`` adds a figure of the caller's own, e.g. a stage deletion.)"""
    if not any(r["pages"] for r in runs):
        return f"{db}: no pages measured (see --pages)"
    measured = [(r["size"], p) for r in runs for p in r["pages"]]
    slow = [f"{p['page']} @ {size:,} ({p['median_ms']:.0f} ms)" for size, p in measured if p["median_ms"] > target_ms]
    chatty = [f"{p['page']} @ {size:,} ({p['queries']})" for size, p in measured if p["queries"] > TARGET_QUERIES]
    by_page: dict[str, set] = {}
    for size, page in measured:
        by_page.setdefault(page["page"], set()).add(page["queries"])
    varying = [f"{name} {sorted(counts)}" for name, counts in by_page.items() if len(counts) > 1]
    ok = not (slow or chatty or varying) and extra_ok
    sizes = ", ".join(f"{r['size']:,}" for r in runs)
    lines = [f"{'PASS' if ok else 'FAIL'} {db} {info.get('version', '')} at {sizes} {what}: "
             f"median <= {target_ms:.0f} ms on {len(measured) - len(slow)}/{len(measured)} pages; "
             f"<= {TARGET_QUERIES} queries on {len(measured) - len(chatty)}/{len(measured)}; "
             f"same query count at every size: {'yes' if not varying else 'no'}{extra}"]
    if slow:
        lines.append(f"  over {target_ms:.0f} ms: " + "; ".join(slow))
    if chatty:
        lines.append(f"  over {TARGET_QUERIES} queries: " + "; ".join(chatty))
    if varying:
        lines.append("  query count changes with size: " + "; ".join(varying))
    return "\n".join(lines)


def git_state() -> dict:
    import subprocess

    def git(*argv) -> str:
        try:
            return subprocess.run(["git", *argv], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            return ""

    changed = [line[3:] for line in git("status", "--porcelain", "--untracked-files=no").splitlines()]
    return {"commit": git("rev-parse", "--short", "HEAD").strip(), "uncommitted_changes": changed}


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


def markdown() -> str:
    """The saved results as the tables of bench/README.md: per database, a row per page
    and a column per size ("median ms (p90)"; over-target medians in bold)."""
    files = [DATA_DIR / f"results-{db}.json" for db in ("sqlite", "postgres")]
    results = [json.loads(f.read_text()) for f in files if f.exists()]
    lines = []
    for result in results:
        runs = result["runs"]
        sizes = [f"{run['size']:,}" for run in runs]
        info = result["database"]
        lines += [f"**{info['engine']} {info.get('version', '').split()[0]}** — median ms (p90 ms) per page; "
                  f"queries per page; SQL ms = time inside the database driver on one request", "",
                  "| page | " + " | ".join(sizes) + " | queries | SQL ms (" + " / ".join(sizes) + ") |",
                  "|---|" + "--:|" * len(sizes) + "--:|--:|"]
        for index, page in enumerate(runs[0]["pages"]):
            cells, queries, sql = [], [], []
            for run in runs:
                measured = run["pages"][index]
                median = f"{measured['median_ms']:.0f}"
                cells.append(f"{'**' + median + '**' if measured['median_ms'] > TARGET_MS else median} "
                             f"({measured['p90_ms']:.0f})")
                queries.append(str(measured["queries"]))
                sql.append(f"{measured['db_ms']:.1f}")
            lines.append(f"| {page['page']} | " + " | ".join(cells) + f" | {' / '.join(sorted(set(queries)))} | "
                         + " / ".join(sql) + " |")
        lines += seeding_markdown(runs, info["engine"])
        lines.append("| machine: load average / calibration loop | "
                     + " | ".join(f"{run['load_average']} / {run.get('calibration_ms', '?')} ms" for run in runs) + " |")
        lines += verdict_markdown(result)
    return "\n".join(lines)


def measure_page(name: str, client, url: str, headers: dict, args, target_ms: float, width: int) -> dict:
    """Measure one page, print its line (flagged when over target; with --explain,
    the plan of its slowest query) and return its result."""
    result = {"page": name, **measure(client, url, headers, args)}
    flag = "" if result["median_ms"] <= target_ms and result["queries"] <= TARGET_QUERIES else "  <-- over target"
    print(f"    {name:{width}} {result['median_ms']:8.1f} ms  p90 {result['p90_ms']:8.1f} ms  "
          f"{result['queries']:3} queries  (SQL {result['db_ms']:.1f} ms, CPU {result['cpu_median_ms']:.1f} ms)"
          f"{flag}", flush=True)
    if flag and args.explain:
        slowest = max(result["sql"], key=lambda q: q["ms"])
        print(f"      slowest query ({slowest['ms']} ms): {slowest['sql'][:400]}")
        print(explain(args.db, slowest["sql"]))
    return result


def verdict_markdown(result: dict) -> list[str]:
    """The verdict line and the code and machine it was measured on, under a results table."""
    uncommitted = result["code"].get("uncommitted_changes")
    return ["", "```", result["verdict"].splitlines()[0], "```",
            f"(code {result['code']['commit']}" + (f" + uncommitted {', '.join(uncommitted)}" if uncommitted else "")
            + f", Python {result['machine']['python']}, Django {result['machine']['django']}, "
            f"{result['machine']['cpus']} CPUs)", ""]


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.markdown:
        print(markdown())
        return 0
    setup_django(args)
    import django

    info = database_info(args.db) if args.db == "postgres" else {"engine": "sqlite"}
    print(f"CRM benchmark: {args.db}, sizes {', '.join(f'{s:,}' for s in args.sizes)}, "
          f"{args.requests} timed requests per page after {args.warmup} warm-ups", flush=True)
    runs = []
    for size in args.sizes:
        runs.append(run_size(size, args))
        if args.db == "sqlite":
            info = database_info(args.db)
    report(args.db, runs, info)
    output = args.output or DATA_DIR / f"results-{args.db}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({
        "database": info,
        "machine": {"python": platform.python_version(), "django": django.get_version(),
                    "platform": platform.platform(), "cpus": os.cpu_count()},
        "code": git_state(),
        "settings": {"requests": args.requests, "warmup": args.warmup, "seed": args.seed, "leads": args.leads,
                     "analyze": not args.no_analyze},
        "targets": {"median_ms": TARGET_MS, "queries": TARGET_QUERIES},
        "runs": runs,
        "verdict": verdict(args.db, runs, info),
    }, indent=2, ensure_ascii=False))
    print(f"results: {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        (DATA_DIR / f"seeded-{args.db}.json").unlink(missing_ok=True)
        if args.db == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
