"""The leads list's count is cached under the database's data version
(crm.generic.counts) and follows every write, whichever path made it.

These tests commit (``transaction=True``): inside a transaction counts are never cached."""
import pytest
from django.db import connection

from crm.models import BusinessContact
from crm.tests.factories import ContactFactory
from crm.tests.test_counts import shown_count
from leads.tests.test_import import confirm, csv_bytes, upload

pytestmark = pytest.mark.django_db(transaction=True)


def test_import_changes_the_leads_count(staff_client):
    assert shown_count(staff_client, "/leads/") == 0
    response = upload(staff_client, "leads.csv", csv_bytes([
        ["Full Name", "E-mail Address"], ["Anna Hansen", "anna@example.com"], ["Jean Dubois", "jean@example.fr"]]))
    confirm(staff_client, response)
    assert shown_count(staff_client, "/leads/") == 2


def test_a_write_that_bypasses_the_app_is_seen_too(staff_client):
    """Another process, a script or the SQL shell: the database bumps the version itself."""
    ContactFactory.create_batch(2)
    assert shown_count(staff_client, "/contacts/") == 2
    with connection.cursor() as cursor:
        cursor.execute("UPDATE crm_businesscontact SET is_lead = %s WHERE id = %s",
                       [True, BusinessContact.objects.order_by("pk").values_list("pk", flat=True)[0]])
    assert shown_count(staff_client, "/contacts/") == 1
    assert shown_count(staff_client, "/leads/") == 1
