"""The dashboard (home page): the signed-in user's pipeline, forecast, newest
leads, open and overdue tasks; the team's figures for the database owner;
each panel linking to its report or list; a query count that does not grow."""
import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import HistoryItem
from leads.tests.factories import LeadFactory
from projects.tests.factories import ProjectTaskFactory
from sales.tests.factories import OpportunityFactory, stage

pytestmark = pytest.mark.django_db


def panel(page: str, key: str) -> str:
    found = re.search(rf'data-panel="{key}">(.*?)</section>', page, re.S)
    assert found, f"no panel {key}"
    return found.group(1)


@pytest.fixture
def mine_and_theirs(staff, other_staff, shipped_stages):
    today = timezone.localdate()
    next_month = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=15)
    OpportunityFactory(title="Mine", stage=stage(name="Proposal"), assigned_to=staff, total=Decimal("4000.00"),
                       expected_revenue=Decimal("2000.00"), close_date=next_month)
    OpportunityFactory(title="Theirs", stage=stage(name="Proposal"), assigned_to=other_staff, total=Decimal("7000.00"),
                       expected_revenue=Decimal("3500.00"), close_date=next_month)
    OpportunityFactory(title="Won", stage=stage("won"), assigned_to=staff, total=Decimal("1000.00"), close_date=today)
    LeadFactory(full_name="Lena Lead", assigned_to=staff)
    LeadFactory(full_name="Other Lead", assigned_to=other_staff)
    ProjectTaskFactory(subject="Late task", assigned_to=staff, due_date=today - datetime.timedelta(days=2))
    ProjectTaskFactory(subject="Bob's late task", assigned_to=other_staff, due_date=today - datetime.timedelta(days=2))
    HistoryItem.objects.create(kind=HistoryItem.Kind.TASK, subject="Call back", assigned_to=staff, author=staff,
                               due_date=today - datetime.timedelta(days=1), status=HistoryItem.TaskStatus.NOT_STARTED)


def test_the_dashboard_shows_my_panels_only(staff_client, staff, mine_and_theirs):
    page = staff_client.get(reverse("crm:home")).text
    pipeline = panel(page, "my_pipeline")
    assert "4,000.00" in pipeline and "7,000.00" not in pipeline and 'data-testid="report-chart"' in pipeline
    assert "2,000.00" in panel(page, "my_forecast")
    assert "Lena Lead" in panel(page, "newest_leads") and "Other Lead" not in page
    late = panel(page, "my_overdue_project_tasks")
    assert "Late task" in late and "Overdue" in late and "Bob&#x27;s late task" not in page
    assert "Call back" in panel(page, "my_tasks")
    assert 'data-panel="team"' not in page  # the team's figures are the owner's


def test_each_panel_links_to_its_report_or_list(staff_client, staff, mine_and_theirs):
    page = staff_client.get(reverse("crm:home")).text
    pipeline_link = re.search(r'id="panel-my_pipeline"><a href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert pipeline_link.startswith("/reports/sales/pipeline-by-stage/?")
    report = staff_client.get(pipeline_link)
    assert report.status_code == 200 and "4,000.00" in report.text and "7,000.00" not in report.text
    tasks_link = re.search(r'id="panel-my_overdue_project_tasks"><a href="([^"]+)"', page).group(1)
    listed = staff_client.get(tasks_link.replace("&amp;", "&")).text
    assert "Late task" in listed and "late task" not in listed.replace("Late task", "")
    leads_link = re.search(r'id="panel-newest_leads"><a href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert "Lena Lead" in staff_client.get(leads_link).text


def test_the_owner_sees_the_team_this_quarter(owner_client, owner, staff, other_staff, mine_and_theirs):
    page = owner_client.get(reverse("crm:home")).text
    team = panel(page, "team")
    assert "Alice Martin" in team and "Bob Nowak" in team
    assert "1,000.00" in team  # Alice's won revenue this quarter


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_query_count_does_not_grow(client, staff, shipped_stages, django_assert_max_num_queries):
    """In use (outside a test transaction the reference lists come from the cache)."""
    client.force_login(staff)
    today = timezone.localdate()
    for size in (3, 30):
        for n in range(size):
            OpportunityFactory(stage=stage(name="Proposal"), assigned_to=staff, total=Decimal("10.00"),
                               close_date=today)
            LeadFactory(assigned_to=staff)
            ProjectTaskFactory(assigned_to=staff, due_date=today - datetime.timedelta(days=1))
        client.get(reverse("crm:home"))
        with django_assert_max_num_queries(14):
            assert client.get(reverse("crm:home")).status_code == 200
