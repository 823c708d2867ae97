"""Importing opportunities: the export reads back unchanged, other tools' headers,
names become links, stages and list values, and a closed opportunity stays
read-only (every refusal shown in the preview, nothing written)."""
import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.generic.imports import Plan
from crm.generic.services import DomainError, records_import
from crm.generic.testing import csv_bytes, import_confirm, import_upload
from crm.models import Category, ChangeLogEntry, ListValue
from crm.tests.factories import AccountFactory, ContactFactory
from sales import services
from sales.imports import OpportunityImporter
from sales.models import Opportunity, SalesStage
from sales.tests.factories import LineFactory, OpportunityFactory, create_won_opportunity, stage

pytestmark = pytest.mark.django_db
URL = "/opportunities/import/"


def upload(client, rows, name="opportunities.csv"):
    return import_upload(client, URL, name, csv_bytes(rows))


def confirm(client, response, **extra):
    return import_confirm(client, URL, response, **extra)


def errors_of(response) -> list[tuple[int, str, str]]:
    """(row, column, reason) of each error the preview shows."""
    return [(number, column, reason) for number, column, _value, reason in response.context["errors"]]


def test_new_opportunities_from_another_tools_headers(staff_client, staff):
    account = AccountFactory(name="Acme AS")
    contact = ContactFactory(full_name="Petra Buyer", email="petra@example.com", account=None)
    response = upload(staff_client, [
        ["Opportunity Name", "Account Name", "Contact", "Stage", "Close Date", "Owner", "Lead Source", "Probability"],
        ["Fleet renewal", "acme as", "", "Proposal", "2027-03-31", staff.username, "Trade fair", "40"],
        ["Support contract", "", "PETRA@example.com", "", "", "", "", ""],
    ])
    body = response.content.decode()
    assert "2 new" in body and "0 with errors" in body
    assert not Opportunity.objects.exists()
    done = confirm(staff_client, response)
    assert "Import finished: 2 new, 0 updated, 0 unchanged, 0 skipped, 0 with errors (not imported)." in done.content.decode()
    fleet = Opportunity.objects.get(title="Fleet renewal")
    assert (fleet.account, fleet.contact, fleet.stage.name, fleet.close_date, fleet.assigned_to, fleet.source.name,
            fleet.probability) == (account, None, "Proposal", datetime.date(2027, 3, 31), staff, "Trade fair", 40)
    assert fleet.stage_entered_on == timezone.localdate() and fleet.created_by == staff
    support = Opportunity.objects.get(title="Support contract")
    # An empty Stage cell leaves the stage empty; no Stage column at all gives the default (next test).
    assert (support.contact, support.account, support.stage) == (contact, None, None)
    assert ListValue.objects.filter(kind="source", name="Trade fair").count() == 1
    assert ChangeLogEntry.objects.filter(object_id=fleet.pk, action="create").exists()


def test_a_new_opportunity_without_a_stage_column_starts_in_the_default_stage(staff_client):
    AccountFactory(name="Acme AS")
    confirm(staff_client, upload(staff_client, [["Opportunity Title", "Account"], ["Fleet renewal", "Acme AS"]]))
    assert Opportunity.objects.get().stage == stage()


def test_a_new_row_in_closed_won_is_imported_closed(staff_client):
    AccountFactory(name="Acme AS")
    confirm(staff_client, upload(staff_client, [
        ["Opportunity Title", "Account", "Sales Stage", "Probability", "Close Date"],
        ["Won last year", "Acme AS", "Closed Won", "10", "2025-06-30"],
    ]))
    won = Opportunity.objects.get()
    assert (won.stage.kind, won.probability, won.close_date) == ("won", 100, datetime.date(2025, 6, 30))


