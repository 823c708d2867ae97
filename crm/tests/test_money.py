"""Amounts of money are shown with the site's currency, as the reader's language
writes them (crm.money.format_money, the ``money`` filter, the list's money
column, record pages, panes and PDFs); exports keep plain numbers."""
import csv
import io
import os
import shutil
import subprocess
import sys
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from crm.money import babel_locale, currency_for_language, format_money
from crm.tests.factories import AccountFactory

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
    from sales.tables import MoneyColumn

    class Row:
        total = Decimal("-1250.5")
        none = None

    column = MoneyColumn()
    assert column.cell(Row, "total") == '<span class="d-block text-end font-monospace text-nowrap">-$1,250.50</span>'
    assert column.text(Row, "total") == "-$1,250.50"
    assert column.cell(Row, "none") == "—"
    with translation.override("fr"):
        assert column.text(Row, "total") == f"-1{NNBSP}250,50{NBSP}$US"


# --- Pages -----------------------------------------------------------------------------------

@pytest.fixture
def deal(staff):
    """An opportunity of 3,749.85 at 50 %: expected revenue 1,874.925 → 1,874.93 (half up)."""
    from sales.models import Opportunity
    from sales.services import LineInput, opportunity_save

    return opportunity_save(
        instance=Opportunity(title="Fjord network", account=AccountFactory(name="Fjord AS"), probability=50),
        user=staff, lines=[LineInput(None, "Router", Decimal(3), Decimal("1249.95"))])


SHOWN = {
    "en": {"total": "$3,749.85", "expected": "$1,874.93", "price": "$1,249.95"},
    "fr": {"total": f"3{NNBSP}749,85{NBSP}€", "expected": f"1{NNBSP}874,93{NBSP}€", "price": f"1{NNBSP}249,95{NBSP}€"},
}
CURRENCY = {"en": "USD", "fr": "EUR"}


def use_language(client, settings, language: str) -> None:
    settings.CRM_CURRENCY = CURRENCY[language]
    assert client.post(reverse("crm:preferences"), {"language": language}).status_code in (200, 302)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_list_shows_amounts_with_the_currency(staff_client, settings, deal, language):
    use_language(staff_client, settings, language)
    body = staff_client.get(reverse("sales:opportunity_list")).content.decode()   # Expected revenue is a default column
    shown = SHOWN[language]
    assert f'font-monospace text-nowrap">{shown["expected"]}</span>' in body


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_record_page_shows_amounts_with_the_currency(staff_client, settings, deal, language):
    use_language(staff_client, settings, language)
    body = staff_client.get(reverse("sales:opportunity_detail", args=[deal.pk])).content.decode()
    shown = SHOWN[language]
    # The lines and their totals, and Expected revenue in the Sales information section.
    assert f'data-testid="total">{shown["total"]}</th>' in body
    assert f'data-testid="expected-revenue">{shown["expected"]}</th>' in body
    assert f'<td class="text-end">{shown["price"]}</td>' in body
    assert f'<dd class="col-sm-8">{shown["expected"]}</dd>' in body
    # The account's page lists the opportunity with its total.
    account_page = staff_client.get(reverse("crm:account_detail", args=[deal.account_id])).content.decode()
    assert f'· {shown["total"]}</span>' in account_page


def test_the_edit_form_shows_totals_with_the_currency_and_keeps_plain_numbers_in_its_inputs(staff_client, settings,
                                                                                          deal):
    use_language(staff_client, settings, "fr")
    body = staff_client.get(reverse("sales:opportunity_edit", args=[deal.pk])).content.decode()
    assert f'data-testid="total">{SHOWN["fr"]["total"]}</dd>' in body
    assert f'data-testid="expected-revenue" aria-live="polite">{SHOWN["fr"]["expected"]}</dd>' in body
    assert 'value="1249.95"' in body   # the number input: what the browser reads, no symbol


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is not installed")
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_pdf_shows_amounts_with_the_currency(staff_client, settings, deal, language):
    use_language(staff_client, settings, language)
    response = staff_client.get(reverse("sales:opportunity_print", args=[deal.pk]))
    text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True,
                          check=True).stdout.decode()
    for amount in SHOWN[language].values():
        # The PDF's text layer may give CLDR's no-break spaces back as plain ones.
        assert amount.replace(NNBSP, " ").replace(NBSP, " ") in text.replace(NNBSP, " ").replace(NBSP, " ")


# --- Exports keep plain numbers --------------------------------------------------------------

@pytest.mark.parametrize("language", ["en", "fr"])
def test_exports_keep_plain_numbers(staff_client, settings, deal, language):
    use_language(staff_client, settings, language)
    response = staff_client.get(reverse("sales:opportunity_export"), {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert (rows[0]["Total"], rows[0]["Expected Revenue"]) == ("3749.85", "1874.93")

    response = staff_client.get(reverse("sales:opportunity_export"), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    row = [cell.value for cell in sheet[2]]
    assert row[header.index("Total")] == pytest.approx(3749.85)    # a number cell, not text
    assert row[header.index("Expected Revenue")] == pytest.approx(1874.93)
