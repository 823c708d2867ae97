"""What a report asks the database (bench/reports.py measures it at 100,000
opportunities and 200,000 leads; bench/README.md, "Reports"): one grouped
query by the group's key, only the figures it shows, the total from the
groups, and one read of the data version per page."""
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from crm.tests.factories import AccountFactory, CategoryFactory, UserFactory
from leads.tests.factories import LeadFactory
from reports import registry
from sales.tests.factories import OpportunityFactory, StageFactory, create_won_opportunity, stage


def compute(code: str, query: str = ""):
    """The report's result and the SQL of the queries it took."""
    report = registry.get(code)(QueryDict(query))
    assert report.is_valid(), report.errors()
    with CaptureQueriesContext(connection) as ctx:
        result = report.compute()
    return result, [q["sql"] for q in ctx.captured_queries]


def table(result) -> list[tuple]:
    return [(row.label, *[cell.value for cell in row.cells]) for row in result.rows]


@pytest.mark.django_db(transaction=True)
def test_a_report_page_reads_the_data_version_once(owner_client, staff):
    """The options form offers stages, people, types, sources, categories and
    activities, each from the cache under the data version (this test commits:
    inside a transaction nothing is cached): the page reads that version once
    for all of them, as a list page does."""
    # (A stage of its own: a test that commits may run after another one emptied the shipped stages.)
    OpportunityFactory(account=AccountFactory(), stage=StageFactory(), assigned_to=staff).categories.add(
        CategoryFactory(name="Partner"))
    url = "/reports/sales/pipeline-by-stage/"
    owner_client.get(url)  # fills the cache
    with CaptureQueriesContext(connection) as ctx:
        response = owner_client.get(url)
    assert response.status_code == 200
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert sum("crm_dataversion" in sql for sql in sqls) == 1
    assert len(sqls) <= 8


@pytest.mark.django_db
def test_groups_by_the_person_not_by_their_names(staff, other_staff):
    """The leads are grouped by the user's id alone; each group's name is looked
    up once (not joined to every lead and grouped by): same names, same order."""
    other_staff.is_active = False
    other_staff.save()
    LeadFactory.create_batch(3, assigned_to=staff)
    LeadFactory.create_batch(2, assigned_to=other_staff)
    LeadFactory(assigned_to=None)
    result, sqls = compute("leads-by-assigned-to")
    assert table(result) == [("Alice Martin", 3), ("Bob Nowak (inactive)", 2), ("Unassigned", 1)]
    grouped = sqls[0]
    assert "JOIN" not in grouped
    assert re.search(r"GROUP BY 1 ORDER BY", grouped), grouped


@pytest.mark.django_db
def test_only_the_chosen_figures_and_what_they_need_are_computed(staff):
    LeadFactory(assigned_to=staff, score=3)
    _result, sqls = compute("leads-by-assigned-to")
    assert "AVG(" not in sqls[0]
    result, sqls = compute("leads-by-assigned-to", "group=assigned_to&sort=group&columns=count&columns=average_score")
    assert "AVG(" in sqls[0]
    assert table(result) == [("Alice Martin", 1, Decimal("3.0"))]
    # A win rate needs the won and lost counts, shown or not.
    create_won_opportunity(account=AccountFactory(), assigned_to=staff)
    OpportunityFactory(account=AccountFactory(), stage=stage("lost"), assigned_to=staff)
    result, sqls = compute("opportunities-by-assigned-to", "group=assigned_to&sort=group&columns=win_rate")
    assert table(result) == [("Alice Martin", Decimal("50.0"))]
    assert "figure_won_count" in sqls[0] and "figure_lost_count" in sqls[0] and "figure_won_value" not in sqls[0]


@pytest.mark.django_db
def test_the_total_row_adds_up_the_groups_without_a_second_query(staff, owner):
    LeadFactory.create_batch(3, assigned_to=staff)
    LeadFactory.create_batch(2, assigned_to=owner)
    result, sqls = compute("leads-by-assigned-to")
    assert len(sqls) == 1
    assert [cell.value for cell in result.total.cells] == [5]
    # A contact in two categories counts in both groups, once in the total: that one the database counts.
    partner, supplier = CategoryFactory(name="Partner"), CategoryFactory(name="Supplier")
    account = AccountFactory()
    account.categories.add(partner, supplier)
    result, sqls = compute("accounts-by-category")
    assert table(result) == [("Partner", 1), ("Supplier", 1)]
    assert [cell.value for cell in result.total.cells] == [1]


