"""The report pages as a user gets them: every report opens, its files
download with typed cells, its PDF has the table and the chart, saved reports
keep their options and obey their owner, and odd options get a message."""
import datetime
import re
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.tests.factories import UserFactory
from reports import registry
from reports.models import SavedReport
from sales.tests.factories import OpportunityFactory, stage

pytestmark = pytest.mark.django_db


def url(code: str, view: str = "report") -> str:
    report = registry.get(code)
    return reverse(f"reports:{view}", kwargs={"workspace": report.workspace, "code": code})


@pytest.fixture
def pipeline(staff, other_staff, shipped_stages):
    """Two open opportunities in Prospecting (alice), one in Negotiation (bob), one won."""
    today = timezone.localdate()
    prospecting, negotiation = stage(name="Prospecting"), stage(name="Negotiation")
    OpportunityFactory(title="A", stage=prospecting, assigned_to=staff, total=Decimal("1000.00"),
                       expected_revenue=Decimal("100.00"), close_date=today)
    OpportunityFactory(title="B", stage=prospecting, assigned_to=staff, total=Decimal("500.50"),
                       expected_revenue=Decimal("50.05"), close_date=None)
    OpportunityFactory(title="C", stage=negotiation, assigned_to=other_staff, total=Decimal("2000.00"),
                       expected_revenue=Decimal("1600.00"), close_date=today)
    OpportunityFactory(title="W", stage=stage("won"), assigned_to=staff, total=Decimal("9999.00"),
                       expected_revenue=Decimal("9999.00"), close_date=today)


@pytest.mark.django_db(transaction=True)
def test_every_report_opens_with_its_defaults(staff_client, pipeline, django_assert_max_num_queries):
    """Within 10 queries, as in use: outside a transaction, where the filters'
    and groupings' reference lists come from the cache (crm.generic.counts)."""
    for report in registry.all_reports():
        staff_client.get(url(report.code))  # the first request fills the cache
        with django_assert_max_num_queries(10):
            response = staff_client.get(url(report.code))
        assert response.status_code == 200, report.code
        assert str(report.title) in response.text


def test_each_workspace_lists_its_reports_and_the_index_lists_all(staff_client):
    sales = staff_client.get(reverse("reports:sales"))
    assert "Pipeline by Sales Stage" in sales.text and "Projects by Status" not in sales.text
    assert "Leads by Marketing Activity" in staff_client.get(reverse("reports:marketing")).text
    index = staff_client.get(reverse("reports:index")).text
    assert all(str(r.title) in index for r in registry.all_reports())


