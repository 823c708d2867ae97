"""A minimal, standards-conforming iCalendar (RFC 5545) writer for invitations
and the reminders feed: CRLF line ends, escaped text, lines folded at 75 octets."""
import datetime
import uuid

from django.utils import timezone


def escape(text: str) -> str:
    return (text or "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def calendar(events: list[dict], method: str | None = None, name: str = "") -> bytes:
    """Serialise events: dicts with uid, start, end, summary and optional
    description, location, organizer (name, email), attendees [(name, email)]."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Small Team CRM//EN", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    if name:
        lines.append(f"X-WR-CALNAME:{escape(name)}")
    stamp = utc(timezone.now())
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.get('uid') or uuid.uuid4()}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{utc(event['start'])}",
            f"DTEND:{utc(event['end'])}",
            f"SUMMARY:{escape(event['summary'])}",
        ]
        if event.get("description"):
            lines.append(f"DESCRIPTION:{escape(event['description'])}")
        if event.get("location"):
            lines.append(f"LOCATION:{escape(event['location'])}")
        if event.get("organizer"):
            org_name, org_email = event["organizer"]
            lines.append(f'ORGANIZER;CN="{org_name.replace(chr(34), "")}":mailto:{org_email}')
        for att_name, att_email in event.get("attendees", []):
            lines.append(
                f'ATTENDEE;CN="{att_name.replace(chr(34), "")}";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{att_email}'
            )
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode()
