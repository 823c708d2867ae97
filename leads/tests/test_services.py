"""Lead conversion."""
import pytest

from crm.models import BusinessContact, ChangeLogEntry, CriterionMet, HistoryItem, ScoringCriterion
from crm.tests.factories import AccountFactory, CategoryFactory, HistoryItemFactory, link
from leads import services
from leads.models import Lead
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def tick(contact, *criteria):
    CriterionMet.objects.bulk_create([CriterionMet(contact=contact, criterion=c) for c in criteria])


class TestConvert:
    def test_keeps_everything_and_logs_it(self, staff):
        account = AccountFactory()
        category = CategoryFactory()
        lead = LeadFactory(account=account, comments="Met at the fair", job_title="Buyer")
        lead.categories.add(category)
        tick(lead, ScoringCriterion.objects.first())
        item = link(HistoryItemFactory(subject="First call"), lead)
        converted = services.lead_convert(lead=lead, user=staff)
        contact = BusinessContact.objects.get(pk=lead.pk)
        assert contact.is_lead is False and converted.pk == lead.pk
        assert (contact.account, contact.comments, contact.job_title) == (account, "Met at the fair", "Buyer")
        assert list(contact.categories.all()) == [category]
        assert contact.criteria_met.count() == 1
        assert item.links.get().object_id == contact.pk
        assert not Lead.objects.filter(pk=lead.pk).exists()
        assert HistoryItem.objects.filter(subject="Converted from a lead to a business contact").exists()
        assert ChangeLogEntry.objects.get(object_id=lead.pk).changes["is_lead"]["new"] == "Business Contact"

    def test_converting_twice_is_refused(self, staff):
        lead = LeadFactory()
        services.lead_convert(lead=lead, user=staff)
        with pytest.raises(services.DomainError, match="is already a business contact"):
            services.lead_convert(lead=lead, user=staff)
        assert HistoryItem.objects.count() == 1

    def test_bulk_convert_is_all_or_nothing(self, staff):
        leads = LeadFactory.create_batch(2)
        services.lead_convert(lead=leads[1], user=staff)
        BusinessContact.objects.filter(pk=leads[1].pk).update(is_lead=True)  # stale selection
        services.lead_convert(lead=leads[1], user=staff)
        count = services.leads_convert(queryset=Lead.objects.all(), user=staff)
        assert count == 1 and not Lead.objects.exists()
