"""Deleted items: a delete keeps the record (with its history, links, rows,
categories, criteria and files) in a tombstone; the owner or the record's
assignee restores it within CRM_DELETED_ITEMS_DAYS; a purge then removes it
and its files for good."""
import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from crm import services as crm_services
from crm.generic import recycle, services
from crm.models import Account, BusinessContact, ChangeLogEntry, CriterionMet, DeletedItem, HistoryItem, HistoryLink
from crm.tests.factories import (AccountFactory, CategoryFactory, ContactFactory, CriterionFactory, HistoryItemFactory,
                                 link)

pytestmark = pytest.mark.django_db

GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"


def media(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def attach(user, *records, name="offer.pdf", content=b"%PDF-1.4 offer") -> HistoryItem:
    item = HistoryItem(kind=HistoryItem.Kind.FILE, subject=f"File {name}", file=SimpleUploadedFile(name, content))
    return crm_services.history_item_create(item=item, user=user, records=records)


def actions(record) -> list[str]:
    return list(services.changelog_for(record).order_by("id").values_list("action", flat=True))


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what waits for the commit (file moves) at the end of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


class TestRoundTrips:
    def test_business_contact_with_history_attachment_categories_criteria_and_photo(self, staff, commit):
        litware = AccountFactory(name="Litware")
        key = CategoryFactory(name="Key")
        anna = ContactFactory(full_name="Anna Hansen", account=litware, assigned_to=staff,
                              photo=SimpleUploadedFile("anna.gif", GIF))
        anna.categories.add(key)
        criterion = CriterionFactory(description="Has a signed budget")
        CriterionMet.objects.create(contact=anna, criterion=criterion)
        note = link(HistoryItemFactory(subject="Only hers"), anna)
        attachment = attach(staff, anna)
        shared = link(HistoryItemFactory(subject="Also Litware's"), anna, litware)
        referred = ContactFactory(full_name="Bo Referred", initiated_by_contact=anna)
        stored = {"created": BusinessContact.objects.get(pk=anna.pk).created, "file": attachment.file.name,
                  "photo": anna.photo.name}
        assert media(stored["file"]).exists() and media(stored["photo"]).exists()

        with commit():
            tombstone = services.record_delete(instance=anna, user=staff, expected_version=1)
        assert not BusinessContact.objects.filter(pk=anna.pk).exists()
        assert not HistoryItem.objects.filter(pk__in=[note.pk, attachment.pk]).exists()
        assert list(shared.links.values_list("object_id", flat=True)) == [litware.pk]
        assert not CriterionMet.objects.exists()
        # The files wait in the trash folder, moved (not copied).
        for name in (stored["file"], stored["photo"]):
            assert not media(name).exists()
            assert media(f"trash/{name}").exists()
        assert (tombstone.record_type, tombstone.text, tombstone.assignee, tombstone.deleted_by) == (
            "contact", "Anna Hansen", staff, staff)
        assert tombstone.details == {"items": 2, "files": 1, "rows": [["criteria met", 1]], "references": 1}

        with commit():
            restored = services.deleted_item_restore(item=tombstone, user=staff)
        anna = BusinessContact.objects.get(pk=anna.pk)
        assert restored.obj == anna and restored.notes == []
        assert (anna.full_name, anna.account, anna.created, anna.version) == ("Anna Hansen", litware, stored["created"], 3)
        assert list(anna.categories.all()) == [key]
        assert list(CriterionMet.objects.filter(contact=anna).values_list("criterion", flat=True)) == [criterion.pk]
        assert set(HistoryLink.objects.filter(object_id=anna.pk, content_type__model="businesscontact")
                   .values_list("item_id", flat=True)) == {note.pk, attachment.pk, shared.pk}
        assert HistoryItem.objects.get(pk=attachment.pk).file.name == stored["file"]
        for name in (stored["file"], stored["photo"]):
            assert media(name).read_bytes() and not media(f"trash/{name}").exists()
        referred.refresh_from_db()
        assert (referred.initiated_by_contact_id, referred.version) == (anna.pk, 3)
        assert services.changelog_for(referred).filter(action="update").first().changes["initiated_by_contact"] == {
            "label": "initiated by business contact", "old": "", "new": "Anna Hansen"}
        assert actions(anna) == ["delete", "restore"]
        restore_entry = services.changelog_for(anna).get(action="restore")
        assert restore_entry.version == 3 and restore_entry.changes["full_name"]["new"] == "Anna Hansen"
        assert not DeletedItem.objects.exists()

    def test_account_puts_its_contacts_account_back(self, owner):
        litware = AccountFactory(name="Litware")
        anna = ContactFactory(full_name="Anna Hansen", account=litware)
        note = link(HistoryItemFactory(subject="Visit"), litware)
        tombstone = services.record_delete(instance=litware, user=owner)
        anna.refresh_from_db()
        assert anna.account is None
        services.deleted_item_restore(item=tombstone, user=owner)
        anna.refresh_from_db()
        assert (anna.account_id, anna.version) == (litware.pk, 3)
        assert HistoryLink.objects.get(item=note).object_id == litware.pk
        assert Account.objects.get(pk=litware.pk).name == "Litware"


class TestRestoreRules:
    def test_owner_and_assignee_may_restore_others_may_not(self, staff, other_staff, owner):
        anna = ContactFactory(assigned_to=staff)
        tombstone = services.record_delete(instance=anna, user=owner)
        assert services.may_restore(tombstone, staff) and services.may_restore(tombstone, owner)
        assert not services.may_restore(tombstone, other_staff)
        with pytest.raises(services.RestoreNotAllowed):
            services.deleted_item_restore(item=tombstone, user=other_staff)
        assert not BusinessContact.objects.exists() and DeletedItem.objects.count() == 1
        services.deleted_item_restore(item=tombstone, user=owner)
        assert BusinessContact.objects.filter(pk=anna.pk).exists()

    def test_an_unassigned_record_is_restored_by_the_owner_only(self, staff, owner):
        tombstone = services.record_delete(instance=ContactFactory(), user=staff)
        assert not services.may_restore(tombstone, staff)
        assert services.may_restore(tombstone, owner)

    def test_a_reference_deleted_since_is_left_empty_and_said_so(self, owner):
        litware = AccountFactory(name="Litware")
        anna = ContactFactory(full_name="Anna Hansen", account=litware)
        tombstone = services.record_delete(instance=anna, user=owner)
        services.record_delete(instance=litware, user=owner)
        restored = services.deleted_item_restore(item=tombstone, user=owner)
        assert restored.obj.account_id is None
        assert restored.notes == ["Its “account” (Litware) was deleted since, so it is empty now."]

    def test_expired_items_cannot_be_restored(self, owner):
        tombstone = services.record_delete(instance=ContactFactory(full_name="Old"), user=owner)
        DeletedItem.objects.filter(pk=tombstone.pk).update(
            deleted_at=timezone.now() - datetime.timedelta(days=settings.CRM_DELETED_ITEMS_DAYS + 1))
        with pytest.raises(services.RestoreRefused) as refused:
            services.deleted_item_restore(item=tombstone, user=owner)
        assert refused.value.message == "“Old” was deleted more than 30 days ago and can no longer be restored."

    def test_a_second_restore_is_refused(self, owner):
        tombstone = services.record_delete(instance=ContactFactory(), user=owner)
        services.deleted_item_restore(item=tombstone, user=owner)
        with pytest.raises(services.RestoreRefused):
            services.deleted_item_restore(item=tombstone, user=owner)

    def test_primary_keys_are_not_reused(self, owner):
        anna = ContactFactory(full_name="Anna Hansen")
        tombstone = services.record_delete(instance=anna, user=owner)
        newcomer = services.record_create(instance=BusinessContact(full_name="Newcomer"), user=owner)
        assert newcomer.pk > anna.pk
        services.deleted_item_restore(item=tombstone, user=owner)
        assert BusinessContact.objects.get(pk=anna.pk).full_name == "Anna Hansen"

    def test_an_item_shared_by_records_deleted_together_comes_back_with_both(self, owner):
        first, second = ContactFactory(full_name="First"), ContactFactory(full_name="Second")
        shared = link(HistoryItemFactory(subject="Joint meeting"), first, second)
        services.records_delete(queryset=BusinessContact.objects.filter(pk__in=[first.pk, second.pk]), user=owner)
        first_bin, second_bin = DeletedItem.objects.get(object_id=first.pk), DeletedItem.objects.get(object_id=second.pk)
        assert (first_bin.details["items"], second_bin.details["items"]) == (1, 0)
        restored = services.deleted_item_restore(item=second_bin, user=owner)
        assert "1 history item it was linked to is not there any more" in restored.notes[0]
        services.deleted_item_restore(item=first_bin, user=owner)
        assert set(HistoryLink.objects.filter(item_id=shared.pk).values_list("object_id", flat=True)) == {
            first.pk, second.pk}


class TestHistoryItems:
    def test_deleted_alone_it_is_restored_onto_its_records_with_its_file(self, staff, commit):
        litware, anna = AccountFactory(name="Litware"), ContactFactory(full_name="Anna Hansen")
        item = attach(staff, litware, anna)
        name = item.file.name
        with commit():
            tombstone = crm_services.history_item_delete(item=item, user=staff, expected_version=1)
        assert not HistoryItem.objects.filter(pk=item.pk).exists()
        assert not media(name).exists() and media(f"trash/{name}").exists()
        assert (tombstone.record_type, tombstone.scope, tombstone.assignee) == ("history", " account contact ", staff)
        assert recycle.item_details(tombstone) == "linked to Litware, Anna Hansen; with its attachment"

        with commit():
            services.deleted_item_restore(item=tombstone, user=staff)
        item = HistoryItem.objects.get(pk=item.pk)
        assert item.file.name == name and media(name).exists() and not media(f"trash/{name}").exists()
        assert {(link.content_type.model, link.object_id) for link in item.links.all()} == {
            ("account", litware.pk), ("businesscontact", anna.pk)}
        for record in (litware, anna):
            assert [e.changes["history"] for e in services.changelog_for(record).order_by("id")] == [
                {"label": "history item deleted", "old": "File offer.pdf", "new": ""},
                {"label": "history item restored", "old": "", "new": "File offer.pdf"}]

    def test_it_is_refused_when_its_records_are_gone(self, owner):
        anna = ContactFactory()
        item = link(HistoryItemFactory(subject="Lonely"), anna, AccountFactory())
        tombstone = crm_services.history_item_delete(item=item, user=owner)
        services.records_delete(queryset=Account.objects.all(), user=owner)
        services.deleted_item_restore(item=tombstone, user=owner)  # one record is left: restored there
        assert list(HistoryItem.objects.get(pk=item.pk).links.values_list("object_id", flat=True)) == [anna.pk]
        tombstone = crm_services.history_item_delete(item=HistoryItem.objects.get(pk=item.pk), user=owner)
        services.record_delete(instance=anna, user=owner)
        with pytest.raises(services.RestoreRefused) as refused:
            services.deleted_item_restore(item=tombstone, user=owner)
        assert "the records it was linked to were deleted since" in refused.value.message
        assert not HistoryItem.objects.filter(pk=item.pk).exists()


class TestPurge:
    def test_after_the_kept_days_rows_and_files_go_for_good(self, owner, commit):
        old_contact, recent_contact = ContactFactory(full_name="Old"), ContactFactory(full_name="Recent")
        old_file = attach(owner, old_contact).file.name
        recent_file = attach(owner, recent_contact, name="recent.pdf").file.name
        with commit():
            old = services.record_delete(instance=old_contact, user=owner)
            services.record_delete(instance=recent_contact, user=owner)
        DeletedItem.objects.filter(pk=old.pk).update(
            deleted_at=timezone.now() - datetime.timedelta(days=settings.CRM_DELETED_ITEMS_DAYS, minutes=1))
        assert media(f"trash/{old_file}").exists()
        with commit():
            call_command("purge_deleted", verbosity=0)
        assert list(DeletedItem.objects.values_list("text", flat=True)) == ["Recent"]
        assert not media(f"trash/{old_file}").exists() and not media(old_file).exists()
        assert media(f"trash/{recent_file}").exists()

    def test_the_number_of_days_is_a_setting(self, owner, settings):
        settings.CRM_DELETED_ITEMS_DAYS = 2
        tombstone = services.record_delete(instance=ContactFactory(), user=owner)
        DeletedItem.objects.filter(pk=tombstone.pk).update(deleted_at=timezone.now() - datetime.timedelta(days=3))
        assert services.deleted_items_purge() == 1


def test_the_delete_entry_and_the_restore_entry_are_in_the_change_log(owner):
    anna = ContactFactory(full_name="Anna Hansen")
    tombstone = services.record_delete(instance=anna, user=owner)
    services.deleted_item_restore(item=tombstone, user=owner)
    entries = list(ChangeLogEntry.objects.filter(object_id=anna.pk).order_by("id"))
    assert [(e.action, e.version, e.get_action_display()) for e in entries] == [
        ("delete", 2, "Deleted"), ("restore", 3, "Restored")]
