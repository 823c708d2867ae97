"""Every report's figures against counts and sums worked out in Python from
the records the test made (reports/tests/factories.py), never from the
aggregate queries the reports run; and the links behind the figures, followed
with the test client, list exactly the records each figure counts."""
from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from crm.models import Category, ListValue
from reports import registry
from sales.models import SalesStage

from . import factories as worlds
from .factories import PEOPLE_LABELS, month, today

OPEN_STAGES = ["Prospecting", "Qualification", "Proposal", "Negotiation"]  # as shipped, in their order
SOURCES = ["Advertisement", "E-mail marketing", "Event", "Partner", "Web", "Word of mouth", "Other"]
STARS = ["5 stars", "4 stars", "3 stars", "2 stars", "1 star", "No stars"]
ALICE, BOB, ZED, NOBODY = (PEOPLE_LABELS[k] for k in ("alice", "bob", "zed", None))
PEOPLE_ORDER = [ALICE, BOB, ZED, NOBODY]


# --- running a report -------------------------------------------------------------------------

def run(code: str, **options):
    report = registry.get(code)(options)
    assert report.is_valid(), report.errors()
    return report.compute()


def table(result) -> dict:
    return {row.label: [cell.value for cell in row.cells] for row in result.rows}


def labels(result) -> list[str]:
    return [row.label for row in result.rows]


def totals(result) -> list:
    return [cell.value for cell in result.total.cells]


def row(result, label):
    return next(r for r in result.rows if r.label == label)


# --- the independent figures ------------------------------------------------------------------

def money(values) -> Decimal:
    return sum(values, Decimal(0))


def one_decimal(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), ROUND_HALF_UP)


def win_rate(won: int, lost: int) -> Decimal | None:
    return None if not won + lost else one_decimal(Decimal(100 * won) / Decimal(won + lost))


def average(values) -> Decimal | None:
    values = list(values)
    return None if not values else one_decimal(Decimal(sum(values)) / Decimal(len(values)))


def opportunity_figures(facts) -> dict:
    won = [f for f in facts if f.status == "won"]
    lost = [f for f in facts if f.status == "lost"]
    return {"count": len(facts), "total": money(f.total for f in facts), "expected": money(f.expected for f in facts),
            "won_count": len(won), "won_value": money(f.total for f in won), "lost_count": len(lost),
            "lost_value": money(f.total for f in lost), "win_rate": win_rate(len(won), len(lost))}


def lead_figures(facts) -> dict:
    return {"count": len(facts), "average_score": average(f.score for f in facts)}


def project_figures(facts) -> dict:
    return {"count": len(facts), "percent_complete": average(f.percent for f in facts)}


def count_figures(facts) -> dict:
    return {"count": len(facts)}


def grouped(facts, group_of, domain=()) -> dict:
    """{group label: [facts]}: a fact in each group ``group_of`` names; every
    group of ``domain`` present, empty or not."""
    groups = {label: [] for label in domain}
    for fact in facts:
        for label in group_of(fact):
            groups.setdefault(label, []).append(fact)
    return groups


def expected_table(groups: dict, figures, columns) -> dict:
    return {label: [figures(facts)[c] for c in columns] for label, facts in groups.items()}


# What each figure counts, for its link: won revenue only the won, a win rate the closed.
FIGURE_SCOPE = {"won_count": {"won"}, "won_value": {"won"}, "lost_count": {"lost"}, "lost_value": {"lost"},
                "win_rate": {"won", "lost"}}


def counted(facts, column_key) -> list:
    scope = FIGURE_SCOPE.get(column_key)
    return [f for f in facts if scope is None or f.status in scope]


# Group labels of a fact, one function per grouping.
def person(fact):
    return [PEOPLE_LABELS[fact.who]]


def categories(fact):
    return list(fact.categories) or ["No category"]


def month_label(day):
    return "No date" if day is None else date_format(day.replace(day=1), "YEAR_MONTH_FORMAT")


def quarter_label(day):
    return "No date" if day is None else f"Q{(day.month - 1) // 3 + 1} {day.year}"


def stage_label(fact):
    return [{"won": "Closed Won", "lost": "Closed Lost", None: "No stage"}.get(fact.stage, fact.stage)]


def star(fact):
    return [STARS[5 - fact.score]]


def source(fact):
    return [fact.source or "No source"]


def priority(fact):
    return [fact.priority.title()]


def total_of(facts) -> Decimal:
    return money(f.total for f in facts)


def won_total(facts) -> Decimal:
    return money(f.total for f in facts if f.status == "won")


# --- the record lists behind the links --------------------------------------------------------

class Lists:
    """Follows figure links as the signed-in user; each URL once."""

    def __init__(self, client):
        self.client = client
        self.seen = {}

    def ids(self, url: str) -> set:
        if url not in self.seen:
            response = self.client.get(url)
            assert response.status_code == 200, url
            ids = {obj.pk for obj in response.context["page"].object_list}
            assert response.context["count"] == len(ids), url  # one page: the count is every record
            self.seen[url] = ids
        return self.seen[url]

    def check_rows(self, result, groups: dict, *, linked=None):
        """Every row's link and every figure's link list exactly that group's
        records the figure counts; ``linked`` (default: every row) are the
        labels that must have links (the others must have none)."""
        for r in result.rows:
            should_link = linked is None or r.label in linked
            assert (r.url is not None) == should_link, r.label
            if not should_link:
                assert all(c.url is None for c in r.cells), r.label
                continue
            facts = groups.get(r.label, [])
            assert self.ids(r.url) == {f.pk for f in facts}, (r.label, r.url)
            for column, c in zip(result.columns, r.cells):
                assert self.ids(c.url) == {f.pk for f in counted(facts, column.key)}, (r.label, column.key, c.url)

    def check_total(self, result, facts):
        for column, c in zip(result.columns, result.total.cells):
            assert self.ids(c.url) == {f.pk for f in counted(facts, column.key)}, (column.key, c.url)


@pytest.fixture
def lists(staff_client):
    return Lists(staff_client)


@pytest.fixture
def sales(staff, other_staff):
    return worlds.sales_world(staff, other_staff)


@pytest.fixture
def leads(staff, other_staff):
    return worlds.leads_world(staff, other_staff)


@pytest.fixture
def people(staff, other_staff):
    return worlds.contacts_world(staff, other_staff)


@pytest.fixture
def projects(staff, other_staff):
    return worlds.projects_world(staff, other_staff)


def of_kind(world, kind):
    return [f for f in world.facts if f.kind == kind]


def pk_of(world, who):
    return world.users[who].pk


# === Sales: the pipeline =====================================================================

def open_facts(world):
    return [f for f in world.facts if f.status == "open"]


