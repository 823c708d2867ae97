"""Lead scoring pages: Customize ▸ Lead scoring criteria, the live score of the
lead and business contact forms, the stars, criteria in the admin."""
import re

import pytest
from django.urls import reverse

from crm.models import BusinessContact, CriterionMet, ScoringCriterion
from crm.scoring import automatic_score
from crm.tests.admin_forms import owner_not_superuser, page_data
from crm.tests.factories import ContactFactory
from leads.models import Lead
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_the_scoring_pages_kept_their_addresses_when_they_moved_to_crm():
    assert reverse("crm:score") == "/contacts/form/score/"
    assert reverse("crm:criteria") == "/customize/lead-scoring/"
    assert reverse("crm:criterion_delete", args=[7]) == "/customize/lead-scoring/7/delete/"


class TestCriteriaPage:
    def test_staff_get_403(self, staff_client):
        assert staff_client.get(reverse("crm:criteria")).status_code == 403
        assert staff_client.post(reverse("crm:criteria"), {"description": "X", "weight": 1}).status_code == 403
        assert not ScoringCriterion.objects.filter(description="X").exists()

    def test_owner_adds_edits_deletes_and_everyone_is_rescored(self, owner_client):
        lead = LeadFactory()
        CriterionMet.objects.create(contact=lead, criterion=ScoringCriterion.objects.get(description="Has a budget"))
        owner_client.post(reverse("crm:criteria"), {"list": "criterion", "op": "add", "description": "Has a champion",
                                                      "weight": 3})
        lead.refresh_from_db()
        assert lead.score == 1  # 5 × 3/13 = 1.15
        budget = ScoringCriterion.objects.get(description="Has a budget")
        owner_client.post(reverse("crm:criteria"), {"list": "criterion", "op": "edit", "pk": budget.pk,
                                                      "description": "Has budget", "weight": 1})
        lead.refresh_from_db()
        assert lead.score == 0  # 5 × 1/11 = 0.45
        owner_client.post(reverse("crm:criterion_delete", args=[budget.pk]))
        assert not CriterionMet.objects.exists()

    def test_a_criterion_without_description_is_refused(self, owner_client):
        response = owner_client.post(reverse("crm:criteria"), {"list": "criterion", "op": "add", "description": "",
                                                                 "weight": 2})
        assert "This field is required." in response.content.decode()
        assert ScoringCriterion.objects.count() == 4

    @pytest.mark.parametrize("key", ["²", "99999999999999999999", "000"])
    def test_an_odd_criterion_is_not_found(self, owner_client, key):
        response = owner_client.post(reverse("crm:criteria"), {"list": "criterion", "op": "edit", "pk": key,
                                                                 "description": "Odd", "weight": 2})
        assert response.status_code == 404
        assert not ScoringCriterion.objects.filter(description="Odd").exists()

    def test_a_bad_weight_is_refused(self, owner_client):
        response = owner_client.post(reverse("crm:criteria"), {"list": "criterion", "op": "add", "description": "Odd",
                                                                 "weight": 7})
        assert "Select a valid choice." in response.content.decode()
        assert not ScoringCriterion.objects.filter(description="Odd").exists()


def test_owner_moves_a_criterion(owner_client):
    first = ScoringCriterion.objects.order_by("position").first()
    owner_client.post(reverse("crm:criteria"), {"list": "criterion", "op": "down", "pk": first.pk})
    assert list(ScoringCriterion.objects.order_by("position"))[1] == first


# --- The live score on the form (crm.views.scoring.ScoreView) ----------------------------

def criterion(description: str) -> ScoringCriterion:
    """One of the shipped criteria (leads/migrations/0002: weights 3, 2, 3, 2)."""
    return ScoringCriterion.objects.get(description=description)


def drawn_stars(body: str) -> str:
    """The ★/☆ glyphs of an answer of the live score."""
    return re.search(r'aria-hidden="true">([★☆]*)<', body).group(1)


@pytest.mark.parametrize("ticked, stars", [
    ([], 0),
    (["Has a budget"], 2),                                   # 5 × 3/10 = 1.5, halves up
    (["Has a budget", "Is a decision maker"], 3),            # 5 × 5/10 = 2.5
    (["Is a decision maker"], 1),                            # 5 × 2/10
])
def test_the_live_score_draws_the_stars_of_the_ticked_criteria(staff_client, ticked, stars):
    response = staff_client.post(reverse("crm:score"), {
        "full_name": "Sam Scored", "score_type": "automatic", "criteria": [criterion(d).pk for d in ticked]})
    body = response.content.decode()
    assert response.status_code == 200
    assert drawn_stars(body) == "★" * stars + "☆" * (5 - stars)
    assert f">{stars} of 5 stars<" in body


