"""Forms of clinics and appointments. They validate; services save."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError

from collis.core.nhsuk_forms import (
    DateField,
    IntegerField,
    ModelSelectField,
    RadiosField,
    SelectField,
    StaffCheckboxesField,
    TextareaField,
    TextField,
    UnitScopedForm,
    sites_of,
)
from collis.core.nhsuk_forms.fields import HiddenIntegerField
from collis.core.roles import Capability
from collis.scheduling.models import OUTCOME_CHOICES, RECURRENCE_CHOICES, TYPE_CHOICES, Room


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
    outcome = RadiosField(label="Outcome (when seen)", choices=OUTCOME_CHOICES, required=False,
                          clear_label="No outcome (arrived or did not attend)")
    reason = TextareaField(label="Note (optional)", required=False, max_length=500, rows=2)


_TIME = re.compile(r"^([01]?\d|2[0-3])(?:[:.]([0-5]\d))?\s*(am|pm)?$", re.IGNORECASE)


class TimeField(TextField):
    """A time of day typed as 09:00, 9.00, 1pm or 1:30pm, with a message naming the field."""

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        match = _TIME.match(text.strip())
        hour = int(match[1]) if match else 0
        half = (match[3] or "").lower() if match else ""
        if not match or (half and not 1 <= hour <= 12) or (not half and match[2] is None):
            raise ValidationError(f"{self.name_in_errors} must be a time such as 09:00 or "
                                  f"1:30pm")
        if half:
            hour = hour % 12 + (12 if half == "pm" else 0)
        return dt.time(hour, int(match[2] or 0))


class ClinicForm(UnitScopedForm):
    """A new clinic session, once or repeating, in a room of the unit."""

    appointment_type = SelectField(label="Type of clinic",
                                   choices=[("", "Choose a type"), *TYPE_CHOICES])
    room = ModelSelectField(label="Room", queryset=Room.objects.none(),
                            empty_label="Choose a room")
    clinicians = StaffCheckboxesField(label="Clinicians", capability=Capability.EXAMINATION_RECORD)
    first_day = DateField(label="Date of the (first) session",
                          label_text="The date of the session")
    starts = TimeField(label="Starts at", hint="For example, 09:00", classes="nhsuk-input--width-5")
    ends = TimeField(label="Ends at", hint="For example, 12:30", classes="nhsuk-input--width-5")
    recurrence = RadiosField(label="How often?", choices=RECURRENCE_CHOICES)
    until = DateField(label="Date of the last session (when it repeats)",
                      label_text="The date of the last session", required=False)
    capacity = IntegerField(label="Patients per slot", min_value=1, max_value=20,
                            classes="nhsuk-input--width-2", initial=1)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["room"].queryset = Room.objects.filter(
            site__in=sites_of(user), is_active=True).select_related("site")
        self.fields["room"].label_from_instance = lambda room: f"{room.site.name}: {room.name}"

    def clean(self):
        data = super().clean()
        if data.get("recurrence") and data["recurrence"] != "once" and not data.get("until"):
            self.add_error("until", "Enter the date of the last session of a repeating clinic")
        return data