def test_pipeline_by_stage_shows_every_open_stage_with_zeros(sales, lists):
    result = run("pipeline-by-stage")
    columns = ["count", "total", "expected"]
    assert [c.key for c in result.columns] == columns
    assert labels(result) == OPEN_STAGES + ["No stage"]
    groups = grouped(open_facts(sales), stage_label, OPEN_STAGES)
    assert table(result) == expected_table(groups, opportunity_figures, columns)
    assert totals(result) == [opportunity_figures(open_facts(sales))[c] for c in columns]
    # Worked out by hand from OPPORTUNITIES, so the test's own sums are checked too.
    assert table(result)["Prospecting"] == [2, Decimal("1400.00"), Decimal("140.00")]
    assert table(result)["Negotiation"] == [0, Decimal("0.00"), Decimal("0.00")]
    assert totals(result) == [6, Decimal("4800.50"), Decimal("1760.25")]
    assert result.chart_kind == "funnel" and result.chart_measure.key == "total"
    lists.check_rows(result, groups)
    lists.check_total(result, open_facts(sales))


def test_pipeline_by_person_largest_total_first(sales, lists):
    result = run("pipeline-by-stage", group="assigned_to", columns=["count", "total"], sort="total", descending="on")
    groups = grouped(open_facts(sales), person)
    assert table(result) == expected_table(groups, opportunity_figures, ["count", "total"])
    # Gus's record (his user deleted) is unassigned, beside the one never assigned.
    assert table(result)[NOBODY] == [2, Decimal("200.00")]
    assert labels(result) == [ALICE, ZED, BOB, NOBODY]  # 3500.50, 700.00, 400.00, 200.00
    # A deactivated user's group keeps the name but links nowhere (the list cannot filter by them).
    lists.check_rows(result, groups, linked={ALICE, BOB, NOBODY})


def test_pipeline_in_a_date_range_leaves_out_the_undated(sales, lists):
    start, end = month(0, 1), month(2, 28)
    result = run("pipeline-by-stage", period="custom", date_from=start.isoformat(), date_to=end.isoformat(),
                 group="stage", columns=["count", "expected"], sort="group")
    facts = [f for f in open_facts(sales) if f.close is not None and start <= f.close <= end]
    assert {f.name for f in facts} == {"o01", "o02", "o05"}
    groups = grouped(facts, stage_label, OPEN_STAGES)
    assert table(result) == expected_table(groups, opportunity_figures, ["count", "expected"])
    assert labels(result) == OPEN_STAGES  # nothing without a stage closes in the range
    assert result.period == (start, end)
    lists.check_rows(result, groups)
    lists.check_total(result, facts)


def test_pipeline_by_close_month_puts_the_undated_in_no_date(sales, lists):
    result = run("pipeline-by-stage", group="close_date_month", columns=["count", "total"], sort="group")
    groups = grouped(open_facts(sales), lambda f: [month_label(f.close)])
    assert table(result) == expected_table(groups, opportunity_figures, ["count", "total"])
    dated = sorted({f.close.replace(day=1) for f in open_facts(sales) if f.close})
    assert labels(result) == [month_label(d) for d in dated] + ["No date"]
    assert table(result)["No date"] == [1, Decimal("400.00")]
    assert row(result, month_label(month(0))).typed == month(0)
    lists.check_rows(result, groups, linked=set(groups) - {"No date"})


def test_pipeline_filtered_by_category_counts_each_record_once(sales, lists):
    key = sales.categories["Key"]
    result = run("pipeline-by-stage", category=str(key.pk))
    facts = [f for f in open_facts(sales) if "Key" in f.categories]
    assert {f.name for f in facts} == {"o01", "o02"}
    groups = grouped(facts, stage_label, OPEN_STAGES)
    assert table(result) == expected_table(groups, opportunity_figures, ["count", "total", "expected"])
    lists.check_rows(result, groups)
    lists.check_total(result, facts)


def test_pipeline_filtered_by_stage_links_no_other_stage(sales, lists):
    """Every open stage still shows; the others' figures are zero and link to
    nothing (a list of another stage would show records the report left out)."""
    prospecting = SalesStage.objects.get(name="Prospecting")
    result = run("pipeline-by-stage", stage=str(prospecting.pk))
    facts = [f for f in open_facts(sales) if f.stage == "Prospecting"]
    groups = grouped(facts, stage_label, OPEN_STAGES)
    assert table(result) == expected_table(groups, opportunity_figures, ["count", "total", "expected"])
    lists.check_rows(result, groups, linked={"Prospecting"})


# === Sales: the forecast (a pivot) ===========================================================

def pivot(result) -> dict:
    names = result.series + ["Total"]
    return {r.label: dict(zip(names, [c.value for c in r.cells])) for r in result.rows}


def expected_pivot(groups: dict, then_of, series, figure) -> dict:
    return {label: {**{s: figure([f for f in facts if s in then_of(f)]) for s in series}, "Total": figure(facts)}
            for label, facts in groups.items()}


def column_totals(facts, then_of, series, figure) -> list:
    return [figure([f for f in facts if s in then_of(f)]) for s in series] + [figure(facts)]


def check_pivot_links(lists, result, groups, then_of, facts, *, linked_series=None, unlinked_rows=()):
    """Cells (non-zero ones), row totals and column totals link to exactly
    the records their figure counts; ``unlinked_rows`` and ``linked_series``
    say which rows and series must link nowhere (or somewhere)."""
    series = result.series
    facts = counted(facts, result.chart_measure.key)
    for r in result.rows:
        if r.label in unlinked_rows:
            assert r.url is None and all(c.url is None for c in r.cells), r.label
            continue
        in_row = counted(groups[r.label], result.chart_measure.key)
        for name, c in zip(series, r.cells):
            if c.url is not None:
                assert lists.ids(c.url) == {f.pk for f in in_row if name in then_of(f)}, (r.label, name)
            else:
                assert not c.value or (linked_series is not None and name not in linked_series), (r.label, name)
        assert lists.ids(r.cells[-1].url) == {f.pk for f in in_row}, r.label
    for name, c in zip(series, result.total.cells):
        if c.url is not None:
            assert lists.ids(c.url) == {f.pk for f in facts if name in then_of(f)}, name
    assert lists.ids(result.total.cells[-1].url) == {f.pk for f in facts}


def expected_money(facts):
    return money(f.expected for f in facts)


def test_forecast_by_month_and_stage_over_the_next_three_months(sales, lists):
    result = run("forecast-by-month")
    start, end = month(0, 1), month(3, 1)  # the last day is the day before month(3, 1)
    facts = [f for f in open_facts(sales) if f.close is not None and start <= f.close < end]
    assert {f.name for f in facts} == {"o01", "o02", "o05"}  # not the undated, last month's, nor month(3)'s
    assert result.series == OPEN_STAGES  # every open stage, none with an expected revenue or not
    assert [c.label for c in result.columns] == OPEN_STAGES + ["Total"]
    groups = grouped(facts, lambda f: [month_label(f.close)])
    assert labels(result) == [month_label(month(n)) for n in range(3)]
    assert pivot(result) == expected_pivot(groups, stage_label, OPEN_STAGES, expected_money)
    assert totals(result) == column_totals(facts, stage_label, OPEN_STAGES, expected_money)
    assert totals(result)[-1] == Decimal("1700.25")
    assert result.chart_kind == "column" and result.chart_measure.key == "expected"
    check_pivot_links(lists, result, groups, stage_label, facts)


