#!/usr/bin/env python
"""Load test: concurrent users on gunicorn, then checks against the database.

The script prepares its own database (a temporary SQLite file, or with
``--db postgres`` the throw-away PostgreSQL named by ``DATABASE_URL``), runs
the migrations, seeds one user per client and 50 business contacts in 5
accounts through the services, and starts gunicorn (3 workers, ``DEBUG``
off, a throw-away ``SECRET_KEY``) on 127.0.0.1 at a free port. Then, for 60
seconds, 20 clients hit it as browsers would, each with its own cookie jar,
signed in through the sign-in form with its CSRF token:

- half add notes to random records through the History ▸ New Business Note
  form the page renders;
- half edit random records through their edit form: the page is read as a
  browser submits it (every input, select and textarea, the hidden
  ``version`` included), one field (job title) is changed, and the form is
  posted. The app either saves it (a redirect to the record) or refuses it
  as stale (the edit-conflict page).

After each save a client follows the redirect, as a browser does. The script
stops gunicorn, prints requests, acknowledged writes, refused stale saves,
5xx responses, other errors and latencies, and checks the database: every
acknowledged note is there, every acknowledged edit is in the change log at
the version after the one it loaded, no two acknowledged saves loaded the
same (record, version) — which would be a stale save accepted — each
record's stored value is its newest change-log entry's, and the database's
own integrity check passes. It exits 1 if a check fails, with the server's
tracebacks for any 5xx.

    .venv/bin/python bench/load.py                      # SQLite, 20 clients, 60 s
    .venv/bin/python bench/load.py --clients 5 --seconds 10
    scripts/with-postgres.sh .venv/bin/python bench/load.py --db postgres

See the "Load test" section of bench/README.md.
"""
from __future__ import annotations

import argparse
import collections
import ctypes
import http.client
import http.cookiejar
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.lib import cli, data, database, measure  # noqa: E402
from bench.lib.report import git_state  # noqa: E402

RECORDS = 50
ACCOUNTS = 5
PASSWORD = "load-test-2026"
EDITED_FIELD = "job_title"
SERVER_START_TIMEOUT = 60.0
REQUEST_TIMEOUT = 60.0

# Latency kinds, in the order they are printed.
KINDS = {
    "sign-in": "sign-in (form GET + POST)",
    "note-form": "note form (GET)",
    "note-save": "note save (POST)",
    "history": "history page (GET after a note)",
    "edit-form": "edit form (GET)",
    "edit-save": "edit save (POST)",
    "conflict": "edit refused as stale (POST)",
    "record": "record page (GET after an edit)",
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Concurrent clients adding notes and editing records on gunicorn, then database checks.",
        epilog="PostgreSQL: scripts/with-postgres.sh .venv/bin/python bench/load.py --db postgres",
    )
    parser.add_argument("--clients", type=int, default=20,
                        help="concurrent clients; half add notes, half edit (default: %(default)s)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the clients run (default: %(default)s)")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default=None,
                        help="a temporary SQLite file, or the throw-away PostgreSQL of DATABASE_URL, whose public "
                             "schema is DROPPED (default: postgres if DATABASE_URL is set, else sqlite)")
    parser.add_argument("--records", type=int, default=RECORDS,
                        help="business contacts to seed and edit (default: %(default)s; fewer means more conflicts)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the data and the clients' choices")
    parser.add_argument("--log", type=Path, default=None,
                        help="gunicorn's log, with Django's tracebacks (default: bench/data/load-<db>-gunicorn.log)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures and checks as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary SQLite directory (default: removed)")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.records < 1 or args.workers < 1 or args.seconds <= 0:
        parser.error("--clients, --records and --workers must be at least 1, --seconds above 0")
    cli.choose_database(parser, args, script="bench/load.py")
    if args.log is None:
        args.log = cli.DATA_DIR / f"load-{args.db}-gunicorn.log"
    return args


# --- the database and the server ---------------------------------------------------------

