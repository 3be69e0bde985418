"""The calendar entry (iCalendar, RFC 5545, made with the `icalendar` package) attached to
each email about an appointment: the same UID for an appointment however often it is moved
(that of the first booking), a SEQUENCE bumped by each move, METHOD:CANCEL when cancelled,
times in Europe/London with its VTIMEZONE, and the site's address."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, Event

LONDON = ZoneInfo("Europe/London")
PRODID = "-//Collis//Dystonia unit appointments//EN"


def appointment_root(appointment):
    """The first booking of which this appointment is a move (itself if never moved), and
    how many moves led here."""
    root, moves = appointment, 0
    while root.rescheduled_from_id:
        root, moves = root.rescheduled_from, moves + 1
    return root, moves


def appointment_uid(appointment) -> str:
    root, _ = appointment_root(appointment)
    return f"appointment-{root.pk}@{settings.COLLIS_CALENDAR_DOMAIN}"


def appointment_ical(appointment, *, sequence: int, cancel: bool = False,
                     now: dt.datetime) -> bytes:
    """The .ics file for the appointment: a request (add or update it) or a cancellation."""
    site = appointment.session.room.site
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "PUBLISH")
    event = Event()
    event.add("uid", appointment_uid(appointment))
    event.add("sequence", sequence)
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("dtstart", appointment.starts_at.astimezone(LONDON))
    event.add("dtend", appointment.ends_at.astimezone(LONDON))
    event.add("summary", f"{appointment.get_appointment_type_display()} at {site.name}")
    event.add("location", ", ".join([site.name, *site.address_lines, site.postcode]))
    event.add("description", f"Dystonia unit appointment. Phone {site.phone} if you need "
                             "to change it." if site.phone else "Dystonia unit appointment.")
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    calendar.add_component(event)
    day = appointment.starts_at.astimezone(LONDON).date()
    calendar.add_missing_timezones(first_date=day - dt.timedelta(days=366),
                                   last_date=day + dt.timedelta(days=366))
    return calendar.to_ical()
