"""Browser tests of Sales ▸ Opportunities ▸ Board: Alice opens the board from
the list, drags a card onto Negotiation (HTML5 drag and drop) and sees it
there with the columns' figures changed; the record then shows the new stage
and the stage's probability. The same move by keyboard through the card's
"Move to stage" menu, and a card someone changed meanwhile, which stays.

Each test drives Chromium at 1280 px through the pages as a user would: by
visible labels, roles and button names, against pytest-django's live server.
"""
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from crm.tests.factories import AccountFactory
from e2e.conftest import shoot
from sales import services
from sales.models import Opportunity, SalesStage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The open stages as sales/migrations/0002 and 0009 ship them, with their default probabilities.
STAGES = [("Prospecting", 10), ("Qualification", 20), ("Proposal", 50), ("Negotiation", 80)]


@pytest.fixture
def board_stages(db):
    """The shipped stages with their probabilities (a transactional test flushes
    the data migrations' rows, so they are put back)."""
    for position, (name, probability) in enumerate(STAGES, start=1):
        SalesStage.objects.update_or_create(name=name, defaults={"position": position, "probability": probability,
                                                                 "is_default": position == 1})
    SalesStage.objects.get_or_create(kind=SalesStage.Kind.WON, defaults={"name": "Closed Won", "position": 1000})
    SalesStage.objects.get_or_create(kind=SalesStage.Kind.LOST, defaults={"name": "Closed Lost", "position": 1001})


@pytest.fixture
def js_errors(signed_in_page: Page):
    """Uncaught exceptions and console errors of the page; each test checks it is empty at the end."""
    errors: list[str] = []
    signed_in_page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    signed_in_page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    return errors


def deal(user, title: str, stage: str, amount: str, probability: int = 50) -> Opportunity:
    """An open opportunity with one line, saved as the form saves it."""
    opportunity = Opportunity(title=title, account=AccountFactory(name=f"{title} AS"), assigned_to=user,
                              probability=probability, stage=SalesStage.objects.get(name=stage))
    return services.opportunity_save(instance=opportunity, user=user, lines=[services.LineInput(
        product=None, description="Services", quantity=Decimal(1), unit_price=Decimal(amount))])


@pytest.fixture
def pipeline(board_stages, staff):
    """Two opportunities in Proposal, one in Negotiation, one won (not on the board)."""
    fjord = deal(staff, "Fjord office network", "Proposal", "10000.00")            # expected 5,000.00
    deal(staff, "Harbour cranes", "Proposal", "2000.00")                           # expected 1,000.00
    deal(staff, "Baltic ferry", "Negotiation", "8000.00", probability=80)          # expected 6,400.00
    won = deal(staff, "Signed last year", "Negotiation", "999.00")
    services.opportunities_close(queryset=Opportunity.objects.filter(pk=won.pk), user=staff,
                                 stage=SalesStage.objects.get(kind="won"))
    return fjord


def column(page: Page, name: str):
    return page.get_by_role("region", name=name, exact=True)


def card(scope, title: str):
    return scope.get_by_role("article", name=title, exact=True)


def expect_figures(page: Page, name: str, count: str, revenue: str) -> None:
    """A column's header: how many opportunities, and their expected revenue."""
    expect(column(page, name).get_by_text(count, exact=True)).to_be_visible()
    expect(column(page, name).get_by_text(f"Expected revenue ${revenue}", exact=True)).to_be_visible()


