"""Opportunity services: totals on every change path, closing and the
read-only rule on every write path, reopening, and stage customization."""
import datetime
import random
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from crm.generic import services as record_services
from crm.models import ChangeLogEntry
from crm.tests.factories import AccountFactory, ContactFactory
from sales import pricing, services
from sales.models import ActivityDone, Opportunity, OpportunityLine, SalesActivity, SalesStage
from sales.services import LineInput
from sales.tests.factories import (
    ActivityFactory, OpportunityFactory, ProductFactory, create_won_opportunity, stage,
)

pytestmark = pytest.mark.django_db


def line(price, quantity="1", discount="0", description="Item", **kwargs) -> LineInput:
    return LineInput(product=None, description=description, quantity=Decimal(quantity), unit_price=Decimal(price),
                     discount_percent=Decimal(discount), **kwargs)


def save(opportunity, user, lines=None, **kwargs):
    return services.opportunity_save(instance=opportunity, user=user, lines=lines, **kwargs)


def fresh(opportunity) -> Opportunity:
    return Opportunity.objects.select_related("stage").get(pk=opportunity.pk)


# --- Expected revenue on every change path ----------------------------------------

class TestExpectedRevenue:
    def test_line_added(self, staff):
        opportunity = save(Opportunity(title="Deal", account=AccountFactory(), probability=50), staff,
                           lines=[line("100.00")])
        opportunity = save(fresh(opportunity), staff, lines=[line("100.00", id=opportunity.lines.get().pk),
                                                             line("25.01")])
        opportunity = fresh(opportunity)
        assert (opportunity.total, opportunity.expected_revenue) == (Decimal("125.01"), Decimal("62.51"))  # 62.505 ↑

    def test_line_edited(self, staff):
        opportunity = save(Opportunity(title="Deal", account=AccountFactory(), probability=50), staff,
                           lines=[line("100.00")])
        existing = opportunity.lines.get()
        save(fresh(opportunity), staff, lines=[line("80.00", quantity="3", id=existing.pk)])
        opportunity = fresh(opportunity)
        assert (opportunity.total, opportunity.expected_revenue) == (Decimal("240.00"), Decimal("120.00"))
        assert opportunity.lines.get().pk == existing.pk  # edited in place, not replaced

    def test_line_removed(self, staff):
        opportunity = save(Opportunity(title="Deal", account=AccountFactory(), probability=20), staff,
                           lines=[line("100.00"), line("50.00")])
        keep = opportunity.lines.get(unit_price=Decimal("50.00"))
        save(fresh(opportunity), staff, lines=[line("50.00", id=keep.pk)])
        opportunity = fresh(opportunity)
        assert (opportunity.total, opportunity.expected_revenue) == (Decimal("50.00"), Decimal("10.00"))
        assert OpportunityLine.objects.count() == 1

    def test_discount(self, staff):
        opportunity = save(Opportunity(title="Deal", account=AccountFactory(), probability=75), staff,
                           lines=[line("19.99", quantity="3", discount="12.5")])
        opportunity = fresh(opportunity)
        # 59.97 × 87.5 % = 52.47375 → 52.47; × 75 % = 39.3525 → 39.35
        assert (opportunity.lines.get().line_total, opportunity.total, opportunity.expected_revenue) == (
            Decimal("52.47"), Decimal("52.47"), Decimal("39.35"))

    def test_probability_changed_in_the_form_and_in_bulk(self, staff):
        opportunity = save(Opportunity(title="Deal", account=AccountFactory(), probability=10), staff,
                           lines=[line("1000.00")])
        loaded = fresh(opportunity)
        loaded.probability = 35
        save(loaded, staff)
        assert fresh(opportunity).expected_revenue == Decimal("350.00")
        record_services.records_bulk_update(queryset=Opportunity.objects.all(), user=staff,
                                            field_name="probability", value=90)
        assert fresh(opportunity).expected_revenue == Decimal("900.00")

    def test_stored_sql_and_pure_function_agree(self, staff):
        rng = random.Random(2026)
        for n in range(25):
            lines = [line(f"{rng.randint(0, 99999) / 100:.2f}", quantity=f"{rng.randint(1, 500) / 10:.1f}",
                          discount=f"{rng.randint(0, 10000) / 100:.2f}") for _ in range(rng.randint(0, 6))]
            save(Opportunity(title=f"Deal {n}", account=AccountFactory(), probability=rng.randint(0, 100)), staff,
                 lines=lines)
        for opportunity in Opportunity.objects.with_totals().prefetch_related("lines"):
            by_function = pricing.opportunity_total(
                pricing.line_total(l.quantity, l.unit_price, l.discount_percent) for l in opportunity.lines.all())
            assert opportunity.total == by_function == opportunity.lines_total
            assert opportunity.expected_revenue == pricing.expected_revenue(by_function, opportunity.probability)

    def test_bad_line_writes_nothing(self, staff):
        with pytest.raises(record_services.ValidationError, match="less than or equal to 100"):
            save(Opportunity(title="Deal", account=AccountFactory()), staff,
                 lines=[line("10.00"), line("10.00", discount="150")])
        assert not Opportunity.objects.exists() and not OpportunityLine.objects.exists()

    def test_line_changes_are_in_the_change_log(self, staff):
        opportunity = save(Opportunity(title="Deal", account=AccountFactory()), staff, lines=[line("10.00", description="Hosting")])
        entry = ChangeLogEntry.objects.filter(object_id=opportunity.pk, changes__has_key="lines").get()
        assert entry.changes["lines"]["new"] == "Hosting × 1"


