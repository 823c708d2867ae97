"""Opportunity amounts are shown with the site's currency as the reader's
language writes them (crm.money.format_money) on the list, the record page and
its reading pane, the form's totals, an account's related opportunities and the
PDF; exports keep plain numbers."""
import csv
import io
import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from crm.tests.factories import AccountFactory

# CLDR's spaces: French groups digits with a narrow no-break space and puts a
# no-break space before the currency.
NNBSP, NBSP = "\u202f", "\xa0"


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
    assert client.post(reverse("crm:preferences"), {"language": language}).status_code == 302


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
    # The reading pane beside the list draws the same sections and lines.
    pane = staff_client.get(reverse("sales:opportunity_detail", args=[deal.pk]),
                            headers={"HX-Request": "true", "HX-Target": "reading-pane"}).content.decode()
    assert f'<dd class="col-sm-8">{shown["expected"]}</dd>' in pane
    assert f'data-testid="total">{shown["total"]}</th>' in pane
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
