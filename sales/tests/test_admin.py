"""The sales process in the Django admin: stages and activities keep the
rules of the Customize page, a stage in use is deleted by choosing a
replacement, and a closed opportunity stays read-only."""
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from crm.generic import services as record_services
from crm.models import ChangeLogEntry
from crm.tests.admin_forms import owner_not_superuser, page_data
from sales.models import ActivityDone, Opportunity, Product, SalesActivity, SalesSettings, SalesStage
from sales.tests.factories import (
    ActivityFactory, LineFactory, OpportunityFactory, ProductFactory, create_won_opportunity, stage,
)

pytestmark = pytest.mark.django_db




def with_new_activity(data: dict, name: str, days: int = 3) -> dict:
    """The stage page's data with one more activity typed into the inline."""
    index = int(data["activities-TOTAL_FORMS"])
    return {**data, "activities-TOTAL_FORMS": str(index + 1), f"activities-{index}-name": name,
            f"activities-{index}-duration_days": str(days), f"activities-{index}-position": "0"}


def test_an_activity_cannot_be_added_to_closed_won(admin_client):
    won = stage("won")
    url = reverse("admin:sales_salesstage_change", args=[won.pk])
    data = with_new_activity(page_data(admin_client.get(url)), "Send the invoice")

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "“Closed Won” is built in and cannot be changed or deleted." in response.content.decode()
    assert not SalesActivity.objects.filter(stage=won).exists()


def test_an_activity_added_in_the_admin_goes_to_the_end(admin_client):
    qualification = stage(name="Qualification")
    url = reverse("admin:sales_salesstage_change", args=[qualification.pk])
    response = admin_client.post(url, with_new_activity(page_data(admin_client.get(url)), "  Meet   the buyer "))
    assert response.status_code == 302
    names = list(qualification.activities.order_by("position").values_list("name", flat=True))
    assert names == ["Confirm the budget", "Confirm the timeline", "Meet the buyer"]


def test_a_stage_beside_the_same_name_in_other_case_is_refused(admin_client):
    before = SalesStage.objects.count()
    add = reverse("admin:sales_salesstage_add")
    response = admin_client.post(add, {**page_data(admin_client.get(add)), "name": "qualification"})
    assert response.status_code == 200
    assert "There is already a stage called “qualification”." in response.content.decode()
    assert SalesStage.objects.count() == before

    proposal = SalesStage.objects.filter(kind="open").exclude(name="Qualification").first()
    url = reverse("admin:sales_salesstage_change", args=[proposal.pk])
    response = admin_client.post(url, {**page_data(admin_client.get(url)), "name": "QUALIFICATION"})
    assert "There is already a stage called “QUALIFICATION”." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.name != "QUALIFICATION"


def test_a_new_stage_goes_after_the_open_stages_and_can_be_the_default(admin_client):
    old_default = SalesStage.objects.get(is_default=True)
    add = reverse("admin:sales_salesstage_add")
    data = with_new_activity(page_data(admin_client.get(add)), "Demo")
    response = admin_client.post(add, {**data, "name": "Final talks", "is_default": "on"})
    assert response.status_code == 302
    new = SalesStage.objects.get(name="Final talks")
    open_positions = SalesStage.objects.filter(kind="open").values_list("position", flat=True)
    assert new.position == max(open_positions) and new.is_default
    assert list(new.activities.values_list("name", flat=True)) == ["Demo"]
    old_default.refresh_from_db()
    assert not old_default.is_default


def test_deleting_an_activity_in_the_admin_removes_it_everywhere(admin_client):
    activity = ActivityFactory(name="Call back")
    ActivityDone.objects.create(opportunity=OpportunityFactory(stage=activity.stage), activity=activity)
    url = reverse("admin:sales_salesstage_change", args=[activity.stage.pk])
    data = page_data(admin_client.get(url))
    response = admin_client.post(url, {**data, "activities-0-DELETE": "on"})
    assert response.status_code == 302
    assert not SalesActivity.objects.filter(pk=activity.pk).exists()
    assert not ActivityDone.objects.exists()


def test_an_owner_who_is_not_a_superuser_sees_the_activities(client):
    client.force_login(owner_not_superuser())
    qualification = stage(name="Qualification")
    page = client.get(reverse("admin:sales_salesstage_change", args=[qualification.pk])).content.decode()
    assert "Confirm the budget" in page and 'name="activities-TOTAL_FORMS"' in page


