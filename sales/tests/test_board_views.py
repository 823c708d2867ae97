"""Sales ▸ Opportunities ▸ Board: columns per open stage with figures over
the whole filter, the first cards and "Show more", the filters, moving a
card (htmx and without JavaScript) and every odd request to the move; the
owner's default probabilities on the Customize page and in the admin."""
import datetime
import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import ChangeLogEntry
from crm.tests.admin_forms import page_data
from crm.tests.factories import AccountFactory, ContactFactory
from sales import pricing, services
from sales.models import Opportunity, SalesStage
from sales.selectors import BOARD_PAGE_SIZE
from sales.tests.factories import OpportunityFactory, StageFactory, create_won_opportunity, stage

pytestmark = pytest.mark.django_db
BOARD = "/opportunities/board/"
MOVE = "/opportunities/board/move/"
HTMX = {"HX-Request": "true"}


def deal(stage_name: str | None = "Proposal", total="1000.00", probability=50, **fields) -> Opportunity:
    """An open opportunity as the services store it (total and expected revenue consistent)."""
    total = Decimal(total)
    return OpportunityFactory(stage=stage(name=stage_name) if stage_name else None, total=total,
                              probability=probability, expected_revenue=pricing.expected_revenue(total, probability),
                              stage_entered_on=timezone.localdate() if stage_name else None, **fields)


def column_keys(response) -> list[str]:
    return [column.key for column in response.context["columns"]]


def header(body: str, key: str) -> str:
    """The text of a column's header (count and expected revenue), as the page shows it."""
    match = re.search(rf'<header class="board-column-head" id="board-head-{key}"[^>]*>(.*?)</header>', body, re.S)
    assert match, f"no header for column {key}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def card_ids(body: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<article class="card board-card" id="board-card-(\d+)"', body)]


def money(value) -> str:
    """An amount as an English page with the default currency shows it, written out independently."""
    return f"${value:,.2f}"


# --- The page ---------------------------------------------------------------------------------

def test_the_list_and_the_board_link_to_each_other(staff_client):
    body = staff_client.get("/opportunities/").content.decode()
    assert f'href="{BOARD}"' in body and "Board" in body
    response = staff_client.get(BOARD)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'href="/opportunities/"' in body and 'aria-current="page"' in body
    assert "<title>Pipeline board" in body


def test_a_column_per_open_stage_in_order_and_no_stage_only_when_needed(staff_client):
    StageFactory(name="Demo", position=5)   # after the shipped open stages (1–4)
    deal("Proposal")
    create_won_opportunity(title="Won deal")
    response = staff_client.get(BOARD)
    stages = list(SalesStage.objects.filter(kind="open").order_by("position", "id"))
    assert column_keys(response) == [str(s.pk) for s in stages]
    assert [column.label for column in response.context["columns"]] == [
        "Prospecting", "Qualification", "Proposal", "Negotiation", "Demo"]
    assert "Won deal" not in response.content.decode()     # a closed opportunity is not on the board

    deal(None, title="Stageless deal")
    response = staff_client.get(BOARD)
    assert column_keys(response)[-1] == "none"
    assert "No stage" in header(response.content.decode(), "none")
    assert "Stageless deal" in response.content.decode()


def test_headers_show_count_and_expected_revenue_of_every_opportunity_in_the_stage(staff_client):
    made = {}
    for name, totals in [("Proposal", ["1000.00", "2500.50", "99.99"]), ("Negotiation", ["12000.00"]),
                         ("Prospecting", [])]:
        made[name] = [deal(name, total=t, probability=p) for t, p in zip(totals, [50, 35, 80])]
    # More than one page of cards: the header still counts them all.
    made["Qualification"] = [deal("Qualification", total="10.00", probability=20) for _ in range(BOARD_PAGE_SIZE + 7)]
    create_won_opportunity(title="Won", total=Decimal("5000.00"), expected_revenue=Decimal("5000.00"))
    body = staff_client.get(BOARD).content.decode()
    for name, deals in made.items():
        count, revenue = len(deals), sum((o.expected_revenue for o in deals), Decimal("0.00"))
        noun = "opportunity" if count == 1 else "opportunities"
        assert header(body, stage(name=name).pk) == f"{name} {count} {noun} Expected revenue {money(revenue)}"
    # Worked out by hand: 500.00 + 875.18 (2,500.50 × 35 %) + 79.99 (99.99 × 80 %).
    assert header(body, stage(name="Proposal").pk) == "Proposal 3 opportunities Expected revenue $1,455.17"


