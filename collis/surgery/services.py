"""Writes of the pathway: opening an episode from a referral, and the one transition
function every step of the pathway goes through."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.chronology import clinical_date_check, not_before_check
from collis.core.models import AuditAction
from collis.core.nhsuk_forms import sites_of, staff_who_can
from collis.core.roles import Capability
from collis.domain.funding import FundingStatus
from collis.domain.pathway import (
    STATE_LABELS,
    Event,
    MoveRefused,
    State,
    check_may,
    next_state,
)
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
    """Open an episode of care for a referral, at 'referral received'. The date the
    referral was received may be neither in the future nor before the patient's birth."""
    clinical_date_check(field="referral_received_on", value=referral.referral_received_on,
                        patient=patient, label="The date the referral was received")
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
                       reason: str = "", on: datetime.date | None = None) -> Episode:
    """Move the episode along the pathway if the table allows it for the actor's role.

    `on` dates a move made on an earlier day (today when None): not in the future, not
    before the patient's birth or the referral, nor before the episode's previous move
    (ValidationError on `moved_on`). The episode row is locked first, so two people making
    conflicting moves at once cannot both succeed: the second sees the first's new state
    and is refused. Raises MoveRefused with a message for the user; nothing is written
    then."""
    locked = (Episode.objects.select_for_update(of=("self",)).select_related("patient")
              .get(pk=episode.pk))
    role = getattr(actor.user, "role", "")
    target = next_state(locked.state, event, role, reason)
    at = _move_time(locked, on)
    EpisodeStatus.objects.create(episode=locked, state=target, event=str(event),
                                 reason=reason.strip(), at=at, by=actor.user)
    before = locked.state
    locked.state = target
    locked.save(update_fields=["state"])
    details = {"event": str(event), "from": before, "to": str(target),
               "reason": reason.strip()}
    if on is not None:
        details["on"] = on.isoformat()
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="episode",
                 object_id=locked.pk, patient_id=locked.patient_id,
                 summary=f"Pathway: {STATE_LABELS[State(before)]} → {STATE_LABELS[target]}",
                 details=details)
    episode.state = locked.state
    return locked


MOVE_DATE_FIELD = "moved_on"


def _move_time(episode: Episode, on: datetime.date | None) -> datetime.datetime:
    """When the move happened: now, or (for a move dated `on`, an earlier day) the start of
    that day, kept after the previous move so that the history stays in order."""
    now = timezone.now()
    if on is None:
        return now
    label = "The date of this step"
    clinical_date_check(field=MOVE_DATE_FIELD, value=on, patient=episode.patient, label=label)
    not_before_check(field=MOVE_DATE_FIELD, value=on, earliest=episode.referral_received_on,
                     label=label, cause="the date the referral was received")
    previous = episode.statuses.order_by("-at", "-id").first()
    if previous is not None:
        not_before_check(field=MOVE_DATE_FIELD, value=on, earliest=previous.at, label=label,
                         cause="the episode's previous step")
    if on >= timezone.localdate(now):
        return now
    start = timezone.make_aware(datetime.datetime.combine(on, datetime.time.min))
    return max(start, previous.at) if previous is not None else start


__all__ = ["MoveRefused", "ValidationError", "episode_list_for_surgery", "episode_open",
           "episode_transition"]


@transaction.atomic
def episode_list_for_surgery(*, episode: Episode, listed_on: datetime.date, priority: str,
                             listing_site, surgeon, actor: Actor) -> Episode:
    """Put the episode on the waiting list with its date, priority, site and surgeon.

    MoveRefused unless the pathway allows the listing now (so never once the episode is
    withdrawn, declined or discharged); ValidationError naming the field for a date in the
    future, before the patient's birth or before funding was approved, or a site or
    surgeon not of the patient's unit. Nothing is written then."""
    locked = (Episode.objects.select_for_update(of=("self",)).select_related("patient")
              .get(pk=episode.pk))
    check_may(getattr(actor.user, "role", ""), Event.LIST_FOR_SURGERY, locked.state)
    _listing_check(locked, listed_on=listed_on, listing_site=listing_site, surgeon=surgeon)
    locked.listed_on, locked.priority = listed_on, priority
    locked.listing_site, locked.surgeon = listing_site, surgeon
    locked.full_clean()
    locked.save(update_fields=["listed_on", "priority", "listing_site", "surgeon"])
    return episode_transition(episode=locked, event=Event.LIST_FOR_SURGERY, actor=actor,
                              reason=f"Listed {listed_on:%d %b %Y}, priority {priority}, "
                                     f"{listing_site}, {surgeon.display_name}")


def _listing_check(episode: Episode, *, listed_on, listing_site, surgeon) -> None:
    patient = episode.patient
    label = "The date listed"
    clinical_date_check(field="listed_on", value=listed_on, patient=patient, label=label)
    approval = (episode.funding_requests.filter(status=FundingStatus.APPROVED)
                .exclude(decided_on=None).order_by("-decided_on").first())
    if approval is not None:
        not_before_check(field="listed_on", value=listed_on, earliest=approval.decided_on,
                         label=label, cause="the date funding was approved")
    errors = {}
    if listing_site is not None and not sites_of(patient.organisation_id).filter(
            pk=listing_site.pk).exists():
        errors["listing_site"] = "Choose one of your unit's sites."
    if surgeon is not None and not staff_who_can(
            Capability.OPERATION_RECORD, organisation=patient.organisation_id).filter(
            pk=surgeon.pk).exists():
        errors["surgeon"] = "Choose a surgeon of your unit."
    if errors:
        raise ValidationError(errors)
