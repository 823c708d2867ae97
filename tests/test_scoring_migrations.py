"""Lead scoring moved from the leads app to crm (leads migration 0003, crm
migration 0013) without touching the data: a database migrated before keeps
its criteria, ticks and scores, and the models' content types move to crm with
their ids, so the permissions and admin history keyed on them follow."""
import io

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from crm.models import BusinessContact, CriterionMet, ScoringCriterion
from crm.tests.admin_forms import owner_not_superuser, page_data

# The last migrations before the move: criteria and ticks were the leads app's.
BEFORE = [("crm", "0012_deleted_items"), ("leads", "0002_default_criteria")]
MODELS = ("scoringcriterion", "criterionmet")


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    """The state the migrations build is the models' (db_table, constraint names, related names)."""
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())


@pytest.mark.django_db
def test_a_fresh_database_has_the_content_types_under_crm():
    assert not ContentType.objects.filter(app_label="leads", model__in=MODELS).exists()
    for model in (ScoringCriterion, CriterionMet):
        content_type = ContentType.objects.get_for_model(model)
        assert content_type.app_label == "crm"
        assert Permission.objects.filter(content_type=content_type).count() == 4  # add, change, delete, view
    assert ScoringCriterion._meta.db_table == "leads_scoringcriterion"
    assert CriterionMet._meta.db_table == "leads_criterionmet"


@pytest.fixture
def old_database(transactional_db):
    """The test database taken back to the migrations before the move (both
    new migrations are state-only, so this is quick), then forward again
    whatever the test did, for the tests after it."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor.loader.project_state(BEFORE).apps
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


def test_an_existing_database_keeps_its_criteria_ticks_scores_and_permissions(old_database, client):
    old = old_database
    Criterion, Met, Contact = (old.get_model("leads", "ScoringCriterion"), old.get_model("leads", "CriterionMet"),
                               old.get_model("crm", "BusinessContact"))
    OldContentType = old.get_model("contenttypes", "ContentType")
    # At the old state the content types are the leads app's (the reversed
    # crm migration put them back).
    old_types = {model: OldContentType.objects.get(app_label="leads", model=model).pk for model in MODELS}
    assert not OldContentType.objects.filter(app_label="crm", model__in=MODELS).exists()

    # Two criteria of our own (whether the shipped ones are still there depends on the tests before).
    Criterion.objects.all().delete()
    budget = Criterion.objects.create(description="Has a budget", weight=3, position=1)
    champion = Criterion.objects.create(description="Has a champion", weight=3, position=2)
    anna = Contact.objects.create(full_name="Anna Lead", is_lead=True, auto_score=3, score=3)  # 5 × 3/6 = 2.5
    bob = Contact.objects.create(full_name="Bob Contact", auto_score=3, score=3)
    Met.objects.bulk_create([Met(contact=anna, criterion=champion), Met(contact=bob, criterion=budget)])
    owner = owner_not_superuser()
    owner.groups.get().permissions.add(*Permission.objects.filter(content_type_id=old_types["scoringcriterion"]))
    LogEntry.objects.create(user=owner, content_type_id=old_types["scoringcriterion"], object_id=str(champion.pk),
                            object_repr=champion.description, action_flag=CHANGE, change_message="Weight set by hand")
    criteria = sorted(Criterion.objects.values_list("pk", "description", "weight", "position"))
    ticks = sorted(Met.objects.values_list("pk", "contact_id", "criterion_id"))

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    # The rows are all there, under crm's models.
    assert sorted(ScoringCriterion.objects.values_list("pk", "description", "weight", "position")) == criteria
    assert sorted(CriterionMet.objects.values_list("pk", "contact_id", "criterion_id")) == ticks
    assert sorted(BusinessContact.objects.values_list("full_name", "score")) == [("Anna Lead", 3), ("Bob Contact", 3)]
    # The same content type rows, relabelled: the permissions and admin history follow.
    assert {model: ContentType.objects.get_for_model(m).pk
            for model, m in zip(MODELS, (ScoringCriterion, CriterionMet))} == old_types
    assert not ContentType.objects.filter(app_label="leads", model__in=MODELS).exists()
    assert sorted(owner.groups.get().permissions.values_list("content_type__app_label", "codename")) == [
        ("crm", "add_scoringcriterion"), ("crm", "change_scoringcriterion"),
        ("crm", "delete_scoringcriterion"), ("crm", "view_scoringcriterion")]

    # The owner still edits the criteria in the admin (and everyone is re-scored).
    client.force_login(owner)
    history = client.get(reverse("admin:crm_scoringcriterion_history", args=[champion.pk]))
    assert "Weight set by hand" in history.content.decode()
    url = reverse("admin:crm_scoringcriterion_change", args=[champion.pk])
    response = client.post(url, {**page_data(client.get(url)), "weight": ScoringCriterion.Weight.LOW})
    assert response.status_code == 302
    assert ScoringCriterion.objects.get(pk=champion.pk).weight == ScoringCriterion.Weight.LOW
    assert sorted(BusinessContact.objects.values_list("full_name", "auto_score", "score")) == [
        ("Anna Lead", 1, 1),     # 5 × 1/4 = 1.25
        ("Bob Contact", 4, 4)]   # 5 × 3/4 = 3.75
