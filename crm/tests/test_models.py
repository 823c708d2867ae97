import pytest
from django.core.exceptions import ValidationError

from crm.models import Account, BusinessContact, HistoryItem


@pytest.mark.django_db
class TestBusinessContactClean:
    def test_names_and_file_as_are_filled_from_the_full_name(self):
        contact = BusinessContact(full_name="  Anna   Hansen ")
        contact.full_clean()
        assert (contact.full_name, contact.first_name, contact.last_name, contact.file_as) == (
            "Anna Hansen", "Anna", "Hansen", "Hansen, Anna")

    def test_typed_file_as_is_kept(self):
        contact = BusinessContact(full_name="Anna Hansen", file_as="Anna (Oslo office)")
        contact.full_clean()
        assert contact.file_as == "Anna (Oslo office)"

    def test_mailing_address_must_point_at_a_filled_address(self):
        contact = BusinessContact(full_name="Anna Hansen", business_city="Oslo", mailing_address="home")
        with pytest.raises(ValidationError) as error:
            contact.full_clean()
        assert "The Home address is empty" in str(error.value)

    def test_the_only_filled_address_becomes_the_mailing_address(self):
        contact = BusinessContact(full_name="Anna Hansen", home_city="Oslo")
        contact.full_clean()
        assert contact.mailing_address == "home"
        assert contact.mailing_address_lines == ["Oslo"]

    def test_initiated_by_one_record_only(self):
        account = Account.objects.create(name="Acme")
        other = BusinessContact.objects.create(full_name="Ola Berg")
        contact = BusinessContact(full_name="Anna Hansen", initiated_by_account=account, initiated_by_contact=other)
        with pytest.raises(ValidationError):
            contact.full_clean()


def test_account_address_lines():
    account = Account(name="Acme", business_street="1 Main St\nBuilding B", business_postal_code="0150",
                      business_city="Oslo", business_country="Norway")
    assert account.address_lines("business") == ["1 Main St", "Building B", "0150 Oslo", "Norway"]


@pytest.mark.parametrize("language", ["en", "fr", "pl"])
def test_history_choice_displays_match_djangos(language):
    """HistoryItem's get_FOO_display() are written out for speed: same result as Django's."""
    from django.db.models import Model
    from django.utils import translation

    with translation.override(language):
        for name in ("kind", "direction", "status", "priority"):
            field = HistoryItem._meta.get_field(name)
            for value in [value for value, _label in field.flatchoices] + ["", "bogus"]:
                item = HistoryItem(**{name: value})
                assert getattr(item, f"get_{name}_display")() == Model._get_FIELD_display(item, field)


def test_record_urls_match_reverse():
    """get_absolute_url() reverses each URL name once (crm.generic.registry.pk_url)."""
    from django.urls import reverse, set_script_prefix

    # Leads: leads/tests/test_models.py.
    for make, name in [(Account, "crm:account_detail"), (BusinessContact, "crm:contact_detail"),
                       (HistoryItem, "crm:history_detail")]:
        for pk in (1, 987654321, 12):
            obj = make(pk=pk)
            assert obj.get_absolute_url() == reverse(name, args=[pk])
    try:
        set_script_prefix("/crm/")
        assert Account(pk=3).get_absolute_url() == "/crm/accounts/3/" == reverse("crm:account_detail", args=[3])
    finally:
        set_script_prefix("/")
