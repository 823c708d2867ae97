import factory

from crm.tests.factories import ContactFactory
from leads.models import Lead, ScoringCriterion


class LeadFactory(ContactFactory):
    class Meta:
        model = Lead

    full_name = factory.Sequence(lambda n: f"Lead {n:04d}")
    is_lead = True


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoringCriterion

    description = factory.Sequence(lambda n: f"Criterion {n}")
    weight = ScoringCriterion.Weight.NORMAL