def test_forecast_by_month_and_person_any_time(sales, lists):
    result = run("forecast-by-month", period="", group="close_date_month", then_by="assigned_to",
                 columns=["count", "total"], sort="group")
    facts = open_facts(sales)
    series = [ALICE, BOB, ZED, NOBODY]  # by name, unassigned last
    assert result.series == series
    assert [c.label for c in result.columns] == series + ["Total"]
    assert result.chart_measure.key == "count"  # the first column that adds up
    groups = grouped(facts, lambda f: [month_label(f.close)])
    dated = sorted({f.close.replace(day=1) for f in facts if f.close})
    assert labels(result) == [month_label(d) for d in dated] + ["No date"]
    count = len
    assert pivot(result) == expected_pivot(groups, person, series, count)
    assert totals(result) == column_totals(facts, person, series, count)
    # The undated row links nowhere (a list cannot ask for "no close date"); its cells neither.
    check_pivot_links(lists, result, groups, person, facts, linked_series={ALICE, BOB, NOBODY},
                      unlinked_rows={"No date"})


def test_pivot_sorted_by_another_figure_than_its_own(sales):
    """Sorted by a figure the pivot does not show (by count, showing expected
    revenue), the groups go by their row total, largest first; it used to
    stop with a FieldError (a 500)."""
    result = run("forecast-by-month", period="", group="close_date_month", then_by="stage", columns=["expected"],
                 sort="count", descending="on")
    row_totals = [r.cells[-1].value for r in result.rows]
    assert row_totals == sorted(row_totals, reverse=True)
    facts = open_facts(sales)
    groups = grouped(facts, lambda f: [month_label(f.close)])
    assert {label: values["Total"] for label, values in pivot(result).items()} == {
        label: expected_money(fs) for label, fs in groups.items()}


# === Sales: opportunities by person, account, source, activity ===============================

def test_opportunities_by_person_open_won_lost_and_win_rate(sales, lists):
    result = run("opportunities-by-assigned-to")
    columns = ["count", "total", "expected", "won_value", "win_rate"]
    assert [c.key for c in result.columns] == columns
    facts = sales.facts
    groups = grouped(facts, person)
    assert labels(result) == PEOPLE_ORDER
    assert table(result) == expected_table(groups, opportunity_figures, columns)
    assert totals(result) == [opportunity_figures(facts)[c] for c in columns]
    # By hand: Bob won 2 of 3 closed, Alice lost both, Zed closed none ("—"), Gus won one.
    assert [table(result)[p][-1] for p in PEOPLE_ORDER] == [Decimal("0.0"), Decimal("66.7"), None, Decimal("100.0")]
    lists.check_rows(result, groups, linked={ALICE, BOB, NOBODY})
    lists.check_total(result, facts)


def test_opportunities_by_person_largest_win_rate_first_no_rate_last(sales):
    result = run("opportunities-by-assigned-to", group="assigned_to", columns=["count", "win_rate"], sort="win_rate",
                 descending="on")
    assert [(r.label, r.cells[1].value) for r in result.rows] == [
        (NOBODY, Decimal("100.0")), (BOB, Decimal("66.7")), (ALICE, Decimal("0.0")), (ZED, None)]
    ascending = run("opportunities-by-assigned-to", group="assigned_to", columns=["count", "win_rate"],
                    sort="win_rate")
    assert labels(ascending) == [ALICE, BOB, NOBODY, ZED]


def test_opportunities_by_person_closed_only_links_each_status(sales, lists):
    result = run("opportunities-by-assigned-to", status="closed", group="assigned_to",
                 columns=["count", "won_count", "won_value", "lost_count", "lost_value", "win_rate"], sort="group")
    facts = [f for f in sales.facts if f.status != "open"]
    groups = grouped(facts, person)
    columns = [c.key for c in result.columns]
    assert table(result) == expected_table(groups, opportunity_figures, columns)
    assert labels(result) == [ALICE, BOB, NOBODY]
    lists.check_rows(result, groups)
    lists.check_total(result, facts)


def test_opportunities_by_person_open_only_has_no_won_links(sales, lists):
    """With the Status filter on "Open", the won and lost figures are zero;
    their links would list won or lost records the report does not count."""
    result = run("opportunities-by-assigned-to", status="open", group="assigned_to",
                 columns=["count", "won_count", "lost_value", "win_rate"], sort="group")
    facts = open_facts(sales)
    groups = grouped(facts, person)
    assert table(result) == expected_table(groups, opportunity_figures, ["count", "won_count", "lost_value",
                                                                          "win_rate"])
    for r in result.rows:
        if r.label == ZED:
            continue
        assert lists.ids(r.cells[0].url) == {f.pk for f in groups[r.label]}
        assert [c.url for c in r.cells[1:]] == [None, None, None], r.label


def test_a_status_given_twice_is_no_error(sales):
    from django.http import QueryDict

    report = registry.get("opportunities-by-assigned-to")(QueryDict(
        "status=won&status=closed&group=assigned_to&columns=won_count&columns=win_rate&sort=group"))
    assert report.is_valid(), report.errors()
    assert report.compute().rows


def test_opportunities_by_person_then_by_stage(sales, lists):
    result = run("opportunities-by-assigned-to", then_by="stage", group="assigned_to", columns=["total"],
                 sort="group")
    facts = sales.facts
    present = {stage_label(f)[0] for f in facts}
    # Every open stage, in order; then the other stages with records, by name, and "No stage" last.
    assert result.series == OPEN_STAGES + ["Closed Lost", "Closed Won", "No stage"]
    assert present == set(result.series) - {"Negotiation"}
    assert [c.label for c in result.columns] == result.series + ["Total"]
    groups = grouped(facts, person)
    assert pivot(result) == expected_pivot(groups, stage_label, result.series, total_of)
    assert totals(result) == column_totals(facts, stage_label, result.series, total_of)
    check_pivot_links(lists, result, groups, stage_label, facts, unlinked_rows={ZED})


def test_won_revenue_by_person_and_stage_links_only_the_won(sales, lists):
    result = run("opportunities-by-assigned-to", group="assigned_to", then_by="stage", columns=["won_value"],
                 sort="group")
    facts = sales.facts
    groups = grouped(facts, person)
    assert pivot(result) == expected_pivot(groups, stage_label, result.series, won_total)
    assert totals(result) == column_totals(facts, stage_label, result.series, won_total)
    assert totals(result)[-1] == Decimal("4275.25")
    check_pivot_links(lists, result, groups, stage_label, facts, unlinked_rows={ZED})


