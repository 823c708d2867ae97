"""Read a lead out of an e-mail message (.eml or pasted raw text).

Pure functions over the standard library's e-mail parser: RFC 2047 encoded
names, "Last, First" display names and bare addresses are handled.
"""
from __future__ import annotations

import datetime
import email
import email.policy
import email.utils
import re
from dataclasses import asdict, dataclass

from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from crm.names import split_full_name


class MessageError(ValueError):
    """The text is not an e-mail message we can read; the message says why."""


@dataclass
class CapturedEmail:
    full_name: str
    first_name: str
    last_name: str
    address: str
    subject: str
    sent: str          # ISO 8601, or "" when the message has no usable date
    to: str
    body: str

    def as_session(self) -> dict:
        return asdict(self)


def _name_from_address(address: str) -> str:
    """"anna.hansen@example.com" → "Anna Hansen" (a guess, for a bare address)."""
    local = address.split("@", 1)[0]
    words = [w for w in re.split(r"[._\-+]+", local) if w and not w.isdigit()]
    return " ".join(w.capitalize() for w in words) or local


def _body_text(message) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        text = part.get_content()
    except (LookupError, UnicodeDecodeError):
        payload = part.get_payload(decode=True) or b""
        text = payload.decode("utf-8", errors="replace")
    if part.get_content_type() == "text/html":
        text = strip_tags(text)
    return text.strip()


def parse_message(raw: bytes | str) -> CapturedEmail:
    """The sender, subject, date and text of a raw RFC 5322 message."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", errors="replace")
    raw = raw.lstrip()
    if not raw:
        raise MessageError(_("The message is empty."))
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if message.defects and not message.keys():
        raise MessageError(_("This is not an e-mail message: it has no headers."))
    try:
        sender = message["From"]
    except (IndexError, ValueError) as error:
        raise MessageError(_("The sender (From) of the message cannot be read.")) from error
    if sender is None:
        raise MessageError(_("The message has no sender (From header)."))
    addresses = getattr(sender, "addresses", ())
    if not addresses or not addresses[0].addr_spec or "@" not in addresses[0].addr_spec:
        raise MessageError(_("The sender “%(sender)s” has no valid e-mail address.") % {"sender": str(sender)[:200]})
    first = addresses[0]
    address = first.addr_spec.strip().lower()
    display = " ".join((first.display_name or "").split())
    if "," in display:
        last, _sep, given = display.partition(",")
        full_name = f"{given.strip()} {last.strip()}".strip()
    else:
        full_name = display or _name_from_address(address)
    first_name, last_name = split_full_name(full_name)
    sent = ""
    try:
        date_header = message["Date"]
        if date_header is not None and getattr(date_header, "datetime", None):
            sent_dt = date_header.datetime
            if sent_dt.tzinfo is None:
                sent_dt = sent_dt.replace(tzinfo=datetime.timezone.utc)
            sent = sent_dt.isoformat()
    except (TypeError, ValueError, IndexError):
        sent = ""
    try:
        to = str(message["To"] or "")
    except (IndexError, ValueError):
        to = ""
    return CapturedEmail(
        full_name=full_name[:200], first_name=first_name[:100], last_name=last_name[:100], address=address[:254],
        subject=str(message["Subject"] or "")[:255], sent=sent, to=to, body=_body_text(message)[:100_000],
    )