def test_export_then_import_changes_nothing_closed_ones_included(staff_client, staff):
    key = Category.objects.create(name="Key")
    open_one = OpportunityFactory(title="Open =1+1", stage=stage(), probability=30, assigned_to=staff,
                                  contact=ContactFactory(full_name="Petra Buyer"), account=None,
                                  payment_terms=ListValue.objects.filter(kind="payment_terms").first(),
                                  competitors="Globex", comments="Line one\nline two")
    LineFactory(opportunity=open_one, unit_price=Decimal("999.99"))
    services.opportunity_save(instance=Opportunity.objects.get(pk=open_one.pk), user=staff,
                              lines=[services.LineInput(product=None, description="Line", quantity=Decimal(2),
                                                        unit_price=Decimal("999.99"))])
    won = create_won_opportunity(title="Won deal")
    won.categories.set([key])
    ChangeLogEntry.objects.all().delete()
    before = list(Opportunity.objects.order_by("pk").values())
    export = staff_client.get(reverse("sales:opportunity_export"), {"format": "csv"})
    response = import_upload(staff_client, URL, "export.csv", b"".join(export.streaming_content))
    body = response.content.decode()
    assert response.context["counts"] == {"new": 0, "update": 0, "unchanged": 2, "skip": 0, "error": 0}, errors_of(response)
    assert "0 new" in body and "0 to update" in body and "2 unchanged" in body and "0 with errors" in body
    done = confirm(staff_client, response)
    assert "Import finished: 0 new, 0 updated, 2 unchanged, 0 skipped, 0 with errors (not imported)." in done.content.decode()
    assert list(Opportunity.objects.order_by("pk").values()) == before
    assert not ChangeLogEntry.objects.exists()


def test_a_row_that_changes_a_closed_opportunity_is_refused_and_nothing_is_written(staff_client):
    won = create_won_opportunity(title="Won deal")
    open_one = OpportunityFactory(title="Still open", stage=stage())
    response = upload(staff_client, [
        ["ID", "Opportunity Title", "Competitors"],
        [won.pk, "Won deal", "Globex"],
        [open_one.pk, "Still open", "Globex"],
    ])
    assert errors_of(response) == [(2, "", "“Won deal” is closed (Closed Won) and cannot be changed. Reopen it first.")]
    done = confirm(staff_client, response)
    assert "Some rows have errors" in done.content.decode()
    assert Opportunity.objects.get(pk=won.pk).competitors == "" == Opportunity.objects.get(pk=open_one.pk).competitors
    # Skipping the rows with errors imports the others, never the closed one.
    done = confirm(staff_client, upload(staff_client, [
        ["ID", "Opportunity Title", "Competitors"], [won.pk, "Won deal", "Globex"], [open_one.pk, "Still open", "Globex"],
    ]), skip_errors="on")
    assert "Import finished: 0 new, 1 updated, 0 unchanged, 0 skipped, 1 with errors (not imported)." in done.content.decode()
    assert (Opportunity.objects.get(pk=won.pk).competitors, Opportunity.objects.get(pk=open_one.pk).competitors) == (
        "", "Globex")


@pytest.mark.parametrize("column, value", [("Sales Stage", "Proposal"), ("Categories", "Key"), ("Probability", "50"),
                                           ("Account", "Other AS")])
def test_reopening_or_categorizing_a_closed_opportunity_by_import_is_refused(staff_client, column, value):
    Category.objects.create(name="Key")
    AccountFactory(name="Other AS")
    won = create_won_opportunity(title="Won deal")
    version = won.version
    response = upload(staff_client, [["ID", column], [won.pk, value]])
    assert [reason for _row, _column, reason in errors_of(response)] == [
        "“Won deal” is closed (Closed Won) and cannot be changed. Reopen it first."]
    won.refresh_from_db()
    assert (won.stage.kind, won.version, list(won.categories.all())) == ("won", version, [])


def test_a_row_may_close_an_open_opportunity(staff_client, staff):
    deal = OpportunityFactory(title="Deal", stage=stage(), probability=20)
    services.opportunity_save(instance=Opportunity.objects.get(pk=deal.pk), user=staff, lines=[services.LineInput(
        product=None, description="Line", quantity=Decimal(1), unit_price=Decimal("1000.00"))])
    done = confirm(staff_client, upload(staff_client, [["ID", "Sales Stage"], [deal.pk, "Closed Won"]]))
    assert "1 updated" in done.content.decode()
    deal.refresh_from_db()
    assert (deal.stage.kind, deal.probability, deal.expected_revenue, deal.close_date) == (
        "won", 100, Decimal("1000.00"), timezone.localdate())
    entry = ChangeLogEntry.objects.get(object_id=deal.pk, action="update", changes__has_key="stage")
    assert entry.changes["probability"] == {"label": "probability (%)", "old": "20", "new": "100"}


