"""Every change to a record, by any path, bumps its version and writes a
change-log entry: deleting a record clears the references other records hold
to it through the record services, and is refused while a read-only record
(a closed opportunity) refers to it."""
import pytest

from crm import services as crm_services
from crm.generic import services
from crm.models import Account, BusinessContact, ChangeLogEntry, ListValue
from crm.tests.factories import AccountFactory, ContactFactory, HistoryItemFactory, ListValueFactory, link
from sales.models import Opportunity
from sales.tests.factories import OpportunityFactory, create_won_opportunity

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


def test_records_deleted_together_are_not_logged_as_changed(staff):
    anna = ContactFactory(full_name="Anna Hansen")
    referred = ContactFactory(full_name="Bo Referred", initiated_by_contact=anna)
    services.records_delete(queryset=BusinessContact.objects.filter(pk__in=[anna.pk, referred.pk]), user=staff)
    assert not BusinessContact.objects.exists()
    assert not ChangeLogEntry.objects.filter(action="update").exists()


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