def server_environment(args, workdir: Path) -> dict[str, str]:
    """The settings of this run, for this process and gunicorn alike: production
    mode with a throw-away key, loopback only, a database and uploads of its own."""
    return cli.django_environment(args.db, workdir / "load.sqlite3", SECRET_KEY=secrets.token_urlsafe(50),
                                  ALLOWED_HOSTS="127.0.0.1", MEDIA_ROOT=str(workdir / "media"), PYTHONUNBUFFERED="1")


def prepare_database(args) -> dict:
    """Migrate and seed: one user per client (one password hash for all: hashing
    costs a third of a second each), 5 accounts and 50 business contacts written
    through the record service, as the pages write them. Returns the contacts' ids
    and the users' names."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connections, transaction

    from crm.generic import services as record_services
    from crm.models import Account, BusinessContact

    if args.db == "postgres":
        database.reset_database("postgres")
    database.migrate()
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)

    rng = random.Random(args.seed)
    password = make_password(PASSWORD)
    with transaction.atomic():
        users = User.objects.bulk_create([
            User(username=f"load{n:02d}", first_name=rng.choice(data.FIRST_NAMES), last_name=rng.choice(data.LAST_NAMES),
                 email=f"load{n:02d}@example.com", password=password)
            for n in range(1, args.clients + 1)])
        users = list(User.objects.filter(username__in=[u.username for u in users]).order_by("username"))
        contacts = []
        for index, (base, name, city_index) in enumerate(data.account_names(rng, ACCOUNTS)):
            city, country, _postal, phone, _legal, streets = data.CITIES[city_index]
            domain = f"{data.ascii_slug(base)}.example"
            account = record_services.record_create(
                instance=Account(name=name, business_city=city, business_country=country, email=f"info@{domain}",
                                 business_phone=f"{phone} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                                 business_street=f"{rng.choice(streets)} {rng.randint(1, 120)}",
                                 assigned_to=rng.choice(users)),
                user=users[0])
            # The records spread over the accounts (10 each by default).
            for _ in range(args.records // ACCOUNTS + (index < args.records % ACCOUNTS)):
                first, last = rng.choice(data.FIRST_NAMES), rng.choices(data.LAST_NAMES, data.LAST_WEIGHTS)[0]
                contacts.append(record_services.record_create(
                    instance=BusinessContact(
                        full_name=f"{first} {last}", job_title=rng.choice(data.JOB_TITLES), company_name=name,
                        account=account, email=f"{data.ascii_slug(first)}.{data.ascii_slug(last)}@{domain}",
                        business_city=city, business_country=country, assigned_to=rng.choice(users)),
                    user=rng.choice(users)).pk)
    connections.close_all()
    return {"contacts": contacts, "users": [u.username for u in users]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:
    """In the child before exec: Linux sends gunicorn SIGTERM if this script dies
    without its clean-up (kill -9), so no server is left behind."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Server:
    """gunicorn on 127.0.0.1 at a free port, its output in a log file; stop() ends it."""

    def __init__(self, env: dict[str, str], workers: int, log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log_file = open(log, "w", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "crm.wsgi:application", "--workers", str(workers),
             "--bind", f"127.0.0.1:{self.port}", "--chdir", str(ROOT), "--error-logfile", "-",
             # No control interface: the test needs none, and its default socket
             # (~/.gunicorn/gunicorn.ctl) would be shared by runs side by side.
             "--no-control-socket"],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=self.log_file, stderr=subprocess.STDOUT,
            # preexec_fn is unsafe beside threads; the server starts before the clients do.
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)

    def wait_ready(self, path: str) -> None:
        """Until the sign-in page answers 200 (the workers have loaded Django)."""
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with code {self.process.returncode}; see {self.log}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=5) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {SERVER_START_TIMEOUT:.0f} s; see {self.log}")

    def stop(self) -> None:
        """SIGTERM (gunicorn's graceful stop), then SIGKILL if it hangs."""
        if self.log_file.closed:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()

    def tracebacks(self, limit: int = 120) -> str:
        """What the log says about failed requests: Django's "Internal Server
        Error" reports with their tracebacks, and gunicorn's errors (worker timeouts)."""
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        wanted, keep = [], False
        for line in lines:
            if "Internal Server Error" in line or line.startswith("Traceback") or re.search(r"\[(ERROR|CRITICAL)\]", line):
                keep = True
            elif re.match(r"^\[\d{4}-\d\d-\d\d ", line):   # gunicorn's next ordinary line
                keep = False
            if keep:
                wanted.append(line)
        return "\n".join(wanted[:limit]) + (f"\n… ({len(wanted) - limit} more lines in {self.log})" if len(wanted) > limit else "")


