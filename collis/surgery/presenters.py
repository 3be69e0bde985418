"""How the pathway reads on screen, and which pages each step of an episode uses."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from collis.core.roles import Capability, can
from collis.domain.pathway import MOVE_BY_EVENT, Event, Task, moves_from, states_since

# Moves made on the pathway page itself with a reason; the others are made by recording
# something in the app that owns the step (the MDT decision, the consent, ...).
GENERIC_MOVES = frozenset({Event.START_TRIAGE, Event.ACCEPT, Event.DECLINE,
                           Event.COMPLETE_WORK_UP, Event.DISCHARGE, Event.WITHDRAW})

# Pages of other apps for an episode: (label, url name, capability, the step of the
# pathway from which the page has something to show, None for always). The states come
# from the pathway table: the step's own and every state after it.
EPISODE_PAGES = (
    ("MDT decisions", "mdt:episode_decisions", Capability.RECORD_VIEW, None),
    ("Funding request", "mdt:funding", Capability.RECORD_VIEW, None),
    ("Counselling and consent", "consent:episode_consent", Capability.RECORD_VIEW, None),
    ("Operation note", "outcomes:operation_detail", Capability.RECORD_VIEW,
     Event.RECORD_OPERATION),
    ("Physiotherapy after surgery", "outcomes:physio_programme", Capability.RECORD_VIEW,
     Event.START_PHYSIOTHERAPY),
    ("Follow-up and outcome", "outcomes:follow_up", Capability.RECORD_VIEW,
     Task.RECORD_FOLLOW_UP_REVIEW),
)


def episode_pages(episode, user) -> list[dict]:
    pages = []
    for label, url_name, capability, since in EPISODE_PAGES:
        if not can(user, capability) or (since and episode.state not in states_since(since)):
            continue
        try:
            href = reverse(url_name, kwargs={"patient_id": episode.patient_id,
                                             "episode_id": episode.pk})
        except NoReverseMatch:
            continue  # that step's pages are not installed
        pages.append({"text": label, "href": href})
    return pages


def episode_crumbs(episode, *tail: dict) -> list[dict]:
    """Breadcrumbs of a page of a pathway episode: the record's, then Pathway > Episode."""
    from collis.patients.presenters import record_crumbs

    patient_id = episode.patient_id
    return record_crumbs(
        episode.patient,
        {"text": "Pathway", "href": reverse("surgery:episode_list", args=[patient_id])},
        {"text": f"Episode {episode.pk}",
         "href": reverse("surgery:episode_detail", args=[patient_id, episode.pk])}, *tail)


@dataclass(frozen=True, slots=True)
class NextAction:
    """The step an episode waits for from the user, as a button: `event` set when it is a
    move made from the worklist itself (a POST to `href`), empty when the button opens the
    page where the step is done."""

    label: str
    href: str
    event: str = ""


def next_action(episode, role: str) -> NextAction:
    """What the episode waits for from the role, as the pathway table says (the first move
    of the table from its state whose worklist is the role's)."""
    for move in moves_from(episode.state, role):
        if role not in move.worklist:
            continue
        if move.event in GENERIC_MOVES and not move.needs_reason:
            return NextAction(move.label, reverse("surgery:worklist_move", kwargs={
                "patient_id": episode.patient_id, "episode_id": episode.pk}), str(move.event))
        if move.event in GENERIC_MOVES:
            return NextAction(move.label, reverse("surgery:episode_move", kwargs={
                "patient_id": episode.patient_id, "episode_id": episode.pk,
                "event": str(move.event)}))
        break
    return NextAction("Open the episode", reverse(
        "surgery:episode_detail", kwargs={"patient_id": episode.patient_id,
                                          "episode_id": episode.pk}))


def worklist_move_allowed(event: str) -> bool:
    """A move made from the worklist by one button: a page-less move needing no reason."""
    move = next((m for e, m in MOVE_BY_EVENT.items() if str(e) == event), None)
    return move is not None and move.event in GENERIC_MOVES and not move.needs_reason


def waiting_since_referral(episode, today=None) -> str:
    """How long the patient has waited since the referral was received: "3 days",
    "5 weeks"."""
    import datetime

    days = ((today or datetime.date.today()) - episode.referral_received_on).days
    if days < 14:
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{days // 7} weeks"
