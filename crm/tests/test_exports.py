"""Exports: CSV and Excel of the current filter or selection, with every column."""
import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from crm.generic.exports import escape_formula, unescape_formula
from crm.models import BusinessContact
from crm.tests.factories import AccountFactory, CategoryFactory, ContactFactory

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize("text, escaped", [
    ("=SUM(A1:A2)", "'=SUM(A1:A2)"), ("@cmd", "'@cmd"), ("\tx", "'\tx"),
    # A sign starts a formula only when more than a number follows.
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("-2+3", "'-2+3"), ("+A1", "'+A1"), ("- bullet", "'- bullet"),
    ("+47 22 33 44 55", "+47 22 33 44 55"), ("-5", "-5"), ("+1 (555) 010-1234", "+1 (555) 010-1234"),
    ("-12,50", "-12,50"), ("-", "-"),
    ("Plain", "Plain"), ("", ""), ("'quoted", "'quoted"),
    # A text that starts with an apostrophe before a sign keeps it through the round trip.
    ("'-5", "''-5"), ("'=x", "''=x"),
])
def test_formula_escaping_round_trips(text, escaped):
    assert escape_formula(text) == escaped
    assert unescape_formula(escaped) == text


def test_a_phone_escaped_by_an_older_export_imports_without_the_apostrophe():
    assert unescape_formula("'+47 22 33 44 55") == "+47 22 33 44 55"


def test_csv_export_of_the_filtered_list(staff_client):
    category = CategoryFactory(name="Key")
    match = ContactFactory(full_name="Anna Hansen", email="anna@example.com", business_phone="=HYPERLINK(\"x\")",
                           account=AccountFactory(name="Acme"))
    match.categories.add(category)
    ContactFactory(full_name="Ola Berg")
    rows = read_csv(staff_client.get(reverse("crm:contact_export"), {"q": "anna", "format": "csv"}))
    header, row = rows[0], rows[1]
    assert len(rows) == 2
    record = dict(zip(header, row))
    assert record["Full Name"] == "Anna Hansen" and record["E-mail Address"] == "anna@example.com"
    assert record["Business Phone"] == "'=HYPERLINK(\"x\")"
    assert record["Account"] == "Acme" and record["Categories"] == "Key"
    assert {"Birthday", "Business Street", "Home City", "Lead Source", "Rating"} <= set(header)


def test_export_of_the_selection(staff_client):
    chosen, other = ContactFactory(full_name="Chosen One"), ContactFactory(full_name="Not Chosen")
    rows = read_csv(staff_client.post(reverse("crm:contact_export"), {"pk": [chosen.pk], "format": "csv"}))
    names = [r[1] for r in rows[1:]]
    assert names == ["Chosen One"] and other.full_name not in names


def test_excel_export(staff_client):
    AccountFactory(name="=cmd|' /C calc'!A0")
    response = staff_client.get(reverse("crm:account_export"), {"format": "xlsx"})
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    assert sheet.cell(1, 2).value == "Account Name"
    assert sheet.cell(2, 2).value == "'=cmd|' /C calc'!A0"


def test_export_reads_in_chunks_with_constant_queries(staff_client, django_assert_max_num_queries, settings):
    from crm.generic import exports

    ContactFactory.create_batch(7)
    exports_chunk = exports.CHUNK
    exports.CHUNK = 3
    try:
        with django_assert_max_num_queries(20):
            rows = read_csv(staff_client.get(reverse("crm:contact_export"), {"format": "csv"}))
    finally:
        exports.CHUNK = exports_chunk
    assert len(rows) == 8


def test_updating_the_rows_updates_the_export_links_with_the_filter_and_sort(staff_client):
    """The list's filter and sort change the rows only (htmx); the Export links
    above them come along out of band, so they export what the list shows."""
    ContactFactory(full_name="Anna Hansen")
    response = staff_client.get(reverse("crm:contact_list"), {"q": "anna", "sort": "-full_name", "page": "1"},
                                headers={"HX-Request": "true", "HX-Target": "results"})
    body = response.content.decode()
    menu = body[body.index('<ul id="export-menu" hx-swap-oob="innerHTML">'):]
    menu = menu[:menu.index("</ul>")]
    export = reverse("crm:contact_export")
    assert f'href="{export}?q=anna&amp;sort=-full_name&amp;format=csv"' in menu
    assert f'href="{export}?q=anna&amp;sort=-full_name&amp;format=xlsx"' in menu
    # The filter form's sort follows too, so the next filter change keeps it.
    assert '<input type="hidden" name="sort" value="-full_name" id="filter-sort" hx-swap-oob="true">' in body


def test_the_first_page_has_export_links_without_out_of_band_copies(staff_client):
    body = staff_client.get(reverse("crm:contact_list"), {"q": "anna"}).content.decode()
    assert body.count('id="export-menu"') == 1 and "hx-swap-oob" not in body
    assert f'href="{reverse("crm:contact_export")}?q=anna&amp;format=csv"' in body


def test_export_follows_the_list_sort(staff_client):
    for name in ("Bo Berg", "anna Ask", "Cecilie Dahl"):
        ContactFactory(full_name=name, file_as=name)
    url = reverse("crm:contact_export")

    def names(rows):
        return [dict(zip(rows[0], row))["Full Name"] for row in rows[1:]]

    assert names(read_csv(staff_client.get(url, {"format": "csv", "sort": "-full_name"}))) == [
        "Cecilie Dahl", "Bo Berg", "anna Ask"]
    assert names(read_csv(staff_client.get(url, {"format": "csv", "sort": "full_name"}))) == [
        "anna Ask", "Bo Berg", "Cecilie Dahl"]
    # The ticked rows too, in the list's order; an unknown sort falls back to the list's default.
    pks = list(BusinessContact.objects.values_list("pk", flat=True))
    assert names(read_csv(staff_client.post(url, {"format": "csv", "pk": pks, "sort": "-full_name"}))) == [
        "Cecilie Dahl", "Bo Berg", "anna Ask"]
    assert len(read_csv(staff_client.get(url, {"format": "csv", "sort": "no_such_column"}))) == 4


def test_excel_export_writes_phones_as_they_are(staff_client):
    ContactFactory(full_name="Anna Hansen", business_phone="+47 22 33 44 55", mobile_phone="=1+1")
    response = staff_client.get(reverse("crm:contact_export"), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    row = {sheet.cell(1, column).value: sheet.cell(2, column).value for column in range(1, sheet.max_column + 1)}
    assert row["Business Phone"] == "+47 22 33 44 55"
    assert row["Mobile Phone"] == "'=1+1"