# --- the clients ----------------------------------------------------------------------------

class _KeepEveryResponse(urllib.request.HTTPErrorProcessor):
    """Hand back 3xx, 4xx and 5xx responses as they are: the client looks at
    redirects itself (a save answers with one) and counts errors."""

    def http_response(self, request, response):
        return response

    https_response = http_response


VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Alerts(HTMLParser):
    """The alerts of a page (elements with role="alert"): their classes and text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.alerts: list[tuple[set[str], str]] = []
        self._open: tuple[set[str], list[str]] | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in VOID_TAGS:
            return
        if self._open is not None:
            self._depth += 1
            return
        attrs = dict(attrs)
        if attrs.get("role") == "alert":
            self._open, self._depth = (set((attrs.get("class") or "").split()), []), 1

    def handle_endtag(self, tag):
        if tag in VOID_TAGS or self._open is None:
            return
        self._depth -= 1
        if not self._depth:
            classes, text = self._open
            self.alerts.append((classes, " ".join("".join(text).split())))
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open[1].append(data)


def page_alerts(html: str) -> list[tuple[set[str], str]]:
    reader = _Alerts()
    reader.feed(html)
    return reader.alerts


def read_form(html: str, **match) -> dict[str, list[str]]:
    """What a browser submits from the page's form matching ``match`` (the
    project's own reader, which the view tests use too)."""
    from crm.generic.testing import submitted_form

    return submitted_form(html, **match)


def is_conflict_page(html: str) -> bool:
    """The edit-conflict page a stale save gets: the form again under an alert
    of class "conflict" (templates/generic/edit.html)."""
    return any("conflict" in classes for classes, _text in page_alerts(html))


def encode_multipart(fields: dict[str, list[str]]) -> tuple[bytes, str]:
    """The body a browser sends for a form with enctype="multipart/form-data"
    (the record and history forms; no file chosen)."""
    boundary = "----crmload" + secrets.token_hex(12)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             for name, values in fields.items() for value in values]
    return ("".join(parts) + f"--{boundary}--\r\n").encode("utf-8"), f"multipart/form-data; boundary={boundary}"


@dataclass
class Response:
    status: int
    location: str   # the path a redirect goes to
    text: str


@dataclass
class Tally:
    """What one client saw; merged after the run (each client writes its own, no locks)."""

    requests: int = 0
    latencies: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    server_errors: list[str] = field(default_factory=list)     # "503 POST /contacts/4/edit/"
    errors: list[str] = field(default_factory=list)            # anything else that went wrong
    notes: list[tuple[int, str]] = field(default_factory=list)             # (record, subject) acknowledged
    edits: list[tuple[int, int, str]] = field(default_factory=list)        # (record, version loaded, value) acknowledged
    conflicts: int = 0

    def refile_last(self, kind: str, as_kind: str) -> None:
        """Move the last time taken under ``kind`` to ``as_kind`` (a save that
        turned out to be refused as stale is timed apart from the saves)."""
        self.latencies[as_kind].append(self.latencies[kind].pop())