# --- Links and constraints ---------------------------------------------------------

def test_links_to_exactly_one_record_in_the_database_too(staff):
    account, contact = AccountFactory(), ContactFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Opportunity.objects.create(title="Both", account=account, contact=contact)
    with pytest.raises(IntegrityError), transaction.atomic():
        Opportunity.objects.create(title="Neither")
    with pytest.raises(record_services.ValidationError):
        save(Opportunity(title="Neither"), staff)


def test_opportunity_history_rolls_up_to_its_account_and_contact(staff):
    from crm import selectors, services as crm_services
    from crm.models import HistoryItem

    account = AccountFactory()
    contact = ContactFactory()
    for_account = OpportunityFactory(account=account)
    for_contact = OpportunityFactory(account=None, contact=contact)
    note = crm_services.history_item_create(item=HistoryItem(kind="note", subject="Met the buyer"), user=staff,
                                            records=[for_account])
    call = crm_services.history_item_create(item=HistoryItem(kind="phone", subject="Called"), user=staff,
                                            records=[for_contact])
    assert list(selectors.history_for_record(account)) == [note]
    assert list(selectors.history_for_record(contact)) == [call]


# --- Stage moves and the activity checklist ------------------------------------------

def test_entering_a_stage_starts_its_activity_clock(staff):
    qualification = stage(name="Qualification")
    opportunity = save(Opportunity(title="Deal", account=AccountFactory(), stage=stage()), staff)
    Opportunity.objects.filter(pk=opportunity.pk).update(stage_entered_on=datetime.date(2026, 1, 1))
    loaded = fresh(opportunity)
    loaded.stage = qualification
    save(loaded, staff)
    loaded = fresh(opportunity)
    assert loaded.stage_entered_on == timezone.localdate()
    due = [item.due for item in loaded.activity_checklist()]
    today = timezone.localdate()
    assert due == [today + datetime.timedelta(days=5), today + datetime.timedelta(days=10)]  # running durations


def test_ticking_activities_keeps_other_stages_marks(staff):
    opportunity = save(Opportunity(title="Deal", account=AccountFactory(), stage=stage()), staff)
    first = stage().activities.first()
    save(fresh(opportunity), staff, done_activities=[first.pk])
    loaded = fresh(opportunity)
    loaded.stage = stage(name="Qualification")
    budget = loaded.stage.activities.first()
    save(loaded, staff, done_activities=[budget.pk])
    assert set(ActivityDone.objects.values_list("activity_id", flat=True)) == {first.pk, budget.pk}
    assert [item.done for item in fresh(opportunity).activity_checklist()] == [True, False]


