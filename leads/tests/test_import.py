"""Importing leads: preview first, one transaction, header names of other tools,
duplicates, and a clear message for every bad file."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.generic.services import record_create, record_update
from crm.generic.testing import csv_bytes, import_confirm, import_upload
from crm.models import Account, BusinessContact, Category, ChangeLogEntry, ListValue
from crm.tests.outlook import OUTLOOK_HEADER, outlook_row
from leads.models import Lead
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db
URL = "/leads/import/"


def upload(client, name: str, content: bytes, on_duplicate="update"):
    return import_upload(client, URL, name, content, on_duplicate)


def token_of(response) -> str:
    return response.context["token"]


def confirm(client, response, **extra):
    return import_confirm(client, URL, response, **extra)


def test_preview_writes_nothing_then_confirm_imports(staff_client, staff):
    response = upload(staff_client, "leads.csv", csv_bytes([
        ["Full Name", "E-mail Address", "Company", "Lead Source", "Assigned To"],
        ["Anna Hansen", "anna@example.com", "Acme", "Trade fair", "alice"],
        ["Jean Dubois", "jean@example.fr", "Contoso", "Web", ""],
    ]))
    body = response.content.decode()
    assert "2 new" in body and "0 with errors" in body
    assert not Lead.objects.exists()
    response = confirm(staff_client, response)
    assert "Import finished: 2 new, 0 updated, 0 unchanged, 0 skipped, 0 with errors (not imported)." in response.content.decode()
    anna = Lead.objects.get(email="anna@example.com")
    assert (anna.full_name, anna.company_name, anna.source.name, anna.assigned_to) == ("Anna Hansen", "Acme", "Trade fair", staff)
    assert anna.file_as == "Hansen, Anna" and anna.created_by == staff
    assert ListValue.objects.filter(kind="source", name="Trade fair").count() == 1
    assert ChangeLogEntry.objects.filter(object_id=anna.pk, action="create").exists()


def test_outlook_headers(staff_client):
    response = upload(staff_client, "outlook.csv", csv_bytes([
        ["First Name", "Last Name", "E-mail Address", "Business Phone", "Company", "Job Title", "Business City",
         "Business Country/Region", "Notes"],
        ["Anna", "Hansen", "anna@example.com", "+47 22 00 00 00", "Acme", "Buyer", "Oslo", "Norway", "Met at fair"],
    ]))
    confirm(staff_client, response)
    lead = Lead.objects.get()
    assert (lead.full_name, lead.business_phone, lead.job_title, lead.business_city, lead.comments) == (
        "Anna Hansen", "+47 22 00 00 00", "Buyer", "Oslo", "Met at fair")
    assert lead.mailing_address == "business"


def test_google_contacts_headers(staff_client):
    response = upload(staff_client, "google.csv", csv_bytes([
        ["Name", "Given Name", "Family Name", "E-mail 1 - Value", "Phone 1 - Value", "Organization 1 - Name",
         "Organization 1 - Title"],
        ["Budi Santoso", "Budi", "Santoso", "budi@example.co.id", "+62 21 555", "Proseware", "CEO"],
    ]))
    confirm(staff_client, response)
    lead = Lead.objects.get()
    assert (lead.email, lead.company_name, lead.job_title, lead.business_phone) == (
        "budi@example.co.id", "Proseware", "CEO", "+62 21 555")


def test_unknown_headers_are_mapped_by_the_user(staff_client):
    response = upload(staff_client, "odd.csv", csv_bytes([["Full Name", "Handy"], ["Anna Hansen", "+47 900"]]))
    body = response.content.decode()
    assert "were not recognised" in body and "Handy" in body
    response = staff_client.post(URL, {"step": "map", "token": token_of(response), "column_0": "full_name",
                                       "column_1": "mobile_phone"})
    assert "1 new" in response.content.decode()
    confirm(staff_client, response)
    assert Lead.objects.get().mobile_phone == "+47 900"


def test_headers_match_whatever_the_case(staff_client):
    response = upload(staff_client, "case.csv", csv_bytes([["FULL NAME", "e-mail address"], ["Anna Hansen", "a@example.com"]]))
    assert "1 new" in response.content.decode()


@pytest.mark.parametrize("name, content", [
    ("bom.csv", "Full Name,Company\nZoë Dubois,Café Lyon\n".encode("utf-8-sig")),
    ("ansi.csv", "Full Name,Company\nZoë Dubois,Café Lyon\n".encode("cp1252")),
    ("semicolon.csv", "Full Name;Company\nZoë Dubois;Café Lyon\n".encode()),
    ("tabs.csv", "Full Name\tCompany\nZoë Dubois\tCafé Lyon\n".encode()),
])
def test_encodings_and_delimiters_import_the_same(staff_client, name, content):
    confirm(staff_client, upload(staff_client, name, content))
    assert Lead.objects.get().company_name == "Café Lyon"


@pytest.mark.parametrize("name, content, message", [
    ("empty.csv", b"", "The submitted file is empty."),
    ("header.csv", b"Full Name,Company\n", "The file has a header row but no records."),
    ("mixed.csv", "Full Name\nZoë\n".encode() + "Café\n".encode("cp1252"), "The file mixes character encodings"),
    ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00", "This is not a CSV or Excel (.xlsx) file."),
])
def test_bad_files_get_a_clear_message(staff_client, name, content, message):
    response = upload(staff_client, name, content)
    assert message in response.content.decode()
    assert not Lead.objects.exists()


def test_a_file_over_the_limit(staff_client, settings):
    settings.CRM_MAX_IMPORT_SIZE = 100
    response = upload(staff_client, "big.csv", b"Full Name\n" + b"Anna Hansen\n" * 20)
    assert "the limit is 100\xa0bytes" in response.content.decode()
    assert "up to 100\xa0bytes" in response.content.decode()  # the limit is said up front too


def test_one_bad_row_among_good_ones(staff_client):
    response = upload(staff_client, "mixed.csv", csv_bytes([
        ["Full Name", "E-mail Address", "Manual Score", "Score Type"],
        ["Good One", "good1@example.com", "", ""],
        ["Bad Mail", "not-an-address", "", ""],
        ["Good Two", "good2@example.com", "9", "manual"],
        ["Ragged"],
    ]))
    body = response.content.decode()
    assert "2 with errors" not in body and "3 with errors" in body
    assert "<td>3</td><td>E-mail Address</td><td>not-an-address</td><td>Enter a valid email address.</td>" in body
    assert "<td>4</td><td>Manual Score</td><td>9</td><td>Ensure this value is less than or equal to 5.</td>" in body
    assert "<td>5</td><td>—</td><td></td><td>This row has 1 cell; the header has 4.</td>" in body
    refused = confirm(staff_client, response)
    assert "Some rows have errors" in refused.content.decode()
    assert not Lead.objects.exists()
    done = confirm(staff_client, response, skip_errors="on")
    assert "Import finished: 1 new, 0 updated, 0 unchanged, 0 skipped, 3 with errors (not imported)." in done.content.decode()
    assert list(Lead.objects.values_list("full_name", flat=True)) == ["Good One"]


def test_duplicates_update_or_skip_never_a_second_record(staff_client):
    existing = LeadFactory(full_name="Anna Hansen", email="anna@example.com", job_title="Buyer")
    contact = BusinessContact.objects.create(full_name="Ola Berg", file_as="Berg, Ola", email="ola@example.com")
    rows = [["Full Name", "E-mail Address", "Job Title"],
            ["Anna Hansen", "ANNA@example.com ", "CEO"],
            ["Ola Berg", "ola@example.com", "CTO"],
            ["Anna Again", "anna@example.com", "CFO"]]
    response = upload(staff_client, "dups.csv", csv_bytes(rows), on_duplicate="skip")
    body = response.content.decode()
    assert "0 new" in body and "3 to skip" in body and "Same e-mail address as row 2." in body
    response = upload(staff_client, "dups.csv", csv_bytes(rows), on_duplicate="update")
    assert "2 to update" in response.content.decode()
    confirm(staff_client, response)
    existing.refresh_from_db()
    contact.refresh_from_db()
    assert existing.job_title == "CEO" and contact.job_title == "CTO" and contact.is_lead is False
    assert BusinessContact.objects.count() == 2
    entry = ChangeLogEntry.objects.get(object_id=existing.pk, action="update")
    assert entry.changes["job_title"] == {"label": "job title", "old": "Buyer", "new": "CEO"}


def test_round_trip_changes_nothing(staff_client, staff):
    category = Category.objects.create(name="Key")
    source = ListValue.objects.get(kind="source", name="Web")
    for i in range(3):
        # Through the record service, as the form saves them (names split, file-as set).
        record_create(instance=Lead(full_name=f"Lead {i}", email=f"lead{i}@example.com", source=source, is_lead=True,
                                    business_phone="=1+1" if i == 0 else "+47 1", comments="Line one\nline two",
                                    home_city="Oslo", mailing_address="home"),
                      user=staff, m2m={"categories": [category]})
    ChangeLogEntry.objects.all().delete()
    before = list(Lead.objects.order_by("pk").values())
    export = staff_client.get(reverse("leads:lead_export"), {"format": "csv"})
    content = b"".join(export.streaming_content)
    response = upload(staff_client, "export.csv", content)
    assert response.context["counts"] == {"new": 0, "update": 0, "unchanged": 3, "skip": 0, "error": 0}
    assert "0 to update" in response.content.decode() and "3 unchanged" in response.content.decode()
    done = confirm(staff_client, response)
    assert "Import finished: 0 new, 0 updated, 3 unchanged, 0 skipped, 0 with errors (not imported)." in (
        done.content.decode())
    assert list(Lead.objects.order_by("pk").values()) == before
    assert Lead.objects.get(full_name="Lead 0").business_phone == "=1+1"
    assert not ChangeLogEntry.objects.filter(action="update").exists()


def test_xlsx_round_trip(staff_client):
    LeadFactory(full_name="Excel Lead", email="x@example.com")
    export = staff_client.get(reverse("leads:lead_export"), {"format": "xlsx"})
    response = upload(staff_client, "export.xlsx", b"".join(export.streaming_content))
    assert response.context["counts"] == {"new": 0, "update": 0, "unchanged": 1, "skip": 0, "error": 0}


def test_unknown_user_and_account_are_errors(staff_client):
    response = upload(staff_client, "refs.csv", csv_bytes([
        ["Full Name", "Assigned To", "Account"],
        ["Anna Hansen", "nobody", "No Such Co"],
    ]))
    body = response.content.decode()
    assert "No active user called “nobody”." in body
    assert "No account called “No Such Co”." in body


def test_a_failing_commit_writes_nothing(staff_client, monkeypatch):
    from crm.generic import services

    response = upload(staff_client, "ok.csv", csv_bytes([["Full Name", "Categories"], ["Anna Hansen", ""]]))

    def broken(model, wanted):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "set_many_to_many", broken)
    with pytest.raises(RuntimeError):
        confirm(staff_client, response)
    assert not Lead.objects.exists() and not ChangeLogEntry.objects.exists()


def test_staff_see_the_import_button(staff_client):
    assert URL in staff_client.get(reverse("leads:lead_list")).content.decode()


def test_abandoned_uploads_are_removed_after_a_day(staff_client, settings):
    import os
    import time
    from pathlib import Path

    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    old = folder / "old.csv"
    old.write_bytes(b"x")
    os.utime(old, (time.time() - 2 * 86400, time.time() - 2 * 86400))
    stale_plan = folder / "old.plan.json"
    stale_plan.write_text("{}")
    os.utime(stale_plan, (time.time() - 2 * 86400, time.time() - 2 * 86400))
    response = upload(staff_client, "new.csv", csv_bytes([["Full Name"], ["Anna"]]))
    # What is left is the new upload and its preview's plan.
    assert not old.exists() and not stale_plan.exists()
    assert {path.name.split(".")[0] for path in folder.iterdir()} == {token_of(response)}


def test_duplicate_e_mails_match_whatever_the_case(staff_client):
    LeadFactory(full_name="Mixed Case", email="Mixed@Example.com")
    response = upload(staff_client, "case.csv", csv_bytes([["Full Name", "E-mail Address"], ["Mixed Case", "mixed@example.COM"]]))
    assert "1 to update" in response.content.decode() and "0 new" in response.content.decode()


def test_two_columns_cannot_fill_one_field(staff_client):
    response = upload(staff_client, "odd.csv", csv_bytes([["Full Name", "Handy", "Cell2"], ["Anna", "1", "2"]]))
    response = staff_client.post(URL, {"step": "map", "token": token_of(response), "column_0": "full_name",
                                       "column_1": "mobile_phone", "column_2": "mobile_phone"})
    assert "Each field can take one column only: Mobile Phone." in response.content.decode()
    assert not Lead.objects.exists()


def test_lookups_stay_within_the_query_parameter_limit(staff, django_assert_max_num_queries):
    """A file with many IDs and e-mails is looked up in slices, never in one huge IN (...)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from crm.generic.imports import LOOKUP_SLICE
    from crm.generic.tabular import read_table
    from leads.imports import LeadImporter

    rows = [["ID", "Full Name", "E-mail Address"]] + [[str(i), f"P {i}", f"p{i}@example.com"] for i in range(1, 1201)]
    table = read_table("ids.csv", csv_bytes(rows), 10**9)
    importer = LeadImporter(staff)
    with CaptureQueriesContext(connection) as queries:
        preview = importer.preview(table, importer.match_headers(table.header))
    assert preview.counts["new"] == 1200
    assert max(q["sql"].count(",") for q in queries.captured_queries) < LOOKUP_SLICE + 20


