"""Synthetic MDT history for a demo patient whose episode awaits the MDT: the agenda of a
meeting, a decision on the stored candidacy assessment, and funding for selective
denervation. Written through the services; deterministic for a given rng."""

from __future__ import annotations

import datetime
import random

from collis.core.audit import Actor
from collis.core.models import AccountType, User
from collis.domain.pathway import State
from collis.mdt import services
from collis.mdt.models import Decision, FundingStatus, MdtDecision, MdtMeeting

# The decision that agrees with each recommendation, and one that departs, with a reason.
_AGREEING = {"favourable": Decision.SD, "possible": Decision.SD,
             "not_indicated": Decision.CONTINUE_TOXIN, "unfavourable": Decision.CONTINUE_TOXIN}


def _attendees(author) -> list[User]:
    people = [author]
    for role in ("neurologist", "neurosurgeon", "physiotherapist"):
        person = (User.objects.filter(account_type=AccountType.STAFF, role=role, is_active=True,
                                      organisation_id=author.organisation_id)
                  .order_by("username").first())
        if person is not None:
            people.append(person)
    return people


def _meeting(patient, today: datetime.date, author, actor: Actor) -> MdtMeeting:
    """The unit's meeting on the last Thursday before `today` at the patient's site."""
    held_on = today - datetime.timedelta(days=(today.weekday() - 3) % 7 or 7)
    meeting = MdtMeeting.objects.filter(held_on=held_on, site=patient.home_site).first()
    return meeting or services.meeting_create(held_on=held_on, site=patient.home_site,
                                              attendees=_attendees(author), actor=actor)


def demo_history(patient, rng: random.Random, today: datetime.date, author) -> None:
    """Nothing unless the patient, of the author's unit, has an episode awaiting the MDT and
    no MDT decision."""
    if patient.organisation_id != author.organisation_id:
        return  # the author's meetings are their unit's; another unit holds its own
    if MdtDecision.objects.filter(patient=patient).exists():
        return
    episode = patient.episodes.filter(state=State.AWAITING_MDT).first()
    if episode is None:
        return
    actor = Actor.command_line(author)
    meeting = _meeting(patient, today, author, actor)
    item = services.agenda_item_add(meeting=meeting, episode=episode, actor=actor)
    assessment = patient.candidacy_assessments.first()
    recommendation = assessment.recommendation if assessment else ""
    plan = assessment.result.get("denervation_plan", []) if assessment else []
    decision = _AGREEING.get(recommendation, Decision.REVIEW_TOXIN)
    if decision == Decision.SD and not plan:
        decision = Decision.REVIEW_TOXIN
    reason = ""
    if assessment and not services.agrees_with_engine(recommendation, decision):
        reason = "Facts missing from the record: rediscuss when the work-up is complete."
    elif decision == Decision.SD and rng.random() < 0.15:
        decision = Decision.CONTINUE_TOXIN
        reason = "The patient prefers to continue botulinum toxin for now."
    planned = [services.PlannedRow(muscle=p["muscle"], side=p["side"], target=p["target"])
               for p in plan] if decision == Decision.SD else []
    due = today + datetime.timedelta(days=rng.randint(14, 42))
    services.mdt_decision_create(
        episode=episode, decision=decision, assessment=assessment, departure_reason=reason,
        discussion="Discussed at the MDT with the stored candidacy assessment (demo).",
        planned=planned, agenda_item=item,
        actions=[services.ActionRow(description="Write to the referrer and the GP",
                                    owner=author, due_on=due)],
        actor=actor)
    if decision != Decision.SD:
        return
    episode.refresh_from_db()
    request = services.funding_request_create(
        episode=episode, route=rng.choice(["prior_approval", "individual_funding_request"]),
        commissioner="Example specialised commissioning team (demo)", actor=actor)
    if rng.random() < 0.3:
        return  # still a draft
    # Submitted in the days after the meeting, and not after today.
    submitted = min(meeting.held_on + datetime.timedelta(days=rng.randint(1, 5)), today)
    services.funding_request_update(request=request, status=FundingStatus.SUBMITTED,
                                    reference=f"DEMO-{rng.randint(10000, 99999)}",
                                    submitted_on=submitted, actor=actor)
    decided = submitted + datetime.timedelta(days=rng.randint(3, 20))
    if decided > today or rng.random() < 0.3:
        return  # awaiting the commissioner
    services.funding_request_update(request=request, status=FundingStatus.APPROVED,
                                    decided_on=decided,
                                    expires_on=decided + datetime.timedelta(days=180),
                                    actor=actor)
