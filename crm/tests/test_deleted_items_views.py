"""The Deleted items page of each workspace, its Restore button, and the delete
confirmations that say what goes with a record."""
import re
from html import unescape

import pytest
from django.urls import reverse

from crm import services as crm_services
from crm.generic import services
from crm.models import BusinessContact, DeletedItem, HistoryItem
from crm.tests.factories import AccountFactory, ContactFactory, HistoryItemFactory, UserFactory, link

pytestmark = pytest.mark.django_db


def bin_url(workspace: str) -> str:
    return reverse("crm:deleted_items", kwargs={"workspace": workspace})


def text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def deleted(owner, *records):
    return [services.record_delete(instance=record, user=owner) for record in records]


class TestDeletedItemsPage:

    def test_it_says_who_deleted_what_went_with_it_and_until_when(self, staff_client, owner):
        anna = ContactFactory(full_name="Anna Hansen")
        link(HistoryItemFactory(subject="Note"), anna)
        link(HistoryItemFactory(subject="Another"), anna)
        deleted(owner, anna)
        page = text(staff_client.get(bin_url("contacts")))
        assert "Business Contact Anna Hansen Olivia Owner" in page
        assert "2 history items" in page
        assert "Restorable from Deleted items for 30 days, by the database owner or the record's assignee." in page

    def test_the_navigation_leads_to_it(self, staff_client):
        page = staff_client.get(reverse("crm:contact_list")).content.decode()
        assert f'href="{bin_url("contacts")}"' in page
        page = staff_client.get(bin_url("contacts")).content.decode()
        assert re.search(r'class="nav-link active" href="/deleted-items/contacts/"', page)

    def test_search_type_filter_and_sort(self, staff_client, owner):
        deleted(owner, AccountFactory(name="Zeta AS"), AccountFactory(name="Alpha AS"), ContactFactory(full_name="Mia"))
        page = text(staff_client.get(bin_url("contacts"), {"type": "account", "sort": "name"}))
        assert "2 deleted items" in page and page.index("Alpha AS") < page.index("Zeta AS") and "Mia" not in page
        page = text(staff_client.get(bin_url("contacts"), {"type": "account", "sort": "-name"}))
        assert page.index("Zeta AS") < page.index("Alpha AS")
        page = text(staff_client.get(bin_url("contacts"), {"q": "zet"}))
        assert "1 deleted item" in page and "Zeta AS" in page
        partial = staff_client.get(bin_url("contacts"), {"q": "mia"}, headers={"HX-Request": "true",
                                                                               "HX-Target": "results"})
        assert "<html" not in partial.content.decode() and "Mia" in partial.content.decode()

    def test_only_what_i_can_restore(self, staff_client, staff, owner):
        deleted(owner, ContactFactory(full_name="Mine", assigned_to=staff), ContactFactory(full_name="Not mine"))
        page = text(staff_client.get(bin_url("contacts"), {"mine": "1"}))
        assert "Mine" in page and "Not mine" not in page

    def test_the_restore_button_is_a_post_form_for_the_assignee_only(self, staff_client, staff, owner):
        mine, theirs = deleted(owner, ContactFactory(full_name="Mine", assigned_to=staff),
                               ContactFactory(full_name="Theirs"))
        page = staff_client.get(bin_url("contacts")).content.decode()
        restore = reverse("crm:deleted_item_restore", args=[mine.pk])
        assert re.search(rf'<form method="post" action="{restore}">', page)
        assert 'aria-label="Restore Mine"' in page
        assert reverse("crm:deleted_item_restore", args=[theirs.pk]) not in page
        assert "The owner or its assignee can restore it." in page

    def test_query_count_does_not_grow_with_the_rows(self, staff_client, owner, django_assert_num_queries):
        deleted(owner, *ContactFactory.create_batch(3))
        staff_client.get(bin_url("contacts"))
        # session, user, owner group, count, rows, the navigation bar's reminder count
        with django_assert_num_queries(6):
            staff_client.get(bin_url("contacts"))
        deleted(owner, *ContactFactory.create_batch(30))
        with django_assert_num_queries(6):
            response = staff_client.get(bin_url("contacts"))
        assert "33 deleted items" in text(response)


class TestRestoreView:
    def test_get_changes_nothing(self, owner_client, owner):
        [tombstone] = deleted(owner, ContactFactory(full_name="Anna Hansen"))
        assert owner_client.get(reverse("crm:deleted_item_restore", args=[tombstone.pk])).status_code == 405
        assert not BusinessContact.objects.exists() and DeletedItem.objects.count() == 1

    def test_the_assignee_restores_and_lands_on_the_record(self, staff_client, staff, owner):
        anna = ContactFactory(full_name="Anna Hansen", assigned_to=staff)
        link(HistoryItemFactory(subject="Note"), anna)
        [tombstone] = deleted(owner, anna)
        response = staff_client.post(reverse("crm:deleted_item_restore", args=[tombstone.pk]), follow=True)
        assert response.redirect_chain[-1][0] == reverse("crm:contact_detail", args=[anna.pk])
        assert "“Anna Hansen” was restored." in text(response)
        assert HistoryItem.objects.get(subject="Note").links.get().object_id == anna.pk

    def test_others_get_403_and_nothing_changes(self, client, owner):
        [tombstone] = deleted(owner, ContactFactory(full_name="Anna Hansen", assigned_to=UserFactory(username="carl")))
        client.force_login(UserFactory(username="dora"))
        assert client.post(reverse("crm:deleted_item_restore", args=[tombstone.pk])).status_code == 403
        assert not BusinessContact.objects.exists() and DeletedItem.objects.count() == 1

    def test_what_could_not_come_back_is_said(self, owner_client, owner):
        litware = AccountFactory(name="Litware")
        [tombstone] = deleted(owner, ContactFactory(full_name="Anna Hansen", account=litware))
        deleted(owner, litware)
        response = owner_client.post(reverse("crm:deleted_item_restore", args=[tombstone.pk]), follow=True)
        assert "Its “account” (Litware) was deleted since, so it is empty now." in text(response)

    def test_a_history_item_lands_on_its_page(self, owner_client, owner):
        item = link(HistoryItemFactory(subject="Call"), ContactFactory())
        tombstone = crm_services.history_item_delete(item=item, user=owner)
        response = owner_client.post(reverse("crm:deleted_item_restore", args=[tombstone.pk]))
        assert response.url == reverse("crm:history_detail", args=[item.pk])


