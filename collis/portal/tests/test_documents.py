"""The patient's documents: the patient version of the decision aid and the consent form,
each a real PDF of their own episode, each download audited; another patient's episode is
not found."""

import datetime
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from collis.consent.tests.factories import consented_episode, episode_at
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.patients.tests.factories import PatientFactory
from collis.portal.tests.factories import portal_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse(user_with_role):
    return user_with_role(Role.NURSE_SPECIALIST)


def _text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_patient_downloads_their_decision_aid_and_consent_form(sites, nurse):
    patient = PatientFactory()
    episode = consented_episode(timezone.localdate() - datetime.timedelta(days=1),
                                patient=patient)
    client = portal_client(patient, by=nurse)
    listing = client.get("/portal/documents/").content.decode()
    assert "decision aid" in listing and "Your consent form" in listing
    aid = client.get(f"/portal/documents/{episode.pk}/decision-aid.pdf")
    assert aid["Content-Type"] == "application/pdf"
    assert patient.family_name.upper() in _text(aid.content).upper()
    form = client.get(f"/portal/documents/{episode.pk}/consent-form.pdf")
    assert form["Content-Type"] == "application/pdf" and _text(form.content)
    downloads = set(AuditEvent.objects.filter(
        action=AuditAction.DOWNLOAD, patient_id=patient.pk, actor=client.account)
        .values_list("object_type", flat=True))
    assert downloads == {"decision_aid", "consent"}


def test_no_consent_form_before_consent(sites, nurse):
    patient = PatientFactory()
    episode = episode_at(patient=patient)
    client = portal_client(patient, by=nurse)
    assert "Your consent form" not in client.get("/portal/documents/").content.decode()
    assert client.get(f"/portal/documents/{episode.pk}/consent-form.pdf").status_code == 404


def test_another_patients_documents_are_not_found(sites, nurse):
    patient, other = PatientFactory(), PatientFactory()
    episode = consented_episode(timezone.localdate() - datetime.timedelta(days=1),
                                patient=other)
    client = portal_client(patient, by=nurse)
    assert client.get(f"/portal/documents/{episode.pk}/decision-aid.pdf").status_code == 404
    assert client.get(f"/portal/documents/{episode.pk}/consent-form.pdf").status_code == 404
    assert not AuditEvent.objects.filter(patient_id=other.pk, actor=client.account).exists()


def test_the_patient_downloads_their_sent_clinic_letters_and_not_a_draft(sites, nurse):
    from collis.core.audit import Actor
    from collis.letters import services as letters
    from collis.letters.tests.factories import seen_appointment

    appointment = seen_appointment()
    patient = appointment.patient
    neurologist = appointment.session.clinicians.first()
    actor = Actor.command_line(neurologist)
    letter = letters.letter_draft_create(appointment=appointment, actor=actor)
    client = portal_client(patient, by=nurse)
    assert "Your clinic letter" not in client.get("/portal/documents/").content.decode()
    assert client.get(f"/portal/documents/letters/{letter.pk}.pdf").status_code == 404
    letters.letter_send(letter=letter, version=1, how="printed", actor=actor)
    listing = client.get("/portal/documents/").content.decode()
    assert "Your clinic letter" in listing
    assert f"/portal/documents/letters/{letter.pk}.pdf" in listing
    pdf = client.get(f"/portal/documents/letters/{letter.pk}.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert patient.family_name.upper() in _text(pdf.content).upper()
    assert AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, object_type="clinic_letter",
                                     patient_id=patient.pk, actor=client.account).count() == 1
    other = PatientFactory()
    assert portal_client(other, by=nurse).get(
        f"/portal/documents/letters/{letter.pk}.pdf").status_code == 404


def test_the_patient_downloads_the_mdt_outcome_letter_once_the_mdt_has_decided(sites, nurse):
    from collis.domain.pathway import State
    from collis.mdt.tests.factories import decided
    from collis.surgery.tests.factories import episode_at as episode_in

    patient, other = PatientFactory(), PatientFactory()
    episode = episode_in(State.AWAITING_MDT, patient=patient)
    client = portal_client(patient, by=nurse)
    assert "outcome letter" not in client.get("/portal/documents/").content.decode()
    url = f"/portal/documents/{episode.pk}/mdt-outcome.pdf"
    assert client.get(url).status_code == 404  # not decided yet
    decided(episode)
    assert "The MDT&#39;s outcome letter" in client.get("/portal/documents/").content.decode()
    letter = client.get(url)
    assert letter["Content-Type"] == "application/pdf"
    assert "MDT outcome letter" in _text(letter.content)
    assert AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, object_type="mdt_decision",
                                     patient_id=patient.pk, actor=client.account).exists()
    # Another patient's decided episode is not found, and nothing is recorded about them.
    theirs = episode_in(State.AWAITING_MDT, patient=other)
    decided(theirs)
    assert client.get(f"/portal/documents/{theirs.pk}/mdt-outcome.pdf").status_code == 404
    assert not AuditEvent.objects.filter(patient_id=other.pk, actor=client.account).exists()
