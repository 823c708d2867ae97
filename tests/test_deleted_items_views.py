"""The Deleted items page of each workspace lists the record types of its own tabs."""
import pytest

from crm import services as crm_services
from crm.tests.factories import AccountFactory, ContactFactory, HistoryItemFactory, link
from crm.tests.test_deleted_items_views import bin_url, deleted, text
from leads.tests.factories import LeadFactory
from projects.tests.factories import ProjectFactory, ProjectTaskFactory
from sales.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


class TestDeletedItemsPage:
    def test_each_workspace_lists_its_own_record_types_and_their_history_items(self, staff_client, owner):
        contact = ContactFactory(full_name="Anna Hansen")
        deleted(owner, AccountFactory(name="Litware"), ContactFactory(full_name="Bo Berg"),
                LeadFactory(full_name="Lena Lead"), OpportunityFactory(title="Fleet deal"))
        crm_services.history_item_delete(item=link(HistoryItemFactory(subject="Call Anna"), contact), user=owner)
        contacts = text(staff_client.get(bin_url("contacts")))
        assert "Litware" in contacts and "Bo Berg" in contacts and "Call Anna" in contacts
        assert "Lena Lead" not in contacts and "Fleet deal" not in contacts
        assert "4 deleted items" not in contacts and "3 deleted items" in contacts
        sales = text(staff_client.get(bin_url("sales")))
        assert "Lena Lead" in sales and "Fleet deal" in sales and "Litware" not in sales
        assert "Lead" in sales and "Opportunity" in sales  # the type column
        assert staff_client.get(bin_url("nowhere")).status_code == 404

    def test_the_projects_workspace_lists_its_projects_and_tasks(self, staff_client, owner):
        project = ProjectFactory(name="Office move")
        deleted(owner, ProjectTaskFactory(subject="Order the cables", project=project),
                ProjectFactory(name="Roof repair"), OpportunityFactory(title="Fleet deal"))
        projects = text(staff_client.get(bin_url("projects")))
        assert "Order the cables" in projects and "Roof repair" in projects and "Fleet deal" not in projects
        assert "Business project" in projects and "Project task" in projects  # the type column
        assert "Roof repair" not in text(staff_client.get(bin_url("sales")))
