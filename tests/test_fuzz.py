"""Odd input never makes a server error (README ▸ Security ▸ "Requests that change data").

Every parameter of the site — the filters, sort and page of every list, and
every field of every form (GET and POST), read from the rendered pages as a
browser sees them, plus the parameters views read themselves — gets every
value of a fixed corpus: empty, huge and negative integers, overflowing and
not-a-number floats, a NUL byte, invalid UTF-8, a megabyte of text, SQL and
HTML fragments, an impossible date. The answer must be a page (with a field
error), a redirect, a 400 or a 404 — never a 5xx — and HTML sent in is shown
escaped, never as markup.

To stay fast (one page of each view, not every URL × every combination):

- every parameter of a page — a list's filters, sort and page, a form's
  fields, what other views read from the query string — gets the corpus in a
  Latin square: request *k* gives parameter *i* value *(i + k) mod n*, so in
  n requests every parameter gets every value once;
- a refused value stops the others at validation (a list answers an invalid
  filter with no rows, a form with its errors), so then, per value, the
  value goes into every parameter that took it (no error on it), the others
  as the page had them: it reaches the query or the save. A POST form also
  gets each value in every field at once (a model's ``clean()`` runs on the
  values its fields refused as well).
"""
from __future__ import annotations

import re
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_plus, urlencode, urljoin, urlsplit

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.urls import Resolver404, resolve, reverse

from crm.generic.views.lists import ObjectListView
from crm.views.history import RecordHistoryView
from tests.urlwalk import Pattern, all_patterns, finish, is_html, page_forms, path_values, rejected_fields

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = "<script>alert(1)</script>"
MEGABYTE = "x" * 1_000_000
CORPUS = [
    "", str(2**63), str(10**30), "-1", "1e309", "-1e309", "NaN", "-0", "\x00",
    b"\xff\xfe",                      # invalid UTF-8: percent-encoded as %FF%FE
    MEGABYTE, "' OR 1=1 --", SCRIPT, "2026-02-30",
]
BIG = CORPUS.index(MEGABYTE)

# Parameters views read from the query string themselves (besides their forms).
QUERY_PARAMETERS = [
    "sort", "page", "next", "pk", "select_all", "filter_query", "field", "value", "format", "q", "kind", "type",
    "types", "index", "stage", "account", "contact", "o", "p", "_changelist_filters", "_popup", "_to_field",
]
# Never sent with odd values: the CSRF token (the test client does not check it).
UNTOUCHED = {"csrfmiddlewaretoken"}


# The corpus as it goes into a query string or form body, encoded once (the
# megabyte would otherwise be percent-encoded again for every field it fills).
ENCODED = {id(value): quote_plus(value) for value in CORPUS}


def encode(data: dict[str, list]) -> str:
    """``data`` as application/x-www-form-urlencoded (``urlencode(data, doseq=True)``)."""
    return "&".join(f"{quote_plus(name)}={ENCODED.get(id(value)) or quote_plus(value)}"
                    for name, values in data.items() for value in values)


def label(value) -> str:
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    return repr(text if len(text) < 40 else f"{text[:10]}… ({len(text)} characters)")


@dataclass
class Failure:
    method: str
    url: str
    what: str
    status: int
    cause: str = ""

    def __str__(self):
        return f"{self.method.upper()} {self.url} {self.what}: {self.status}{self.cause}"


def cause(response) -> str:
    """The exception behind a server error, and where the project's code raised or called it."""
    exc_info = getattr(response, "exc_info", None)
    if not exc_info:
        return ""
    _type, error, trace = exc_info
    frames = traceback.extract_tb(trace)
    ours = [f for f in frames if "site-packages" not in f.filename] or frames
    where = f"{Path(ours[-1].filename).relative_to(ROOT, walk_up=True)}:{ours[-1].lineno}" if ours else "?"
    return f" ({type(error).__name__}: {str(error)[:100]} — {where})"


