"""Communication history: items, links, roll-up, attachments, e-mail and meeting requests."""
import datetime
import re

import icalendar
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from crm import selectors
from crm.models import HistoryItem, HistoryLink
from crm.tests.factories import AccountFactory, ContactFactory, HistoryItemFactory, link

pytestmark = pytest.mark.django_db


def history_url(record_type: str, pk: int, kind: str = "") -> str:
    if kind:
        return reverse(f"crm:{record_type}_history_add", args=[pk, kind])
    return reverse(f"crm:{record_type}_history", args=[pk])


def test_phone_log_from_a_contact_is_linked_and_rolls_up_to_its_account(staff_client, staff):
    account = AccountFactory(name="Acme")
    contact = ContactFactory(account=account)
    response = staff_client.post(history_url("contact", contact.pk, "phone"), {
        "subject": "Called about pricing", "occurred_at": "2026-11-20T10:30", "direction": "out",
        "phone_number": "+47 22 00 00 00", "duration_minutes": "12", "body": "Wants a quote",
    })
    assert response.status_code == 302
    item = HistoryItem.objects.get()
    assert (item.kind, item.author, item.duration_minutes) == ("phone", staff, 12)
    assert "Called about pricing" in staff_client.get(history_url("contact", contact.pk)).content.decode()
    assert "Called about pricing" in staff_client.get(history_url("account", account.pk)).content.decode()


def test_history_is_newest_first_and_filterable_by_type(staff_client):
    contact = ContactFactory()
    link(HistoryItemFactory(subject="Older note", occurred_at="2026-01-01T10:00Z"), contact)
    link(HistoryItemFactory(subject="Newer call", kind="phone", occurred_at="2026-06-01T10:00Z"), contact)
    body = staff_client.get(history_url("contact", contact.pk)).content.decode()
    assert body.index("Newer call") < body.index("Older note")
    body = staff_client.get(history_url("contact", contact.pk), {"kind": "note"}).content.decode()
    assert "Older note" in body and "Newer call" not in body


def test_roll_up_does_not_show_other_accounts_items():
    account, other = AccountFactory(), AccountFactory()
    mine = link(HistoryItemFactory(), ContactFactory(account=account))
    link(HistoryItemFactory(), ContactFactory(account=other))
    own = link(HistoryItemFactory(), account)
    assert set(selectors.history_for_record(account)) == {mine, own}


def test_history_page_query_count_is_constant(staff_client, django_assert_max_num_queries):
    account = AccountFactory()
    for _ in range(3):
        link(HistoryItemFactory(), ContactFactory(account=account))
    with django_assert_max_num_queries(15) as few:
        staff_client.get(history_url("account", account.pk))
    for _ in range(30):
        link(HistoryItemFactory(kind="task", assigned_to=None), ContactFactory(account=account))
    with django_assert_max_num_queries(len(few.captured_queries)):
        staff_client.get(history_url("account", account.pk))


def test_every_kind_has_a_form(staff_client):
    contact = ContactFactory()
    for kind in HistoryItem.Kind.values:
        assert staff_client.get(history_url("contact", contact.pk, kind)).status_code == 200
    assert staff_client.get(history_url("contact", contact.pk, "fax")).status_code == 404


def test_appointment_ending_before_it_starts_is_refused(staff_client):
    contact = ContactFactory()
    response = staff_client.post(history_url("contact", contact.pk, "appointment"), {
        "subject": "Demo", "occurred_at": "2026-11-20T10:00", "end_at": "2026-11-20T09:00",
    })
    assert "The end is before the start." in response.content.decode()
    assert not HistoryItem.objects.exists()


