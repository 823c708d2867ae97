"""Contact and lead search: every word typed is the start of a word of the
name, company or e-mail (crm.generic.search). The same expectations run on
SQLite (FTS5 word index) and PostgreSQL (GIN on a word tsvector)."""
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils.html import escape

from crm.generic.search import MAX_WORD_LENGTH, MAX_WORDS, search_words
from crm.models import BusinessContact
from crm.tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db

CONTACTS = "crm:contact_list"


def found(client, query: str, url_name: str = CONTACTS) -> set[str]:
    """The names a list shows for ``q=query`` (checked against the shown count)."""
    body = client.get(reverse(url_name), {"q": query}).content.decode()
    count = int(re.search(r'class="record-count text-muted">([\d,]+) record', body).group(1))
    names = {name for name in NAMES if escape(name) in body}
    assert len(names) == count, (query, names, count)
    return names


NAMES = ("Ingrid Kowalczyk", "Ola Berg", "Åse Ødegård", "Jean-Luc O'Brien", "Anna Hansen", "Per Johansen",
         "Zoë Smith 2nd")


@pytest.fixture
def people(db):
    rows = [
        ("Ingrid Kowalczyk", "Northwind Traders", "ik@fabrikam.example"),
        ("Ola Berg", "Contoso", "ola@contoso.example"),
        ("Åse Ødegård", "Fjord Fisk AS", "aase@fjord.example"),
        ("Jean-Luc O'Brien", "Smith & Co", "jl.obrien@smith-co.example"),
        ("Anna Hansen", "", "anna.hansen@acme.example"),
        ("Per Johansen", "Acme", "per.johansen@acme.example"),
        ("Zoë Smith 2nd", "", ""),
    ]
    return [ContactFactory(full_name=name, company_name=company, email=email) for name, company, email in rows]


def test_words_match_the_start_of_any_word_of_name_company_or_email(staff_client, people):
    assert found(staff_client, "kowal") == {"Ingrid Kowalczyk"}
    assert found(staff_client, "NORTHW") == {"Ingrid Kowalczyk"}            # company, any case
    assert found(staff_client, "trad") == {"Ingrid Kowalczyk"}              # second word of the company
    assert found(staff_client, "fabrikam") == {"Ingrid Kowalczyk"}          # e-mail domain
    assert found(staff_client, "ingrid north") == {"Ingrid Kowalczyk"}      # every word must match
    assert found(staff_client, "ingrid contoso") == set()
    assert found(staff_client, "hansen") == {"Anna Hansen"}                 # not Johansen
    assert found(staff_client, "acme") == {"Anna Hansen", "Per Johansen"}


def test_letters_inside_a_word_do_not_match(staff_client, people):
    """The behaviour that changed: a search box finds words by their start (as
    Outlook does), not any substring."""
    assert found(staff_client, "walc") == set()
    assert found(staff_client, "ansen") == set()
    assert found(staff_client, "wind") == set()


def test_short_words_and_digits(staff_client, people):
    assert found(staff_client, "o") == {"Ola Berg", "Jean-Luc O'Brien"}  # not Ødegård
    assert found(staff_client, "ol") == {"Ola Berg"}
    assert found(staff_client, "2") == {"Zoë Smith 2nd"}
    assert found(staff_client, "2nd") == {"Zoë Smith 2nd"}


def test_accented_letters_match_in_any_case_but_count(staff_client, people):
    assert found(staff_client, "åse") == {"Åse Ødegård"}
    assert found(staff_client, "ÅSE ØDEG") == {"Åse Ødegård"}
    assert found(staff_client, "Ødegård") == {"Åse Ødegård"}
    assert found(staff_client, "zoë") == {"Zoë Smith 2nd"}
    assert found(staff_client, "odegard") == set()
    # A combining accent (decomposed é) belongs to its word.
    ContactFactory(full_name="Rene\u0301 Decomposed")
    assert BusinessContact.objects.filter(pk__in=_search("rene\u0301")).count() == 1


def test_punctuation_separates_words(staff_client, people):
    assert found(staff_client, "luc") == {"Jean-Luc O'Brien"}
    assert found(staff_client, "jean-luc") == {"Jean-Luc O'Brien"}
    assert found(staff_client, "o'brien") == {"Jean-Luc O'Brien"}
    assert found(staff_client, "brien") == {"Jean-Luc O'Brien"}
    assert found(staff_client, "ola@contoso") == {"Ola Berg"}
    assert found(staff_client, "ola@contoso.example") == {"Ola Berg"}
    assert found(staff_client, "smith & co") == {"Jean-Luc O'Brien"}
    # Nothing but punctuation narrows nothing.
    assert found(staff_client, "& -") == set(NAMES)


