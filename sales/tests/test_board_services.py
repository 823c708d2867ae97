"""Moving an opportunity on the pipeline board (``services.opportunity_move``)
keeps every rule of the form's save, and the stages' default probability
applies the same way on every write path: the form, the board, bulk edit
and import."""
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.generic import services as record_services
from crm.generic.testing import csv_bytes, import_confirm, import_upload
from crm.models import ChangeLogEntry
from crm.tests.factories import AccountFactory
from sales import services
from sales.models import ActivityDone, Opportunity, SalesStage, probability_after_change
from sales.services import LineInput
from sales.tests.factories import StageFactory, stage

pytestmark = pytest.mark.django_db


def fresh(opportunity) -> Opportunity:
    return Opportunity.objects.select_related("stage").get(pk=opportunity.pk)


def saved(user, *, stage_name="Proposal", probability=50, price="1000.00", **fields) -> Opportunity:
    """An opportunity saved through the form's service, in a shipped stage."""
    opportunity = Opportunity(title="Fleet renewal", account=AccountFactory(), stage=stage(name=stage_name),
                              probability=probability, **fields)
    services.opportunity_save(instance=opportunity, user=user, lines=[LineInput(
        product=None, description="Vans", quantity=Decimal(1), unit_price=Decimal(price))])
    return fresh(opportunity)


def move(opportunity, stage_name, user, version=None):
    return services.opportunity_move(opportunity=opportunity, stage=stage(name=stage_name), user=user,
                                     expected_version=opportunity.version if version is None else version)


# --- The shipped defaults (sales/migrations/0009) --------------------------------------------

def test_the_shipped_open_stages_have_default_probabilities():
    assert dict(SalesStage.objects.filter(kind="open").values_list("name", "probability")) == {
        "Prospecting": 10, "Qualification": 20, "Proposal": 50, "Negotiation": 80}
    assert list(SalesStage.objects.exclude(kind="open").values_list("probability", flat=True)) == [None, None]


# --- The rule, alone -------------------------------------------------------------------------

@pytest.mark.parametrize("entering, probability, loaded, expected", [
    (True, 50, 50, 80),     # enters, the probability left as it was: the stage's
    (True, 35, 50, 35),     # enters, and the same change set 35: the user's value wins
    (False, 50, 50, 50),    # stays in the stage: nothing to apply
    (False, 35, 50, 35),
])
def test_the_probability_rule(entering, probability, loaded, expected):
    negotiation = SalesStage(name="Negotiation", probability=80)
    assert probability_after_change(negotiation, entering=entering, probability=probability,
                                    loaded_probability=loaded) == expected


def test_the_rule_leaves_a_stage_without_default_alone_and_closed_stages_close():
    assert probability_after_change(SalesStage(name="Demo"), entering=True, probability=35, loaded_probability=35) == 35
    assert probability_after_change(None, entering=True, probability=35, loaded_probability=35) == 35
    won, lost = SalesStage(kind="won"), SalesStage(kind="lost")
    assert probability_after_change(won, entering=True, probability=35, loaded_probability=20) == 100
    assert probability_after_change(lost, entering=False, probability=35, loaded_probability=35) == 0


# --- Moving on the board keeps the form's rules ----------------------------------------------------

def test_a_move_applies_the_new_stage_probability_and_expected_revenue(staff):
    opportunity = saved(staff, stage_name="Proposal", probability=50)
    assert opportunity.expected_revenue == Decimal("500.00")
    move(opportunity, "Negotiation", staff)
    opportunity = fresh(opportunity)
    assert (opportunity.stage.name, opportunity.probability, opportunity.expected_revenue, opportunity.version) == (
        "Negotiation", 80, Decimal("800.00"), 2)


def test_a_move_into_a_stage_without_default_keeps_the_probability(staff):
    demo = StageFactory(name="Demo")
    opportunity = saved(staff, stage_name="Proposal", probability=45)
    services.opportunity_move(opportunity=opportunity, stage=demo, user=staff, expected_version=opportunity.version)
    opportunity = fresh(opportunity)
    assert (opportunity.stage, opportunity.probability, opportunity.expected_revenue) == (demo, 45, Decimal("450.00"))


