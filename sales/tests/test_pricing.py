"""The money functions, without the database."""
from decimal import Decimal

import pytest

from sales import pricing


@pytest.mark.parametrize("quantity, price, discount, expected", [
    ("1", "10.00", "0", "10.00"),
    ("3", "10.00", "10", "27.00"),
    ("2.5", "19.99", "0", "49.98"),        # 49.975 rounds half up
    ("1", "0.05", "50", "0.03"),           # 0.025 rounds half up, not to even
    ("7", "33.33", "100", "0.00"),
    ("0.01", "0.01", "0", "0.00"),
    ("1", "999999999999.99", "0", "999999999999.99"),
])
def test_line_total(quantity, price, discount, expected):
    assert pricing.line_total(Decimal(quantity), Decimal(price), Decimal(discount)) == Decimal(expected)


@pytest.mark.parametrize("total, probability, expected", [
    ("126.99", 50, "63.50"),   # 63.495 → 63.50
    ("100.00", 0, "0.00"),
    ("100.00", 100, "100.00"),
    ("0.01", 50, "0.01"),      # 0.005 → 0.01
    ("333.33", 33, "110.00"),  # 109.9989 → 110.00
])
def test_expected_revenue(total, probability, expected):
    assert pricing.expected_revenue(Decimal(total), probability) == Decimal(expected)


def test_amounts_never_go_through_float():
    assert isinstance(pricing.line_total(Decimal("0.1"), Decimal("0.2")), Decimal)
    assert pricing.opportunity_total([Decimal("0.10"), Decimal("0.20")]) == Decimal("0.30")
