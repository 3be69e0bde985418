"""The outcomes app's events on the patient's timeline: operations (kind "operation", which
the TWSTRS chart marks), physiotherapy sessions held, follow-up reviews and complications.
Two queries whatever the number of records (the operations, then one UNION of the rest);
no audit (the timeline page audits once)."""

from django.db.models import CharField, F, IntegerField, Value
from django.db.models.functions import Cast
from django.urls import reverse

from collis.core.timeline import TimelineEvent
from collis.outcomes.models import Complication, FollowUpReview, NerveDivision, PhysioSession
from collis.outcomes.presenters import months_words, muscle_words, risk_name

COLUMNS = ("w", "k", "a", "b", "e")


def _rows(queryset, *, when, kind, a, b, episode):
    return queryset.annotate(
        w=F(when), k=Value(kind, output_field=CharField()),
        a=Cast(a, CharField()), b=Cast(b, CharField()),
        e=Cast(episode, IntegerField())).order_by().values_list(*COLUMNS)


def timeline_events(patient) -> list[TimelineEvent]:
    from collis.outcomes.models import Operation

    operations = list(Operation.objects.filter(patient=patient)
                      .values_list("operated_on", "episode_id", "site__name"))
    if not operations:
        return []
    rest = _rows(NerveDivision.objects.filter(operation__patient=patient),
                 when="operation__operated_on", kind="division", a="muscle", b="side",
                 episode="operation__episode_id").union(
        _rows(PhysioSession.objects.filter(programme__patient=patient, held_on__isnull=False),
              when="held_on", kind="physiotherapy", a="number", b="attendance",
              episode="programme__episode_id"),
        _rows(FollowUpReview.objects.filter(patient=patient), when="reviewed_on",
              kind="review", a="months_after", b="notes", episode="episode_id"),
        _rows(Complication.objects.filter(patient=patient), when="onset_on",
              kind="complication", a="risk_code", b="severity", episode="episode_id"),
        all=True)
    divisions: dict[int, list[str]] = {}
    events: list[TimelineEvent] = []
    for when, kind, a, b, episode in rest:
        args = [patient.pk, episode]
        if kind == "division":
            divisions.setdefault(episode, []).append(muscle_words(a, b))
        elif kind == "physiotherapy":
            events.append(TimelineEvent(when, "physiotherapy", f"Physiotherapy session {a}",
                                        "Attended" if b == "attended" else "Did not attend",
                                        reverse("outcomes:physio_programme", args=args)))
        elif kind == "review":
            events.append(TimelineEvent(when, "review", f"Follow-up: {months_words(int(a))}",
                                        b or "", reverse("outcomes:follow_up", args=args)))
        else:
            events.append(TimelineEvent(when, "complication", f"Complication: {risk_name(a)}",
                                        f"Severity {b}", reverse("outcomes:follow_up",
                                                                 args=args)))
    for operated_on, episode, site in operations:
        events.append(TimelineEvent(
            operated_on, "operation", "Selective denervation",
            f"{site}. Nerves divided: " + ", ".join(divisions.get(episode, [])),
            reverse("outcomes:operation_detail", args=[patient.pk, episode])))
    return events