# --- The confirmation writes what the preview showed, or nothing -------------------

def test_a_duplicate_saved_between_preview_and_confirm_is_caught(staff_client, staff):
    response = upload(staff_client, "new.csv", csv_bytes([["Full Name", "E-mail Address", "Job Title"],
                                                          ["Anna Hansen", "anna@example.com", "CEO"],
                                                          ["Ola Berg", "ola@example.com", "CTO"]]))
    assert "2 new" in response.content.decode()
    # Someone saves Anna while the preview is on screen.
    anna = record_create(instance=Lead(full_name="Anna Hansen", email="Anna@Example.com", is_lead=True), user=staff)
    refused = confirm(staff_client, response)
    body = refused.content.decode()
    assert ("Nothing was imported: 1 row is no longer as the preview showed it (row 2: a record with this e-mail "
            "address was saved after the preview).") in body
    assert list(Lead.objects.values_list("full_name", flat=True)) == ["Anna Hansen"]
    assert not ChangeLogEntry.objects.exclude(object_id=anna.pk).exists()
    # The preview shown again says what the confirmation will now do.
    assert "1 new" in body and "1 to update" in body
    done = confirm(staff_client, refused)
    assert "Import finished: 1 new, 1 updated, 0 unchanged, 0 skipped, 0 with errors (not imported)." in done.content.decode()
    anna.refresh_from_db()
    assert anna.job_title == "CEO" and Lead.objects.count() == 2
    entry = ChangeLogEntry.objects.get(object_id=anna.pk, action="update")
    assert entry.user == staff and entry.changes["import"]["new"] == "new.csv"


