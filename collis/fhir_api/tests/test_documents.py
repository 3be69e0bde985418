"""Consent and documents over HTTP: each consent with the risks disclosed, the PDFs as
DocumentReferences whose attachment answers the same PDF the pages give (audited as a
download), search by patient, type, date and status, keyset pages, scope and audit."""

import datetime as dt

import pytest

from collis.consent import services as consent_services
from collis.consent.tests.factories import consented_episode, episode_at
from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditChannel, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.pathway import State
from collis.fhir_api.tests.test_records import ids
from collis.fhir_api.validation import validation_problems
from collis.letters import services as letters
from collis.letters.tests.factories import seen_appointment
from collis.letters.tests.test_services import pdf_text
from collis.mdt.tests.factories import decided
from collis.patients.tests.factories import other_unit_patient

pytestmark = pytest.mark.django_db

SIGNED = dt.date(2026, 5, 4)


def test_a_consent_lists_every_risk_disclosed_with_its_figures_and_sources(client, bearer,
                                                                           sites):
    episode = consented_episode(SIGNED)
    consent = episode.consents.get()
    headers = bearer(Role.NEUROLOGIST)
    response = client.get(f"/fhir/R4/Consent/{consent.pk}", **headers)
    assert response.status_code == 200, response.content
    resource = response.json()
    assert validation_problems(resource) == []
    assert resource["status"] == "active"
    assert resource["scope"]["coding"][0]["code"] == "treatment"
    assert resource["sourceReference"]["reference"] == f"DocumentReference/consent-{consent.pk}"
    risks = {ext["extension"][0]["valueCoding"]["code"]: ext["extension"]
             for ext in resource["extension"]}
    assert set(risks) == set(consent_services.sd_risk_codes())
    numbness = {part["url"]: part for part in risks["SD_OCCIPITAL_NUMBNESS"]}
    assert numbness["figure"]["valueString"]
    assert numbness["source"]["valueString"] == "Collis clinical reference [28]"
    assert numbness["understood"]["valueDate"] == numbness["discussed"]["valueDate"]
    assert AuditEvent.objects.filter(object_type="consent", patient_id=episode.patient_id,
                                     action=AuditAction.VIEW,
                                     channel=AuditChannel.API).exists()


def test_a_consent_the_patient_no_longer_wants_on_the_day_is_inactive(client, bearer, sites):
    episode = consented_episode(SIGNED)
    consent = episode.consents.get()
    surgeon = UserFactory(role=Role.NEUROSURGEON)
    consent_services.consent_confirmation_create(
        consent=consent, confirmed_on=SIGNED + dt.timedelta(days=20),
        still_wants_to_proceed=False, notes="Wants to think again.",
        actor=Actor.command_line(surgeon))
    other = consented_episode(SIGNED)
    headers = bearer(Role.NEUROLOGIST)
    assert ids(client, headers, "Consent", status="inactive") == [str(consent.pk)]
    assert ids(client, headers, "Consent", status="active") == [
        str(other.consents.get().pk)]
    assert ids(client, headers, "Consent", patient=f"Patient/{episode.patient_id}",
               date="2026-05-04") == [str(consent.pk)]
    assert ids(client, headers, "Consent", date="2026-06") == []


def test_documents_are_the_consent_form_decision_aids_letters_and_mdt_outcomes(
        client, bearer, sites):
    episode = consented_episode(SIGNED)
    consent = episode.consents.get()
    patient = episode.patient
    awaiting = episode_at(State.AWAITING_MDT, patient=patient)
    decision = decided(awaiting)
    neurologist = UserFactory(role=Role.NEUROLOGIST)
    appointment = seen_appointment(patient=patient, neurologist=neurologist)
    actor = Actor.command_line(neurologist)
    letter = letters.letter_draft_create(appointment=appointment, actor=actor)
    letter = letters.letter_send(letter=letter, version=1, how="printed", actor=actor)
    headers = bearer(Role.NEUROLOGIST)
    mine = {"patient": str(patient.pk)}
    assert ids(client, headers, "DocumentReference", **mine) == [
        f"letter-{letter.pk}", f"consent-{consent.pk}", f"mdtoutcome-{decision.pk}",
        f"aid.clinician-{episode.pk}", f"aid.patient-{episode.pk}"]
    assert ids(client, headers, "DocumentReference", type="consent-form", **mine) == [
        f"consent-{consent.pk}"]
    assert ids(client, headers, "DocumentReference", status="superseded", **mine) == []
    # Pages of two walk the kinds by keyset.
    url, seen = f"/fhir/R4/DocumentReference?_count=2&patient={patient.pk}", []
    while url:
        bundle = client.get(url, **headers).json()
        seen += [e["resource"]["id"] for e in bundle["entry"]]
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
    assert len(seen) == 5 and len(set(seen)) == 5
    document = client.get(f"/fhir/R4/DocumentReference/letter-{letter.pk}", **headers).json()
    assert validation_problems(document) == []
    attachment = document["content"][0]["attachment"]
    assert (attachment["contentType"], attachment["url"]) == (
        "application/pdf", f"DocumentReference/letter-{letter.pk}/$binary")
    pdf = client.get(f"/fhir/R4/{attachment['url']}", **headers)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "Clinic letter" in pdf_text(pdf.content)
    assert AuditEvent.objects.filter(object_type="clinic_letter", action=AuditAction.DOWNLOAD,
                                     channel=AuditChannel.API,
                                     patient_id=patient.pk).exists()
    for document_id in (f"consent-{consent.pk}", f"mdtoutcome-{decision.pk}",
                        f"aid.clinician-{episode.pk}", f"aid.patient-{episode.pk}"):
        pdf = client.get(f"/fhir/R4/DocumentReference/{document_id}/$binary", **headers)
        assert pdf.status_code == 200, document_id
        assert pdf.content.startswith(b"%PDF")
    assert "Consent to selective peripheral denervation" in pdf_text(client.get(
        f"/fhir/R4/DocumentReference/consent-{consent.pk}/$binary", **headers).content)


def test_a_document_of_another_unit_or_without_a_token_is_refused(client, bearer, sites):
    episode = consented_episode(SIGNED, patient=other_unit_patient())
    consent = episode.consents.get()
    headers = bearer(Role.NEUROLOGIST)
    for url in (f"/fhir/R4/Consent/{consent.pk}",
                f"/fhir/R4/DocumentReference/consent-{consent.pk}",
                f"/fhir/R4/DocumentReference/consent-{consent.pk}/$binary",
                "/fhir/R4/DocumentReference/consent-x/$binary",
                "/fhir/R4/DocumentReference/nothing-1/$binary"):
        response = client.get(url, **headers)
        assert response.status_code == 404, url
        assert response.json()["resourceType"] == "OperationOutcome"
    assert ids(client, headers, "DocumentReference") == []
    response = client.get(f"/fhir/R4/DocumentReference/consent-{consent.pk}/$binary")
    assert response.status_code == 401
    coordinator = bearer(Role.MDT_COORDINATOR)
    assert client.post(f"/fhir/R4/DocumentReference/consent-{consent.pk}/$binary",
                       **coordinator).status_code == 405


def test_everything_includes_the_consents_and_documents(client, bearer, sites):
    episode = consented_episode(SIGNED)
    headers = bearer(Role.NEUROLOGIST)
    bundle = client.get(f"/fhir/R4/Patient/{episode.patient_id}/$everything", **headers).json()
    assert validation_problems(bundle) == []
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("Consent") == 1 and kinds.count("DocumentReference") == 3