@pytest.mark.parametrize("query, expected", [
    ('"', set(NAMES)),
    ('quote" OR "x', set()),                   # OR is a word here, not an operator
    ("ola OR ingrid", set()),
    ("ola AND NOT berg", set()),
    ("ingrid NOT kowal", set()),
    ("full_name:ola", set()),                  # no column filter
    ("{full_name}:ola", set()),
    ("NEAR(ola berg)", set()),
    ("ola*", {"Ola Berg"}),
    ("^ola", {"Ola Berg"}),
    ("-berg", {"Ola Berg"}),
    ("ola & !berg", {"Ola Berg"}),             # PostgreSQL tsquery operators are punctuation too
    ("ola:*b | x", set()),
    ("ola <-> berg", {"Ola Berg"}),
    ("'ola' \\", {"Ola Berg"}),
    ("%_ol%", {"Ola Berg"}),
    ("ola))((", {"Ola Berg"}),
    ("ø" * 3000, set()),                       # longer than any field (PostgreSQL's tsquery word limit)
])
def test_search_syntax_of_either_database_is_plain_text(staff_client, people, query, expected):
    assert found(staff_client, query) == expected


def test_at_most_eight_words_count():
    assert search_words("a b c d e f g h i j") == list("abcdefgh")
    assert len(search_words(" ".join(["x"] * 20))) == MAX_WORDS
    assert search_words("y" * 500) == ["y" * MAX_WORD_LENGTH]
    assert search_words("Jean-Luc O'Brien, ola@acme.no ½ x_y") == ["Jean", "Luc", "O", "Brien", "ola", "acme", "no",
                                                                      "x"]


def test_accounts_still_search_substrings_of_name_phone_and_number(staff_client):
    AccountFactory(name="Northwind Traders", business_phone="+47 22 33 44 55", account_number="NW-0042")
    AccountFactory(name="Contoso", email="post@contoso.example")
    url = reverse("crm:account_list")
    for query in ("wind", "33 44", "0042", "contoso.ex"):
        body = staff_client.get(url, {"q": query}).content.decode()
        assert ("Northwind Traders" in body) != ("Contoso" in body), query


def _search(text: str):
    return _search_queryset(text).values("pk")


def _names(text: str) -> set[str]:
    return set(BusinessContact.objects.filter(pk__in=_search(text)).values_list("full_name", flat=True))


def test_index_follows_raw_sql_inserts_updates_and_deletes(people):
    """Writes that bypass the ORM (raw SQL, bulk_create, update()) keep the index right."""
    table = BusinessContact._meta.db_table
    columns = [f.column for f in BusinessContact._meta.concrete_fields if not f.primary_key]
    copied = ", ".join("%s" if c == "full_name" else connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({', '.join(connection.ops.quote_name(c) for c in columns)}) "
                       f"SELECT {copied} FROM {table} WHERE id = %s", ["Quentin Rawinsert", people[-1].pk])
    assert _names("rawins") == {"Quentin Rawinsert"}
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET company_name = %s WHERE full_name = %s", ["Xylophone AS", "Ingrid Kowalczyk"])
    assert _names("xylo") == {"Ingrid Kowalczyk"} and _names("northw") == set()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE full_name = %s", ["Quentin Rawinsert"])
    assert _names("rawins") == set()
    BusinessContact.objects.bulk_create([BusinessContact(full_name="Bulky Created", email="bulk@yonder.example")])
    assert _names("yonder") == {"Bulky Created"}
    BusinessContact.objects.filter(full_name="Bulky Created").update(email="bulk@elsewhere.example")
    assert _names("yonder") == set() and _names("elsewh") == {"Bulky Created"}
    BusinessContact.objects.filter(full_name="Bulky Created").delete()
    assert _names("elsewh") == set()
    # Columns outside the index do not disturb it.
    BusinessContact.objects.filter(full_name="Ola Berg").update(job_title="Buyer")
    assert _names("ola berg") == {"Ola Berg"}


def test_a_search_page_runs_a_fixed_number_of_queries(staff_client, people, django_assert_max_num_queries):
    url = reverse(CONTACTS)
    with django_assert_max_num_queries(15) as few:
        staff_client.get(url, {"q": "acme"})
    ContactFactory.create_batch(30, company_name="Acme")
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = staff_client.get(url, {"q": "acme"}).content.decode()
    assert "32 records" in body


@pytest.mark.parametrize("is_lead", [False, True])
def test_a_search_can_use_the_word_index(people, is_lead):
    """The query matches the index: SQLite's FTS5 table, PostgreSQL's partial
    GIN index of the list's part of the table (a plan check: a mismatch would
    still give right answers, by reading the whole table)."""
    BusinessContact.objects.bulk_create(BusinessContact(full_name=f"Person {n}", is_lead=n % 2 == 0)
                                        for n in range(2000))
    queryset = _search_queryset("hansen").filter(is_lead=is_lead).values("pk")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE crm_businesscontact")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert f"crm_businesscontact_words_{2 if is_lead else 1}" in plan, plan
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            assert "crm_businesscontact_words VIRTUAL TABLE" in plan, plan


def _search_queryset(text: str):
    from crm.models.contacts import CONTACT_SEARCH_INDEX

    return CONTACT_SEARCH_INDEX.filter(BusinessContact.objects.all(), search_words(text))