def test_opportunities_by_account_or_contact_largest_total_first(sales, lists):
    result = run("opportunities-by-account")
    columns = ["count", "total", "expected", "won_value"]
    groups = grouped(sales.facts, lambda f: [f.linked])
    assert table(result) == expected_table(groups, opportunity_figures, columns)
    by_total = sorted(groups, key=lambda label: total_of(groups[label]), reverse=True)
    assert labels(result) == by_total
    assert labels(result)[0] == "Acme" and table(result)["Acme"][:2] == [2, Decimal("3500.50")]
    lists.check_rows(result, groups)  # accounts and the business contact alike


def test_opportunities_by_account_limited_to_ten(sales, lists):
    result = run("opportunities-by-account", group="linked", columns=["count"], sort="group", limit="10")
    names = sorted({f.linked for f in sales.facts}, key=str.casefold)
    assert len(names) == 11
    assert labels(result) == names[:10]
    assert result.hidden_groups == 1
    assert totals(result) == [len(sales.facts)]  # the total counts the hidden group too


def test_opportunities_by_source_every_value_of_the_list(sales, lists):
    result = run("opportunities-by-source")
    columns = ["count", "total", "won_value", "win_rate"]
    groups = grouped(sales.facts, source, SOURCES)
    assert labels(result) == SOURCES + ["No source"]
    assert table(result) == expected_table(groups, opportunity_figures, columns)
    assert table(result)["Web"] == [6, Decimal("5274.25"), Decimal("3075.25"), Decimal("66.7")]
    assert table(result)["Advertisement"] == [0, Decimal("0.00"), Decimal("0.00"), None]
    lists.check_rows(result, groups)
    lists.check_total(result, sales.facts)


def test_opportunities_by_type_for_one_person(sales, lists):
    result = run("opportunities-by-source", group="opportunity_type", assigned_to=str(pk_of(sales, "bob")),
                 columns=["count", "won_count", "lost_count"], sort="count", descending="on")
    facts = [f for f in sales.facts if f.who == "bob"]
    groups = grouped(facts, lambda f: [f.kind or "No type"], ["New business", "Existing business"])
    assert table(result) == expected_table(groups, opportunity_figures, ["count", "won_count", "lost_count"])
    assert labels(result) == ["No type", "New business", "Existing business"]  # 2, 1, 1 (ties in the list's order)
    lists.check_rows(result, groups)


def test_opportunities_by_category_counts_a_record_in_both(sales, lists):
    result = run("opportunities-by-source", group="category", columns=["count", "total"], sort="group")
    groups = grouped(sales.facts, categories, ["Key", "Partner", "Unused"])
    assert labels(result) == ["Key", "Partner", "Unused", "No category"]
    assert table(result) == expected_table(groups, opportunity_figures, ["count", "total"])
    # o02 is in Key and in Partner: in both groups, once in the total.
    assert table(result)["Key"][0] + table(result)["Partner"][0] + table(result)["No category"][0] == 13
    assert totals(result) == [12, money(f.total for f in sales.facts)]
    lists.check_rows(result, groups, linked={"Key", "Partner", "Unused"})
    lists.check_total(result, sales.facts)


def test_opportunities_by_category_then_by_stage_totals_count_once(sales, lists):
    result = run("opportunities-by-assigned-to", group="category", then_by="stage", columns=["count"], sort="group")
    facts = sales.facts
    groups = grouped(facts, categories)
    assert pivot(result) == expected_pivot(groups, stage_label, result.series, len)
    assert totals(result) == column_totals(facts, stage_label, result.series, len)
    assert totals(result)[-1] == 12
    check_pivot_links(lists, result, groups, stage_label, facts, unlinked_rows={"No category"})


def test_opportunities_by_marketing_activity(sales, lists):
    result = run("opportunities-by-marketing-activity")
    columns = ["count", "total", "expected", "won_value"]
    groups = grouped(sales.facts, lambda f: [f.activity or "No marketing activity"])
    assert table(result) == expected_table(groups, opportunity_figures, columns)
    assert labels(result) == sorted(groups, key=lambda g: total_of(groups[g]), reverse=True)
    assert table(result)["Spring fair"] == [2, Decimal("1400.00"), Decimal("140.00"), Decimal("0.00")]
    lists.check_rows(result, groups, linked={"Spring fair", "Autumn mail"})


def test_opportunities_by_marketing_activity_closing_this_year(sales, lists):
    result = run("opportunities-by-marketing-activity", period="this_year", group="initiated_by_activity",
                 columns=["count", "won_count", "win_rate"], sort="group")
    facts = [f for f in sales.facts if f.close is not None and f.close.year == today().year]
    groups = grouped(facts, lambda f: [f.activity or "No marketing activity"])
    assert labels(result) == ["Autumn mail", "Spring fair", "No marketing activity"]
    assert table(result) == expected_table(groups, opportunity_figures, ["count", "won_count", "win_rate"])
    assert table(result)["Spring fair"][0] == 1  # o03 has no close date
    lists.check_rows(result, groups, linked={"Spring fair", "Autumn mail"})
    lists.check_total(result, facts)


def test_win_rate_rounds_half_up_to_one_decimal(db):
    """1 won of 16 closed is 6.25 %: shown as 6.3, as every other figure rounds."""
    from sales.tests.factories import OpportunityFactory, stage

    web = ListValue.objects.get(kind="source", name="Web")
    OpportunityFactory(stage=stage("won"), source=web, close_date=today())
    for _n in range(15):
        OpportunityFactory(stage=stage("lost"), source=web, close_date=today())
    result = run("opportunities-by-source", columns=["won_count", "lost_count", "win_rate"], group="source",
                 sort="group")
    assert table(result)["Web"] == [1, 15, Decimal("6.3")]
    assert totals(result) == [1, 15, Decimal("6.3")]


# === Sales: won and lost by period ==========================================================

def closed_facts(world):
    return [f for f in world.facts if f.status != "open"]


WON_LOST = ["won_count", "won_value", "lost_count", "lost_value", "win_rate"]


def test_won_lost_by_month_this_year(sales, lists):
    result = run("won-lost-by-period")
    assert [c.key for c in result.columns] == WON_LOST
    year = today().year
    facts = [f for f in closed_facts(sales) if f.close.year == year]
    assert "o10" not in {f.name for f in facts}  # lost last year
    groups = grouped(facts, lambda f: [month_label(f.close)])
    assert table(result) == expected_table(groups, opportunity_figures, WON_LOST)
    assert labels(result) == [month_label(d) for d in sorted({f.close.replace(day=1) for f in facts})]
    assert totals(result) == [opportunity_figures(facts)[c] for c in WON_LOST]
    # This month: o04 won, o07 and o11 lost, closed today (by hand).
    assert table(result)[month_label(today())][:3] == [1, Decimal("3000.00"), 2]
    assert result.chart_kind == "line" and result.chart_measure.key == "win_rate"
    # A month within the year: its links carry the month's first and last day (and won, lost, closed).
    lists.check_rows(result, groups)
    lists.check_total(result, facts)


