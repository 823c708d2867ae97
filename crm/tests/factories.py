"""One factory per model, required fields only, plus small helpers."""
import factory
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType

from crm import scoring
from crm.models import (Account, BusinessContact, Category, CriterionMet, HistoryItem, HistoryLink, ListValue,
                        ScoringCriterion)
from crm.permissions import OWNER_GROUP


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw-for-tests-2026")


class OwnerFactory(UserFactory):
    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def owner_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get_or_create(name=OWNER_GROUP)[0])


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    colour = "#198754"


class ListValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ListValue

    kind = "source"
    name = factory.Sequence(lambda n: f"Source {n}")


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n:04d}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessContact

    full_name = factory.Sequence(lambda n: f"Person {n:04d}")
    file_as = factory.LazyAttribute(lambda c: c.full_name)


class HistoryItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HistoryItem

    kind = HistoryItem.Kind.NOTE
    subject = factory.Sequence(lambda n: f"Note {n}")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoringCriterion

    description = factory.Sequence(lambda n: f"Criterion {n}")
    weight = ScoringCriterion.Weight.NORMAL


def link(item: HistoryItem, *records) -> HistoryItem:
    """Link a history item to records (as the services do)."""
    for record in records:
        HistoryLink.objects.create(
            item=item, content_type=ContentType.objects.get_for_model(record, for_concrete_model=True), object_id=record.pk
        )
    return item


# --- Fully filled records (the form round-trip guards) -----------------------------------

def address_values(*prefixes: str) -> dict:
    return {f"{p}_{part}": value for p in prefixes for part, value in (
        ("street", f"{p.title()} street 1\nBuilding B"), ("city", f"{p.title()}ville"), ("state", "Viken"),
        ("postal_code", "0150"), ("country", "Norway"))}


def png_file(name: str = "photo.png"):
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name=name)


def contact_details() -> dict:
    # Values that exports and imports must carry as they are: an internationalised
    # address, a phone starting with + or -, text a spreadsheet would run as a formula.
    return {"email": "ola.full@example.com", "email2": "ola2@example.com", "email3": "françois@bücher.example",
            "web_page": "https://example.com/ola", "business_phone": "+47 22 33 44 55", "mobile_phone": "-47 900",
            "fax": "=1+1", "other_phone": "'+47 1"}


def full_account(**overrides) -> Account:
    """An account with every field of its form filled in."""
    account = AccountFactory(
        name="Fully Filled AS", account_number="ACC-42", office="Oslo office", assigned_to=UserFactory(username="carol"),
        **contact_details(), **address_values("business", "billing", "shipping"), mailing_address="billing",
        comments="First line\nSecond line with <b>bold</b>", **overrides)
    account.categories.add(CategoryFactory(name="Key customer"), CategoryFactory(name="Partner"))
    return account


def full_person(factory_class=None, **overrides) -> BusinessContact:
    """A business contact (or, with LeadFactory, a lead) with every form field filled
    in: names, company and account, numbers, addresses, source, initiated by, a manual
    score with ticked criteria, details, photo, categories and comments."""
    import datetime

    factory_class = factory_class or ContactFactory
    person = factory_class(
        full_name="Ola Fullname", first_name="Ola", last_name="Fullname", file_as="Fullname, Ola (Oslo)",
        job_title="Buyer", company_name="Fully Filled AS", account=AccountFactory(name="Linked Account AS"),
        assigned_to=UserFactory(username="carol"), photo=png_file(), home_phone="+47 22 00 00 01",
        **contact_details(), **address_values("business", "home", "other"), mailing_address="home",
        source=ListValueFactory(name="Trade fair"), initiated_by_account=AccountFactory(name="Referrer AS"),
        score_type="manual", manual_score=4, score=4,
        department="Purchasing", office="HQ", profession="Engineer", manager_name="Kari Boss",
        assistant_name="Per Helper", birthday=datetime.date(1980, 5, 17), anniversary=datetime.date(2005, 6, 1),
        comments="First line\nSecond line with <b>bold</b>", **overrides)
    person.categories.add(CategoryFactory(name="Key customer"), CategoryFactory(name="Partner"))
    criterion = ScoringCriterion.objects.order_by("pk").first()
    CriterionMet.objects.create(contact=person, criterion=criterion)
    person.auto_score = scoring.automatic_score([criterion.weight], ScoringCriterion.objects.values_list("weight", flat=True))
    type(person).objects.filter(pk=person.pk).update(auto_score=person.auto_score)
    return person


def criteria_met(person) -> list[int]:
    return sorted(CriterionMet.objects.filter(contact_id=person.pk).values_list("criterion_id", flat=True))
