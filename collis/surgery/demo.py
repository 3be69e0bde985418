"""Synthetic pathway episodes for demo patients, made through the services with the demo
users of the roles that own each step."""

from __future__ import annotations

import datetime
import random

from collis.core.audit import Actor
from collis.domain.pathway import Event, State
from collis.surgery.services import ReferralDetails, episode_open, episode_transition

# The moves that take a new referral to each state, with the demo user who makes each.
ROUTE = (
    (Event.START_TRIAGE, "coordinator", ""),
    (Event.ACCEPT, "neurologist", "Focal cervical dystonia with waning toxin benefit: "
                                  "work up for selective denervation."),
    (Event.COMPLETE_WORK_UP, "coordinator", "EMG mapping, swallow study and CT done."),
)
TARGETS = (State.REFERRAL_RECEIVED, State.TRIAGE, State.WORK_UP, State.AWAITING_MDT)


def demo_history(patient, rng: random.Random, today: datetime.date, users: dict) -> None:
    """Open one episode and move it to one of the early states; nothing if one exists."""
    if patient.episodes.exists():
        return
    target = rng.choice(TARGETS)
    received = today - datetime.timedelta(days=rng.randint(10, 120))
    episode = episode_open(patient=patient, referral=ReferralDetails(
        referrer_name=f"Dr {rng.choice(['Ari', 'Bo', 'Cy'])} Demo-Referrer",
        referrer_gmc_number=f"{rng.randint(1000000, 9999999)}",
        referrer_organisation="Example Movement Disorders Clinic (demo)",
        referral_reason="Cervical dystonia; botulinum toxin is failing or starting to fail.",
        urgency="routine", referral_received_on=received),
        actor=Actor.command_line(users["coordinator"]))
    for event, who, reason in ROUTE:
        if episode.state == target:
            break
        episode = episode_transition(episode=episode, event=event, reason=reason,
                                     actor=Actor.command_line(users[who]))
