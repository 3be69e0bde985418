import datetime

import pytest
from django.urls import reverse

from collis.assessments import services as assessment_services
from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.outcomes.models import FollowUpReview, Operation
from collis.outcomes.tests.factories import make_episode, operate, start_physio
from collis.patients.tests.factories import PatientFactory
from collis.sites.models import Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(sites):
    return PatientFactory()


def url(name, episode, **kwargs):
    return reverse(f"outcomes:{name}", kwargs={"patient_id": episode.patient_id,
                                               "episode_id": episode.pk, **kwargs})


def date_data(prefix, day):
    return {f"{prefix}-day": day.day, f"{prefix}-month": day.month, f"{prefix}-year": day.year}


def test_a_neurosurgeon_records_the_operation_note_with_two_muscles(client_as, patient):
    episode = make_episode(patient)
    client = client_as(Role.NEUROSURGEON)
    assert client.get(url("operation_record", episode)).status_code == 200
    response = client.post(url("operation_record", episode), {
        **date_data("operated_on", datetime.date(2026, 11, 2)),
        "site": Site.objects.first().pk, "surgeon": client.user.pk, "anaesthetic": "general",
        "anaesthetist": "Dr Birch", "myectomy": "no", "muscle_1": "sternocleidomastoid",
        "side_1": "left", "muscle_2": "splenius_capitis", "side_2": "right",
        "nerve_2": "posterior ramus C3"})
    assert response.status_code == 302
    body = client.get(url("operation_detail", episode)).content.decode()
    assert "posterior ramus C3" in body and "spinal accessory nerve branches" in body
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="operation",
                                     patient_id=patient.pk).exists()


def test_the_operation_form_names_each_missing_field_and_keeps_what_was_typed(client_as,
                                                                              patient):
    episode = make_episode(patient)
    client = client_as(Role.NEUROSURGEON)
    body = client.post(url("operation_record", episode), {
        "muscle_1": "splenius_capitis", "nerve_1": "C2 ramus", "myectomy": "yes",
        "anaesthetic": "general"}).content.decode()
    assert "Enter the date of the operation" in body
    assert "Choose the side for splenius capitis (row 1)" in body
    assert "Enter the anaesthetist&#39;s name" in body or "Enter the anaesthetist's name" in body
    assert "Choose the muscles with a myectomy" in body and 'value="C2 ramus"' in body
    assert not Operation.objects.exists()


def test_a_refused_move_is_shown_as_a_form_error(client_as, patient):
    episode = make_episode(patient, state="listed")
    client = client_as(Role.NEUROSURGEON)
    body = client.post(url("operation_record", episode), {
        **date_data("operated_on", datetime.date(2026, 11, 2)),
        "site": Site.objects.first().pk, "surgeon": client.user.pk, "anaesthetic": "general",
        "anaesthetist": "Dr Birch", "myectomy": "no", "muscle_1": "sternocleidomastoid",
        "side_1": "left"}).content.decode()
    assert "Cannot record the operation while the episode is at" in body


def test_a_physiotherapist_cannot_record_the_operation_or_a_nurse_the_programme(client_as,
                                                                                patient):
    episode = make_episode(patient)
    assert client_as(Role.PHYSIOTHERAPIST).get(url("operation_record", episode)).status_code \
        == 403
    assert client_as(Role.NURSE_SPECIALIST).get(
        url("physio_programme_start", episode)).status_code == 403
    assert client_as(Role.MDT_COORDINATOR).get(
        url("review_record", episode, months=3)).status_code == 403


def test_a_physiotherapist_starts_the_programme_and_records_a_session(client_as, patient):
    episode = make_episode(patient)
    operate(episode)
    client = client_as(Role.PHYSIOTHERAPIST)
    response = client.post(url("physio_programme_start", episode), {
        **date_data("starts_on", datetime.date(2026, 11, 9)), "session_count": "4",
        "interval_days": "7"})
    assert response.status_code == 302
    session = episode.physio_programme.sessions.first()
    body = client.post(url("physio_session_record", episode, session_id=session.pk),
                       {"attendance": "attended"}).content.decode()
    assert "Enter the date of the session" in body
    client.post(url("physio_session_record", episode, session_id=session.pk), {
        "attendance": "attended", **date_data("held_on", datetime.date(2026, 11, 9)),
        "exercises": "Chin tucks"})
    body = client.get(url("physio_programme", episode)).content.decode()
    assert "Chin tucks" in body and "Attended" in body


def test_the_review_form_says_which_twstrs_subscore_is_missing(client_as, patient):
    episode = make_episode(patient)
    operate(episode)
    start_physio(episode)
    client = client_as(Role.NEUROLOGIST)
    body = client.post(url("review_record", episode, months=3), {
        **date_data("reviewed_on", datetime.date(2026, 6, 2)), "twstrs_severity": "40",
        "twstrs_disability": "5"}).content.decode()
    assert "TWSTRS severity must be a whole number from 0 to 35" in body
    assert 'value="40"' in body


def test_the_follow_up_page_shows_the_outcome_and_keeps_its_queries_bounded(
        client_as, patient, django_assert_max_num_queries):
    neurologist = UserFactory(role=Role.NEUROLOGIST)
    actor = Actor.command_line(neurologist)
    episode = make_episode(patient, state="consented")
    assessment_services.twstrs_record_subscores(
        patient=patient, assessed_on=datetime.date(2000, 1, 1), severity=20, disability=15,
        pain=10, actor=actor)
    operate(episode, operated_on=datetime.date(2000, 2, 1))
    start_physio(episode, starts_on=datetime.date(2000, 2, 8))
    from collis.outcomes import services

    for i in range(20):
        months = (3, 6, 12)[i] if i < 3 else 12 * (i - 1)
        services.review_record(episode=episode, details=services.ReviewDetails(
            months_after=months, reviewed_on=datetime.date(2000 + months // 12, 5, 1),
            twstrs_severity=10, twstrs_disability=5, twstrs_pain=5, tsui_total=4), actor=actor)
    assert FollowUpReview.objects.count() == 20
    client = client_as(Role.NEUROLOGIST)
    with django_assert_max_num_queries(15):
        body = client.get(url("follow_up", episode)).content.decode()
    assert "Clinically important improvement" in body and "-25 points" in body
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="follow_up",
                                     patient_id=patient.pk).exists()


def test_a_complication_is_recorded_through_the_form(client_as, patient):
    episode = make_episode(patient, state="consented")
    operate(episode)
    start_physio(episode)
    client = client_as(Role.NEUROLOGIST)
    body = client.post(url("complication_record", episode), {
        "status": "resolved", "severity": "mild"}).content.decode()
    assert "Choose the complication" in body and "Enter the date it resolved" not in body \
        or "Enter the date the complication resolved" in body
    response = client.post(url("complication_record", episode), {
        "risk_code": "SD_DYSAESTHESIA", **date_data("onset_on", datetime.date(2026, 3, 10)),
        "severity": "mild", "status": "ongoing"})
    assert response.status_code == 302
    assert "Dysaesthesia" in client.get(url("follow_up", episode)).content.decode()
