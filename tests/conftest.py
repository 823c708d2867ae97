"""Fixtures of the site-wide tests (``test_no_get_writes``, ``test_fuzz``): the demo data of every app."""
import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse

from crm.generic.testing import csv_bytes, import_upload
from crm.models import (Account, BusinessContact, Category, ChangeLogEntry, HistoryItem, ListKind, ListValue,
                        MarketingActivity, UserPreferences)
from crm.tests.admin_forms import superuser
from crm.tests.factories import AccountFactory, ContactFactory, HistoryItemFactory, link, png_file
from leads.tests.factories import LeadFactory
from sales.tests.factories import OpportunityFactory

PLAIN_EMAIL = """From: Nora Nilsen <nora.nilsen@example.com>
To: sales@ourco.example
Subject: Chairs
Content-Type: text/plain; charset=utf-8

Could you send a quote?
"""


def unsampled_record_models(samples: dict) -> list:
    """The models of the registered record types that have no sample row yet."""
    from crm.generic import registry

    models = []
    for rtype in registry.all_types():
        model = rtype.model
        if model not in samples and model._meta.concrete_model not in samples and model not in models:
            models.append(model)
    return models


def model_factory(model):
    """The factory of ``model`` in its app's ``tests/factories.py`` (one per
    model), or in that of the app declaring its record type's pages (a
    marketing activity: the model is crm's, its pages the marketing app's)."""
    import importlib

    from factory.django import DjangoModelFactory

    from crm.generic import registry

    apps = [model._meta.app_config.name, registry.for_model(model).url_namespace]
    for app in dict.fromkeys(apps):
        module = importlib.import_module(f"{app}.tests.factories")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, DjangoModelFactory) and value._meta.model is model:
                return value
    raise AssertionError(f"No factory of {model.__name__} in {', '.join(f'{a}.tests.factories' for a in apps)}")


@pytest.fixture
def seeded_site(client):
    """The demo data plus what it lacks (an attachment, a photo, a pending import,
    a captured e-mail, sales settings, another user's preferences), a signed-in
    superuser, and one sample row of each kind the URLs take."""
    from crm.models import ScoringCriterion
    from leads.models import Lead
    from sales import services as sales_services
    from sales.models import Opportunity, Product, SalesActivity, SalesSettings, SalesStage

    call_command("seed_demo", stdout=io.StringIO())
    user = superuser()
    client.force_login(user)
    contact = BusinessContact.objects.filter(is_lead=False, account__isnull=False).order_by("pk").first()
    contact.photo.save("face.png", png_file(), save=True)
    attachment = HistoryItemFactory(kind=HistoryItem.Kind.FILE, subject="Price list", file_name="prices.txt",
                                    file=ContentFile(b"chairs 349", name="prices.txt"), file_size=10)
    link(attachment, contact)
    task = HistoryItem.objects.filter(kind=HistoryItem.Kind.TASK).order_by("pk").first()
    sales_services.sales_settings_save(activity_reminders=False)
    UserPreferences.objects.create(user=User.objects.get(username="alice"))
    # An import waiting for its confirmation (a session job, its file and plan) and a captured e-mail.
    preview = import_upload(client, reverse("crm:contact_import"), "new.csv",
                            csv_bytes([["Full Name", "E-mail Address"], ["Imre Import", "imre@example.com"]]))
    assert preview.context["step"] == "preview"
    captured = client.post(reverse("leads:lead_from_email"), {"raw": PLAIN_EMAIL})
    assert captured.status_code == 302
    open_opportunity = Opportunity.objects.filter(stage__kind="open", lines__isnull=False).order_by("pk").first()
    won = Opportunity.objects.filter(stage__kind="won").order_by("pk").first()
    samples = {
        Account: [contact.account_id],
        BusinessContact: [contact.pk],
        Lead: [Lead.objects.order_by("pk").first().pk],
        Opportunity: [open_opportunity.pk, won.pk],
        # The demo's (marketing/demo.py): one that initiated leads and opportunities.
        MarketingActivity: [MarketingActivity.objects.filter(budget__isnull=False).order_by("pk").first().pk],
        HistoryItem: [attachment.pk, task.pk],
        ListValue: [contact.source_id or ListValue.objects.filter(kind=ListKind.SOURCE).first().pk],
        ScoringCriterion: [ScoringCriterion.objects.order_by("pk").first().pk],
        SalesStage: [open_opportunity.stage_id, won.stage_id],
        SalesActivity: [SalesActivity.objects.order_by("pk").first().pk],
        Product: [Product.objects.order_by("pk").first().pk],
        Category: [Category.objects.order_by("pk").first().pk],
        ChangeLogEntry: [ChangeLogEntry.objects.order_by("pk").first().pk],
        UserPreferences: [UserPreferences.objects.get().pk],
        SalesSettings: [SalesSettings.objects.get().pk],
        User: [user.pk],
        Group: [Group.objects.order_by("pk").first().pk],
        "view_on_site": [contact.account],
    }
    # A row of every other registered record type (an app's new type), made by the
    # factory of its app's tests/factories.py, so the walk covers its pages too.
    for model in unsampled_record_models(samples):
        samples[model] = [model_factory(model)().pk]
    # A record in Deleted items, and a failed sign-in (django-axes).
    from axes.models import AccessAttempt

    from crm.generic import services as record_services
    from crm.models import DeletedItem

    deleted = record_services.record_delete(instance=ContactFactory(full_name="Dora Deleted"), user=user)
    samples[DeletedItem] = [deleted.pk]
    # A project template with task definitions (Customize and the admin).
    from projects.models import ProjectTemplate
    from projects.tests.factories_templates import template_with_tasks

    samples[ProjectTemplate] = [template_with_tasks("Website launch", ("Kick-off", 0, 1), ("Design", 1, 10)).pk]
    # A saved report of the walking user, with a filter and a relative period.
    from reports.models import SavedReport

    samples[SavedReport] = [SavedReport.objects.create(
        name="My pipeline this quarter", report="pipeline-by-stage", workspace="sales", owner=user, shared=True,
        options={"group": ["stage"], "sort": ["total"], "descending": ["on"], "columns": ["count", "total"],
                 "period": ["this_quarter"], "assigned_to": [str(user.pk)]}).pk]
    samples[AccessAttempt] = [AccessAttempt.objects.create(
        username="mallory", ip_address="127.0.0.9", user_agent="test", http_accept="*/*", path_info="/accounts/login/",
        failures_since_start=3).pk]
    # Records no rule protects, ticked in bulk actions (a delete of records in
    # use, or a change to a closed opportunity, is refused whatever the method).
    free = [AccountFactory().pk, ContactFactory().pk, LeadFactory().pk, OpportunityFactory(account=contact.account).pk]
    return {
        "user": user, "samples": samples, "contact": contact, "won_stage": won.stage_id,
        "import_token": preview.context["token"], "import_digest": preview.context["digest"],
        "category": samples[Category][0], "free": free,
    }