def test_a_record_changed_between_preview_and_confirm_is_caught(staff_client, staff):
    lead = LeadFactory(full_name="Anna Hansen", email="anna@example.com", job_title="Buyer")
    response = upload(staff_client, "dups.csv", csv_bytes([["Full Name", "E-mail Address", "Job Title"],
                                                           ["Anna Hansen", "anna@example.com", "CEO"]]))
    lead.job_title = "Head buyer"
    record_update(instance=lead, user=staff)
    body = confirm(staff_client, response).content.decode()
    assert "row 2: the record it updates was changed after the preview" in body
    lead.refresh_from_db()
    assert lead.job_title == "Head buyer"
    lead.delete()
    body = confirm(staff_client, response).content.decode()
    assert "row 2: the record it updates was deleted after the preview" in body
    assert not Lead.objects.exists()


def test_a_user_deactivated_between_preview_and_confirm_is_caught(staff_client):
    from crm.tests.factories import UserFactory

    bob = UserFactory(username="bob")
    response = upload(staff_client, "assigned.csv", csv_bytes([["Full Name", "Assigned To"], ["Anna Hansen", "bob"]]))
    assert "1 new" in response.content.decode()
    bob.is_active = False
    bob.save()
    body = confirm(staff_client, response).content.decode()
    assert "row 2: “Assigned to” names something deleted or deactivated after the preview" in body
    assert "No active user called “bob”." in body  # the preview shown again
    assert not Lead.objects.exists()


