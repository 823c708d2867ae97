"""Leads in the Django admin: written through the same services as the app."""
import pytest
from django.urls import reverse

from crm.generic import services as record_services
from crm.models import ChangeLogEntry
from crm.tests.admin_forms import owner_not_superuser, page_data
from leads.models import Lead
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(owner_not_superuser())
    return client


def test_a_lead_added_in_the_admin_is_a_lead_and_logged(admin_client):
    add = reverse("admin:leads_lead_add")
    response = admin_client.post(add, {**page_data(admin_client.get(add)), "full_name": "Dana Scully"})
    assert response.status_code == 302
    lead = Lead.objects.get(full_name="Dana Scully")
    assert [e.action for e in record_services.changelog_for(lead)] == [ChangeLogEntry.Action.CREATE]


def test_a_stale_lead_page_is_refused(admin_client, other_staff):
    lead = LeadFactory(full_name="Dana Scully")
    url = reverse("admin:leads_lead_change", args=[lead.pk])
    data = page_data(admin_client.get(url))
    fresh = Lead.objects.get(pk=lead.pk)
    fresh.job_title = "Agent"
    record_services.record_update(instance=fresh, user=other_staff, expected_version=fresh.version)
    response = admin_client.post(url, {**data, "job_title": "Doctor"})
    assert "Bob Nowak changed this record while you were editing it." in response.content.decode()
    lead.refresh_from_db()
    assert lead.job_title == "Agent"