# --- Closing, the read-only rule, reopening ------------------------------------------

class TestClosing:
    def test_closed_won_sets_probability_and_close_date(self, staff):
        opportunity = save(Opportunity(title="Deal", account=AccountFactory(), probability=40,
                                       close_date=datetime.date(2027, 3, 1)), staff, lines=[line("200.00")])
        services.opportunities_close(queryset=Opportunity.objects.all(), user=staff, stage=stage("won"))
        opportunity = fresh(opportunity)
        assert (opportunity.probability, opportunity.expected_revenue, opportunity.close_date) == (
            100, Decimal("200.00"), timezone.localdate())

    def test_closed_lost_with_the_real_close_date(self, staff):
        OpportunityFactory.create_batch(2, probability=60)
        count = services.opportunities_close(queryset=Opportunity.objects.all(), user=staff, stage=stage("lost"),
                                             close_date=datetime.date(2026, 10, 31))
        assert count == 2
        assert set(Opportunity.objects.values_list("probability", "close_date")) == {(0, datetime.date(2026, 10, 31))}

    def test_closing_in_the_form_keeps_a_typed_close_date(self, staff):
        opportunity = save(Opportunity(title="Deal", account=AccountFactory()), staff)
        loaded = fresh(opportunity)
        loaded.stage, loaded.close_date = stage("won"), datetime.date(2026, 11, 2)
        save(loaded, staff)
        assert fresh(opportunity).close_date == datetime.date(2026, 11, 2)

    def test_every_write_path_is_refused_on_a_closed_opportunity(self, staff, other_staff):
        won = create_won_opportunity(title="Won deal")
        won = fresh(won)
        won.title = "Changed"
        with pytest.raises(record_services.RecordLocked):
            save(won, staff)
        with pytest.raises(record_services.RecordLocked):
            save(fresh(won), staff, lines=[line("1.00")])
        queryset = Opportunity.objects.filter(pk=won.pk)
        with pytest.raises(record_services.RecordLocked):
            record_services.records_bulk_update(queryset=queryset, user=staff, field_name="title", value="X")
        with pytest.raises(record_services.RecordLocked):
            record_services.records_assign(queryset=queryset, user=staff, assignee=other_staff)
        with pytest.raises(record_services.RecordLocked):
            record_services.records_categorize(queryset=queryset, user=staff, add=[])
        with pytest.raises(record_services.RecordLocked):
            record_services.records_delete(queryset=queryset, user=staff)
        with pytest.raises(record_services.RecordLocked):
            record_services.record_delete(instance=fresh(won), user=staff)
        with pytest.raises(record_services.RecordLocked):
            services.opportunities_close(queryset=queryset, user=staff, stage=stage("lost"))
        unchanged = fresh(won)
        assert (unchanged.title, unchanged.stage.kind, unchanged.version, unchanged.assigned_to) == (
            "Won deal", "won", 1, None)

    def test_bulk_close_with_one_closed_among_open_writes_nothing(self, staff):
        open_one = OpportunityFactory(probability=30)
        create_won_opportunity()
        with pytest.raises(record_services.RecordLocked):
            services.opportunities_close(queryset=Opportunity.objects.all(), user=staff, stage=stage("lost"))
        assert fresh(open_one).stage is None and fresh(open_one).probability == 30


    @pytest.mark.parametrize("write", ["delete", "bulk delete", "bulk edit", "assign", "categorize", "edit"])
    def test_a_copy_loaded_before_someone_closed_it_cannot_change_it(self, staff, write):
        """The close/delete race: the page (or the list) loaded the opportunity
        open; another user closed it before the write. The write re-reads the
        row under its lock, sees it closed, and refuses."""
        opportunity = OpportunityFactory(title="Raced", probability=30)
        loaded = fresh(opportunity)
        services.opportunities_close(queryset=Opportunity.objects.filter(pk=opportunity.pk), user=staff,
                                     stage=stage("won"))
        queryset = Opportunity.objects.filter(pk=opportunity.pk)
        with pytest.raises(record_services.RecordLocked):
            if write == "delete":
                record_services.record_delete(instance=loaded, user=staff)
            elif write == "bulk delete":
                record_services.records_delete(queryset=queryset, user=staff)
            elif write == "bulk edit":
                record_services.records_bulk_update(queryset=queryset, user=staff, field_name="title", value="X")
            elif write == "assign":
                record_services.records_assign(queryset=queryset, user=staff, assignee=staff)
            elif write == "categorize":
                record_services.records_categorize(queryset=queryset, user=staff, add=[])
            else:
                loaded.title = "Changed"
                save(loaded, staff)
        closed = fresh(opportunity)
        assert (closed.title, closed.stage.kind, closed.version) == ("Raced", "won", 2)


