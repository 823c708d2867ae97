"""Importing business contacts and accounts (the generic importer, declared
in crm.imports): Outlook's export, matches on leads, names required."""
import pytest
from django.urls import reverse

from crm.generic.testing import csv_bytes, import_confirm, import_upload
from crm.models import Account, BusinessContact
from crm.tests.factories import AccountFactory
from crm.tests.outlook import OUTLOOK_HEADER, outlook_row

pytestmark = pytest.mark.django_db
CONTACTS, ACCOUNTS = "/contacts/import/", "/accounts/import/"


def test_the_lists_offer_import(staff_client):
    assert CONTACTS in staff_client.get(reverse("crm:contact_list")).content.decode()
    assert ACCOUNTS in staff_client.get(reverse("crm:account_list")).content.decode()


def test_an_outlook_export_fills_a_contact_s_details(staff_client):
    AccountFactory(name="Contoso")
    response = import_upload(staff_client, CONTACTS, "outlook.csv", csv_bytes([OUTLOOK_HEADER, outlook_row(**{
        "Title": "Ms.", "First Name": "Kari", "Last Name": "Dahl", "Company": "Contoso", "Account": "contoso",
        "Department": "Finance", "Job Title": "Controller", "Office Location": "Oslo HQ", "Profession": "Accountant",
        "Manager's Name": "Ola Berg", "Assistant's Name": "Per Lund", "E-mail Address": "kari@example.com",
        "Home Country/Region": "Norway"})]))
    assert response.context["step"] == "preview"
    assert response.context["counts"] == {"new": 1, "update": 0, "unchanged": 0, "skip": 0, "error": 0}
    import_confirm(staff_client, CONTACTS, response)
    kari = BusinessContact.objects.get()
    assert (kari.is_lead, kari.full_name, kari.job_title, kari.department, kari.office, kari.profession) == (
        False, "Kari Dahl", "Controller", "Finance", "Oslo HQ", "Accountant")
    assert (kari.manager_name, kari.assistant_name, kari.birthday, kari.home_country, kari.account.name) == (
        "Ola Berg", "Per Lund", None, "Norway", "Contoso")


def test_a_contact_row_matching_a_lead_says_so(staff_client):
    BusinessContact.objects.create(full_name="Nora Lead", file_as="Lead, Nora", email="nora@example.com", is_lead=True)
    response = import_upload(staff_client, CONTACTS, "c.csv", csv_bytes([["E-mail Address", "Job Title"],
                                                                           ["nora@example.com", "CFO"]]))
    assert "Matches the lead “Nora Lead”: the lead is updated and stays a lead." in response.content.decode()
    import_confirm(staff_client, CONTACTS, response)
    nora = BusinessContact.objects.get()
    assert (nora.is_lead, nora.job_title) == (True, "CFO")


def test_an_account_needs_a_name_and_nothing_is_written(staff_client):
    response = import_upload(staff_client, ACCOUNTS, "a.csv", csv_bytes([["Account Name", "City"], ["", "Oslo"],
                                                                          ["Acme AS", "Bergen"]]))
    assert response.context["errors"] == [(2, "Account Name", "", "An account needs a name.")]
    assert "Some rows have errors" in import_confirm(staff_client, ACCOUNTS, response).content.decode()
    assert not Account.objects.exists()


def test_accounts_are_matched_by_id_only(staff_client):
    acme = AccountFactory(name="Acme AS", email="post@example.com")
    response = import_upload(staff_client, ACCOUNTS, "a.csv", csv_bytes([
        ["ID", "Account Name", "E-mail Address", "Office"],
        [acme.pk, "", "", "Bergen"],
        ["", "Acme AS", "post@example.com", "Oslo"],
    ]))
    assert response.context["counts"] == {"new": 1, "update": 1, "unchanged": 0, "skip": 0, "error": 0}
    import_confirm(staff_client, ACCOUNTS, response)
    acme.refresh_from_db()
    assert (acme.name, acme.office, Account.objects.count()) == ("Acme AS", "Bergen", 2)


