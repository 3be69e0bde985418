"""The patient's investigations as timeline events (two queries, no audit: the timeline
page audits its read once). Every version is on it, a corrected or entered-in-error one
tagged, so that its page stays reachable."""

from collis.assessments.presenters import status_tag
from collis.core.prepared import attach_prefetched, patient_rows
from collis.core.reverse import reverse_kept as reverse
from collis.core.timeline import TimelineEvent
from collis.investigations.models import EmgActiveMuscle, Investigation
from collis.investigations.presenters import InvestigationPresenter

_INVESTIGATIONS = patient_rows(lambda patient_id: Investigation.objects.filter(
    patient_id=patient_id).newest_first())
_MUSCLES = patient_rows(lambda patient_id: EmgActiveMuscle.objects.filter(
    investigation__patient_id=patient_id).order_by("id"))


def timeline_events(patient) -> list[TimelineEvent]:
    investigations = _INVESTIGATIONS.instances(patient_id=patient.pk)
    if investigations:
        attach_prefetched(investigations, "active_muscles",
                          _MUSCLES.instances(patient_id=patient.pk))
    events = []
    for investigation in investigations:
        presenter = InvestigationPresenter(investigation)
        tag = status_tag(investigation)
        events.append(TimelineEvent(
            when=investigation.performed_on, kind="investigation",
            title=f"{presenter.kind}: {presenter.status.lower()}" + (f" ({tag})" if tag else ""),
            detail=presenter.summary,
            href=reverse("investigations:investigation_detail",
                         kwargs={"patient_id": patient.pk, "pk": investigation.pk})))
    return events
