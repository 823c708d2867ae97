"""Reads of the lead workspace that span relations."""
from collections.abc import Iterable

from django.db.models import Count, Q

from crm.models import BusinessContact
from leads import scoring
from leads.models import CriterionMet, ScoringCriterion


def criterion_delete_effect(criterion: ScoringCriterion) -> dict[str, int]:
    """What deleting ``criterion`` does, for its confirmation page.

    Every lead and business contact with an automatic score is re-scored
    (the weights of all criteria change, ``leads.services.lead_rescore_all``);
    manual scores stand. ``ticked_*`` count the records whose tick goes with
    the criterion. Two aggregate queries, whatever the number of records.
    """
    automatic = BusinessContact.objects.filter(score_type=BusinessContact.ScoreType.AUTOMATIC).aggregate(
        leads=Count("pk", filter=Q(is_lead=True)), contacts=Count("pk", filter=Q(is_lead=False)))
    ticked = CriterionMet.objects.filter(criterion=criterion).aggregate(
        leads=Count("pk", filter=Q(contact__is_lead=True)), contacts=Count("pk", filter=Q(contact__is_lead=False)))
    return {"rescored_leads": automatic["leads"], "rescored_contacts": automatic["contacts"],
            "ticked_leads": ticked["leads"], "ticked_contacts": ticked["contacts"]}


def score_of(*, criteria_ids: Iterable[int], score_type: str, manual_score: int | None) -> int:
    """The stars of a lead or business contact with these criteria ticked and
    this score type and manual score, computed as saving it computes them
    (``scoring.automatic_score`` of the ticked weights, as in
    ``leads.services.person_save``, then ``scoring.effective_score``, as in
    the model's ``clean``): what its form shows while it is filled in. Ids of
    no criterion (one deleted meanwhile) count as not ticked. One query."""
    weights = dict(ScoringCriterion.objects.values_list("pk", "weight"))
    ticked = set(criteria_ids)
    automatic = scoring.automatic_score([weight for pk, weight in weights.items() if pk in ticked], weights.values())
    return scoring.effective_score(score_type, manual_score, automatic)
