"""Reading ids, page numbers, record versions and return addresses (``next``)
out of requests, in one place.

Anything can arrive in a query string or a form: ``99999999999999999999``,
``-1e309``, ``NaN``, ``²`` (which ``str.isdigit`` accepts and ``int`` does
not), a NUL byte. A value that cannot be a row's id is no id at all: the
page answers 404 (or ignores it), never a server error from the database
("integer out of range", SQLite's OverflowError).
"""
from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme

# The largest primary key (BigAutoField: a signed 64-bit integer, on SQLite and PostgreSQL).
MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """``value`` as a primary key (1 … MAX_ID, ASCII digits only), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


def parse_ids(values) -> list[int]:
    """The values that are primary keys (see ``parse_id``), in order, without the others."""
    return [pk for pk in (parse_id(value) for value in values) if pk is not None]


def object_or_404(queryset, value):
    """The row of ``queryset`` (a model or queryset) whose key is ``value`` as a
    request sent it; 404 for no such row and for anything that is no id."""
    pk = parse_id(value)
    if pk is None:
        model = queryset.model if isinstance(queryset, QuerySet) else queryset
        raise Http404(f"No {model._meta.object_name} matches the given query.")
    return get_object_or_404(queryset, pk=pk)


def parse_page(value, *, last: int | None = None) -> int:
    """A page number from a request: 1 for rubbish, ``last`` for one past the end
    (any number above ``last``, however large; without ``last`` it is capped at
    MAX_PAGE, which is past the end of any list)."""
    try:
        number = int(str(value).strip()) if value is not None and len(str(value)) <= 20 else 1
    except ValueError:
        number = 1
    number = max(number, 1)
    cap = MAX_PAGE if last is None else max(last, 1)
    return min(number, cap)


# Past the end of any list (an offset of MAX_PAGE × a page size still fits in 64 bits).
MAX_PAGE = 2**31


def parse_version(value) -> int | None:
    """The record version a page was shown at (its hidden ``version`` input);
    None when missing or not a number (then no staleness check is made)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def safe_next(request, fallback):
    """Where to go after this request: its ``next`` (posted, else in the query)
    if that is a path on this site, else ``fallback``. A view reads it before
    it saves anything, so an odd ``next`` can never turn a save into an error
    page (and the user's retry into a duplicate); and it is redirected to as a
    URL, never looked up as a view name."""
    target = request.POST.get("next") or request.GET.get("next")
    return target if is_site_path(target, request) else fallback


def is_site_path(target, request) -> bool:
    """Whether ``target`` is a path on this site ("/contacts/?page=2"): not
    another site ("//evil.example", "https://…"), not a view name, no control
    characters, of a sane length."""
    return (isinstance(target, str) and target.startswith("/") and len(target) <= 2000 and target.isprintable()
            and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()))
