"""Customizable lists are registered: crm declares Source, an app adds its own
(crm.models.register_list_kinds) and they show in Customize ▸ Lists."""
import copy

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.urls import reverse

from crm.models import ListKind, ListValue, list_kind_choices, list_kind_label, register_list_kinds
from crm.models import lists


class VisitListKind(models.TextChoices):
    VISIT_PURPOSE = "visit_purpose", "Visit purpose"


@pytest.fixture
def registered():
    """VisitListKind registered, as an app's ready() would; the lists as they were afterwards."""
    saved = copy.copy(lists._kinds)
    register_list_kinds(VisitListKind)
    yield
    lists._kinds.clear()
    lists._kinds.update(saved)


def test_crm_declares_source_first():
    assert list_kind_choices()[0] == (ListKind.SOURCE, ListKind.SOURCE.label)
    assert list_kind_label("source") == "Source"
    assert list_kind_label("no_such_list") is None


def test_a_registered_list_is_a_kind_of_list_value(registered, db):
    assert ("visit_purpose", "Visit purpose") in list_kind_choices()
    ListValue(kind="visit_purpose", name="Demo").full_clean()
    with pytest.raises(ValidationError) as refused:
        ListValue(kind="no_such_list", name="Demo").full_clean()
    assert "kind" in refused.value.message_dict


def test_registering_again_changes_nothing_and_a_clash_is_refused(registered):
    before = list_kind_choices()
    register_list_kinds(VisitListKind)
    assert list_kind_choices() == before

    class Clash(models.TextChoices):
        SOURCE = "source", "Lead origin"

    with pytest.raises(ImproperlyConfigured):
        register_list_kinds(Clash)
    assert list_kind_label("source") == "Source"


def test_customize_shows_and_edits_a_registered_list(registered, owner_client):
    page = owner_client.get(reverse("crm:customize")).content.decode()
    assert "Visit purpose" in page and reverse("crm:list_edit", args=["visit_purpose"]) in page
    response = owner_client.post(reverse("crm:list_edit", args=["visit_purpose"]),
                                 {"list": "value", "op": "add", "name": "Installation"}, follow=True)
    assert "“Installation” was added." in response.content.decode()
    assert ListValue.objects.filter(kind="visit_purpose", name="Installation").exists()


def test_an_unknown_list_is_not_found(owner_client):
    assert owner_client.get(reverse("crm:list_edit", args=["visit_purpose"])).status_code == 404
