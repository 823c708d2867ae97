"""Importing site visits: the link by the account's or business contact's name,
the link rule with its error under the file's column, required values."""
import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from crm.generic import services
from crm.generic.testing import csv_bytes, import_confirm, import_upload
from crm.models import ChangeLogEntry
from crm.tests.factories import AccountFactory, ContactFactory
from sample_records.models import SiteVisit
from sample_records.tests.factories import SiteVisitFactory

pytestmark = pytest.mark.django_db

IMPORT = reverse("sample_records:site_visit_import")
HEADER = ["Title", "Visit Date", "Kind", "Account", "Business Contact"]
GOOD = ["Good row", "2026-06-01", "survey", "Nordic Fjord AS", ""]


def upload(client, *rows, header=HEADER):
    response = import_upload(client, IMPORT, "visits.csv", csv_bytes([header, *rows]))
    assert response.status_code == 200 and response.context["step"] == "preview"
    return response


def test_rows_link_to_the_account_or_the_contact_they_name(staff_client):
    """Names as other tools write them (any case, the contact by full name or
    e-mail address), kinds by code or label, dates in the usual formats."""
    nordic = AccountFactory(name="Nordic Fjord AS")
    anna = ContactFactory(full_name="Anna Hansen", email="anna@example.com")
    response = upload(staff_client,
                      ["Roof survey", "2026-06-01", "Site survey", "nordic fjord as", ""],
                      ["Boiler service", "02.06.2026", "service", "", "Anna Hansen"],
                      ["Installation", "03/06/2026", "Installation", "", "ANNA@example.com"])
    assert response.context["counts"] == {"new": 3, "update": 0, "unchanged": 0, "skip": 0, "error": 0}, (
        response.context["errors"])
    import_confirm(staff_client, IMPORT, response)
    assert [(v.title, v.visit_date, v.kind, v.account, v.contact) for v in SiteVisit.objects.order_by("visit_date")] == [
        ("Roof survey", datetime.date(2026, 6, 1), "survey", nordic, None),
        ("Boiler service", datetime.date(2026, 6, 2), "service", None, anna),
        ("Installation", datetime.date(2026, 6, 3), "installation", None, anna),
    ]
    assert ChangeLogEntry.objects.filter(action="create").count() == 3


def test_a_row_linked_to_both_or_neither_or_an_unknown_name_is_refused_under_its_column(staff_client):
    """The link's rule (one account or one contact) is the model's, shown under the
    Account column; nothing of a refused row is written, the good row is."""
    AccountFactory(name="Nordic Fjord AS")
    ContactFactory(full_name="Anna Hansen")
    response = upload(staff_client, GOOD,
                      ["Both", "2026-06-01", "survey", "Nordic Fjord AS", "Anna Hansen"],
                      ["Neither", "2026-06-01", "survey", "", ""],
                      ["Unknown", "2026-06-01", "survey", "Nobody Ltd", ""])
    assert response.context["counts"] == {"new": 1, "update": 0, "unchanged": 0, "skip": 0, "error": 3}
    rule = "Link the site visit to one account or one business contact."
    assert [(number, column, reason) for number, column, _cell, reason in response.context["errors"]] == [
        (3, "Account", rule), (4, "Account", rule), (5, "Account", "No account called “Nobody Ltd”.")]
    import_confirm(staff_client, IMPORT, response, skip_errors="on")
    assert list(SiteVisit.objects.values_list("title", flat=True)) == ["Good row"]


def test_a_row_without_a_title_or_a_date_is_refused(staff_client):
    AccountFactory(name="Nordic Fjord AS")
    response = upload(staff_client, GOOD,
                      ["", "2026-06-01", "survey", "Nordic Fjord AS", ""],
                      ["No date", "", "survey", "Nordic Fjord AS", ""],
                      ["Odd date", "2026-02-30", "survey", "Nordic Fjord AS", ""],
                      ["Odd kind", "2026-06-01", "picnic", "Nordic Fjord AS", ""])
    assert response.context["counts"]["error"] == 4
    assert [(number, column, reason) for number, column, _cell, reason in response.context["errors"]] == [
        (3, "Title", "A site visit needs a title."),
        (4, "Visit Date", "A site visit needs a date."),
        (5, "Visit Date", "Enter a valid date."),
        (6, "Kind", "“picnic” is not one of: Site survey, Installation, Service call."),
    ]
    import_confirm(staff_client, IMPORT, response, skip_errors="on")
    assert list(SiteVisit.objects.values_list("title", flat=True)) == ["Good row"]


def test_an_update_moves_the_link_to_the_contact_its_row_names(staff_client):
    """A row with the visit's ID naming a business contact (the account cell
    empty) links the visit to the contact and clears the account, logged."""
    nordic, anna = AccountFactory(name="Nordic Fjord AS"), ContactFactory(full_name="Anna Hansen")
    visit = SiteVisitFactory(title="Roof survey", account=nordic)
    response = upload(staff_client, [str(visit.pk), "", "", "", "", "Anna Hansen"], header=["ID", *HEADER])
    assert response.context["counts"] == {"new": 0, "update": 1, "unchanged": 0, "skip": 0, "error": 0}, (
        response.context["errors"])
    import_confirm(staff_client, IMPORT, response)
    visit.refresh_from_db()
    assert (visit.account, visit.contact, visit.version) == (None, anna, 2)
    changes = ChangeLogEntry.objects.get(action="update", object_id=visit.pk).changes
    assert (changes["account"]["old"], changes["contact"]["new"]) == ("Nordic Fjord AS", "Anna Hansen")


def test_an_update_confirmed_after_someone_else_saved_the_visit_is_refused(staff_client, other_staff):
    """Preview, Bob saves the visit, Import: the row is not written over Bob's save."""
    visit = SiteVisitFactory(title="Roof survey")
    AccountFactory(name="Nordic Fjord AS")
    response = upload(staff_client, [str(visit.pk), "Roof survey, day two", "", "", "", ""], header=["ID", *HEADER])
    assert response.context["counts"]["update"] == 1
    theirs = SiteVisit.objects.get(pk=visit.pk)
    theirs.comments = "Bob saved this first."
    services.record_update(instance=theirs, user=other_staff)
    done = import_confirm(staff_client, IMPORT, response)
    assert ("Nothing was imported: 1 row is no longer as the preview showed it (row 2: the record it updates was "
            "changed after the preview).") in done.content.decode()
    visit.refresh_from_db()
    assert (visit.title, visit.comments, visit.version) == ("Roof survey", "Bob saved this first.", 2)


@pytest.mark.parametrize("amount, message", [
    ("abc", "Enter a number."),
    ("-5", "Ensure this value is greater than or equal to 0."),
    ("1e20", "Ensure that there are no more than 12 digits in total."),
])
def test_an_odd_amount_is_refused_under_its_column(staff_client, amount, message):
    """An amount is read as the form reads it, with the field's limits and messages."""
    AccountFactory(name="Nordic Fjord AS")
    response = upload(staff_client, [*GOOD, "12.50"], ["Odd amount", "2026-06-01", "survey", "Nordic Fjord AS", "", amount],
                      header=[*HEADER, "Expenses"])
    assert [(number, column, reason) for number, column, _cell, reason in response.context["errors"]] == [
        (3, "Expenses", message)]
    import_confirm(staff_client, IMPORT, response, skip_errors="on")
    assert list(SiteVisit.objects.values_list("title", "expenses")) == [("Good row", Decimal("12.50"))]
