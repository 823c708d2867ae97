"""Marketing activity pages: the shared record and import view tests; the
list's money and filters; bad input on the form; the record page, reading
pane and PDF; the tracking page; the lists filtered to an activity; deleting
an activity that initiated records; the Link to dialog."""
import datetime
import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from crm.generic.testing import ImportViewTests, RecordViewTests
from crm.models import ChangeLogEntry, ListKind, ListValue, MarketingActivity
from leads.models import Lead
from leads.tests.factories import LeadFactory
from marketing import selectors
from marketing.tests.factories import MarketingActivityFactory, full_marketing_activity, initiated_deal

pytestmark = pytest.mark.django_db


class TestMarketingActivityViews(RecordViewTests, ImportViewTests):
    record_type = "marketing_activity"
    factory = MarketingActivityFactory
    title_field = "name"
    form_data = {"name": "Spring mailing", "start_date": "2026-05-04", "end_date": "2026-05-30", "budget": "1200.00"}
    bulk_edit_data = {"field": "budget", "value": "800.00"}
    import_key = "ID"
    import_change = ("Name", "name", "Spring mailing, second wave")

    def full_record(self):
        return full_marketing_activity()


def page_text(response) -> str:
    """The page's text as a person reads it (tags out, spaces collapsed)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split()) + " "


# --- The list: money, filters ---------------------------------------------------------------

def test_the_list_shows_the_budget_as_opportunity_totals_show_money(staff_client):
    MarketingActivityFactory(name="Trade fair", budget=Decimal("12500.5"))
    body = staff_client.get(reverse("marketing:marketing_activity_list")).content.decode()
    assert "$12,500.50" in body


def test_the_list_filters_by_type_and_by_the_dates_it_runs(staff_client):
    event = ListValue.objects.get(kind=ListKind.MARKETING_ACTIVITY_TYPE, name="Event")
    web = ListValue.objects.get(kind=ListKind.MARKETING_ACTIVITY_TYPE, name="Web")
    MarketingActivityFactory(name="Spring fair", activity_type=event, start_date=datetime.date(2026, 3, 2),
                             end_date=datetime.date(2026, 3, 4))
    MarketingActivityFactory(name="Autumn fair", activity_type=event, start_date=datetime.date(2026, 9, 7),
                             end_date=datetime.date(2026, 9, 9))
    MarketingActivityFactory(name="Banner ads", activity_type=web, start_date=datetime.date(2026, 1, 1),
                             end_date=datetime.date(2026, 12, 31))

    def names(**params) -> set[str]:
        response = staff_client.get(reverse("marketing:marketing_activity_list"), params)
        return {str(row) for row in response.context["page"].object_list}

    assert names(activity_type=event.pk) == {"Spring fair", "Autumn fair"}
    assert names(starts_after="2026-03-01", starts_before="2026-06-30") == {"Spring fair"}
    assert names(ends_after="2026-09-09") == {"Autumn fair", "Banner ads"}
    assert names(ends_before="2026-03-31", activity_type=event.pk) == {"Spring fair"}


# --- Bad input on the form: a clear error beside the field, nothing written ---------------

@pytest.mark.parametrize("changes, field, message", [
    ({"budget": "lots"}, "budget", "Enter a number."),
    ({"budget": "-1"}, "budget", "Ensure this value is greater than or equal to 0."),
    ({"start_date": "2026-05-10", "end_date": "2026-05-01"}, "end_date", "The end date cannot be before the start date."),
])
def test_bad_input_is_refused_beside_its_field_and_nothing_is_written(staff_client, changes, field, message):
    data = {"name": "Spring mailing", "start_date": "2026-05-04", "end_date": "2026-05-30", "budget": "1200.00",
            **changes}
    response = staff_client.post(reverse("marketing:marketing_activity_add"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {field: [message]}
    # Shown under its own field, and what was typed is kept.
    body = response.content.decode()
    assert f'id="error_1_id_{field}"' in body and message in body
    assert f'value="{data[field]}"' in body
    assert not MarketingActivity.objects.exists()
    assert not ChangeLogEntry.objects.exists()


def test_a_bad_budget_on_an_edit_keeps_the_saved_one(staff_client):
    activity = MarketingActivityFactory(name="Spring mailing", budget=Decimal("1200.00"))
    response = staff_client.post(reverse("marketing:marketing_activity_edit", args=[activity.pk]), {
        "name": "Spring mailing", "budget": "12,00,0", "version": activity.version})
    assert response.context["form"].errors == {"budget": ["Enter a number."]}
    activity.refresh_from_db()
    assert (activity.budget, activity.version) == (Decimal("1200.00"), 1)


# --- Record page, reading pane, print ----------------------------------------------------------

def test_the_record_page_has_a_tracking_tab_and_sums_up_the_results(staff_client, campaign):
    response = staff_client.get(reverse("marketing:marketing_activity_detail", args=[campaign.pk]))
    body = response.content.decode()
    tracking = reverse("marketing:marketing_activity_tracking", args=[campaign.pk])
    assert f'href="{tracking}">Tracking</a>' in body
    assert "$2,000.00" in body                # the budget, as money
    assert "3,700.50" in body and "185.0 %" in body


def test_the_reading_pane_has_a_tracking_button(staff_client, campaign):
    response = staff_client.get(reverse("marketing:marketing_activity_detail", args=[campaign.pk]),
                                headers={"HX-Request": "true", "HX-Target": "reading-pane"})
    body = response.content.decode()
    assert "<html" not in body
    tracking = reverse("marketing:marketing_activity_tracking", args=[campaign.pk])
    assert f'href="{tracking}"' in body and "Tracking</a>" in body


def test_the_pdf_has_the_results(staff_client, campaign):
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    response = staff_client.get(reverse("marketing:marketing_activity_print", args=[campaign.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True,
                                   check=True).stdout.decode().split())
    assert "Budget $2,000.00" in text
    assert "Won revenue $3,700.50 (2 won)" in text and "Cost per lead $400.00" in text
    assert "Return on budget 185.0 %" in text


# --- The tracking page -----------------------------------------------------------------------------

def tracking_page(client, activity):
    return client.get(reverse("marketing:marketing_activity_tracking", args=[activity.pk]))


def test_the_tracking_page_shows_the_figures_worked_out_by_hand(staff_client, campaign):
    response = tracking_page(staff_client, campaign)
    assert response.status_code == 200
    text = page_text(response)
    for label, value in [("Leads", "5"), ("Leads converted", "2"), ("Opportunities", "5"),
                         ("Pipeline value", "$1,300.00"), ("Expected revenue", "$550.00"), ("Won revenue", "$3,700.50"),
                         ("Cost per lead", "$400.00"), ("Return on budget", "185.0 %")]:
        assert f"{label} {value} " in text, label
    assert "2 open · 2 won · 1 lost" in text


def test_the_tracking_page_previews_the_leads_and_opportunities_and_links_the_filtered_lists(staff_client, campaign):
    response = tracking_page(staff_client, campaign)
    body = response.content.decode()
    leads = response.context["leads"]
    assert sorted(p.is_lead for p in leads) == [False, False, True, True, True]
    text = page_text(response)
    for person in leads:
        assert f"{person.full_name} — {'Lead' if person.is_lead else 'Converted'}" in text
    assert "Direct contact" not in text and "Other's win" not in text
    assert "Won big Account" in text and "Closed Won $2,500.00 $2,500.00" in text
    leads = reverse("leads:lead_list") + f"?initiated_by_activity={campaign.pk}"
    contacts = reverse("crm:contact_list") + f"?initiated_by_activity={campaign.pk}"
    opportunities = reverse("sales:opportunity_list") + f"?initiated_by_activity={campaign.pk}"
    assert f'href="{leads}">Open the 3 leads in the Leads list</a>' in body
    assert f'href="{contacts}">Open the 3 business contacts it initiated' in body
    assert f'href="{opportunities}">Open the 5 opportunities in the Opportunities list</a>' in body


def test_the_tracking_page_without_budget_or_results_says_so(staff_client):
    activity = MarketingActivityFactory(name="Quiet one", budget=None)
    text = page_text(tracking_page(staff_client, activity))
    assert "Cost per lead — no budget" in text and "Return on budget — no budget" in text
    assert "No leads name this activity as what initiated them yet." in text
    assert "No opportunities name this activity as what initiated them yet." in text


def test_the_tracking_page_shows_the_first_rows_only(staff_client, staff):
    activity = MarketingActivityFactory(name="Big mailing", budget=Decimal("100.00"))
    LeadFactory.create_batch(selectors.PREVIEW_ROWS + 2, initiated_by_activity=activity)
    response = tracking_page(staff_client, activity)
    assert len(response.context["leads"]) == selectors.PREVIEW_ROWS
    assert f"The first {selectors.PREVIEW_ROWS} of {selectors.PREVIEW_ROWS + 2} leads." in page_text(response)


def test_the_tracking_page_query_count_is_flat_in_the_number_of_leads(staff_client, staff, campaign,
                                                                       django_assert_max_num_queries):
    with django_assert_max_num_queries(9) as few:   # 8, and the navigation bar's reminder count
        tracking_page(staff_client, campaign)
    LeadFactory.create_batch(30, initiated_by_activity=campaign)
    for n in range(15):
        initiated_deal(staff, campaign, f"More {n:02d}", [("1", "10.00")], 10, stage_kind="won" if n % 3 else "open")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = tracking_page(staff_client, campaign)
    assert response.context["figures"].leads == 35


def test_a_missing_activity_has_no_tracking_page(staff_client):
    assert staff_client.get(reverse("marketing:marketing_activity_tracking", args=[999999])).status_code == 404


def test_new_lead_from_the_tracking_page_is_initiated_by_the_activity(staff_client, campaign):
    response = tracking_page(staff_client, campaign)
    form = staff_client.get(response.context["new_lead_url"]).context["form"]
    assert form["initiated_by"].value() == f"marketing_activity:{campaign.pk}"


# --- The lists filtered to the activity say so, and the filter can go --------------------------

@pytest.mark.parametrize("url_name, notice, expected", [
    ("leads:lead_list", "Only leads initiated by the marketing activity", 3),
    ("crm:contact_list", "Only business contacts initiated by the marketing activity", 3),
    ("sales:opportunity_list", "Only opportunities initiated by the marketing activity", 5),
])
def test_a_list_filtered_to_the_activity_says_so_with_a_way_back(staff_client, campaign, url_name, notice, expected):
    url = reverse(url_name)
    response = staff_client.get(url, {"initiated_by_activity": campaign.pk, "sort": "-created", "page": "1"})
    assert response.context["count"] == expected
    text = page_text(response)
    assert f"{notice}: Spring fair Remove this filter" in text
    body = response.content.decode()
    assert f'href="{campaign.get_absolute_url()}">Spring fair</a>' in body
    # Removing it keeps the rest of what the list shows (its sort), not the page.
    assert f'href="{url}?sort=-created">Remove this filter</a>' in body
    # The export of the filtered list exports those rows only.
    export = staff_client.get(reverse(url_name.replace("_list", "_export")),
                              {"initiated_by_activity": campaign.pk, "format": "csv"})
    assert len(b"".join(export.streaming_content).decode("utf-8-sig").strip().splitlines()) == expected + 1


def test_the_filtered_list_updates_keep_the_notice(staff_client, campaign):
    response = staff_client.get(reverse("leads:lead_list"), {"initiated_by_activity": campaign.pk, "q": "Lead"},
                                headers={"HX-Request": "true", "HX-Target": "results"})
    assert "<html" not in response.content.decode()
    assert "Only leads initiated by the marketing activity: Spring fair" in page_text(response)


def test_a_list_filtered_to_a_deleted_activity_says_so(staff_client):
    response = staff_client.get(reverse("leads:lead_list"), {"initiated_by_activity": 987654})
    assert response.context["count"] == 0
    assert "Only leads initiated by the marketing activity: a record that no longer exists" in page_text(response)


def test_an_odd_activity_filter_is_a_field_error_not_a_500(staff_client):
    response = staff_client.get(reverse("sales:opportunity_list"), {"initiated_by_activity": "x' OR 1=1"})
    assert response.status_code == 200 and response.context["count"] == 0
    assert "list-scope" not in response.content.decode()


def test_a_filtered_list_costs_one_query_more_than_the_list(staff_client, campaign, django_assert_max_num_queries):
    url = reverse("leads:lead_list")
    staff_client.get(url)  # the session's first list page reads the user's preferences
    with django_assert_max_num_queries(50) as plain:
        staff_client.get(url)
    with django_assert_max_num_queries(len(plain.captured_queries) + 1):
        staff_client.get(url, {"initiated_by_activity": campaign.pk})


# --- Deleting an activity that initiated records --------------------------------------------------

def test_deleting_an_activity_clears_the_link_on_what_it_initiated_and_says_so(staff_client, staff):
    activity = MarketingActivityFactory(name="Spring fair")
    leads = [LeadFactory(full_name="Anna Hansen", initiated_by_activity=activity),
             LeadFactory(full_name="Bo Berg", initiated_by_activity=activity)]
    deal = initiated_deal(staff, activity, "Fair deal", [("1", "100.00")], 20)
    confirmation = page_text(staff_client.get(reverse("marketing:marketing_activity_delete", args=[activity.pk])))
    assert ("“Initiated by marketing activity” is cleared on Anna Hansen, Bo Berg (a new version and a change-log "
            "entry each; a restore puts it back).") in confirmation
    assert ("“Initiated by marketing activity” is cleared on Fair deal (a new version and a change-log entry each; "
            "a restore puts it back).") in confirmation
    assert "Yes, delete" in confirmation
    ChangeLogEntry.objects.all().delete()
    response = staff_client.post(reverse("marketing:marketing_activity_delete", args=[activity.pk]),
                                 {"version": activity.version})
    assert response.status_code == 302
    assert not MarketingActivity.objects.exists()
    # The leads and the opportunity stay, without the link, each with a new version and an entry.
    for record in [*leads, deal]:
        fresh = type(record)._base_manager.get(pk=record.pk)
        assert fresh.initiated_by_activity_id is None and fresh.version == record.version + 1
        entry = ChangeLogEntry.objects.get(object_id=record.pk, object_repr=str(record))
        assert entry.changes["initiated_by_activity"] == {
            "label": "initiated by marketing activity", "old": "Spring fair", "new": ""}


def test_an_activity_that_initiated_a_closed_opportunity_cannot_be_deleted(staff_client, staff):
    activity = MarketingActivityFactory(name="Spring fair")
    lead = LeadFactory(initiated_by_activity=activity)
    initiated_deal(staff, activity, "Won deal", [("1", "100.00")], 20, stage_kind="won")
    response = staff_client.get(reverse("marketing:marketing_activity_delete", args=[activity.pk]))
    text = page_text(response)
    assert ("It cannot be deleted now: Read-only records refer to it (opportunity: Won deal (initiated by marketing "
            "activity)); reopen or change them first.") in text
    assert "Yes, delete" not in text
    response = staff_client.post(reverse("marketing:marketing_activity_delete", args=[activity.pk]),
                                 {"version": activity.version}, follow=True)
    assert MarketingActivity.objects.filter(pk=activity.pk).exists()
    assert type(lead).objects.get(pk=lead.pk).initiated_by_activity_id == activity.pk
    assert "Reopen or change them first." in page_text(response)


# --- The Link to dialog offers marketing activities -------------------------------------------

def test_the_link_to_dialog_finds_marketing_activities_by_name(staff_client):
    MarketingActivityFactory(name="Spring fair")
    MarketingActivityFactory(name="Autumn mailing")
    types = ",".join(Lead.initiated_by.types())
    assert "marketing_activity" in types
    response = staff_client.get(reverse("crm:link_to_search"), {"types": types, "type": "marketing_activity", "q": "spring"})
    body = response.content.decode()
    assert 'data-value="marketing_activity:' in body and "Spring fair" in body and "Autumn mailing" not in body
    everything = staff_client.get(reverse("crm:link_to_search"), {"types": types, "q": "fair"}).content.decode()
    assert "Marketing activity</span>Spring fair" in everything


def test_an_import_row_with_a_bad_budget_or_dates_is_refused_with_its_reason(staff_client):
    from crm.generic.testing import csv_bytes, import_confirm, import_upload

    url = reverse("marketing:marketing_activity_import")
    response = import_upload(staff_client, url, "activities.csv", csv_bytes([
        ["Name", "Budget", "Start Date", "End Date"],
        ["Spring fair", "lots", "2026-03-02", "2026-03-04"],
        ["Autumn fair", "-5", "2026-09-07", "2026-09-09"],
        ["Winter fair", "100", "2026-12-09", "2026-12-07"],
        ["Good fair", "1500.00", "2026-05-02", "2026-05-04"],
    ]))
    errors = [(row, column, reason) for row, column, _value, reason in response.context["errors"]]
    assert errors == [(2, "Budget", "Enter a number."),
                      (3, "Budget", "Ensure this value is greater than or equal to 0."),
                      (4, "End Date", "The end date cannot be before the start date.")]
    assert response.context["counts"]["new"] == 1
    import_confirm(staff_client, url, response)
    assert not MarketingActivity.objects.exists()   # all rows or none
