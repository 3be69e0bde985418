"""Reads of appointment messages and contact preferences. The appointment or patient they
belong to was read (scoped and audited) by the page's own selector; these add an audit entry
of what they show."""

from __future__ import annotations

from dataclasses import dataclass

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.reminders.models import AppointmentMessage, ContactPreference
from collis.reminders.services import contact_preference_current


@dataclass(frozen=True, slots=True)
class AppointmentMessages:
    messages: list[AppointmentMessage]
    preference: ContactPreference | None


def appointment_messages_get(*, appointment, actor: Actor) -> AppointmentMessages:
    """Every message planned for the appointment (sent, waiting or skipped, with why) and
    the patient's current choice of contact."""
    found = list(appointment.messages.order_by("due_at", "kind", "channel", "pk"))
    preference = contact_preference_current(appointment.patient)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="appointment_message",
                 object_id=appointment.pk, patient_id=appointment.patient_id,
                 summary=f"Viewed the {len(found)} message(s) about an appointment and the "
                         "patient's contact preferences")
    return AppointmentMessages(messages=found, preference=preference)


def contact_preference_get(*, patient, actor: Actor) -> ContactPreference | None:
    preference = contact_preference_current(patient)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="contact_preference",
                 object_id=preference.pk if preference else "", patient_id=patient.pk,
                 summary="Viewed the patient's contact preferences")
    return preference
