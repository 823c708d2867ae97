"""The opportunity export in Excel: numbers and dates as typed cells."""
import io

import openpyxl
import pytest
from django.urls import reverse

from crm.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_excel_export_writes_numbers_and_dates_as_typed_cells(staff_client):
    import datetime
    from decimal import Decimal

    from sales.tests.factories import OpportunityFactory

    deal = OpportunityFactory(title="Fleet renewal", probability=40, close_date=datetime.date(2027, 3, 31),
                              total=Decimal("1999.50"), account=AccountFactory(name="Acme", business_phone="+47 1"))
    response = staff_client.get(reverse("sales:opportunity_export"), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    row = {sheet.cell(1, column).value: sheet.cell(2, column) for column in range(1, sheet.max_column + 1)}
    assert row["ID"].value == deal.pk and row["ID"].data_type == "n"
    assert row["Probability"].value == 40 and row["Probability"].data_type == "n"
    assert row["Total"].value == 1999.5 and row["Total"].data_type == "n"
    assert row["Close Date"].is_date and row["Close Date"].value == datetime.datetime(2027, 3, 31)
    assert row["Created"].is_date
    assert row["Opportunity Title"].value == "Fleet renewal"
