"""Reading ids, page numbers and return addresses out of requests
(``crm.generic.params``) and the ``in``
lookup that leaves out ids no column can hold (``crm.generic.lookups``)."""
import pytest
from django.http import Http404
from django.test import RequestFactory

from crm.generic.params import MAX_ID, MAX_PAGE, object_or_404, parse_id, parse_ids, parse_page, safe_next
from crm.models import Account, Category
from crm.tests.factories import AccountFactory


@pytest.mark.parametrize("value, expected", [
    ("1", 1), ("42", 42), (7, 7), (str(MAX_ID), MAX_ID),
    ("", None), ("0", None), ("-1", None), ("-0", None), ("1.5", None), ("1e3", None), ("NaN", None),
    (str(MAX_ID + 1), None), ("99999999999999999999", None), ("²", None), ("١٢", None), (" 1", None), ("\x00", None),
    (None, None), (True, None), (0, None),
])
def test_parse_id(value, expected):
    assert parse_id(value) == expected


def test_parse_ids_keeps_the_ids_only():
    assert parse_ids(["3", "x", "99999999999999999999", "5", "²"]) == [3, 5]


@pytest.mark.parametrize("value, last, expected", [
    ("2", 5, 2), ("9", 5, 5), ("99999999999999999999", 5, 5), ("0", 5, 1), ("-3", 5, 1), ("NaN", 5, 1),
    ("1e309", 5, 1), ("²", 5, 1), (None, 5, 1), ("3", 0, 1), ("99999999999999999999", None, MAX_PAGE),
])
def test_parse_page(value, last, expected):
    assert parse_page(value, last=last) == expected


@pytest.mark.django_db
def test_object_or_404_answers_404_for_anything_but_an_id():
    account = AccountFactory()
    assert object_or_404(Account, str(account.pk)) == account
    for value in ("", "abc", "99999999999999999999", "-1", None, str(account.pk + 1)):
        with pytest.raises(Http404):
            object_or_404(Account.objects.all(), value)


@pytest.mark.parametrize("target, expected", [
    ("/contacts/?page=2", "/contacts/?page=2"), ("/", "/"),
    ("foo", "fallback"), ("NaN", "fallback"), ("contacts/", "fallback"), ("//evil.example/", "fallback"),
    ("https://evil.example/", "fallback"), ("/\\evil.example", "fallback"), ("/a\x00b", "fallback"),
    ("/a\nb", "fallback"), ("/" + "x" * 3000, "fallback"), ("", "fallback"),
])
def test_safe_next_accepts_paths_of_this_site_only(target, expected):
    for request in (RequestFactory().get("/", {"next": target}), RequestFactory().post("/", {"next": target})):
        assert safe_next(request, "fallback") == expected


@pytest.mark.django_db
def test_an_in_lookup_leaves_out_ids_no_column_holds():
    account = AccountFactory()
    assert list(Account.objects.filter(pk__in=[2**63, account.pk, -(2**70)])) == [account]
    assert not Category.objects.filter(pk__in=[10**30]).exists()
    assert Account.objects.exclude(pk__in=[2**63]).count() == 1