class TestAttachments:
    def test_attach_a_file_and_download_it(self, staff_client, settings):
        contact = ContactFactory()
        upload = SimpleUploadedFile("quote.pdf", b"%PDF-1.4 quote", content_type="application/pdf")
        response = staff_client.post(history_url("contact", contact.pk, "file"), {"occurred_at": "2026-11-20T10:00", "file": upload})
        assert response.status_code == 302
        item = HistoryItem.objects.get()
        assert (item.subject, item.file_name, item.file_size) == ("quote.pdf", "quote.pdf", 14)
        assert "quote" not in item.file.name  # stored under a random name
        download = staff_client.get(reverse("crm:history_file", args=[item.pk]))
        assert download["Content-Disposition"].startswith('attachment; filename="quote.pdf"')
        assert b"".join(download.streaming_content) == b"%PDF-1.4 quote"

    def test_a_file_over_the_limit_is_refused(self, staff_client, settings):
        settings.CRM_MAX_UPLOAD_SIZE = 1024
        contact = ContactFactory()
        upload = SimpleUploadedFile("big.pdf", b"x" * 2048)
        response = staff_client.post(history_url("contact", contact.pk, "file"), {"occurred_at": "2026-11-20T10:00", "file": upload})
        assert "The file is 2.0\xa0KB; the limit is 1.0\xa0KB." in response.content.decode()
        assert not HistoryItem.objects.exists()

    @pytest.mark.parametrize("name, message", [
        ("invoice.pdf.exe", "Files of type .exe can run programs or scripts and cannot be attached."),
        ("page.html", "Files of type .html can run programs or scripts and cannot be attached."),
    ])
    def test_a_dangerous_name_is_refused(self, staff_client, name, message):
        contact = ContactFactory()
        upload = SimpleUploadedFile(name, b"MZ")
        response = staff_client.post(history_url("contact", contact.pk, "file"), {"occurred_at": "2026-11-20T10:00", "file": upload})
        assert message in response.content.decode()
        assert not HistoryItem.objects.exists()

    def test_path_in_a_name_never_reaches_the_disk(self, staff_client):
        contact = ContactFactory()
        upload = SimpleUploadedFile("../../etc/passwd.txt", b"text")
        staff_client.post(history_url("contact", contact.pk, "file"), {"occurred_at": "2026-11-20T10:00", "file": upload})
        for item in HistoryItem.objects.all():
            assert ".." not in item.file.name and item.file.name.startswith("attachments/")

    def test_a_file_is_required(self, staff_client):
        contact = ContactFactory()
        response = staff_client.post(history_url("contact", contact.pk, "file"), {"occurred_at": "2026-11-20T10:00"})
        assert "This field is required." in response.content.decode()
        assert not HistoryItem.objects.exists()


class TestLinkToRecord:
    def test_link_an_existing_item_to_another_record(self, staff_client):
        contact, account = ContactFactory(), AccountFactory(name="Acme")
        item = link(HistoryItemFactory(subject="Imported e-mail", kind="email"), contact)
        response = staff_client.post(reverse("crm:history_link", args=[item.pk]), {"record": f"account:{account.pk}"})
        assert response.status_code == 302
        assert "Imported e-mail" in staff_client.get(history_url("account", account.pk)).content.decode()
        detail = staff_client.get(item.get_absolute_url()).content.decode()
        assert "Acme" in detail and str(contact) in detail

    def test_unknown_record_is_refused(self, staff_client):
        item = link(HistoryItemFactory(), ContactFactory())
        response = staff_client.post(reverse("crm:history_link", args=[item.pk]), {"record": "account:999999"})
        assert "That record no longer exists." in response.content.decode()
        assert item.links.count() == 1

    def test_unlink_keeps_at_least_one_link(self, staff_client):
        contact, account = ContactFactory(), AccountFactory()
        item = link(HistoryItemFactory(), contact, account)
        staff_client.post(reverse("crm:history_link", args=[item.pk]), {"unlink": f"account:{account.pk}"})
        assert item.links.count() == 1
        response = staff_client.post(reverse("crm:history_link", args=[item.pk]), {"unlink": f"contact:{contact.pk}"}, follow=True)
        assert "An item must stay linked to at least one record" in response.content.decode()
        assert item.links.count() == 1