def test_won_lost_by_quarter_any_time(sales, lists):
    result = run("won-lost-by-period", period="", group="close_date_quarter", columns=WON_LOST, sort="group")
    facts = closed_facts(sales)
    groups = grouped(facts, lambda f: [quarter_label(f.close)])
    assert table(result) == expected_table(groups, opportunity_figures, WON_LOST)
    assert labels(result)[0] == f"Q4 {today().year - 1}"
    lists.check_rows(result, groups)


def test_won_lost_by_person_last_year(sales, lists):
    result = run("won-lost-by-period", period="last_year", group="assigned_to", columns=WON_LOST, sort="group")
    facts = [f for f in closed_facts(sales) if f.close.year == today().year - 1]
    assert [f.name for f in facts] == ["o10"]
    assert table(result) == {ALICE: [0, Decimal("0.00"), 1, Decimal("999.00"), Decimal("0.0")]}
    lists.check_rows(result, grouped(facts, person))


def test_won_lost_when_nothing_closed_has_no_win_rate(sales):
    result = run("won-lost-by-period", period="next_quarter")
    assert result.rows == []
    assert totals(result) == [0, Decimal("0.00"), 0, Decimal("0.00"), None]


# === Leads ==================================================================================

def test_leads_by_person(leads, lists):
    result = run("leads-by-assigned-to")
    groups = grouped(leads.facts, person)
    assert labels(result) == PEOPLE_ORDER
    assert table(result) == expected_table(groups, lead_figures, ["count"])
    assert totals(result) == [8]  # the business contact is no lead
    lists.check_rows(result, groups, linked={ALICE, BOB, NOBODY})
    lists.check_total(result, leads.facts)


def test_leads_by_person_best_average_rating_first(leads, lists):
    result = run("leads-by-assigned-to", group="assigned_to", columns=["count", "average_score"],
                 sort="average_score", descending="on")
    groups = grouped(leads.facts, person)
    assert table(result) == expected_table(groups, lead_figures, ["count", "average_score"])
    assert [(r.label, r.cells[1].value) for r in result.rows] == [
        (BOB, Decimal("3.5")), (ZED, Decimal("3.0")), (ALICE, Decimal("2.7")), (NOBODY, Decimal("0.5"))]
    assert totals(result) == [8, Decimal("2.4")]  # 19 stars / 8


def test_leads_by_person_of_three_stars_or_more(leads, lists):
    result = run("leads-by-assigned-to", rating="3")
    facts = [f for f in leads.facts if f.score >= 3]
    groups = grouped(facts, person)
    assert table(result) == expected_table(groups, lead_figures, ["count"])
    lists.check_rows(result, groups, linked={ALICE, BOB})


def test_leads_by_rating_five_stars_down_to_none(leads, lists):
    result = run("leads-by-rating")
    groups = grouped(leads.facts, star, STARS)
    assert labels(result) == STARS
    assert table(result) == expected_table(groups, lead_figures, ["count"])
    assert [table(result)[s][0] for s in STARS] == [2, 0, 2, 1, 1, 2]
    lists.check_rows(result, groups)  # "No stars" too: the leads with a score of 0


def test_leads_by_person_and_rating(leads, lists):
    result = run("leads-by-assigned-to-and-rating")
    assert result.series == STARS
    assert [c.label for c in result.columns] == STARS + ["Total"]
    groups = grouped(leads.facts, person)
    assert labels(result) == PEOPLE_ORDER
    assert pivot(result) == expected_pivot(groups, star, STARS, len)
    assert totals(result) == column_totals(leads.facts, star, STARS, len)
    check_pivot_links(lists, result, groups, star, leads.facts, unlinked_rows={ZED})


def test_leads_by_person_and_source(leads, lists):
    result = run("leads-by-assigned-to-and-rating", then_by="source")
    assert result.series == SOURCES + ["No source"]  # every value of the list, in its order; none last
    groups = grouped(leads.facts, person)
    assert pivot(result) == expected_pivot(groups, source, result.series, len)
    assert totals(result) == column_totals(leads.facts, source, result.series, len)
    check_pivot_links(lists, result, groups, source, leads.facts, unlinked_rows={ZED})


def test_leads_by_source_most_first(leads, lists):
    result = run("leads-by-source")
    groups = grouped(leads.facts, source, SOURCES)
    assert table(result) == expected_table(groups, lead_figures, ["count"])
    # 4, 2, 2, then the empty values in the list's order.
    assert labels(result) == ["Web", "Event", "No source", "Advertisement", "E-mail marketing", "Partner",
                              "Word of mouth", "Other"]
    lists.check_rows(result, groups)


def test_leads_of_one_person_by_source_with_their_average_rating(leads, lists):
    alice = leads.users["alice"]
    result = run("leads-by-source", assigned_to=str(alice.pk), group="source", columns=["count", "average_score"],
                 sort="group")
    facts = [f for f in leads.facts if f.who == "alice"]
    groups = grouped(facts, source, SOURCES)
    assert labels(result) == SOURCES + ["No source"]
    assert table(result) == expected_table(groups, lead_figures, ["count", "average_score"])
    assert table(result)["Partner"] == [0, None]
    lists.check_rows(result, groups)
    lists.check_total(result, facts)


def test_leads_by_marketing_activity(leads, lists):
    result = run("leads-by-marketing-activity")
    groups = grouped(leads.facts, lambda f: [f.activity or "No marketing activity"])
    assert table(result) == expected_table(groups, lead_figures, ["count"])
    assert labels(result) == ["No marketing activity", "Spring fair"]  # 6, 2
    lists.check_rows(result, groups, linked={"Spring fair"})


def test_leads_in_one_category_by_marketing_activity(leads, lists):
    key = leads.categories["Key"]
    result = run("leads-by-marketing-activity", category=str(key.pk))
    facts = [f for f in leads.facts if "Key" in f.categories]
    groups = grouped(facts, lambda f: [f.activity or "No marketing activity"])
    assert table(result) == expected_table(groups, lead_figures, ["count"]) == {
        "Spring fair": [1], "No marketing activity": [1]}
    lists.check_rows(result, groups, linked={"Spring fair"})
    lists.check_total(result, facts)


def test_leads_by_category_counts_a_lead_in_both(leads, lists):
    result = run("leads-by-rating", group="category", columns=["count"], sort="group")
    groups = grouped(leads.facts, categories, ["Key", "Partner", "Unused"])
    assert table(result) == expected_table(groups, lead_figures, ["count"])
    assert table(result) == {"Key": [2], "Partner": [2], "Unused": [0], "No category": [5]}
    assert totals(result) == [8]
    lists.check_rows(result, groups, linked={"Key", "Partner", "Unused"})