def test_the_live_score_shows_a_manual_score_whatever_is_ticked(staff_client):
    every = list(ScoringCriterion.objects.values_list("pk", flat=True))
    body = staff_client.post(reverse("crm:score"), {
        "score_type": "manual", "manual_score": "4", "criteria": every}).content.decode()
    assert drawn_stars(body) == "★★★★☆"
    # Manual without stars chosen is 0 stars, as the save makes it.
    body = staff_client.post(reverse("crm:score"), {"score_type": "manual", "criteria": every}).content.decode()
    assert drawn_stars(body) == "☆☆☆☆☆"


def test_the_live_score_follows_the_criteria_as_stored_now(staff_client):
    """The weights are the server's: a criterion changed since the form opened counts as it is now."""
    budget = criterion("Has a budget")
    ScoringCriterion.objects.filter(pk=budget.pk).update(weight=ScoringCriterion.Weight.LOW)
    body = staff_client.post(reverse("crm:score"), {"criteria": [budget.pk]}).content.decode()
    assert drawn_stars(body) == "★☆☆☆☆"  # 5 × 1/8 = 0.625


@pytest.mark.parametrize("data", [
    {"criteria": ["abc", "²", "-1", "99999999999999999999", "0", "\x00"], "score_type": "automatic"},
    {"criteria": ["999999"], "score_type": "<script>", "manual_score": "9"},
    {"score_type": "manual", "manual_score": "-1"},
    {"score_type": "manual", "manual_score": "4.5"},
    {"score_type": "manual", "manual_score": "x" * 10_000},
    {},
])
def test_odd_input_to_the_live_score_is_no_tick_and_no_stars(staff_client, data):
    response = staff_client.post(reverse("crm:score"), data)
    assert response.status_code == 200
    assert drawn_stars(response.content.decode()) == "☆☆☆☆☆"
    assert "<script>" not in response.content.decode()


def test_the_live_score_answers_no_get_and_changes_nothing(staff_client):
    lead = LeadFactory(full_name="Stay Same")
    before = list(BusinessContact.objects.values_list("pk", "score", "version"))
    url = reverse("crm:score")
    assert staff_client.get(url, {"criteria": [criterion("Has a budget").pk]}).status_code == 405
    assert staff_client.post(url, {"criteria": [criterion("Has a budget").pk], "pk": lead.pk}).status_code == 200
    assert list(BusinessContact.objects.values_list("pk", "score", "version")) == before
    assert not CriterionMet.objects.exists()


def test_the_form_posts_its_score_section_to_the_live_score(staff_client):
    body = staff_client.get(reverse("leads:lead_add")).content.decode()
    assert f'hx-post="{reverse("crm:score")}"' in body
    assert 'hx-trigger="change from:closest .lead-score-section"' in body
    contact = ContactFactory()
    body = staff_client.get(reverse("crm:contact_edit", args=[contact.pk])).content.decode()
    assert f'hx-post="{reverse("crm:score")}"' in body


def test_a_form_sent_back_with_errors_shows_the_stars_of_its_ticks(staff_client):
    """The stars drawn with the page are those of the form as sent, not of the stored record."""
    response = staff_client.post(reverse("leads:lead_add"), {
        "full_name": "", "score_type": "automatic", "criteria": [criterion("Has a budget").pk]})
    body = response.content.decode()
    assert response.status_code == 200 and not Lead.objects.exists()
    display = body[body.index('class="score-display'):]
    assert drawn_stars(display) == "★★☆☆☆"


@pytest.mark.parametrize("stars", range(0, 6))
@pytest.mark.parametrize("label_shown", [False, True])
def test_the_star_include_and_the_python_helper_draw_the_same(stars, label_shown):
    from django.template.loader import render_to_string

    from crm.stars import stars_html

    assert render_to_string("crm/includes/stars.html", {"stars": stars, "label_shown": label_shown}) == \
        stars_html(stars, label_shown=label_shown)


# --- Criteria in the admin ----------------------------------------------------------------

@pytest.fixture
def admin_client(client):
    client.force_login(owner_not_superuser())
    return client


def test_a_criterion_weight_changed_in_the_admin_rescores_everyone(admin_client):
    criteria = list(ScoringCriterion.objects.order_by("position"))
    lead = LeadFactory()
    CriterionMet.objects.create(contact=lead, criterion=criteria[0])
    url = reverse("admin:crm_scoringcriterion_change", args=[criteria[1].pk])
    response = admin_client.post(url, {**page_data(admin_client.get(url)), "weight": ScoringCriterion.Weight.LOW})
    assert response.status_code == 302
    weights = list(ScoringCriterion.objects.values_list("weight", flat=True))
    assert ScoringCriterion.Weight.LOW in weights
    lead.refresh_from_db()
    assert lead.auto_score == lead.score == automatic_score([criteria[0].weight], weights) > 0
