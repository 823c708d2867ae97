"""One factory per model, required fields only, plus small helpers."""
import factory
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType

from crm.models import Account, BusinessContact, Category, HistoryItem, HistoryLink, ListValue
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


def link(item: HistoryItem, *records) -> HistoryItem:
    """Link a history item to records (as the services do)."""
    for record in records:
        HistoryLink.objects.create(
            item=item, content_type=ContentType.objects.get_for_model(record, for_concrete_model=True), object_id=record.pk
        )
    return item
