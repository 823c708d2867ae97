"""A site visit is for one account or one business contact, never both and
never neither: on the form, in the admin and in the database."""
import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from crm.generic.testing import submitted_form
from crm.models import ChangeLogEntry
from crm.tests.admin_forms import page_data
from crm.tests.factories import AccountFactory, ContactFactory
from sample_records.models import SiteVisit
from sample_records.tests.factories import SiteVisitFactory

pytestmark = pytest.mark.django_db

ADD = reverse("sample_records:site_visit_add")


def test_the_form_without_a_link_says_so_beside_the_link_and_keeps_the_typing(staff_client):
    response = staff_client.post(ADD, {"title": "Roof survey", "visit_date": "2026-05-04", "kind": "survey",
                                       "comments": "Typed text is kept", "_save_close": "1"})
    body = response.content.decode()
    assert response.status_code == 200
    # The error sits in the Link to field's block, whose group is marked invalid (so it shows).
    assert '<div class="input-group link-to is-invalid"' in body
    assert '<div id="id_linked_error" class="invalid-feedback"> <span id="error_1_id_linked"><strong>This field is ' \
           'required.</strong></span> </div>' in body
    assert 'value="Roof survey"' in body and "Typed text is kept" in body
    assert not SiteVisit.objects.exists()


def test_the_form_links_to_a_contact_and_clears_the_account(staff_client):
    """Picked in the Link to dialog (value "contact:<pk>"): the account goes, the
    change log says both, the record page links the contact."""
    account, anna = AccountFactory(name="Nordic Fjord AS"), ContactFactory(full_name="Anna Hansen")
    visit = SiteVisitFactory(title="Roof survey", account=account)
    edit = reverse("sample_records:site_visit_edit", args=[visit.pk])
    data = submitted_form(staff_client.get(edit).content.decode(), class_="record-form")
    assert data["linked"] == [f"account:{account.pk}"]
    data.update(linked=[f"contact:{anna.pk}"], _save_close=[""])
    assert staff_client.post(edit, data).status_code == 302
    visit.refresh_from_db()
    assert (visit.account, visit.contact, visit.linked) == (None, anna, anna)
    changes = ChangeLogEntry.objects.get(object_id=visit.pk, action="update").changes
    assert {name: (change["old"], change["new"]) for name, change in changes.items()} == {
        "account": ("Nordic Fjord AS", ""), "contact": ("", "Anna Hansen")}
    page = staff_client.get(visit.get_absolute_url()).content.decode()
    assert f'<a href="{anna.get_absolute_url()}">Anna Hansen</a>' in page


@pytest.mark.parametrize("value, message", [
    ("opportunity:1", "Choose a record."),    # not a type the link takes
    ("account:abc", "Choose a record."),
    ("account:999999", "That record no longer exists."),
])
def test_an_odd_link_is_refused_beside_it(staff_client, value, message):
    response = staff_client.post(ADD, {"title": "Roof survey", "visit_date": "2026-05-04", "kind": "survey",
                                       "linked": value})
    assert response.status_code == 200 and message in response.content.decode()
    assert not SiteVisit.objects.exists()


def test_the_admin_refuses_both_keys_beside_the_first(admin_client):
    """The admin shows the two keys (not the Link to control): the rule's error
    goes beside the account."""
    account, contact = AccountFactory(), ContactFactory()
    add = reverse("admin:sample_records_sitevisit_add")
    data = {**page_data(admin_client.get(add)), "title": "Both", "visit_date": "2026-05-04", "kind": "survey",
            "account": account.pk, "contact": contact.pk}
    response = admin_client.post(add, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "account": ["Link the site visit to one account or one business contact."]}
    assert not SiteVisit.objects.exists()


def test_the_database_refuses_both_or_neither():
    """The rule is a CHECK constraint too (crm.generic.links), for writes that
    bypass the model's rules."""
    visit = SiteVisitFactory()
    for values in ({"contact": ContactFactory()}, {"account": None}):
        with pytest.raises(IntegrityError), transaction.atomic():
            SiteVisit.objects.filter(pk=visit.pk).update(**values)