class TestReopen:
    def test_assigned_user_reopens_into_an_open_stage(self, staff):
        won = create_won_opportunity(assigned_to=staff)
        services.opportunity_reopen(opportunity=won, stage=stage(name="Negotiation"), probability=80, user=staff)
        won = fresh(won)
        assert (won.stage.name, won.probability, won.is_closed, won.version) == ("Negotiation", 80, False, 2)
        assert ChangeLogEntry.objects.filter(object_id=won.pk, changes__has_key="stage").exists()

    def test_others_may_not_reopen(self, staff, other_staff):
        won = create_won_opportunity(assigned_to=staff)
        with pytest.raises(record_services.DomainError, match="Only the assigned user or the database owner"):
            services.opportunity_reopen(opportunity=won, stage=stage(), user=other_staff)
        assert fresh(won).is_closed

    def test_owner_may_reopen_and_not_into_a_closed_stage(self, owner):
        won = create_won_opportunity()
        with pytest.raises(record_services.DomainError, match="Choose an open stage"):
            services.opportunity_reopen(opportunity=won, stage=stage("lost"), user=owner)
        services.opportunity_reopen(opportunity=won, stage=stage(), user=owner)
        assert not fresh(won).is_closed


# --- Customizing stages and activities -------------------------------------------------

def open_stage_names():
    return list(SalesStage.objects.filter(kind="open").order_by("position").values_list("name", flat=True))


