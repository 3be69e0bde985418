"""The mappers of consent and documents against JSON fixtures: a Consent with its risks
disclosed (and one the patient withdrew from on the day), and a DocumentReference of each
kind; every fixture passes the three validation layers."""

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from collis.domain.risks import risk
from collis.fhir_api import mappers_documents
from collis.fhir_api.mappers_documents import Document
from collis.fhir_api.tests.test_mappers import CHANGED, patient
from collis.fhir_api.tests.test_mappers_records import PATIENT_ID, surgeon, with_rows
from collis.fhir_api.validation import validation_problems

FIXTURES = Path(__file__).parent / "fixtures"


def understood(code: str) -> dict:
    """A risk as the consent froze it, from the catalogue (the figures as the patient read
    them are the catalogue's figure texts here)."""
    found = risk(code)
    return {"risk_code": code, "name": found.name,
            "patient_description": found.patient_description,
            "figures_text": [f.text for f in found.figures],
            "frequency_note": found.frequency_note, "sources": list(found.sources),
            "discussed_on": "2026-04-06", "discussed_session": 3,
            "confirmed_on": "2026-04-20", "confirmed_session": 4}


def consent(confirmations=(), **changes):
    from collis.consent.models import Consent, ConsentConfirmation

    values = {"pk": 7, "patient_id": PATIENT_ID, "patient": patient(), "episode_id": 3,
              "counselling_id": 4, "procedure": "Selective peripheral denervation",
              "planned_denervation": [], "plan_source": "MDT decision",
              "signature_method": "paper", "patient_signed_on": dt.date(2026, 5, 4),
              "surgeon": surgeon(), "surgeon_signed_on": dt.date(2026, 5, 4),
              "cooling_off_days": 14, "created_at": CHANGED, "created_by": surgeon(),
              "risks_understood": [understood("SD_OCCIPITAL_NUMBNESS")]}
    values.update(changes)
    made = Consent(**values)
    return with_rows(made, "confirmations", [
        ConsentConfirmation(pk=n, consent_id=7, patient_id=PATIENT_ID, confirmed_on=day,
                            still_wants_to_proceed=wants, record_status="current",
                            created_at=CHANGED)
        for n, (day, wants) in enumerate(confirmations, start=1)])


def letter():
    from collis.letters.models import ClinicLetter, LetterVersion

    version = LetterVersion(pk=12, letter_id=9, number=2, created_at=CHANGED,
                            created_by=surgeon())
    return ClinicLetter(pk=9, patient_id=PATIENT_ID, patient=patient(), appointment_id=64,
                        state="sent", sent_version=version, sent_by=surgeon(),
                        sent_at=CHANGED + dt.timedelta(days=1), sent_how="printed")


def mdt_decision(**changes):
    from collis.mdt.models import MdtDecision

    values = {"pk": 15, "patient_id": PATIENT_ID, "patient": patient(), "episode_id": 3,
              "decision": "sd", "discussion": "Discussed.", "created_at": CHANGED,
              "created_by": surgeon()}
    values.update(changes)
    made = MdtDecision(**values)
    made.corrected = changes.get("corrected", False)
    return made


def episode():
    from collis.surgery.models import Episode

    made = Episode(pk=3, patient_id=PATIENT_ID, patient=patient())
    made.counselled_at = CHANGED
    return made


def replaced_consent():
    made = consent(pk=8)
    made.replaced = True
    return made


CASES = {
    "consent": lambda: mappers_documents.consent_resource(consent(
        confirmations=[(dt.date(2026, 5, 20), True)])),
    "consent-withdrawn-on-the-day": lambda: mappers_documents.consent_resource(consent(
        confirmations=[(dt.date(2026, 5, 20), False)])),
    "documentreference-letter": lambda: mappers_documents.document_reference_resource(
        Document("letter", letter())),
    "documentreference-consent-form-superseded":
        lambda: mappers_documents.document_reference_resource(
            Document("consent", replaced_consent())),
    "documentreference-mdt-outcome": lambda: mappers_documents.document_reference_resource(
        Document("mdtoutcome", mdt_decision())),
    "documentreference-decision-aid-patient":
        lambda: mappers_documents.document_reference_resource(
            Document("aid.patient", episode())),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_mapper_gives_the_fixture(case):
    resource = CASES[case]()
    fixture = FIXTURES / f"{case}.json"
    if os.environ.get("COLLIS_REGENERATE_FIXTURES"):
        fixture.write_text(json.dumps(resource, indent=2, ensure_ascii=False) + "\n")
    assert resource == json.loads(fixture.read_text())


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_fixture_passes_the_three_validation_layers(case):
    assert validation_problems(json.loads((FIXTURES / f"{case}.json").read_text())) == []


def test_a_disclosed_risk_names_its_catalogue_entry_figures_and_sources():
    extension = CASES["consent"]()["extension"][0]
    parts = [(part["url"], next(v for k, v in part.items() if k.startswith("value")))
             for part in extension["extension"]]
    numbness = risk("SD_OCCIPITAL_NUMBNESS")
    assert parts[0] == ("risk", {"system": "https://fhir.collis.example/CodeSystem/risk",
                                 "code": "SD_OCCIPITAL_NUMBNESS", "display": numbness.name})
    assert [v for k, v in parts if k == "figure"] == [f.text for f in numbness.figures]
    assert [v for k, v in parts if k == "source"] == [
        f"Collis clinical reference [{n}]" for n in numbness.sources]


def test_a_consent_is_active_until_replaced_or_withdrawn_on_the_day():
    assert CASES["consent"]()["status"] == "active"
    assert CASES["consent-withdrawn-on-the-day"]()["status"] == "inactive"
    made = consent()
    made.replaced = True
    assert mappers_documents.consent_status(made) == "inactive"
