"""Record services: change log, conflicts, bulk changes (all or nothing)."""
import pytest
from django.core.exceptions import ValidationError

from crm.generic import services
from crm.models import BusinessContact, ChangeLogEntry
from crm.tests.factories import AccountFactory, CategoryFactory, ContactFactory


@pytest.mark.django_db
class TestRecordServices:
    def test_create_validates_and_logs(self, staff):
        contact = services.record_create(instance=BusinessContact(full_name="Anna Hansen"), user=staff)
        entry = ChangeLogEntry.objects.get(object_id=contact.pk)
        assert entry.action == "create" and entry.user == staff
        assert entry.changes["full_name"]["new"] == "Anna Hansen"

    def test_create_refuses_an_invalid_record_and_writes_nothing(self, staff):
        with pytest.raises(ValidationError):
            services.record_create(instance=BusinessContact(full_name=""), user=staff)
        assert not BusinessContact.objects.exists() and not ChangeLogEntry.objects.exists()

    def test_update_logs_old_and_new_values_including_categories(self, staff):
        contact = ContactFactory(job_title="Buyer")
        category = CategoryFactory(name="Key")
        contact.job_title = "CEO"
        services.record_update(instance=contact, user=staff, expected_version=1, m2m={"categories": [category]})
        entry = ChangeLogEntry.objects.get(object_id=contact.pk, action="update")
        assert entry.changes["job_title"] == {"label": "job title", "old": "Buyer", "new": "CEO"}
        assert entry.changes["categories"]["new"] == "Key"
        assert entry.version == 2

    def test_deleting_a_user_keeps_their_log_entries_with_the_name(self, staff):
        # The log's user reference has no database constraint (set-based changes would
        # pay a key check per entry); Django's own SET_NULL must still apply.
        contact = services.record_create(instance=BusinessContact(full_name="Anna Hansen"), user=staff)
        name = ChangeLogEntry.objects.get(object_id=contact.pk).user_name
        staff.delete()
        entry = ChangeLogEntry.objects.get(object_id=contact.pk)
        assert entry.user_id is None and entry.user_name == name != ""

    def test_stale_update_raises_conflict_with_the_other_changes(self, staff, other_staff):
        contact = ContactFactory(job_title="Buyer")
        first = BusinessContact.objects.get(pk=contact.pk)
        first.job_title = "CEO"
        services.record_update(instance=first, user=other_staff, expected_version=1)
        second = BusinessContact.objects.get(pk=contact.pk)
        second.job_title = "CFO"
        with pytest.raises(services.EditConflict) as conflict:
            services.record_update(instance=second, user=staff, expected_version=1)
        assert [e.user for e in conflict.value.entries] == [other_staff]
        assert conflict.value.entries[0].changes["job_title"]["new"] == "CEO"
        contact.refresh_from_db()
        assert contact.job_title == "CEO"

    def test_bulk_edit_invalid_for_one_record_changes_nothing(self, staff):
        """Mailing address "home" is valid for the contact with a home address only."""
        with_home = ContactFactory(home_city="Oslo", full_name="Has Home")  # factories skip clean(): no mailing address yet
        without_home = ContactFactory(full_name="No Home", business_city="Lyon")
        queryset = BusinessContact.objects.filter(pk__in=[with_home.pk, without_home.pk])
        with pytest.raises(services.BulkValidationError) as error:
            services.records_bulk_update(queryset=queryset, user=staff, field_name="mailing_address", value="home")
        assert error.value.errors == ["No Home: The Home address is empty, so it cannot be the mailing address."]
        with_home.refresh_from_db()
        without_home.refresh_from_db()
        assert with_home.mailing_address == "" and without_home.mailing_address == ""  # as before
        assert not ChangeLogEntry.objects.filter(action="update").exists()

    def test_bulk_assign_logs_each_record(self, staff, other_staff):
        contacts = ContactFactory.create_batch(3, assigned_to=staff)
        count = services.records_assign(queryset=BusinessContact.objects.all(), user=staff, assignee=other_staff)
        assert count == 3
        assert set(BusinessContact.objects.values_list("assigned_to", flat=True)) == {other_staff.pk}
        entries = ChangeLogEntry.objects.filter(action="update")
        assert entries.count() == 3
        assert {e.changes["assigned_to"]["new"] for e in entries} == {"bob"}
        assert all(c.version == 2 for c in BusinessContact.objects.all())
        assert len(contacts) == 3

    def test_categorize_adds_and_removes(self, staff):
        old, new = CategoryFactory(name="Old"), CategoryFactory(name="New")
        contacts = ContactFactory.create_batch(2)
        for contact in contacts:
            contact.categories.add(old)
        services.records_categorize(queryset=BusinessContact.objects.all(), user=staff, add=[new], remove=[old])
        for contact in contacts:
            assert list(contact.categories.values_list("name", flat=True)) == ["New"]

    def test_delete_removes_history_only_linked_to_the_record(self, staff):
        from crm.models import HistoryItem
        from crm.tests.factories import HistoryItemFactory, link

        contact, account = ContactFactory(), AccountFactory()
        only_contact = link(HistoryItemFactory(), contact)
        shared = link(HistoryItemFactory(), contact, account)
        services.record_delete(instance=contact, user=staff)
        assert not HistoryItem.objects.filter(pk=only_contact.pk).exists()
        assert HistoryItem.objects.filter(pk=shared.pk).exists()
        assert shared.links.count() == 1
