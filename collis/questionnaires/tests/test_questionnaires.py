"""Questionnaires when due: due from the record (a toxin appointment booked), answered in two
sittings (nothing lost), sent and scored by the domain, shown on the record as
patient-reported, and emails sent only while the occasion is still due."""

import re

import pytest
from django.core import mail

from collis.core.models import AuditEvent
from collis.core.roles import Role
from collis.patients.tests.factories import PatientFactory
from collis.portal.tests.factories import portal_client
from collis.questionnaires.models import QuestionnaireEmail, QuestionnaireResponse
from collis.questionnaires.selectors import occasions_due
from collis.questionnaires.services import questionnaire_emails_queue
from collis.scheduling import services as scheduling
from collis.scheduling.tests.factories import clinic, coordinator_actor

pytestmark = pytest.mark.django_db

FIRST_HALF = {"work": "2", "activities_of_daily_living": "1", "driving": "0"}
SECOND_HALF = {"reading": "3", "television": "1", "activities_outside_home": "2",
               "pain_severity": "6", "pain_duration": "3", "pain_disability": "2"}


@pytest.fixture
def booked(sites):
    """A patient with a toxin appointment tomorrow: the questionnaire before it is due."""
    patient = PatientFactory()
    slot = clinic().slots.order_by("starts_at").first()
    appointment = scheduling.appointment_book(patient=patient, slot=slot,
                                              actor=coordinator_actor())
    return patient, appointment


@pytest.fixture
def client(booked, user_with_role):
    return portal_client(booked[0], by=user_with_role(Role.NURSE_SPECIALIST))


def _path(patient):
    return f"/portal/questionnaires/{occasions_due(patient)[0].key}/"


def test_a_booked_toxin_appointment_makes_the_questionnaire_before_it_due(booked):
    patient, appointment = booked
    [due] = occasions_due(patient)
    assert due.reason == "before_toxin"
    scheduling.appointment_cancel(appointment=appointment, by_patient=True, reason="Away",
                                  actor=coordinator_actor())
    assert occasions_due(patient) == []


def test_answers_are_kept_between_two_sittings_then_sent_and_scored(client):
    patient = client.patient
    path = _path(patient)
    response = client.post(path, {**FIRST_HALF, "save": "1"})
    assert response.status_code == 302
    draft = QuestionnaireResponse.objects.get()
    assert draft.answers == {"work": 2, "activities_of_daily_living": 1, "driving": 0}
    assert not draft.is_submitted
    # Later: the page shows what was saved.
    page = client.get(path).content.decode()
    checked = [tag for tag in re.findall(r"<input[^>]*>", page) if "checked" in tag]
    assert any('name="work"' in tag and 'value="2"' in tag for tag in checked), checked
    assert len(checked) == 3
    listing = client.get("/portal/questionnaires/").content.decode()
    assert "You have answered 3 of 9 questions" in listing
    refused = client.post(path, {**SECOND_HALF, "pain_disability": "", "send": "1"})
    assert "Answer this question" in refused.content.decode()
    sent = client.post(path, {**SECOND_HALF, "send": "1"})
    assert sent.status_code == 302
    done = QuestionnaireResponse.objects.get()
    assert done.is_submitted and done.disability == 9 and done.pain == 11
    assert occasions_due(patient) == []
    assert AuditEvent.objects.filter(object_type="questionnaire_response",
                                     patient_id=patient.pk, actor=client.account).count() >= 3


def test_an_answer_out_of_range_is_refused_and_nothing_saved(client):
    response = client.post(_path(client.patient), {"work": "9", "save": "1"})
    assert response.status_code == 200
    assert not QuestionnaireResponse.objects.exists()


def test_a_questionnaire_not_due_is_not_found(client):
    assert client.get("/portal/questionnaires/toxin_peak:2020-01-01/").status_code == 404


def test_the_clinician_sees_the_scores_marked_patient_reported(client, client_as):
    path = _path(client.patient)
    client.post(path, {**FIRST_HALF, **SECOND_HALF, "send": "1"})
    page = client_as(Role.NEUROLOGIST).get(
        f"/patients/{client.patient.pk}/patient-reported/").content.decode()
    assert "Patient-reported" in page and ">9<" in page.replace(" ", "").replace("\n", "")


def test_an_invitation_is_emailed_once_and_not_after_the_appointment_is_cancelled(
        booked, user_with_role):
    patient, appointment = booked
    portal_client(patient, by=user_with_role(Role.NURSE_SPECIALIST))
    mail.outbox.clear()
    assert questionnaire_emails_queue() == 1
    assert len(mail.outbox) == 1 and "questionnaire" in mail.outbox[0].subject
    assert questionnaire_emails_queue() == 0  # the reminder waits a week
    QuestionnaireEmail.objects.all().delete()
    scheduling.appointment_cancel(appointment=appointment, by_patient=True, reason="Away",
                                  actor=coordinator_actor())
    assert questionnaire_emails_queue() == 0


def test_the_email_task_checks_again_when_it_sends(booked, user_with_role):
    from collis.questionnaires.services import questionnaire_email_deliver

    patient, appointment = booked
    portal_client(patient, by=user_with_role(Role.NURSE_SPECIALIST))
    occasion = occasions_due(patient)[0].key
    scheduling.appointment_cancel(appointment=appointment, by_patient=True, reason="Away",
                                  actor=coordinator_actor())
    mail.outbox.clear()
    assert questionnaire_email_deliver(patient_id=str(patient.pk), occasion=occasion,
                                       kind="invitation") == "no longer due"
    assert mail.outbox == []


def test_the_daily_command_queues_and_the_worker_sends(booked, user_with_role):
    from io import StringIO

    from django.core.management import call_command

    portal_client(booked[0], by=user_with_role(Role.NURSE_SPECIALIST))
    mail.outbox.clear()
    out = StringIO()
    call_command("questionnaire_emails", stdout=out)
    assert "Queued 1" in out.getvalue() and len(mail.outbox) == 1


def test_sent_questionnaires_are_in_the_copy_of_the_patients_data(client):
    import json

    client.post(_path(client.patient), {**FIRST_HALF, **SECOND_HALF, "send": "1"})
    data = json.loads(client.get("/portal/my-data/my-data.json").content)
    [sent] = data["questionnaires"]
    assert sent["disability"] == 9 and sent["answers"]["work"] == 2
