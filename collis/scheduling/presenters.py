"""How clinics and appointments read on pages and in the clinic list PDF."""

from __future__ import annotations

from django.utils import timezone

from collis.core.presenters import date_long


def time_short(value) -> str:
    """9:20am, in the unit's time zone."""
    local = timezone.localtime(value)
    hour = local.hour % 12 or 12
    return f"{hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def session_title(session) -> str:
    """"Botulinum toxin clinic, The Portland Hospital, 3 December 2026, 9:00am to 12:00pm"."""
    return (f"{session.get_appointment_type_display()}, {session.room.site.name}, "
            f"{date_long(timezone.localtime(session.starts_at).date())}, "
            f"{time_short(session.starts_at)} to {time_short(session.ends_at)}")


def clinicians_text(session) -> str:
    return ", ".join(u.display_name for u in session.clinicians.all())


def slot_text(slot) -> str:
    return (f"{date_long(timezone.localtime(slot.starts_at).date())} at "
            f"{time_short(slot.starts_at)}, {slot.session.room.site.name} "
            f"({slot.session.room.name}), {slot.clinician.display_name}")
