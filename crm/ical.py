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


def _utc(value: datetime.date | datetime.datetime) -> datetime.date | datetime.datetime:
    """A time in UTC; a date (an all-day event) as it is."""
    return value.astimezone(datetime.UTC) if isinstance(value, datetime.datetime) else value


def _alarm(trigger: datetime.timedelta, description: str) -> icalendar.Alarm:
    """A VALARM that shows ``description`` at ``trigger`` from the event's start."""
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", description)
    alarm.add("trigger", trigger)
    return alarm


def calendar(events: list[dict], method: str | None = None, name: str | None = None) -> bytes:
    """Serialise events: dicts with uid, start, end, summary and optional
    description, location, url, organizer (name, email), attendees [(name,
    email)], and alarm (a timedelta from the start: a VALARM that shows the
    summary then). Times are written in UTC; a date as start and end makes an
    all-day event. ``name`` names the calendar in the apps that subscribe to it."""
    stamp = _utc(timezone.now())
    components = []
    for event in events:
        organizer = event.get("organizer")
        component = icalendar.Event.new(
            uid=event.get("uid") or str(uuid.uuid4()),
            stamp=stamp,
            start=_utc(event["start"]),
            end=_utc(event["end"]),
            summary=event["summary"],
            description=event.get("description") or None,
            location=event.get("location") or None,
            url=event.get("url") or None,
            organizer=_address(*organizer) if organizer else None,
            attendees=[_address(name, email, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp=True)
                       for name, email in event.get("attendees", [])] or None,
        )
        if event.get("alarm") is not None:
            component.add_component(_alarm(event["alarm"], event["summary"]))
        components.append(component)
    # Calendar() rather than Calendar.new(), which would add a UID of the calendar itself.
    cal = icalendar.Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", PRODID)
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    for component in components:
        cal.add_component(component)
    return cal.to_ical()