def test_a_move_starts_the_new_stage_and_its_sales_activities_today(staff):
    proposal, negotiation = stage(name="Proposal"), stage(name="Negotiation")
    opportunity = saved(staff, stage_name="Proposal", stage_entered_on=datetime.date(2020, 1, 1))
    sent = proposal.activities.first()
    ActivityDone.objects.create(opportunity=opportunity, activity=sent)
    move(opportunity, "Negotiation", staff)
    opportunity = fresh(opportunity)
    today = timezone.localdate()
    assert opportunity.stage_entered_on == today
    checklist = opportunity.activity_checklist()
    # Negotiation's own activity (shipped: "Agree on price and terms", 7 days), due from today.
    assert [(item.activity.name, item.due, item.done) for item in checklist] == [
        (activity.name, today + datetime.timedelta(days=activity.duration_days), False)
        for activity in negotiation.activities.all()]
    assert checklist and checklist[0].activity.name == "Agree on price and terms"
    # The marks of the stage it left stay (they show again if it comes back).
    assert ActivityDone.objects.filter(opportunity=opportunity, activity=sent).exists()


def test_a_move_is_one_change_log_entry_with_stage_and_probability(staff):
    opportunity = saved(staff, stage_name="Proposal", probability=50)
    move(opportunity, "Negotiation", staff)
    entry = ChangeLogEntry.objects.filter(object_id=opportunity.pk, action="update").get()
    assert (entry.user, entry.version) == (staff, 2)
    assert {name: (change["old"], change["new"]) for name, change in entry.changes.items()
            if name in ("stage", "probability", "expected_revenue")} == {
        "stage": ("Proposal", "Negotiation"), "probability": ("50", "80"), "expected_revenue": ("500.00", "800.00")}


def test_a_move_into_the_same_stage_writes_nothing(staff):
    opportunity = saved(staff, stage_name="Proposal")
    move(opportunity, "Proposal", staff)
    assert fresh(opportunity).version == 1
    assert not ChangeLogEntry.objects.filter(object_id=opportunity.pk, action="update").exists()


def test_a_stale_move_is_refused_and_writes_nothing(staff, other_staff):
    board_copy = saved(staff, stage_name="Proposal", probability=50)
    form_copy = fresh(board_copy)
    form_copy.probability = 60
    services.opportunity_save(instance=form_copy, user=other_staff, expected_version=1)
    with pytest.raises(record_services.EditConflict) as conflict:
        move(board_copy, "Negotiation", staff, version=1)
    assert [entry.changes["probability"]["new"] for entry in conflict.value.entries] == ["60"]
    current = fresh(board_copy)
    assert (current.stage.name, current.probability, current.version) == ("Proposal", 60, 2)
    assert ChangeLogEntry.objects.filter(object_id=current.pk, action="update").count() == 1


def test_a_move_of_an_opportunity_closed_meanwhile_is_refused(staff, other_staff):
    board_copy = saved(staff, stage_name="Proposal")
    services.opportunities_close(queryset=Opportunity.objects.filter(pk=board_copy.pk), user=other_staff,
                                 stage=stage("won"))
    with pytest.raises(record_services.RecordLocked, match="is closed .* cannot be changed. Reopen it first."):
        move(board_copy, "Negotiation", staff, version=1)
    current = fresh(board_copy)
    assert (current.stage.kind, current.probability) == ("won", 100)


def test_a_move_to_closed_won_closes_it_as_the_form_does(staff):
    opportunity = saved(staff, stage_name="Negotiation", close_date=datetime.date(2030, 6, 1))
    services.opportunity_move(opportunity=opportunity, stage=stage("won"), user=staff,
                              expected_version=opportunity.version)
    opportunity = fresh(opportunity)
    assert (opportunity.probability, opportunity.close_date) == (100, timezone.localdate())


# --- The same rule on the other write paths -----------------------------------------------------

def test_the_form_takes_the_stage_probability_unless_the_same_edit_sets_one(staff):
    opportunity = saved(staff, stage_name="Proposal", probability=50)
    opportunity.stage = stage(name="Negotiation")        # the stage alone changes
    services.opportunity_save(instance=opportunity, user=staff, expected_version=1)
    assert fresh(opportunity).probability == 80

    opportunity = fresh(opportunity)
    opportunity.stage, opportunity.probability = stage(name="Qualification"), 35   # both change: 35 wins
    services.opportunity_save(instance=opportunity, user=staff, expected_version=2)
    assert fresh(opportunity).probability == 35

    opportunity = fresh(opportunity)
    opportunity.probability = 40                           # the stage stays: the default does not apply
    services.opportunity_save(instance=opportunity, user=staff, expected_version=3)
    assert fresh(opportunity).probability == 40


