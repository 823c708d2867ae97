"""What the registration in SampleRecordsConfig.ready() gives: the Sales tab,
History with the roll-up into the account, Deleted items of the workspace."""
import pytest
from django.urls import reverse

from crm.generic import services
from crm.models import DeletedItem
from crm.tests.factories import AccountFactory, CategoryFactory, ContactFactory
from sample_records.models import SiteVisit
from sample_records.tests.factories import SiteVisitFactory

pytestmark = pytest.mark.django_db


def test_the_list_is_a_tab_of_the_sales_workspace(staff_client):
    body = staff_client.get(reverse("sales:opportunity_list")).content.decode()
    assert f'href="{reverse("sample_records:site_visit_list")}"' in body and ">Site visits<" in body


def test_a_note_on_a_visit_shows_on_its_history_and_on_its_accounts(staff_client):
    account = AccountFactory(name="Nordic Fjord AS")
    visit = SiteVisitFactory(title="Roof survey", account=account)
    response = staff_client.post(reverse("sample_records:site_visit_history_add", args=[visit.pk, "note"]), {
        "subject": "Ladder needed next time", "occurred_at": "2026-05-04T10:30", "body": "Three storeys."})
    assert response.status_code == 302
    for url in (reverse("sample_records:site_visit_history", args=[visit.pk]),
                reverse("crm:account_history", args=[account.pk])):
        assert "Ladder needed next time" in staff_client.get(url).content.decode(), url
    assert "Ladder needed next time" not in staff_client.get(
        reverse("crm:account_history", args=[AccountFactory().pk])).content.decode()


def test_a_deleted_visit_is_in_the_sales_deleted_items_and_comes_back_whole(owner_client, owner):
    anna = ContactFactory(full_name="Anna Hansen")
    visit = SiteVisitFactory(title="Roof survey", account=None, contact=anna)
    visit.categories.add(CategoryFactory(name="Key customer"))
    services.record_delete(instance=visit, user=owner)
    assert not SiteVisit.objects.exists()
    assert "Roof survey" in owner_client.get(reverse("crm:deleted_items", args=["sales"])).content.decode()
    assert "Roof survey" not in owner_client.get(reverse("crm:deleted_items", args=["contacts"])).content.decode()
    response = owner_client.post(reverse("crm:deleted_item_restore", args=[DeletedItem.objects.get().pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("sample_records:site_visit_detail", args=[visit.pk])
    restored = SiteVisit.objects.get(pk=visit.pk)
    assert (restored.title, restored.contact, [c.name for c in restored.categories.all()]) == (
        "Roof survey", anna, ["Key customer"])


def test_an_account_with_visits_is_not_deleted_and_the_page_says_why(owner_client, owner):
    account = AccountFactory(name="Nordic Fjord AS")
    SiteVisitFactory(title="Roof survey", account=account)
    response = owner_client.post(reverse("crm:account_delete", args=[account.pk]), follow=True)
    assert "This record is still used by site visit: Roof survey, so it cannot be deleted." in (
        response.content.decode())
    assert account.__class__.objects.filter(pk=account.pk).exists()
