"""What another app adds to a record type without the type's app knowing it:
a button on the record's page and reading pane (``panes.register_button``)
and a bulk action on its list (``actions.register_action``)."""
import copy

import pytest
from django.urls import reverse

from crm.generic import actions, panes
from crm.generic.actions import BulkAction
from crm.models import Account
from crm.tests.factories import AccountFactory, ContactFactory
from crm.views.records import AccountViewSet

pytestmark = pytest.mark.django_db

PANE = {"HX-Request": "true", "HX-Target": "reading-pane"}


@pytest.fixture
def registries():
    """The registries as they were, afterwards."""
    buttons, registered = copy.copy(panes._buttons), copy.copy(actions._registered)
    yield
    panes._buttons.clear()
    panes._buttons.update(buttons)
    actions._registered.clear()
    actions._registered.update(registered)


def test_a_registered_button_shows_on_the_page_and_pane_of_its_type_where_it_is_shown(staff_client, registries):
    shown_to = []

    def shown(request, obj):
        shown_to.append((request.user.username, obj.name))
        return obj.name != "Hidden Ltd"

    panes.register_button("account", "Plan a visit", url=lambda obj: f"/visits/new/?account={obj.pk}", icon="geo",
                          shown=shown)
    litware, hidden, contact = AccountFactory(name="Litware"), AccountFactory(name="Hidden Ltd"), ContactFactory()
    button = (f'<a class="btn btn-sm btn-outline-primary" href="/visits/new/?account={litware.pk}">'
              '<i class="bi bi-geo" aria-hidden="true"></i> Plan a visit</a>')
    for headers in ({}, PANE):
        body = staff_client.get(litware.get_absolute_url(), headers=headers).content.decode()
        assert "Plan a visit" in body and f"/visits/new/?account={litware.pk}" in body
        assert "Plan a visit" not in staff_client.get(hidden.get_absolute_url(), headers=headers).content.decode()
    assert button in staff_client.get(litware.get_absolute_url()).content.decode()
    assert ("alice", "Litware") in shown_to
    assert "Plan a visit" not in staff_client.get(contact.get_absolute_url()).content.decode()


def test_registering_a_button_again_replaces_it(registries):
    panes.register_button("account", "Plan a visit", url=lambda obj: "/one/")
    panes.register_button("account", "Plan a visit", url=lambda obj: "/two/")
    assert [b["url"] for b in panes.record_buttons(None, "account", Account(pk=1))] == ["/two/"]


class Flag(BulkAction):
    name = "flag"
    label = "Flag for review"
    icon = "flag"

    def run(self, queryset, user, form) -> str:
        count = queryset.update(comments="Flagged")
        return f"{count} flagged."


def test_a_registered_bulk_action_is_listed_where_asked_and_runs(staff_client, registries):
    actions.register_action("account", Flag(), before="categorize")
    assert [a.name for a in AccountViewSet.get_actions()] == ["assign", "edit", "flag", "categorize", "delete"]
    litware, other = AccountFactory(name="Litware"), AccountFactory(name="Other")
    body = staff_client.get(reverse("crm:account_list")).content.decode()
    url = reverse("crm:account_bulk", args=["flag"])
    assert f'formaction="{url}"' in body
    assert body.index(url) < body.index(reverse("crm:account_bulk", args=["categorize"]))
    response = staff_client.post(url, {"pk": [litware.pk], "_apply": "1"}, follow=True)
    assert "1 flagged." in response.content.decode()
    assert list(Account.objects.order_by("name").values_list("comments", flat=True)) == ["Flagged", ""]
    # Not on another type's list, whose bulk URL does not know it.
    assert staff_client.post(reverse("crm:contact_bulk", args=["flag"]), {"pk": [1], "_apply": "1"}).status_code == 404


def test_an_action_without_a_known_place_goes_last_and_a_second_registration_replaces_it(registries):
    actions.register_action("account", Flag(), before="no-such-action")
    actions.register_action("account", Flag())
    assert [a.name for a in AccountViewSet.get_actions()] == ["assign", "edit", "categorize", "delete", "flag"]
    assert AccountViewSet.actions == actions.DEFAULT_ACTIONS   # the type's own list is left as it was