class Fuzzer:
    def __init__(self, client):
        self.client = client
        self.client.raise_request_exception = False
        self.failures: list[Failure] = []
        self.sent = 0

    def send(self, method: str, url: str, data: dict[str, list], what: str, **headers):
        """One request; a 5xx or unescaped HTML is noted (the walk goes on)."""
        body = encode(data)
        if method == "get":
            response = self.client.get(f"{url}{'&' if '?' in url else '?'}{body}", headers=headers)
        else:
            response = self.client.post(url, body, content_type="application/x-www-form-urlencoded", headers=headers)
        self.sent += 1
        finish(response)
        if response.status_code >= 500:
            self.failures.append(Failure(method, url, what, response.status_code, cause(response)))
        elif is_html(response) and SCRIPT.encode() in response.content:
            self.failures.append(Failure(method, url, f"{what} (the HTML is not escaped)", response.status_code))
        return response

    def latin_square(self, method: str, url: str, base: dict, names: list[str], megabyte: list[str] | None = None,
                     **headers) -> set[tuple[str, int]]:
        """Every name gets every value once; returns the (name, value index) pairs
        the answer refused (field errors).

        In a query string the megabyte is left out of the rotation and goes,
        in one request, into the names ``megabyte`` lists (default: all): a
        list page repeats its query string in every sorting, paging and export
        link (a megabyte in, some twenty out), so a megabyte in each of the
        rotation's requests would make the walk minutes long. (Production
        servers refuse such a URL before the app sees it: gunicorn takes
        request lines up to 4 KB.)"""
        rotation = [i for i in range(len(CORPUS)) if method == "post" or i != BIG]
        rejected = set()
        for k in range(len(rotation)):
            assigned = {name: rotation[(i + k) % len(rotation)] for i, name in enumerate(names)}
            rejected |= self._assigned(method, url, base, assigned, headers)
        if method == "get" and (megabyte := names if megabyte is None else megabyte):
            rejected |= self._assigned(method, url, base, dict.fromkeys(megabyte, BIG), headers)
        return rejected

    def _assigned(self, method, url, base, assigned: dict[str, int], headers) -> set[tuple[str, int]]:
        data = {**base, **{name: [CORPUS[index]] for name, index in assigned.items()}}
        response = self.send(method, url, data, "with " + ", ".join(
            f"{name}={label(CORPUS[index])}" for name, index in list(assigned.items())[:8]) + ", …", **headers)
        if response.status_code != 200:
            return set()
        return {(name, assigned[name]) for name in rejected_fields(response) if name in assigned}

    def together(self, method: str, url: str, base: dict, names: list[str], rejected: set, **headers):
        """Each value in every parameter that took it in the Latin square, so that
        it reaches the query or the save (one refused value would stop the rest
        at validation); if some are refused now, once more without them."""
        for index, value in enumerate(CORPUS):
            if method == "get" and index == BIG:
                continue  # sent in every parameter already (latin_square)
            accepted = [name for name in names if (name, index) not in rejected]
            for _attempt in range(2):
                if not accepted:
                    break
                response = self.send(method, url, {**base, **{name: [value] for name in accepted}},
                                     f"{label(value)} in {', '.join(accepted[:8])}{', …' if len(accepted) > 8 else ''}",
                                     **headers)
                refused = rejected_fields(response) if response.status_code == 200 else set()
                if not refused & set(accepted):
                    break
                accepted = [name for name in accepted if name not in refused]

    def form(self, method: str, url: str, base: dict, names: list[str], toggles: set[str], deep: bool = True):
        """A form's fields: the Latin square; for a POST (``deep``) then each
        value in every field (a model's clean() runs on what its fields
        refused, too) and in every field that took it — the tick boxes (any
        value ticks one, and ticking may require another field) and the
        formsets' bookkeeping left as the page had them."""
        rejected = self.latin_square(method, url, base, names)
        if method != "post" or not deep:
            return
        fields = [name for name in names if name not in toggles and not FORMSET_INTERNALS.search(name)]
        for value in CORPUS:
            if value is not MEGABYTE:  # a megabyte in every field is over the upload limit: a 400
                self.send(method, url, {**base, **{name: [value] for name in fields}}, f"{label(value)} in every field")
        self.together(method, url, base, fields, rejected)


FORMSET_INTERNALS = re.compile(r"-(TOTAL_FORMS|INITIAL_FORMS|MIN_NUM_FORMS|MAX_NUM_FORMS|id|DELETE)$|-\d+-opportunity$")


# --- What is fuzzed -------------------------------------------------------------------------

def view_key(callback):
    """Pages of the same view share their code: one page of each is fuzzed (the
    admin's views by kind — change list, change form, … — on one model)."""
    if getattr(callback, "model_admin", None) is not None:
        return ("admin", callback.__name__)
    return getattr(callback, "view_class", callback)


def is_list(pattern: Pattern) -> bool:
    return pattern.view_class in (ObjectListView, RecordHistoryView)


def endpoint_view(url: str):
    try:
        return resolve(urlsplit(url).path).func
    except Resolver404:
        return None


def destructive(url: str) -> bool:
    """Forms sent last: they remove the sample records other pages show."""
    return any(word in url for word in ("delete", "convert", "/bulk/", "password"))


def signs_out(url: str) -> bool:
    return urlsplit(url).path in (reverse("logout"), reverse("admin:logout"))


