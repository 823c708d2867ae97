"""Messages read as English sentences: counts take the plural they need
("1 record", "2 records"), and no sentence ends in a second period after a
time that already ends with one ("3 p.m.")."""
import datetime
import re
import zoneinfo

import pytest
from django.urls import reverse

from crm.models import Account, ListValue
from crm.tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize("users, message", [(1, "“Web” was deleted; 1 record changed."),
                                            (2, "“Web” was deleted; 2 records changed.")])
def test_deleting_a_list_value_counts_the_changed_records(owner_client, users, message):
    web = ListValue.objects.get(kind="source", name="Web")
    ContactFactory.create_batch(users, source=web)
    response = owner_client.post(reverse("crm:list_value_delete", args=[web.pk]), {"replacement": ""}, follow=True)
    assert messages_of(response) == [message]


def test_a_records_times_end_no_sentence_with_two_periods(staff_client, owner, settings):
    """The detail page's created / last changed times at 3 p.m.: "p.m." once, no "p.m..")."""
    paris = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    account = AccountFactory(created_by=owner)
    afternoon = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=paris)
    Account.objects.filter(pk=account.pk).update(created=afternoon, modified=afternoon)
    body = staff_client.get(reverse("crm:account_detail", args=[account.pk])).content.decode()
    text = re.sub(r"<[^>]+>", " ", body)
    assert "Nov. 20, 2026, 3 p.m." in text
    assert "p.m.." not in text and "a.m.." not in text
    assert re.search(r"Created\s+Nov\. 20, 2026, 3 p\.m\.\s+Created by\s+Olivia Owner\s+Last changed\s+Nov\. 20, 2026, 3 p\.m\.",
                     text), text