def test_a_source_typed_in_meanwhile_is_reused(staff_client):
    response = upload(staff_client, "fair.csv", csv_bytes([["Full Name", "Lead Source"], ["Anna Hansen", "Spring fair"]]))
    ListValue.objects.create(kind="source", name="Spring Fair", position=99)
    confirm(staff_client, response)
    assert Lead.objects.get().source.name == "Spring Fair"
    assert ListValue.objects.filter(kind="source", name__iexact="spring fair").count() == 1


def test_a_preview_of_a_changed_file_is_refused(staff_client, settings):
    from pathlib import Path

    response = upload(staff_client, "leads.csv", csv_bytes([["Full Name"], ["Anna Hansen"]]))
    stored = next(path for path in (Path(settings.MEDIA_ROOT) / "imports").iterdir() if path.suffix == ".csv")
    stored.write_bytes(csv_bytes([["Full Name"], ["Someone Else"], ["And Another"]]))
    refused = confirm(staff_client, response)
    body = refused.content.decode()
    assert "This preview is out of date: the file or the column choices changed." in body
    assert not Lead.objects.exists() and "2 new" in body
    confirm(staff_client, refused)
    assert sorted(Lead.objects.values_list("full_name", flat=True)) == ["And Another", "Someone Else"]


def test_confirming_an_older_preview_of_the_same_upload_is_refused(staff_client):
    """Two tabs: columns chosen again in one; Import pressed in the other."""
    first = upload(staff_client, "odd.csv", csv_bytes([["Full Name", "Handy"], ["Anna Hansen", "+47 900"]]))
    first = staff_client.post(URL, {"step": "map", "token": token_of(first), "column_0": "full_name",
                                    "column_1": "mobile_phone"})
    staff_client.post(URL, {"step": "map", "token": token_of(first), "column_0": "full_name", "column_1": "fax"})
    body = confirm(staff_client, first).content.decode()
    assert "This preview is out of date" in body and not Lead.objects.exists()


def test_imported_leads_are_found_by_search(staff_client, staff):
    response = upload(staff_client, "search.csv", csv_bytes([["Full Name", "Company"], ["Zanzibar Quist", "Quokka Ltd"]]))
    confirm(staff_client, response)
    lists = reverse("leads:lead_list")
    assert "Zanzibar Quist" in staff_client.get(lists, {"q": "quokk"}).content.decode()
    # The search index still follows records saved after an import.
    record_create(instance=Lead(full_name="Yolanda Later", company_name="Wombat AS", is_lead=True), user=staff)
    assert "Yolanda Later" in staff_client.get(lists, {"q": "womb"}).content.decode()


