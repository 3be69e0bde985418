"""The words of the messages Collis sends a patient about an appointment: short, plain
English (a test measures them), never clinical details beyond the kind of appointment."""

from __future__ import annotations

from collis.core.presenters import datetime_long


def _where(appointment) -> str:
    site = appointment.session.room.site
    return ", ".join([site.name, *site.address_lines, site.postcode])


def _change(appointment) -> str:
    phone = appointment.session.room.site.phone
    return (f"If you need to change it, please call us on {phone}." if phone
            else "If you need to change it, please call the unit.")


def email_subject(kind: str, appointment) -> str:
    when = datetime_long(appointment.starts_at)
    return {"confirmation": f"Your appointment on {when}",
            "reminder": f"Reminder: your appointment on {when}",
            "cancellation": f"Cancelled: your appointment on {when}"}[kind]


def email_body(kind: str, appointment) -> str:
    patient = appointment.patient
    when = datetime_long(appointment.starts_at)
    what = appointment.get_appointment_type_display().lower()
    moved = appointment.rescheduled_from_id is not None
    opening = {
        "confirmation": (f"Your appointment has moved. The new time is {when}."
                         if moved else f"We have booked your appointment for {when}."),
        "reminder": f"This is a reminder of your appointment on {when}.",
        "cancellation": f"Your appointment on {when} has been cancelled.",
    }[kind]
    lines = [f"Dear {patient.given_name} {patient.family_name},", "", opening, ""]
    if kind == "cancellation":
        lines += ["We will contact you about a new time. Please call us if you have any "
                  "questions.", ""]
    else:
        lines += [f"It is a {what} appointment.", f"Where: {_where(appointment)}", "",
                  "Please come 10 minutes early. " + _change(appointment),
                  "The attached calendar file adds it to your phone or computer's calendar.",
                  ""]
    lines += ["The dystonia unit", "",
              "If you need medical help now, call NHS 111, or 999 in an emergency."]
    return "\n".join(lines) + "\n"


def sms_text(kind: str, appointment) -> str:
    when = datetime_long(appointment.starts_at)
    site = appointment.session.room.site.name
    text = {"confirmation": f"Dystonia unit: your appointment is booked for {when} at {site}.",
            "reminder": f"Dystonia unit: reminder of your appointment on {when} at {site}.",
            "cancellation": f"Dystonia unit: your appointment on {when} at {site} is "
                            "cancelled. We will contact you."}[kind]
    phone = appointment.session.room.site.phone
    return text + (f" To change it call {phone}." if phone and kind != "cancellation" else "")
