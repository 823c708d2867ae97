"""iCalendar (RFC 5545) invitations, written by the ``icalendar`` library
(escaping, CRLF line ends and folding at 75 octets are its business)."""
import datetime
import uuid

import icalendar
from django.utils import timezone

PRODID = "-//Small Team CRM//EN"


def _address(name: str, email: str, **params) -> icalendar.vCalAddress:
    # Double quotes are left out of the name: RFC 6868 would write them as ^',
    # which several mail programs show as it is.
    return icalendar.vCalAddress.new(email, cn=(name or "").replace('"', "") or None, **params)


def _utc(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(datetime.UTC)


def calendar(events: list[dict], method: str | None = None) -> bytes:
    """Serialise events: dicts with uid, start, end, summary and optional
    description, location, organizer (name, email), attendees [(name, email)].
    Times are written in UTC."""
    stamp = _utc(timezone.now())
    components = []
    for event in events:
        organizer = event.get("organizer")
        components.append(icalendar.Event.new(
            uid=event.get("uid") or str(uuid.uuid4()),
            stamp=stamp,
            start=_utc(event["start"]),
            end=_utc(event["end"]),
            summary=event["summary"],
            description=event.get("description") or None,
            location=event.get("location") or None,
            organizer=_address(*organizer) if organizer else None,
            attendees=[_address(name, email, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp=True)
                       for name, email in event.get("attendees", [])] or None,
        ))
    # Calendar() rather than Calendar.new(), which would add a UID of the calendar itself.
    cal = icalendar.Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", PRODID)
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    for component in components:
        cal.add_component(component)
    return cal.to_ical()
