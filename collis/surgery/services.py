"""Writes of the pathway: opening an episode from a referral, and the one transition
function every step of the pathway goes through."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.domain.pathway import STATE_LABELS, Event, MoveRefused, State, next_state
from collis.patients.models import Patient
from collis.surgery.models import Episode, EpisodeStatus


@dataclass(frozen=True)
class ReferralDetails:
    referrer_name: str
    referrer_gmc_number: str
    referrer_organisation: str
    referral_reason: str
    urgency: str
    referral_received_on: datetime.date


@transaction.atomic
def episode_open(*, patient: Patient, referral: ReferralDetails, letter=None,
                 actor: Actor) -> Episode:
    """Open an episode of care for a referral, at 'referral received'."""
    episode = Episode(patient=patient, opened_by=actor.user, **referral.__dict__)
    if letter is not None:
        episode.referral_letter = letter
    episode.full_clean()
    episode.save()
    EpisodeStatus.objects.create(episode=episode, state=State.REFERRAL_RECEIVED,
                                 reason="Referral received", by=actor.user)
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="episode",
                 object_id=episode.pk, patient_id=patient.pk,
                 summary=f"Opened a pathway episode from the referral by "
                         f"{referral.referrer_name}")
    return episode


@transaction.atomic
def episode_transition(*, episode: Episode, event: Event | str, actor: Actor,
                       reason: str = "") -> Episode:
    """Move the episode along the pathway if the table allows it for the actor's role.

    The episode row is locked first, so two people making conflicting moves at once
    cannot both succeed: the second sees the first's new state and is refused. Raises
    MoveRefused with a message for the user; nothing is written then."""
    locked = Episode.objects.select_for_update().get(pk=episode.pk)
    role = getattr(actor.user, "role", "")
    target = next_state(locked.state, event, role, reason)
    EpisodeStatus.objects.create(episode=locked, state=target, event=str(event),
                                 reason=reason.strip(), by=actor.user)
    before = locked.state
    locked.state = target
    locked.save(update_fields=["state"])
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="episode",
                 object_id=locked.pk, patient_id=locked.patient_id,
                 summary=f"Pathway: {STATE_LABELS[State(before)]} → {STATE_LABELS[target]}",
                 details={"event": str(event), "from": before, "to": str(target),
                          "reason": reason.strip()})
    episode.state = locked.state
    return locked


__all__ = ["MoveRefused", "ValidationError", "episode_list_for_surgery", "episode_open",
           "episode_transition"]


@transaction.atomic
def episode_list_for_surgery(*, episode: Episode, listed_on: datetime.date, priority: str,
                             listing_site, surgeon, actor: Actor) -> Episode:
    """Put the episode on the waiting list with its date, priority, site and surgeon."""
    locked = Episode.objects.select_for_update().get(pk=episode.pk)
    locked.listed_on, locked.priority = listed_on, priority
    locked.listing_site, locked.surgeon = listing_site, surgeon
    locked.full_clean()
    locked.save(update_fields=["listed_on", "priority", "listing_site", "surgeon"])
    return episode_transition(episode=locked, event=Event.LIST_FOR_SURGERY, actor=actor,
                              reason=f"Listed {listed_on:%d %b %Y}, priority {priority}, "
                                     f"{listing_site}, {surgeon.display_name}")