# --- Issue 9: updates keep what the file does not say; the preview is the commit ------

GOOGLE_HEADER = [
    "Name", "Given Name", "Additional Name", "Family Name", "Yomi Name", "Given Name Yomi", "Additional Name Yomi",
    "Family Name Yomi", "Name Prefix", "Name Suffix", "Initials", "Nickname", "Short Name", "Maiden Name",
    "Birthday", "Gender", "Location", "Billing Information", "Directory Server", "Mileage", "Occupation", "Hobby",
    "Sensitivity", "Priority", "Subject", "Notes", "Language", "Photo", "Group Membership", "E-mail 1 - Type",
    "E-mail 1 - Value", "E-mail 2 - Type", "E-mail 2 - Value", "Phone 1 - Type", "Phone 1 - Value", "Phone 2 - Type",
    "Phone 2 - Value", "Phone 3 - Type", "Phone 3 - Value", "Address 1 - Type", "Address 1 - Formatted",
    "Address 1 - Street", "Address 1 - City", "Address 1 - PO Box", "Address 1 - Region", "Address 1 - Postal Code",
    "Address 1 - Country", "Address 1 - Extended Address", "Organization 1 - Type", "Organization 1 - Name",
    "Organization 1 - Yomi Name", "Organization 1 - Title", "Organization 1 - Department", "Organization 1 - Symbol",
    "Organization 1 - Location", "Organization 1 - Job Description", "Website 1 - Type", "Website 1 - Value",
]
# Google Contacts' current layout.
GOOGLE_NEW_HEADER = [
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name", "Phonetic Last Name",
    "Name Prefix", "Name Suffix", "Nickname", "File As", "Organization Name", "Organization Title",
    "Organization Department", "Birthday", "Notes", "Photo", "Labels", "E-mail 1 - Label", "E-mail 1 - Value",
    "E-mail 2 - Label", "E-mail 2 - Value", "Phone 1 - Label", "Phone 1 - Value", "Phone 2 - Label", "Phone 2 - Value",
    "Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street", "Address 1 - City", "Address 1 - PO Box",
    "Address 1 - Region", "Address 1 - Postal Code", "Address 1 - Country", "Address 1 - Extended Address",
    "Website 1 - Label", "Website 1 - Value", "Event 1 - Label", "Event 1 - Value", "Custom Field 1 - Label",
    "Custom Field 1 - Value",
]


def saved_lead(staff, **fields) -> Lead:
    """A lead saved as the form saves it (names split, File as set)."""
    return record_create(instance=Lead(is_lead=True, **fields), user=staff)


def test_empty_cells_keep_saved_values_on_update(staff_client, staff):
    lead = saved_lead(staff, full_name="Anna Hansen", email="anna@example.com", job_title="Buyer",
                      comments="Met at the fair", business_phone="+47 22 33 44 55", company_name="Acme")
    response = upload(staff_client, "update.csv", csv_bytes([
        ["Full Name", "E-mail Address", "Job Title", "Comments", "Business Phone", "Company", "Mobile Phone"],
        ["", "anna@example.com", "", "", "", "", "+47 900 00 000"],
    ]))
    assert response.context["counts"] == {"new": 0, "update": 1, "unchanged": 0, "skip": 0, "error": 0}
    confirm(staff_client, response)
    lead.refresh_from_db()
    assert (lead.full_name, lead.job_title, lead.comments, lead.business_phone, lead.company_name, lead.mobile_phone) == (
        "Anna Hansen", "Buyer", "Met at the fair", "+47 22 33 44 55", "Acme", "+47 900 00 000")


def test_empty_cells_clear_saved_values_when_the_user_asks(staff_client, staff):
    lead = saved_lead(staff, full_name="Anna Hansen", email="anna@example.com", job_title="Buyer",
                      comments="Met at the fair")
    content = csv_bytes([["E-mail Address", "Job Title", "Comments"], ["anna@example.com", "", ""]])
    body = staff_client.get(URL).content.decode()
    assert "Empty cells clear saved values" in body
    response = staff_client.post(URL, {"step": "upload", "on_duplicate": "update", "clear_empty": "on",
                                       "file": SimpleUploadedFile("clear.csv", content)})
    assert "Empty cells clear the saved values of the records the file updates." in response.content.decode()
    assert response.context["counts"]["update"] == 1
    assert [changes for _row, _shown, changes in response.context["sample"]] == [
        [("Job title", "Buyer", "—"), ("Comments", "Met at the fair", "—")]]
    confirm(staff_client, response)
    lead.refresh_from_db()
    assert (lead.job_title, lead.comments) == ("", "")


