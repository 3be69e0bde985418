"""Test data of the MDT: meetings, stored candidacy assessments and decisions."""

import datetime

from collis.candidacy.models import CandidacyAssessmentRecord
from collis.core.audit import Actor
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.mdt import services
from collis.mdt.models import Decision, MdtMeeting
from collis.sites.models import Site
from collis.surgery.tests.factories import episode_at  # noqa: F401  (re-exported)

PLAN = [
    {"muscle": "sternocleidomastoid", "side": "left",
     "target": "spinal accessory nerve branches", "sources": [31, 34]},
    {"muscle": "splenius_capitis", "side": "right",
     "target": "posterior rami C1-C6 (ramisectomy)", "sources": [31, 34]},
]
FAVOURING = [
    {"code": "ROTATION_DOMINANT", "effect": "favours",
     "detail": "Rotation-dominant cervical dystonia", "sources": [27, 37]},
    {"code": "SECONDARY_NON_RESPONSE", "effect": "favours",
     "detail": "Secondary non-response to botulinum toxin", "sources": [26]},
    {"code": "TREMOR", "effect": "cautions", "detail": "Head tremor", "sources": [28]},
]


def assessment_for(patient, recommendation="favourable", plan=PLAN) -> CandidacyAssessmentRecord:
    """A stored assessment in the engine's contract shape (written directly, for speed)."""
    return CandidacyAssessmentRecord.objects.create(
        patient=patient, assessed_by=UserFactory(role=Role.NEUROLOGIST),
        ruleset="collis-sd-candidacy/1", recommendation=recommendation, facts={},
        result={"ruleset": "collis-sd-candidacy/1", "recommendation": recommendation,
                "findings": FAVOURING, "denervation_plan": plan, "not_addressable": [],
                "alternatives": [], "missing": []})


def meeting(attendees=None, held_on=datetime.date(2026, 11, 20)) -> MdtMeeting:
    coordinator = UserFactory(role=Role.MDT_COORDINATOR)
    if attendees is None:
        attendees = [UserFactory(role=r) for r in (Role.NEUROLOGIST, Role.NEUROSURGEON,
                                                   Role.PHYSIOTHERAPIST)]
    return services.meeting_create(held_on=held_on, site=Site.objects.first(),
                                   attendees=attendees, actor=Actor.command_line(coordinator))


def coordinator_actor() -> Actor:
    return Actor.command_line(UserFactory(role=Role.MDT_COORDINATOR))


def decided(episode, decision=Decision.SD, assessment=None, actor=None, item=None):
    """Record a decision for an episode awaiting the MDT."""
    return services.mdt_decision_create(
        episode=episode, decision=decision, discussion="Discussed at the MDT.",
        assessment=assessment, agenda_item=item,
        planned=[services.PlannedRow(muscle="sternocleidomastoid", side="left",
                                     target="spinal accessory nerve branches")],
        actor=actor or coordinator_actor())