def test_a_new_opportunity_gets_its_stage_probability_unless_one_is_typed(staff):
    left = saved(staff, stage_name="Qualification", probability=0)
    typed = saved(staff, stage_name="Qualification", probability=30)
    assert (left.probability, typed.probability) == (20, 30)
    assert left.expected_revenue == Decimal("200.00")


def test_bulk_edit_of_the_stage_applies_each_stage_probability(staff):
    first, second = saved(staff, stage_name="Proposal", probability=50), saved(staff, stage_name="Prospecting",
                                                                                 probability=15)
    record_services.records_bulk_update(queryset=Opportunity.objects.filter(pk__in=[first.pk, second.pk]), user=staff,
                                        field_name="stage", value=stage(name="Negotiation"))
    assert [(o.probability, o.expected_revenue) for o in Opportunity.objects.order_by("pk")] == [
        (80, Decimal("800.00")), (80, Decimal("800.00"))]


def test_an_import_applies_the_stage_probability_unless_the_row_sets_one(staff_client, staff):
    moved, typed = saved(staff, stage_name="Proposal", probability=50), saved(staff, stage_name="Proposal",
                                                                              probability=50)
    url = "/opportunities/import/"
    rows = [["ID", "Stage", "Probability (%)"], [str(moved.pk), "Negotiation", "50"],
            [str(typed.pk), "Negotiation", "65"]]
    preview = import_upload(staff_client, url, "stages.csv", csv_bytes(rows))
    import_confirm(staff_client, url, preview)
    assert (fresh(moved).probability, fresh(typed).probability) == (80, 65)
    assert fresh(moved).expected_revenue == Decimal("800.00")


# --- The owner's default probabilities ---------------------------------------------------------

def test_a_stage_is_created_and_updated_with_its_default_probability():
    demo = services.stage_create(name="Demo", probability=60)
    assert SalesStage.objects.get(pk=demo.pk).probability == 60
    services.stage_update(stage=demo, name="Product demo", probability=None)
    demo.refresh_from_db()
    assert (demo.name, demo.probability) == ("Product demo", None)
    services.stage_rename(stage=stage(name="Proposal"), name="Offer")
    assert SalesStage.objects.get(name="Offer").probability == 50   # a rename keeps it


@pytest.mark.parametrize("probability", [101, 500])
def test_a_default_probability_above_100_is_refused(probability):
    proposal = stage(name="Proposal")
    with pytest.raises(ValidationError) as error:
        services.stage_update(stage=proposal, name="Proposal", probability=probability)
    assert "probability" in error.value.message_dict
    assert SalesStage.objects.get(pk=proposal.pk).probability == 50
    with pytest.raises(ValidationError):
        services.stage_create(name="Too sure", probability=probability)
    assert not SalesStage.objects.filter(name="Too sure").exists()


def test_built_in_stages_take_no_default_probability():
    with pytest.raises(services.StageBuiltIn):
        services.stage_update(stage=stage("won"), name="Closed Won", probability=90)
    won = stage("won")
    won.probability = 90
    with pytest.raises(ValidationError):
        won.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        SalesStage.objects.filter(pk=won.pk).update(probability=90)   # the database refuses it too


def test_the_database_refuses_a_default_probability_above_100():
    with pytest.raises(IntegrityError), transaction.atomic():
        SalesStage.objects.filter(name="Proposal").update(probability=101)


def test_a_stage_default_applies_only_on_entering(staff):
    opportunity = saved(staff, stage_name="Negotiation", probability=0)   # a new one: 80
    services.stage_update(stage=stage(name="Negotiation"), name="Negotiation", probability=90)
    assert fresh(opportunity).probability == 80      # those already in the stage keep theirs
    opportunity = fresh(opportunity)
    opportunity.competitors = "Globex"
    services.opportunity_save(instance=opportunity, user=staff, expected_version=opportunity.version)
    assert fresh(opportunity).probability == 80
