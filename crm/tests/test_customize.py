"""Customizable lists and categories (database owner only)."""
import pytest
from django.urls import reverse

from crm.models import BusinessContact, Category, ChangeLogEntry, ListValue
from crm.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def source(name: str) -> ListValue:
    return ListValue.objects.get(kind="source", name=name)


def test_add_rename_and_move_values(owner_client):
    url = reverse("crm:list_edit", args=["source"])
    owner_client.post(url, {"list": "value", "op": "add", "name": "Trade show"})
    value = source("Trade show")
    contact = ContactFactory(source=value)
    owner_client.post(url, {"list": "value", "op": "edit", "pk": value.pk, "name": "Trade fair"})
    contact.refresh_from_db()
    assert contact.source.name == "Trade fair"
    first = ListValue.objects.filter(kind="source").order_by("position").first()
    owner_client.post(url, {"list": "value", "op": "down", "pk": first.pk})
    assert ListValue.objects.filter(kind="source").order_by("position")[1] == first


def test_duplicate_value_is_refused(owner_client):
    response = owner_client.post(reverse("crm:list_edit", args=["source"]), {"list": "value", "op": "add", "name": "web"})
    assert "“web” is already in the list." in response.content.decode()
    assert ListValue.objects.filter(kind="source", name="Web").count() == 1


def test_empty_value_is_refused(owner_client):
    before = ListValue.objects.count()
    response = owner_client.post(reverse("crm:list_edit", args=["source"]), {"list": "value", "op": "add", "name": ""})
    assert "This field is required." in response.content.decode()
    assert ListValue.objects.count() == before


def test_deleting_a_value_in_use_asks_for_a_replacement(owner_client, owner):
    web, event = source("Web"), source("Event")
    contacts = ContactFactory.create_batch(2, source=web)
    page = owner_client.get(reverse("crm:list_value_delete", args=[web.pk])).content.decode()
    assert "2 records use this value." in page
    owner_client.post(reverse("crm:list_value_delete", args=[web.pk]), {"replacement": event.pk})
    assert not ListValue.objects.filter(pk=web.pk).exists()
    for contact in contacts:
        contact.refresh_from_db()
        assert contact.source == event
    entry = ChangeLogEntry.objects.get(object_id=contacts[0].pk)
    assert entry.changes["source"] == {"label": "source", "old": "Web", "new": "Event"}


def test_deleting_a_value_with_blank_replacement(owner_client):
    web = source("Web")
    contact = ContactFactory(source=web)
    owner_client.post(reverse("crm:list_value_delete", args=[web.pk]), {"replacement": ""})
    contact.refresh_from_db()
    assert contact.source is None


def test_categories_add_rename_delete(owner_client):
    url = reverse("crm:categories")
    owner_client.post(url, {"list": "category", "op": "add", "name": "Key customer", "colour": "#dc3545"})
    category = Category.objects.get(name="Key customer")
    contact = ContactFactory()
    contact.categories.add(category)
    owner_client.post(url, {"list": "category", "op": "edit", "pk": category.pk, "name": "VIP", "colour": "#dc3545"})
    assert list(contact.categories.values_list("name", flat=True)) == ["VIP"]
    owner_client.post(url, {"list": "category", "op": "delete", "pk": category.pk})
    assert not contact.categories.exists()


def test_bad_colour_is_refused(owner_client):
    response = owner_client.post(reverse("crm:categories"), {"list": "category", "op": "add", "name": "Odd", "colour": "red"})
    assert "Enter a colour as #RRGGBB." in response.content.decode()
    assert not Category.objects.exists()


def test_category_badges_are_escaped(staff_client):
    category = Category.objects.create(name="<b>bold</b>")
    contact = ContactFactory()
    contact.categories.add(category)
    body = staff_client.get(reverse("crm:contact_list")).content.decode()
    assert "<b>bold</b>" not in body and "&lt;b&gt;bold&lt;/b&gt;" in body
    assert BusinessContact.objects.count() == 1


def test_edit_this_list_is_offered_to_the_owner_only(owner_client, client, staff):
    url = reverse("crm:contact_add")
    assert "Edit this list" in owner_client.get(url).content.decode()
    client.force_login(staff)
    assert "Edit this list" not in client.get(url).content.decode()


@pytest.mark.parametrize("value", ["", "abc", "99999999999999999999", "-1", "\x00"])
def test_an_odd_list_value_or_category_is_not_found(owner_client, value):
    for op in ("edit", "up", "delete"):
        response = owner_client.post(reverse("crm:list_edit", args=["source"]), {"list": "value", "op": op, "pk": value,
                                                                                 "name": "x"})
        assert response.status_code == 404, (op, value)
    if value:
        for data in ({"list": "category", "op": "delete", "pk": value},
                     {"list": "category", "op": "edit", "pk": value, "name": "X", "colour": "#000000"}):
            assert owner_client.post(reverse("crm:categories"), data).status_code == 404, (data, value)
    assert not Category.objects.exists()


def test_a_source_typed_with_a_nul_character_is_refused(staff_client):
    response = staff_client.post(reverse("crm:contact_add"), {"full_name": "Nora Nul", "source": "Fair\x00"})
    assert response.status_code == 200 and "Null characters are not allowed." in response.content.decode()
    assert not BusinessContact.objects.exists() and not ListValue.objects.filter(name__startswith="Fair").exists()
