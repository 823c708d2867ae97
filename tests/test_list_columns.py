"""The column chooser of every record list: fewer columns by default."""
import pytest

from crm.tables import AccountTable, ContactTable
from leads.tables import LeadTable
from sales.tables import OpportunityTable


@pytest.mark.parametrize("table, expected", [
    (AccountTable, ["name", "business_phone", "email", "business_city", "assigned_to", "categories"]),
    (ContactTable, ["full_name", "company_name", "business_phone", "email", "assigned_to", "categories"]),
    (LeadTable, ["full_name", "company_name", "business_phone", "score", "assigned_to", "categories"]),
    (OpportunityTable, ["title", "linked", "stage", "expected_revenue", "close_date", "assigned_to"]),
])
def test_each_list_shows_fewer_columns_by_default(table, expected):
    assert table.shown_columns(None) == expected
    assert len(table.column_names()) > len(expected)
