"""Helpers for the browser tests: an English, desktop-sized browser and a
page already signed in as Alice (the `staff` user)."""
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # English UI and a viewport wide enough (lg) for the reading pane to show.
    return {**browser_context_args, "locale": "en-GB", "viewport": {"width": 1400, "height": 900}}


def one_request_at_a_time(app):
    """The live server's WSGI app, answering one request at a time.

    With SQLite the request threads share the in-memory test database's single
    connection. Two requests at once (a form's Save beside the live totals it
    refreshes) then run SQL inside each other's transactions ("cannot release
    savepoint - SQL statements in progress"), and a save is lost although the
    page said "saved". A real server gives each thread its own connection.
    The lock is held until a streamed response (an export) has been sent."""
    import threading

    lock = threading.Lock()

    class Body:
        """The response body; closing it (the server always does) frees the lock."""

        def __init__(self, body):
            self.body, self.released = body, False

        def __iter__(self):
            return iter(self.body)

        def close(self):
            try:
                if hasattr(self.body, "close"):
                    self.body.close()
            finally:
                if not self.released:
                    self.released = True
                    lock.release()

    def serialized(environ, start_response):
        lock.acquire()
        try:
            return Body(app(environ, start_response))
        except BaseException:
            lock.release()
            raise

    return serialized


@pytest.fixture(scope="session")
def live_server(request, django_db_setup):
    """pytest-django's live server, with two changes for this project.

    * It starts only once the test database exists. Otherwise it may start
      first, see the real database's name, and not share the in-memory test
      database's connection with its request threads; each thread then opens
      a connection that is never closed, and ``filterwarnings = error`` turns
      the ResourceWarning into test errors.
    * Static files are served by WhiteNoise from STATIC_ROOT (as in
      production) instead of by the staticfiles finders, which do not know
      the hashed names the manifest storage puts in the pages. Run
      ``manage.py collectstatic`` first.
    """
    import os

    from pytest_django.live_server_helper import LiveServer

    from django.db import connection

    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "127.0.0.1"  # loopback only
    server = LiveServer(addr, start=False)
    server.thread.static_handler = one_request_at_a_time if connection.vendor == "sqlite" else (lambda app: app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sign_in(live_server):
    """Sign `user` in on `page` without going through the form (test 1 covers the form)."""

    def _sign_in(page, user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        return page

    return _sign_in


@pytest.fixture
def signed_in_page(page, live_server, staff, sign_in):
    """A page signed in as Alice Martin; default timeouts kept short so a failure is quick."""
    page.set_default_timeout(5_000)
    return sign_in(page, staff)


def link_to(page, field, search: str, pick: str, not_offered: str) -> None:
    """Link a record through the "Link to…" dialog of ``field`` (a locator around
    the control): search, check ``not_offered`` is filtered out, pick ``pick``."""
    from playwright.sync_api import expect

    field.get_by_role("button", name="Link to…").click()
    dialog = page.get_by_role("dialog", name="Link to")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Search by name").fill(search)
    # Only the matching records are offered once the search has run.
    expect(dialog.get_by_role("button", name=not_offered)).to_have_count(0)
    dialog.get_by_role("button", name=pick).click()
    expect(dialog).to_be_hidden()
    expect(field.get_by_text(pick)).to_be_visible()


def add_row(editor, button: str, first_field: str) -> None:
    """Press ``button`` ("Add line", "Add task") in a rows editor and wait until the
    new row is in and the cursor stands in its ``first_field``, as the user sees it.

    The server sends the row and htmx moves the focus into it a moment later: text
    typed into another row before then would follow the focus into the new row."""
    from playwright.sync_api import expect

    fields = editor.get_by_label(first_field, exact=True)
    count = fields.count()
    editor.get_by_role("button", name=button).click()
    expect(fields).to_have_count(count + 1)
    expect(fields.nth(count)).to_be_focused()


def bulk_assign(page, names: list[str], to: str) -> None:
    """Tick the rows of ``names`` on a list page and assign them with the Assign to action."""
    import re

    from playwright.sync_api import expect

    assign = page.get_by_role("button", name="Assign to")
    expect(assign).to_be_disabled()
    for name in names:
        page.get_by_label(f"Select {name}").check()
    assign.click()
    expect(page.get_by_role("heading", name="Assign to")).to_be_visible()
    expect(page.get_by_text(f"{len(names)} records selected")).to_be_visible()
    page.get_by_label("Assign to").select_option(label=to)
    page.get_by_role("button", name="OK").click()
    expect(page.get_by_role("alert").filter(has_text=re.compile(rf"{len(names)} records assigned\."))).to_be_visible()


def printed_pdf_text(page, live_server, href: str, layout: bool = False) -> str | None:
    """Fetch a Print link as the browser would: it must be a PDF. Returns its text
    (pdftotext), or None where poppler is not installed."""
    import shutil
    import subprocess

    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/pdf")
    body = response.body()
    assert body.startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        return None
    command = ["pdftotext", *(["-layout"] if layout else []), "-", "-"]
    return subprocess.run(command, input=body, capture_output=True, check=True).stdout.decode()



def signed_in_as(browser, context_args: dict, sign_in, user, width: int = 1280, height: int = 800):
    """A page in a browser context of its own (its own cookies), signed in as
    ``user``: two people working at once (close ``page.context`` afterwards)."""
    context = browser.new_context(**{**context_args, "viewport": {"width": width, "height": height}})
    page = context.new_page()
    page.set_default_timeout(5_000)
    return sign_in(page, user)


def restore_shipped_criteria() -> None:
    """Put back the lead scoring criteria shipped by leads/migrations/0002 (total
    weight 10): a transactional test flushes the database afterwards, taking the
    data migration's rows with it."""
    from crm.models import ScoringCriterion

    shipped = [("Has a budget", ScoringCriterion.Weight.HIGH), ("Is a decision maker", ScoringCriterion.Weight.NORMAL),
               ("Has a need for our product or service", ScoringCriterion.Weight.HIGH),
               ("Plans to buy within three months", ScoringCriterion.Weight.NORMAL)]
    for position, (description, weight) in enumerate(shipped, start=1):
        ScoringCriterion.objects.get_or_create(description=description, defaults={"weight": weight, "position": position})


SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-results" / "screenshots"


def shoot(page: Page, name: str, full_page: bool = False) -> None:
    """A laptop's 1280 × 800 view of the page, or the whole page (the window is
    made as tall as the page first, so the form's sticky Save bar is drawn at the
    bottom, where it sits), saved as test-results/screenshots/<name>.png for
    people to look at. The window gets its size back afterwards."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.set_viewport_size({"width": 1280, "height": 800})
    if full_page:
        page.set_viewport_size({"width": 1280, "height": page.evaluate("document.documentElement.scrollHeight")})
    page.screenshot(path=SCREENSHOTS / f"{name}.png")
    page.set_viewport_size(size)