class Client(threading.Thread):
    """One user in a browser: a cookie jar, the sign-in form, then notes or edits until the deadline."""

    def __init__(self, index: int, role: str, username: str, urls: dict, base: str, rng: random.Random,
                 started: threading.Barrier, stop: threading.Event):
        super().__init__(name=f"client-{index:02d}", daemon=True)
        self.index, self.role, self.username, self.urls, self.base = index, role, username, urls, base
        self.rng, self.started, self.stop = rng, started, stop
        self.tally = Tally()
        self.deadline = 0.0
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _KeepEveryResponse())

    # one request -------------------------------------------------------------------
    def request(self, kind: str, path: str, form: dict[str, list[str]] | None = None,
                multipart: bool = False) -> Response | None:
        """GET ``path``, or POST ``form`` to it as a browser would (with its Origin).
        Times it under ``kind``; None (and an error counted) if no HTTP answer came."""
        headers = {"User-Agent": "crm-load-test", "Accept-Language": "en"}
        data = None
        if form is not None:
            headers["Origin"] = self.base
            if multipart:
                data, headers["Content-Type"] = encode_multipart(form)
            else:
                data = urllib.parse.urlencode(form, doseq=True).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
        method = "GET" if form is None else "POST"
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        start = time.perf_counter()
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as answer:
                body = answer.read()
                status, location = answer.status, answer.headers.get("Location", "")
        except (OSError, urllib.error.URLError, http.client.HTTPException) as error:
            self.tally.requests += 1
            self.tally.errors.append(f"{method} {kind}: no answer ({type(error).__name__}: {error})")
            return None
        self.tally.requests += 1
        self.tally.latencies[kind].append(time.perf_counter() - start)
        if status >= 500:
            self.tally.server_errors.append(f"{status} {method} {path}")
            return None
        return Response(status, urllib.parse.urlsplit(location).path, body.decode("utf-8", errors="replace"))

    def fail(self, what: str, response: Response) -> None:
        """Count an unexpected answer (a 4xx, a refused form, a sign-out) with what the page said."""
        alerts = "; ".join(text for classes, text in page_alerts(response.text) if "alert-danger" in classes)
        where = f" → {response.location}" if response.location else ""
        self.tally.errors.append(f"{what}: {response.status}{where}{(' ' + alerts[:200]) if alerts else ''}")

    def open_page(self, kind: str, path: str, what: str) -> Response | None:
        """GET a page the user goes on from: None unless it answered 200 (anything
        else is counted as an error under ``what``)."""
        page = self.request(kind, path)
        if page is not None and page.status != 200:
            self.fail(what, page)
            return None
        return page

    def open_form(self, kind: str, path: str, what: str, **match) -> dict[str, list[str]] | None:
        """GET a page and read its form matching ``match`` as a browser submits it (None as ``open_page``)."""
        page = self.open_page(kind, path, what)
        return None if page is None else read_form(page.text, **match)

    # what a user does ------------------------------------------------------------------
    def sign_in(self) -> bool:
        form = self.open_form("sign-in", self.urls["login"], "sign-in page", method="post")
        if form is None:
            return False
        form.update(username=[self.username], password=[PASSWORD])
        answer = self.request("sign-in", self.urls["login"], form)
        if answer is None:
            return False
        if answer.status != 302 or answer.location == self.urls["login"]:
            self.fail("sign-in", answer)
            return False
        return True

    def add_note(self, pk: int, serial: int) -> None:
        urls = self.urls["records"][pk]
        form = self.open_form("note-form", urls["note"], "note form", class_="history-form")
        if form is None:
            return
        subject = f"Load note c{self.index:02d}-{serial:05d}"
        form["subject"] = [subject]
        form["body"] = [f"Called about {self.rng.choice(data.TOPICS)}; written by load client {self.index}."]
        answer = self.request("note-save", urls["note"], form, multipart=True)
        if answer is None:
            return
        if answer.status == 302 and answer.location == urls["history"]:
            self.tally.notes.append((pk, subject))
            self.follow("history", answer)
        else:
            self.fail("note save", answer)

    def edit(self, pk: int, serial: int) -> None:
        urls = self.urls["records"][pk]
        form = self.open_form("edit-form", urls["edit"], "edit form", class_="record-form")
        if form is None:
            return
        loaded = int(form["version"][0])
        value = f"{self.rng.choice(data.JOB_TITLES)} (c{self.index:02d}-{serial:05d})"
        form[EDITED_FIELD] = [value]
        form["_save_close"] = [""]     # the button clicked, which a browser sends
        answer = self.request("edit-save", urls["edit"], form, multipart=True)
        if answer is None:
            return
        if answer.status == 302 and answer.location == urls["detail"]:
            self.tally.edits.append((pk, loaded, value))
            self.follow("record", answer)
        elif answer.status == 200 and is_conflict_page(answer.text):
            # Someone saved the record after this page was loaded: the edit-conflict page.
            self.tally.conflicts += 1
            self.tally.refile_last("edit-save", "conflict")
        else:
            self.fail("edit save", answer)

    def follow(self, kind: str, answer: Response) -> None:
        """The page a browser opens after the save's redirect (it also shows the
        "saved" message, which would otherwise pile up in the session)."""
        self.open_page(kind, answer.location, f"{kind} page")

    def run(self):
        try:
            signed_in = self.sign_in()
        except Exception as error:   # a page that is not what a browser expects
            self.tally.errors.append(f"sign-in: {type(error).__name__}: {error}")
            signed_in = False
        try:
            self.started.wait()
        except threading.BrokenBarrierError:
            return
        if not signed_in:
            return
        records = list(self.urls["records"])
        serial = 0
        while not self.stop.is_set() and time.monotonic() < self.deadline:
            serial += 1
            pk = self.rng.choice(records)
            try:
                self.add_note(pk, serial) if self.role == "note" else self.edit(pk, serial)
            except Exception as error:   # e.g. the form is missing from the page
                self.tally.errors.append(f"{self.role}: {type(error).__name__}: {error}")


