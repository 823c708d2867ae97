"""The demo data `make run` loads: what a first sign-in shows, and that a
second run adds nothing."""
import io
from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from crm import scoring
from crm.models import (Account, BusinessContact, Category, ChangeLogEntry, CriterionMet, HistoryItem, ListValue,
                        ScoringCriterion)
from leads.models import Lead
from sales import pricing
from sales.models import ActivityDone, Opportunity, OpportunityLine, Product, SalesStage

pytestmark = pytest.mark.django_db

TABLES = [User, Account, BusinessContact, Category, HistoryItem, ChangeLogEntry, CriterionMet, ListValue, Product,
          Opportunity, OpportunityLine, ActivityDone]


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_the_banner_prints_the_address_the_server_listens_on():
    output = seed("--addrport", "127.0.0.1:8123")
    assert "Sign in at http://127.0.0.1:8123/ with one of:" in output
    assert "8000" not in output


def test_the_banner_defaults_to_port_8000():
    assert "Sign in at http://127.0.0.1:8000/ with one of:" in seed()


@pytest.mark.parametrize("addrport, url", [("8123", "http://127.0.0.1:8123/"), ("0.0.0.0:9000", "http://127.0.0.1:9000/"),
                                           ("localhost:8001", "http://localhost:8001/")])
def test_the_sign_in_url_follows_runserver_addresses(addrport, url):
    from crm.management.commands.seed_demo import Command

    assert Command.sign_in_url(addrport) == url


def test_the_demo_has_leads_with_sources_scores_owners_categories_and_comments():
    seed()
    leads = list(Lead.objects.select_related("source").prefetch_related("categories"))
    assert 25 <= len(leads) <= 35
    sources = set(ListValue.objects.filter(kind="source"))
    assert all(lead.source in sources for lead in leads)
    assert len({lead.source for lead in leads}) == len(sources)
    # Scores spread over the stars; automatic ones follow the ticked criteria.
    assert len({lead.score for lead in leads}) >= 5
    manual = [lead for lead in leads if lead.score_type == "manual"]
    assert 2 <= len(manual) < len(leads) // 2
    assert all(lead.score == lead.manual_score for lead in manual)
    weights = dict(CriterionMet.objects.values_list("criterion_id", "criterion__weight").distinct())
    all_weights = list(ScoringCriterion.objects.values_list("weight", flat=True))
    for lead in leads:
        met = [weights[pk] for pk in CriterionMet.objects.filter(contact=lead).values_list("criterion_id", flat=True)]
        assert lead.auto_score == scoring.automatic_score(met, all_weights), lead
    assert any(lead.score_type == "automatic" and lead.score > 0 for lead in leads)
    owners = Counter(lead.assigned_to.username for lead in leads if lead.assigned_to)
    assert set(owners) == {"owner", "alice", "bob"} and min(owners.values()) >= 5
    assert sum(1 for lead in leads if lead.categories.all()) >= 5
    assert sum(1 for lead in leads if lead.comments) >= 5
    # Written through the services: each lead has its creation in the change log.
    created = set(ChangeLogEntry.objects.filter(action="create", object_id__in=[lead.pk for lead in leads])
                  .values_list("object_id", flat=True))
    assert created == {lead.pk for lead in leads}


def test_the_demo_has_opportunities_with_lines_in_every_stage():
    seed()
    demo_accounts = set(Account.objects.values_list("pk", flat=True))
    for stage in SalesStage.objects.all():
        opportunities = list(stage.opportunities.all())
        assert len(opportunities) >= 2, stage
        for opportunity in opportunities:
            lines = list(opportunity.lines.all())
            assert lines, opportunity
            assert opportunity.total == pricing.opportunity_total(line.line_total for line in lines)
            assert opportunity.expected_revenue == pricing.expected_revenue(opportunity.total, opportunity.probability)
            linked_account = opportunity.account_id or opportunity.contact.account_id
            assert linked_account in demo_accounts
    assert Opportunity.objects.filter(contact__isnull=False).exists()
    won, lost = SalesStage.objects.get(kind="won"), SalesStage.objects.get(kind="lost")
    assert set(won.opportunities.values_list("probability", flat=True)) == {100}
    assert set(lost.opportunities.values_list("probability", flat=True)) == {0}
    # Closed through the service: a second version and a change-log entry saying so.
    closed = Opportunity.objects.filter(stage__in=[won, lost]).first()
    assert closed.version == 2
    assert ChangeLogEntry.objects.filter(object_id=closed.pk, action="update", changes__has_key="stage").exists()


def test_a_second_run_adds_nothing():
    seed()
    before = {model.__name__: model.objects.count() for model in TABLES}
    output = seed()
    assert {model.__name__: model.objects.count() for model in TABLES} == before
    assert "Demo data already loaded." in output
    assert seed("--force") and {model.__name__: model.objects.count() for model in TABLES} == before


def test_an_older_demo_database_gains_the_leads_it_lacks():
    seed()
    Lead.objects.all().delete()
    accounts = Account.objects.count()
    output = seed()
    assert "leads" in output and Lead.objects.count() >= 25
    assert Account.objects.count() == accounts


def test_a_database_of_other_users_is_left_alone(staff):
    output = seed()
    assert "no demo data loaded" in output
    assert not Lead.objects.exists() and not Account.objects.exists()


def test_each_app_seeds_its_own_part_crm_first_then_leads_then_sales_then_marketing_then_projects():
    from crm.generic import demo

    assert [step.run.__module__ for step in demo.steps()] == ["crm.demo", "leads.demo", "sales.demo", "marketing.demo",
                                                              "projects.demo"]


def test_the_demo_projects_come_from_the_won_opportunities_with_tasks_done_and_overdue():
    """Each won opportunity started a project from a template; tasks go to
    several colleagues, some done, one overdue, and % complete is the
    weighted function of them (as every write path stores it)."""
    from projects.models import BusinessProject, ProjectTask, percent_complete

    seed()
    won = Opportunity.objects.filter(stage__kind=SalesStage.Kind.WON)
    projects = list(BusinessProject.objects.all())
    assert sorted(p.opportunity_id for p in projects) == sorted(won.values_list("pk", flat=True)) and projects
    for project in projects:
        tasks = list(project.tasks.values_list("percent_complete", "start_date", "due_date"))
        assert len(tasks) >= 3 and project.percent_complete == percent_complete(tasks)
    assert ProjectTask.objects.overdue().exists() and ProjectTask.objects.filter(status="completed").exists()
    assert ProjectTask.objects.values("assigned_to").distinct().count() > 1
