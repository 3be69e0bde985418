"""Demo contact preferences: the demo patients who get appointments agreed to email (their
demo numbers are landlines, so not to text messages), except every fifth, who said no, so
that the appointment pages show both a sent confirmation and a skipped one with the reason."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from collis.core.audit import Actor
from collis.reminders.models import ContactPreference
from collis.reminders.services import contact_preference_record


def demo_contact_preferences_load(patients) -> int:
    if ContactPreference.objects.exists():
        return 0
    actor = Actor.command_line(get_user_model().objects.get(username="coordinator"))
    recorded = 0
    for index, patient in enumerate(patients):
        if not patient.email:
            continue
        contact_preference_record(patient=patient, email_ok=index % 5 != 4, sms_ok=False,
                                  actor=actor)
        recorded += 1
    return recorded