def test_a_card_shows_title_link_total_close_date_and_assignee(staff_client, staff):
    account = AccountFactory(name="Fjord Freight AS")
    opportunity = deal("Proposal", title="Fleet renewal", account=account, total="4362.33",
                       close_date=datetime.date(2027, 3, 31), assigned_to=staff)
    contact_deal = deal("Proposal", title="Support contract", account=None,
                        contact=ContactFactory(full_name="Petra Buyer"))
    body = staff_client.get(BOARD).content.decode()
    card = re.search(rf'id="board-card-{opportunity.pk}".*?</article>', body, re.S).group(0)
    assert f'<a href="/opportunities/{opportunity.pk}/">Fleet renewal</a>' in card
    assert f'href="/accounts/{account.pk}/">Fjord Freight AS</a>' in card
    assert "4,362.33" in card and "03/31/2027" in card and "Alice Martin" in card
    assert f'name="version" value="{opportunity.version}"' in card
    # Its Move to stage menu offers the other open stages, not its own.
    offered = re.findall(r'<button type="submit" class="dropdown-item" name="stage" value="\d+">([^<]+)</button>', card)
    assert offered == ["Prospecting", "Qualification", "Negotiation"]
    other = re.search(rf'id="board-card-{contact_deal.pk}".*?</article>', body, re.S).group(0)
    assert f'href="/contacts/{contact_deal.contact.pk}/">Petra Buyer</a>' in other


def test_a_card_escapes_what_users_typed(staff_client, staff):
    staff.first_name = "<i>Alice</i>"
    staff.save()
    account = AccountFactory(name='Fjord & "Sons" <AS>')
    opportunity = deal("Proposal", title="<script>alert(1)</script> & more", account=account, assigned_to=staff)
    body = staff_client.get(BOARD).content.decode()
    card = re.search(rf'id="board-card-{opportunity.pk}".*?</article>', body, re.S).group(0)
    assert "<script>" not in card and "<i>" not in card and "<AS>" not in card
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in card
    assert "Fjord &amp; &quot;Sons&quot; &lt;AS&gt;" in card and "&lt;i&gt;Alice&lt;/i&gt; Martin" in card


# --- Filters -----------------------------------------------------------------------------------

def test_filters_mine_a_colleague_and_a_close_date_range(staff_client, staff, other_staff):
    june, july = datetime.date(2027, 6, 15), datetime.date(2027, 7, 15)
    mine = deal("Proposal", total="100.00", assigned_to=staff, close_date=june, title="Mine in June")
    deal("Proposal", total="200.00", assigned_to=other_staff, close_date=june, title="Bob's in June")
    deal("Proposal", total="400.00", assigned_to=staff, close_date=july, title="Mine in July")
    proposal = stage(name="Proposal").pk

    body = staff_client.get(BOARD, {"assigned_to": "mine"}).content.decode()
    assert header(body, proposal) == "Proposal 2 opportunities Expected revenue $250.00"
    assert "Bob's in June" not in body

    body = staff_client.get(BOARD, {"assigned_to": other_staff.pk}).content.decode()
    assert header(body, proposal) == "Proposal 1 opportunity Expected revenue $100.00"

    response = staff_client.get(BOARD, {"assigned_to": "mine", "close_after": "2027-06-01", "close_before": "2027-06-30"})
    body = response.content.decode()
    assert card_ids(body) == [mine.pk]
    assert header(body, proposal) == "Proposal 1 opportunity Expected revenue $50.00"
    # The List link keeps the filter (Mine as the user), and the cards' moves carry it.
    assert f'href="/opportunities/?assigned_to={staff.pk}&amp;close_after=2027-06-01&amp;close_before=2027-06-30"' in body
    assert '<input type="hidden" name="assigned_to" value="mine">' in body


