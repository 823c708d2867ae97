"""Opportunity pages: the shared record view tests, the form with lines,
closing and reopening through the pages, stages and catalogue pages."""
import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.generic.testing import ImportViewTests, RecordViewTests
from crm.tests.factories import AccountFactory, ContactFactory
from sales.models import Opportunity, OpportunityLine, Product, SalesStage
from sales.tests.factories import (
    OpportunityFactory, ProductFactory, create_won_opportunity, full_opportunity, opportunity_related_state, stage,
)

pytestmark = pytest.mark.django_db


class TestOpportunityViews(RecordViewTests, ImportViewTests):
    record_type = "opportunity"
    factory = OpportunityFactory
    title_field = "title"
    form_data = {"title": "Fleet renewal", "probability": "40"}
    bulk_edit_data = {"field": "competitors", "value": "Globex"}
    # User, ids, rows with their badges and five filter choice lists (assigned
    # to, stage, type, source, category; cached outside tests' transactions), and
    # the navigation bar's count of reminders.
    max_list_queries = 11

    def full_record(self):
        return full_opportunity()

    def related_state(self, record) -> dict:
        return opportunity_related_state(record)

    import_key = "ID"
    import_change = ("Competitors", "competitors", "Globex, Initech")

    def post_data(self, **overrides) -> dict:
        if not hasattr(self, "_account"):
            self._account = AccountFactory(name="Linked Account")
        return {**self.form_data, "linked": f"account:{self._account.pk}", **overrides}



def lines_post(*lines, initial=0) -> dict:
    """The products-and-services part of a form post."""
    data = {"lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": str(initial)}
    for index, line in enumerate(lines):
        for key, value in line.items():
            data[f"lines-{index}-{key}"] = value
    return data


def shown_line_totals(body: str) -> list[str]:
    """Each line's total in an answer of the live totals (swapped into the rows out of band)."""
    return re.findall(r'<span id="lines-\d+-total" hx-swap-oob="true">([^<]*)</span>', body)


def new_opportunity_post(account, **extra) -> dict:
    return {"title": "Fleet renewal", "linked": f"account:{account.pk}", "probability": "50",
            "stage": stage().pk, "_save_close": "1", **extra}


# --- The form -------------------------------------------------------------------------

def test_new_opportunity_with_lines(staff_client, staff):
    account, product = AccountFactory(), ProductFactory(name="Van", unit_price=Decimal("30000.00"))
    data = new_opportunity_post(account, **lines_post(
        {"product": product.pk, "quantity": "2", "unit_price": "30000.00", "discount_percent": "5"},
        {"description": "Winter tyres", "quantity": "8", "unit_price": "149.90", "discount_percent": "0"}))
    response = staff_client.post(reverse("sales:opportunity_add"), data)
    opportunity = Opportunity.objects.get()
    assert response["Location"] == opportunity.get_absolute_url()
    # 57,000.00 + 1,199.20 = 58,199.20; 50 % = 29,099.60
    assert (opportunity.total, opportunity.expected_revenue) == (Decimal("58199.20"), Decimal("29099.60"))
    assert [l.label for l in opportunity.lines.all()] == ["Van", "Winter tyres"]
    page = staff_client.get(opportunity.get_absolute_url()).content.decode()
    assert "58,199.20" in page and "29,099.60" in page and "Winter tyres" in page


def test_new_opportunity_form_starts_in_the_default_stage(staff_client):
    body = staff_client.get(reverse("sales:opportunity_add")).content.decode()
    assert re.search(rf'<option value="{stage().pk}" selected>Prospecting</option>', body)
    assert "Identify the decision makers" in body and "Add line" in body


def test_link_is_required_and_typed_input_is_kept(staff_client):
    response = staff_client.post(reverse("sales:opportunity_add"), {
        "title": "No link", "comments": "Kept text", **lines_post({"description": "Kept line", "quantity": "1",
                                                                   "unit_price": "5"})})
    body = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in body and "Kept text" in body and 'value="Kept line"' in body
    assert not Opportunity.objects.exists()


