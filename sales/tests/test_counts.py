"""Opportunity list counts are cached like the others and follow every write,
including set-based ones (deleting a stage moves its opportunities).
These tests commit: inside a transaction counts are never cached."""
import pytest

from crm.tests.test_counts import count_queries, shown_count
from sales import services
from sales.models import SalesStage
from sales.tests.factories import OpportunityFactory, StageFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_opportunity_counts_are_cached_and_follow_a_stage_delete(staff_client, staff):
    # Committed tests may or may not find the shipped stages (a flush removes them).
    proposal, negotiation = StageFactory(name="Counted A"), StageFactory(name="Counted B")
    SalesStage.objects.get_or_create(kind="won", defaults={"name": "Closed Won", "position": 1000})
    SalesStage.objects.exclude(pk__in=[proposal.pk, negotiation.pk]).filter(kind="open").delete()
    OpportunityFactory.create_batch(2, stage=proposal)
    OpportunityFactory(stage=negotiation)
    url = "/opportunities/"
    assert shown_count(staff_client, url, stage=negotiation.pk) == 1
    assert shown_count(staff_client, url, status="open") == 3
    assert count_queries(staff_client, url, stage=negotiation.pk) == 0
    assert count_queries(staff_client, url, status="open") == 0  # the stage table is tracked too
    services.stage_delete(stage=proposal, replacement=negotiation, user=staff)
    assert shown_count(staff_client, url, stage=negotiation.pk) == 3
    first = negotiation.opportunities.first()
    services.opportunities_close(queryset=negotiation.opportunities.filter(pk=first.pk), user=staff,
                                 stage=SalesStage.objects.get(kind="won"))
    assert shown_count(staff_client, url, status="open") == 2
