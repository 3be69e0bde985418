"""Counselling sessions and consents on the patient's timeline (two queries, no audit). A
session amended or entered in error stays on it, tagged, with a kind of its own so that
nothing reading the timeline counts it as a current record."""

from __future__ import annotations

from collis.consent.models import Consent, CounsellingSession
from collis.core.prepared import patient_rows
from collis.core.reverse import reverse_kept as reverse
from collis.core.timeline import TimelineEvent

STATUS_TAGS = {"amended": "Superseded", "entered_in_error": "Entered in error"}


_SESSIONS = patient_rows(lambda patient_id: CounsellingSession.objects.filter(
    patient_id=patient_id).select_related("created_by"))
_CONSENTS = patient_rows(lambda patient_id: Consent.objects.filter(
    patient_id=patient_id).select_related("surgeon"))


def timeline_events(patient) -> list[TimelineEvent]:
    events = []
    for s in _SESSIONS.instances(patient_id=patient.pk):
        tag = STATUS_TAGS.get(s.record_status)
        events.append(TimelineEvent(
            when=s.held_on, kind=f"counselling_{s.record_status}" if tag else "counselling",
            title="Counselling before selective denervation" + (f" ({tag})" if tag else ""),
            detail=(f"{tag}: " if tag else "")
            + f"{s.decision_aid_version}, by {s.created_by.display_name}",
            href=reverse("consent:counselling_detail", kwargs={
                "patient_id": patient.pk, "episode_id": s.episode_id, "session_id": s.pk})))
    for c in _CONSENTS.instances(patient_id=patient.pk):
        events.append(TimelineEvent(
            when=c.patient_signed_on, kind="consent", title=f"Consent: {c.procedure}",
            detail=f"Surgeon {c.surgeon.display_name}",
            href=reverse("consent:episode_consent", kwargs={
                "patient_id": patient.pk, "episode_id": c.episode_id})))
    return events
