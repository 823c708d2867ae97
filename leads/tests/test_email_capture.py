"""Reading a lead out of an e-mail message (no database)."""
import re

import pytest

from leads.email_capture import MessageError, parse_message

PLAIN = b"""From: Anna Hansen <Anna.Hansen@Example.com>
To: sales@ourco.example
Subject: Quote for 200 chairs
Date: Mon, 16 Nov 2026 09:30:00 +0100
Content-Type: text/plain; charset=utf-8

Hello, could you send a quote?
"""


def test_plain_message():
    captured = parse_message(PLAIN)
    assert (captured.full_name, captured.first_name, captured.last_name) == ("Anna Hansen", "Anna", "Hansen")
    assert captured.address == "anna.hansen@example.com"
    assert captured.subject == "Quote for 200 chairs"
    assert captured.sent == "2026-11-16T09:30:00+01:00"
    assert captured.body == "Hello, could you send a quote?"


def test_rfc2047_encoded_name():
    raw = b"From: =?utf-8?q?Zofia_Ko=C5=82odziej?= <zofia@example.pl>\nSubject: =?utf-8?b?WmFweXRhbmll?=\n\nTekst"
    captured = parse_message(raw)
    assert captured.full_name == "Zofia Kołodziej" and captured.subject == "Zapytanie"


def test_last_comma_first():
    captured = parse_message(b'From: "Dubois, Jean" <jean@example.fr>\n\nBonjour')
    assert (captured.full_name, captured.first_name, captured.last_name) == ("Jean Dubois", "Jean", "Dubois")


def test_bare_address():
    captured = parse_message(b"From: budi.santoso@example.co.id\n\nHalo")
    assert captured.full_name == "Budi Santoso" and captured.address == "budi.santoso@example.co.id"


def test_html_only_message_is_read_as_text():
    raw = b"From: a@example.com\nContent-Type: text/html\n\n<p>Hi <b>there</b></p><script>x</script>"
    assert "Hi there" in parse_message(raw).body


@pytest.mark.parametrize("raw, message", [
    (b"", "The message is empty."),
    (b"   \n\n ", "The message is empty."),
    (b"Subject: no sender\n\nbody", "The message has no sender (From header)."),
    (b"From: nobody at all\n\nbody", "has no valid e-mail address"),
])
def test_malformed_messages_say_why(raw, message):
    with pytest.raises(MessageError, match=re.escape(message)):
        parse_message(raw)


def test_pasted_text_is_accepted():
    assert parse_message(PLAIN.decode()).address == "anna.hansen@example.com"
