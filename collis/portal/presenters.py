"""How the portal reads to a patient: appointments in plain words, what to bring, and the
calendar file of an appointment."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from icalendar import Calendar, Event, vText

from collis.core.presenters import date_long
from collis.domain.scheduling import AppointmentStatus
from collis.scheduling.presenters import time_short

# What to bring to any appointment. Local policy (UNSOURCED: practical advice of the unit,
# not a clinical rule); a unit changes the words here.
WHAT_TO_BRING = (
    "this appointment's details, on paper or on your phone",
    "a list of the medicines you take, with their doses",
    "your glasses or hearing aids, if you use them",
    "any questions you want to ask",
)
WHAT_TO_BRING_LABEL = "Local policy of the unit"

# Appointments the patient may still ask to cancel or move.
CHANGEABLE = frozenset({AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED})


@dataclass(frozen=True)
class AppointmentView:
    """An appointment as the patient reads it."""

    appointment: object

    @property
    def pk(self):
        return self.appointment.pk

    @property
    def kind(self) -> str:
        return self.appointment.get_appointment_type_display()

    @property
    def when(self) -> str:
        local = timezone.localtime(self.appointment.starts_at)
        return f"{date_long(local.date())} at {time_short(self.appointment.starts_at)}"

    @property
    def site(self):
        return self.appointment.session.room.site

    @property
    def address_lines(self) -> list[str]:
        lines = [line.strip() for line in self.site.address.splitlines() if line.strip()]
        return [*lines, self.site.postcode]

    @property
    def with_whom(self) -> str:
        return self.appointment.clinician.display_name

    @property
    def status(self) -> str:
        return self.appointment.status_label

    @property
    def is_upcoming(self) -> bool:
        return self.appointment.starts_at > timezone.now()

    @property
    def may_change(self) -> bool:
        return self.is_upcoming and self.appointment.status in CHANGEABLE

    @property
    def may_add_to_calendar(self) -> bool:
        return self.may_change


def appointment_calendar(view: AppointmentView, *, host: str) -> bytes:
    """The appointment as an iCalendar file (RFC 5545) for the patient's own calendar. It
    says where and when, not why: a calendar may be shared."""
    calendar = Calendar()
    calendar.add("prodid", "-//Collis//Patient portal//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"appointment-{view.pk}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", view.appointment.starts_at)
    event.add("dtend", view.appointment.ends_at)
    event.add("summary", f"Appointment at {view.site.name}")
    event["location"] = vText(", ".join([view.site.name, *view.address_lines]))
    event.add("description", "Bring: " + "; ".join(WHAT_TO_BRING) + ".")
    calendar.add_component(event)
    return calendar.to_ical()
