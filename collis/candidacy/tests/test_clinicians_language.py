"""Ruleset 2 in the app: one muscle from two sources, a response the clinician records, the
facts and result pages in clinicians' language, and older assessments kept with their
ruleset and offered a re-assessment."""

import datetime
import re

import pytest
from django.urls import reverse

from collis.assessments import services as assessments
from collis.assessments.tests.factories import actor_for, make_examination
from collis.candidacy.facts import collect_case_facts
from collis.candidacy.models import CandidacyAssessmentRecord
from collis.candidacy.presenters import AssessmentPresenter
from collis.candidacy.tests.test_candidacy import CONTRACT_EXAMPLE
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.investigations import services as investigations
from collis.investigations.models import InvestigationKind, ResultStatus
from collis.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db
NOT_KNOWN = {"fit_for_general_anaesthetic": "unknown", "cervical_myelopathy": "unknown",
             "prior_neck_surgery": "unknown", "wants_surgery": "unknown"}

# What a clinician never writes: a field path, a Python value, a doubled word.
FIELD_PATH = re.compile(r"\b[a-z]+_[a-z_]+\.[a-z_]+|\w\[\d+\]|\bwork_up\b|botulinum_toxin")
PYTHON_VALUE = re.compile(r"\b(True|False|None)\b|\{'|'\}")
DOUBLED = re.compile(r"\b(\w{3,}) \1\b", re.IGNORECASE)


@pytest.fixture
def patient(sites):
    return PatientFactory()


def _levator_on_emg_and_examination(patient):
    investigations.investigation_create(
        patient=patient, actor=actor_for(),
        details=investigations.InvestigationDetails(
            kind=InvestigationKind.EMG, performed_on=datetime.date(2026, 3, 2),
            status=ResultStatus.ABNORMAL,
            active_muscles=(("levator_scapulae", "bilateral"), ("splenius_capitis", "left"))))
    examination = make_examination(patient)
    assessments.examination_muscles_confirm(
        examination=examination, actor=actor_for(),
        muscles=[("levator_scapulae", "left"), ("levator_scapulae", "right"),
                 ("sternocleidomastoid", "right")])


def test_a_muscle_bilateral_on_emg_and_left_and_right_at_examination_is_one_fact(patient):
    _levator_on_emg_and_examination(patient)
    muscles = collect_case_facts(patient=patient, answers={}).facts["muscles"]
    assert [(m["muscle"], m["side"]) for m in muscles] == [
        ("levator_scapulae", "bilateral"), ("splenius_capitis", "left"),
        ("sternocleidomastoid", "right")]


def test_the_stored_plan_lists_that_muscle_once(client_as, patient):
    _levator_on_emg_and_examination(patient)
    client_as(Role.NEUROLOGIST).post(reverse("candidacy:candidacy_new", args=[patient.pk]),
                                     NOT_KNOWN)
    plan = CandidacyAssessmentRecord.objects.get().result["denervation_plan"]
    assert [p["side"] for p in plan if p["muscle"] == "levator_scapulae"] == ["bilateral"]


def test_a_response_recorded_by_the_clinician_names_who_and_when(client_as, patient):
    client = client_as(Role.NEUROLOGIST)
    client.post(reverse("candidacy:candidacy_new", args=[patient.pk]),
                NOT_KNOWN | {"response_pattern": "secondary_non_response"})
    record = CandidacyAssessmentRecord.objects.get()
    assert record.facts["botulinum_toxin"]["response_pattern"] == "secondary_non_response"
    row = next(r for r in AssessmentPresenter(record).facts() if r["label"] == "Toxin response")
    assert row["value"] == "secondary non-response"
    assert row["source"].startswith(f"Recorded by {record.assessed_by.display_name} on ")


def _stored(patient, ruleset="collis-sd-candidacy/2", **result):
    from collis.domain.candidacy import assess_candidacy

    output = assess_candidacy(CONTRACT_EXAMPLE).as_dict() | result | {"ruleset": ruleset}
    provenance = [
        {"path": "botulinum_toxin.resistance_test", "value": {"test": "frontalis",
         "result": "resistant"}, "source": "Frontalis test of 3 March 2026: resistant",
         "href": ""},
        {"path": "twstrs", "value": {"severity": 22, "disability": 14, "pain": 9},
         "source": "TWSTRS of 1 June 2026 (total 45)", "href": ""},
        {"path": "work_up.emg_mapping", "value": True, "source": "EMG of 2 March 2026",
         "href": ""},
        {"path": "muscles", "value": "2 entries", "source": "Muscles on EMG", "href": ""},
        {"path": "patterns", "value": "2 entries", "source": "Neck examination", "href": ""},
        {"path": "health.cervical_myelopathy", "value": False, "source": "The clinician",
         "href": ""},
    ]
    return CandidacyAssessmentRecord.objects.create(
        patient=patient, assessed_by=UserFactory(role=Role.NEUROLOGIST), ruleset=ruleset,
        recommendation=output["recommendation"], facts=CONTRACT_EXAMPLE,
        provenance=provenance, result=output)