def test_leads_by_month_created_within_a_custom_range(leads, lists):
    """The range starts mid-month: the month's link starts where the range does."""
    start = month(-1, 10)
    result = run("leads-by-rating", period="custom", date_from=start.isoformat(), group="created_month",
                 columns=["count"], sort="group")
    facts = [f for f in leads.facts if f.created >= start]
    assert {f.name for f in facts} == {"Lena Five", "Lars Three", "Lily Zero", "Lou Two", "Lea Three", "Liv One",
                                       "Lukas Zero"}
    groups = grouped(facts, lambda f: [month_label(f.created)])
    assert labels(result) == [month_label(month(-1)), month_label(month(0))]
    assert table(result) == expected_table(groups, lead_figures, ["count"])
    assert f"created_after={start.isoformat()}" in row(result, month_label(month(-1))).url
    lists.check_rows(result, groups)
    lists.check_total(result, facts)


# === Accounts and business contacts =========================================================

def test_accounts_by_category_counts_an_account_in_both(people, lists):
    result = run("accounts-by-category")
    facts = of_kind(people, "account")
    groups = grouped(facts, categories, ["Key", "Partner", "Unused"])
    assert labels(result) == ["Key", "Partner", "Unused", "No category"]
    assert table(result) == expected_table(groups, count_figures, ["count"])
    assert table(result) == {"Key": [2], "Partner": [2], "Unused": [0], "No category": [2]}
    assert totals(result) == [5]  # Acme is in Key and Partner: counted once
    lists.check_rows(result, groups, linked={"Key", "Partner", "Unused"})
    lists.check_total(result, facts)


def test_accounts_by_category_and_person_totals_count_an_account_once(people, lists):
    result = run("accounts-by-category", then_by="assigned_to")
    facts = of_kind(people, "account")
    assert result.series == PEOPLE_ORDER
    groups = grouped(facts, categories)
    assert labels(result) == ["Key", "Partner", "No category"]
    assert pivot(result) == expected_pivot(groups, person, PEOPLE_ORDER, len)
    assert totals(result) == column_totals(facts, person, PEOPLE_ORDER, len)
    assert totals(result) == [1, 1, 1, 2, 5]
    check_pivot_links(lists, result, groups, person, facts, linked_series={ALICE, BOB, NOBODY},
                      unlinked_rows={"No category"})


def test_accounts_in_one_city_by_person(people, lists):
    result = run("accounts-by-category", city="oslo", group="assigned_to", columns=["count"], sort="group")
    facts = [f for f in of_kind(people, "account") if f.city == "Oslo"]
    groups = grouped(facts, person)
    assert table(result) == expected_table(groups, count_figures, ["count"])
    assert labels(result) == [ALICE, BOB, NOBODY]
    lists.check_rows(result, groups)
    lists.check_total(result, facts)


def test_accounts_created_in_a_range(people, lists):
    before = run("accounts-by-category", period="custom", date_to=month(-1, 28).isoformat(), group="category",
                 columns=["count"], sort="group")
    assert totals(before) == [0] and all(values == [0] for values in table(before).values())
    this_month = run("accounts-by-category", period="this_month")
    assert totals(this_month) == [5]
    lists.check_total(this_month, of_kind(people, "account"))


def test_contacts_by_category(people, lists):
    result = run("contacts-by-category")
    facts = of_kind(people, "contact")
    groups = grouped(facts, categories, ["Key", "Partner", "Unused"])
    assert table(result) == expected_table(groups, count_figures, ["count"])
    assert table(result) == {"Key": [3], "Partner": [2], "Unused": [0], "No category": [4]}  # the lead is not in Key
    assert totals(result) == [8]
    lists.check_rows(result, groups, linked={"Key", "Partner", "Unused"})
    lists.check_total(result, facts)


def test_contacts_by_category_filtered_by_category(people, lists):
    """Filtered by Key, grouped by category: the Partner group holds the
    contacts in both, and links nowhere (no list shows "in Key and in Partner")."""
    key = people.categories["Key"]
    result = run("contacts-by-category", category=str(key.pk))
    facts = [f for f in of_kind(people, "contact") if "Key" in f.categories]
    groups = grouped(facts, categories, ["Key", "Partner", "Unused"])
    assert table(result) == expected_table(groups, count_figures, ["count"])
    lists.check_rows(result, groups, linked={"Key"})
    lists.check_total(result, facts)


def test_contacts_by_account_then_by_person(people, lists):
    result = run("contacts-by-category", group="account", columns=["count"], sort="group")
    facts = of_kind(people, "contact")
    groups = grouped(facts, lambda f: [f.account or "No account"])
    assert labels(result) == ["Acme", "Beta", "No account"]
    assert table(result) == expected_table(groups, count_figures, ["count"])
    lists.check_rows(result, groups, linked={"Acme", "Beta"})
    pivoted = run("contacts-by-category", group="category", then_by="assigned_to", columns=["count"], sort="group")
    by_category = grouped(facts, categories)
    assert pivot(pivoted) == expected_pivot(by_category, person, pivoted.series, len)
    assert totals(pivoted) == column_totals(facts, person, pivoted.series, len)
    check_pivot_links(lists, pivoted, by_category, person, facts, linked_series={ALICE, BOB, NOBODY},
                      unlinked_rows={"No category"})


def cold(facts, days):
    """Contacts with no history (theirs, their opportunities' or projects') in the last ``days`` days."""
    return [f for f in facts if f.quiet is None or f.quiet > days]


@pytest.mark.parametrize("days, order", [
    (None, [BOB, ALICE, ZED, NOBODY]),  # the default: 90 days
    ("7", [ALICE, BOB, NOBODY, ZED]),
    ("150", [ALICE, BOB, ZED, NOBODY]),
])
def test_contacts_going_cold(people, lists, days, order):
    options = {} if days is None else {"quiet_days": days, "group": "assigned_to", "columns": ["count"],
                                       "sort": "count", "descending": "on"}
    result = run("contacts-going-cold", **options)
    facts = cold(of_kind(people, "contact"), int(days or 90))
    groups = grouped(facts, person)
    assert labels(result) == order  # most first; equal counts in the users' order, unassigned last
    assert table(result) == expected_table(groups, count_figures, ["count"])
    assert totals(result) == [len(facts)]
    lists.check_rows(result, groups, linked={ALICE, BOB, NOBODY})
    lists.check_total(result, facts)


def test_going_cold_rolls_up_opportunities_and_projects(people):
    """Recent history on a contact's opportunity or project keeps it warm; old history does not."""
    names = {f.name for f in cold(of_kind(people, "contact"), 90)}
    assert "Cleo Deal" not in names and "Chris Project" not in names
    assert "Cyril Stale Deal" in names  # its opportunity's history is 120 days old, its own 95
    result = run("contacts-going-cold")
    assert table(result) == {BOB: [2], ALICE: [1], ZED: [1], NOBODY: [1]}


# === Projects ===============================================================================

STATUSES = ["Not started", "In progress", "Completed", "Deferred"]
STATUS_LABELS = dict(zip(["not_started", "in_progress", "completed", "deferred"], STATUSES))