def open_board(page: Page, live_server) -> None:
    """From Sales ▸ Opportunities, the list's Board view switch."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/opportunities/")
    page.get_by_role("link", name=re.compile(r"^\W*Board$")).click()
    expect(page.get_by_role("heading", name="Pipeline board", level=1)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^\W*List$"))).to_be_visible()


def test_drag_a_card_onto_negotiation(signed_in_page: Page, live_server, pipeline, js_errors):
    page = signed_in_page
    open_board(page, live_server)
    for name, _probability in STAGES:
        expect(column(page, name)).to_be_visible()
    expect_figures(page, "Proposal", "2 opportunities", "6,000.00")
    expect_figures(page, "Negotiation", "1 opportunity", "6,400.00")
    expect(page.get_by_text("Signed last year")).to_have_count(0)   # closed: not on the board
    fjord = card(column(page, "Proposal"), "Fjord office network")
    expect(fjord).to_contain_text("Fjord office network AS")
    expect(fjord).to_contain_text("10,000.00")
    expect(fjord).to_contain_text("Alice Martin")

    fjord.drag_to(column(page, "Negotiation"), source_position={"x": 8, "y": 8})

    moved = card(column(page, "Negotiation"), "Fjord office network")
    expect(moved).to_be_visible()
    expect(card(column(page, "Proposal"), "Fjord office network")).to_have_count(0)
    expect(page.get_by_role("status").filter(
        has_text="“Fjord office network” moved to Negotiation (probability 80 %).")).to_be_visible()
    expect_figures(page, "Proposal", "1 opportunity", "1,000.00")
    expect_figures(page, "Negotiation", "2 opportunities", "14,400.00")   # 6,400.00 + 10,000.00 × 80 %
    shoot(page, "pipeline-board")

    moved.get_by_role("link", name="Fjord office network", exact=True).click()
    expect(page.get_by_role("heading", name="Fjord office network", level=1)).to_be_visible()
    expect(page.locator("xpath=//dt[normalize-space()='Sales stage']/following-sibling::dd[1]")).to_have_text(
        "Negotiation")
    expect(page.locator("xpath=//dt[normalize-space()='Probability (%)']/following-sibling::dd[1]")).to_have_text("80")
    expect(page.get_by_test_id("expected-revenue")).to_have_text("$8,000.00")
    assert js_errors == []


def test_move_a_card_with_the_keyboard(signed_in_page: Page, live_server, pipeline, js_errors):
    page = signed_in_page
    open_board(page, live_server)
    fjord = card(column(page, "Proposal"), "Fjord office network")
    menu_button = fjord.get_by_role("button", name="Move to stage")
    menu_button.focus()
    page.keyboard.press("Enter")                  # opens the menu
    for _ in range(3):                            # Prospecting, Qualification, Negotiation (not its own stage)
        page.keyboard.press("ArrowDown")
    expect(fjord.get_by_role("button", name="Negotiation")).to_be_focused()
    page.keyboard.press("Enter")

    moved = card(column(page, "Negotiation"), "Fjord office network")
    expect(moved).to_be_visible()
    expect(moved).to_be_focused()                 # the keyboard goes on from the card where it is now
    expect_figures(page, "Proposal", "1 opportunity", "1,000.00")
    expect_figures(page, "Negotiation", "2 opportunities", "14,400.00")
    # Its menu now offers Proposal, and not Negotiation: Tab goes to its title, its account, its menu.
    page.keyboard.press("Tab")
    expect(moved.get_by_role("link", name="Fjord office network", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(moved.get_by_role("button", name="Move to stage")).to_be_focused()
    page.keyboard.press("Enter")
    expect(moved.get_by_role("button", name="Proposal")).to_be_visible()
    expect(moved.get_by_role("button", name="Negotiation")).to_have_count(0)
    shoot(page, "pipeline-board-move-menu")
    opportunity = Opportunity.objects.get(pk=pipeline.pk)
    assert (opportunity.stage.name, opportunity.probability, opportunity.version) == ("Negotiation", 80, 2)
    assert js_errors == []


def test_a_card_changed_meanwhile_stays_and_says_what_changed(signed_in_page: Page, live_server, pipeline,
                                                              other_staff, js_errors):
    page = signed_in_page
    open_board(page, live_server)
    current = Opportunity.objects.get(pk=pipeline.pk)
    current.probability = 60
    services.opportunity_save(instance=current, user=other_staff, expected_version=current.version)

    card(column(page, "Proposal"), "Fjord office network").drag_to(column(page, "Negotiation"),
                                                                   source_position={"x": 8, "y": 8})

    expect(page.get_by_role("alert").filter(has_text=(
        "Bob Nowak changed “Fjord office network” after the board was shown, so it was not moved "
        "(Probability (%): 50 → 60; Expected revenue: 5000.00 → 6000.00)."))).to_be_visible()
    expect(card(column(page, "Proposal"), "Fjord office network")).to_be_visible()   # back where it was
    expect(card(column(page, "Negotiation"), "Fjord office network")).to_have_count(0)
    expect_figures(page, "Proposal", "2 opportunities", "7,000.00")                 # with Bob's 60 %
    assert Opportunity.objects.get(pk=pipeline.pk).stage.name == "Proposal"

    # The card now carries Bob's version: moved again, it goes.
    card(column(page, "Proposal"), "Fjord office network").drag_to(column(page, "Negotiation"),
                                                                   source_position={"x": 8, "y": 8})
    expect(card(column(page, "Negotiation"), "Fjord office network")).to_be_visible()
    # Bob set the probability, Alice only the stage: the stage's 80 % applies to her move.
    expect_figures(page, "Negotiation", "2 opportunities", "14,400.00")
    assert js_errors == []


def test_show_more_brings_the_rest_of_a_column_once(signed_in_page: Page, live_server, pipeline, staff, js_errors):
    import datetime

    from sales.tests.factories import OpportunityFactory

    page = signed_in_page
    proposal = SalesStage.objects.get(name="Proposal")
    soon = datetime.date.today() + datetime.timedelta(days=30)
    OpportunityFactory.create_batch(51, stage=proposal, close_date=soon, assigned_to=staff)   # before the undated ones
    open_board(page, live_server)
    cards = column(page, "Proposal").get_by_role("article")
    expect(cards).to_have_count(50)
    expect_figures(page, "Proposal", "53 opportunities", "6,000.00")

    # Baltic ferry (no close date) moves into Proposal: at the top for now; its place is among the last.
    baltic = card(column(page, "Negotiation"), "Baltic ferry")
    baltic.get_by_role("button", name="Move to stage").click()
    baltic.get_by_role("button", name="Proposal").click()
    expect(cards.first).to_have_accessible_name("Baltic ferry")
    expect(cards).to_have_count(51)

    column(page, "Proposal").get_by_role("button", name="Show more").click()
    expect(cards).to_have_count(54)                # the 53 of before, and Baltic ferry once
    expect(card(column(page, "Proposal"), "Baltic ferry")).to_have_count(1)
    expect(card(column(page, "Proposal"), "Harbour cranes")).to_be_visible()
    expect(column(page, "Proposal").get_by_role("button", name="Show more")).to_have_count(0)
    assert js_errors == []
