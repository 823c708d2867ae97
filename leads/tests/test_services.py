"""Lead conversion."""
import pytest
from django.utils import timezone

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


class TestConvertKeepsTheSource:
    """Converting keeps the day (a marketing activity's tracking page counts
    converted leads by it), and the opportunity created in the same step takes
    the lead's source and Initiated by, whichever type it is."""

    def test_the_conversion_day_is_kept_and_logged(self, staff):
        lead = LeadFactory()
        services.lead_convert(lead=lead, user=staff)
        contact = BusinessContact.objects.get(pk=lead.pk)
        assert contact.converted_on == timezone.localdate()
        entry = ChangeLogEntry.objects.get(object_id=lead.pk)
        assert entry.changes["converted_on"]["old"] == "" and entry.changes["converted_on"]["new"]
        assert entry.version == contact.version == lead.version + 1

    def test_a_lead_never_converted_has_no_conversion_day(self):
        assert LeadFactory().converted_on is None

    @pytest.mark.parametrize("key", ["initiated_by_account", "initiated_by_contact", "initiated_by_activity"])
    def test_the_new_opportunity_takes_the_leads_source_and_initiated_by(self, staff, key):
        from crm.models import ListValue, MarketingActivity
        from crm.tests.factories import ContactFactory

        referrer = {"initiated_by_account": AccountFactory, "initiated_by_contact": ContactFactory,
                    "initiated_by_activity": lambda: MarketingActivity.objects.create(name="Spring fair")}[key]()
        source = ListValue.objects.get(kind="source", name="Event")
        lead = LeadFactory(source=source, **{key: referrer})
        contact = services.lead_convert(lead=lead, user=staff, opportunity_title="Fair deal")
        opportunity = contact.new_opportunity
        opportunity.refresh_from_db()
        assert (opportunity.contact_id, opportunity.source, opportunity.initiated_by) == (lead.pk, source, referrer)
        assert ChangeLogEntry.objects.filter(object_id=opportunity.pk, action="create").exists()

    def test_a_lead_without_a_source_gives_an_opportunity_without_one(self, staff):
        contact = services.lead_convert(lead=LeadFactory(), user=staff, opportunity_title="Deal")
        opportunity = contact.new_opportunity
        assert (opportunity.source, opportunity.initiated_by) == (None, None)

    def test_bulk_convert_keeps_the_day_too(self, staff):
        leads = LeadFactory.create_batch(2)
        services.leads_convert(queryset=Lead.objects.all(), user=staff)
        assert set(BusinessContact.objects.filter(pk__in=[lead.pk for lead in leads])
                   .values_list("converted_on", flat=True)) == {timezone.localdate()}
