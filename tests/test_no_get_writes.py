"""No GET or HEAD request changes data (README ▸ Security ▸ "Requests that change data").

A plain link, an <img src> or a prefetch is a GET, and browsers send the
session cookie (SameSite=Lax) with a top-level cross-site GET: a GET that
deletes, edits, closes or converts records is a CSRF hole whatever the
parameters. So every URL pattern of the project is opened, as a superuser, on
demo data, with GET and HEAD, with and without every query parameter the app
knows (``_apply`` included), and nothing in the database or under MEDIA_ROOT
may change.
"""
from __future__ import annotations

import datetime
import hashlib
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from tests.urlwalk import all_patterns, finish, is_html, page_forms, site_urls

pytestmark = pytest.mark.django_db

# Sessions change on reads by design (the list columns' copy, messages, the
# sign-in itself); last_login is the test client's sign-in.
IGNORED_TABLES = {"django_session"}
IGNORED_COLUMNS = {"auth_user": {"last_login"}}


# --- What "nothing changed" means ---------------------------------------------------------

def database_state() -> dict[str, str]:
    """A checksum of every row of every table (columns in IGNORED_COLUMNS left out)."""
    state = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in IGNORED_TABLES:
                continue
            cursor.execute(f"SELECT * FROM {quote(table)}")
            columns = [column[0] for column in cursor.description]
            skip = IGNORED_COLUMNS.get(table, set())
            rows = sorted(repr(tuple(bytes(value) if isinstance(value, memoryview) else value
                                     for column, value in zip(columns, row) if column not in skip))
                          for row in cursor.fetchall())
            state[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return state


def media_state() -> dict[str, str]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return {}
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


def changes(before: tuple[dict, dict], after: tuple[dict, dict]) -> list[str]:
    tables = [t for t in before[0].keys() | after[0].keys() if before[0].get(t) != after[0].get(t)]
    files = [f for f in before[1].keys() | after[1].keys() if before[1].get(f) != after[1].get(f)]
    return sorted(tables) + [f"MEDIA_ROOT/{f}" for f in sorted(files)]


def state() -> tuple[dict, dict]:
    return database_state(), media_state()


# --- The query parameters the app knows -------------------------------------------------------

def known_parameters(site, pages: list[str]) -> dict[str, list[str]]:
    """Every parameter the app reads, each with a plausible value: the fields of
    every form on the site's pages (the lists' filtersets, record forms, bulk
    action forms, customization, the admin) with the value the page offers,
    and the parameters views read themselves, with values that make each
    action apply (a closed stage to Mark closed, a user to Assign to, …)."""
    params: dict[str, list[str]] = {}
    for html in pages:
        for form in page_forms(html):
            for field in form.fields:
                value = field.value or next((o for o in field.options if o), "")
                if value and field.kind != "password":
                    params.setdefault(field.name, [value])
                else:
                    params.setdefault(field.name, [""])
    today = datetime.date.today().isoformat()
    params.update({
        # The selection and confirmation of bulk actions (BulkActionView).
        "pk": [str(pk) for pk in site["free"]], "_apply": ["1"], "select_all": ["1"], "filter_query": ["q="],
        # Bulk edit, Mark closed, Assign to, Categorize.
        "field": ["job_title"], "value": ["Changed by a GET"], "clear": [""], "stage": [str(site["won_stage"])],
        "close_date": [today], "assignee": [str(site["user"].pk)], "add": [str(site["category"])],
        # Lists, exports, pages, history, Link to, line rows.
        "sort": ["-created"], "page": ["2"], "format": ["xlsx"], "q": ["a"], "kind": ["note"],
        "type": ["contact"], "types": ["account,contact"], "index": ["1"], "next": ["/"],
        "account": [str(site["contact"].account_id)], "contact": [str(site["contact"].pk)],
        # Imports (a pending job), customization ops, the e-mail capture.
        "step": ["commit"], "token": [site["import_token"]], "digest": [site["import_digest"]],
        "op": ["delete"], "reset": ["1"], "record": [str(site["contact"].pk)],
        "unlink": [f"contact:{site['contact'].pk}"], "_save_new": ["1"], "_delete": ["1"],
        "language": ["fr"], "post": ["yes"],
    })
    return params


def bulk_edit_field(pattern) -> str:
    """A text field the bulk edit of this list can set (so an applied GET would write)."""
    from django.db import models

    model = pattern.viewset.rtype().model
    for name in pattern.viewset.get_bulk_edit_fields():
        field = model._meta.get_field(name)
        if isinstance(field, models.CharField) and not field.choices:
            return name
    raise AssertionError(f"no text field to bulk-edit on {model.__name__}")


def queries(pattern, params: dict[str, list[str]]) -> list[str]:
    """The query strings a URL is opened with (besides none): every parameter
    with records ticked; every parameter with "all matching the filter"."""
    everything = dict(params)
    if pattern.viewset is not None and "action" in pattern.converters:
        everything["field"] = [bulk_edit_field(pattern)]
    ticked = {k: v for k, v in everything.items() if k not in ("select_all", "filter_query")}
    return [urlencode(ticked, doseq=True), urlencode(everything, doseq=True)]


# --- The test ------------------------------------------------------------------------------

def test_every_url_covers_the_project(seeded_site):
    """The walk fills every pattern of the URLconf (a new one it cannot fill fails here)."""
    urls = site_urls(seeded_site["samples"])
    assert {p.name for p, _u in urls} == {p.name for p in all_patterns()}
    names = {p.name for p, _u in urls}
    assert {"crm:contact_bulk", "sales:opportunity_bulk", "leads:lead_convert", "crm:preferences",
            "crm:history_file", "admin:crm_account_delete"} <= names


def test_no_get_or_head_request_changes_anything(seeded_site, client):
    site = seeded_site
    urls = site_urls(site["samples"])
    baseline = state()
    # First every page as a link opens it (a bulk action's page with records
    # ticked): their forms tell which parameters the app reads.
    pages = []
    for pattern, url in urls:
        for query in ([urlencode({"pk": site["free"]}, doseq=True)] if "action" in pattern.converters else [""]):
            response = client.get(f"{url}?{query}" if query else url)
            assert response.status_code < 500, (url, query, response.status_code)
            if is_html(response):
                pages.append(response.content.decode())
            finish(response)
    params = known_parameters(site, pages)
    assert {"assigned_to", "category", "created_after", "full_name", "title", "unit_price"} <= params.keys()
    changed = [("GET of every URL without parameters", what) for what in [changes(baseline, state())] if what]
    baseline = state()
    for pattern, url in urls:
        for query in queries(pattern, params):
            full = f"{url}?{query}" if query else url
            for method in (client.get, client.head):
                response = method(full)
                finish(response)
                assert response.status_code < 500, (method.__name__, url, response.status_code)
                # Still signed in: a sign-out would make the rest of the walk vacuous.
                assert not response.get("Location", "").startswith(reverse("login")), (url, response["Location"])
        now = state()
        if what := changes(baseline, now):
            changed.append((f"GET/HEAD {url} ({pattern.name})", what))
            baseline = now
    assert not changed, "GET or HEAD changed data:\n" + "\n".join(f"{url}: {what}" for url, what in changed)
