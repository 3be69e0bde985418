"""The MDT's events on the patient's timeline: decisions, and funding requested, approved
or declined. Two queries, whatever the number of records; no audit (the page audits)."""

from __future__ import annotations

from collis.core.prepared import patient_rows
from collis.core.reverse import reverse_kept as reverse
from collis.core.timeline import TimelineEvent
from collis.mdt.models import FundingStatusChange, MdtDecision
from collis.mdt.presenters import agreement_text

_DECISIONS = patient_rows(lambda patient_id: MdtDecision.objects.filter(patient_id=patient_id))
_FUNDING_CHANGES = patient_rows(lambda patient_id: (
    FundingStatusChange.objects.filter(request__patient_id=patient_id).exclude(status="draft")
    .select_related("request")))


def timeline_events(patient) -> list[TimelineEvent]:
    events = []
    decisions = _DECISIONS.instances(patient_id=patient.pk)
    for d in decisions:
        events.append(TimelineEvent(
            when=d.created_at.date(), kind="mdt",
            title=f"MDT decision{' (correction)' if d.corrects_id else ''}: "
                  f"{d.get_decision_display()}",
            detail=agreement_text(d),
            href=reverse("mdt:episode_decisions", args=[patient.pk, d.episode_id])))
    if not decisions:
        return events  # funding follows a decision: no second query needed
    for c in _FUNDING_CHANGES.instances(patient_id=patient.pk):
        events.append(TimelineEvent(
            when=c.at.date(), kind="funding",
            title=f"Funding {c.get_status_display().lower()} "
                  f"({c.request.get_route_display().lower()})",
            detail=c.note,
            href=reverse("mdt:funding_detail", args=[patient.pk, c.request.episode_id,
                                                     c.request.pk])))
    return events
