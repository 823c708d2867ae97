"""E-mail addresses: internationalised ones (RFC 6531 local parts, IDN
domains) are valid, and the record forms, the models and the import accept
exactly the same addresses (one validator, crm.validators.validate_email)."""
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from crm.models import Account, BusinessContact
from crm.validators import validate_email

INTERNATIONAL = ["françois@example.com", "ana@bücher.example", "zoë.lefèvre@café.fr", "用户@例子.广告"]
INVALID = ["françois", "a b@example.com", "two@@example.com", "dot..dot@example.com", "x@y"]


@pytest.mark.parametrize("address", INTERNATIONAL + ["plain@example.com", '"quoted"@example.com'])
def test_international_addresses_are_valid(address):
    validate_email(address)


@pytest.mark.parametrize("address", INVALID)
def test_invalid_addresses_are_refused(address):
    with pytest.raises(ValidationError):
        validate_email(address)


@pytest.mark.parametrize("model", [Account, BusinessContact])
def test_the_models_use_the_same_check(model):
    for name in ("email", "email2", "email3"):
        field = model._meta.get_field(name)
        field.run_validators("françois@example.com")
        with pytest.raises(ValidationError):
            field.run_validators("dot..dot@example.com")


@pytest.mark.django_db
@pytest.mark.parametrize("address", INTERNATIONAL)
def test_the_contact_form_accepts_an_international_address(staff_client, address):
    response = staff_client.post(reverse("crm:contact_add"), {"full_name": "François Dupont", "email": address,
                                                              "_save_close": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert BusinessContact.objects.get().email == address


@pytest.mark.django_db
def test_the_account_form_still_refuses_a_bad_address(staff_client):
    response = staff_client.post(reverse("crm:account_add"), {"name": "Acme", "email": "dot..dot@example.com"})
    assert response.status_code == 200 and "Enter a valid email address." in response.content.decode()
    assert not Account.objects.exists()