@pytest.mark.django_db
def test_opportunities_by_account_opens_with_the_top_25():
    """With every account (10,000 of them) the page took 7 s; it opens with the 25
    with the most business, says how many more there are, and totals them all,
    in as many queries for 5 accounts as for 30."""
    for number in range(1, 31):
        OpportunityFactory(account=AccountFactory(name=f"Account {number:02d}"), total=Decimal(number * 100))
    result, sqls = compute("opportunities-by-account")
    assert [row.label for row in result.rows] == [f"Account {n:02d}" for n in range(30, 5, -1)]
    assert result.hidden_groups == 5
    assert result.total.cells[0].value == 30
    assert result.total.cells[1].value == Decimal("46500.00")
    report = registry.get("opportunities-by-account")(QueryDict(""))
    assert report.form["limit"].value() == "25"
    queries_at_30 = len(sqls)
    from sales.models import Opportunity

    Opportunity.objects.filter(total__gt=500).delete()
    result, sqls = compute("opportunities-by-account")
    assert len(result.rows) == 5 and result.hidden_groups == 0
    assert len(sqls) == queries_at_30


@pytest.mark.django_db
def test_a_date_range_on_a_date_and_time_compares_the_field_itself(staff):
    """"Created" from the 10th to the 12th: the days in the local time zone, as
    bounds on the column (an index walks them), not the day of every lead
    worked out one by one."""
    import datetime

    from django.utils import timezone

    from leads.models import Lead

    def created(day: int, hour: int, minute: int):
        lead = LeadFactory(assigned_to=staff)
        moment = timezone.make_aware(datetime.datetime(2026, 3, day, hour, minute))
        Lead.objects.filter(pk=lead.pk).update(created=moment)

    created(9, 23, 59)
    created(10, 0, 0)
    created(12, 23, 59)
    created(13, 0, 0)
    result, sqls = compute("leads-by-assigned-to",
                           "group=assigned_to&sort=group&columns=count&period=custom&date_from=2026-03-10"
                           "&date_to=2026-03-12")
    assert table(result) == [("Alice Martin", 2)]
    assert not any("cast_date" in sql or "AT TIME ZONE" in sql for sql in sqls), sqls


@pytest.mark.django_db
def test_months_and_quarters_of_a_date_column():
    """Grouped by close month or quarter: the same first days as Django's
    TruncMonth/TruncQuarter, worked out by SQLite's own date() (not a Python
    function called for every opportunity)."""
    import datetime

    from django.db.models.functions import TruncMonth, TruncQuarter

    from reports.dimensions import MonthStart, QuarterStart
    from sales.models import Opportunity

    for day in ["2024-02-29", "2026-01-01", "2026-03-31", "2026-04-01", "2026-06-30", "2026-09-15", "2026-12-31"]:
        OpportunityFactory(account=AccountFactory(), close_date=datetime.date.fromisoformat(day))
    rows = Opportunity.objects.annotate(month=MonthStart("close_date"), quarter=QuarterStart("close_date"),
                                        django_month=TruncMonth("close_date"), django_quarter=TruncQuarter("close_date"))
    values = list(rows.values_list("close_date", "month", "quarter", "django_month", "django_quarter"))
    assert all(month == django_month and quarter == django_quarter for _d, month, quarter, django_month, django_quarter
               in values), values
    assert (datetime.date(2026, 3, 31), datetime.date(2026, 3, 1), datetime.date(2026, 1, 1)) in [v[:3] for v in values]
    _result, sqls = compute("won-lost-by-period", "group=close_date_quarter&sort=group&columns=won_count")
    if connection.vendor == "sqlite":
        assert "django_date_trunc" not in sqls[0] and "start of month" in sqls[0]


@pytest.mark.django_db
@pytest.mark.parametrize("code, table", [
    ("leads-by-assigned-to-and-rating", "crm_businesscontact"),
    ("leads-by-source", "crm_businesscontact"),
    ("leads-by-marketing-activity", "crm_businesscontact"),
    ("pipeline-by-stage", "sales_opportunity"),
    ("opportunities-by-assigned-to", "sales_opportunity"),
    ("opportunities-by-account", "sales_opportunity"),
    ("opportunities-by-source", "sales_opportunity"),
])
def test_a_report_reads_an_index_alone(code, table):
    """The reports' groupings have indexes that hold every column their figures
    need (crm 0016, sales 0011), so the database never reads the wide rows:
    SQLite's plan says "COVERING INDEX" wherever it reads the records."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's query plan")
    _result, sqls = compute(code)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sqls[0].replace("%", "%%"))
        reads = [row[-1] for row in cursor.fetchall() if f" {table} " in f"{row[-1]} "]
    assert reads and all("COVERING INDEX" in read for read in reads), reads
