"""Browser tests of Sales ▸ Leads ▸ Import: a CSV with Outlook column names
through the preview (rows with errors refused, then skipped), matching an
unknown column by hand, and files the importer refuses.

Each test drives Chromium through the pages as a user would — by visible
labels, roles and button names — against pytest-django's live server. The
CSV files are written to pytest's tmp_path and chosen in the file input.
"""
import re

import pytest
from playwright.sync_api import Page, expect

from leads.models import Lead

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FILE_LABEL = "File (CSV or Excel .xlsx)"


def open_workspace_tab(page: Page, workspace: str, tab: str) -> None:
    """Open a list through the navigation bar's workspace menu (e.g. Sales ▸ Leads)."""
    menu = page.get_by_role("navigation")
    menu.get_by_role("button", name=workspace).click()
    menu.get_by_role("link", name=tab, exact=True).click()
    expect(page.get_by_role("heading", name=tab, level=1)).to_be_visible()


def open_import(page: Page, live_server) -> None:
    """Sales ▸ Leads ▸ "Import": the first step, File."""
    page.goto(f"{live_server.url}/")
    open_workspace_tab(page, "Sales", "Leads")
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Import Leads", level=1)).to_be_visible()
    expect_step(page, "1. File")


def expect_step(page: Page, step: str) -> None:
    """The step list marks the current step (bold); the others are not."""
    steps = page.get_by_role("list", name="Steps")
    expect(steps.get_by_role("listitem")).to_have_count(3)
    for item in ("1. File", "2. Columns", "3. Preview"):
        locator = steps.get_by_role("listitem").filter(has_text=item)
        if item == step:
            expect(locator).to_have_class(re.compile(r"\bfw-semibold\b"))
        else:
            expect(locator).not_to_have_class(re.compile(r"\bfw-semibold\b"))


def choose_file(page: Page, path) -> None:
    page.get_by_label(FILE_LABEL).set_input_files(path)
    page.get_by_role("button", name="Next", exact=True).click()


def import_button(page: Page):
    return page.get_by_role("main").get_by_role("button", name="Import", exact=True)


# --- 1. A CSV with Outlook column names, one row with an error ----------------------

