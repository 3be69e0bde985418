"""Forms of clinics and appointments. They validate; services save."""

from __future__ import annotations

from django import forms

from collis.core.nhsuk_forms import RadiosField, SelectField, TextareaField
from collis.core.nhsuk_forms.fields import HiddenIntegerField
from collis.scheduling.models import OUTCOME_CHOICES, TYPE_CHOICES


class FindSlotForm(forms.Form):
    """What to look for: a kind of appointment, at a site or any, with a clinician or any."""

    appointment_type = SelectField(label="Type of appointment",
                                   choices=[("", "Choose a type"), *TYPE_CHOICES])
    site = SelectField(label="Site", required=False)
    clinician = SelectField(label="Clinician", required=False)

    def __init__(self, *args, sites=(), clinicians=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", "Any site"),
                                       *[(str(s.pk), s.name) for s in sites]]
        self.fields["clinician"].choices = [("", "Any clinician"),
                                            *[(str(u.pk), u.display_name) for u in clinicians]]


class BookForm(forms.Form):
    slot = HiddenIntegerField(label="Slot", error_messages={"required": "Choose a slot"})
    reason = TextareaField(label="Reason for moving the appointment", required=False,
                           max_length=500, rows=2)
    double_booking_reason = TextareaField(
        label="Double booking agreed by a clinician: who agreed and why", required=False,
        max_length=500, rows=2,
        hint="Only for a full slot. Leave empty to book a free place.")


class CancelForm(forms.Form):
    cancelled_by = RadiosField(label="Who cancelled?", choices=[
        ("patient", "The patient"), ("hospital", "The hospital")])
    reason = TextareaField(label="Reason for cancelling", max_length=500, rows=3)


class AttendanceForm(forms.Form):
    """Arrived, seen (with the outcome) or did not attend."""

    status = RadiosField(label="What happened?", choices=[
        ("arrived", "Arrived"), ("seen", "Seen"), ("did_not_attend", "Did not attend")])
    outcome = RadiosField(label="Outcome (when seen)", choices=OUTCOME_CHOICES, required=False)
    reason = TextareaField(label="Note (optional)", required=False, max_length=500, rows=2)
