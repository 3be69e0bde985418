"""Assessing candidacy from the record: facts with their sources, the stored result, the
pages, the API and the role rules."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from collis.candidacy.facts import collect_case_facts
from collis.candidacy.models import CandidacyAssessmentRecord
from collis.candidacy.services import candidacy_assess
from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.services import api_token_create
from collis.core.tests.factories import UserFactory
from collis.patients.tests.factories import PatientFactory

CONTRACT_EXAMPLE = {
    "schema": "collis-case/1", "age": 52,
    "dystonia": {"distribution": "focal", "regions": ["neck"], "onset_age": 41,
                 "course": "static", "aetiology": "idiopathic"},
    "patterns": [{"pattern": "torticaput", "side": "right", "severity": 3},
                 {"pattern": "laterocaput", "side": "right", "severity": 1}],
    "tremor": "mild",
    "muscles": [{"muscle": "sternocleidomastoid", "side": "left", "emg_active": True},
                {"muscle": "splenius_capitis", "side": "right", "emg_active": True}],
    "twstrs": {"severity": 22, "disability": 14, "pain": 9},
    "botulinum_toxin": {
        "response_pattern": "secondary_non_response",
        "cycles": [{"date": "2023-01-10", "product": "abobotulinumtoxinA", "units": 750,
                    "benefit_percent": 60, "benefit_weeks": 11}],
        "resistance_test": {"test": "frontalis", "result": "resistant"}},
    "work_up": {"emg_mapping": True, "videofluoroscopy": "normal",
                "ct_cervical_spine": "normal"},
    "health": {"fit_for_general_anaesthetic": True, "cervical_myelopathy": False,
               "prior_neck_surgery": False},
    "preferences": {"wants_surgery": True},
}


@pytest.fixture
def patient(sites):
    return PatientFactory()


def test_collected_facts_say_where_each_came_from(patient):
    collected = collect_case_facts(patient=patient, answers={"wants_surgery": True})
    assert collected.facts["schema"] == "collis-case/1"
    assert collected.facts["preferences"] == {"wants_surgery": True}
    paths = {s.path: s.source for s in collected.sources}
    assert "Date of birth" in paths["age"]
    assert paths["preferences.wants_surgery"] == "The clinician's answer when assessing"


def test_not_known_answers_leave_the_fact_absent(patient):
    collected = collect_case_facts(patient=patient, answers={})
    assert "health" not in collected.facts and "preferences" not in collected.facts


def test_assessment_is_stored_with_ruleset_facts_sources_and_result_and_audited(patient):
    actor = Actor.command_line(UserFactory(role=Role.NEUROLOGIST))
    record = candidacy_assess(patient=patient, answers={"wants_surgery": True}, actor=actor)
    assert record.ruleset == "collis-sd-candidacy/2"
    assert record.result["recommendation"] == record.recommendation
    assert record.facts["preferences"]["wants_surgery"] is True
    assert any(s["path"] == "age" for s in record.provenance)
    assert record.policy and all(p["label"].startswith("local policy") for p in record.policy)
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, patient_id=patient.pk,
                                     object_type="candidacy_assessment").exists()


def test_a_stored_assessment_is_never_changed(patient):
    actor = Actor.command_line(UserFactory(role=Role.NEUROLOGIST))
    record = candidacy_assess(patient=patient, answers={}, actor=actor)
    record.recommendation = "favourable"
    with pytest.raises(PermissionError):
        record.save()


def test_an_empty_record_is_insufficient_information_listing_what_is_missing(patient):
    actor = Actor.command_line(UserFactory(role=Role.NEUROLOGIST))
    record = candidacy_assess(patient=patient, answers={}, actor=actor)
    assert record.recommendation == "insufficient_information"
    assert "dystonia.distribution" in record.result["missing"]


def test_neurologist_assesses_in_one_action_and_reads_the_findings(client_as, patient):
    client = client_as(Role.NEUROLOGIST)
    page = client.get(reverse("candidacy:candidacy_new", args=[patient.pk])).content.decode()
    assert "Facts from the record" in page and "Date of birth" in page
    response = client.post(reverse("candidacy:candidacy_new", args=[patient.pk]), {
        "fit_for_general_anaesthetic": "yes", "cervical_myelopathy": "no",
        "prior_neck_surgery": "unknown", "wants_surgery": "yes"})
    record = CandidacyAssessmentRecord.objects.get()
    assert response["Location"] == reverse("candidacy:candidacy_detail",
                                           args=[patient.pk, record.pk])
    body = client.get(response["Location"]).content.decode()
    assert "Not enough information" in body and "collis-sd-candidacy/2" in body
    assert "Core facts missing" in body and "Sources cited" in body
    assert record.facts["health"] == {"fit_for_general_anaesthetic": True,
                                      "cervical_myelopathy": False}


def test_unanswered_question_is_named_in_the_error(client_as, patient):
    body = client_as(Role.NEUROLOGIST).post(
        reverse("candidacy:candidacy_new", args=[patient.pk]), {}).content.decode()
    assert "There is a problem" in body
    assert "Answer whether the patient wants to consider surgery" in body
    assert not CandidacyAssessmentRecord.objects.exists()


def test_physiotherapist_reads_but_does_not_run_assessments(client_as, patient):
    client = client_as(Role.PHYSIOTHERAPIST)
    assert client.get(reverse("candidacy:candidacy_list", args=[patient.pk])).status_code == 200
    assert client.post(reverse("candidacy:candidacy_new", args=[patient.pk]),
                       {"wants_surgery": "yes"}).status_code == 403
    assert not CandidacyAssessmentRecord.objects.exists()


def test_candidacy_list_queries_do_not_grow(client_as, patient, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    actor = Actor.command_line(UserFactory(role=Role.NEUROLOGIST))
    client = client_as(Role.NEUROLOGIST)
    client.get("/")
    page = reverse("candidacy:candidacy_list", args=[patient.pk])
    candidacy_assess(patient=patient, answers={}, actor=actor)
    with CaptureQueriesContext(connection) as one:
        client.get(page)
    for _ in range(11):
        candidacy_assess(patient=patient, answers={}, actor=actor)
    # Session and user (2), the idle-time session write (3), the patient and its
    # "patient shown" audit (2), the list's audit and the list (2).
    with django_assert_max_num_queries(9) as twelve:
        assert client.get(page).status_code == 200
    assert len(twelve.captured_queries) == len(one.captured_queries)


@pytest.fixture
def token(db):
    user = UserFactory(role=Role.NEUROLOGIST)
    return {"HTTP_AUTHORIZATION": "Bearer " + api_token_create(user=user,
                                                               actor=Actor.command_line())}


def test_api_assesses_the_contract_example(client, token):
    response = client.post("/api/v1/candidacy", json.dumps(CONTRACT_EXAMPLE),
                           content_type="application/json", **token)
    assert response.status_code == 200
    body = response.json()
    assert body["ruleset"] == "collis-sd-candidacy/2"
    assert body["recommendation"] in {"favourable", "possible"}
    assert {"muscle": "sternocleidomastoid", "side": "left",
            "target": "spinal accessory nerve branches"}.items() <= body[
        "denervation_plan"][0].items()
    assert not CandidacyAssessmentRecord.objects.exists()  # nothing stored


def test_api_bad_input_is_422_naming_the_field_and_allowed_values(client, token):
    bad = CONTRACT_EXAMPLE | {"tremor": "wobbly"}
    response = client.post("/api/v1/candidacy", json.dumps(bad),
                           content_type="application/json", **token)
    assert response.status_code == 422
    detail = " ".join(response.json()["detail"])
    assert "tremor" in detail and "mild" in detail


def test_api_not_json_is_422(client, token):
    response = client.post("/api/v1/candidacy", "{not json", content_type="application/json",
                           **token)
    assert response.status_code == 422


def test_api_lists_stored_assessments_with_audit(client, token, patient):
    candidacy_assess(patient=patient, answers={},
                     actor=Actor.command_line(UserFactory(role=Role.NEUROLOGIST)))
    response = client.get(f"/api/v1/patients/{patient.pk}/candidacy-assessments", **token)
    assert response.status_code == 200 and len(response.json()) == 1
    assert AuditEvent.objects.filter(object_type="candidacy_assessments",
                                     patient_id=patient.pk).exists()


def test_the_project_keeps_its_copy_of_the_contract():
    assert (Path(__file__).resolve().parents[3] / "docs" / "case-facts.md").exists()


def test_work_up_and_emg_muscles_come_from_investigations(patient):
    from collis.investigations.models import InvestigationKind, ResultStatus
    from collis.investigations.tests.factories import (
        EmgActiveMuscleFactory,
        InvestigationFactory,
    )

    emg = InvestigationFactory(patient=patient, kind=InvestigationKind.EMG,
                               status=ResultStatus.ABNORMAL)
    EmgActiveMuscleFactory(investigation=emg, muscle="sternocleidomastoid", side="left")
    EmgActiveMuscleFactory(investigation=emg, muscle="splenius_capitis", side="right")
    InvestigationFactory(patient=patient, kind=InvestigationKind.VIDEOFLUOROSCOPY,
                         status=ResultStatus.NORMAL)
    collected = collect_case_facts(patient=patient, answers={})
    assert collected.facts["work_up"] == {"emg_mapping": True, "videofluoroscopy": "normal"}
    assert {"muscle": "splenius_capitis", "side": "right", "emg_active": True} in \
        collected.facts["muscles"]
    sources = {s.path: s for s in collected.sources}
    assert "Muscles active on the EMG" in sources["muscles"].source
    assert sources["work_up.videofluoroscopy"].href.endswith(f"/investigations/{emg.pk + 1}/")


def test_reviewed_toxin_cycles_and_the_latest_resistance_test_become_facts(patient):
    import datetime

    from collis.treatments.tests.factories import (
        ResistanceTestFactory,
        ToxinCycleFactory,
        ToxinInjectionFactory,
        ToxinReviewFactory,
    )

    for weeks, (percent, lasted) in enumerate([(75, 12), (50, 8), (20, 4)]):
        cycle = ToxinCycleFactory(patient=patient, given_on=datetime.date(2025, 1, 6)
                                  + datetime.timedelta(weeks=13 * weeks))
        ToxinInjectionFactory(cycle=cycle, units=100)
        ToxinInjectionFactory(cycle=cycle, muscle="splenius_capitis", side="right", units=60)
        ToxinReviewFactory(cycle=cycle, peak_benefit_percent=percent, benefit_weeks=lasted)
    ToxinInjectionFactory(cycle=ToxinCycleFactory(patient=patient,
                                                  given_on=datetime.date(2025, 10, 6)))
    ResistanceTestFactory(patient=patient, kind="frontalis", result="resistant")
    collected = collect_case_facts(patient=patient, answers={})
    cycles = collected.facts["botulinum_toxin"]["cycles"]
    assert [c["benefit_percent"] for c in cycles] == [75, 50, 20]
    assert cycles[0] == {"date": "2025-01-06", "product": "onabotulinumtoxinA", "units": 160,
                         "benefit_percent": 75, "benefit_weeks": 12}
    assert collected.facts["botulinum_toxin"]["resistance_test"] == {
        "test": "frontalis", "result": "resistant"}
    source = {s.path: s.source for s in collected.sources}["botulinum_toxin.cycles"]
    assert "1 not yet reviewed, left out" in source
    actor = Actor.command_line(UserFactory(role=Role.NEUROLOGIST))
    record = candidacy_assess(patient=patient, answers={}, actor=actor)
    codes = {f["code"] for f in record.result["findings"]}
    assert any("RESIST" in code for code in codes)


def test_a_full_demo_history_gives_valid_facts_from_every_part_of_the_record(patient):
    import datetime
    import random

    from collis.assessments.demo import demo_history as assessments_demo
    from collis.investigations.demo import demo_history as investigations_demo
    from collis.treatments.demo import demo_history as treatments_demo

    author = UserFactory(role=Role.NEUROLOGIST)
    today = datetime.date(2026, 11, 1)
    for demo in (assessments_demo, treatments_demo, investigations_demo):
        demo(patient, random.Random(4), today, author)
    collected = collect_case_facts(patient=patient, answers={
        "fit_for_general_anaesthetic": True, "cervical_myelopathy": False,
        "prior_neck_surgery": False, "wants_surgery": True})
    for key in ("age", "dystonia", "patterns", "tremor", "muscles", "twstrs",
                "botulinum_toxin", "work_up", "health", "preferences"):
        assert key in collected.facts, key
    record = candidacy_assess(patient=patient, answers={}, actor=Actor.command_line(author))
    assert record.result["findings"]
    assert all(f["sources"] for f in record.result["findings"] if f["effect"] != "missing")


def test_every_source_title_is_read_from_the_reference():
    from collis.candidacy.presenters import reference_sources

    sources = reference_sources()
    assert len(sources) == 49
    assert sources[47].startswith("The unit's patient page on selective denervation")
    assert sources[37] == "Dystonia UK, selective denervation page"
    assert sources[38] == "cdtorticollis.org SD page"
    assert sources[1].startswith("Albanese 2013")


# ------------------------------------------------------------- scope, audit, service errors

def test_another_units_patient_is_not_found_on_any_page_or_the_api(client_as, token, patient):
    from django.test import Client

    from collis.assessments.tests.factories import another_units_patient

    theirs = another_units_patient()
    record = candidacy_assess(patient=theirs, answers={},
                              actor=Actor.command_line(UserFactory(role=Role.NEUROLOGIST)))
    # The newest audit id so far (ids are not counts: sequences outlive rolled-back tests).
    audited = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    client = client_as(Role.NEUROLOGIST)
    for page in (reverse("candidacy:candidacy_list", args=[theirs.pk]),
                 reverse("candidacy:candidacy_new", args=[theirs.pk]),
                 reverse("candidacy:candidacy_detail", args=[theirs.pk, record.pk])):
        assert client.get(page).status_code == 404, page
    assert client.post(reverse("candidacy:candidacy_new", args=[theirs.pk]),
                       {"wants_surgery": "yes", "fit_for_general_anaesthetic": "yes",
                        "cervical_myelopathy": "no", "prior_neck_surgery": "no"}
                       ).status_code == 404
    # Nor is their assessment found under one's own patient.
    assert client.get(reverse("candidacy:candidacy_detail",
                              args=[patient.pk, record.pk])).status_code == 404
    response = Client().get(f"/api/v1/patients/{theirs.pk}/candidacy-assessments", **token)
    assert response.status_code == 404
    assert CandidacyAssessmentRecord.objects.count() == 1
    assert not AuditEvent.objects.filter(pk__gt=audited, patient_id=theirs.pk).exists()


def test_the_assessment_form_shows_the_patient_and_the_facts_audited_once(client_as, patient):
    client = client_as(Role.NEUROLOGIST)
    assert client.get(reverse("candidacy:candidacy_new", args=[patient.pk])).status_code == 200
    reads = AuditEvent.objects.filter(action=AuditAction.VIEW, patient_id=patient.pk)
    assert sorted(reads.values_list("object_type", flat=True)) == ["case_facts", "patient"]
    assert {e.actor for e in reads} == {client.user}


def test_a_services_error_is_shown_on_the_form_rather_than_failing(client_as, patient,
                                                                   monkeypatch):
    from django.core.exceptions import ValidationError

    from collis.candidacy import services

    def refuse(**kwargs):
        raise ValidationError({"__all__": ["The facts could not be stored."],
                               "result": ["The result is too large."]})

    monkeypatch.setattr(services, "candidacy_assess", refuse)
    response = client_as(Role.NEUROLOGIST).post(
        reverse("candidacy:candidacy_new", args=[patient.pk]),
        {"fit_for_general_anaesthetic": "yes", "cervical_myelopathy": "no",
         "prior_neck_surgery": "unknown", "wants_surgery": "yes"})
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert "The facts could not be stored." in body and "The result is too large." in body
    assert not CandidacyAssessmentRecord.objects.exists()


def test_an_unknown_assessment_number_gives_its_own_not_found_page(client_as, patient):
    response = client_as(Role.PHYSIOTHERAPIST).get(
        reverse("candidacy:candidacy_detail", args=[patient.pk, 999]))
    assert response.status_code == 404
    assert "This patient has no assessment with this number." in response.content.decode()