class TestDeleteConfirmations:
    def test_it_says_what_goes_with_the_record_and_what_stays(self, staff_client, staff):
        litware = AccountFactory(name="Litware")
        anna = ContactFactory(full_name="Anna Hansen", account=litware)
        link(HistoryItemFactory(subject="Note"), anna)
        HistoryItem.objects.filter(pk=link(HistoryItemFactory(subject="File", kind="file"), anna).pk).update(
            file="attachments/x.pdf")
        link(HistoryItemFactory(subject="Shared"), anna, litware)
        referred = ContactFactory(full_name="Bo Referred", initiated_by_contact=anna)
        page = text(staff_client.get(reverse("crm:contact_delete", args=[anna.pk])))
        assert "Also goes to Deleted items: 2 history items, 1 attachment." in page
        assert "1 history item also linked to Litware stays there." in page
        assert "“Initiated by business contact” is cleared on Bo Referred" in page
        assert "Restorable from Deleted items for 30 days" in page
        assert "Yes, delete" in page
        referred.refresh_from_db()
        assert referred.initiated_by_contact_id == anna.pk  # a GET changes nothing

    def test_the_bulk_delete_confirmation_says_the_totals(self, staff_client):
        first, second = ContactFactory(), ContactFactory()
        for contact in (first, second):
            link(HistoryItemFactory(), contact)
            link(HistoryItemFactory(), contact)
        page = text(staff_client.post(reverse("crm:contact_bulk", args=["delete"]), {"pk": [first.pk, second.pk]}))
        assert "Also goes to Deleted items: 4 history items." in page
        assert "Restorable from Deleted items for 30 days" in page
        assert BusinessContact.objects.count() == 2

    def test_the_history_item_confirmation_names_its_records(self, staff_client):
        item = link(HistoryItemFactory(subject="Call"), AccountFactory(name="Litware"), ContactFactory(full_name="Anna"))
        page = text(staff_client.get(reverse("crm:history_delete", args=[item.pk])))
        assert "It leaves the history of Litware, Anna (each gets a change-log entry)." in page
        assert "Restorable from Deleted items for 30 days" in page

    def test_deleting_from_the_page_sends_it_to_deleted_items(self, staff_client, staff):
        anna = ContactFactory(full_name="Anna Hansen", assigned_to=staff)
        response = staff_client.post(reverse("crm:contact_delete", args=[anna.pk]), {"version": "1"}, follow=True)
        assert "“Anna Hansen” was deleted; it can be restored from Deleted items." in text(response)
        assert DeletedItem.objects.get().text == "Anna Hansen"


class TestAdmin:
    def test_the_owner_reads_and_restores_deleted_items_in_the_admin(self, admin_client, owner):
        from django.contrib.admin import helpers

        [tombstone] = deleted(owner, ContactFactory(full_name="Anna Hansen"))
        listing = admin_client.get(reverse("admin:crm_deleteditem_changelist"))
        assert listing.status_code == 200 and "Anna Hansen" in listing.content.decode()
        assert admin_client.get(reverse("admin:crm_deleteditem_change", args=[tombstone.pk])).status_code == 200
        assert admin_client.get(reverse("admin:crm_deleteditem_delete", args=[tombstone.pk])).status_code == 403
        response = admin_client.post(reverse("admin:crm_deleteditem_changelist"), {
            "action": "restore_selected", helpers.ACTION_CHECKBOX_NAME: [tombstone.pk]}, follow=True)
        assert "1 item restored." in text(response)
        assert BusinessContact.objects.get().full_name == "Anna Hansen" and not DeletedItem.objects.exists()

    def test_staff_get_403(self, staff_client):
        assert staff_client.get(reverse("admin:crm_deleteditem_changelist")).status_code == 403


def test_a_user_deleted_since_is_said_without_a_name(owner):
    from crm.tests.factories import UserFactory

    creator = UserFactory(username="gone")
    anna = services.record_create(instance=BusinessContact(full_name="Anna Hansen"), user=creator)
    tombstone = services.record_delete(instance=anna, user=owner)
    creator.delete()
    restored = services.deleted_item_restore(item=tombstone, user=owner)
    assert restored.notes == ["Its “created by” was deleted since, so it is empty now."]