class TestEmailAndMeeting:
    def test_email_logs_an_item_and_opens_mailto(self, staff_client):
        contact = ContactFactory(email="anna@example.com", full_name="Anna Hansen")
        response = staff_client.post(reverse("crm:contact_email", args=[contact.pk]))
        assert response.status_code == 302
        assert response["Location"].startswith("mailto:anna@example.com?subject=")
        item = HistoryItem.objects.get()
        assert (item.kind, item.email_to) == ("email", "anna@example.com")
        assert HistoryLink.objects.filter(item=item, object_id=contact.pk).exists()

    def test_email_without_an_address_says_so(self, staff_client):
        contact = ContactFactory(full_name="No Mail")
        response = staff_client.post(reverse("crm:contact_email", args=[contact.pk]), follow=True)
        assert "No Mail has no e-mail address." in response.content.decode()
        assert not HistoryItem.objects.exists()

    def test_meeting_request_downloads_an_invitation_and_logs_an_appointment(self, staff_client, staff):
        contact = ContactFactory(email="anna@example.com", full_name="Anna, the \"buyer\"")
        response = staff_client.post(reverse("crm:contact_meeting", args=[contact.pk]), {
            "subject": "Demo; pricing, and more", "start": "2026-12-01T10:00", "duration": "45", "location": "Oslo",
        })
        assert response["Content-Type"].startswith("text/calendar")
        calendar = icalendar.Calendar.from_ical(response.content)
        event = next(iter(calendar.walk("VEVENT")))
        assert str(event["SUMMARY"]) == "Demo; pricing, and more"
        assert str(event["ATTENDEE"]) == "mailto:anna@example.com"
        assert (event["DTEND"].dt - event["DTSTART"].dt).total_seconds() == 45 * 60
        assert calendar["METHOD"] == "REQUEST"
        item = HistoryItem.objects.get()
        assert (item.kind, item.location) == ("appointment", "Oslo")
        # What mail programs match and show: the item's UID, the times in UTC, who invites
        # whom (double quotes left out of the names), the subject escaped as RFC 5545 says.
        assert str(event["UID"]) == f"crm-history-{item.pk}@crm"
        start = timezone.make_aware(datetime.datetime(2026, 12, 1, 10, 0)).astimezone(datetime.UTC)
        assert (event["DTSTART"].dt, event["DTEND"].dt) == (start, start + datetime.timedelta(minutes=45))
        assert str(event["ORGANIZER"]) == f"mailto:{staff.email or 'alice@localhost'}"
        assert event["ORGANIZER"].params["CN"] == "Alice Martin"
        assert event["ATTENDEE"].params["CN"] == "Anna, the buyer"
        raw = response.content.decode()
        assert raw.endswith("\r\n") and "\n" not in raw.replace("\r\n", "")
        assert "\r\nMETHOD:REQUEST\r\n" in raw
        assert "\r\nSUMMARY:Demo\\; pricing\\, and more\r\n" in raw
        assert f"\r\nDTSTART:{start:%Y%m%dT%H%M%SZ}\r\n" in raw

    def test_meeting_request_refuses_a_bad_duration(self, staff_client):
        contact = ContactFactory(email="anna@example.com")
        response = staff_client.post(reverse("crm:contact_meeting", args=[contact.pk]), {
            "subject": "Demo", "start": "2026-12-01T10:00", "duration": "0"})
        assert "Ensure this value is greater than or equal to 5." in response.content.decode()
        assert not HistoryItem.objects.exists()


def test_rolled_up_items_say_which_record_they_belong_to(staff_client):
    account = AccountFactory()
    contact = ContactFactory(account=account, full_name="Ola Berg")
    link(HistoryItemFactory(subject="Call with Ola"), contact)
    body = staff_client.get(history_url("account", account.pk)).content.decode()
    assert f'<a href="{contact.get_absolute_url()}">Ola Berg</a>' in body


def test_link_to_record_refuses_a_malformed_choice(staff_client):
    item = link(HistoryItemFactory(), ContactFactory())
    response = staff_client.post(reverse("crm:history_link", args=[item.pk]), {"record": "nonsense"})
    assert "Choose a record." in response.content.decode()
    assert item.links.count() == 1