def test_the_empty_cells_choice_is_part_of_the_preview_it_confirms():
    from crm.generic.imports import Importer

    mapping = {0: "email", 1: "job_title"}
    assert Importer.digest(b"x", mapping, "update", False) != Importer.digest(b"x", mapping, "update", True)


def test_the_preview_counts_are_the_commit_counts(staff_client, staff):
    saved_lead(staff, full_name="Anna Hansen", email="anna@example.com", job_title="Buyer")
    saved_lead(staff, full_name="Ola Berg", email="ola@example.com", job_title="CTO")
    response = upload(staff_client, "mixed.csv", csv_bytes([
        ["Full Name", "E-mail Address", "Job Title"],
        ["Anna Hansen", "anna@example.com", "CEO"],      # changes the job title
        ["Ola Berg", "ola@example.com", "CTO"],          # says what the record says
        ["Kari Dahl", "kari@example.com", "Buyer"],      # new
        ["Kari Again", "KARI@example.com", "Buyer"],     # the same address again: skipped
        ["Bad Mail", "not-an-address", ""],              # an error
    ]))
    counts = {"new": 1, "update": 1, "unchanged": 1, "skip": 1, "error": 1}
    assert response.context["counts"] == counts
    body = response.content.decode()
    assert all(text in body for text in ("1 new", "1 to update", "1 unchanged", "1 to skip", "1 with errors"))
    rows = {row.number: row.status for row, _shown, _changes in response.context["sample"]}
    assert rows == {2: "update", 3: "unchanged", 4: "new", 5: "skip", 6: "error"}
    done = confirm(staff_client, response, skip_errors="on")
    assert "Import finished: 1 new, 1 updated, 1 unchanged, 1 skipped, 1 with errors (not imported)." in (
        done.content.decode())
    assert ChangeLogEntry.objects.filter(action="update").count() == 1


def test_the_preview_shows_what_each_update_changes(staff_client, staff):
    saved_lead(staff, full_name="Anna Hansen", email="anna@example.com", job_title="Buyer", business_city="Oslo")
    response = upload(staff_client, "change.csv", csv_bytes([
        ["Full Name", "E-mail Address", "Job Title", "Business City", "Lead Source"],
        ["Anna Hansen", "anna@example.com", "CEO", "Oslo", "Web"],
    ]))
    changes = [changes for _row, _shown, changes in response.context["sample"]]
    assert changes == [[("Job title", "Buyer", "CEO"), ("Source", "—", "Web")]]
    assert "Job title: Buyer → CEO" in response.content.decode()


def test_a_match_on_a_business_contact_says_so(staff_client):
    BusinessContact.objects.create(full_name="Ola Berg", file_as="Berg, Ola", email="ola@example.com")
    response = upload(staff_client, "dups.csv", csv_bytes([["Full Name", "E-mail Address", "Job Title"],
                                                          ["Ola Berg", "ola@example.com", "CTO"]]))
    assert ("Matches the business contact “Ola Berg” (not a lead): the business contact is updated."
            in response.content.decode())


def test_error_rows_are_the_file_lines_blank_lines_counted(staff_client):
    content = b"Full Name,E-mail Address\n\nGood One,good@example.com\n\n\nBad Mail,not-an-address\n"
    response = upload(staff_client, "gaps.csv", content)
    assert response.context["errors"] == [(6, "E-mail Address", "not-an-address", "Enter a valid email address.")]
    assert [row.number for row, _shown, _changes in response.context["sample"]] == [3, 6]


def test_an_outlook_export_imports_without_a_columns_step(staff_client):
    response = upload(staff_client, "outlook.csv", csv_bytes([OUTLOOK_HEADER, outlook_row(**{
        "Title": "Mr.", "First Name": "Jean", "Middle Name": "Paul", "Last Name": "Dubois", "Company": "Contoso",
        "Department": "Purchasing", "Job Title": "Head of purchasing", "Business Street": "1 Rue de la Paix",
        "Business Street 2": "Bâtiment B", "Business Street 3": "3e étage", "Business City": "Lyon",
        "Business Postal Code": "69001", "Business Country/Region": "France", "Home City": "Genève",
        "Home Country/Region": "Switzerland", "Business Phone": "+33 4 00 00 00 00", "Primary Phone": "+33 1",
        "E-mail Address": "jean@example.fr", "E-mail Display Name": "Jean Dubois (jean@example.fr)",
        "Notes": "Met in Lyon", "Web Page": "contoso.example", "Initials": "J.P.D.",
    })]))
    assert response.context["step"] == "preview"
    assert response.context["counts"] == {"new": 1, "update": 0, "unchanged": 0, "skip": 0, "error": 0}
    confirm(staff_client, response)
    lead = Lead.objects.get()
    assert (lead.full_name, lead.first_name, lead.last_name, lead.file_as) == (
        "Jean Paul Dubois", "Jean Paul", "Dubois", "Dubois, Jean Paul")
    assert (lead.job_title, lead.department, lead.company_name) == ("Head of purchasing", "Purchasing", "Contoso")
    assert lead.business_street == "1 Rue de la Paix\nBâtiment B\n3e étage"
    assert (lead.business_city, lead.business_country, lead.home_city, lead.home_country) == (
        "Lyon", "France", "Genève", "Switzerland")
    assert (lead.business_phone, lead.comments, lead.web_page) == ("+33 4 00 00 00 00", "Met in Lyon",
                                                                    "https://contoso.example")


