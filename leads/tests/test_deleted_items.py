"""Deleted items: a lead deleted and restored is a lead again, under its own URL."""
import pytest

from crm.generic import services
from crm.models import DeletedItem
from leads.models import Lead
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


class TestRoundTrips:
    def test_lead_comes_back_as_a_lead(self, staff):
        lead = LeadFactory(full_name="Lena Lead", assigned_to=staff)
        tombstone = services.records_delete(queryset=Lead.objects.filter(pk=lead.pk), user=staff) and \
            DeletedItem.objects.get()
        assert tombstone.record_type == "lead" and tombstone.scope == " lead "
        restored = services.deleted_item_restore(item=tombstone, user=staff).obj
        assert Lead.objects.get(pk=lead.pk).full_name == "Lena Lead"
        assert restored.get_absolute_url() == f"/leads/{lead.pk}/"