# The History rows as the template drew them before crm.tables.history_rows took over.
OLD_ROW_TEMPLATE = """{% load i18n crm %}""" + '  {% for item in page %}\n  <tr>\n    <td class="text-nowrap"><i class="bi bi-{{ item.icon }}" aria-hidden="true"></i> {{ item.get_kind_display }}</td>\n    <td><a href="{{ item.get_absolute_url }}">{{ item.subject }}</a></td>\n    <td class="text-nowrap">{{ item.occurred_at|date:"SHORT_DATETIME_FORMAT" }}</td>\n    <td>{{ item.author|user_display }}</td>\n    <td class="small">{% for rtype, record in item.linked %}{% if record != object %}<a href="{{ record.get_absolute_url }}">{{ record }}</a>{% if not forloop.last %}, {% endif %}{% endif %}{% endfor %}</td>\n    <td class="small text-muted">\n      {% if item.kind == "phone" %}{{ item.get_direction_display }}{% if item.duration_minutes %} · {% blocktranslate count counter=item.duration_minutes %}{{ counter }} minute{% plural %}{{ counter }} minutes{% endblocktranslate %}{% endif %}{% if item.phone_number %} · {{ item.phone_number }}{% endif %}\n      {% elif item.kind == "task" %}{{ item.get_status_display }}{% if item.due_date %} · {% translate "due" %} {{ item.due_date|date:"SHORT_DATE_FORMAT" }}{% endif %}{% if item.assigned_to %} · {{ item.assigned_to|user_display }}{% endif %}\n      {% elif item.kind == "appointment" %}{{ item.location }}\n      {% elif item.kind == "email" %}{{ item.email_to|truncatechars:60 }}\n      {% elif item.kind == "file" %}{{ item.file_name }}{% if item.file_size %} ({{ item.file_size|filesizeformat }}){% endif %}\n      {% endif %}\n    </td>\n  </tr>\n  {% endfor %}'


def _normalized(html: str) -> str:
    html = re.sub(r"(<td[^>]*>)\s+", r"\1", html)
    html = re.sub(r"\s+</td>", "</td>", html)
    return re.sub(r"\s+", " ", html).strip()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_history_rows_match_the_template_they_replace(staff, other_staff, language):
    import datetime

    from django.template import Context, Template
    from django.utils import translation

    from crm.tables import history_rows

    account = AccountFactory(name="Acme <&> Co")
    contact = ContactFactory(full_name='Anna "Hansen"', account=account)
    other = ContactFactory(full_name="Jean Dubois")
    items = [
        link(HistoryItemFactory(subject="<b>Note</b>", author=staff), contact, account),
        link(HistoryItemFactory(kind="phone", subject="Call", direction="out", duration_minutes=1, phone_number="+47 <1>"), contact),
        link(HistoryItemFactory(kind="phone", subject="Call 2", direction="in", duration_minutes=5, author=other_staff), account, contact),
        link(HistoryItemFactory(kind="phone", subject="Call 3"), contact, other),
        link(HistoryItemFactory(kind="task", subject="Task", status="in_progress", due_date=datetime.date(2026, 3, 4),
                                assigned_to=other_staff), contact),
        link(HistoryItemFactory(kind="task", subject="Task 2", status="not_started"), account),
        link(HistoryItemFactory(kind="appointment", subject="Meet", location="Room <A>"), contact),
        link(HistoryItemFactory(kind="email", subject="Mail", email_to="x" * 70 + "@example.com"), contact),
        link(HistoryItemFactory(kind="file", subject="File", file_name="a&b.pdf", file_size=123456), contact),
        link(HistoryItemFactory(kind="file", subject="File 2", file_name="empty.txt", file_size=0), contact),
    ]
    with translation.override(language):
        for current in (account, contact):
            page = selectors.attach_linked_records(HistoryItem.objects.filter(pk__in=[i.pk for i in items]).order_by("pk"))
            expected = Template(OLD_ROW_TEMPLATE).render(Context({"page": page, "object": current}))
            assert _normalized("\n".join(history_rows(page, current))) == _normalized(expected)


