"""Initiated by = a marketing activity, everywhere a lead, business contact or
opportunity says what initiated it: the form, the record pages (Source
information), the export (by name) and the import (by name, a clear error
for an unknown one), and the export imported back unchanged."""
import csv
import io

import pytest
from django.urls import reverse

from crm.generic.testing import csv_bytes, import_confirm, import_upload
from crm.models import BusinessContact, ChangeLogEntry
from crm.tests.factories import AccountFactory, ContactFactory
from leads.models import Lead
from leads.tests.factories import LeadFactory
from marketing.tests.factories import MarketingActivityFactory, initiated_deal
from sales.models import Opportunity

pytestmark = pytest.mark.django_db

LEADS_IMPORT = "/leads/import/"
OPPORTUNITIES_IMPORT = "/opportunities/import/"


def exported_rows(client, url_name: str) -> list[dict[str, str]]:
    response = client.get(reverse(url_name), {"format": "csv"})
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def errors_of(response) -> list[tuple[int, str, str]]:
    """(row, column, reason) of each error the import preview shows."""
    return [(number, column, reason) for number, column, _value, reason in response.context["errors"]]


# --- Forms and record pages -----------------------------------------------------------------

@pytest.mark.parametrize("url_name, data", [
    ("leads:lead_add", {"full_name": "Fair Visitor"}),
    ("crm:contact_add", {"full_name": "Fair Visitor"}),
])
def test_a_person_form_links_a_marketing_activity(staff_client, url_name, data):
    fair = MarketingActivityFactory(name="Spring fair")
    response = staff_client.post(reverse(url_name), {**data, "initiated_by": f"marketing_activity:{fair.pk}"})
    assert response.status_code == 302
    person = BusinessContact.objects.get()
    assert person.initiated_by == fair
    assert (person.initiated_by_account, person.initiated_by_contact) == (None, None)