def test_an_outlook_update_keeps_what_its_empty_cells_do_not_say(staff_client, staff):
    lead = saved_lead(staff, full_name="Jean Dubois", email="jean@example.fr", job_title="Buyer",
                      comments="Prefers e-mail", business_street="1 Rue de la Paix\nBâtiment B")
    response = upload(staff_client, "outlook.csv", csv_bytes([OUTLOOK_HEADER, outlook_row(**{
        "Title": "Mr.", "First Name": "Jean", "Last Name": "Dubois", "E-mail Address": "jean@example.fr",
        "Business Phone": "+33 4 00 00 00 00", "Business Street 3": "3e étage"})]))
    assert response.context["step"] == "preview"
    assert [changes for _row, _shown, changes in response.context["sample"]] == [[
        ("Business phone", "—", "+33 4 00 00 00 00"),
        ("Business street", "1 Rue de la Paix\nBâtiment B", "1 Rue de la Paix\nBâtiment B\n3e étage")]]
    confirm(staff_client, response)
    lead.refresh_from_db()
    assert (lead.full_name, lead.job_title, lead.comments, lead.business_phone) == (
        "Jean Dubois", "Buyer", "Prefers e-mail", "+33 4 00 00 00 00")
    assert lead.business_street == "1 Rue de la Paix\nBâtiment B\n3e étage"


def test_a_last_name_changed_by_outlook_keeps_the_saved_first_name(staff_client, staff):
    lead = saved_lead(staff, full_name="Anna Hansen", email="anna@example.com")
    confirm(staff_client, upload(staff_client, "outlook.csv", csv_bytes([OUTLOOK_HEADER, outlook_row(**{
        "Last Name": "Berg", "E-mail Address": "anna@example.com"})])))
    lead.refresh_from_db()
    assert (lead.full_name, lead.first_name, lead.last_name, lead.file_as) == ("Anna Berg", "Anna", "Berg", "Berg, Anna")


