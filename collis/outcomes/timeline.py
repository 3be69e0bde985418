"""The outcomes app's events on the patient's timeline: operations (kind "operation", which
the TWSTRS chart marks), physiotherapy sessions held, follow-up reviews and complications.
Two queries whatever the number of records (the operations, then one UNION of the rest);
no audit (the timeline page audits once).

An entry amended or entered in error stays on the timeline, tagged ("Superseded",
"Entered in error") and with a kind of its own (e.g. "operation_amended"), so that the
chart's markers and anything else reading the current record pass it by."""

from django.db.models import CharField, F, IntegerField, Value
from django.db.models.functions import Cast

from collis.core.prepared import patient_rows
from collis.core.reverse import reverse_kept as reverse
from collis.core.timeline import TimelineEvent
from collis.outcomes.models import (
    Complication,
    FollowUpReview,
    NerveDivision,
    Operation,
    PhysioSession,
)
from collis.outcomes.presenters import STATUS_TAGS, months_words, muscle_words, risk_name

COLUMNS = ("w", "k", "a", "b", "e", "o", "s")


def _rows(queryset, *, when, kind, a, b, episode, pk="pk", status="record_status"):
    return queryset.annotate(
        w=F(when), k=Value(kind, output_field=CharField()),
        a=Cast(a, CharField()), b=Cast(b, CharField()),
        e=Cast(episode, IntegerField()), o=Cast(pk, IntegerField()),
        s=Cast(status, CharField())).order_by().values_list(*COLUMNS)


def _event(when, kind, status, title, detail, href) -> TimelineEvent:
    """The event of an entry; a corrected one tagged, with a kind of its own."""
    tag = STATUS_TAGS.get(status)
    if tag:
        return TimelineEvent(when, f"{kind}_{status}", f"{title} ({tag})",
                             f"{tag}: {detail}", href)
    return TimelineEvent(when, kind, title, detail, href)


def _operations(patient_id):
    return (Operation.objects.filter(patient=patient_id)
            .values_list("operated_on", "episode_id", "site__name", "pk", "record_status"))


def _rest(patient_id):
    return _rows(NerveDivision.objects.filter(operation__patient=patient_id),
                 when="operation__operated_on", kind="division", a="muscle", b="side",
                 episode="operation__episode_id", pk="operation_id",
                 status="operation__record_status").union(
        _rows(PhysioSession.objects.filter(programme__patient=patient_id,
                                           held_on__isnull=False),
              when="held_on", kind="physiotherapy", a="number", b="attendance",
              episode="programme__episode_id"),
        _rows(FollowUpReview.objects.filter(patient=patient_id), when="reviewed_on",
              kind="review", a="months_after", b="notes", episode="episode_id"),
        _rows(Complication.objects.filter(patient=patient_id), when="onset_on",
              kind="complication", a="risk_code", b="severity", episode="episode_id"),
        all=True)


# Both compiled once per process (collis.core.prepared).
_OPERATIONS = patient_rows(_operations)
_REST = patient_rows(_rest)


def timeline_events(patient) -> list[TimelineEvent]:
    operations = _OPERATIONS.rows(patient_id=patient.pk)
    if not operations:
        return []
    divisions: dict[int, list[str]] = {}
    events: list[TimelineEvent] = []
    for when, kind, a, b, episode, pk, status in _REST.rows(patient_id=patient.pk):
        args = [patient.pk, episode]
        if kind == "division":
            divisions.setdefault(pk, []).append(muscle_words(a, b))
        elif kind == "physiotherapy":
            events.append(_event(when, "physiotherapy", status, f"Physiotherapy session {a}",
                                 "Attended" if b == "attended" else "Did not attend",
                                 reverse("outcomes:physio_session_detail", args=[*args, pk])))
        elif kind == "review":
            events.append(_event(when, "review", status, f"Follow-up: {months_words(int(a))}",
                                 b or "", reverse("outcomes:follow_up_review_detail",
                                                  args=[*args, pk])))
        else:
            events.append(_event(when, "complication", status, f"Complication: {risk_name(a)}",
                                 f"Severity {b}", reverse("outcomes:complication_detail",
                                                          args=[*args, pk])))
    for operated_on, episode, site, pk, status in operations:
        events.append(_event(
            operated_on, "operation", status, "Selective denervation",
            f"{site}. Nerves divided: " + ", ".join(divisions.get(pk, [])),
            reverse("outcomes:operation_version", args=[patient.pk, episode, pk])))
    return events
