"""Deleting a sales activity is confirmed on its own page, which says from
how many opportunities it goes; only the POST deletes."""
import pytest
from django.urls import reverse

from sales.models import ActivityDone, SalesActivity
from sales.tests.factories import OpportunityFactory, stage

pytestmark = pytest.mark.django_db


def first_activity() -> SalesActivity:
    return stage().activities.order_by("position").first()   # "Identify the decision makers", Prospecting


def delete_url(activity) -> str:
    return reverse("sales:activity_delete", args=[activity.pk])


@pytest.fixture
def in_progress():
    """Three opportunities in Prospecting, the first activity done on two of them."""
    activity = first_activity()
    opportunities = OpportunityFactory.create_batch(3, stage=stage())
    for opportunity in opportunities[:2]:
        ActivityDone.objects.create(opportunity=opportunity, activity=activity)
    return activity


def test_the_stages_page_links_each_activity_delete_to_its_confirmation(owner_client):
    body = owner_client.get(reverse("sales:stages")).content.decode()
    assert f'href="{delete_url(first_activity())}"' in body
    assert 'value="delete_activity"' not in body


def test_the_confirmation_says_what_happens_and_changes_nothing(owner_client, in_progress):
    response = owner_client.get(delete_url(in_progress))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Delete the sales activity “Identify the decision makers”?" in body
    assert "It will be removed from the checklist of 3 opportunities in “Prospecting”." in body
    assert "It is marked done on 2 opportunities; those marks are deleted too." in body
    assert SalesActivity.objects.filter(pk=in_progress.pk).exists()
    assert ActivityDone.objects.count() == 2


def test_confirming_deletes_it_everywhere(owner_client, in_progress):
    response = owner_client.post(delete_url(in_progress), follow=True)
    assert response.redirect_chain[-1][0] == reverse("sales:stages")
    assert "“Identify the decision makers” was deleted (it was done on 2 opportunities)." in response.content.decode()
    assert not SalesActivity.objects.filter(pk=in_progress.pk).exists()
    assert not ActivityDone.objects.exists()


def test_one_opportunity_reads_in_the_singular(owner_client):
    activity = first_activity()
    ActivityDone.objects.create(opportunity=OpportunityFactory(stage=stage()), activity=activity)
    body = owner_client.get(delete_url(activity)).content.decode()
    assert "It will be removed from the checklist of 1 opportunity in “Prospecting”." in body
    assert "It is marked done on 1 opportunity; that mark is deleted too." in body


def test_a_delete_posted_to_the_stages_page_only_leads_to_the_confirmation(owner_client):
    activity = first_activity()
    response = owner_client.post(reverse("sales:stages"), {"list": "activity", "op": "delete", "pk": activity.pk})
    assert response["Location"] == delete_url(activity)
    assert SalesActivity.objects.filter(pk=activity.pk).exists()


def test_staff_can_neither_see_nor_confirm(staff_client):
    activity = first_activity()
    assert staff_client.get(delete_url(activity)).status_code == 403
    assert staff_client.post(delete_url(activity)).status_code == 403
    assert SalesActivity.objects.filter(pk=activity.pk).exists()


def test_an_unknown_activity_is_not_found(owner_client):
    assert owner_client.get(reverse("sales:activity_delete", args=[999999])).status_code == 404
    assert owner_client.post(reverse("sales:activity_delete", args=[999999])).status_code == 404
