"""Reads of the pathway: a patient's episodes, one episode with its history and work-up,
the waiting list, each role's worklist, and whether a user may take a step of an episode
now (asked of the tables in collis/domain/pathway.py). Reads that show patients are
audited."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from collis.core.audit import Actor, audit_record, audit_record_many
from collis.core.models import AuditAction
from collis.core.roles import capabilities_of
from collis.domain.pathway import (
    Move,
    State,
    Step,
    check_may,
    moves_from,
    refusal,
    states_awaiting,
)
from collis.patients.models import Patient
from collis.surgery.models import Episode

RESISTANCE_SOURCES = (20,)
WORK_UP_SOURCES = (28,)


def episode_list(*, patient: Patient, actor: Actor) -> list[Episode]:
    episodes = list(patient.episodes.prefetch_related("statuses__by"))
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="episodes",
                 object_id=patient.pk, patient_id=patient.pk,
                 summary=f"Viewed the pathway episodes of {patient.nhs_number}")
    return episodes


def episode_get(*, patient: Patient, episode_id: int, actor: Actor) -> Episode:
    """The one way to fetch an episode: of a patient already read through `patient_get`
    (so scoped to the actor), otherwise Http404 as if it did not exist. Audited."""
    try:
        episode = (Episode.objects.select_related("patient", "listing_site", "surgeon",
                                                  "opened_by")
                   .get(patient=patient, pk=episode_id))
    except (Episode.DoesNotExist, ValueError):
        raise Http404("No pathway episode of this patient has this id.") from None
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="episode",
                 object_id=episode.pk, patient_id=patient.pk,
                 summary=f"Viewed pathway episode {episode.pk}")
    return episode


def episode_history(episode: Episode) -> list:
    """The episode's steps so far, with who took each (one query), for its page. The
    episode was read, and audited, through `episode_get`."""
    return list(episode.statuses.select_related("by"))


def available_moves(episode: Episode, role: str) -> tuple[Move, ...]:
    return moves_from(episode.state, role)


def role_of(user) -> str:
    """The role the pathway tables know the user by: "" unless an active staff account."""
    return getattr(user, "role", "") if capabilities_of(user) else ""


def step_refusal(*, episode: Episode, step: Step, user) -> str:
    """Why the user may not take the step (a move, or work within a state) on the episode
    now; "" when they may. Pages show their buttons from this, so they and the refusal of
    a direct POST give the same answer."""
    return refusal(role_of(user), step, episode.state)


def step_open(*, episode: Episode, step: Step, user) -> bool:
    return not step_refusal(episode=episode, step=step, user=user)


def step_check(*, episode: Episode, step: Step, user) -> None:
    """Raise MoveRefused (ActivityRefused for work within a state) with the table's message
    unless the user may take the step now: for views whose service does not ask itself."""
    check_may(role_of(user), step, episode.state)


@dataclass(frozen=True)
class WorkUpItem:
    label: str
    state: str  # done, pending, outstanding, not needed
    detail: str
    sources: tuple[int, ...]
    href: str = ""


def work_up_checklist(patient: Patient) -> list[WorkUpItem]:
    """The work-up before SD [28]: EMG mapping, videofluoroscopic swallow and CT of the
    cervical spine, each linked to the investigation that satisfies it; and resistance
    testing where botulinum toxin is failing [20]. Not audited: the page audits its read."""
    from django.urls import reverse

    from collis.core.presenters import date_long
    from collis.domain.toxin import ResponsePattern
    from collis.investigations.models import Investigation
    from collis.investigations.selectors import work_up_summary
    from collis.treatments.models import ResistanceTest
    from collis.treatments.selectors import response_summary, toxin_cycles_of

    investigations = list(Investigation.objects.filter(patient=patient).current()
                          .order_by("-performed_on", "-id"))
    items = []
    for item in work_up_summary(investigations):
        found = item.result or item.pending
        detail = {"done": "Done", "pending": "Requested, result pending",
                  "outstanding": "Not recorded"}[item.state]
        if found is not None:
            detail += f": {found.get_status_display().lower()}, {date_long(found.performed_on)}"
        items.append(WorkUpItem(
            label=str(item.kind.label), state=item.state, detail=detail,
            sources=WORK_UP_SOURCES,
            href=reverse("investigations:investigation_detail",
                         kwargs={"patient_id": patient.pk, "pk": found.pk}) if found else ""))
    derivation = response_summary(list(toxin_cycles_of(patient))).derivation
    failing = derivation.pattern in (ResponsePattern.SECONDARY_NON_RESPONSE,
                                     ResponsePattern.PRIMARY_NON_RESPONSE,
                                     ResponsePattern.PARTIAL_RESPONSE)
    test = (ResistanceTest.objects.filter(patient=patient).current()
            .order_by("-tested_on", "-id").first())
    if test is not None:
        state, detail = "done", (f"Done: {test.get_kind_display()}, "
                                 f"{test.get_result_display().lower()}, "
                                 f"{date_long(test.tested_on)}")
    elif failing:
        state, detail = "outstanding", (f"Not recorded; toxin response derived as "
                                        f"{derivation.pattern.replace('_', ' ')}")
    else:
        state, detail = "not needed", "Toxin is not recorded as failing"
    items.append(WorkUpItem(
        label="Resistance testing (where toxin is failing)", state=state, detail=detail,
        sources=RESISTANCE_SOURCES,
        href=reverse("treatments:toxin_list", kwargs={"patient_id": patient.pk})))
    return items


def waiting_list(*, site=None, surgeon=None, priority: str = "",
                 actor: Actor) -> QuerySet[Episode]:
    """Episodes listed for surgery, longest waiting first; each patient shown is audited."""
    episodes = (Episode.objects.visible_to(actor.user).filter(state=State.LISTED)
                .select_related("patient", "listing_site", "surgeon")
                .order_by("listed_on", "id"))
    if site:
        episodes = episodes.filter(listing_site=site)
    if surgeon:
        episodes = episodes.filter(surgeon=surgeon)
    if priority:
        episodes = episodes.filter(priority=priority)
    rows = list(episodes[:500])
    if rows:
        audit_record_many(actor=actor, action=AuditAction.SEARCH, object_type="patient",
                          patients=[(e.patient_id, e.patient.nhs_number) for e in rows],
                          summary="Patient appeared on the waiting list")
    return rows


def worklist(*, user, actor: Actor, limit: int = 200) -> list[Episode]:
    """Open episodes waiting on the user's role (the pathway tables name whose worklist
    each step is on), longest waiting since the referral first; audited per patient."""
    states = states_awaiting(role_of(user))
    rows = list(Episode.objects.visible_to(actor.user).filter(state__in=[str(s) for s in states])
                .select_related("patient").order_by("referral_received_on", "opened_at",
                                                    "id")[:limit])
    if rows:
        audit_record_many(actor=actor, action=AuditAction.SEARCH, object_type="patient",
                          patients=[(e.patient_id, e.patient.nhs_number) for e in rows],
                          summary="Patient appeared on a worklist")
    return rows


def days_waiting(episode: Episode, today: datetime.date | None = None) -> int | None:
    if episode.listed_on is None:
        return None
    return ((today or datetime.date.today()) - episode.listed_on).days
