"""Lead search: the leads list and the Link to dialog find leads by the start of
each word, as for business contacts (crm.generic.search)."""
import pytest
from django.urls import reverse

from crm.tests.factories import ContactFactory
from crm.tests.test_search import people  # noqa: F401 (the fixture of the names searched)

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("people")
def test_leads_list_and_link_to_dialog_search_the_same_way(staff_client):
    ContactFactory(full_name="Lead Hansen", is_lead=True, email="lead@hansenfirm.example")
    body = staff_client.get(reverse("leads:lead_list"), {"q": "hansenf"}).content.decode()
    assert "Lead Hansen" in body and "1 record" in body
    body = staff_client.get(reverse("leads:lead_list"), {"q": "ansen"}).content.decode()
    assert "Lead Hansen" not in body
    body = staff_client.get(reverse("crm:link_to_search"), {"types": "contact", "q": "hans"}).content.decode()
    assert "Anna Hansen" in body and "Per Johansen" not in body and "Lead Hansen" not in body
    body = staff_client.get(reverse("crm:link_to_search"), {"types": "lead", "q": "hans"}).content.decode()
    assert "Lead Hansen" in body and "Anna Hansen" not in body