def test_reports_need_a_signed_in_user(client):
    response = client.get(url("pipeline-by-stage"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_pipeline_page_shows_every_open_stage_with_its_figures_and_links(staff_client, pipeline):
    page = staff_client.get(url("pipeline-by-stage")).text
    assert "Qualification" in page  # an empty stage is a row of zeros
    assert "1,500.50" in page and "3,500.50" in page  # Prospecting's total, the total row
    assert "9,999.00" not in page  # the won opportunity is not pipeline
    assert 'data-testid="report-chart"' in page and "<svg" in page
    prospecting = stage(name="Prospecting")
    link = f'/opportunities/?status=open&amp;stage={prospecting.pk}'
    assert link in page
    listed = staff_client.get(f"/opportunities/?status=open&stage={prospecting.pk}").text
    assert ">A<" in listed or "A</a>" in listed
    assert "W</a>" not in listed


@pytest.mark.parametrize("query, option", [
    ("?group=nothing", "Group by"),
    ("?group=stage&sort=group&columns=count&period=custom&date_from=2026-05-01&date_to=2026-04-01", "To"),
    ("?group=stage&sort=group&columns=count&period=custom&date_from=yesterday", "From"),
    ("?group=stage&sort=group", "Columns"),
    ("?colour=red", "colour"),
    ("?assigned_to=999999", "Assigned to"),
])
def test_odd_options_get_a_400_that_names_the_option(staff_client, pipeline, query, option):
    response = staff_client.get(url("pipeline-by-stage") + query)
    assert response.status_code == 400
    assert "This report cannot use these options" in response.text
    assert f"<strong>{option}</strong>" in response.text
    assert 'class="report-table' not in response.text


def test_unknown_report_or_workspace_is_a_404(staff_client):
    assert staff_client.get("/reports/sales/no-such-report/").status_code == 404
    assert staff_client.get(reverse("reports:report", kwargs={"workspace": "projects",
                                                              "code": "pipeline-by-stage"})).status_code == 404


def test_csv_has_the_table_and_xlsx_typed_cells(staff_client, pipeline):
    from openpyxl import load_workbook

    response = staff_client.get(url("pipeline-by-stage", "csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "Sales stage,Opportunities,Total,Expected revenue"
    assert "Prospecting,2,1500.50,150.05" in lines
    assert lines[-1] == "Total,3,3500.50,1750.05"

    response = staff_client.get(url("won-lost-by-period", "xlsx") + "?group=close_date_month&sort=group"
                                "&columns=won_count&columns=won_value&columns=win_rate&period=this_year")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Close month", "Won", "Won revenue", "Win rate (%)")
    month, won, value, rate = rows[1]
    assert isinstance(month, datetime.datetime) and month.day == 1  # a date cell, not text
    assert (won, value, rate) == (1, 9999, 100)


def test_pdf_has_the_table_and_the_chart(staff_client, pipeline):
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    response = staff_client.get(url("pipeline-by-stage", "pdf"))
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True,
                          check=True).stdout.decode()
    assert "Pipeline by Sales Stage" in text and "Prospecting" in text and "3,500.50" in text
    # The funnel is drawn as vector paths: its labels are text in the PDF too.
    assert text.count("1,500.50") >= 2  # once on the chart, once in the table


def test_save_as_keeps_the_options_and_lists_it_privately(staff_client, staff, other_staff, client, pipeline):
    query = "group=stage&sort=total&descending=on&columns=count&columns=total&assigned_to=%d" % staff.pk
    response = staff_client.post(url("pipeline-by-stage", "save"), {"name": "My Q4 pipeline", "options": query})
    saved = SavedReport.objects.get()
    assert response.status_code == 302 and response["Location"] == saved.get_absolute_url()
    assert (saved.owner, saved.workspace, saved.shared) == (staff, "sales", False)
    assert saved.options["assigned_to"] == [str(staff.pk)] and saved.options["descending"] == ["on"]
    page = staff_client.get(saved.get_absolute_url()).text
    assert "My Q4 pipeline" in page and "1,500.50" in page and "2,000.00" not in page  # bob's is filtered out
    assert "My Q4 pipeline" in staff_client.get(reverse("reports:sales")).text
    # Private: bob neither sees it listed nor opens it.
    client.force_login(other_staff)
    assert "My Q4 pipeline" not in client.get(reverse("reports:sales")).text
    assert client.get(saved.get_absolute_url()).status_code == 404


def test_a_shared_report_is_listed_for_everyone_but_changed_by_its_owner_only(client, staff, other_staff, pipeline):
    saved = SavedReport.objects.create(name="Team pipeline", report="pipeline-by-stage", workspace="sales",
                                       owner=staff, shared=True, options={"group": ["stage"], "sort": ["group"],
                                                                          "columns": ["count"]})
    client.force_login(other_staff)
    assert "Team pipeline" in client.get(reverse("reports:sales")).text
    assert client.get(saved.get_absolute_url()).status_code == 200
    response = client.post(reverse("reports:saved_change", kwargs={"pk": saved.pk}), {"name": "Mine now"})
    assert response.status_code == 302
    response = client.post(reverse("reports:saved_delete", kwargs={"pk": saved.pk}))
    saved.refresh_from_db()
    assert saved.name == "Team pipeline"  # nothing written
    client.force_login(staff)
    client.post(reverse("reports:saved_change", kwargs={"pk": saved.pk}),
                {"name": "Team pipeline Q4", "shared": "on", "options": "group=stage&sort=group&columns=total"})
    saved.refresh_from_db()
    assert (saved.name, saved.options["columns"]) == ("Team pipeline Q4", ["total"])
    client.post(reverse("reports:saved_delete", kwargs={"pk": saved.pk}))
    assert not SavedReport.objects.exists()


def test_save_as_without_a_name_or_with_a_taken_one_says_so(staff_client, staff, pipeline):
    query = "group=stage&sort=group&columns=count"
    response = staff_client.post(url("pipeline-by-stage", "save"), {"name": " ", "options": query})
    assert response.status_code == 400 and "This field is required." in response.text
    SavedReport.objects.create(name="Mine", report="pipeline-by-stage", workspace="sales", owner=staff)
    response = staff_client.post(url("pipeline-by-stage", "save"), {"name": "mine", "options": query})
    assert response.status_code == 400 and "You already have a saved report with this name." in response.text
    assert SavedReport.objects.count() == 1


def test_a_saved_option_that_no_longer_applies_is_dropped_with_a_notice(staff_client, staff, pipeline):
    gone = UserFactory(username="gone")
    saved = SavedReport.objects.create(
        name="Gone's pipeline", report="pipeline-by-stage", workspace="sales", owner=staff,
        options={"group": ["stage"], "sort": ["group"], "columns": ["count", "total", "old_column"],
                 "assigned_to": [str(gone.pk)]})
    gone.delete()
    response = staff_client.get(saved.get_absolute_url())
    assert response.status_code == 200
    assert "These saved options no longer apply and were left out" in response.text
    assert "Assigned to" in response.text and "Columns" in response.text
    assert "3,500.50" in response.text  # the report, without the dropped options


def test_saved_report_pages_of_a_missing_one_are_404(staff_client):
    assert staff_client.get(reverse("reports:saved", kwargs={"pk": 424242})).status_code == 404


def test_no_get_changes_a_saved_report(staff_client, staff):
    saved = SavedReport.objects.create(name="Keep", report="pipeline-by-stage", workspace="sales", owner=staff)
    assert staff_client.get(reverse("reports:saved_delete", kwargs={"pk": saved.pk})).status_code == 405
    assert staff_client.get(reverse("reports:saved_change", kwargs={"pk": saved.pk})).status_code == 405
    assert SavedReport.objects.filter(name="Keep").exists()


def test_the_reports_tab_is_active_on_a_report_page(staff_client):
    page = staff_client.get(url("projects-by-status")).text
    assert 'class="nav-link active" href="/reports/projects/"' in page


def test_columns_in_the_link_without_other_options_are_kept(staff_client, pipeline):
    """A link naming only the columns (e.g. from a bookmark) shows those columns, with the other defaults."""
    page = staff_client.get(url("pipeline-by-stage") + "?columns=total").text
    assert '<th scope="col" class="text-end">Total</th>' in page
    assert '<th scope="col" class="text-end">Opportunities</th>' not in page


def test_sales_activities_overdue_counts_activities_and_links_their_opportunities(staff_client, staff, other_staff,
                                                                                   shipped_stages):
    """Proposal's activities fall due 3 and 10 days after entering it (3 + 7)."""
    from sales.models import ActivityDone, SalesActivity

    today = timezone.localdate()
    proposal = stage(name="Proposal")
    both = OpportunityFactory(title="Both late", stage=proposal, assigned_to=staff,
                              stage_entered_on=today - datetime.timedelta(days=20))
    OpportunityFactory(title="One late", stage=proposal, assigned_to=staff,
                       stage_entered_on=today - datetime.timedelta(days=5))
    ticked = OpportunityFactory(title="Done", stage=proposal, assigned_to=other_staff,
                                stage_entered_on=today - datetime.timedelta(days=5))
    ActivityDone.objects.create(opportunity=ticked, activity=SalesActivity.objects.get(name="Send the proposal"))
    OpportunityFactory(title="On time", stage=proposal, assigned_to=other_staff, stage_entered_on=today)
    OpportunityFactory(title="Closed", stage=stage("won"), assigned_to=other_staff,
                       stage_entered_on=today - datetime.timedelta(days=30))
    page = staff_client.get(url("sales-activities-overdue")).text
    row = re.search(r'<tr>\s*<th scope="row" class="fw-normal"><a href="([^"]+)">Alice Martin</a></th>(.*?)</tr>',
                    page, re.S)
    assert row, page
    assert re.findall(r">(\d+)</a></td>", row.group(2)) == ["3", "2"]  # 3 activities on 2 opportunities
    table = page[page.index('<table class="table table-sm table-hover'):page.index("</table>")]
    assert "Bob Nowak" not in table  # his is done or not due yet
    listed = staff_client.get(row.group(1).replace("&amp;", "&")).text
    assert "Both late" in listed and "One late" in listed and "On time" not in listed
    assert both.pk


def test_a_saved_report_prints_under_its_name(staff_client, staff, pipeline):
    """Its page's Print/PDF link adds the name as the title: a PDF, not a 400 for an unknown option."""
    saved = SavedReport.objects.create(name="Q4 for Alice", report="pipeline-by-stage", workspace="sales",
                                       owner=staff, options={"group": ["stage"], "sort": ["group"],
                                                             "columns": ["count"]})
    page = staff_client.get(saved.get_absolute_url()).text
    href = re.search(r'href="(/reports/sales/pipeline-by-stage/pdf/\?[^"]+)"', page).group(1).replace("&amp;", "&")
    assert "title=Q4" in href
    response = staff_client.get(href)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "q4-for-alice" in response["Content-Disposition"]