def test_projects_by_status(projects, lists):
    result = run("projects-by-status")
    facts = of_kind(projects, "project")
    groups = grouped(facts, lambda f: [STATUS_LABELS[f.status]], STATUSES)
    assert labels(result) == STATUSES
    assert table(result) == expected_table(groups, project_figures, ["count", "percent_complete"])
    assert table(result)["In progress"] == [2, Decimal("52.5")]
    assert totals(result) == [5, Decimal("43.0")]
    lists.check_rows(result, groups)
    lists.check_total(result, facts)


def test_projects_by_due_month(projects, lists):
    result = run("projects-by-status", group="due_date_month", columns=["count"], sort="group")
    facts = of_kind(projects, "project")
    groups = grouped(facts, lambda f: [month_label(f.due)])
    assert labels(result) == [month_label(month(n)) for n in (-1, 0, 1)] + ["No date"]
    assert table(result) == expected_table(groups, project_figures, ["count"])
    lists.check_rows(result, groups, linked=set(groups) - {"No date"})


def test_projects_due_this_month_by_status(projects, lists):
    result = run("projects-by-status", period="this_month")
    facts = [f for f in of_kind(projects, "project") if f.due is not None and f.due.replace(day=1) == month(0)]
    assert {f.name for f in facts} == {"Roll-out", "Training"}
    groups = grouped(facts, lambda f: [STATUS_LABELS[f.status]], STATUSES)
    assert table(result) == expected_table(groups, project_figures, ["count", "percent_complete"])
    lists.check_rows(result, groups)
    lists.check_total(result, facts)


def test_projects_with_overdue_tasks_by_status_then_person(projects, lists):
    result = run("projects-by-status", overdue="on", group="status", then_by="assigned_to", columns=["count"],
                 sort="group")
    late = {f.project for f in of_kind(projects, "task") if f.overdue}
    facts = [f for f in of_kind(projects, "project") if f.name in late]
    assert {f.name for f in facts} == {"Roll-out", "Migration", "Training", "Audit"}
    groups = grouped(facts, lambda f: [STATUS_LABELS[f.status]])
    assert pivot(result) == expected_pivot(groups, person, result.series, len)
    assert totals(result) == column_totals(facts, person, result.series, len)
    check_pivot_links(lists, result, groups, person, facts, linked_series={ALICE, BOB, NOBODY})


def test_overdue_tasks_by_person(projects, lists):
    result = run("overdue-project-tasks-by-person")
    facts = [f for f in of_kind(projects, "task") if f.overdue]
    assert {f.name for f in facts} == {"t1", "t2", "t4", "t7", "t8", "t10"}  # not completed, not due today
    groups = grouped(facts, person)
    assert labels(result) == [ALICE, NOBODY, BOB, ZED]  # 2, 2, 1, 1
    assert table(result) == expected_table(groups, count_figures, ["count"])
    assert totals(result) == [6]
    lists.check_rows(result, groups, linked={ALICE, BOB, NOBODY})
    lists.check_total(result, facts)


PRIORITIES = ["Low", "Normal", "High"]


def test_overdue_tasks_by_person_and_priority(projects, lists):
    result = run("overdue-project-tasks-by-person", then_by="priority", group="assigned_to", columns=["count"],
                 sort="group")
    facts = [f for f in of_kind(projects, "task") if f.overdue]
    assert result.series == PRIORITIES
    groups = grouped(facts, person)
    assert pivot(result) == expected_pivot(groups, priority, PRIORITIES, len)
    assert totals(result) == column_totals(facts, priority, PRIORITIES, len) == [1, 2, 3, 6]
    check_pivot_links(lists, result, groups, priority, facts, unlinked_rows={ZED})


def test_overdue_high_priority_tasks_by_priority(projects, lists):
    result = run("overdue-project-tasks-by-person", priority="high", group="priority", columns=["count"],
                 sort="group")
    facts = [f for f in of_kind(projects, "task") if f.overdue and f.priority == "high"]
    groups = grouped(facts, priority, PRIORITIES)
    assert table(result) == {"Low": [0], "Normal": [0], "High": [3]}
    lists.check_rows(result, groups, linked={"High"})


def test_a_pivot_needs_a_figure_that_adds_up(projects):
    """Averages do not add up: a pivot of average % complete with a "Total"
    column would add averages together."""
    report = registry.get("projects-by-status")({"group": "status", "then_by": "assigned_to",
                                                  "columns": ["percent_complete"], "sort": "group"})
    assert not report.is_valid()
    assert ("Then by", "A second grouping needs a column that adds up (a count or a sum).") in report.errors()
    leads_report = registry.get("leads-by-assigned-to-and-rating")({"group": "assigned_to", "then_by": "score",
                                                                     "columns": ["average_score"], "sort": "group"})
    assert not leads_report.is_valid()
    assert "then_by" in leads_report.invalid_option_names()


# === Every report ===========================================================================

REPORTS = [report.code for report in registry.all_reports()]


def test_every_report_is_tested_here():
    """A new report gets its figures checked in this module."""
    source = Path(__file__).read_text(encoding="utf-8")
    for code in REPORTS:
        assert f'run("{code}"' in source, code


def test_every_report_chart_series_are_its_column_labels(sales):
    for code in REPORTS:
        report = registry.get(code)({})
        assert report.is_valid(), (code, report.errors())
        result = report.compute()
        if result.series:
            assert result.series == [c.label for c in result.columns[:-1]], code
            assert result.columns[-1].label == "Total"


# --- bad options: the report says which, and nothing raises ----------------------------------

def default_options(report_class) -> dict:
    return {"group": report_class.default_group, "columns": list(report_class.default_columns),
            "sort": report_class.default_sort}


def refused(code: str, options: dict) -> list[tuple[str, str]]:
    report = registry.get(code)(options)
    assert not report.is_valid()
    errors = report.errors()
    assert errors
    return errors


@pytest.mark.parametrize("code", REPORTS)
def test_bad_options_are_named(db, code):
    report_class = registry.get(code)
    options = default_options(report_class)
    assert ("bogus", "This report has no such option.") in refused(code, {**options, "bogus": "1"})
    assert ("To", "The last day is before the first day.") in refused(
        code, {**options, "period": "custom", "date_from": "2026-03-10", "date_to": "2026-03-01"})
    assert ("From", "Enter a valid date.") in refused(code, {**options, "period": "custom", "date_from": "2026-02-30"})
    assert ("From", "Enter the first day, the last day, or both.") in refused(code, {**options, "period": "custom"})
    assert ("Group by", "Select a valid choice. nope is not one of the available choices.") in refused(
        code, {**options, "group": "nope"})
    assert ("Columns", "This field is required.") in refused(code, {"group": report_class.default_group,
                                                                     "sort": "group"})
    assert any(label == "Columns" for label, _m in refused(code, {**options, "columns": ["nope"]}))
    assert any(label == "Sort by" for label, _m in refused(code, {**options, "sort": "nope"}))
    assert any(label == "Show" for label, _m in refused(code, {**options, "limit": "7"}))
    if report_class.then_by:
        then = report_class.then_by[0]
        assert ("Then by", "Choose a different grouping from the first one.") in refused(
            code, {**options, "group": then, "then_by": then})
        assert any(label == "Then by" for label, _m in refused(code, {**options, "then_by": "nope"}))
    else:
        assert ("then_by", "This report has no such option.") in refused(code, {**options, "then_by": "x"})


