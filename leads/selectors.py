"""Reads of the lead workspace that span relations."""
from django.db.models import Count, Q

from crm.models import BusinessContact
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
