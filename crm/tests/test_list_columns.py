"""The column chooser of record lists: fewer columns by default, each user's
choice per list remembered in the database, no extra query on a list page."""
import re

import pytest
from django.test import Client
from django.urls import reverse

from crm.generic.views.lists import LIST_COLUMNS_SESSION_KEY
from crm.models import UserPreferences
from crm.tables import AccountTable
from crm.tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def headers(response) -> list[str]:
    """The list table's column headers (after the select-all box)."""
    head = response.content.decode().split("<thead>", 1)[1].split("</thead>", 1)[0]
    cells = re.findall(r'<th scope="col">(.*?)</th>', head, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def test_the_title_always_shows_and_unknown_names_are_ignored():
    assert AccountTable.clean_columns(["created", "<script>", "email", "email"]) == ["name", "email", "created"]
    assert AccountTable.clean_columns([]) == ["name"]
    choices = {c["name"]: c for c in AccountTable.column_choices(["created"])}
    assert choices["name"]["locked"] and choices["name"]["shown"]
    assert choices["created"]["shown"] and not choices["email"]["shown"]
    assert str(choices["business_city"]["label"]) == "City"


def test_the_list_shows_the_default_columns_and_offers_the_others(staff_client):
    AccountFactory(name="Acme")
    response = staff_client.get(reverse("crm:account_list"))
    assert headers(response) == ["Account name", "Business phone", "E-mail", "City", "Assigned to", "Categories"]
    body = response.content.decode()
    assert re.search(r'<input class="form-check-input" type="checkbox" name="columns" value="created" '
                     r'id="column-created">\s*<label class="form-check-label" for="column-created">Created</label>', body)
    assert 'value="name" id="column-name" checked disabled' in body


def test_a_chosen_set_of_columns_is_stored_and_shown_until_reset(staff_client, staff):
    url = reverse("crm:account_columns")
    response = staff_client.post(url, {"columns": ["created", "email", "no_such_column"], "next": "/accounts/?q=ac"})
    assert response.status_code == 302 and response["Location"] == "/accounts/?q=ac"
    assert UserPreferences.objects.get(user=staff).list_columns == {"account": ["name", "email", "created"]}
    assert headers(staff_client.get(reverse("crm:account_list"))) == ["Account name", "E-mail", "Created"]
    # Another list keeps its defaults.
    assert "Company" in headers(staff_client.get(reverse("crm:contact_list")))

    response = staff_client.post(url, {"reset": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("crm:account_list")
    assert UserPreferences.objects.get(user=staff).list_columns == {}
    assert len(headers(staff_client.get(reverse("crm:account_list")))) == 6


def test_an_htmx_choice_answers_no_content_and_a_foreign_next_is_not_followed(staff_client, staff):
    url = reverse("crm:contact_columns")
    response = staff_client.post(url, {"columns": ["job_title"]}, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert UserPreferences.objects.get(user=staff).list_columns == {"contact": ["full_name", "job_title"]}
    response = staff_client.post(url, {"columns": ["job_title"], "next": "https://evil.example.com/"})
    assert response["Location"] == reverse("crm:contact_list")


def test_the_choice_is_per_user_and_survives_signing_in_again(staff, other_staff):
    alice, bob = Client(), Client()
    alice.force_login(staff)
    bob.force_login(other_staff)
    alice.post(reverse("crm:contact_columns"), {"columns": ["job_title", "created"]})
    assert headers(bob.get(reverse("crm:contact_list")))[:2] == ["Full name", "Company"]
    again = Client()
    again.force_login(staff)
    assert headers(again.get(reverse("crm:contact_list"))) == ["Full name", "Job title", "Created"]


def test_a_list_page_reads_the_choice_without_a_query(staff_client, staff, django_assert_max_num_queries):
    """Signing in puts the choices in the session; a session from before them reads them once."""
    ContactFactory()
    staff_client.post(reverse("crm:contact_columns"), {"columns": ["job_title"]})
    url = reverse("crm:contact_list")
    staff_client.get(url)
    with django_assert_max_num_queries(50) as queries:
        staff_client.get(url)
    assert not any("crm_userpreferences" in q["sql"] for q in queries.captured_queries)

    session = staff_client.session
    del session[LIST_COLUMNS_SESSION_KEY]
    session.save()
    with django_assert_max_num_queries(50) as queries:
        assert headers(staff_client.get(url)) == ["Full name", "Job title"]
    assert sum("crm_userpreferences" in q["sql"] for q in queries.captured_queries) == 1
    with django_assert_max_num_queries(50) as queries:
        staff_client.get(url)
    assert not any("crm_userpreferences" in q["sql"] for q in queries.captured_queries)


def test_sorting_by_a_hidden_column_falls_back_to_the_default_order(staff_client):
    AccountFactory(name="Beta")
    AccountFactory(name="alpha")
    response = staff_client.get(reverse("crm:account_list"), {"sort": "-created"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("alpha") < body.index("Beta")
