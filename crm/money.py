"""Amounts of money as people read them: one function, ``format_money``.

Every page, pane, PDF and report that shows an amount calls it (the ``money``
template filter and ``sales.tables.MoneyColumn`` included), so an amount reads
the same everywhere: with the site's currency (``settings.CRM_CURRENCY``) and
the separators, symbol and symbol position of the reader's language, as the
Unicode CLDR has them (through Babel): "$2,500.00" in English,
"2 500,00 €" in French, "2 500,00 kr" in Norwegian Bokmål, "Rp2.500,00" in
Indonesian.

Only what is shown changes. Exports, imports and number inputs keep plain
numbers ("2500.00"), so a file or a form reads back unchanged.
"""
from __future__ import annotations

import decimal
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.numbers import format_currency, get_currency_precision, get_territory_currencies, is_currency
from django.conf import settings
from django.utils import translation


@lru_cache(maxsize=64)
def babel_locale(language: str) -> Locale:
    """The Babel locale of a Django language code ("en", "nb", "pt-br",
    "zh-hans"); a code Babel does not know falls back to its language
    alone, then to English, so an odd code never breaks a page."""
    for candidate in (translation.to_locale(language), language.split("-")[0]):
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse("en")


def currency_for_language(language: str) -> str:
    """The ISO 4217 code of the currency where a language is mainly used:
    its own territory's ("en-gb" → GBP), else the territory CLDR takes as
    likely for the language ("en" → USD, "fr" → EUR, "nb" → NOK, "pl" → PLN,
    "id" → IDR). The default of ``settings.CRM_CURRENCY``."""
    locale = babel_locale(language)
    territory = locale.territory
    if not territory:
        likely = get_global("likely_subtags").get(locale.language, "")
        territory = Locale.parse(likely).territory if likely else None
    currencies = get_territory_currencies(territory) if territory else []
    return currencies[0] if currencies else "USD"


def valid_currency(code: str) -> bool:
    """Whether ``code`` is an ISO 4217 currency code CLDR knows ("EUR", not "eur" or "€")."""
    return bool(code) and code == code.upper() and is_currency(code)


def _decimal(amount) -> Decimal:
    """The amount as a Decimal. A float is refused (TypeError): it holds no
    exact cents, and money in this application never passes through one."""
    if isinstance(amount, Decimal):
        value = amount
    elif isinstance(amount, int) and not isinstance(amount, bool):
        value = Decimal(amount)
    elif isinstance(amount, str):
        try:
            value = Decimal(amount.strip())
        except decimal.InvalidOperation:
            raise ValueError(f"Not an amount: {amount!r}") from None
    else:
        raise TypeError(f"An amount is a Decimal, an int or a numeric string, not {type(amount).__name__}")
    if not value.is_finite():
        raise ValueError(f"Not an amount: {amount!r}")
    return value


def format_money(amount, *, currency: str | None = None, language: str | None = None) -> str:
    """``amount`` (a Decimal, an int or a numeric string; never a float) as
    text for display: ``currency`` (ISO 4217; default ``settings.CRM_CURRENCY``)
    in ``language`` (a Django language code; default the active language).

    The amount is rounded half up (away from zero on a tie, as
    ``sales.pricing`` rounds) to the currency's digits as CLDR gives them
    (2 for EUR, USD, NOK, PLN and also IDR; 0 for JPY), then drawn with the
    language's pattern: "-$1,234.57", "-1 234,57 €". No amount (None or "")
    gives "". Raises ValueError for a string that is no number, TypeError
    for a float or another type."""
    if amount is None or amount == "":
        return ""
    value = _decimal(amount)
    currency = currency or settings.CRM_CURRENCY
    digits = get_currency_precision(currency)
    locale = babel_locale(language or translation.get_language() or settings.LANGUAGE_CODE)
    # Rounding here, half up, rather than leaving it to Babel, which quantizes
    # in the current decimal context (half to even: 0.125 → 0.12). The context
    # is wide enough for any amount's digits (the default holds 28).
    with decimal.localcontext(prec=max(28, value.adjusted() + digits + 2)):
        value = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
        if value.is_zero():
            value = value.copy_abs()  # -0.001 rounds to "$0.00", not "-$0.00"
        return format_currency(value, currency, locale=locale)