def test_deleting_a_stage_in_use_offers_a_replacement(admin_client, admin_user):
    qualification = stage(name="Qualification")
    proposal = SalesStage.objects.filter(kind="open").exclude(pk=qualification.pk).first()
    moved = OpportunityFactory.create_batch(2, stage=qualification)
    url = reverse("admin:sales_salesstage_delete", args=[qualification.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "2 opportunities are in this stage." in body and "Move its opportunities to" in body

    response = admin_client.post(url, {"replacement": proposal.pk, "move_activities": "on"})

    assert response.status_code == 302
    assert not SalesStage.objects.filter(pk=qualification.pk).exists()
    for opportunity in moved:
        opportunity.refresh_from_db()
        assert opportunity.stage == proposal
        [entry] = record_services.changelog_for(opportunity)
        assert entry.user == admin_user and entry.changes["stage"]["new"] == str(proposal)
    assert {"Confirm the budget", "Confirm the timeline"} <= set(proposal.activities.values_list("name", flat=True))


def test_a_stage_delete_refuses_moving_activities_without_a_replacement(admin_client):
    qualification = stage(name="Qualification")
    url = reverse("admin:sales_salesstage_delete", args=[qualification.pk])
    response = admin_client.post(url, {"move_activities": "on"})
    assert "Choose a replacement stage to move the activities to." in response.content.decode()
    assert SalesStage.objects.filter(pk=qualification.pk).exists()


def test_built_in_stages_cannot_be_deleted(admin_client):
    won = stage("won")
    assert admin_client.get(reverse("admin:sales_salesstage_delete", args=[won.pk])).status_code == 403
    assert admin_client.post(reverse("admin:sales_salesstage_delete", args=[won.pk]), {}).status_code == 403
    assert SalesStage.objects.filter(pk=won.pk).exists()


# --- Opportunities, products, settings ------------------------------------------

def test_a_closed_opportunity_cannot_be_edited_or_deleted(admin_client):
    won = create_won_opportunity(title="Won deal")
    url = reverse("admin:sales_opportunity_change", args=[won.pk])
    data = page_data(admin_client.get(url))
    assert admin_client.post(url, {**data, "title": "Changed"}).status_code == 403
    assert admin_client.post(reverse("admin:sales_opportunity_delete", args=[won.pk]), {"post": "yes"}).status_code == 403
    open_one = OpportunityFactory()
    admin_client.post(reverse("admin:sales_opportunity_changelist"), {
        "action": "delete_selected", ACTION_CHECKBOX_NAME: [won.pk, open_one.pk], "post": "yes"})
    won.refresh_from_db()
    assert won.title == "Won deal"
    assert Opportunity.objects.filter(pk=open_one.pk).exists()
    assert not ChangeLogEntry.objects.exists()


def test_an_opportunity_that_closed_meanwhile_is_not_saved(admin_client, other_staff):
    opportunity = OpportunityFactory(title="Deal")
    url = reverse("admin:sales_opportunity_change", args=[opportunity.pk])
    data = page_data(admin_client.get(url))
    record_services.records_bulk_set(queryset=Opportunity.objects.filter(pk=opportunity.pk), user=other_staff,
                                     values={"stage": stage("won")})
    admin_client.post(url, {**data, "title": "Changed"})
    opportunity.refresh_from_db()
    assert opportunity.title == "Deal" and opportunity.stage.kind == "won"


def test_an_opportunity_save_in_the_admin_is_logged(admin_client, admin_user):
    opportunity = OpportunityFactory(title="Deal")
    url = reverse("admin:sales_opportunity_change", args=[opportunity.pk])
    response = admin_client.post(url, {**page_data(admin_client.get(url)), "title": "Big deal"})
    assert response.status_code == 302
    [entry] = record_services.changelog_for(opportunity)
    assert entry.user == admin_user and entry.changes["title"] == {"label": "opportunity title", "old": "Deal",
                                                                   "new": "Big deal"}


def test_a_product_in_use_is_not_deleted(admin_client):
    used = ProductFactory(name="Support plan")
    LineFactory(product=used)
    spare = ProductFactory(name="Spare")
    admin_client.post(reverse("admin:sales_product_delete", args=[used.pk]), {"post": "yes"})
    admin_client.post(reverse("admin:sales_product_delete", args=[spare.pk]), {"post": "yes"})
    assert list(Product.objects.all()) == [used]


def test_sales_settings_are_saved_through_the_service(admin_client):
    add = reverse("admin:sales_salessettings_add")
    response = admin_client.post(add, {**page_data(admin_client.get(add)), "activity_reminders": "on"})
    assert response.status_code == 302
    assert SalesSettings.load().activity_reminders