def test_a_confirmation_with_a_non_ascii_digest_shows_the_preview_again(staff_client):
    """A tampered digest (any text) is "out of date", not a 500 (compare_digest
    refuses non-ASCII str), and nothing is written."""
    url = reverse("crm:account_import")
    preview = import_upload(staff_client, url, "a.csv", csv_bytes([["Account name"], ["Digest Traders"]]))
    response = staff_client.post(url, {"step": "commit", "token": preview.context["token"], "digest": "é" * 40})
    assert response.status_code == 200
    assert "This preview is out of date" in response.content.decode()
    assert not Account.objects.filter(name="Digest Traders").exists()


def test_an_import_logs_values_as_a_form_save_does(staff_client):
    """One formatter for every change-log entry: a choice by its label, a date
    as the language writes it (the import logged ``automatic → manual`` and
    ISO dates before)."""
    from crm.tests.factories import ContactFactory
    from crm.models import ChangeLogEntry

    nora = ContactFactory(full_name="Nora Berg", email="nora@example.com")
    response = import_upload(staff_client, CONTACTS, "c.csv", csv_bytes([
        ["E-mail Address", "Score Type", "Manual Score", "Birthday"],
        ["nora@example.com", "Manual", "3", "1990-05-17"]]))
    assert response.context["counts"]["update"] == 1
    import_confirm(staff_client, CONTACTS, response)
    changes = ChangeLogEntry.objects.filter(object_id=nora.pk, action="update").get().changes
    assert changes["score_type"] == {"label": "score type", "old": "Automatic", "new": "Manual"}
    assert changes["birthday"] == {"label": "birthday", "old": "", "new": "May 17, 1990"}
    assert changes["manual_score"]["new"] == "3"


def test_an_update_is_checked_as_a_form_checks_it(staff):
    """An update runs the record's full_clean() on the fields it sets, not
    clean() alone: a value a column's own reader lets through (here a reader
    without the field's length limit) is refused with the field's message."""
    from crm.generic.imports import Column, Plan
    from crm.generic.services import records_import
    from crm.generic.tabular import read_table
    from crm.imports import AccountImporter

    class RawOffice(AccountImporter):
        columns = [*AccountImporter.columns, Column(key="office", label="Raw Office", parse=str)]

    acme = AccountFactory(name="Acme AS", office="Oslo")
    importer = RawOffice(staff)
    table = read_table("a.csv", csv_bytes([["ID", "Raw Office"], [acme.pk, "x" * 101]]), 10**6)
    mapping = {0: "id", 1: "office"}
    preview = importer.preview(table, mapping)
    assert [(row.status, row.errors) for row in preview.rows] == [
        ("error", [("Raw Office", "Ensure this value has at most 100 characters (it has 101).")])]
    plan = Plan.loads(importer.prepare(preview, "digest").dumps())
    assert records_import(importer=RawOffice(staff), plan=plan, user=staff, source="a.csv", skip_errors=True) == {
        "new": 0, "update": 0, "unchanged": 0, "skip": 0, "error": 1}
    acme.refresh_from_db()
    assert (acme.office, acme.version) == ("Oslo", 1)


def test_a_cell_is_held_to_its_field_s_length_as_on_the_form(staff_client):
    """Text is read with the form field's limit: 100 characters pass, 101 are
    refused with the form's message; nothing of a refused file is written."""
    response = import_upload(staff_client, ACCOUNTS, "a.csv", csv_bytes([
        ["Account Name", "Office"], ["Acme AS", "x" * 100], ["Globex AS", "y" * 101]]))
    assert response.context["errors"] == [
        (3, "Office", "y" * 101, "Ensure this value has at most 100 characters (it has 101).")]
    assert "Some rows have errors" in import_confirm(staff_client, ACCOUNTS, response).content.decode()
    assert not Account.objects.exists()


def test_a_new_row_s_empty_cell_takes_the_field_s_default(staff_client):
    """An empty Score Type on a new row is "Automatic", as on a new record's
    form (the import stored an empty score type before)."""
    response = import_upload(staff_client, CONTACTS, "c.csv", csv_bytes([
        ["Full Name", "E-mail Address", "Score Type"], ["Nora Berg", "nora@example.com", ""]]))
    assert response.context["counts"]["new"] == 1
    import_confirm(staff_client, CONTACTS, response)
    assert BusinessContact.objects.get().score_type == BusinessContact.ScoreType.AUTOMATIC
