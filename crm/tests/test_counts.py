"""List counts are cached under the database's data version (crm.generic.counts):
the count shown must follow every write, whichever path made it.

These tests commit (``transaction=True``): inside a transaction, as in the
other tests, counts are never cached."""
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from crm.generic import counts
from crm.models import BusinessContact, HistoryItem
from crm.tests.factories import AccountFactory, CategoryFactory, ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)


def shown_count(client, url: str, **params) -> int:
    body = client.get(url, params).content.decode()
    return int(re.search(r'class="record-count text-muted">([\d,]+) record', body).group(1).replace(",", ""))


def count_queries(client, url: str, **params) -> int:
    """The list's count queries (not the navigation bar's count of reminders)."""
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, params)
    return sum('COUNT(*)' in q["sql"] and "crm_reminderstate" not in q["sql"] for q in ctx.captured_queries)


def test_the_count_is_read_once_then_served_until_a_write(staff_client):
    ContactFactory.create_batch(3)
    assert shown_count(staff_client, "/contacts/") == 3
    assert count_queries(staff_client, "/contacts/") == 0
    assert count_queries(staff_client, "/contacts/", sort="-company_name") == 0  # the order is not part of the key
    ContactFactory()
    assert count_queries(staff_client, "/contacts/") == 1
    assert shown_count(staff_client, "/contacts/") == 4


def test_create_and_delete_through_the_pages(staff_client):
    ContactFactory.create_batch(2)
    assert shown_count(staff_client, "/contacts/") == 2
    staff_client.post("/contacts/add/", {"full_name": "Anna Hansen", "_save_close": "1"})
    assert shown_count(staff_client, "/contacts/") == 3
    anna = BusinessContact.objects.get(full_name="Anna Hansen")
    staff_client.post(f"/contacts/{anna.pk}/delete/")
    assert shown_count(staff_client, "/contacts/") == 2


def test_bulk_delete_of_all_matching(staff_client):
    ContactFactory.create_batch(3, company_name="Acme")
    ContactFactory(company_name="Contoso")
    assert shown_count(staff_client, "/contacts/", q="Acme") == 3
    assert shown_count(staff_client, "/contacts/") == 4
    staff_client.post("/contacts/bulk/delete/", {"select_all": "1", "filter_query": "q=Acme", "_apply": "1"})
    assert shown_count(staff_client, "/contacts/", q="Acme") == 0
    assert shown_count(staff_client, "/contacts/") == 1


def test_categorize_changes_the_category_filter_count(staff_client):
    key = CategoryFactory(name="Key customer")
    contacts = ContactFactory.create_batch(3)
    assert shown_count(staff_client, "/contacts/", category=key.pk) == 0
    staff_client.post("/contacts/bulk/categorize/", {"pk": [c.pk for c in contacts[:2]], "add": [key.pk], "_apply": "1"})
    assert shown_count(staff_client, "/contacts/", category=key.pk) == 2


def test_accounts_are_tracked_too(staff_client):
    AccountFactory.create_batch(2)
    assert shown_count(staff_client, "/accounts/") == 2
    AccountFactory()
    assert shown_count(staff_client, "/accounts/") == 3


def test_never_cached_inside_a_transaction():
    ContactFactory()
    queryset = BusinessContact.objects.all()
    assert counts.cached_count(queryset) == 1
    with transaction.atomic():
        ContactFactory()
        with CaptureQueriesContext(connection) as ctx:
            assert counts.cached_count(queryset) == 2
        assert not any("crm_dataversion" in q["sql"] for q in ctx.captured_queries)
        transaction.set_rollback(True)
    # The uncommitted count was not kept under the version other connections see.
    assert counts.cached_count(queryset) == 1


def test_queries_over_untracked_tables_are_not_cached():
    with CaptureQueriesContext(connection) as ctx:
        counts.cached_count(HistoryItem.objects.all())
        counts.cached_count(HistoryItem.objects.all())
    assert sum("COUNT(*)" in q["sql"] for q in ctx.captured_queries) == 2


def test_the_version_changes_on_every_committed_write():
    before = counts.data_version(connection)
    contact = ContactFactory()
    after_insert = counts.data_version(connection)
    contact.categories.add(CategoryFactory())
    after_m2m = counts.data_version(connection)
    assert before != after_insert != after_m2m


def test_filter_choices_come_from_the_cache_until_a_write(staff_client, staff, other_staff):
    """A list page's filter choices (users, sources, categories) and the check of
    the chosen ones are cached under the data version too: after a first
    request the page reads the version once and no choice table."""
    category = CategoryFactory(name="Partner")
    ContactFactory(assigned_to=staff).categories.add(category)
    url = f"/contacts/?assigned_to={staff.pk}&category={category.pk}"
    assert shown_count(staff_client, url) == 1
    with CaptureQueriesContext(connection) as ctx:
        body = staff_client.get(url).content.decode()
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert sum("crm_dataversion" in sql for sql in sqls) == 1
    assert not any('FROM "crm_category"' in sql or 'FROM "crm_listvalue"' in sql for sql in sqls)
    assert sum('FROM "auth_user"' in sql for sql in sqls) == 1     # the signed-in user only
    assert 'for="id_category_0">Partner<' in body and ">Bob Nowak</option>" in body
    category.name = "Reseller"
    category.save()
    body = staff_client.get(url).content.decode()
    assert 'for="id_category_0">Reseller<' in body and "1 record" in body
    other_staff.is_active = False
    other_staff.save()
    assert ">Bob Nowak</option>" not in staff_client.get("/contacts/").content.decode()
    # A choice that is not (or no longer) offered is refused, as before.
    assert "0 records" in staff_client.get(f"/contacts/?assigned_to={other_staff.pk}").content.decode()
    assert "0 records" in staff_client.get("/contacts/?category=999999").content.decode()
    assert "0 records" in staff_client.get("/contacts/?category=x").content.decode()
