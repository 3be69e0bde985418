"""How the pathway reads on screen, and which pages each step of an episode uses."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from collis.core.roles import Capability, can
from collis.domain.pathway import Event, Task, states_since

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
