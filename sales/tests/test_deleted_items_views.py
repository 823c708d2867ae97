"""Deleted items and delete confirmations where opportunities are concerned:
a restore the opportunity's rules refuse says why; a closed opportunity is named
where it keeps a record from being deleted, and cannot be deleted itself."""
import pytest
from django.urls import reverse

from crm.models import Account
from crm.tests.factories import AccountFactory
from crm.tests.test_deleted_items_views import bin_url, deleted, text
from sales.models import Opportunity
from sales.tests.factories import create_won_opportunity

pytestmark = pytest.mark.django_db


class TestRestoreView:
    def test_a_refused_restore_says_why(self, owner_client, owner):
        litware = AccountFactory(name="Litware")
        [tombstone] = deleted(owner, Opportunity.objects.create(title="Deal", account=litware))
        deleted(owner, litware)
        response = owner_client.post(reverse("crm:deleted_item_restore", args=[tombstone.pk]),
                                     {"next": bin_url("sales")}, follow=True)
        assert response.redirect_chain[-1][0] == bin_url("sales")
        assert "“Deal” cannot be restored: Link the opportunity to one account or one business contact." in text(response)
        assert not Opportunity.objects.exists()


class TestDeleteConfirmations:
    def test_a_closed_opportunity_referring_to_it_is_named_and_no_delete_button(self, staff_client):
        litware = AccountFactory(name="Litware")
        create_won_opportunity(title="Won deal", initiated_by_account=litware)
        page = text(staff_client.get(reverse("crm:account_delete", args=[litware.pk])))
        assert "It cannot be deleted now:" in page
        assert "opportunity: Won deal (initiated by account)" in page
        assert "Yes, delete" not in page
        response = staff_client.post(reverse("crm:account_delete", args=[litware.pk]), follow=True)
        assert "read-only records refer to it (opportunity: Won deal (initiated by account))" in text(response)
        assert Account.objects.filter(pk=litware.pk).exists()


def test_the_confirmation_of_a_closed_opportunity_says_it_is_read_only(staff_client):
    won = create_won_opportunity(title="Won deal")
    page = text(staff_client.get(reverse("sales:opportunity_delete", args=[won.pk])))
    assert "“Won deal” is closed (Closed Won) and cannot be changed. Reopen it first." in page
    assert "Yes, delete" not in page
