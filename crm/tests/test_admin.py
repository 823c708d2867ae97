"""The Django admin writes through the same services as the app: a stale
change form is refused, every save and delete is logged, customizable lists
keep their rules, and only database owners get in."""
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from crm.generic import services as record_services
from crm.models import Account, Category, ChangeLogEntry, HistoryItem, ListValue
from crm.tests.admin_forms import page_data, superuser
from crm.tests.factories import AccountFactory, CategoryFactory, ContactFactory, HistoryItemFactory, UserFactory, link

pytestmark = pytest.mark.django_db


def entries(record):
    return list(record_services.changelog_for(record).order_by("version", "id"))


def test_staff_who_are_not_owners_get_403(client):
    staff = UserFactory(username="clerk", is_staff=True)
    client.force_login(staff)
    for url in (reverse("admin:index"), reverse("admin:crm_account_changelist"), reverse("admin:crm_account_add")):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("admin:crm_account_add"), {"name": "Sneaky"}).status_code == 403
    assert not Account.objects.filter(name="Sneaky").exists()


def test_a_stale_change_form_is_refused_and_nothing_is_written(admin_client, admin_user, other_staff):
    account = AccountFactory(name="Acme")
    url = reverse("admin:crm_account_change", args=[account.pk])
    data = page_data(admin_client.get(url))
    # Someone else saves the account between loading the page and saving it.
    fresh = Account.objects.get(pk=account.pk)
    fresh.name = "Acme Ltd"
    record_services.record_update(instance=fresh, user=other_staff, expected_version=fresh.version)

    response = admin_client.post(url, {**data, "name": "Acme Corporation"})

    assert response.status_code == 200
    assert "Bob Nowak changed this record while you were editing it." in response.content.decode()
    account.refresh_from_db()
    assert account.name == "Acme Ltd"
    assert [e.user for e in entries(account)] == [other_staff]
    # Saving the page again keeps the admin's version on purpose.
    response = admin_client.post(url, page_data(response))
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.name == "Acme Corporation"
    assert entries(account)[-1].user == admin_user


def test_an_admin_save_is_logged_with_its_categories(admin_client, admin_user):
    account = AccountFactory(name="Acme")
    vip = CategoryFactory(name="VIP")
    url = reverse("admin:crm_account_change", args=[account.pk])
    data = page_data(admin_client.get(url))

    response = admin_client.post(url, {**data, "name": "Acme Corporation", "categories": [vip.pk]})

    assert response.status_code == 302
    account.refresh_from_db()
    assert account.version == 2 and list(account.categories.all()) == [vip]
    [entry] = entries(account)
    assert entry.action == ChangeLogEntry.Action.UPDATE and entry.user == admin_user
    assert entry.changes["name"]["new"] == "Acme Corporation"
    assert entry.changes["categories"] == {"label": "categories", "old": "", "new": "VIP"}


def test_an_admin_add_is_logged(admin_client, admin_user):
    response = admin_client.post(reverse("admin:crm_account_add"),
                                 {**page_data(admin_client.get(reverse("admin:crm_account_add"))), "name": "Newco"})
    assert response.status_code == 302
    account = Account.objects.get(name="Newco")
    assert account.created_by == admin_user
    assert [e.action for e in entries(account)] == [ChangeLogEntry.Action.CREATE]


def test_admin_delete_and_bulk_delete_are_logged(admin_client):
    one, two, three = AccountFactory.create_batch(3)
    response = admin_client.post(reverse("admin:crm_account_delete", args=[one.pk]), {"post": "yes"})
    assert response.status_code == 302
    response = admin_client.post(reverse("admin:crm_account_changelist"), {
        "action": "delete_selected", ACTION_CHECKBOX_NAME: [two.pk, three.pk], "post": "yes"})
    assert response.status_code == 302
    assert not Account.objects.exists()
    deleted = ChangeLogEntry.objects.filter(action=ChangeLogEntry.Action.DELETE)
    assert sorted(deleted.values_list("object_id", flat=True)) == sorted([one.pk, two.pk, three.pk])


