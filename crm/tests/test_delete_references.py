"""Every change to a record, by any path, bumps its version and writes a
change-log entry: deleting a record clears the references other records hold
to it through the record services, and is refused while a read-only record
(a closed opportunity) refers to it."""
import pytest

from crm import services as crm_services
from crm.generic import services
from crm.models import BusinessContact, ChangeLogEntry
from crm.tests.factories import AccountFactory, ContactFactory, HistoryItemFactory, link

pytestmark = pytest.mark.django_db


def entries(record, action="update"):
    return list(services.changelog_for(record).filter(action=action).order_by("id"))


def test_deleting_an_account_clears_the_contacts_account_with_a_version_and_a_log_entry(staff):
    litware = AccountFactory(name="Litware")
    anna = ContactFactory(full_name="Anna Hansen", account=litware)
    services.record_delete(instance=litware, user=staff)
    anna.refresh_from_db()
    assert anna.account_id is None
    assert anna.version == 2
    [entry] = entries(anna)
    assert entry.version == 2 and entry.user == staff
    assert entry.changes["account"] == {"label": "account", "old": "Litware", "new": ""}


def test_records_deleted_together_are_not_logged_as_changed(staff):
    anna = ContactFactory(full_name="Anna Hansen")
    referred = ContactFactory(full_name="Bo Referred", initiated_by_contact=anna)
    services.records_delete(queryset=BusinessContact.objects.filter(pk__in=[anna.pk, referred.pk]), user=staff)
    assert not BusinessContact.objects.exists()
    assert not ChangeLogEntry.objects.filter(action="update").exists()


def test_deleting_a_history_item_logs_it_on_each_linked_record(staff):
    litware, anna = AccountFactory(name="Litware"), ContactFactory(full_name="Anna Hansen")
    item = link(HistoryItemFactory(subject="Call about the renewal"), litware, anna)
    crm_services.history_item_delete(item=item, user=staff)
    for record in (litware, anna):
        [entry] = entries(record)
        assert entry.user == staff
        assert entry.changes == {"history": {"label": "history item deleted", "old": "Call about the renewal",
                                             "new": ""}}


def test_the_delete_entry_keeps_the_last_values(staff):
    anna = ContactFactory(full_name="Anna Hansen", job_title="Buyer", account=AccountFactory(name="Litware"))
    services.record_delete(instance=anna, user=staff)
    [entry] = entries(anna, action="delete")
    assert entry.changes["full_name"] == {"label": "full name", "old": "Anna Hansen", "new": ""}
    assert entry.changes["job_title"] == {"label": "job title", "old": "Buyer", "new": ""}
    assert entry.changes["account"] == {"label": "account", "old": "Litware", "new": ""}
    assert "email" not in entry.changes  # empty before, empty after