def test_history_pages_read_rows_and_total_in_one_query(staff_client, django_assert_max_num_queries):
    """No separate COUNT: the page's rows carry the total and their links; the
    record itself is not read again for its own links (6 queries: session,
    user, record, page, linked contacts, the record's categories)."""
    account = AccountFactory()
    contacts = [ContactFactory(account=account, full_name=f"Person {n}") for n in range(3)]
    for n in range(60):
        link(HistoryItemFactory(subject=f"Item {n:02d}"), contacts[n % 3], *([account] if n % 5 == 0 else []))
    url = history_url("account", account.pk)
    staff_client.get(url)  # content types are read once per process
    with django_assert_max_num_queries(7) as queries:   # and the navigation bar's reminder count
        body = staff_client.get(url).content.decode()
    assert not any("COUNT(" in q["sql"] and "OVER" not in q["sql"] for q in queries.captured_queries
                   if "crm_reminderstate" not in q["sql"])
    assert "Page 1 of 2" in body and body.count("<tr>") == 51
    body = staff_client.get(url, {"page": "2"}).content.decode()
    assert "Page 2 of 2" in body and body.count("<tr>") == 11
    assert "Page 2 of 2" in staff_client.get(url, {"page": "99"}).content.decode()   # past the end: the last page
    assert "Page 1 of 2" in staff_client.get(url, {"page": "x"}).content.decode()
    body = staff_client.get(history_url("contact", ContactFactory().pk), {"page": "3"}).content.decode()
    assert "No history yet." in body


# --- A history item's form, submitted as the page renders it (issue 9, defect 1) -----------

def _full_appointment():
    import datetime

    from django.utils import timezone

    start = timezone.make_aware(datetime.datetime(2026, 11, 20, 14, 0))
    return link(HistoryItemFactory(
        kind=HistoryItem.Kind.APPOINTMENT, subject="Site visit", occurred_at=start,
        end_at=start + datetime.timedelta(hours=1), location="Oslo office",
        attendees="Anna Hansen\nOla Nordmann", body="Bring the samples\nand the price list"), ContactFactory())


def _edit_form(client, item, **changes):
    from crm.generic.testing import submitted_form

    page = client.get(reverse("crm:history_edit", args=[item.pk])).content.decode()
    form = submitted_form(page, class_="history-form")
    form.update({name: [value] for name, value in changes.items()})
    return form


def _state(item):
    from crm.generic.services import snapshot

    fresh = HistoryItem.objects.get(pk=item.pk)
    return {**snapshot(fresh), "version": fresh.version}


def test_history_item_form_submitted_unchanged_changes_nothing(staff_client):
    item = _full_appointment()
    before = _state(item)
    response = staff_client.post(reverse("crm:history_edit", args=[item.pk]), _edit_form(staff_client, item))
    assert response.status_code == 302
    assert _state(item) == before


def test_stale_history_item_form_is_refused_and_keeps_the_input(client, staff, other_staff):
    from crm import services

    item = _full_appointment()
    client.force_login(staff)
    form = _edit_form(client, item, location="Alice's place")
    theirs = HistoryItem.objects.get(pk=item.pk)
    theirs.location = "Bob's place"
    services.history_item_update(item=theirs, user=other_staff, expected_version=1)
    response = client.post(reverse("crm:history_edit", args=[item.pk]), form)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Bob Nowak changed this item while you were editing it" in body
    assert "Bob&#x27;s place" in body and 'value="Alice&#x27;s place"' in body
    assert HistoryItem.objects.get(pk=item.pk).location == "Bob's place"
    # Saving again on purpose keeps Alice's value.
    from crm.generic.testing import submitted_form

    again = submitted_form(body, class_="history-form")
    assert client.post(reverse("crm:history_edit", args=[item.pk]), again).status_code == 302
    stored = HistoryItem.objects.get(pk=item.pk)
    assert (stored.location, stored.version, stored.modified_by) == ("Alice's place", 3, staff)