def client_urls(contacts: list[int]) -> dict:
    from django.conf import settings
    from django.urls import reverse

    return {
        "login": reverse(settings.LOGIN_URL),
        "records": {pk: {"edit": reverse("crm:contact_edit", args=[pk]), "detail": reverse("crm:contact_detail", args=[pk]),
                         "note": reverse("crm:contact_history_add", args=[pk, "note"]),
                         "history": reverse("crm:contact_history", args=[pk])}
                    for pk in contacts},
    }


def run_clients(args, server: Server, seeded: dict) -> tuple[list[Client], float]:
    """Sign every client in, start them together, run until the time is up."""
    urls = client_urls(seeded["contacts"])
    stop = threading.Event()
    clients: list[Client] = []
    begin = 0.0

    def start_the_clock():
        """Run by the barrier once everyone has signed in, before any client goes on."""
        nonlocal begin
        begin = time.monotonic()
        for client in clients:
            client.deadline = begin + args.seconds

    started = threading.Barrier(args.clients + 1, action=start_the_clock)
    clients += [Client(i + 1, "edit" if i % 2 == 0 else "note", seeded["users"][i], urls, server.base,
                       random.Random(args.seed * 1000 + i), started, stop) for i in range(args.clients)]
    try:
        for client in clients:
            client.start()
        try:
            started.wait(timeout=300)           # everyone signed in (or failed to)
        except threading.BrokenBarrierError:
            raise RuntimeError("the clients did not all get through signing in within 300 s") from None
        for client in clients:
            while client.is_alive():
                client.join(timeout=0.5)
    except BaseException:
        stop.set()
        started.abort()
        raise
    return clients, time.monotonic() - begin


# --- figures and checks ---------------------------------------------------------------------

def merge(clients: list[Client]) -> Tally:
    total = Tally()
    for client in clients:
        t = client.tally
        total.requests += t.requests
        for kind, values in t.latencies.items():
            total.latencies[kind].extend(values)
        total.server_errors += t.server_errors
        total.errors += t.errors
        total.notes += t.notes
        total.edits += t.edits
        total.conflicts += t.conflicts
    return total


def latency_table(tally: Tally) -> list[dict]:
    rows = []
    for kind, label in KINDS.items():
        values = tally.latencies.get(kind) or []
        if values:
            rows.append({"kind": kind, "label": label, "count": len(values),
                         **{name: round(measure.percentile(values, q) * 1000, 1)
                            for name, q in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99), ("max", 1.0))}})
    return rows


