"""Amounts of money are shown with the site's currency, as the reader's language
writes them: crm.money.format_money, the ``money`` template filter and the
lists' ``MoneyColumn``, which both call it, and the CRM_CURRENCY setting.
(The pages that show amounts, and exports keeping plain numbers, are tested
where the amounts live: sales/tests/test_money.py.)"""
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.template import Context, Template
from django.utils import translation

from crm.generic.tables import MoneyColumn
from crm.money import babel_locale, currency_for_language, format_money

# CLDR's spaces: French groups digits with a narrow no-break space; French,
# Norwegian and Polish put a no-break space before the currency.
NNBSP, NBSP = "\u202f", "\xa0"

AMOUNT = Decimal("2500")


# --- The function ----------------------------------------------------------------------------

@pytest.mark.parametrize("language, currency, expected", [
    ("en", "USD", "$2,500.00"),
    ("en", "EUR", "€2,500.00"),
    ("en", "NOK", "NOK2,500.00"),
    ("fr", "EUR", f"2{NNBSP}500,00{NBSP}€"),
    ("fr", "USD", f"2{NNBSP}500,00{NBSP}$US"),
    ("nb", "NOK", f"2{NBSP}500,00{NBSP}kr"),
    ("nb", "EUR", f"2{NBSP}500,00{NBSP}€"),
    # CLDR's Polish groups four-digit amounts only from 10 000 (minimumGroupingDigits 2);
    # Babel does not apply that rule and groups them: "2 500,00 zł".
    ("pl", "PLN", f"2{NBSP}500,00{NBSP}zł"),
    ("pl", "EUR", f"2{NBSP}500,00{NBSP}€"),
    ("id", "IDR", "Rp2.500,00"),
    ("id", "USD", "US$2.500,00"),
])
def test_each_language_writes_the_currency_its_own_way(language, currency, expected):
    assert format_money(AMOUNT, currency=currency, language=language) == expected


@pytest.mark.parametrize("language, expected", [
    ("en", "-$1,234.57"),
    ("fr", f"-1{NNBSP}234,57{NBSP}€"),
    ("nb", f"-1{NBSP}234,57{NBSP}€"),
    ("pl", f"-1{NBSP}234,57{NBSP}€"),
    ("id", "-€1.234,57"),
])
def test_negative_amounts(language, expected):
    currency = "USD" if language == "en" else "EUR"
    assert format_money(Decimal("-1234.567"), currency=currency, language=language) == expected


@pytest.mark.parametrize("amount, expected", [
    (Decimal("0.125"), "$0.13"),     # half up; Babel alone rounds half to even (0.12)
    (Decimal("2.675"), "$2.68"),
    (Decimal("-0.125"), "-$0.13"),   # half away from zero, as sales.pricing rounds
    (Decimal("0.124"), "$0.12"),
    (Decimal("-0.004"), "$0.00"),    # no "-$0.00"
    (Decimal("-0"), "$0.00"),
    (Decimal("0"), "$0.00"),
    (0, "$0.00"),
    (1874, "$1,874.00"),
    ("1874.925", "$1,874.93"),
    (" 12.5 ", "$12.50"),
    (Decimal("999999999999.99"), "$999,999,999,999.99"),           # the largest stored amount
    (Decimal("999999999999.995"), "$1,000,000,000,000.00"),
    (10 ** 30, "$1,000,000,000,000,000,000,000,000,000,000.00"),  # wider than Decimal's default context
])
def test_rounding_half_up_to_the_currencys_digits(amount, expected):
    assert format_money(amount, currency="USD", language="en") == expected


def test_the_currencys_digits_come_from_cldr():
    # CLDR gives the Indonesian rupiah 2 digits (0 for cash); Babel follows it, and so do we.
    assert format_money(Decimal("1234.565"), currency="IDR", language="id") == "Rp1.234,57"
    assert format_money(Decimal("1234.5"), currency="JPY", language="en") == "¥1,235"


@pytest.mark.parametrize("empty", [None, ""])
def test_no_amount_shows_nothing(empty):
    assert format_money(empty) == ""


@pytest.mark.parametrize("amount, error", [
    (1874.93, TypeError),   # a float holds no exact cents
    (True, TypeError),
    ([1], TypeError),
    ("12,50", ValueError),
    ("abc", ValueError),
    (Decimal("NaN"), ValueError),
    (Decimal("Infinity"), ValueError),
])
def test_what_is_no_amount_is_refused(amount, error):
    with pytest.raises(error):
        format_money(amount)


def test_defaults_are_the_sites_currency_and_the_active_language(settings):
    settings.CRM_CURRENCY = "EUR"
    with translation.override("fr"):
        assert format_money(AMOUNT) == f"2{NNBSP}500,00{NBSP}€"
    with translation.override("nb"):
        assert format_money(AMOUNT, currency="NOK") == f"2{NBSP}500,00{NBSP}kr"
    with translation.override("en"):
        assert format_money(AMOUNT) == "€2,500.00"
    with translation.override(None):   # no active language: the site's (LANGUAGE_CODE "en")
        assert format_money(AMOUNT) == "€2,500.00"


@pytest.mark.parametrize("language, locale", [
    ("en", "en"), ("fr", "fr"), ("nb", "nb"), ("pl", "pl"), ("id", "id"),
    ("en-us", "en_US"), ("pt-br", "pt_BR"), ("zh-hans", "zh_Hans"),
    ("xx", "en"),   # a code Babel does not know: English, not an error page
])
def test_django_language_codes_map_to_babel_locales(language, locale):
    assert str(babel_locale(language)) == locale


@pytest.mark.parametrize("language, currency", [
    ("en", "USD"), ("en-us", "USD"), ("en-gb", "GBP"), ("fr", "EUR"), ("nb", "NOK"), ("pl", "PLN"), ("id", "IDR"),
])
def test_the_default_currency_is_that_of_the_site_languages_country(language, currency):
    assert currency_for_language(language) == currency


def run_settings(**env) -> subprocess.CompletedProcess:
    """Load the site's settings in a fresh Python with ``env`` added to the environment."""
    environment = {k: v for k, v in os.environ.items() if k != "CRM_CURRENCY"} | env
    return subprocess.run([sys.executable, "-c", "from crm import settings; print(settings.CRM_CURRENCY)"],
                          cwd=django_settings.BASE_DIR, env=environment, capture_output=True, text=True)


def test_the_currency_setting_reads_the_environment():
    assert run_settings().stdout.strip() == "USD"   # LANGUAGE_CODE "en"
    assert run_settings(CRM_CURRENCY=" nok ").stdout.strip() == "NOK"
    refused = run_settings(CRM_CURRENCY="€")
    assert refused.returncode != 0
    assert "ImproperlyConfigured: CRM_CURRENCY='€' is no ISO 4217 currency code" in refused.stderr


# --- The template filter and the list column -------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (Decimal("1874.93"), "$1,874.93"), (None, ""), ("", ""), ("not a number", ""),
])
def test_the_money_filter(value, expected):
    assert Template("{% load crm %}{{ value|money }}").render(Context({"value": value})) == expected


def test_the_money_column_draws_the_amount_with_its_currency():
    class Row:
        total = Decimal("-1250.5")
        none = None

    column = MoneyColumn()
    assert column.cell(Row, "total") == '<span class="d-block text-end font-monospace text-nowrap">-$1,250.50</span>'
    assert column.text(Row, "total") == "-$1,250.50"
    assert column.cell(Row, "none") == "—"
    with translation.override("fr"):
        assert column.text(Row, "total") == f"-1{NNBSP}250,50{NBSP}$US"
