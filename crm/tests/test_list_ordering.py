"""The id query of a searched list on PostgreSQL sorts by ``COALESCE(x, x)`` so
no index matches (crm.generic.views.lists.unindexed_ordering): the order must not change."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.generic.views.lists import list_ordering, unindexed_ordering
from crm.models import BusinessContact
from crm.tests.factories import ContactFactory


@pytest.mark.parametrize("sort", [["file_as"], ["-company_name"], ["created"], ["-assigned_to_id"], ["-pk"]])
def test_unindexed_ordering_keeps_the_order(db, staff, other_staff, sort):
    for i, (name, company) in enumerate([("b", "Acme"), ("A", None), ("c", "acme"), ("a", ""), ("B", "Zeta")]):
        ContactFactory(full_name=name, file_as=name, company_name=company or "",
                       assigned_to=[staff, other_staff, None][i % 3])
    ordering = list_ordering(BusinessContact, sort)
    queryset = BusinessContact.objects.all()
    assert list(queryset.order_by(*unindexed_ordering(ordering)).values_list("pk", flat=True)) == \
           list(queryset.order_by(*ordering).values_list("pk", flat=True))


def test_a_searched_list_sorts_its_matches_not_the_sort_index(staff_client):
    ContactFactory.create_batch(3, company_name="Findme")
    with CaptureQueriesContext(connection) as ctx:
        staff_client.get("/contacts/", {"q": "Findme"})
    page_query = next(q["sql"] for q in ctx.captured_queries if "LIMIT" in q["sql"] and "ORDER BY" in q["sql"])
    assert ("ORDER BY COALESCE(" in page_query) == (connection.vendor == "postgresql")
    with CaptureQueriesContext(connection) as ctx:
        staff_client.get("/contacts/")
    assert not any("COALESCE(" in q["sql"] for q in ctx.captured_queries
                   if "crm_reminderstate" not in q["sql"])   # the navigation bar's reminder count is not the list


def test_a_searched_list_on_postgresql_reads_ids_and_rows_in_one_query(staff_client):
    """The page's ids are a subquery of the rows' query, not a query of their
    own (SQLite keeps two queries); pages stay right."""
    for n in range(60):
        ContactFactory(full_name=f"Person {n:02d}", file_as=f"Person {59 - n:02d}", company_name="Findme")
    ContactFactory(full_name="Other Person", company_name="Elsewhere")
    with CaptureQueriesContext(connection) as ctx:
        body = staff_client.get("/contacts/", {"q": "findme", "page": "2"}).content.decode()
    reads = [q["sql"] for q in ctx.captured_queries
             if 'FROM "crm_businesscontact" ' in q["sql"] + " " and "COUNT(*)" not in q["sql"]]
    assert len(reads) == (1 if connection.vendor == "postgresql" else 2)
    shown = [n for n in range(60) if f">Person {n:02d}<" in body]
    assert shown == list(range(10)) and "60 records" in body   # file_as 59..50: the last ten in the order