@dataclass
class Check:
    ok: bool
    text: str
    details: list[str] = field(default_factory=list)


def accepted_stale_saves(edits: list[tuple[int, int, str]]) -> dict[tuple[int, int], int]:
    """{(record, version loaded): acknowledged saves} where there is more than one.
    Each save of a (record, version) makes a new version, so only the first can be
    right: every further one was written over a change its editor never saw."""
    loaded = collections.Counter((pk, version) for pk, version, _value in edits)
    return {key: n for key, n in loaded.items() if n > 1}


def check_database(db: str, tally: Tally, contacts: list[int]) -> list[Check]:
    """Everything the clients were told was saved, looked up in the database."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from crm.models import BusinessContact, ChangeLogEntry, HistoryLink

    checks = []
    contact_type = ContentType.objects.get_for_model(BusinessContact, for_concrete_model=True)

    # Notes: each acknowledged one exists, linked to its record.
    subjects = {subject: pk for pk, subject in tally.notes}
    found = set(HistoryLink.objects.filter(item__subject__in=list(subjects), content_type=contact_type)
                .values_list("item__subject", "object_id"))
    missing = [f"{s} on record {pk}" for s, pk in subjects.items() if (s, pk) not in found]
    checks.append(Check(not missing and len(subjects) == len(tally.notes),
                        f"acknowledged notes present and linked to their record: {len(subjects) - len(missing):,} "
                        f"of {len(tally.notes):,}", missing[:10]))

    # Edits: each acknowledged one is in the change log, at the version after the one it loaded.
    logged: dict[tuple[int, str], int] = {}
    versions: dict[int, list[int]] = collections.defaultdict(list)
    newest: dict[int, tuple[int, str]] = {}
    for object_id, version, changes in (ChangeLogEntry.objects.filter(
            content_type=contact_type, object_id__in=contacts, action=ChangeLogEntry.Action.UPDATE)
            .values_list("object_id", "version", "changes")):
        new = ((changes or {}).get(EDITED_FIELD) or {}).get("new", "")
        logged[(object_id, new)] = version
        versions[object_id].append(version)
        if object_id not in newest or version > newest[object_id][0]:
            newest[object_id] = (version, new)
    missing = [f"record {pk}: “{value}” (loaded at version {loaded})" for pk, loaded, value in tally.edits
               if (pk, value) not in logged]
    checks.append(Check(not missing, f"acknowledged edits in the change log: {len(tally.edits) - len(missing):,} "
                                     f"of {len(tally.edits):,}", missing[:10]))

    # Stale saves accepted: two acknowledged saves that loaded the same (record, version).
    stale = accepted_stale_saves(tally.edits)
    checks.append(Check(not stale, f"stale saves accepted (a further acknowledged save of a record version already "
                                   f"saved over): {sum(n - 1 for n in stale.values()):,}",
                        [f"record {pk} version {v}: {n} saves acknowledged" for (pk, v), n in list(stale.items())[:10]]))
    elsewhere = [f"record {pk}: loaded version {v}, logged as version {logged[(pk, value)]}"
                 for pk, v, value in tally.edits if (pk, value) in logged and logged[(pk, value)] != v + 1]
    checks.append(Check(not elsewhere, f"acknowledged edits logged at another version than the one loaded + 1: "
                                       f"{len(elsewhere):,}", elsewhere[:10]))

    # Each record: one change-log entry per version, and the stored value is the newest entry's.
    stored = dict(BusinessContact.objects.filter(pk__in=contacts).values_list("pk", "version"))
    values = dict(BusinessContact.objects.filter(pk__in=contacts).values_list("pk", EDITED_FIELD))
    wrong = []
    for pk in contacts:
        seen = versions.get(pk, [])
        if len(seen) != len(set(seen)):
            wrong.append(f"record {pk}: two change-log entries share a version")
        if pk in newest and (stored[pk], values[pk]) != newest[pk]:
            wrong.append(f"record {pk}: stored version {stored[pk]} “{values[pk]}”, newest entry version "
                         f"{newest[pk][0]} “{newest[pk][1]}”")
    checks.append(Check(not wrong, f"records whose stored version and value are their newest change-log entry's: "
                                   f"{len(contacts) - len({w.split(':')[0] for w in wrong})} of {len(contacts)}",
                        wrong[:10]))

    checks.append(integrity_check(db, connection))
    connection.close()
    return checks


def integrity_check(db: str, connection) -> Check:
    """SQLite: PRAGMA integrity_check and foreign_key_check. PostgreSQL: amcheck's
    B-tree and heap checks of the public schema (skipped if the extension is missing)."""
    from django.db import DatabaseError

    with connection.cursor() as cursor:
        if db == "sqlite":
            cursor.execute("PRAGMA integrity_check")
            result = [row[0] for row in cursor.fetchall()]
            cursor.execute("PRAGMA foreign_key_check")
            orphans = cursor.fetchall()
            return Check(result == ["ok"] and not orphans,
                         f"SQLite integrity_check: {'; '.join(result[:5])}; foreign_key_check: "
                         f"{len(orphans)} rows", [str(o) for o in orphans[:10]])
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        except DatabaseError as error:   # the contrib package is not installed
            return Check(True, f"PostgreSQL integrity: not checked (amcheck unavailable: {str(error).strip()[:80]})")
        cursor.execute("""
            SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE am.amname = 'btree' AND n.nspname = 'public' AND i.indisvalid""")
        indexes = [row[0] for row in cursor.fetchall()]
        for name in indexes:
            cursor.execute("SELECT bt_index_check(%s::regclass, true)", [name])   # raises on corruption
        cursor.execute("SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE n.nspname = 'public' AND c.relkind = 'r'")
        tables = [row[0] for row in cursor.fetchall()]
        problems = []
        for name in tables:
            cursor.execute("SELECT blkno, offnum, msg FROM verify_heapam(%s::regclass)", [name])
            problems += [f"{name}: block {b} item {o}: {m}" for b, o, m in cursor.fetchall()]
        return Check(not problems, f"PostgreSQL amcheck: {len(indexes)} B-tree indexes (with their heap) and "
                                   f"{len(tables)} tables checked, {len(problems)} problems", problems[:10])


def database_version(db: str) -> str:
    """The database as the report names it, e.g. "SQLite 3.40.1"."""
    version = database.database_info(db)["version"]
    return f"{'SQLite' if db == 'sqlite' else 'PostgreSQL'} {version.split()[0]}"


def report(args, summary: dict, tally: Tally, checks: list[Check], server: Server) -> bool:
    window = summary["seconds_run"]
    signins = len(tally.latencies.get("sign-in", []))
    print(f"\n{summary['database']}, gunicorn {summary['gunicorn']} with {args.workers} workers on {server.base}; "
          f"{args.clients} clients ({summary['editors']} editing, {summary['note_takers']} adding notes) "
          f"for {window:.1f} s")
    print(f"machine: {summary['cpus']} CPUs, load average {summary['load_before']:.2f} before, "
          f"{summary['load_after']:.2f} after; the clients used {summary['client_cpu_seconds']:.1f} s of CPU "
          f"(sign-in included); Python {platform.python_version()}, commit {summary['commit']}")
    print()
    print(f"requests               {tally.requests:>8,}  ({(tally.requests - signins) / window:,.1f}/s after "
          f"{signins:,} for signing in)")
    print(f"acknowledged writes    {len(tally.notes) + len(tally.edits):>8,}  (notes {len(tally.notes):,}, "
          f"edits {len(tally.edits):,}; {(len(tally.notes) + len(tally.edits)) / window:,.1f}/s)")
    print(f"refused stale saves    {tally.conflicts:>8,}  (the edit-conflict page)")
    print(f"5xx responses          {len(tally.server_errors):>8,}")
    print(f"other errors           {len(tally.errors):>8,}")
    print(f"\n{'latency, ms':38} {'count':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}")
    for row in summary["latency_ms"]:
        print(f"  {row['label']:36} {row['count']:>7,} {row['p50']:>7.1f} {row['p95']:>7.1f} {row['p99']:>7.1f} "
              f"{row['max']:>7.1f}")
    for title, problems in (("5xx responses", tally.server_errors), ("other errors", tally.errors)):
        if problems:
            print(f"\n{title} (most frequent first):")
            for text, count in collections.Counter(problems).most_common(10):
                print(f"  {count:>5} × {text}")
    if tally.server_errors:
        print(f"\nThe server's log ({server.log}):\n{server.tracebacks()}")
    print("\nchecks against the database:")
    for check in checks:
        print(f"  {'PASS' if check.ok else 'FAIL'} {check.text}")
        for detail in check.details:
            print(f"         {detail}")
    clean = Check(not tally.server_errors and not tally.errors,
                  f"no 5xx responses and no other errors ({len(tally.server_errors)} and {len(tally.errors)})")
    print(f"  {'PASS' if clean.ok else 'FAIL'} {clean.text}")
    ok = all(c.ok for c in checks) and clean.ok
    print(f"\n{'PASS' if ok else 'FAIL'} load test: {summary['database']}, {args.clients} clients, {window:.0f} s, "
          f"{len(tally.notes) + len(tally.edits):,} acknowledged writes, {tally.conflicts:,} stale saves refused, "
          f"{len(tally.server_errors)} 5xx")
    return ok


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    args = parse_args(argv)
    # A SIGTERM (a CI time-out, kill) unwinds like Ctrl-C, so the server is stopped.
    signal.signal(signal.SIGTERM, _interrupt)
    workdir = Path(tempfile.mkdtemp(prefix="crm-load-"))
    server = None
    try:
        env = server_environment(args, workdir)
        cli.setup_django(env)
        import gunicorn

        print(f"Preparing the database ({args.db}: migrate, {args.clients} users, {ACCOUNTS} accounts, "
              f"{args.records} business contacts) …", flush=True)
        seeded = prepare_database(args)
        version = database_version(args.db)
        server = Server(env, args.workers, args.log.resolve())
        urls = client_urls(seeded["contacts"])
        server.wait_ready(urls["login"])
        print(f"gunicorn {gunicorn.__version__}, {args.workers} workers on {server.base} (log: {server.log}); "
              f"{args.clients} clients for {args.seconds:g} s …", flush=True)
        load_before, cpu_before = os.getloadavg()[0], time.process_time()
        clients, seconds_run = run_clients(args, server, seeded)
        load_after, client_cpu = os.getloadavg()[0], time.process_time() - cpu_before
        server.stop()
        tally = merge(clients)
        checks = check_database(args.db, tally, seeded["contacts"])
        summary = {
            "database": version, "gunicorn": gunicorn.__version__, "workers": args.workers, "clients": args.clients,
            "editors": sum(c.role == "edit" for c in clients), "note_takers": sum(c.role == "note" for c in clients),
            "seconds": args.seconds, "seconds_run": round(seconds_run, 2), "cpus": os.cpu_count(),
            "load_before": load_before, "load_after": load_after,
            "client_cpu_seconds": round(client_cpu, 1), "commit": git_state()["commit"],
            "requests": tally.requests, "acknowledged_notes": len(tally.notes), "acknowledged_edits": len(tally.edits),
            "refused_stale_saves": tally.conflicts, "server_errors": len(tally.server_errors),
            "other_errors": len(tally.errors), "latency_ms": latency_table(tally),
        }
        ok = report(args, summary, tally, checks, server)
        if args.json:
            summary["checks"] = [{"ok": c.ok, "text": c.text, "details": c.details} for c in checks]
            summary["passed"] = ok
            args.json.write_text(json.dumps(summary, indent=2), encoding="utf-8")
        return 0 if ok else 1
    except KeyboardInterrupt:
        print("\nInterrupted: stopping the server.", file=sys.stderr)
        return 130
    except RuntimeError as error:   # the server or the clients could not start
        print(f"ERROR: {error}", file=sys.stderr)
        return 2
    finally:
        if server is not None:
            server.stop()
        if args.db == "sqlite" and args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
