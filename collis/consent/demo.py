"""Synthetic counselling and consent for a demo patient, through the services."""

from __future__ import annotations

import datetime
import random

from django.utils.timezone import localdate as date_today

from collis.consent import services
from collis.consent.models import CounsellingSession, SignatureMethod
from collis.core.audit import Actor
from collis.domain.pathway import MoveRefused, State

ANSWERS = {
    "matters_most": ["Holding my head straight at work", "Being able to drive safely",
                     "Less neck pain in the evenings", "Not depending on injections"],
    "hopes": ["Go back to full-time work", "Walk the dog without pain", "Read comfortably"],
    "worries": ["The general anaesthetic", "Numbness afterwards", "It might not work"],
    "leaning": ["Selective denervation", "Not sure yet", "Carry on with injections for now"],
}

DEMO_DETAILS = services.ConsentDetails(
    intended_benefits="Less pulling and pain in the neck, and a more natural head position.",
    extra_procedures="None expected.",
    alternatives_discussed=("gpi_dbs", "botulinum_toxin", "no_further_treatment"),
    interpreter_used=False, patient_has_capacity=True)


def demo_history(patient, rng: random.Random, today: datetime.date, author) -> None:
    """Counsel the patient's first episode that is listed for surgery, and (when the author
    is a neurosurgeon and the cooling-off period has passed) record consent. The period runs
    from the day the counselling is recorded, which is now: demo data loaded today has
    counselling without consent until then. Does nothing if the patient already has
    counselling records, or has no listed episode."""
    if CounsellingSession.objects.filter(patient=patient).exists():
        return
    episode = patient.episodes.filter(state=State.LISTED).order_by("pk").first()
    if episode is None:
        return
    actor = Actor.command_line(author)
    held_on = max(today - datetime.timedelta(days=rng.randint(15, 45)),
                  episode.referral_received_on)  # never before the referral
    answers = {code: rng.choice(options) for code, options in ANSWERS.items()}
    try:
        session = services.counselling_session_create(
        aids_shown=("patient", "clinician"),
            episode=episode, held_on=held_on, answers=answers,
            acknowledged=frozenset(services.sd_risk_codes()), actor=actor)
    except MoveRefused:
        return  # the author's role may not counsel: leave the episode as it is
    signed_on = services.first_signing_date(session) + datetime.timedelta(days=rng.randint(0, 3))
    if (getattr(author, "role", "") != "neurosurgeon" or signed_on > min(today, date_today())
            or rng.random() < 0.3):
        return
    episode.refresh_from_db()
    typed = rng.random() < 0.6
    services.consent_create(
        episode=episode,
        signature_method=SignatureMethod.TYPED if typed else SignatureMethod.PAPER,
        patient_typed_name=f"{patient.given_name} {patient.family_name}" if typed else "",
        patient_signed_on=signed_on, surgeon_signed_on=signed_on, details=DEMO_DETAILS,
        actor=actor)