def test_import_csv_through_the_preview(signed_in_page: Page, live_server, tmp_path):
    page = signed_in_page
    csv_file = tmp_path / "outlook-contacts.csv"
    csv_file.write_text(
        "First Name,Last Name,E-mail Address,Company\r\n"
        "Iris,Imported,iris@example.com,Acme Ltd\r\n"
        "Ivan,Invalid,not-an-e-mail,Beta GmbH\r\n"
        "Jana,Joined,jana@example.com,Gamma SA\r\n",
        encoding="utf-8",
    )

    open_import(page, live_server)
    choose_file(page, csv_file)

    # Every column is an Outlook name, so the Columns step is skipped.
    expect_step(page, "3. Preview")
    expect(page.get_by_text("Nothing has been saved yet.")).to_be_visible()
    expect(page.get_by_text("2 new", exact=True)).to_be_visible()
    expect(page.get_by_text("0 to update", exact=True)).to_be_visible()
    expect(page.get_by_text("1 with errors", exact=True)).to_be_visible()

    problems = page.get_by_role("alert").filter(has_text="1 problem in the file:")
    expect(problems).to_be_visible()
    error_rows = problems.get_by_role("row").filter(has_not=page.get_by_role("columnheader"))
    expect(error_rows).to_have_count(1)
    # Row 3 of the file (the header is row 1), its column, the offending value, and why.
    expect(error_rows.first.get_by_role("cell")).to_have_text(
        ["3", "E-mail Address", "not-an-e-mail", "Enter a valid email address."])

    # The per-row table agrees: two new rows and the invalid one marked Error.
    preview_rows = page.locator("table.import-preview").get_by_role("row")
    expect(preview_rows.filter(has_text="Iris Imported")).to_contain_text("New")
    expect(preview_rows.filter(has_text="Jana Joined")).to_contain_text("New")
    expect(preview_rows.filter(has_text="Ivan Invalid")).to_contain_text("Error")

    # Without "skip the rows with errors" nothing is imported.
    skip = page.get_by_label("Skip the rows with errors and import the rest")
    expect(skip).not_to_be_checked()
    import_button(page).click()
    expect(page.get_by_role("alert").filter(has_text="Some rows have errors")).to_be_visible()
    expect_step(page, "3. Preview")
    assert Lead.objects.count() == 0

    # The Leads list (in a second tab, keeping the preview open) has no lead.
    list_page = page.context.new_page()
    list_page.set_default_timeout(5_000)
    list_page.goto(f"{live_server.url}/leads/")
    expect(list_page.get_by_role("heading", name="Leads", level=1)).to_be_visible()
    expect(list_page.get_by_text("0 records", exact=True)).to_be_visible()
    for name in ("Iris Imported", "Jana Joined", "Ivan Invalid"):
        expect(list_page.get_by_text(name)).to_have_count(0)
    list_page.close()

    # Tick the box and import: the two good rows become leads.
    page.get_by_label("Skip the rows with errors and import the rest").check()
    import_button(page).click()

    expect(page).to_have_url(re.compile(r"/leads/$"))
    expect(page.get_by_role("heading", name="Leads", level=1)).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="Import finished: 2 new, 0 updated, 0 unchanged, 0 skipped, 1 with errors (not imported).")).to_be_visible()
    expect(page.get_by_text("2 records", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Iris Imported")).to_be_visible()
    expect(page.get_by_role("link", name="Jana Joined")).to_be_visible()
    expect(page.get_by_text("Ivan Invalid")).to_have_count(0)
    rows = page.get_by_role("row")
    # E-mail is not a default column of the list: the reading pane shows it.
    rows.filter(has_text="Iris Imported").get_by_role("cell", name="Acme Ltd").click()
    expect(page.get_by_role("region", name="Preview")).to_contain_text("iris@example.com")
    expect(rows.filter(has_text="Jana Joined")).to_contain_text("Gamma SA")


# --- 2. A column the importer does not know, matched by hand ------------------------

def test_unknown_column_is_matched_by_hand(signed_in_page: Page, live_server, tmp_path):
    page = signed_in_page
    csv_file = tmp_path / "phone-list.csv"
    csv_file.write_text("Full Name,Handy\nHanna Handy,+49 170 1234567\n", encoding="utf-8")

    open_import(page, live_server)
    choose_file(page, csv_file)

    expect_step(page, "2. Columns")
    expect(page.get_by_text(re.compile(r"Some columns of .phone-list\.csv. were not recognised"))).to_be_visible()
    handy_row = page.get_by_role("row").filter(has_text="Handy").filter(has_text="+49 170 1234567")
    expect(handy_row).to_have_count(1)
    expect(handy_row.get_by_role("cell").first).to_have_text("Handy")
    # The select is labelled by its column's name; unknown columns start ignored.
    handy = page.get_by_label("Handy", exact=True)
    expect(handy).to_have_value("")
    expect(handy.locator("option:checked")).to_have_text("(ignore this column)")
    # A recognised column comes pre-selected.
    expect(page.get_by_label("Full Name", exact=True).locator("option:checked")).to_have_text("Full Name")

    handy.select_option(label="Mobile Phone")
    page.get_by_role("button", name="Next", exact=True).click()

    expect_step(page, "3. Preview")
    expect(page.get_by_text("1 new", exact=True)).to_be_visible()
    expect(page.get_by_text("0 with errors", exact=True)).to_be_visible()
    expect(page.get_by_label("Skip the rows with errors and import the rest")).to_have_count(0)
    import_button(page).click()

    expect(page.get_by_role("alert").filter(has_text="Import finished: 1 new, 0 updated, 0 unchanged, 0 skipped, 0 with errors (not imported).")).to_be_visible()
    page.get_by_role("link", name="Hanna Handy").click()
    expect(page).to_have_url(re.compile(r"/leads/\d+/$"))
    expect(page.get_by_role("heading", name="Hanna Handy", level=1)).to_be_visible()
    mobile = page.get_by_role("term").filter(has_text=re.compile(r"^\s*Mobile phone\s*$", re.IGNORECASE))
    expect(mobile).to_have_count(1)
    expect(mobile.locator("xpath=following-sibling::dd[1]")).to_have_text("+49 170 1234567")


# --- 3. Files the importer refuses ---------------------------------------------------

def test_bad_files_are_refused_on_the_upload_step(signed_in_page: Page, live_server, tmp_path):
    page = signed_in_page
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    pdf = tmp_path / "brochure.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

    open_import(page, live_server)

    choose_file(page, empty)
    expect(page.get_by_text(re.compile(r"^(The submitted file is empty\.|The file is empty\.)$"))).to_be_visible()
    expect_upload_step_again(page)

    choose_file(page, pdf)
    expect(page.get_by_text("This is not a CSV or Excel (.xlsx) file.", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"file is empty"))).to_have_count(0)
    expect_upload_step_again(page)
    assert Lead.objects.count() == 0


def expect_upload_step_again(page: Page) -> None:
    expect(page.get_by_role("heading", name="Import Leads", level=1)).to_be_visible()
    expect_step(page, "1. File")
    expect(page.get_by_label(FILE_LABEL)).to_be_visible()
    expect(page.get_by_role("button", name="Next", exact=True)).to_be_visible()
    expect(page.get_by_text("Nothing has been saved yet.")).to_have_count(0)
    expect(page.get_by_role("button", name="Import", exact=True)).to_have_count(0)


# --- 4. An Outlook export updating a lead: empty cells keep what it has ---------------

def test_outlook_update_keeps_what_the_file_leaves_empty(signed_in_page: Page, live_server, tmp_path, staff):
    from crm.generic.services import record_create
    from crm.generic.testing import csv_bytes
    from crm.tests.outlook import OUTLOOK_HEADER, outlook_row

    page = signed_in_page
    lead = record_create(instance=Lead(is_lead=True, full_name="Olivia Outlook", email="olivia@example.com",
                                       job_title="Head buyer", comments="Prefers calls before noon"), user=staff)
    csv_file = tmp_path / "contacts.csv"
    # Outlook's own export: every one of its columns, Title (the salutation) filled, Job Title and Notes empty.
    csv_file.write_bytes(csv_bytes([OUTLOOK_HEADER, outlook_row(**{
        "Title": "Mr.", "First Name": "Olivia", "Last Name": "Outlook", "E-mail Address": "olivia@example.com",
        "Business Phone": "+47 22 33 44 55"})]))

    open_import(page, live_server)
    choose_file(page, csv_file)

    # Every column is known to the importer: straight to the preview.
    expect_step(page, "3. Preview")
    expect(page.get_by_text("1 to update", exact=True)).to_be_visible()
    expect(page.get_by_text("0 new", exact=True)).to_be_visible()
    row = page.locator("table.import-preview").get_by_role("row").filter(has_text="Olivia Outlook")
    expect(row).to_contain_text("Update")
    # What changes, old → new; nothing about the job title or the comments.
    expect(row.get_by_role("listitem")).to_have_text(["Business phone: — → +47 22 33 44 55"])

    import_button(page).click()
    expect(page.get_by_role("alert").filter(
        has_text="Import finished: 0 new, 1 updated, 0 unchanged, 0 skipped, 0 with errors (not imported).")).to_be_visible()

    page.get_by_role("link", name="Olivia Outlook").click()
    expect(page.get_by_role("heading", name="Olivia Outlook", level=1)).to_be_visible()

    def shown(label: str):
        term = page.get_by_role("term").filter(has_text=re.compile(rf"^\s*{label}\s*$", re.IGNORECASE))
        return term.locator("xpath=following-sibling::dd[1]")

    expect(shown("Job title")).to_have_text("Head buyer")  # not "Mr."
    expect(shown("Business phone")).to_have_text("+47 22 33 44 55")
    expect(page.get_by_text("Prefers calls before noon")).to_be_visible()
    lead.refresh_from_db()
    assert (lead.job_title, lead.comments) == ("Head buyer", "Prefers calls before noon")