def test_an_update_with_few_columns_keeps_the_rest_and_recomputes_expected_revenue(staff_client, staff):
    deal = OpportunityFactory(title="Deal", stage=stage(), probability=20, competitors="Globex")
    services.opportunity_save(instance=Opportunity.objects.get(pk=deal.pk), user=staff, lines=[services.LineInput(
        product=None, description="Line", quantity=Decimal(3), unit_price=Decimal("333.33"))])
    confirm(staff_client, upload(staff_client, [["ID", "Probability"], [deal.pk, "35"]]))
    deal.refresh_from_db()
    assert (deal.probability, deal.total, deal.expected_revenue, deal.competitors, deal.account_id is not None) == (
        35, Decimal("999.99"), Decimal("350.00"), "Globex", True)


def test_a_name_several_accounts_share_keeps_the_current_link(staff_client):
    first, second = AccountFactory(name="Acme AS"), AccountFactory(name="Acme AS")
    deal = OpportunityFactory(title="Deal", account=second)
    response = upload(staff_client, [["ID", "Opportunity Title", "Account"], [deal.pk, "Deal", "Acme AS"],
                                     ["", "New deal", "Acme AS"]])
    assert [(row, reason) for row, _column, reason in errors_of(response)] == [
        (3, "Several accounts are called “Acme AS”; give the opportunity's ID to keep its link, or rename one of them.")]
    confirm(staff_client, response, skip_errors="on")
    assert Opportunity.objects.get(pk=deal.pk).account == second and Opportunity.objects.count() == 1
    assert first.opportunities.count() == 0


@pytest.mark.parametrize("row, column, reason", [
    (["", "Acme AS", "", "Proposal", "", ""], "Opportunity Title", "An opportunity needs a title."),
    (["Deal", "Nobody AS", "", "Proposal", "", ""], "Account", "No account called “Nobody AS”."),
    (["Deal", "", "nobody@example.com", "Proposal", "", ""], "Business Contact",
     "No business contact called “nobody@example.com”."),
    (["Deal", "Acme AS", "", "Almost won", "", ""], "Sales Stage", "No sales stage called “Almost won”."),
    (["Deal", "Acme AS", "", "Proposal", "150", ""], "Probability", "Ensure this value is less than or equal to 100."),
    (["Deal", "Acme AS", "", "Proposal", "", "Barter"], "Type", "“Barter” is not in the list “Opportunity type”."),
    (["Deal", "", "", "Proposal", "", ""], "Account", "Link the opportunity to one account or one business contact."),
    (["Deal", "Acme AS", "Petra Buyer", "Proposal", "", ""], "Account",
     "Link the opportunity to one account or one business contact."),
])
def test_bad_rows_show_their_reason_and_nothing_is_written(staff_client, row, column, reason):
    AccountFactory(name="Acme AS")
    ContactFactory(full_name="Petra Buyer")
    response = upload(staff_client, [["Opportunity Title", "Account", "Business Contact", "Sales Stage", "Probability",
                                      "Type"], row])
    assert errors_of(response) == [(2, column, reason)]
    assert "Some rows have errors" in confirm(staff_client, response).content.decode()
    assert not Opportunity.objects.exists()


def test_the_commit_never_writes_a_row_to_an_opportunity_closed_since_the_preview(staff):
    # The version re-check refuses a preview older than a closing; should a closing ever
    # leave the version as it was, the commit still refuses to change the closed record.
    deal = OpportunityFactory(title="Deal", stage=stage())
    importer = OpportunityImporter(staff)
    from crm.generic.tabular import read_table

    data = csv_bytes([["ID", "Competitors"], [deal.pk, "Globex"]])
    table = read_table("x.csv", data, 10**6)
    mapping = importer.match_headers(table.header)
    plan = importer.prepare(importer.preview(table, mapping), "digest")
    assert plan.counts["update"] == 1
    Opportunity.objects.filter(pk=deal.pk).update(stage=SalesStage.objects.get(kind="lost"))
    with pytest.raises(DomainError, match="is closed"):
        records_import(importer=OpportunityImporter(staff), plan=Plan.loads(plan.dumps()), user=staff, source="x.csv")
    assert Opportunity.objects.get(pk=deal.pk).competitors == ""


def test_staff_see_the_import_button_and_page(staff_client):
    assert URL in staff_client.get("/opportunities/").content.decode()
    assert staff_client.get(URL).status_code == 200


def test_the_upload_page_asks_about_rows_matched_by_id(staff_client):
    body = staff_client.get(URL).content.decode()
    assert "When a row&#x27;s ID matches an existing opportunity" in body and "e-mail address matches" not in body
