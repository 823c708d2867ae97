"""Deleting a record clears the references opportunities hold to it through the
record services (a version and a change-log entry each), and is refused while a
closed, read-only opportunity refers to it; the owner's list value and category
deletes reach closed opportunities too."""
import pytest

from crm import services as crm_services
from crm.generic import services
from crm.models import Account, BusinessContact, ChangeLogEntry, ListValue
from crm.tests.factories import AccountFactory, ContactFactory, ListValueFactory
from crm.tests.test_delete_references import entries
from sales.models import Opportunity
from sales.tests.factories import OpportunityFactory, create_won_opportunity

pytestmark = pytest.mark.django_db


def test_deleting_an_account_clears_initiated_by_on_contacts_and_opportunities(staff):
    litware = AccountFactory(name="Litware")
    lead = ContactFactory(full_name="Lena Lead", is_lead=True, initiated_by_account=litware)
    deal = OpportunityFactory(title="Deal", initiated_by_account=litware)
    services.records_delete(queryset=Account.objects.filter(pk=litware.pk), user=staff)
    lead.refresh_from_db()
    deal.refresh_from_db()
    assert (lead.initiated_by_account_id, lead.version) == (None, 2)
    assert (deal.initiated_by_account_id, deal.version) == (None, 2)
    assert entries(deal)[0].changes["initiated_by_account"] == {
        "label": "initiated by account", "old": "Litware", "new": ""}
    assert entries(lead)[0].changes["initiated_by_account"]["old"] == "Litware"


def test_deleting_a_contact_clears_initiated_by_contact_elsewhere(staff):
    anna = ContactFactory(full_name="Anna Hansen")
    referred = ContactFactory(full_name="Bo Referred", initiated_by_contact=anna)
    deal = OpportunityFactory(title="Deal", initiated_by_contact=anna)
    services.record_delete(instance=anna, user=staff)
    referred.refresh_from_db()
    deal.refresh_from_db()
    assert referred.initiated_by_contact_id is None and referred.version == 2
    assert deal.initiated_by_contact_id is None and deal.version == 2
    assert entries(referred)[0].changes["initiated_by_contact"]["old"] == "Anna Hansen"


def test_a_closed_opportunity_initiated_by_the_account_refuses_the_delete(staff):
    litware = AccountFactory(name="Litware")
    won = create_won_opportunity(title="Won deal", initiated_by_account=litware)
    with pytest.raises(services.DomainError) as refused:
        services.record_delete(instance=litware, user=staff)
    assert "Won deal" in refused.value.message
    assert "read-only" in refused.value.message
    assert Account.objects.filter(pk=litware.pk).exists()
    won.refresh_from_db()
    assert won.initiated_by_account_id == litware.pk and won.version == 1
    assert not ChangeLogEntry.objects.exists()


def test_a_closed_opportunity_refuses_a_bulk_delete_too_and_nothing_is_written(staff):
    litware, other = AccountFactory(name="Litware"), AccountFactory(name="Other")
    anna = ContactFactory(account=other)
    create_won_opportunity(title="Won deal", account=other, initiated_by_account=litware)
    with pytest.raises(services.DomainError) as refused:
        services.records_delete(queryset=Account.objects.filter(pk__in=[litware.pk]), user=staff)
    assert "Won deal" in refused.value.message
    with pytest.raises(services.DomainError):
        services.records_delete(queryset=Account.objects.all(), user=staff)
    assert Account.objects.count() == 2
    anna.refresh_from_db()
    assert anna.account_id == other.pk and anna.version == 1


def test_deleting_a_list_value_used_by_closed_opportunities_applies_and_logs_the_replacement(owner):
    """The owner's replacement reaches closed opportunities too, each with a new
    version and a change-log entry (the one write path that changes them)."""
    trade_show = ListValueFactory(kind="source", name="Trade show")
    web = ListValueFactory(kind="source", name="Web site")
    won = create_won_opportunity(title="Won deal", source=trade_show)
    changed = crm_services.list_value_delete(value=trade_show, replacement=web, user=owner)
    assert changed == 1
    won = Opportunity.objects.get(pk=won.pk)
    assert won.source == web and won.version == 2 and won.is_closed
    [entry] = entries(won)
    assert entry.changes["source"] == {"label": "source", "old": "Trade show", "new": "Web site"}
    assert not ListValue.objects.filter(pk=trade_show.pk).exists()


def test_deleting_a_category_logs_it_on_every_record_that_carried_it_closed_ones_included(owner):
    from crm.tests.factories import CategoryFactory

    key, other = CategoryFactory(name="Key"), CategoryFactory(name="Partner")
    anna = ContactFactory(full_name="Anna Hansen")
    anna.categories.add(key, other)
    won = create_won_opportunity(title="Won deal")
    won.categories.add(key)
    untouched = AccountFactory()
    untouched.categories.add(other)
    crm_services.category_delete(category=key, user=owner)
    anna = BusinessContact.objects.get(pk=anna.pk)
    assert list(anna.categories.values_list("name", flat=True)) == ["Partner"] and anna.version == 2
    assert entries(anna)[0].changes["categories"] == {"label": "categories", "old": "Key, Partner", "new": "Partner"}
    won = Opportunity.objects.get(pk=won.pk)
    assert won.version == 2 and entries(won)[0].changes["categories"]["old"] == "Key"
    untouched.refresh_from_db()
    assert untouched.version == 1 and not entries(untouched)