def test_a_history_item_is_changed_and_deleted_through_the_services(admin_client):
    contact = ContactFactory()
    item = link(HistoryItemFactory(kind=HistoryItem.Kind.APPOINTMENT, subject="Visit"), contact)
    url = reverse("admin:crm_historyitem_change", args=[item.pk])
    data = page_data(admin_client.get(url))
    response = admin_client.post(url, {**data, "subject": "Site visit"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.subject == "Site visit"
    # An item lives on a record's History page: it is added there, not here.
    assert admin_client.get(reverse("admin:crm_historyitem_add")).status_code == 403
    admin_client.post(reverse("admin:crm_historyitem_delete", args=[item.pk]), {"post": "yes"})
    assert not HistoryItem.objects.filter(pk=item.pk).exists()


def test_a_stale_history_item_change_form_is_refused(admin_client, other_staff):
    from crm import services

    item = link(HistoryItemFactory(kind=HistoryItem.Kind.NOTE, subject="Visit"), ContactFactory())
    url = reverse("admin:crm_historyitem_change", args=[item.pk])
    data = page_data(admin_client.get(url))
    theirs = HistoryItem.objects.get(pk=item.pk)
    theirs.subject = "Bob's visit"
    services.history_item_update(item=theirs, user=other_staff, expected_version=1)
    response = admin_client.post(url, {**data, "subject": "Admin's visit"})
    assert response.status_code == 200
    assert "Bob Nowak changed this item while you were editing it." in response.content.decode()
    assert HistoryItem.objects.get(pk=item.pk).subject == "Bob's visit"


# --- Customizable lists and categories ---------------------------------------

def test_a_list_value_is_refused_beside_the_same_name_in_other_case(admin_client):
    before = ListValue.objects.count()
    add = reverse("admin:crm_listvalue_add")
    response = admin_client.post(add, {**page_data(admin_client.get(add)), "kind": "source", "name": "web"})
    assert "“web” is already in the list." in response.content.decode()
    assert ListValue.objects.count() == before


def test_a_new_list_value_goes_to_the_end_of_its_list(admin_client):
    add = reverse("admin:crm_listvalue_add")
    response = admin_client.post(add, {**page_data(admin_client.get(add)), "kind": "source", "name": "  Trade   show "})
    assert response.status_code == 302
    value = ListValue.objects.get(kind="source", name="Trade show")
    assert value.position == max(ListValue.objects.filter(kind="source").values_list("position", flat=True))


def test_renaming_a_list_value_in_the_admin(admin_client):
    web = ListValue.objects.get(kind="source", name="Web")
    contact = ContactFactory(source=web)
    url = reverse("admin:crm_listvalue_change", args=[web.pk])
    response = admin_client.post(url, {**page_data(admin_client.get(url)), "name": "Website"})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.source.name == "Website"
    response = admin_client.post(url, {**page_data(admin_client.get(url)), "name": "event"})
    assert "“event” is already in the list." in response.content.decode()


def test_deleting_a_list_value_in_use_asks_for_a_replacement(admin_client, admin_user):
    web, event = (ListValue.objects.get(kind="source", name=name) for name in ("Web", "Event"))
    contacts = ContactFactory.create_batch(2, source=web)
    url = reverse("admin:crm_listvalue_delete", args=[web.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "2 records use this value. Choose what they get instead." in page.content.decode()
    assert "Replace it with" in page.content.decode()

    response = admin_client.post(url, {"replacement": event.pk})

    assert response.status_code == 302
    assert not ListValue.objects.filter(pk=web.pk).exists()
    for contact in contacts:
        contact.refresh_from_db()
        assert contact.source == event
        [entry] = entries(contact)
        assert entry.user == admin_user and entry.changes["source"]["new"] == "Event"


def test_a_category_is_saved_and_deleted_in_the_admin(admin_client):
    add = reverse("admin:crm_category_add")
    response = admin_client.post(add, {**page_data(admin_client.get(add)), "name": "VIP", "colour": "red"})
    assert "Enter a colour as #RRGGBB." in response.content.decode()
    assert not Category.objects.exists()
    admin_client.post(add, {**page_data(admin_client.get(add)), "name": "VIP", "colour": "#ff0000"})
    vip = Category.objects.get()
    account = AccountFactory()
    account.categories.add(vip)
    admin_client.post(reverse("admin:crm_category_delete", args=[vip.pk]), {"post": "yes"})
    assert not Category.objects.exists() and not account.categories.exists()


def test_an_empty_to_field_opens_the_change_form(admin_client):
    account = AccountFactory(name="Acme")
    response = admin_client.get(reverse("admin:crm_account_change", args=[account.pk]), {"_to_field": ""})
    assert response.status_code == 200 and "Acme" in response.content.decode()


@pytest.mark.parametrize("url", ["admin:crm_account_changelist", "admin:auth_user_changelist"])
def test_a_search_longer_than_anything_stored_finds_nothing(client, url):
    client.force_login(superuser())
    AccountFactory(name="Acme")
    response = client.get(reverse(url), {"q": "x" * 1_000_000})
    assert response.status_code == 200 and "0 results" in response.content.decode()


def test_an_odd_group_in_the_user_form_is_a_field_error(client):
    client.force_login(superuser())
    user = UserFactory(username="carol")
    response = client.post(reverse("admin:auth_user_change", args=[user.pk]), {
        "username": "carol", "groups": [str(2**63)], "date_joined_0": "2026-01-01", "date_joined_1": "10:00"})
    assert response.status_code == 200 and "Select a valid choice." in response.content.decode()
