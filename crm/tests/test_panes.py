"""Pane sections (crm.generic.panes): an app adds a section to a record type's
reading pane and detail page without the base knowing it."""
import copy

import pytest
from django.urls import reverse

from crm.generic import panes
from crm.tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db

PANE = {"HX-Request": "true", "HX-Target": "reading-pane"}


@pytest.fixture
def section_templates(settings, tmp_path):
    """Two section templates in a folder of their own; the registry as it was afterwards."""
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "visits.html").write_text(
        '<section class="visits"><h3>Visits</h3>{{ visits }} visits to {{ object }}</section>', encoding="utf-8")
    (tmp_path / "extra" / "notes.html").write_text('<section class="notes">Notes of {{ object }}</section>',
                                                   encoding="utf-8")
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], tmp_path]
    settings.TEMPLATES = templates
    saved = copy.copy(panes._sections)
    yield
    panes._sections.clear()
    panes._sections.update(saved)


def test_a_registered_section_shows_on_the_page_and_the_pane_of_its_record_type_only(staff_client, section_templates):
    account, contact = AccountFactory(name="Litware"), ContactFactory(full_name="Anna Hansen")
    calls = []

    def visits(request, obj):
        calls.append((request.user.username, obj))
        return {"visits": 3}

    panes.register_pane_section("account", "extra/visits.html", context=visits)
    for headers in ({}, PANE):
        body = staff_client.get(reverse("crm:account_detail", args=[account.pk]), headers=headers).content.decode()
        assert '<section class="visits"><h3>Visits</h3>3 visits to Litware</section>' in body
        # After the account's own sections (its business contacts).
        assert body.index("Business contacts") < body.index("Visits")
    assert calls == [("alice", account), ("alice", account)]
    body = staff_client.get(reverse("crm:contact_detail", args=[contact.pk])).content.decode()
    assert "Visits" not in body


def test_sections_are_drawn_in_their_order_and_registering_again_replaces(staff_client, section_templates):
    account = AccountFactory(name="Litware")
    panes.register_pane_section("account", "extra/visits.html", context=lambda request, obj: {"visits": 1}, order=200)
    panes.register_pane_section("account", "extra/notes.html", order=150)
    body = staff_client.get(reverse("crm:account_detail", args=[account.pk]), headers=PANE).content.decode()
    assert body.index("Notes of Litware") < body.index("1 visits to Litware")
    panes.register_pane_section("account", "extra/visits.html", context=lambda request, obj: {"visits": 2}, order=100)
    body = staff_client.get(reverse("crm:account_detail", args=[account.pk]), headers=PANE).content.decode()
    assert body.count("visits to Litware") == 1
    assert body.index("2 visits to Litware") < body.index("Notes of Litware")
    assert [s.template_name for s in panes.pane_sections("account")][-2:] == ["extra/visits.html", "extra/notes.html"]
