"""The site visit export: the resource's columns, the link by name."""
import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from sample_records.tests.factories import SiteVisitFactory, full_site_visit

pytestmark = pytest.mark.django_db

EXPORT = reverse("sample_records:site_visit_export")
HEADER = ["ID", "Title", "Visit Date", "Kind", "Expenses", "Account", "Business Contact", "Assigned To",
          "Categories", "Comments", "Created"]


def exported(client, file_format: str) -> bytes:
    response = client.get(EXPORT, {"format": file_format})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_csv_has_the_columns_and_names_the_linked_record(staff_client):
    visit = full_site_visit()
    other = SiteVisitFactory(title="=HYPERLINK(\"x\")", visit_date=datetime.date(2026, 1, 5))
    rows = list(csv.reader(io.StringIO(exported(staff_client, "csv").decode("utf-8-sig"))))
    assert rows[0] == HEADER
    by_title = {row[1]: row for row in rows[1:]}
    assert by_title["Fully filled visit"][:10] == [
        str(visit.pk), "Fully filled visit", "2026-04-15", "installation", "1250.50", "", "Visited Person", "carol",
        "Key customer, Partner", "First line\nSecond line with <b>bold</b>"]
    # A formula typed as a title is written as text; the account is named.
    assert by_title["'=HYPERLINK(\"x\")"][2:6] == ["2026-01-05", "survey", "", other.account.name]


def test_excel_keeps_dates_and_amounts_typed(staff_client):
    full_site_visit()
    sheet = load_workbook(io.BytesIO(exported(staff_client, "xlsx"))).active
    assert [cell.value for cell in sheet[1]] == HEADER
    row = [cell.value for cell in sheet[2]]
    assert row[2] == datetime.datetime(2026, 4, 15) and Decimal(str(row[4])) == Decimal("1250.50")


def test_the_export_follows_the_lists_filter(staff_client):
    SiteVisitFactory(title="Roof survey")
    SiteVisitFactory(title="Boiler service")
    response = staff_client.get(EXPORT, {"format": "csv", "q": "roof"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["Roof survey"]
