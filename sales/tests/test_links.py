"""Opportunities declare their account/contact link with the reusable "linked
to one record" piece (crm.generic.links)."""
from crm.tests.factories import AccountFactory, ContactFactory
from sales.models import Opportunity


def test_opportunities_link_through_it(db):
    """Opportunities declare their account/contact link this way: the filter by
    name, the constraint they always had (same name, no migration) and the rule."""
    assert Opportunity.record_links["linked"].field_names == ("account", "contact")
    assert "opportunity_links_one_record" in [c.name for c in Opportunity._meta.constraints]
    litware, anna = AccountFactory(name="Litware"), ContactFactory(full_name="Anna Hansen")
    from sales.tests.factories import OpportunityFactory

    OpportunityFactory(title="A", account=litware)
    OpportunityFactory(title="B", account=None, contact=anna)
    assert list(Opportunity.objects.filter(Opportunity.linked.name_q("lit")).values_list("title", flat=True)) == ["A"]
    assert list(Opportunity.objects.filter(Opportunity.linked.name_q("hans")).values_list("title", flat=True)) == ["B"]
