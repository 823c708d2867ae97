"""The built-in sales stages read in the user's language, as the specification names them."""
import pytest
from django.urls import reverse
from django.utils import translation

from crm.tests.test_translations import SPEC_TERMS


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["fr", "nb"])
def test_built_in_stages_read_in_the_users_language(code):
    from sales.models import SalesStage

    with translation.override(code):
        assert str(SalesStage.objects.get(kind="won")) == SPEC_TERMS[code]["Closed Won"]
        assert str(SalesStage.objects.get(kind="lost")) == SPEC_TERMS[code]["Closed Lost"]


@pytest.mark.django_db
def test_opportunity_list_shows_built_in_stage_in_the_users_language(staff_client, staff):
    from crm.models import UserPreferences
    from sales.tests.factories import create_won_opportunity

    create_won_opportunity(title="Fjord deal")
    UserPreferences.objects.create(user=staff, language="nb")
    staff_client.post(reverse("crm:preferences"), {"language": "nb"})
    body = staff_client.get(reverse("sales:opportunity_list")).content.decode()
    assert "Fjord deal" in body and "Lukket/avtale inngått" in body and "Closed Won" not in body
