import pytest

from marketing.tests.factories import campaign_with_results


@pytest.fixture
def campaign(staff):
    """A marketing activity with leads and opportunities whose figures were
    worked out by hand (``campaign_with_results``)."""
    return campaign_with_results(staff)
