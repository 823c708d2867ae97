"""Deleting a lead scoring criterion is confirmed on its own page, which says
what happens; only the POST deletes and re-scores."""
import pytest
from django.urls import reverse

from crm.models import BusinessContact, CriterionMet, ScoringCriterion
from crm.tests.factories import ContactFactory
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def budget() -> ScoringCriterion:
    return ScoringCriterion.objects.get(description="Has a budget")


def delete_url(criterion) -> str:
    return reverse("crm:criterion_delete", args=[criterion.pk])


@pytest.fixture
def scored():
    """Two automatic leads (one with "Has a budget" ticked), a manual lead and an automatic business contact."""
    ticked, other = LeadFactory(), LeadFactory()
    manual = LeadFactory(score_type="manual", manual_score=4, score=4)
    contact = ContactFactory()
    CriterionMet.objects.create(contact=ticked, criterion=budget())
    BusinessContact.objects.filter(pk=ticked.pk).update(auto_score=2, score=2)   # 5 × 3/10, rounded
    return ticked, other, manual, contact


def test_the_criteria_page_links_each_delete_to_its_confirmation(owner_client):
    body = owner_client.get(reverse("crm:criteria")).content.decode()
    assert f'href="{delete_url(budget())}"' in body
    assert 'value="delete"' not in body


def test_the_confirmation_says_who_is_rescored_and_changes_nothing(owner_client, scored):
    ticked, *_ = scored
    response = owner_client.get(delete_url(budget()))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Delete the criterion “Has a budget”?" in body
    assert "2 leads will be re-scored." in body
    assert "1 business contact will be re-scored." in body
    assert "It is ticked on 1 lead or business contact; the tick goes with it." in body
    assert ScoringCriterion.objects.filter(description="Has a budget").exists()
    ticked.refresh_from_db()
    assert ticked.score == 2 and CriterionMet.objects.count() == 1


def test_confirming_deletes_and_rescores(owner_client, scored):
    ticked, _other, manual, _contact = scored
    response = owner_client.post(delete_url(budget()), follow=True)
    assert response.redirect_chain[-1][0] == reverse("crm:criteria")
    assert "“Has a budget” was deleted; scores were recalculated." in response.content.decode()
    assert not ScoringCriterion.objects.filter(description="Has a budget").exists()
    assert not CriterionMet.objects.exists()
    ticked.refresh_from_db()
    manual.refresh_from_db()
    assert ticked.score == 0 and manual.score == 4


def test_a_delete_posted_to_the_criteria_page_only_leads_to_the_confirmation(owner_client):
    criterion = budget()
    response = owner_client.post(reverse("crm:criteria"), {"list": "criterion", "op": "delete", "pk": criterion.pk})
    assert response["Location"] == delete_url(criterion)
    assert ScoringCriterion.objects.filter(pk=criterion.pk).exists()


def test_staff_can_neither_see_nor_confirm(staff_client):
    criterion = budget()
    assert staff_client.get(delete_url(criterion)).status_code == 403
    assert staff_client.post(delete_url(criterion)).status_code == 403
    assert ScoringCriterion.objects.filter(pk=criterion.pk).exists()


def test_an_unknown_criterion_is_not_found(owner_client):
    assert owner_client.get(reverse("crm:criterion_delete", args=[999999])).status_code == 404
    assert owner_client.post(reverse("crm:criterion_delete", args=[999999])).status_code == 404
    assert owner_client.post(reverse("crm:criteria"), {"list": "criterion", "op": "delete", "pk": "abc"}).status_code == 404
    assert ScoringCriterion.objects.count() == 4