def _main_text(html: str) -> str:
    main = html.split("<main", 1)[-1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_the_result_page_shows_facts_as_a_clinician_writes_them(client_as, patient):
    record = _stored(patient)
    page = client_as(Role.NEUROLOGIST).get(
        reverse("candidacy:candidacy_detail", args=[patient.pk, record.pk])).content.decode()
    text = _main_text(page)
    assert "Resistance test frontalis test: resistant" in text
    assert "TWSTRS severity 22, disability 14, pain 9" in text
    assert "EMG mapping done" in text and "Cervical myelopathy no" in text
    assert "torticaput right, severity 3" in text
    assert "sternocleidomastoid (left, active on EMG)" in text
    assert not FIELD_PATH.search(text.replace("collis-sd-candidacy/2", "")), FIELD_PATH.search(
        text)
    assert not PYTHON_VALUE.search(text), PYTHON_VALUE.search(text)
    assert not DOUBLED.search(text), DOUBLED.search(text)


def test_missing_facts_are_named_in_words_core_apart_from_supporting(client_as, patient):
    from collis.domain.candidacy import assess_candidacy

    facts = {"schema": "collis-case/1", "dystonia": {"distribution": "focal"},
             "botulinum_toxin": {"cycles": [{"date": "2026-01-05", "benefit_percent": 60}]}}
    output = assess_candidacy(facts).as_dict()
    record = CandidacyAssessmentRecord.objects.create(
        patient=patient, assessed_by=UserFactory(role=Role.NEUROLOGIST),
        ruleset=output["ruleset"], recommendation=output["recommendation"], facts=facts,
        provenance=[], result=output)
    groups = {heading: labels for heading, _, labels in
              AssessmentPresenter(record).missing_groups()}
    assert "Col-Cap patterns" in groups["Core facts missing"]
    assert "Toxin response" in groups["Core facts missing"]
    assert "Regions involved" in groups["Supporting facts missing"]
    text = _main_text(client_as(Role.NEUROLOGIST).get(
        reverse("candidacy:candidacy_detail", args=[patient.pk, record.pk])).content.decode())
    assert "weeks of benefit of toxin cycle 1 not recorded" in text
    assert not FIELD_PATH.search(text.replace("collis-sd-candidacy/2", "")), FIELD_PATH.search(
        text)
    assert not PYTHON_VALUE.search(text), PYTHON_VALUE.search(text)


def test_an_assessment_with_ruleset_1_keeps_it_and_offers_to_reassess(client_as, patient):
    record = _stored(patient, ruleset="collis-sd-candidacy/1")
    client = client_as(Role.NEUROLOGIST)
    page = client.get(reverse("candidacy:candidacy_detail", args=[patient.pk, record.pk]))
    text = _main_text(page.content.decode())
    assert "Assessed with ruleset 1" in text and "Re-assess with ruleset 2" in text
    assert reverse("candidacy:candidacy_new", args=[patient.pk]) in page.content.decode()
    listing = _main_text(client.get(
        reverse("candidacy:candidacy_list", args=[patient.pk])).content.decode())
    assert "Ruleset 1" in listing and "re-assess to use ruleset 2" in listing
    record.refresh_from_db()
    assert record.ruleset == "collis-sd-candidacy/1"


def test_a_role_that_cannot_assess_sees_no_reassess_button(client_as, patient):
    record = _stored(patient, ruleset="collis-sd-candidacy/1")
    role = next(r for r in Role if r not in (Role.NEUROLOGIST,)
                and _cannot_assess(r))
    page = client_as(role).get(reverse("candidacy:candidacy_detail",
                                       args=[patient.pk, record.pk])).content.decode()
    assert "Assessed with ruleset 1" in page and "Re-assess with ruleset 2" not in page


def _cannot_assess(role):
    from collis.core.roles import ROLE_CAPABILITIES, Capability

    caps = ROLE_CAPABILITIES.get(role, ())
    return Capability.RECORD_VIEW in caps and Capability.CANDIDACY_ASSESS not in caps


def test_the_facts_page_shows_facts_in_words(client_as, patient):
    from collis.treatments.tests.factories import ResistanceTestFactory

    _levator_on_emg_and_examination(patient)
    ResistanceTestFactory(patient=patient, kind="frontalis", result="resistant")
    text = _main_text(client_as(Role.NEUROLOGIST).get(
        reverse("candidacy:candidacy_new", args=[patient.pk])).content.decode())
    assert "Frontalis test of" in text and "Frontalis test test" not in text
    assert "levator scapulae (bilateral, active on EMG)" in text
    assert not FIELD_PATH.search(text), FIELD_PATH.search(text)
    assert not PYTHON_VALUE.search(text), PYTHON_VALUE.search(text)
    assert not DOUBLED.search(text), DOUBLED.search(text)
