"""Deleted items of the sales workspace: an opportunity comes back with its
lines and ticked activities; the rules of opportunities hold on a restore."""
from decimal import Decimal

import pytest

from crm.generic import services
from crm.models import BusinessContact, DeletedItem
from crm.tests.factories import AccountFactory, CategoryFactory, ContactFactory
from sales import services as sales_services
from sales.models import ActivityDone, Opportunity, OpportunityLine
from sales.tests.factories import ActivityFactory, ProductFactory, StageFactory, create_won_opportunity

pytestmark = pytest.mark.django_db


class TestRoundTrips:
    def test_opportunity_with_lines_activities_and_categories(self, owner, staff):
        stage = StageFactory(name="Fleet proposal")
        done = ActivityFactory(stage=stage, name="Send offer")
        van = ProductFactory(name="Van", unit_price=Decimal("30000.00"))
        deal = Opportunity(title="Fleet deal", account=AccountFactory(name="Litware"), stage=stage, assigned_to=staff)
        sales_services.opportunity_save(
            instance=deal, user=staff, done_activities=[done.pk], m2m={"categories": [CategoryFactory(name="Key")]},
            lines=[sales_services.LineInput(product=van, description="", quantity=Decimal(2), unit_price=van.unit_price),
                   sales_services.LineInput(product=None, description="Tyres", quantity=Decimal(8),
                                            unit_price=Decimal("149.90"))])
        lines = list(OpportunityLine.objects.filter(opportunity=deal).order_by("pk").values())
        total = Opportunity.objects.get(pk=deal.pk).total
        tombstone = services.record_delete(instance=deal, user=staff)
        assert not OpportunityLine.objects.exists() and not ActivityDone.objects.exists()
        assert tombstone.details["rows"] == [["products and services", 2], ["sales activities done", 1]]

        services.deleted_item_restore(item=tombstone, user=owner)
        deal = Opportunity.objects.get(pk=deal.pk)
        assert (deal.total, deal.stage, deal.version) == (total, stage, 3)
        assert [c.name for c in deal.categories.all()] == ["Key"]
        assert list(OpportunityLine.objects.filter(opportunity=deal).order_by("pk").values()) == lines
        assert list(deal.activities_done.values_list("activity_id", flat=True)) == [done.pk]


class TestRestoreRules:
    def test_a_restore_the_rules_refuse_now_says_why_and_writes_nothing(self, owner):
        litware = AccountFactory(name="Litware")
        deal = Opportunity.objects.create(title="Deal", account=litware)
        tombstone = services.record_delete(instance=deal, user=owner)
        services.record_delete(instance=litware, user=owner)
        with pytest.raises(services.RestoreRefused) as refused:
            services.deleted_item_restore(item=tombstone, user=owner)
        assert "“Deal” cannot be restored" in refused.value.message
        assert "Link the opportunity to one account or one business contact." in refused.value.message
        assert "(Litware) was deleted since" in refused.value.message
        assert not Opportunity.objects.exists() and DeletedItem.objects.filter(pk=tombstone.pk).exists()

    def test_a_line_whose_product_was_deleted_keeps_its_name(self, owner):
        van = ProductFactory(name="Van")
        deal = Opportunity(title="Deal", account=AccountFactory())
        sales_services.opportunity_save(instance=deal, user=owner, lines=[sales_services.LineInput(
            product=van, description="", quantity=Decimal(1), unit_price=Decimal(10))])
        tombstone = services.record_delete(instance=deal, user=owner)
        sales_services.product_delete(product=van)
        services.deleted_item_restore(item=tombstone, user=owner)
        line = OpportunityLine.objects.get(opportunity_id=deal.pk)
        assert (line.product_id, line.description) == (None, "Van")

    def test_a_reference_is_put_back_only_where_still_empty_and_never_on_a_closed_record(self, owner):
        anna = ContactFactory(full_name="Anna Hansen")
        open_deal = Opportunity.objects.create(title="Open", account=AccountFactory(), initiated_by_contact=anna)
        closing = Opportunity.objects.create(title="Closing", account=AccountFactory(), initiated_by_contact=anna)
        other = ContactFactory(full_name="Other", initiated_by_contact=anna)
        tombstone = services.record_delete(instance=anna, user=owner)
        sales_services.opportunities_close(queryset=Opportunity.objects.filter(pk=closing.pk), user=owner,
                                           stage=create_won_opportunity().stage)
        other.initiated_by_contact = ContactFactory(full_name="Someone else")
        services.record_update(instance=other, user=owner)
        restored = services.deleted_item_restore(item=tombstone, user=owner)
        assert Opportunity.objects.get(pk=open_deal.pk).initiated_by_contact_id == anna.pk
        closed = Opportunity.objects.get(pk=closing.pk)
        assert closed.initiated_by_contact_id is None and closed.version == 3  # cleared, closed; not reopened
        assert BusinessContact.objects.get(pk=other.pk).initiated_by_contact.full_name == "Someone else"
        assert restored.notes == ["1 read-only record that referred to it was left as it is."]