def test_odd_filter_values_show_an_error_not_a_server_error(staff_client):
    deal("Proposal")
    response = staff_client.get(BOARD, {"assigned_to": "99999999999999999999", "close_after": "yesterday"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Select a valid choice." in body and "Enter a valid date." in body
    assert card_ids(body) == []


# --- Show more -------------------------------------------------------------------------------

def test_show_more_loads_the_next_cards_of_one_column_in_order(staff_client):
    proposal = stage(name="Proposal")
    today = timezone.localdate()
    deals = [deal("Proposal", close_date=today + datetime.timedelta(days=i % 40) if i % 9 else None)
             for i in range(2 * BOARD_PAGE_SIZE + 13)]
    deal("Negotiation")
    expected = [o.pk for o in sorted(deals, key=lambda o: (o.close_date is None, o.close_date or today, o.pk))]

    response = staff_client.get(BOARD)
    column = next(c for c in response.context["columns"] if c.stage == proposal)
    assert [card.pk for card in column.cards] == expected[:BOARD_PAGE_SIZE] and column.more
    seen, url = [card.pk for card in column.cards], column.more_url
    pages = 0
    while url:
        more = staff_client.get(url, headers=HTMX)
        assert more.status_code == 200 and b"<html" not in more.content
        seen += card_ids(more.content.decode())
        url = more.context["more_url"]
        pages += 1
    assert seen == expected and pages == 2
    assert b"Show more" not in more.content   # the last page has no button


def test_show_more_keeps_the_filter_and_survives_odd_keys(staff_client, staff):
    for _ in range(BOARD_PAGE_SIZE + 2):
        deal("Proposal", assigned_to=staff)
    other = deal("Proposal")
    response = staff_client.get(BOARD, {"assigned_to": "mine"})
    column = next(c for c in response.context["columns"] if c.stage == stage(name="Proposal"))
    assert "assigned_to=mine" in column.more_url
    body = staff_client.get(column.more_url, headers=HTMX).content.decode()
    assert len(card_ids(body)) == 2 and other.pk not in card_ids(body)
    for query in ["column=x&after=_1", "column=99999999999999999999", "column=1&after=2027-13-45_1",
                  "column=none&after=_abc", f"column={stage('won').pk}"]:
        assert staff_client.get(f"{BOARD}?{query}", headers=HTMX).status_code == 200


# --- Query counts ------------------------------------------------------------------------------

@pytest.mark.parametrize("query", [{}, {"assigned_to": "mine", "close_after": "2020-01-01"}])
def test_the_board_query_count_does_not_grow_with_opportunities(staff_client, staff, django_assert_max_num_queries,
                                                                query):
    names = ["Prospecting", "Qualification", "Proposal", "Negotiation", None]
    for i in range(10):
        deal(names[i % 5], assigned_to=staff, close_date=datetime.date(2030, 1, 1))
    with django_assert_max_num_queries(10) as few:
        assert staff_client.get(BOARD, query).status_code == 200
    for i in range(190):
        deal(names[i % 5], assigned_to=staff, close_date=datetime.date(2030, 1, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = staff_client.get(BOARD, query)
    assert len(card_ids(response.content.decode())) == 200 if not query else True


def test_show_more_and_move_query_counts_are_small(staff_client, django_assert_max_num_queries):
    deals = [deal("Proposal") for _ in range(2 * BOARD_PAGE_SIZE + 30)]
    column = next(c for c in staff_client.get(BOARD).context["columns"] if c.stage == stage(name="Proposal"))
    with django_assert_max_num_queries(4):    # session, user, stages, cards
        staff_client.get(column.more_url, headers=HTMX)
    negotiation = stage(name="Negotiation").pk
    # The form's save (opportunity_save: the row locked, its snapshot, the change log …), then the card and the headers.
    for opportunity in deals[:2]:
        with django_assert_max_num_queries(27):
            staff_client.post(MOVE, {"opportunity": opportunity.pk, "stage": negotiation, "version": 1,
                                     "column": str(opportunity.stage_id)}, headers=HTMX)


# --- Moving a card ---------------------------------------------------------------------------

def post_move(client, opportunity, stage_name, version=None, headers=HTMX, **extra):
    data = {"opportunity": opportunity.pk, "stage": stage(name=stage_name).pk,
            "version": opportunity.version if version is None else version,
            "column": str(opportunity.stage_id or "none"), **extra}
    return client.post(MOVE, data, headers=headers)


def test_a_move_answers_with_the_card_in_its_new_column_and_every_header(staff_client, staff):
    moved = deal("Proposal", total="1000.00", probability=50, title="Fleet renewal")
    deal("Proposal", total="300.00", probability=50)
    proposal, negotiation = stage(name="Proposal"), stage(name="Negotiation")
    keys = [str(s.pk) for s in SalesStage.objects.filter(kind="open")]
    response = post_move(staff_client, moved, "Negotiation", columns=keys)
    assert response.status_code == 200
    body = response.content.decode()
    # The card goes to the top of Negotiation (out of band), with its new version; nothing replaces it where it was.
    assert f'<div hx-swap-oob="afterbegin:#board-cards-{negotiation.pk}">' in body
    assert 'name="version" value="2"' in body and "data-focus" in body
    assert body.index('hx-swap-oob="afterbegin') < body.index("board-card-")
    # Every column's header, out of band, with the figures after the move.
    assert header(body, proposal.pk) == "Proposal 1 opportunity Expected revenue $150.00"
    assert header(body, negotiation.pk) == "Negotiation 1 opportunity Expected revenue $800.00"
    assert body.count('hx-swap-oob="true"') == len(keys)
    assert "“Fleet renewal” moved to Negotiation (probability 80 %)." in body and 'role="status"' in body
    moved.refresh_from_db()
    assert (moved.stage, moved.probability, moved.expected_revenue, moved.version) == (
        negotiation, 80, Decimal("800.00"), 2)
    assert ChangeLogEntry.objects.filter(object_id=moved.pk, action="update", user=staff).count() == 1


def test_the_headers_of_a_move_follow_the_board_filter_and_the_columns_shown(staff_client, staff, other_staff):
    moved = deal("Proposal", total="1000.00", assigned_to=staff)
    deal("Negotiation", total="5000.00", probability=80, assigned_to=other_staff)
    deal(None, total="10.00", assigned_to=other_staff)
    negotiation = stage(name="Negotiation")
    response = post_move(staff_client, moved, "Negotiation", assigned_to="mine",
                         columns=[str(negotiation.pk), "none"])
    body = response.content.decode()
    assert header(body, negotiation.pk) == "Negotiation 1 opportunity Expected revenue $800.00"
    assert header(body, "none") == "No stage 0 opportunities Expected revenue $0.00"
    assert f'id="board-head-{stage(name="Proposal").pk}"' not in body   # not on that page


def test_without_javascript_a_move_shows_the_board_again_with_the_message(staff_client):
    moved = deal("Proposal", title="Fleet renewal")
    response = post_move(staff_client, moved, "Negotiation", headers={}, assigned_to="mine")
    assert response.status_code == 302 and response["Location"] == f"{BOARD}?assigned_to=mine"
    page = staff_client.get(response["Location"])
    assert "“Fleet renewal” moved to Negotiation (probability 80 %)." in page.content.decode()
    moved.refresh_from_db()
    assert moved.stage.name == "Negotiation"


def test_a_stale_card_is_not_moved_and_says_what_changed(staff_client, other_staff):
    shown = deal("Proposal", probability=50, title="Fleet renewal")
    current = Opportunity.objects.get(pk=shown.pk)
    current.probability = 60
    services.opportunity_save(instance=current, user=other_staff, expected_version=1)
    response = post_move(staff_client, shown, "Negotiation", version=1)
    body = html.unescape(response.content.decode())
    assert ("Bob Nowak changed “Fleet renewal” after the board was shown, so it was not moved "
            "(Probability (%): 50 → 60; Expected revenue: 500.00 → 600.00). Its card now shows it as it is.") in body
    assert 'role="alert"' in body
    # The card goes back where it was (the answer replaces it in place), with the new version.
    assert body.lstrip().startswith(f'<article class="card board-card" id="board-card-{shown.pk}"')
    assert 'name="version" value="2"' in body
    current.refresh_from_db()
    assert (current.stage.name, current.probability, current.version) == ("Proposal", 60, 2)


def test_a_card_closed_meanwhile_is_refused_and_leaves_the_board(staff_client, other_staff):
    shown = deal("Proposal", title="Fleet renewal")
    services.opportunities_close(queryset=Opportunity.objects.filter(pk=shown.pk), user=other_staff, stage=stage("won"))
    body = post_move(staff_client, shown, "Negotiation", version=1).content.decode()
    assert "“Fleet renewal” is closed (Closed Won) and cannot be changed. Reopen it first." in body
    assert 'role="alert"' in body and "board-card-" not in body   # its card is taken off the board
    shown.refresh_from_db()
    assert (shown.stage.kind, shown.version) == ("won", 2)


@pytest.mark.parametrize("data, message", [
    ({"opportunity": "999999"}, "This opportunity no longer exists: someone deleted it."),
    ({"opportunity": "99999999999999999999"}, "This opportunity no longer exists: someone deleted it."),
    ({"opportunity": "x"}, "This opportunity no longer exists: someone deleted it."),
    ({"stage": "999999"}, "That sales stage no longer exists or is not open: choose one of the board's stages."),
    ({"stage": "abc"}, "That sales stage no longer exists or is not open: choose one of the board's stages."),
    ({"stage": "won"}, "That sales stage no longer exists or is not open: choose one of the board's stages."),
    ({"version": ""}, "The board is out of date: reload the page and move the card again."),
])
def test_odd_moves_get_a_clear_message_and_write_nothing(staff_client, data, message):
    shown = deal("Proposal")
    posted = {"opportunity": shown.pk, "stage": stage(name="Negotiation").pk, "version": 1, "column": "x", **data}
    if posted["stage"] == "won":
        posted["stage"] = stage("won").pk
    for headers in (HTMX, {}):
        response = staff_client.post(MOVE, posted, headers=headers, follow=True)
        assert response.status_code == 200
        assert message in html.unescape(response.content.decode())
    shown.refresh_from_db()
    assert (shown.stage.name, shown.version) == ("Proposal", 1)


def test_get_on_the_move_address_is_not_allowed(staff_client):
    assert staff_client.get(MOVE).status_code == 405


def test_the_board_needs_a_signed_in_user(client):
    response = client.get(BOARD)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.post(MOVE, {}).status_code == 302


# --- The owner's default probabilities -------------------------------------------------------

def test_the_owner_sets_a_stage_default_probability_on_the_customize_page(owner_client):
    proposal = stage(name="Proposal")
    url = reverse("sales:stages")
    page = owner_client.get(url).content.decode()
    assert f'id="stage-edit-{proposal.pk}-probability"' in page and "Default probability (%)" in page
    response = owner_client.post(url, {"list": "stage", "op": "edit", "pk": proposal.pk, "name": "Proposal",
                                       "probability": "150"})
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 100." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.probability == 50
    response = owner_client.post(url, {"list": "stage", "op": "edit", "pk": proposal.pk, "name": "Proposal",
                                       "probability": "-5"})
    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 0." in response.content.decode()
    owner_client.post(url, {"list": "stage", "op": "edit", "pk": proposal.pk, "name": "Offer", "probability": "45"})
    proposal.refresh_from_db()
    assert (proposal.name, proposal.probability) == ("Offer", 45)
    owner_client.post(url, {"list": "stage", "op": "edit", "pk": proposal.pk, "name": "Offer", "probability": ""})
    proposal.refresh_from_db()
    assert proposal.probability is None
    owner_client.post(url, {"list": "stage", "op": "add", "name": "Demo", "probability": "60"})
    assert SalesStage.objects.get(name="Demo").probability == 60


def test_the_admin_edits_a_stage_default_probability(admin_client):
    proposal = stage(name="Proposal")
    url = reverse("admin:sales_salesstage_change", args=[proposal.pk])
    response = admin_client.post(url, {**page_data(admin_client.get(url)), "probability": "101"})
    assert response.status_code == 200 and "Ensure this value is less than or equal to 100." in response.content.decode()
    response = admin_client.post(url, {**page_data(admin_client.get(url)), "probability": "55"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.probability == 55
    won = reverse("admin:sales_salesstage_change", args=[stage("won").pk])
    admin_client.post(won, {**page_data(admin_client.get(won)), "probability": "90"})
    assert stage("won").probability is None     # read-only on the built-in stages


def test_a_header_sum_is_exact_to_the_cent(staff_client):
    # SQLite sums decimals as floats: 80 × 54,321.07 comes back as 4345685.599999995, which
    # Django reads as 4345685.59999999, and the page would show 4,345,685.59 unless it is rounded.
    for _ in range(80):
        deal("Qualification", total="108642.14", probability=50)
    body = staff_client.get(BOARD).content.decode()
    assert header(body, stage(name="Qualification").pk) == (
        "Qualification 80 opportunities Expected revenue $4,345,685.60")


def test_the_forms_live_totals_show_the_probability_the_save_will_use(staff_client):
    opportunity = deal("Proposal", total="1000.00", probability=50)
    url = reverse("sales:opportunity_totals")
    negotiation = stage(name="Negotiation").pk
    # The stage changes, the probability is left as loaded: the stage's 80 %.
    body = staff_client.post(url, {"object_pk": opportunity.pk, "stage": negotiation, "probability": "50"}).content.decode()
    assert "Expected revenue (80 %)" in body
    # Typed in the same change: the user's value.
    body = staff_client.post(url, {"object_pk": opportunity.pk, "stage": negotiation, "probability": "35"}).content.decode()
    assert "Expected revenue (35 %)" in body
    # The stage as loaded: the probability as typed.
    body = staff_client.post(url, {"object_pk": opportunity.pk, "stage": opportunity.stage_id,
                                   "probability": "50"}).content.decode()
    assert "Expected revenue (50 %)" in body
