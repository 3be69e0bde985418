"""The patient's investigations as timeline events (two queries, no audit: the timeline
page audits its read once). Every version is on it, a corrected or entered-in-error one
tagged, so that its page stays reachable."""

from collis.assessments.presenters import status_tag
from collis.core.reverse import reverse_kept as reverse
from collis.core.timeline import TimelineEvent
from collis.investigations.models import Investigation
from collis.investigations.presenters import InvestigationPresenter


def timeline_events(patient) -> list[TimelineEvent]:
    investigations = (Investigation.objects.for_patient(patient)
                      .prefetch_related("active_muscles").newest_first())
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
