"""The funding request a commissioner reads shows the whole case: the engine's
recommendation, what weighs against and cautions as well as what is in favour, and the
MDT's reason when it departed from the engine."""

import io

import pypdf
import pytest

from collis.domain.pathway import State
from collis.mdt import documents, services
from collis.mdt.models import Decision
from collis.mdt.presenters import FundingCase
from collis.mdt.tests.factories import (
    DEPARTURE_REASON,
    assessment_for,
    coordinator_actor,
    decided,
    episode_at,
    overridden_request,
)

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_pdf_of_an_overridden_unfavourable_case_shows_the_finding_against_and_the_reason(
        sites):
    request = overridden_request()
    text = pdf_text(documents.funding_request_pdf(request))
    assert ("Unfavourable: a finding weighs decisively against selective denervation."
            in text)
    assert "Weighs decisively against selective denervation (1)" in text
    assert "None of 3 cycles gave a useful benefit" in text
    assert "Primary non-response (never a useful response to botulinum toxin)" in text
    assert "Derived by Collis from other recorded facts" in text
    assert "Cautions (1)" in text and "less than the local minimum of 2 years" in text
    assert "Why the MDT departed from the engine's recommendation" in text
    assert DEPARTURE_REASON in text
    assert "Departs from the engine's recommendation (Unfavourable)" in text
    assert "In favour: criteria met, with evidence" in text
    assert "Focal dystonia" in text and "EMG mapping of active muscles done" in text
    # The finding against comes before those in favour.
    assert text.index("None of 3 cycles") < text.index("Focal dystonia")
    # Its sources are listed with their titles.
    assert "[26]" in text and "[28]" in text


def test_the_case_groups_every_finding_by_how_it_weighs(sites):
    case = FundingCase(overridden_request())
    groups = {g.label: g.rows for g in case.finding_groups()}
    assert list(groups) == ["Weighs decisively against selective denervation", "Cautions",
                            "In favour: criteria met, with evidence"]
    findings = case.decision.assessment.result["findings"]
    assert sum(len(rows) for rows in groups.values()) == len(findings)
    against = groups["Weighs decisively against selective denervation"][0]
    assert against.sources == (26, 28)
    assert "Derived by Collis from other recorded facts, not recorded as such." in against.notes
    assert any("local-policy value" in note for note in against.notes)
    assert case.departed and case.departure_reason == DEPARTURE_REASON


def test_missing_facts_are_part_of_the_case(sites):
    case = FundingCase(overridden_request("r2_no_patterns_recorded"))
    assert case.recommendation.startswith("Not enough information: a core fact")
    groups = {g.label: g.rows for g in case.finding_groups()}
    missing = groups["Missing facts"]
    assert any("No Col-Cap patterns recorded" in row.detail for row in missing)
    assert any("A core fact: without it no judgement is possible." in row.notes
               for row in missing)
    text = pdf_text(documents.funding_request_pdf(case.request))
    assert "Missing facts" in text and "No Col-Cap patterns recorded" in text
    assert DEPARTURE_REASON in text


def test_a_decision_that_agrees_with_the_engine_gives_no_departure_reason(sites):
    episode = episode_at(State.AWAITING_MDT)
    decided(episode, Decision.SD, assessment=assessment_for(episode.patient))
    episode.refresh_from_db()
    request = services.funding_request_create(episode=episode, route="prior_approval",
                                              commissioner="NHS England (demo)",
                                              actor=coordinator_actor())
    case = FundingCase(request)
    assert not case.departed and case.departure_reason == ""
    text = pdf_text(documents.funding_request_pdf(request))
    assert "Agrees with the engine's recommendation (Favourable)" in text
    assert "Why the MDT departed" not in text
    assert "Cautions (1)" in text and "Head tremor" in text


def test_a_request_decided_without_an_assessment_says_so(sites):
    episode = episode_at(State.AWAITING_MDT)
    decided(episode, Decision.SD)
    episode.refresh_from_db()
    request = services.funding_request_create(episode=episode, route="prior_approval",
                                              commissioner="NHS England (demo)",
                                              actor=coordinator_actor())
    case = FundingCase(request)
    assert case.finding_groups() == []
    text = pdf_text(documents.funding_request_pdf(request))
    assert "None: the MDT decided without a stored candidacy assessment." in text
    assert "Decided without a stored candidacy assessment" in text
