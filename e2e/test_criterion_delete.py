"""Browser test: deleting a lead scoring criterion (Customize ▸ Lead scoring
criteria) asks for confirmation first, saying who is re-scored."""
import re

import pytest
from playwright.sync_api import Page, expect

from crm.models import CriterionMet, ScoringCriterion
from crm.tests.factories import CriterionFactory
from leads.tests.factories import LeadFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_deleting_a_criterion_is_confirmed_first(page: Page, live_server, owner, sign_in):
    page.set_default_timeout(5_000)
    sign_in(page, owner)
    # Our own two criteria (whether the shipped ones are still there depends on the tests before).
    ScoringCriterion.objects.all().delete()
    champion = CriterionFactory(description="Has a champion", weight=ScoringCriterion.Weight.HIGH, position=1)
    CriterionFactory(description="Is a decision maker", position=2)
    lead = LeadFactory(full_name="Nora Lead")
    CriterionMet.objects.create(contact=lead, criterion=champion)
    LeadFactory(full_name="Ola Lead")

    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation").get_by_role("link", name="Customize").click()
    page.get_by_role("link", name="Lead scoring criteria").click()
    expect(page.get_by_role("heading", name="Lead scoring criteria", level=1)).to_be_visible()

    page.get_by_role("link", name="Delete Has a champion").click()
    expect(page.get_by_role("heading", name="Delete the criterion “Has a champion”?", level=1)).to_be_visible()
    expect(page.get_by_text("2 leads will be re-scored.")).to_be_visible()
    expect(page.get_by_text("It is ticked on 1 lead or business contact; the tick goes with it.")).to_be_visible()
    # Cancel goes back and keeps it.
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_label("Description").first).to_have_value("Has a champion")
    assert ScoringCriterion.objects.filter(pk=champion.pk).exists()

    page.get_by_role("link", name="Delete Has a champion").click()
    page.get_by_role("button", name="Delete the criterion").click()
    expect(page).to_have_url(re.compile(r"/customize/lead-scoring/$"))
    expect(page.get_by_role("alert").filter(has_text="“Has a champion” was deleted; scores were recalculated.")).to_be_visible()
    expect(page.get_by_role("link", name="Delete Has a champion")).to_have_count(0)
    expect(page.get_by_role("link", name="Delete Is a decision maker")).to_be_visible()
    assert not ScoringCriterion.objects.filter(pk=champion.pk).exists()