def test_the_opportunity_form_links_a_marketing_activity(staff_client):
    fair = MarketingActivityFactory(name="Spring fair")
    account = AccountFactory()
    response = staff_client.post(reverse("sales:opportunity_add"), {
        "title": "Fair deal", "linked": f"account:{account.pk}", "probability": "10",
        "initiated_by": f"marketing_activity:{fair.pk}", "lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.context["form"].errors
    assert Opportunity.objects.get().initiated_by_activity == fair


@pytest.mark.parametrize("record, url_name", [
    (lambda fair: LeadFactory(initiated_by_activity=fair), "leads:lead_detail"),
    (lambda fair: ContactFactory(initiated_by_activity=fair), "crm:contact_detail"),
])
def test_a_persons_page_shows_the_activity_in_its_source_information(staff_client, record, url_name,
                                                                      django_assert_max_num_queries):
    fair = MarketingActivityFactory(name="Spring fair")
    plain = record(None)
    with django_assert_max_num_queries(50) as without:
        staff_client.get(reverse(url_name, args=[plain.pk]))
    person = record(fair)
    # Read with the record (select_related): no query more than a page without it.
    with django_assert_max_num_queries(len(without.captured_queries)):
        response = staff_client.get(reverse(url_name, args=[person.pk]))
    body = response.content.decode()
    assert "Source information" in body
    assert (f'<dt class="col-sm-4 fw-normal text-muted">Initiated by marketing activity</dt>\n      '
            f'<dd class="col-sm-8"><a href="{fair.get_absolute_url()}">Spring fair</a></dd>') in body


def test_an_opportunitys_page_shows_the_activity_in_its_source_information(staff_client, staff,
                                                                           django_assert_max_num_queries):
    fair = MarketingActivityFactory(name="Spring fair")
    plain = initiated_deal(staff, None, "Plain deal", [("1", "10.00")], 10)
    with django_assert_max_num_queries(50) as without:
        staff_client.get(reverse("sales:opportunity_detail", args=[plain.pk]))
    deal = initiated_deal(staff, fair, "Fair deal", [("1", "10.00")], 10)
    with django_assert_max_num_queries(len(without.captured_queries)):
        response = staff_client.get(reverse("sales:opportunity_detail", args=[deal.pk]))
    body = response.content.decode()
    assert "Source information" in body and "Initiated by marketing activity" in body
    assert f'<a href="{fair.get_absolute_url()}">Spring fair</a>' in body


# --- Export and import by name -------------------------------------------------------------------

def test_exports_name_what_initiated_each_record(staff_client, staff):
    fair, referrer = MarketingActivityFactory(name="Spring fair"), AccountFactory(name="Referrer AS")
    person = ContactFactory(full_name="Petra Referrer")
    LeadFactory(full_name="From the fair", initiated_by_activity=fair)
    LeadFactory(full_name="From an account", initiated_by_account=referrer)
    LeadFactory(full_name="From a person", initiated_by_contact=person)
    initiated_deal(staff, fair, "Fair deal", [("1", "10.00")], 10)
    columns = ("Initiated By Account", "Initiated By Business Contact", "Initiated By Marketing Activity")
    leads = {row["Full Name"]: tuple(row[c] for c in columns) for row in exported_rows(staff_client, "leads:lead_export")}
    assert leads == {"From the fair": ("", "", "Spring fair"), "From an account": ("Referrer AS", "", ""),
                     "From a person": ("", "Petra Referrer", "")}
    [deal] = exported_rows(staff_client, "sales:opportunity_export")
    assert tuple(deal[c] for c in columns) == ("", "", "Spring fair")


def test_a_lead_import_links_the_activity_by_name(staff_client):
    fair = MarketingActivityFactory(name="Spring fair")
    response = import_upload(staff_client, LEADS_IMPORT, "leads.csv", csv_bytes([
        ["Full Name", "E-mail Address", "Initiated By Marketing Activity"],
        ["Fair Visitor", "visitor@example.com", "spring FAIR"],
    ]))
    assert response.context["counts"]["new"] == 1, errors_of(response)
    import_confirm(staff_client, LEADS_IMPORT, response)
    assert Lead.objects.get().initiated_by == fair


def test_other_tools_call_the_column_campaign(staff_client, staff):
    fair = MarketingActivityFactory(name="Spring fair")
    response = import_upload(staff_client, LEADS_IMPORT, "leads.csv", csv_bytes([
        ["Name", "Email", "Campaign"], ["Fair Visitor", "visitor@example.com", "Spring fair"]]))
    assert response.context["step"] == "preview"
    import_confirm(staff_client, LEADS_IMPORT, response)
    assert Lead.objects.get().initiated_by == fair
    AccountFactory(name="Acme AS")
    response = import_upload(staff_client, OPPORTUNITIES_IMPORT, "deals.csv", csv_bytes([
        ["Opportunity Name", "Account Name", "Marketing Activity"], ["Fair deal", "Acme AS", "Spring fair"]]))
    import_confirm(staff_client, OPPORTUNITIES_IMPORT, response)
    assert Opportunity.objects.get().initiated_by == fair


@pytest.mark.parametrize("url, rows", [
    (LEADS_IMPORT, [["Full Name", "Initiated By Marketing Activity"], ["Fair Visitor", "Summer fair"]]),
    (OPPORTUNITIES_IMPORT, [["Opportunity Title", "Account", "Initiated By Marketing Activity"],
                            ["Fair deal", "Acme AS", "Summer fair"]]),
])
def test_an_unknown_activity_is_a_clear_row_error_and_nothing_is_written(staff_client, url, rows):
    MarketingActivityFactory(name="Spring fair")
    AccountFactory(name="Acme AS")
    response = import_upload(staff_client, url, "file.csv", csv_bytes(rows))
    assert errors_of(response) == [(2, "Initiated By Marketing Activity",
                                    "No marketing activity called “Summer fair”.")]
    assert response.context["counts"]["error"] == 1
    done = import_confirm(staff_client, url, response)
    assert "Some rows have errors" in done.content.decode()
    assert not Lead.objects.exists() and not Opportunity.objects.exists()
    assert not ChangeLogEntry.objects.exists()


def test_an_update_naming_the_activity_clears_the_other_initiated_by(staff_client):
    fair = MarketingActivityFactory(name="Spring fair")
    lead = LeadFactory(email="visitor@example.com", initiated_by_account=AccountFactory(name="Referrer AS"))
    response = import_upload(staff_client, LEADS_IMPORT, "leads.csv", csv_bytes([
        ["E-mail Address", "Initiated By Marketing Activity"], ["visitor@example.com", "Spring fair"]]))
    assert response.context["counts"]["update"] == 1, errors_of(response)
    import_confirm(staff_client, LEADS_IMPORT, response)
    lead.refresh_from_db()
    assert (lead.initiated_by_activity, lead.initiated_by_account) == (fair, None)


def test_a_file_without_the_columns_keeps_what_initiated_the_record(staff_client):
    fair = MarketingActivityFactory(name="Spring fair")
    lead = LeadFactory(email="visitor@example.com", job_title="Buyer", initiated_by_activity=fair)
    response = import_upload(staff_client, LEADS_IMPORT, "leads.csv", csv_bytes([
        ["E-mail Address", "Job Title"], ["visitor@example.com", "Chief buyer"]]))
    import_confirm(staff_client, LEADS_IMPORT, response)
    lead.refresh_from_db()
    assert (lead.job_title, lead.initiated_by_activity) == ("Chief buyer", fair)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_export_imports_back_unchanged_with_every_kind_of_initiated_by(staff_client, staff, file_format):
    fair = MarketingActivityFactory(name="Spring fair")
    twin = MarketingActivityFactory(name="Spring fair")   # the same name: the record's own link is kept
    LeadFactory(full_name="From the fair", email="fair@example.com", initiated_by_activity=fair)
    LeadFactory(full_name="From the twin", email="twin@example.com", initiated_by_activity=twin)
    LeadFactory(full_name="From an account", email="account@example.com",
                initiated_by_account=AccountFactory(name="Referrer AS"))
    LeadFactory(full_name="From a person", email="person@example.com",
                initiated_by_contact=ContactFactory(full_name="Petra Referrer"))
    initiated_deal(staff, fair, "Fair deal", [("1", "10.00")], 10)
    initiated_deal(staff, twin, "Twin deal", [("1", "10.00")], 10)
    ChangeLogEntry.objects.all().delete()
    for export, url, model in [("leads:lead_export", LEADS_IMPORT, Lead),
                               ("sales:opportunity_export", OPPORTUNITIES_IMPORT, Opportunity)]:
        before = list(model.objects.order_by("pk").values())
        content = b"".join(staff_client.get(reverse(export), {"format": file_format}).streaming_content)
        response = import_upload(staff_client, url, f"export.{file_format}", content)
        assert response.context["counts"]["unchanged"] == len(before), errors_of(response)
        import_confirm(staff_client, url, response)
        assert list(model.objects.order_by("pk").values()) == before
    assert not ChangeLogEntry.objects.exists()