@pytest.mark.parametrize("line, message", [
    ({"description": "Too cheap", "quantity": "1", "unit_price": "-1"}, "greater than or equal to 0"),
    ({"description": "Over-discounted", "quantity": "1", "unit_price": "10", "discount_percent": "101"},
     "less than or equal to 100"),
    ({"description": "", "quantity": "1", "unit_price": "10"}, "Choose a catalogue item or describe the line."),
    ({"description": "No quantity", "quantity": "0", "unit_price": "10"}, "greater than or equal to 0.01"),
    ({"description": "Words", "quantity": "many", "unit_price": "10"}, "Enter a number."),
])
def test_bad_line_is_refused_beside_it_and_nothing_is_written(staff_client, line, message):
    response = staff_client.post(reverse("sales:opportunity_add"),
                                 new_opportunity_post(AccountFactory(), **lines_post(line)))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Opportunity.objects.exists() and not OpportunityLine.objects.exists()


@pytest.mark.parametrize("price, message", [
    ("", "This field is required."),
    ("abc", "Enter a number."),
    ("12,50", "Enter a number."),  # in English a comma is no decimal separator
    ("1e15", "Ensure that there are no more than 14 digits in total."),
])
def test_an_odd_unit_price_is_a_field_error_in_the_form_and_the_live_totals(staff_client, price, message):
    data = new_opportunity_post(AccountFactory(), **lines_post({"description": "Chairs", "quantity": "2",
                                                                "unit_price": price}))
    response = staff_client.post(reverse("sales:opportunity_add"), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Opportunity.objects.exists()
    totals = staff_client.post(reverse("sales:opportunity_totals"), data)
    assert totals.status_code == 200 and shown_line_totals(totals.content.decode()) == [""]


@pytest.mark.parametrize("language", ["fr", "nb", "pl", "id"])
def test_a_decimal_comma_is_read_where_the_language_writes_one(staff_client, staff, language):
    staff_client.post(reverse("crm:preferences"), {"language": language})
    data = new_opportunity_post(AccountFactory(), **lines_post({"description": "Chairs", "quantity": "2",
                                                                "unit_price": "12,50"}))
    totals = staff_client.post(reverse("sales:opportunity_totals"), data)
    assert "25,00" in shown_line_totals(totals.content.decode())[0]  # the currency where the language puts it
    assert staff_client.post(reverse("sales:opportunity_add"), data).status_code == 302
    line = OpportunityLine.objects.get()
    assert (line.unit_price, line.line_total) == (Decimal("12.50"), Decimal("25.00"))
    # The form shows it as a number input takes it, with a point.
    body = staff_client.get(reverse("sales:opportunity_edit", args=[line.opportunity_id])).content.decode()
    assert 'value="12.50"' in body


def test_a_line_total_too_large_to_store_is_refused_beside_the_price(staff_client):
    data = new_opportunity_post(AccountFactory(), **lines_post({"description": "Fleet", "quantity": "9999999999",
                                                                "unit_price": "999999999999"}))
    response = staff_client.post(reverse("sales:opportunity_add"), data)
    assert response.status_code == 200
    assert "The line total (quantity × unit price) is too large." in response.content.decode()
    assert not Opportunity.objects.exists()


def test_a_total_too_large_to_store_is_refused_and_nothing_is_written(staff_client):
    line = {"description": "Fleet", "quantity": "1", "unit_price": "999999999999"}
    response = staff_client.post(reverse("sales:opportunity_add"),
                                 new_opportunity_post(AccountFactory(), **lines_post(line, line)))
    assert response.status_code == 200
    assert "Ensure that there are no more than 14 digits in total." in response.content.decode()
    assert not Opportunity.objects.exists() and not OpportunityLine.objects.exists()


def test_a_probability_out_of_range_is_a_field_error(staff_client):
    opportunity = OpportunityFactory(account=AccountFactory(), total=Decimal("1000.00"))
    response = staff_client.post(reverse("sales:opportunity_edit", args=[opportunity.pk]), new_opportunity_post(
        opportunity.account, version=opportunity.version, probability=str(10**30)))
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 100." in response.content.decode()


def test_a_tampered_line_count_is_refused_without_building_empty_lines(staff_client):
    data = new_opportunity_post(AccountFactory(), **lines_post({"description": "Chairs", "quantity": "2",
                                                                "unit_price": "10"}))
    data["lines-TOTAL_FORMS"] = str(10**30)
    response = staff_client.post(reverse("sales:opportunity_add"), data)
    body = response.content.decode()
    assert response.status_code == 200 and "Please submit at most 500 forms." in body
    assert body.count('class="line-row') == 1  # the line sent, not 500 empty ones
    assert not Opportunity.objects.exists()


@pytest.mark.parametrize("query", ["stage=x", "stage=99999999999999999999", "stage=%00", "linked=account:x",
                                   "probability=1e309"])
def test_odd_values_in_the_new_form_link_are_left_out(staff_client, query):
    response = staff_client.get(f"{reverse('sales:opportunity_add')}?{query}")
    assert response.status_code == 200
    # The form opens as without them: in the default stage, with its checklist.
    assert re.search(rf'<option value="{stage().pk}" selected>Prospecting</option>', response.content.decode())


def test_a_link_fills_in_the_new_form(staff_client):
    won = stage("won")
    response = staff_client.get(f"{reverse('sales:opportunity_add')}?stage={won.pk}&title=From+a+link")
    body = response.content.decode()
    assert re.search(rf'<option value="{won.pk}" selected>', body) and 'value="From a link"' in body


def test_edit_removes_a_line_and_keeps_the_other(staff_client):
    account = AccountFactory()
    staff_client.post(reverse("sales:opportunity_add"), new_opportunity_post(account, **lines_post(
        {"description": "Keep", "quantity": "1", "unit_price": "100"},
        {"description": "Drop", "quantity": "1", "unit_price": "50"})))
    opportunity = Opportunity.objects.get()
    keep, drop = opportunity.lines.order_by("position")
    data = new_opportunity_post(account, version=opportunity.version, **lines_post(
        {"id": keep.pk, "description": "Keep", "quantity": "1", "unit_price": "100"},
        {"id": drop.pk, "description": "Drop", "quantity": "1", "unit_price": "50", "DELETE": "on"}, initial=2))
    assert staff_client.post(reverse("sales:opportunity_edit", args=[opportunity.pk]), data).status_code == 302
    opportunity.refresh_from_db()
    assert list(opportunity.lines.values_list("description", flat=True)) == ["Keep"]
    assert (opportunity.total, opportunity.expected_revenue) == (Decimal("100.00"), Decimal("50.00"))


def test_live_totals_use_the_save_arithmetic(staff_client):
    response = staff_client.post(reverse("sales:opportunity_totals"), {"probability": "33", **lines_post(
        {"description": "A", "quantity": "3", "unit_price": "33.33", "discount_percent": "0"},
        {"description": "B", "quantity": "1", "unit_price": "0.05", "discount_percent": "50"})})
    body = response.content.decode()
    # 99.99 + 0.03 = 100.02; 33 % = 33.0066 → 33.01
    assert shown_line_totals(body) == ["$99.99", "$0.03"]
    assert ">$100.02<" in body and ">$33.01<" in body


def test_the_form_page_shows_each_line_total_in_its_row(staff_client):
    """The rows are drawn with their totals (no request needed), and the live totals' answer
    carries the same ones for the same rows."""
    opportunity = full_opportunity()
    url = reverse("sales:opportunity_edit", args=[opportunity.pk])
    body = staff_client.get(url).content.decode()
    rows = re.findall(r'<span id="(lines-\d+)-total">([^<]*)</span>', body)
    stored = [f"${line.line_total:,.2f}" for line in opportunity.lines.order_by("position", "pk")]
    assert rows == [(f"lines-{index}", total) for index, total in enumerate(stored)]
    from crm.generic.testing import submitted_form

    form = submitted_form(body, class_="record-form")
    answer = staff_client.post(reverse("sales:opportunity_totals"), {**form, "object_pk": opportunity.pk})
    assert shown_line_totals(answer.content.decode()) == stored


def test_the_form_asks_htmx_for_its_live_parts(staff_client):
    opportunity = OpportunityFactory()
    body = staff_client.get(reverse("sales:opportunity_edit", args=[opportunity.pk])).content.decode()
    assert (f'hx-post="{reverse("sales:opportunity_totals")}"\n    hx-trigger="input delay:200ms from:#lines-editor, '
            'input delay:200ms from:#id_probability, change from:#id_stage"') in body
    assert f'hx-post="{reverse("sales:opportunity_checklist")}" hx-trigger="change from:#id_stage"' in body
    assert body.count(f"""hx-vals='{{"object_pk": "{opportunity.pk}"}}'""") == 2
    assert f'hx-get="{reverse("sales:opportunity_line_row")}"\n    hx-include="#id_lines-TOTAL_FORMS"' in body
    assert "data-url" not in body.split('id="lines-editor"')[1].split("</form>")[0]
    # A new opportunity is no stored one.
    assert "object_pk" not in staff_client.get(reverse("sales:opportunity_add")).content.decode()


def test_checklist_follows_the_chosen_stage(staff_client):
    body = staff_client.post(reverse("sales:opportunity_checklist"), {"stage": stage(name="Proposal").pk}).content.decode()
    assert "Send the proposal" in body and "Identify the decision makers" not in body


def test_ticking_activities_in_the_form(staff_client):
    opportunity = OpportunityFactory(stage=stage())
    first = stage().activities.first()
    data = new_opportunity_post(opportunity.account, version=opportunity.version, done_activities=[first.pk])
    staff_client.post(reverse("sales:opportunity_edit", args=[opportunity.pk]), data)
    assert list(opportunity.activities_done.values_list("activity", flat=True)) == [first.pk]


def test_owner_sees_edit_this_list_beside_type_and_payment_terms(client, owner, staff):
    client.force_login(owner)
    body = client.get(reverse("sales:opportunity_add")).content.decode()
    for kind in ("opportunity_type", "payment_terms", "source"):
        assert reverse("crm:list_edit", args=[kind]) in body
    client.force_login(staff)
    assert "Edit this list" not in client.get(reverse("sales:opportunity_add")).content.decode()


def test_type_and_payment_terms_lists_can_be_customized(owner_client):
    response = owner_client.get(reverse("crm:list_edit", args=["payment_terms"]))
    assert response.status_code == 200 and "Net 30" in response.content.decode()


# --- Closing, read-only, reopening ------------------------------------------------------

def test_closed_opportunity_is_read_only_in_the_pages(staff_client, staff):
    won = create_won_opportunity(title="Signed deal", assigned_to=staff)
    detail = staff_client.get(won.get_absolute_url()).content.decode()
    assert "is closed (Closed Won) and cannot be changed" in detail
    assert reverse("sales:opportunity_edit", args=[won.pk]) not in detail
    assert reverse("sales:opportunity_reopen", args=[won.pk]) in detail
    response = staff_client.get(reverse("sales:opportunity_edit", args=[won.pk]), follow=True)
    assert response.redirect_chain[-1][0] == won.get_absolute_url()
    assert "cannot be changed" in response.content.decode()
    response = staff_client.post(reverse("sales:opportunity_edit", args=[won.pk]),
                                 new_opportunity_post(won.account, title="Sneaky", version=won.version))
    assert "cannot be changed. Reopen it first." in response.content.decode()
    response = staff_client.post(reverse("sales:opportunity_bulk", args=["edit"]),
                                 {"pk": [won.pk], "field": "title", "value": "Sneaky", "_apply": "1"})
    assert "read-only (closed); nothing was changed" in response.content.decode()
    won.refresh_from_db()
    assert (won.title, won.version) == ("Signed deal", 1)


def test_mark_closed_for_several(staff_client):
    deals = OpportunityFactory.create_batch(2, probability=20)
    response = staff_client.post(reverse("sales:opportunity_bulk", args=["close"]), {
        "pk": [d.pk for d in deals], "stage": stage("lost").pk, "close_date": "2026-11-20", "_apply": "1"})
    assert response.status_code == 302
    assert set(Opportunity.objects.values_list("stage__kind", "probability", "close_date")) == {
        ("lost", 0, datetime.date(2026, 11, 20))}


def test_mark_closed_through_bulk_edit_of_the_stage(staff_client):
    deals = OpportunityFactory.create_batch(2, probability=20)
    response = staff_client.post(reverse("sales:opportunity_bulk", args=["edit"]), {
        "pk": [d.pk for d in deals], "field": "stage", "value": stage("won").pk, "_apply": "1"})
    assert response.status_code == 302
    assert set(Opportunity.objects.values_list("probability", "close_date")) == {(100, timezone.localdate())}


def test_reopen_page(staff, other_staff, client):
    won = create_won_opportunity(assigned_to=staff)
    client.force_login(other_staff)
    assert client.get(reverse("sales:opportunity_reopen", args=[won.pk])).status_code == 403
    client.force_login(staff)
    response = client.post(reverse("sales:opportunity_reopen", args=[won.pk]),
                           {"stage": stage(name="Negotiation").pk, "probability": "70"})
    assert response["Location"] == reverse("sales:opportunity_edit", args=[won.pk])
    won.refresh_from_db()
    assert (won.stage.name, won.probability) == ("Negotiation", 70)


def test_reopen_refuses_a_closed_stage_choice(staff_client, staff):
    won = create_won_opportunity(assigned_to=staff)
    response = staff_client.post(reverse("sales:opportunity_reopen", args=[won.pk]),
                                 {"stage": stage("lost").pk, "probability": "70"})
    assert "Select a valid choice." in response.content.decode()
    won.refresh_from_db()
    assert won.is_closed


# --- List ------------------------------------------------------------------------------

def test_list_columns_and_filters(staff_client):
    won = create_won_opportunity(title="Won one", total=Decimal("1000.00"), expected_revenue=Decimal("1000.00"))
    open_one = OpportunityFactory(title="Open one", account=None, contact=ContactFactory(full_name="Petra Buyer"),
                                  stage=stage(name="Proposal"))
    body = staff_client.get(reverse("sales:opportunity_list")).content.decode()
    assert "Closed Won" in body and "1,000.00" in body and "Petra Buyer" in body and str(won.account) in body
    assert "Open one" not in staff_client.get(reverse("sales:opportunity_list"), {"status": "won"}).content.decode()
    body = staff_client.get(reverse("sales:opportunity_list"), {"stage": stage(name="Proposal").pk}).content.decode()
    assert "Open one" in body and "Won one" not in body
    body = staff_client.get(reverse("sales:opportunity_list"), {"linked": "petra"}).content.decode()
    assert "Open one" in body and "Won one" not in body
    body = staff_client.get(reverse("sales:opportunity_list"), {"total_min": "500"}).content.decode()
    assert "Won one" in body and "Open one" not in body
    assert open_one.pk


def test_sort_by_expected_revenue(staff_client):
    for title, amount in [("Small", "10.00"), ("Large", "900.00"), ("Middle", "300.00")]:
        OpportunityFactory(title=title, expected_revenue=Decimal(amount))
    body = staff_client.get(reverse("sales:opportunity_list"), {"sort": "-expected_revenue"}).content.decode()
    assert body.index("Large") < body.index("Middle") < body.index("Small")


def test_export_csv(staff_client):
    OpportunityFactory(title="Exported deal", total=Decimal("12.50"))
    response = staff_client.get(reverse("sales:opportunity_export"))
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert content.splitlines()[0].startswith("ID,Opportunity Title,Account,Business Contact")
    assert "Exported deal" in content and "12.50" in content


def test_email_goes_to_the_linked_record(staff_client):
    opportunity = OpportunityFactory(account=AccountFactory(email="buyer@example.com"))
    response = staff_client.post(reverse("sales:opportunity_email", args=[opportunity.pk]))
    assert response["Location"].startswith("mailto:buyer@example.com")


def test_print_has_lines_and_totals(staff_client, staff):
    from sales.services import LineInput, opportunity_save

    opportunity = opportunity_save(instance=Opportunity(title="Printed", account=AccountFactory(), probability=50),
                                   user=staff, lines=[LineInput(None, "Consulting day", Decimal(3), Decimal("800"))])
    response = staff_client.get(reverse("sales:opportunity_print", args=[opportunity.pk]))
    assert response.content.startswith(b"%PDF")


# --- Customize: stages, activities, catalogue ----------------------------------------------

def test_staff_cannot_customize_stages_or_the_catalogue(staff_client):
    assert staff_client.get(reverse("sales:stages")).status_code == 403
    assert staff_client.post(reverse("sales:stages"), {"list": "stage", "op": "add", "name": "Hacked"}).status_code == 403
    assert staff_client.get(reverse("sales:stage_delete", args=[stage().pk])).status_code == 403
    assert staff_client.get(reverse("sales:product_add")).status_code == 403
    assert staff_client.get(reverse("sales:products")).status_code == 200
    assert not SalesStage.objects.filter(name="Hacked").exists()


def test_owner_edits_stages_and_activities(owner_client):
    url = reverse("sales:stages")
    owner_client.post(url, {"list": "stage", "op": "add", "name": "Demo"})
    demo = SalesStage.objects.get(name="Demo")
    owner_client.post(url, {"list": "stage", "op": "up", "pk": demo.pk})
    owner_client.post(url, {"list": "stage", "op": "default", "pk": demo.pk})
    owner_client.post(url, {"list": "activity", "op": "add", "parent": demo.pk, "name": "Book the demo",
                            "duration_days": "3"})
    owner_client.post(url, {"op": "settings", "activity_reminders": "on"})
    demo.refresh_from_db()
    assert demo.is_default and demo.position < stage(name="Negotiation").position
    assert list(demo.activities.values_list("name", "duration_days")) == [("Book the demo", 3)]
    body = owner_client.get(url).content.decode()
    assert "Book the demo" in body and 'id="activity-reminders" checked' in body


def test_stage_page_errors_are_shown(owner_client):
    response = owner_client.post(reverse("sales:stages"), {"list": "stage", "op": "add", "name": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    response = owner_client.post(reverse("sales:stages"), {"list": "stage", "op": "add", "name": "Proposal"}, follow=True)
    assert "There is already a stage called “Proposal”." in response.content.decode()
    response = owner_client.post(reverse("sales:stages"), {"list": "activity", "op": "add", "parent": stage().pk,
                                                           "name": "X", "duration_days": "-2"})
    assert response.status_code == 400 and "greater than or equal to 0" in response.content.decode()
    assert SalesStage.objects.filter(name__iexact="proposal").count() == 1


def test_built_in_stage_cannot_be_deleted_from_the_page(owner_client):
    response = owner_client.get(reverse("sales:stage_delete", args=[stage("won").pk]), follow=True)
    assert "is built in and cannot be changed or deleted" in response.content.decode()
    response = owner_client.post(reverse("sales:stages"), {"list": "stage", "op": "edit", "pk": stage("lost").pk,
                                                           "name": "Lost it"}, follow=True)
    assert "is built in" in response.content.decode()
    assert stage("lost").name == "Closed Lost"


def test_delete_stage_page_with_replacement_and_activities(owner_client):
    proposal, negotiation = stage(name="Proposal"), stage(name="Negotiation")
    OpportunityFactory.create_batch(2, stage=proposal)
    page = owner_client.get(reverse("sales:stage_delete", args=[proposal.pk])).content.decode()
    assert "2 opportunities are in this stage." in page
    response = owner_client.post(reverse("sales:stage_delete", args=[proposal.pk]),
                                 {"replacement": negotiation.pk, "move_activities": "on"}, follow=True)
    assert "2 opportunities were moved." in response.content.decode()
    assert Opportunity.objects.filter(stage=negotiation).count() == 2
    assert negotiation.activities.count() == 3


def test_moving_activities_needs_a_replacement(owner_client):
    proposal = stage(name="Proposal")
    response = owner_client.post(reverse("sales:stage_delete", args=[proposal.pk]), {"move_activities": "on"})
    assert "Choose a replacement stage to move the activities to." in response.content.decode()
    assert SalesStage.objects.filter(pk=proposal.pk).exists()


def test_catalogue(owner_client):
    response = owner_client.post(reverse("sales:product_add"), {"name": "Support plan", "unit_price": "-5", "active": "on"})
    assert "greater than or equal to 0" in response.content.decode() and not Product.objects.exists()
    owner_client.post(reverse("sales:product_add"), {"name": "Support plan", "unit_price": "120.00", "active": "on"})
    product = Product.objects.get()
    OpportunityLine.objects.create(opportunity=OpportunityFactory(), product=product, unit_price=product.unit_price)
    response = owner_client.post(reverse("sales:product_edit", args=[product.pk]), {"_delete": "1"}, follow=True)
    assert "is used on opportunities; make it inactive instead" in response.content.decode()
    assert Product.objects.exists()


def test_admin_shows_a_closed_opportunity_read_only(owner_client):
    won = create_won_opportunity(title="Admin won")
    url = reverse("admin:sales_opportunity_change", args=[won.pk])
    assert owner_client.get(url).status_code == 200
    owner_client.post(url, {"title": "Changed in admin", "account": won.account_id, "probability": "100"})
    won.refresh_from_db()
    assert won.title == "Admin won"


def test_admin_refuses_to_delete_built_in_stages(owner_client):
    response = owner_client.post(reverse("admin:sales_salesstage_delete", args=[stage("won").pk]), {"post": "yes"})
    assert response.status_code == 403
    assert SalesStage.objects.filter(kind="won").exists()


def test_account_and_contact_pages_list_their_opportunities(staff_client):
    account, contact = AccountFactory(), ContactFactory()
    OpportunityFactory(title="Account deal", account=account)
    OpportunityFactory(title="Contact deal", account=None, contact=contact)
    body = staff_client.get(account.get_absolute_url()).content.decode()
    assert "Account deal" in body and "Contact deal" not in body
    assert f"{reverse('sales:opportunity_add')}?linked=account:{account.pk}" in body
    body = staff_client.get(contact.get_absolute_url()).content.decode()
    assert "Contact deal" in body and "Account deal" not in body
    form = staff_client.get(reverse("sales:opportunity_add"), {"linked": f"contact:{contact.pk}"}).content.decode()
    assert f'value="contact:{contact.pk}"' in form and contact.full_name in form


def test_activity_reminders_show_on_the_form_when_the_owner_turns_them_on(staff_client):
    from sales.models import SalesSettings

    opportunity = OpportunityFactory(stage=stage())
    url = reverse("sales:opportunity_edit", args=[opportunity.pk])

    def checklist_bells() -> int:
        body = staff_client.get(url).content.decode()
        return body[body.index('id="activity-checklist"'):].count("bi-bell")   # not the navigation bar's Reminders

    assert checklist_bells() == 0
    SalesSettings.objects.update_or_create(pk=1, defaults={"activity_reminders": True})
    assert checklist_bells() == 2  # both Prospecting activities have a duration and are not done


def test_add_line_row_has_the_next_index(staff_client):
    body = staff_client.get(reverse("sales:opportunity_line_row"), {"lines-TOTAL_FORMS": "3"}).content.decode()
    assert 'name="lines-3-product"' in body and 'name="lines-3-quantity"' in body and "__prefix__" not in body
    assert 'name="lines-TOTAL_FORMS" id="id_lines-TOTAL_FORMS" value="4"' in body


def test_an_added_row_takes_focus_and_its_count_replaces_the_forms(staff_client):
    body = staff_client.get(reverse("sales:opportunity_line_row"), {"lines-TOTAL_FORMS": "0"}).content.decode()
    assert re.search(r'<select name="lines-0-product"[^>]* autofocus', body)
    assert 'id="id_lines-TOTAL_FORMS" value="1" hx-swap-oob="true"' in body


def test_closed_opportunity_page_offers_no_write_actions(staff_client):
    won = create_won_opportunity()
    body = staff_client.get(won.get_absolute_url()).content.decode()
    for action in ("assign", "categorize"):
        assert reverse("sales:opportunity_bulk", args=[action]) not in body
    assert reverse("sales:opportunity_delete", args=[won.pk]) not in body
    assert reverse("sales:opportunity_print", args=[won.pk]) in body


def test_a_line_removed_meanwhile_is_explained_beside_it(staff_client):
    opportunity = OpportunityFactory()
    data = new_opportunity_post(opportunity.account, version=opportunity.version, **lines_post(
        {"id": "999999", "description": "Gone", "quantity": "1", "unit_price": "5"}, initial=1))
    response = staff_client.post(reverse("sales:opportunity_edit", args=[opportunity.pk]), data)
    assert "This line was removed by someone else" in response.content.decode()
    assert not OpportunityLine.objects.exists()


def test_account_page_queries_do_not_grow_with_its_opportunities(staff_client, django_assert_max_num_queries):
    account = AccountFactory()
    OpportunityFactory.create_batch(2, account=account, stage=stage())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        staff_client.get(account.get_absolute_url())
    OpportunityFactory.create_batch(8, account=account, stage=stage(name="Proposal"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = staff_client.get(account.get_absolute_url()).content.decode()
    assert body.count("· Proposal ·") == 8


def test_mark_closed_refuses_an_open_stage(staff_client):
    deal = OpportunityFactory(probability=20)
    response = staff_client.post(reverse("sales:opportunity_bulk", args=["close"]),
                                 {"pk": [deal.pk], "stage": stage().pk, "_apply": "1"})
    assert "Select a valid choice." in response.content.decode()
    deal.refresh_from_db()
    assert (deal.stage, deal.probability) == (None, 20)


def test_reopen_refuses_a_probability_over_100(staff_client, staff):
    won = create_won_opportunity(assigned_to=staff)
    response = staff_client.post(reverse("sales:opportunity_reopen", args=[won.pk]),
                                 {"stage": stage().pk, "probability": "150"})
    assert "Ensure this value is less than or equal to 100." in response.content.decode()
    won.refresh_from_db()
    assert won.is_closed


def test_catalogue_refuses_a_duplicate_name(owner_client):
    ProductFactory(name="Support plan")
    response = owner_client.post(reverse("sales:product_add"), {"name": "Support plan", "unit_price": "10"})
    assert "already exists" in response.content.decode()
    assert Product.objects.count() == 1


def test_a_change_of_the_lines_only_is_a_new_version_so_a_stale_form_is_refused(client, staff, other_staff):
    """Bob changes only the products and services; Alice's form, loaded before, is refused."""
    from crm.generic.testing import submitted_form
    from crm.models import ChangeLogEntry
    from sales import services

    opportunity = full_opportunity()
    client.force_login(staff)
    form = submitted_form(client.get(reverse("sales:opportunity_edit", args=[opportunity.pk])).content.decode(),
                          class_="record-form")
    services.opportunity_save(instance=Opportunity.objects.get(pk=opportunity.pk), user=other_staff, lines=[
        services.LineInput(product=None, description="Only line", quantity=Decimal(1), unit_price=Decimal("5.00"))])
    opportunity.refresh_from_db()
    assert opportunity.version == 2 and opportunity.total == Decimal("5.00")
    entry = ChangeLogEntry.objects.filter(object_id=opportunity.pk, action="update").get()
    assert entry.changes["lines"]["new"] == "Only line × 1" and entry.version == 2
    response = client.post(reverse("sales:opportunity_edit", args=[opportunity.pk]), {**form, "_save_close": [""]})
    assert response.status_code == 200
    assert "Bob Nowak changed this record while you were editing it" in response.content.decode()
    assert list(opportunity.lines.values_list("description", flat=True)) == ["Only line"]
    # Her lines are still on the form, each saying it was removed meanwhile.
    assert response.content.decode().count("This line was removed by someone else") == 2


@pytest.mark.parametrize("query, message", [
    ({"contact": "-1e309"}, "Enter a whole number."),
    ({"account": "99999999999999999999999"}, "Ensure this value is less than or equal to 9223372036854775807."),
    ({"total_min": "1e309"}, "Ensure that there are no more than 14 digits in total."),
    ({"linked": "x" * 1_000_000}, "Ensure this value has at most 200 characters"),
])
def test_odd_opportunity_filters_are_field_errors(staff_client, query, message):
    OpportunityFactory(title="Fleet", account=AccountFactory())
    response = staff_client.get(reverse("sales:opportunity_list"), query)
    body = response.content.decode()
    assert response.status_code == 200 and message in body and ">Fleet<" not in body


@pytest.mark.parametrize("key", ["abc", "²", "99999999999999999999"])
def test_odd_ids_on_the_stages_page_and_the_live_parts_are_not_found(owner_client, key):
    assert owner_client.post(reverse("sales:stages"), {"list": "stage", "op": "up", "pk": key}).status_code == 404
    assert owner_client.post(reverse("sales:stages"), {"list": "activity", "op": "up", "pk": key}).status_code == 404
    assert owner_client.post(reverse("sales:opportunity_totals"), {"object_pk": key}).status_code == 404


def test_an_odd_line_index_starts_at_the_first_row(staff_client):
    for index in ("²", "99999999999999999999", "-1"):
        body = staff_client.get(reverse("sales:opportunity_line_row"), {"lines-TOTAL_FORMS": index}).content.decode()
        assert 'name="lines-0-description"' in body, index
