"""Test data of the MDT: meetings, stored candidacy assessments and decisions."""

import datetime
import json
from pathlib import Path

from collis.candidacy.models import CandidacyAssessmentRecord
from collis.core.audit import Actor
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.candidacy import assess_candidacy
from collis.domain.case_facts import load_case_facts
from collis.domain.pathway import State
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


CASES = Path(__file__).resolve().parents[2] / "domain" / "tests" / "cases"
DEPARTURE_REASON = ("The cycles were given at low doses into the wrong muscles elsewhere; "
                    "the MDT judges the non-response unproven and surgery the better option.")


def engine_assessment(patient, case: str) -> CandidacyAssessmentRecord:
    """A stored assessment holding what the real engine says of a worked case."""
    facts = json.loads((CASES / f"{case}.json").read_text())["facts"]
    result = assess_candidacy(load_case_facts(json.dumps(facts))).as_dict()
    return CandidacyAssessmentRecord.objects.create(
        patient=patient, assessed_by=UserFactory(role=Role.NEUROLOGIST, first_name="Nia",
                                                 last_name="Neuro"),
        ruleset=result["ruleset"], recommendation=result["recommendation"], facts=facts,
        result=result)


def overridden_decision(episode, case="r2_cycles_never_helped_without_resistance_test"):
    """The MDT decides for SD an episode awaiting it whose worked `case` the engine judges
    otherwise (unfavourable by default), giving its reason."""
    return services.mdt_decision_create(
        episode=episode, decision=Decision.SD, discussion="Discussed at the MDT.",
        assessment=engine_assessment(episode.patient, case),
        departure_reason=DEPARTURE_REASON,
        planned=[services.PlannedRow(muscle="sternocleidomastoid", side="left",
                                     target="spinal accessory nerve branches")],
        actor=coordinator_actor())


def overridden_request(case="r2_cycles_never_helped_without_resistance_test"):
    """A funding request drawn up after `overridden_decision`."""
    episode = episode_at(State.AWAITING_MDT)
    overridden_decision(episode, case)
    episode.refresh_from_db()
    return services.funding_request_create(episode=episode, route="individual_funding_request",
                                           commissioner="NHS England (demo)",
                                           actor=coordinator_actor())
