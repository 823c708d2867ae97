"""The report date ranges, from fixed days: month ends, a leap day, quarter
starts and ends, the last day of a year. Every expected range is written out
by hand (first day, last day, both included)."""
import datetime

import pytest

from reports import periods

D = datetime.date

EXPECTED = {
    # A leap day: the last day of February, in the first quarter.
    D(2024, 2, 29): {
        "": (None, None),
        "this_month": (D(2024, 2, 1), D(2024, 2, 29)),
        "last_month": (D(2024, 1, 1), D(2024, 1, 31)),
        "next_month": (D(2024, 3, 1), D(2024, 3, 31)),
        "this_quarter": (D(2024, 1, 1), D(2024, 3, 31)),
        "last_quarter": (D(2023, 10, 1), D(2023, 12, 31)),
        "next_quarter": (D(2024, 4, 1), D(2024, 6, 30)),
        "this_year": (D(2024, 1, 1), D(2024, 12, 31)),
        "last_year": (D(2023, 1, 1), D(2023, 12, 31)),
        "last_30": (D(2024, 1, 31), D(2024, 2, 29)),
        "last_90": (D(2023, 12, 2), D(2024, 2, 29)),
        "next_30": (D(2024, 2, 29), D(2024, 3, 29)),
        "next_90": (D(2024, 2, 29), D(2024, 5, 28)),
        "next_3_months": (D(2024, 2, 1), D(2024, 4, 30)),
    },
    # The last day of a year (and of a quarter, and of a month).
    D(2023, 12, 31): {
        "": (None, None),
        "this_month": (D(2023, 12, 1), D(2023, 12, 31)),
        "last_month": (D(2023, 11, 1), D(2023, 11, 30)),
        "next_month": (D(2024, 1, 1), D(2024, 1, 31)),
        "this_quarter": (D(2023, 10, 1), D(2023, 12, 31)),
        "last_quarter": (D(2023, 7, 1), D(2023, 9, 30)),
        "next_quarter": (D(2024, 1, 1), D(2024, 3, 31)),
        "this_year": (D(2023, 1, 1), D(2023, 12, 31)),
        "last_year": (D(2022, 1, 1), D(2022, 12, 31)),
        "last_30": (D(2023, 12, 2), D(2023, 12, 31)),
        "last_90": (D(2023, 10, 3), D(2023, 12, 31)),
        "next_30": (D(2023, 12, 31), D(2024, 1, 29)),
        "next_90": (D(2023, 12, 31), D(2024, 3, 29)),
        "next_3_months": (D(2023, 12, 1), D(2024, 2, 29)),
    },
    # A 31st whose next month is a short February.
    D(2025, 1, 31): {
        "": (None, None),
        "this_month": (D(2025, 1, 1), D(2025, 1, 31)),
        "last_month": (D(2024, 12, 1), D(2024, 12, 31)),
        "next_month": (D(2025, 2, 1), D(2025, 2, 28)),
        "this_quarter": (D(2025, 1, 1), D(2025, 3, 31)),
        "last_quarter": (D(2024, 10, 1), D(2024, 12, 31)),
        "next_quarter": (D(2025, 4, 1), D(2025, 6, 30)),
        "this_year": (D(2025, 1, 1), D(2025, 12, 31)),
        "last_year": (D(2024, 1, 1), D(2024, 12, 31)),
        "last_30": (D(2025, 1, 2), D(2025, 1, 31)),
        "last_90": (D(2024, 11, 3), D(2025, 1, 31)),
        "next_30": (D(2025, 1, 31), D(2025, 3, 1)),
        "next_90": (D(2025, 1, 31), D(2025, 4, 30)),
        "next_3_months": (D(2025, 1, 1), D(2025, 3, 31)),
    },
    # The first day of a quarter.
    D(2025, 4, 1): {
        "": (None, None),
        "this_month": (D(2025, 4, 1), D(2025, 4, 30)),
        "last_month": (D(2025, 3, 1), D(2025, 3, 31)),
        "next_month": (D(2025, 5, 1), D(2025, 5, 31)),
        "this_quarter": (D(2025, 4, 1), D(2025, 6, 30)),
        "last_quarter": (D(2025, 1, 1), D(2025, 3, 31)),
        "next_quarter": (D(2025, 7, 1), D(2025, 9, 30)),
        "this_year": (D(2025, 1, 1), D(2025, 12, 31)),
        "last_year": (D(2024, 1, 1), D(2024, 12, 31)),
        "last_30": (D(2025, 3, 3), D(2025, 4, 1)),
        "last_90": (D(2025, 1, 2), D(2025, 4, 1)),
        "next_30": (D(2025, 4, 1), D(2025, 4, 30)),
        "next_90": (D(2025, 4, 1), D(2025, 6, 29)),
        "next_3_months": (D(2025, 4, 1), D(2025, 6, 30)),
    },
    # The last day of a quarter.
    D(2025, 9, 30): {
        "": (None, None),
        "this_month": (D(2025, 9, 1), D(2025, 9, 30)),
        "last_month": (D(2025, 8, 1), D(2025, 8, 31)),
        "next_month": (D(2025, 10, 1), D(2025, 10, 31)),
        "this_quarter": (D(2025, 7, 1), D(2025, 9, 30)),
        "last_quarter": (D(2025, 4, 1), D(2025, 6, 30)),
        "next_quarter": (D(2025, 10, 1), D(2025, 12, 31)),
        "this_year": (D(2025, 1, 1), D(2025, 12, 31)),
        "last_year": (D(2024, 1, 1), D(2024, 12, 31)),
        "last_30": (D(2025, 9, 1), D(2025, 9, 30)),
        "last_90": (D(2025, 7, 3), D(2025, 9, 30)),
        "next_30": (D(2025, 9, 30), D(2025, 10, 29)),
        "next_90": (D(2025, 9, 30), D(2025, 12, 28)),
        "next_3_months": (D(2025, 9, 1), D(2025, 11, 30)),
    },
    # Mid-November: the next quarter and the next three months run into the next year.
    D(2025, 11, 15): {
        "": (None, None),
        "this_month": (D(2025, 11, 1), D(2025, 11, 30)),
        "last_month": (D(2025, 10, 1), D(2025, 10, 31)),
        "next_month": (D(2025, 12, 1), D(2025, 12, 31)),
        "this_quarter": (D(2025, 10, 1), D(2025, 12, 31)),
        "last_quarter": (D(2025, 7, 1), D(2025, 9, 30)),
        "next_quarter": (D(2026, 1, 1), D(2026, 3, 31)),
        "this_year": (D(2025, 1, 1), D(2025, 12, 31)),
        "last_year": (D(2024, 1, 1), D(2024, 12, 31)),
        "last_30": (D(2025, 10, 17), D(2025, 11, 15)),
        "last_90": (D(2025, 8, 18), D(2025, 11, 15)),
        "next_30": (D(2025, 11, 15), D(2025, 12, 14)),
        "next_90": (D(2025, 11, 15), D(2026, 2, 12)),
        "next_3_months": (D(2025, 11, 1), D(2026, 1, 31)),
    },
}