@contextmanager
def query_string_readers():
    """The views that read the query string (``request.GET``) while inside."""
    readers = set()
    cached = WSGIRequest.__dict__["GET"]

    def read(request):
        match = getattr(request, "resolver_match", None)
        if match is not None:
            readers.add(match.func)
        return cached.func(request)

    WSGIRequest.GET = property(read)
    try:
        yield readers
    finally:
        WSGIRequest.GET = cached


def test_no_odd_input_makes_a_server_error(seeded_site, client):
    site = seeded_site
    # Every page as a link opens it (a bulk action's with records ticked): its forms,
    # and whether its view reads the query string.
    pages: list[tuple[Pattern, str, str]] = []
    with query_string_readers() as readers:
        for pattern in all_patterns():
            url = pattern.url(path_values(pattern, site["samples"])[0])
            query = urlencode({"pk": site["free"]}, doseq=True) if "action" in pattern.converters else ""
            response = client.get(f"{url}?{query}" if query else url)
            finish(response)
            assert response.status_code < 500, (url, response.status_code)
            pages.append((pattern, url, response.content.decode() if is_html(response) else ""))
    fuzz = Fuzzer(client)

    # Lists (each record type's, and one History page): their filters, sort and
    # page, on the whole page, then the rows again as htmx asks for them. Other
    # views that read the query string: every parameter of their page's forms
    # and every one the app reads itself, on one page of each view.
    seen_views, megabyte_sent = set(), set()
    for pattern, url, html in pages:
        forms = page_forms(html)
        if is_list(pattern):
            history = pattern.view_class is RecordHistoryView
            if (pattern.view_class, None if history else pattern.viewset) in seen_views:
                continue
            seen_views.add((pattern.view_class, None if history else pattern.viewset))
            names = list(dict.fromkeys([n for f in forms if f.method == "get" for n in f.names()]
                                       + ["sort", "page"] + (["kind"] if history else [])))
            # The megabyte once per filter name (shared filters read it alike), in each list's search.
            megabyte = [n for n in names if n == "q" or n not in megabyte_sent]
            megabyte_sent.update(names)
            rejected = fuzz.latin_square("get", url, {}, names, megabyte)
            # The rows again, as htmx asks for them, with each value in every filter that took it.
            fuzz.together("get", url, {}, names, rejected, hx_request="true",
                          hx_target="history-results" if history else "results")
        elif pattern.pattern.callback in readers and view_key(pattern.pattern.callback) not in seen_views:
            seen_views.add(view_key(pattern.pattern.callback))
            names = [n for f in forms for n in f.names() if n not in UNTOUCHED]
            fuzz.latin_square("get", url, {}, list(dict.fromkeys(names + QUERY_PARAMETERS)))

    # Every distinct form of the site: the fields a form sends to its view (the
    # admin's: one model's form per admin view), and to the addresses scripts
    # send them to (each once, with the largest form that uses it).
    list_views = {view_key(p.pattern.callback) for p, _u, _h in pages if is_list(p)}
    found = [(url, form) for _pattern, url, html in pages for form in page_forms(html)]
    # The largest form first (the edit form with its lines for the live totals);
    # the admin's in URL order (its first model's).
    found.sort(key=lambda item: 0 if item[0].startswith("/admin/") else -len(item[1].names()))
    targets, seen_forms = [], set()
    for url, form in found:
        names = [name for name in form.names() if name not in UNTOUCHED]
        action = urljoin(url, form.action or url)
        for method, endpoint, scripted in [(form.method, action, False),
                                           *((m, urljoin(url, e), True) for m, e in form.endpoints)]:
            view = endpoint_view(endpoint)
            if view is None or not names or signs_out(endpoint):
                continue
            key = view_key(view)
            if method == "get" and key in list_views:
                continue  # a list's filters: above
            key = (method, key) if scripted or isinstance(key, tuple) else (method, key, frozenset(names))
            if key not in seen_forms:
                seen_forms.add(key)
                toggles = {f.name for f in form.fields if f.kind in ("checkbox", "radio")}
                targets.append((method, endpoint, form.data(), names, toggles))
    targets.sort(key=lambda target: destructive(target[1]))
    for method, endpoint, base, names, toggles in targets:
        # The admin's forms are Django's, and its saves go through the services the
        # other forms' saves exercise (and the admin tests drive): the Latin square only.
        fuzz.form(method, endpoint, base, names, toggles, deep=not urlsplit(endpoint).path.startswith("/admin/"))

    # Still signed in (the walk would otherwise have tested the sign-in page only).
    assert client.get(reverse("crm:home")).status_code == 200
    assert fuzz.sent > 1000
    failures = list(dict.fromkeys(str(failure) for failure in fuzz.failures))
    assert not failures, f"{len(failures)} requests failed:\n" + "\n".join(failures[:300])