def test_a_rename_by_import_derives_first_last_and_file_as_again(staff_client, staff):
    lead = saved_lead(staff, full_name="Anna Hansen", email="anna@example.com")
    export = staff_client.get(reverse("leads:lead_export"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    rows[1][rows[0].index("Full Name")] = "Anna Berg"
    response = upload(staff_client, "renamed.csv", csv_bytes(rows))
    assert [changes for _row, _shown, changes in response.context["sample"]] == [[
        ("Full name", "Anna Hansen", "Anna Berg"), ("Last name", "Hansen", "Berg"), ("File as", "Hansen, Anna", "Berg, Anna")]]
    confirm(staff_client, response)
    lead.refresh_from_db()
    assert (lead.full_name, lead.first_name, lead.last_name, lead.file_as) == ("Anna Berg", "Anna", "Berg", "Berg, Anna")


@pytest.mark.parametrize("title, job_title", [("Buyer", "Buyer"), ("Ms.", "")])
def test_a_lone_title_column_is_the_job_title_unless_it_holds_salutations(staff_client, title, job_title):
    response = upload(staff_client, "crm.csv", csv_bytes([["Full Name", "Title"], ["Anna Hansen", title]]))
    assert response.context["step"] == "preview"
    confirm(staff_client, response)
    assert Lead.objects.get().job_title == job_title


@pytest.mark.parametrize("header, row", [
    (GOOGLE_HEADER, {"Name": "Budi Santoso", "Given Name": "Budi", "Family Name": "Santoso",
                     "Group Membership": "* myContacts ::: Customers", "E-mail 1 - Type": "* Work",
                     "E-mail 1 - Value": "budi@example.co.id", "Phone 1 - Type": "Work", "Phone 1 - Value": "+62 21 555",
                     "Phone 3 - Value": "+62 22 1", "Address 1 - Street": "Jl. Sudirman 1",
                     "Address 1 - Extended Address": "Lantai 5", "Address 1 - City": "Jakarta",
                     "Address 1 - Country": "Indonesia", "Organization 1 - Name": "Proseware",
                     "Organization 1 - Title": "CEO", "Organization 1 - Department": "Board",
                     "Notes": "Call on Mondays"}),
    (GOOGLE_NEW_HEADER, {"First Name": "Budi", "Last Name": "Santoso", "Labels": "* myContacts ::: Customers",
                         "E-mail 1 - Label": "* Work", "E-mail 1 - Value": "budi@example.co.id",
                         "Phone 1 - Label": "Work", "Phone 1 - Value": "+62 21 555", "Address 1 - Street": "Jl. Sudirman 1",
                         "Address 1 - Extended Address": "Lantai 5", "Address 1 - City": "Jakarta",
                         "Address 1 - Country": "Indonesia", "Organization Name": "Proseware",
                         "Organization Title": "CEO", "Organization Department": "Board", "Notes": "Call on Mondays",
                         "Event 1 - Label": "Anniversary", "Event 1 - Value": "2020-05-01"}),
])
def test_a_google_contacts_export_imports_without_a_columns_step(staff_client, header, row):
    customers = Category.objects.create(name="Customers")
    response = upload(staff_client, "google.csv", csv_bytes([header, [row.get(name, "") for name in header]]))
    assert response.context["step"] == "preview"
    assert response.context["counts"]["new"] == 1 and response.context["warnings"] == []
    confirm(staff_client, response)
    lead = Lead.objects.get()
    assert (lead.full_name, lead.email, lead.company_name, lead.job_title, lead.department, lead.business_phone) == (
        "Budi Santoso", "budi@example.co.id", "Proseware", "CEO", "Board", "+62 21 555")
    assert (lead.business_street, lead.business_city, lead.business_country, lead.comments) == (
        "Jl. Sudirman 1\nLantai 5", "Jakarta", "Indonesia", "Call on Mondays")
    assert list(lead.categories.all()) == [customers]


def test_unknown_categories_are_a_warning_and_the_row_is_imported(staff_client):
    key = Category.objects.create(name="Key")
    response = upload(staff_client, "cats.csv", csv_bytes([["Full Name", "Categories"], ["Anna Hansen", "key; Ghost"]]))
    assert response.context["counts"] == {"new": 1, "update": 0, "unchanged": 0, "skip": 0, "error": 0}
    assert response.context["warnings"] == [
        (2, "Categories", "Unknown category, left out (only a database owner can add categories): Ghost.")]
    confirm(staff_client, response)
    assert list(Lead.objects.get().categories.all()) == [key]
    assert not Category.objects.filter(name="Ghost").exists()


def test_only_unknown_categories_leave_an_updated_record_s_categories_alone(staff_client, staff):
    key = Category.objects.create(name="Key")
    lead = saved_lead(staff, full_name="Anna Hansen", email="anna@example.com")
    lead.categories.add(key)
    response = upload(staff_client, "cats.csv", csv_bytes([["E-mail Address", "Categories"], ["anna@example.com", "Ghost"]]))
    assert response.context["counts"]["unchanged"] == 1
    confirm(staff_client, response)
    assert list(lead.categories.all()) == [key]


def test_an_owner_s_import_adds_the_new_categories(owner_client):
    response = upload(owner_client, "cats.csv", csv_bytes([["Full Name", "Categories"], ["Anna Hansen", "Trade fair 2027"],
                                                           ["Ola Berg", "trade fair 2027, Key"]]))
    assert response.context["warnings"] == [(2, "Categories", "New category, added by the import: Trade fair 2027."),
                                            (3, "Categories", "New categories, added by the import: Trade fair 2027, Key.")]
    assert not Category.objects.exists()
    confirm(owner_client, response)
    assert sorted(Category.objects.values_list("name", flat=True)) == ["Key", "Trade fair 2027"]
    assert [c.name for c in Lead.objects.get(full_name="Ola Berg").categories.all()] == ["Key", "Trade fair 2027"]


def test_preview_and_commit_queries_do_not_grow_with_the_rows(staff_client, staff):
    """Updates with changes, links, categories and unchanged rows: the same number of
    queries for 4 rows as for 40 (lookups are set-based, per slice of rows)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Category.objects.create(name="Key")
    Account.objects.create(name="Acme AS")

    def run(count: int) -> int:
        rows = [["E-mail Address", "Job Title", "Categories", "Account", "Lead Source", "Assigned To"]]
        for i in range(count):
            saved_lead(staff, full_name=f"Person {count}-{i}", email=f"p{count}-{i}@example.com", job_title="Buyer")
            rows.append([f"p{count}-{i}@example.com", "CEO" if i % 2 else "Buyer", "Key", "Acme AS", "Web", "alice"])
        with CaptureQueriesContext(connection) as queries:
            response = upload(staff_client, f"q{count}.csv", csv_bytes(rows))
            assert response.context["counts"]["update"] == count
            done = confirm(staff_client, response)
        assert f"{count} updated" in done.content.decode()
        return len(queries.captured_queries)

    run(2)  # caches filled (content types, the user's groups)
    assert run(4) == run(40)
