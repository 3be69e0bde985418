"""Pathway moves on the patient's timeline."""

from collis.core.prepared import patient_rows
from collis.core.reverse import reverse_kept as reverse
from collis.core.timeline import TimelineEvent
from collis.surgery.models import EpisodeStatus

_STATUSES = patient_rows(lambda patient_id: EpisodeStatus.objects.filter(
    episode__patient_id=patient_id).select_related("by").order_by("at", "id"))


def timeline_events(patient) -> list[TimelineEvent]:
    statuses = _STATUSES.instances(patient_id=patient.pk)
    return [TimelineEvent(
        when=s.at.date(), kind="pathway", title=f"Pathway: {s.get_state_display()}",
        detail=f"{s.by.display_name}" + (f": {s.reason}" if s.reason else ""),
        href=reverse("surgery:episode_detail", kwargs={"patient_id": patient.pk,
                                                       "episode_id": s.episode_id}))
        for s in statuses]