class TestStageCustomization:
    def test_add_rename_and_reorder(self):
        services.stage_create(name="  Demo   given ")
        assert open_stage_names()[-1] == "Demo given"
        demo = SalesStage.objects.get(name="Demo given")
        services.stage_rename(stage=demo, name="Demo")
        services.stage_move(stage=demo, offset=-1)
        assert open_stage_names() == ["Prospecting", "Qualification", "Proposal", "Demo", "Negotiation"]
        # Activities travel with their stage.
        assert list(stage(name="Proposal").activities.values_list("name", flat=True)) == [
            "Send the proposal", "Follow up on the proposal"]

    def test_duplicate_name_is_refused(self):
        with pytest.raises(record_services.DomainError, match="already a stage called"):
            services.stage_create(name="proposal")

    def test_default_stage(self):
        services.stage_set_default(stage=stage(name="Proposal"))
        assert services.default_stage().name == "Proposal"
        assert SalesStage.objects.filter(is_default=True).count() == 1
        services.stage_set_default(stage=None)
        assert services.default_stage() is None

    @pytest.mark.parametrize("kind", ["won", "lost"])
    def test_built_in_stages_cannot_be_changed(self, kind, staff):
        built_in = stage(kind)
        for call in (lambda: services.stage_rename(stage=built_in, name="Done"),
                     lambda: services.stage_move(stage=built_in, offset=-1),
                     lambda: services.stage_set_default(stage=built_in),
                     lambda: services.stage_delete(stage=built_in, replacement=None, user=staff),
                     lambda: services.activity_save(activity=SalesActivity(stage=built_in, name="Party"))):
            with pytest.raises(services.StageBuiltIn):
                call()
        assert SalesStage.objects.get(kind=kind).name == {"won": "Closed Won", "lost": "Closed Lost"}[kind]

    def test_delete_with_replacement_and_moved_activities(self, staff):
        proposal, negotiation = stage(name="Proposal"), stage(name="Negotiation")
        moving = list(proposal.activities.order_by("position"))
        deals = OpportunityFactory.create_batch(3, stage=proposal)
        ActivityDone.objects.create(opportunity=deals[0], activity=moving[0])
        moved = services.stage_delete(stage=proposal, replacement=negotiation, move_activities=True, user=staff)
        assert moved == 3
        assert set(Opportunity.objects.values_list("stage", flat=True)) == {negotiation.pk}
        assert list(negotiation.activities.order_by("position").values_list("name", flat=True)) == [
            "Send the proposal", "Follow up on the proposal", "Agree on price and terms"]
        assert ActivityDone.objects.filter(opportunity=deals[0], activity=moving[0]).exists()
        entry = ChangeLogEntry.objects.get(object_id=deals[1].pk, action="update")
        assert (entry.changes["stage"]["old"], entry.changes["stage"]["new"], entry.user, entry.version) == (
            "Proposal", "Negotiation", staff, 2)
        assert Opportunity.objects.get(pk=deals[1].pk).version == 2

    def test_delete_with_replacement_drops_its_activities_unless_moved(self, staff):
        proposal = stage(name="Proposal")
        services.stage_delete(stage=proposal, replacement=stage(name="Negotiation"), user=staff)
        assert list(stage(name="Negotiation").activities.values_list("name", flat=True)) == ["Agree on price and terms"]
        assert not SalesActivity.objects.filter(name="Send the proposal").exists()

    def test_delete_without_replacement_leaves_no_stage(self, staff):
        proposal = stage(name="Proposal")
        deal = OpportunityFactory(stage=proposal)
        services.stage_delete(stage=proposal, replacement=None, user=staff)
        assert fresh(deal).stage is None and fresh(deal).stage_entered_on is None

    def test_replacement_must_be_another_open_stage(self, staff):
        proposal = stage(name="Proposal")
        for replacement in (proposal, stage("won")):
            with pytest.raises(record_services.DomainError, match="another open stage"):
                services.stage_delete(stage=proposal, replacement=replacement, user=staff)
        assert SalesStage.objects.filter(pk=proposal.pk).exists()

    def test_deleting_the_default_stage_passes_the_default_on(self, staff):
        services.stage_delete(stage=stage(), replacement=stage(name="Qualification"), user=staff)
        assert services.default_stage().name == "Qualification"

    def test_deleting_an_activity_removes_it_everywhere_even_where_done(self):
        activity = ActivityFactory(stage=stage())
        deals = OpportunityFactory.create_batch(2, stage=stage())
        for deal in deals:
            ActivityDone.objects.create(opportunity=deal, activity=activity)
        assert services.activity_delete(activity=activity) == 2
        assert not ActivityDone.objects.filter(activity_id=activity.pk).exists()
        assert activity.name not in [item.activity.name for item in fresh(deals[0]).activity_checklist()]

    def test_activities_add_and_reorder(self):
        prospecting = stage()
        added = services.activity_save(activity=SalesActivity(stage=prospecting, name="Send a brochure", duration_days=1))
        services.activity_move(activity=added, offset=-1)
        assert list(prospecting.activities.order_by("position").values_list("name", flat=True)) == [
            "Identify the decision makers", "Send a brochure", "Make the first contact"]


def test_lead_conversion_helper_creates_an_opportunity_in_the_default_stage(staff):
    contact = ContactFactory()
    opportunity = services.opportunity_create(user=staff, title="From the lead", linked=contact)
    assert (opportunity.contact, opportunity.stage, opportunity.assigned_to) == (contact, stage(), staff)


def test_product_in_use_cannot_be_deleted(staff):
    product = ProductFactory()
    save(Opportunity(title="Deal", account=AccountFactory()), staff,
         lines=[LineInput(product=product, description="", quantity=Decimal(2), unit_price=product.unit_price)])
    with pytest.raises(ProtectedError), transaction.atomic():
        product.delete()
    assert OpportunityLine.objects.get().label == product.name
