"""Pathway moves on the patient's timeline."""

from collis.core.reverse import reverse_kept as reverse
from collis.core.timeline import TimelineEvent
from collis.surgery.models import EpisodeStatus


def timeline_events(patient) -> list[TimelineEvent]:
    statuses = (EpisodeStatus.objects.filter(episode__patient=patient)
                .select_related("by").order_by("at", "id"))
    return [TimelineEvent(
        when=s.at.date(), kind="pathway", title=f"Pathway: {s.get_state_display()}",
        detail=f"{s.by.display_name}" + (f": {s.reason}" if s.reason else ""),
        href=reverse("surgery:episode_detail", kwargs={"patient_id": patient.pk,
                                                       "episode_id": s.episode_id}))
        for s in statuses]
