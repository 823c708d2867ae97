"""The reusable "linked to one record" piece (crm.generic.links) on a throwaway
model: what one declaration gives — the record's side, the rule, the database
constraint, the form field and its errors, the name filter."""
import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.test.utils import isolate_apps

from crm.generic.forms import RecordForm
from crm.generic.links import LinkedRecord
from crm.models import Account, BusinessContact, Category
from crm.models.base import Record
from crm.tests.factories import AccountFactory, ContactFactory


@pytest.fixture
def visit_model():
    """A record type linked to exactly one account or business contact, and
    optionally "referred by" one of them, declared as a new type would be."""
    with isolate_apps("crm", "django.contrib.auth") as isolated:
        # What every record refers to (its assignee, its categories), known to the throwaway registry.
        isolated.register_model("auth", get_user_model())
        isolated.register_model("crm", Category)

        class Visit(Record):
            title = models.CharField(max_length=50)
            account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
            contact = models.ForeignKey(BusinessContact, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
            referred_by_account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL,
                                                    related_name="+")
            referred_by_contact = models.ForeignKey(BusinessContact, null=True, blank=True,
                                                    on_delete=models.SET_NULL, related_name="+")
            linked = LinkedRecord("account", "contact", required=True, verbose_name="Link to",
                                  message="Link the visit to one account or one business contact.")
            referred_by = LinkedRecord("referred_by_account", "referred_by_contact", verbose_name="Referred by")

            class Meta:
                app_label = "crm"

        yield Visit


def test_the_record_reads_and_sets_its_link(visit_model, db):
    account, contact = AccountFactory(name="Litware"), ContactFactory(full_name="Anna Hansen")
    visit = visit_model(title="Fair", account=account)
    assert visit.linked == account
    visit.linked = contact
    assert (visit.account, visit.contact, visit.linked) == (None, contact, contact)
    visit.linked = None
    assert (visit.account_id, visit.contact_id, visit.linked) == (None, None, None)
    assert visit_model.record_links == {"linked": visit_model.linked, "referred_by": visit_model.referred_by}
    assert visit_model.linked.types() == ["account", "contact"]


def test_the_rule_is_checked_on_the_link_and_by_the_database(visit_model, db):
    account, contact = AccountFactory(), ContactFactory()
    with pytest.raises(ValidationError) as none:
        visit_model(title="Fair").full_clean()
    assert none.value.message_dict == {"linked": ["Link the visit to one account or one business contact."]}
    with pytest.raises(ValidationError) as both:
        visit_model(title="Fair", account=account, contact=contact, referred_by_account=account,
                    referred_by_contact=contact).full_clean()
    assert both.value.message_dict == {"linked": ["Link the visit to one account or one business contact."],
                                       "referred_by": ["Link to one record only."]}
    visit_model(title="Fair", contact=contact).full_clean()  # one link, no referrer: fine
    # The required link is a CHECK constraint too (exactly one of the two keys).
    constraint = next(c for c in visit_model._meta.constraints if c.name == "visit_linked_one")
    assert str(constraint.condition) == str(
        models.Q(account__isnull=False, contact__isnull=True) | models.Q(account__isnull=True, contact__isnull=False))
    assert [c.name for c in visit_model._meta.constraints] == ["visit_linked_one"]  # not for the optional link



def test_the_constraint_of_a_required_link_reaches_the_migrations(visit_model):
    """``makemigrations`` writes what ``ModelState.from_model`` reads, which takes
    ``Meta.constraints`` only when the model's Meta declares some: the link's
    constraint must be there also for a model whose Meta has none (as here)."""
    from django.db.migrations.state import ModelState

    state = ModelState.from_model(visit_model)
    assert [c.name for c in state.options.get("constraints", [])] == ["visit_linked_one"]

def test_the_form_shows_the_link_and_sets_it(visit_model, db):
    account, contact = AccountFactory(name="Litware"), ContactFactory(full_name="Anna Hansen")

    class VisitForm(RecordForm):
        linked = visit_model.linked.formfield()
        referred_by = visit_model.referred_by.formfield()

        class Meta:
            model = visit_model
            fields = ["title"]

    form = VisitForm(instance=visit_model(pk=7, title="Fair", account=account, referred_by_contact=contact))
    assert form.initial["linked"] == f"account:{account.pk}"
    assert form.initial["referred_by"] == f"contact:{contact.pk}"
    assert form["linked"].label == "Link to" and form.fields["linked"].required
    assert form.fields["linked"].widget.types == ["account", "contact"]

    form = VisitForm({"title": "Fair", "linked": f"contact:{contact.pk}", "referred_by": ""},
                     instance=visit_model(title="", account=account))
    assert form.is_valid(), form.errors
    assert (form.instance.account, form.instance.contact) == (None, contact)

    form = VisitForm({"title": "Fair", "linked": "", "referred_by": f"opportunity:{account.pk}"},
                     instance=visit_model())
    assert not form.is_valid()
    assert form.errors == {"linked": ["This field is required."], "referred_by": ["Choose a record."]}


def test_a_form_that_shows_the_keys_gets_the_link_error_on_the_first(visit_model, db):
    """The admin shows the foreign keys, not the link: its error goes beside them."""
    from crm.generic.links import LinkFormMixin

    class KeysForm(LinkFormMixin, forms.ModelForm):
        class Meta:
            model = visit_model
            fields = ["title", "account", "contact"]

    form = KeysForm({"title": "Fair", "account": "", "contact": ""})
    assert not form.is_valid()
    assert form.errors == {"account": ["Link the visit to one account or one business contact."]}