def test_deleting_a_history_item_changed_since_the_confirmation_is_refused(client, staff, other_staff):
    from crm import services
    from crm.generic.testing import submitted_form

    item = _full_appointment()
    client.force_login(staff)
    url = reverse("crm:history_delete", args=[item.pk])
    data = submitted_form(client.get(url).content.decode(), class_="delete-form")
    theirs = HistoryItem.objects.get(pk=item.pk)
    theirs.location = "Bob's place"
    services.history_item_update(item=theirs, user=other_staff, expected_version=1)
    response = client.post(url, data, follow=True)
    assert "Bob Nowak changed this record after your delete confirmation was shown" in response.content.decode()
    assert HistoryItem.objects.filter(pk=item.pk, location="Bob's place").exists()
    # Confirmed again on a fresh page, it goes.
    data = submitted_form(client.get(url).content.decode(), class_="delete-form")
    assert client.post(url, data).status_code == 302
    assert not HistoryItem.objects.filter(pk=item.pk).exists()


def form_field_names(html: str) -> list[str]:
    """The names of a history item form's fields, in the order the page shows them."""
    form = re.search(r'<form method="post" enctype="multipart/form-data".*?</form>', html, re.S).group(0)
    names = re.findall(r'<(?:input|select|textarea)\b[^>]*?\bname="([^"]+)"', form)
    # Leave out the token, the edit version and the hidden copy of a field's initial
    # value (Django's show_hidden_initial): none of them is shown.
    return [name for name in dict.fromkeys(names)
            if name not in ("csrfmiddlewaretoken", "version") and not name.startswith("initial-")]


@pytest.mark.parametrize("kind, expected", [
    ("appointment", ["subject", "occurred_at", "end_at", "location", "attendees", "body"]),
    ("task", ["subject", "occurred_at", "due_date", "status", "priority", "percent_complete", "assigned_to", "body"]),
    ("phone", ["subject", "occurred_at", "direction", "phone_number", "duration_minutes", "body"]),
])
def test_a_history_form_lists_its_fields_in_a_natural_order(staff_client, kind, expected):
    """Subject first, start before end (or due date), the notes last — not alphabetically."""
    html = staff_client.get(history_url("contact", ContactFactory().pk, kind)).content.decode()
    assert form_field_names(html) == expected
    labels = re.findall(r'<label[^>]*for="id_(subject|occurred_at|end_at|due_date)"[^>]*>\s*([^<*]+?)\s*<', html)
    first_labels = [label for _name, label in labels]
    assert first_labels[0] == "Subject"
    assert first_labels[1] == {"appointment": "Start", "task": "Start date", "phone": "Date and time"}[kind]
def test_item_page_shows_notes_and_attendees_with_their_lines_and_markup_as_text(staff_client):
    """An appointment's notes and attendees are long text: line breaks kept,
    markup shown as typed (escaped once), never ``&lt;p&gt;``."""
    item = link(HistoryItemFactory(kind=HistoryItem.Kind.APPOINTMENT, subject="Kick-off",
                                   body="Agenda first.\nThen <b>lunch</b>",
                                   attendees="Ann <ann@example.com>\nBo <script>x</script>"), ContactFactory())
    body = staff_client.get(item.get_absolute_url()).content.decode()
    assert "<p>Agenda first.<br>Then &lt;b&gt;lunch&lt;/b&gt;</p>" in body
    assert "<p>Ann &lt;ann@example.com&gt;<br>Bo &lt;script&gt;x&lt;/script&gt;</p>" in body
    assert "&lt;p&gt;" not in body and "<b>lunch" not in body


def test_a_page_number_past_any_history_shows_the_last_page(staff_client):
    contact = ContactFactory()
    link(HistoryItemFactory(subject="Only note"), contact)
    for page in ("99999999999999999999", "-1e309", "NaN"):
        response = staff_client.get(reverse("crm:contact_history", args=[contact.pk]), {"page": page})
        assert response.status_code == 200 and "Only note" in response.content.decode(), page