@pytest.mark.parametrize("code", [r.code for r in registry.all_reports() if "assigned_to" in r.filter_names])
def test_a_user_who_cannot_be_chosen_is_refused(people, code):
    zed = people.users["zed"]  # deactivated: the Assigned to filter offers active users only
    errors = refused(code, {"assigned_to": str(zed.pk)})
    assert errors == [("Assigned to", "Select a valid choice. That choice is not one of the available choices.")]


def test_the_page_of_a_report_with_bad_options_says_which(staff_client):
    url = reverse("reports:report", args=["sales", "pipeline-by-stage"])
    response = staff_client.get(url, {"group": "stage", "columns": "count", "sort": "group", "period": "custom",
                                      "date_from": "2026-03-10", "date_to": "2026-03-01", "bogus": "1"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "The last day is before the first day." in content
    assert "This report has no such option." in content and "bogus" in content


# --- query counts --------------------------------------------------------------------------

def seed(code: str, n: int, users: list, cats: list) -> None:
    """``n`` records of the report's kind, spread over people, stages, ratings, categories."""
    from crm.tests.factories import AccountFactory, ContactFactory
    from leads.tests.factories import LeadFactory
    from projects.tests.factories import ProjectFactory, ProjectTaskFactory
    from sales.tests.factories import OpportunityFactory, stage

    kind = registry.get(code).list_url_name
    stages = [stage(), stage("won"), stage("lost"), None, stage("open", "Proposal")]
    for i in range(n):
        who = users[i % len(users)]
        if kind == "sales:opportunity_list":
            record = OpportunityFactory(assigned_to=who, stage=stages[i % len(stages)], total=Decimal(i),
                                        close_date=month(i % 3, 2),
                                        stage_entered_on=timezone.localdate() - datetime.timedelta(days=30))
        elif kind == "leads:lead_list":
            record = LeadFactory(assigned_to=who, score=i % 6)
        elif kind == "crm:account_list":
            record = AccountFactory(assigned_to=who)
        elif kind == "crm:contact_list":
            record = ContactFactory(assigned_to=who)
        elif kind == "projects:project_list":
            record = ProjectFactory(assigned_to=who, status=["not_started", "in_progress"][i % 2])
        else:
            record = ProjectTaskFactory(assigned_to=who, due_date=month(-1, 5), priority=["low", "high"][i % 2])
        record.categories.add(*cats[: i % 3])


def option_sets(report_class) -> list[dict]:
    """The report's defaults; grouped by category where it can be; with a second grouping where it has one."""
    sets = [{}]
    base = {"columns": list(report_class.default_columns), "sort": "group"}
    keys = [d.key for d in report_class.dimensions]
    if "category" in keys:
        sets.append({**base, "group": "category"})
        sets.append({**base, "group": "category", "limit": "10"})
    if report_class.then_by:
        first = report_class.then_by[0]
        group = next(k for k in keys if k != first)
        columns = [m.key for m in report_class.measures if m.key in ("count",)] or base["columns"]
        sets.append({**base, "group": group, "then_by": first, "columns": columns})
        if "category" in keys:  # a record in two categories: the column totals take a query of their own
            sets.append({**base, "group": "category", "then_by": first, "columns": columns})
    return sets


@pytest.mark.parametrize("code", REPORTS)
def test_compute_takes_three_queries_at_most_whatever_the_number_of_records(
        db, staff, other_staff, code, django_assert_max_num_queries):
    report_class = registry.get(code)
    users, cats = [staff, other_staff, None], [Category.objects.create(name=f"Cat {n}") for n in range(3)]
    counts = {}
    for more in (5, 45):  # 5 records, then 50
        seed(code, more, users, cats)
        for index, options in enumerate(option_sets(report_class)):
            warm = report_class(options)  # content types and the like are read once per process
            assert warm.is_valid(), (code, options, warm.errors())
            warm.compute()
            report = report_class(options)
            assert report.is_valid(), (code, options, report.errors())
            with django_assert_max_num_queries(3), CaptureQueriesContext(connection) as queries:
                result = report.compute()
            assert result.rows, (code, options)
            counts.setdefault(index, []).append(len(queries))
    assert all(at_5 == at_50 for at_5, at_50 in counts.values()), counts


def test_sales_activities_overdue_by_person_and_by_stage(staff, other_staff):
    """Each open opportunity's current-stage activities with a duration, due the
    running sum of durations after entering the stage, not ticked done, before today."""
    from sales.models import ActivityDone, SalesActivity
    from sales.tests.factories import OpportunityFactory, stage

    today = timezone.localdate()
    made = [
        OpportunityFactory(stage=stage("open", "Proposal"), assigned_to=staff,
                           stage_entered_on=today - datetime.timedelta(days=20)),   # +3 and +10: both late
        OpportunityFactory(stage=stage("open", "Proposal"), assigned_to=staff,
                           stage_entered_on=today - datetime.timedelta(days=5)),    # +3 late only
        OpportunityFactory(stage=stage("open", "Prospecting"), assigned_to=other_staff,
                           stage_entered_on=today - datetime.timedelta(days=4)),    # +3 late, +5 not yet
        OpportunityFactory(stage=stage("open", "Prospecting"), assigned_to=None,
                           stage_entered_on=today - datetime.timedelta(days=9)),    # both late, one done
        OpportunityFactory(stage=stage("won"), assigned_to=staff, stage_entered_on=today - datetime.timedelta(days=90)),
    ]
    ActivityDone.objects.create(opportunity=made[3], activity=SalesActivity.objects.get(name="Make the first contact"))
    done = set(ActivityDone.objects.values_list("opportunity_id", "activity_id"))
    expected_people: dict[str, list] = {}
    for opportunity in made:
        if opportunity.stage.is_closed:
            continue
        running = 0
        for activity in opportunity.stage.activities.order_by("position", "id"):
            running += activity.duration_days
            late = activity.duration_days and opportunity.stage_entered_on + datetime.timedelta(days=running) < today
            if late and (opportunity.pk, activity.pk) not in done:
                who = opportunity.assigned_to.get_full_name() if opportunity.assigned_to else "Unassigned"
                expected_people.setdefault(who, [0, set()])
                expected_people[who][0] += 1
                expected_people[who][1].add(opportunity.pk)
    result = run("sales-activities-overdue", group="assigned_to", sort="group",
                 columns=["activities", "opportunities"])
    assert table(result) == {who: [count, len(pks)] for who, (count, pks) in expected_people.items()}
    assert table(result) == {"Alice Martin": [3, 2], "Bob Nowak": [1, 1], "Unassigned": [1, 1]}  # by hand
    assert [c.value for c in result.total.cells] == [5, 4]
