"""Date ranges a report is filtered by: relative ones ("this quarter", "next
90 days") that a saved report keeps as words, so it moves on with the
calendar, and a custom range of two dates.

Pure functions of "today": tested without the database.
"""
from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _, pgettext_lazy

CUSTOM = "custom"

PERIOD_CHOICES = [
    ("", pgettext_lazy("date range", "Any time")),
    ("this_month", _("This month")),
    ("last_month", _("Last month")),
    ("next_month", _("Next month")),
    ("this_quarter", _("This quarter")),
    ("last_quarter", _("Last quarter")),
    ("next_quarter", _("Next quarter")),
    ("this_year", _("This year")),
    ("last_year", _("Last year")),
    ("last_30", _("Last 30 days")),
    ("last_90", _("Last 90 days")),
    ("next_30", _("Next 30 days")),
    ("next_90", _("Next 90 days")),
    ("next_3_months", _("Next 3 months (from this month)")),
    (CUSTOM, _("Custom range")),
]


def month_start(day: datetime.date, months: int = 0) -> datetime.date:
    """The first day of the month ``months`` after (or before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def quarter_start(day: datetime.date, quarters: int = 0) -> datetime.date:
    first = datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return month_start(first, 3 * quarters)


def _span(start: datetime.date, next_start: datetime.date) -> tuple[datetime.date, datetime.date]:
    return start, next_start - datetime.timedelta(days=1)


def resolve(period: str, today: datetime.date, start: datetime.date | None = None,
            end: datetime.date | None = None) -> tuple[datetime.date | None, datetime.date | None]:
    """The first and last day (both included) of ``period`` seen from ``today``;
    (None, None) for any time; the custom range as given (either end may be open)."""
    day = datetime.timedelta(days=1)
    if not period:
        return None, None
    if period == CUSTOM:
        return start, end
    if period.endswith("_month") and not period.startswith("next_3"):
        offset = {"this_month": 0, "last_month": -1, "next_month": 1}[period]
        return _span(month_start(today, offset), month_start(today, offset + 1))
    if period.endswith("_quarter"):
        offset = {"this_quarter": 0, "last_quarter": -1, "next_quarter": 1}[period]
        return _span(quarter_start(today, offset), quarter_start(today, offset + 1))
    if period == "this_year":
        return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    if period == "last_year":
        return datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)
    if period == "next_3_months":
        return _span(month_start(today), month_start(today, 3))
    direction, days = period.split("_")
    if direction == "last":
        return today - (int(days) - 1) * day, today
    return today, today + (int(days) - 1) * day