RELATIVE = [key for key, _label in periods.PERIOD_CHOICES if key != periods.CUSTOM]


def test_every_relative_period_is_written_out_for_every_day():
    """A period added to the choices without a row here fails this test."""
    for today, expected in EXPECTED.items():
        assert sorted(expected) == sorted(RELATIVE), today


@pytest.mark.parametrize("today", list(EXPECTED), ids=str)
@pytest.mark.parametrize("period", RELATIVE)
def test_relative_period(today, period):
    assert periods.resolve(period, today) == EXPECTED[today][period]


@pytest.mark.parametrize("today", list(EXPECTED), ids=str)
@pytest.mark.parametrize("period", [p for p in RELATIVE if p])
def test_a_relative_period_ignores_the_custom_dates(today, period):
    """A saved "this quarter" with stale custom dates beside it stays this quarter."""
    assert periods.resolve(period, today, D(2000, 1, 1), D(2000, 1, 2)) == EXPECTED[today][period]


HOLDING_TODAY = {"this_month", "this_quarter", "this_year", "last_30", "last_90", "next_30", "next_90", "next_3_months"}


@pytest.mark.parametrize("period", [p for p in RELATIVE if p])
def test_a_range_runs_forward_and_holds_today_or_lies_beside_it(period):
    for today in EXPECTED:
        start, end = periods.resolve(period, today)
        assert start <= end
        if period in HOLDING_TODAY:
            assert start <= today <= end
        elif period.startswith("last_"):
            assert end < today
        else:
            assert today < start


@pytest.mark.parametrize("today", list(EXPECTED), ids=str)
def test_custom_range_is_the_dates_given_either_end_open(today):
    assert periods.resolve(periods.CUSTOM, today, D(2024, 2, 10), D(2024, 3, 5)) == (D(2024, 2, 10), D(2024, 3, 5))
    assert periods.resolve(periods.CUSTOM, today, D(2024, 2, 10), None) == (D(2024, 2, 10), None)
    assert periods.resolve(periods.CUSTOM, today, None, D(2024, 3, 5)) == (None, D(2024, 3, 5))
    assert periods.resolve(periods.CUSTOM, today) == (None, None)


def test_month_and_quarter_steps_cross_years():
    assert periods.month_start(D(2024, 12, 31), 1) == D(2025, 1, 1)
    assert periods.month_start(D(2024, 1, 15), -1) == D(2023, 12, 1)
    assert periods.month_start(D(2024, 1, 15), -13) == D(2022, 12, 1)
    assert periods.quarter_start(D(2024, 11, 30), 1) == D(2025, 1, 1)
    assert periods.quarter_start(D(2024, 2, 29), -1) == D(2023, 10, 1)
    assert periods.quarter_start(D(2024, 2, 29), -5) == D(2022, 10, 1)
