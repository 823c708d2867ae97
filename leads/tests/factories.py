import factory

from crm.tests.factories import ContactFactory
from leads.models import Lead


class LeadFactory(ContactFactory):
    class Meta:
        model = Lead

    full_name = factory.Sequence(lambda n: f"Lead {n:04d}")
    is_lead = True

