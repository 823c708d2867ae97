"""Scoring in the database: the shipped criteria, re-scoring, ticking criteria."""
import random

import pytest

from crm import scoring, services
from crm.models import BusinessContact, ChangeLogEntry, CriterionMet, ScoringCriterion
from crm.tests.factories import CriterionFactory
from leads.models import Lead
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def tick(contact, *criteria):
    CriterionMet.objects.bulk_create([CriterionMet(contact=contact, criterion=c) for c in criteria])


def test_the_shipped_criteria():
    assert list(ScoringCriterion.objects.values_list("description", "weight")) == [
        ("Has a budget", 3), ("Is a decision maker", 2),
        ("Has a need for our product or service", 3), ("Plans to buy within three months", 2),
    ]


def test_sql_rescore_agrees_with_the_pure_function():
    criteria = list(ScoringCriterion.objects.all())
    rng = random.Random(7)
    leads = LeadFactory.create_batch(40)
    for lead in leads:
        tick(lead, *rng.sample(criteria, rng.randint(0, len(criteria))))
    services.lead_rescore_all()
    weights = {c.pk: c.weight for c in criteria}
    for lead in Lead.objects.all():
        met = [weights[pk] for pk in lead.criteria_met.values_list("criterion_id", flat=True)]
        assert lead.auto_score == lead.score == scoring.automatic_score(met, weights.values())


def test_changing_criteria_rescores_automatic_records_but_not_manual_ones():
    budget = ScoringCriterion.objects.get(description="Has a budget")
    automatic, manual = LeadFactory(), LeadFactory(score_type="manual", manual_score=1, score=1)
    contact = BusinessContact.objects.create(full_name="A Customer")
    for record in (automatic, manual, contact):
        tick(record, budget)
    services.lead_rescore_all()
    automatic.refresh_from_db()
    assert automatic.score == 2  # 5·3/10 = 1.5 → 2
    budget.weight = ScoringCriterion.Weight.LOW
    services.criterion_save(criterion=budget)
    automatic.refresh_from_db(); manual.refresh_from_db(); contact.refresh_from_db()
    assert automatic.score == 1  # 5·1/8 = 0.625 → 1
    assert contact.score == 1    # business contacts are scored too
    assert manual.score == 1 and manual.auto_score == 1


def test_deleting_every_criterion_scores_zero():
    lead = LeadFactory()
    tick(lead, *ScoringCriterion.objects.all())
    services.lead_rescore_all()
    for criterion in ScoringCriterion.objects.all():
        services.criterion_delete(criterion=criterion)
    lead.refresh_from_db()
    assert lead.score == 0


def test_a_new_criterion_lowers_existing_scores():
    lead = LeadFactory()
    tick(lead, *ScoringCriterion.objects.all())
    services.lead_rescore_all()
    services.criterion_save(criterion=ScoringCriterion(description="Has a champion", weight=3))
    lead.refresh_from_db()
    assert lead.score == 4  # 5·10/13 = 3.85 → 4


def test_ticking_criteria_on_a_lead(staff):
    lead = LeadFactory()
    budget, need = ScoringCriterion.objects.filter(weight=3)
    services.person_save(instance=lead, criteria=[budget, need], user=staff)
    lead.refresh_from_db()
    assert (lead.score, lead.version) == (3, 2)  # 5·6/10
    services.person_save(instance=lead, criteria=[budget], user=staff)
    lead.refresh_from_db()
    assert (lead.score, lead.version) == (2, 3)
    entry = ChangeLogEntry.objects.filter(object_id=lead.pk).latest("pk")
    assert entry.changes["criteria"]["new"] == "Has a budget" and entry.version == 3


def test_ticking_criteria_is_a_new_version_so_a_stale_form_is_refused(staff, other_staff):
    """Only the ticks change: still a new version, one change-log entry with them."""
    from crm.generic.services import EditConflict

    lead = LeadFactory()
    budget = ScoringCriterion.objects.get(description="Has a budget")
    services.person_save(instance=Lead.objects.get(pk=lead.pk), criteria=[budget], user=other_staff, expected_version=1)
    with pytest.raises(EditConflict):
        services.person_save(instance=Lead.objects.get(pk=lead.pk), criteria=[], user=staff, expected_version=1)
    assert list(CriterionMet.objects.filter(contact=lead).values_list("criterion", flat=True)) == [budget.pk]


def test_criterion_factory_makes_unique_descriptions():
    assert CriterionFactory().description != CriterionFactory().description
