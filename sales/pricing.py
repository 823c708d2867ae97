"""Money arithmetic of opportunities, as pure functions on ``Decimal``.

One definition of each amount: the services store what these return, the
forms preview with them, and reports sum the stored values, so a line total
or an expected revenue can never be computed two ways. Amounts are rounded to
cents, half up (what a customer's invoice does), never through float.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# The largest amount stored (14 digits, 2 of them cents: sales.models.MONEY).
MAX_AMOUNT = Decimal("999999999999.99")


def to_money(value) -> Decimal:
    """Round to cents, half up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_total(quantity: Decimal, unit_price: Decimal, discount_percent: Decimal = Decimal(0)) -> Decimal:
    """quantity × unit price, less the discount, rounded to cents."""
    gross = Decimal(quantity) * Decimal(unit_price)
    return to_money(gross * (HUNDRED - Decimal(discount_percent or 0)) / HUNDRED)


def opportunity_total(line_totals: Iterable[Decimal]) -> Decimal:
    """The total of the products and services (line totals are already in cents)."""
    return to_money(sum((Decimal(t) for t in line_totals), Decimal(0)))


def expected_revenue(total: Decimal, probability: int) -> Decimal:
    """Probability (0–100 %) × total, rounded to cents."""
    return to_money(Decimal(total or 0) * Decimal(probability or 0) / HUNDRED)


def is_storable(amount: Decimal) -> bool:
    """Whether an amount fits the stored amounts' 14 digits."""
    return abs(amount) <= MAX_AMOUNT
