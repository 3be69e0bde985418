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
    assert client.get(url("operation_create", episode)).status_code == 200
    response = client.post(url("operation_create", episode), {
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
    body = client.post(url("operation_create", episode), {
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
    body = client.post(url("operation_create", episode), {
        **date_data("operated_on", datetime.date(2026, 11, 2)),
        "site": Site.objects.first().pk, "surgeon": client.user.pk, "anaesthetic": "general",
        "anaesthetist": "Dr Birch", "myectomy": "no", "muscle_1": "sternocleidomastoid",
        "side_1": "left"}).content.decode()
    assert "Cannot record the operation while the episode is at" in body


def test_a_physiotherapist_cannot_record_the_operation_or_a_nurse_the_programme(client_as,
                                                                                patient):
    episode = make_episode(patient)
    assert client_as(Role.PHYSIOTHERAPIST).get(url("operation_create", episode)).status_code \
        == 403
    assert client_as(Role.NURSE_SPECIALIST).get(
        url("physio_programme_start", episode)).status_code == 403
    assert client_as(Role.MDT_COORDINATOR).get(
        url("follow_up_review_create", episode, months=3)).status_code == 403


def test_a_physiotherapist_starts_the_programme_and_records_a_session(client_as, patient):
    episode = make_episode(patient)
    operate(episode)
    client = client_as(Role.PHYSIOTHERAPIST)
    response = client.post(url("physio_programme_start", episode), {
        **date_data("starts_on", datetime.date(2026, 11, 9)), "session_count": "4",
        "interval_days": "7"})
    assert response.status_code == 302
    session = episode.physio_programme.sessions.first()
    body = client.post(url("physio_session_update", episode, session_id=session.pk),
                       {"attendance": "attended"}).content.decode()
    assert "Enter the date of the session" in body
    client.post(url("physio_session_update", episode, session_id=session.pk), {
        "attendance": "attended", **date_data("held_on", datetime.date(2026, 11, 9)),
        "exercises": "Chin tucks"})
    body = client.get(url("physio_programme", episode)).content.decode()
    assert "Chin tucks" in body and "Attended" in body


def test_the_review_form_says_which_twstrs_subscore_is_missing(client_as, patient):
    episode = make_episode(patient)
    operate(episode)
    start_physio(episode)
    client = client_as(Role.NEUROLOGIST)
    body = client.post(url("follow_up_review_create", episode, months=3), {
        **date_data("reviewed_on", datetime.date(2026, 6, 2)), "twstrs_severity": "40",
        "twstrs_disability": "5"}).content.decode()
    assert "TWSTRS severity must be a whole number from 0 to 35" in body
    assert 'value="40"' in body


def test_the_follow_up_page_shows_the_outcome_and_keeps_its_queries_bounded(
        client_as, patient, django_assert_max_num_queries):
    neurologist = UserFactory(role=Role.NEUROLOGIST)
    actor = Actor.command_line(neurologist)
    episode = make_episode(patient, state="consented")
    assessment_services.twstrs_create_from_subscores(
        patient=patient, assessed_on=datetime.date(2000, 1, 1), severity=20, disability=15,
        pain=10, actor=actor)
    operate(episode, operated_on=datetime.date(2000, 2, 1))
    start_physio(episode, starts_on=datetime.date(2000, 2, 8))
    from collis.outcomes import services

    for i in range(20):
        months = (3, 6, 12)[i] if i < 3 else 12 * (i - 1)
        services.follow_up_review_create(episode=episode, details=services.ReviewDetails(
            months_after=months, reviewed_on=datetime.date(2000 + months // 12, 5, 1),
            twstrs_severity=10, twstrs_disability=5, twstrs_pain=5, tsui_total=4), actor=actor)
    assert FollowUpReview.objects.count() == 20
    client = client_as(Role.NEUROLOGIST)
    # Fixed: the scoped patient and episode reads with their audit entries (episode_get
    # also prefetches the episode's status history); none of them grows with the reviews.
    with django_assert_max_num_queries(17):
        body = client.get(url("follow_up", episode)).content.decode()
    assert "Clinically important improvement" in body and "-25 points" in body
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="follow_up",
                                     patient_id=patient.pk).exists()


def test_a_complication_is_recorded_through_the_form(client_as, patient):
    episode = make_episode(patient, state="consented")
    operate(episode)
    start_physio(episode)
    client = client_as(Role.NEUROLOGIST)
    body = client.post(url("complication_create", episode), {
        "status": "resolved", "severity": "mild"}).content.decode()
    assert "Choose the complication" in body and "Enter the date it resolved" not in body \
        or "Enter the date the complication resolved" in body
    response = client.post(url("complication_create", episode), {
        "risk_code": "SD_DYSAESTHESIA", **date_data("onset_on", datetime.date(2026, 3, 10)),
        "severity": "mild", "status": "ongoing"})
    assert response.status_code == 302
    assert "Dysaesthesia" in client.get(url("follow_up", episode)).content.decode()


# --- what may be done now is the pathway table's answer, on the page and on a direct POST

def _withdraw(episode):
    from collis.surgery.services import episode_transition

    episode_transition(episode=episode, event="withdraw", reason="Moved abroad",
                       actor=Actor.command_line(UserFactory(role=Role.NEUROLOGIST)))


def test_a_physio_session_of_a_withdrawn_episode_is_refused_with_the_pathways_message(
        client_as, patient):
    episode = make_episode(patient)
    operate(episode)
    start_physio(episode)
    _withdraw(episode)
    session = episode.physio_programme.sessions.first()
    client = client_as(Role.PHYSIOTHERAPIST)
    assert "outcomes:physio_session_update" not in client.get(
        url("physio_programme", episode)).content.decode()
    assert f"sessions/{session.pk}/" not in client.get(
        url("physio_programme", episode)).content.decode()
    body = client.post(url("physio_session_update", episode, session_id=session.pk), {
        "attendance": "attended", **date_data("held_on", datetime.date(2026, 3, 9))}
                       ).content.decode()
    assert ("Cannot record a physiotherapy session while the episode is at "
            "&#39;Withdrawn&#39;") in body
    session.refresh_from_db()
    assert session.attendance == "scheduled"


def test_a_review_before_physiotherapy_is_refused_with_the_pathways_message(client_as,
                                                                            patient):
    episode = make_episode(patient)
    operate(episode)
    client = client_as(Role.NEUROLOGIST)
    body = client.post(url("follow_up_review_create", episode, months=3), {
        **date_data("reviewed_on", datetime.date(2026, 6, 2)), "tsui_total": "4"}
                       ).content.decode()
    assert "Cannot record a follow-up review while the episode is at &#39;Operated&#39;" in body
    assert not FollowUpReview.objects.exists()


def test_a_physiotherapist_posting_a_discharge_is_refused_by_the_pathway(client_as, patient):
    episode = make_episode(patient, state="follow_up")
    client = client_as(Role.PHYSIOTHERAPIST)
    assert "Discharge from follow-up" not in client.get(url("follow_up", episode)).content.decode()
    body = client.post(url("discharge", episode), {"reason": "Well"}).content.decode()
    assert "Your role cannot discharge from the pathway." in body
    episode.refresh_from_db()
    assert episode.state == "follow_up"


def test_the_follow_up_page_offers_discharge_to_a_doctor_once_in_follow_up(client_as,
                                                                           patient):
    episode = make_episode(patient)
    operate(episode)
    start_physio(episode)
    client = client_as(Role.NEUROLOGIST)
    page = client.get(url("follow_up", episode)).content.decode()
    assert "Discharge from follow-up" not in page and "Start follow-up" in page
    client.post(url("follow_up_start", episode), {"reason": "Programme done"})
    page = client.get(url("follow_up", episode)).content.decode()
    assert "Discharge from follow-up" in page and "Start follow-up</a>" not in page


def test_the_operation_note_button_shows_only_when_the_pathway_allows_it(client_as, patient):
    client = client_as(Role.NEUROSURGEON)
    consented = make_episode(patient)
    listed = make_episode(PatientFactory(), state="listed")
    assert "Record the operation note" in client.get(
        url("operation_detail", consented)).content.decode()
    assert "Record the operation note" not in client.get(
        url("operation_detail", listed)).content.decode()


# --- reads are scoped to the user's unit; form pages are audited; refusals are shown

EPISODE_PAGES = ("operation_detail", "operation_create", "physio_programme",
                 "physio_programme_start", "follow_up", "follow_up_start",
                 "complication_create", "further_surgery_create", "discharge")


def test_another_units_staff_get_404_on_every_page_and_endpoint(client, sites):
    from collis.core.services import api_token_create
    from collis.patients.tests.factories import other_unit_patient

    theirs = make_episode(other_unit_patient())
    operate(theirs)
    session = start_physio(theirs).sessions.first()
    surgeon = UserFactory(role=Role.NEUROSURGEON)
    client.force_login(surgeon)
    for name in EPISODE_PAGES:
        assert client.get(url(name, theirs)).status_code == 404, name
    assert client.get(url("follow_up_review_create", theirs, months=3)).status_code == 404
    assert client.get(url("physio_session_update", theirs, session_id=session.pk)
                      ).status_code == 404
    assert client.post(url("complication_create", theirs), {
        "risk_code": "SD_DYSAESTHESIA", **date_data("onset_on", datetime.date(2026, 3, 10)),
        "severity": "mild", "status": "ongoing"}).status_code == 404
    assert client.post(url("physio_session_update", theirs, session_id=session.pk), {
        "attendance": "attended", **date_data("held_on", datetime.date(2026, 3, 9))}
                       ).status_code == 404
    token = api_token_create(user=surgeon, name="t", actor=Actor.command_line(surgeon))
    base = f"/api/v1/patients/{theirs.patient_id}/episodes/{theirs.pk}"
    for path in ("/operation", "/physiotherapy", "/follow-up"):
        response = client.get(base + path, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 404, path
        assert response.json() == {"detail": "No patient has this id."}
    session.refresh_from_db()
    assert session.attendance == "scheduled"
    assert not AuditEvent.objects.filter(actor=surgeon, patient_id=theirs.patient_id).exists()


def test_a_session_of_another_episode_is_not_found(client_as, patient):
    theirs = make_episode(PatientFactory())
    operate(theirs)
    session = start_physio(theirs).sessions.first()
    ours = make_episode(patient, state="post_operative_physiotherapy")
    assert client_as(Role.PHYSIOTHERAPIST).get(
        url("physio_session_update", ours, session_id=session.pk)).status_code == 404


@pytest.mark.parametrize("name, kwargs", [
    ("complication_create", {}), ("further_surgery_create", {}),
    ("follow_up_review_create", {"months": 3}),
    ("follow_up_start", {}), ("discharge", {}), ("physio_programme_start", {}),
])
def test_a_form_page_shows_the_patient_and_writes_one_patient_audit_row(client_as, patient,
                                                                        name, kwargs):
    episode = make_episode(patient)
    operate(episode)
    client = client_as(Role.NEUROSURGEON)
    assert client.get(url(name, episode, **kwargs)).status_code == 200
    assert AuditEvent.objects.filter(object_type="patient", actor=client.user,
                                     patient_id=patient.pk).count() == 1


def test_the_review_form_offers_only_this_patients_scales_newest_first(client_as, patient):
    neurologist = UserFactory(role=Role.NEUROLOGIST)
    actor = Actor.command_line(neurologist)
    for day, severity in ((datetime.date(2026, 1, 5), 20), (datetime.date(2026, 6, 1), 9)):
        assessment_services.twstrs_create_from_subscores(
            patient=patient, assessed_on=day, severity=severity, disability=5, pain=4,
            actor=actor)
    other = PatientFactory()
    theirs = assessment_services.twstrs_create_from_subscores(
        patient=other, assessed_on=datetime.date(2026, 6, 1), severity=30, disability=5,
        pain=4, actor=actor)
    episode = make_episode(patient)
    operate(episode)
    start_physio(episode)
    client = client_as(Role.NEUROLOGIST)
    body = client.get(url("follow_up_review_create", episode, months=3)).content.decode()
    assert body.index("1 June 2026: total 18") < body.index("5 January 2026: total 29")
    assert "total 39" not in body
    assert AuditEvent.objects.filter(object_type="scale", actor=client.user,
                                     patient_id=patient.pk).exists()
    # Another patient's assessment is not a choice the form offers.
    response = client.post(url("follow_up_review_create", episode, months=3), {
        **date_data("reviewed_on", datetime.date(2026, 6, 2)),
        "twstrs_existing": str(theirs.pk)})
    assert response.status_code == 200 and not FollowUpReview.objects.exists()
    latest = patient.scale_assessments.order_by("-assessed_on").first()
    response = client.post(url("follow_up_review_create", episode, months=3), {
        **date_data("reviewed_on", datetime.date(2026, 6, 2)),
        "twstrs_existing": str(latest.pk)})
    assert response.status_code == 302
    assert FollowUpReview.objects.get().twstrs == latest


def test_a_service_error_for_the_whole_form_is_shown_on_the_page(client_as, patient):
    episode = make_episode(patient, state="follow_up")  # no operation note recorded
    response = client_as(Role.NEUROLOGIST).post(url("complication_create", episode), {
        "risk_code": "SD_DYSAESTHESIA", **date_data("onset_on", datetime.date(2026, 3, 10)),
        "severity": "mild", "status": "ongoing"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Record the operation note before a complication" in body
    assert "nhsuk-error-summary" in body


def test_a_complication_posted_on_a_withdrawn_episode_is_refused_by_the_table(client_as,
                                                                             patient):
    episode = make_episode(patient)
    operate(episode)
    _withdraw(episode)
    body = client_as(Role.NEUROLOGIST).post(url("complication_create", episode), {
        "risk_code": "SD_DYSAESTHESIA", **date_data("onset_on", datetime.date(2026, 3, 10)),
        "severity": "mild", "status": "ongoing"}).content.decode()
    assert ("Cannot record a complication while the episode is at &#39;Withdrawn&#39;: that "
            "is done while it is at &#39;Operated&#39;, &#39;Post-operative physiotherapy&#39;, "
            "&#39;Follow-up&#39; or &#39;Discharged&#39;.") in body
    assert not episode.complications.exists()


def test_further_surgery_posted_before_the_operation_is_refused_by_the_table(client_as,
                                                                            patient):
    episode = make_episode(patient)  # consented
    body = client_as(Role.NEUROSURGEON).post(url("further_surgery_create", episode), {
        "kind": "reoperation", **date_data("performed_on", datetime.date(2026, 9, 1)),
        "reason": "Persistent symptoms"}).content.decode()
    assert ("Cannot record a reoperation or conversion to DBS while the episode is at "
            "&#39;Consented&#39;") in body
    assert not episode.further_surgeries.exists()
