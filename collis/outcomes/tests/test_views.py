import datetime
import re

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
    episode = make_episode(patient, state="consented", consented_on=datetime.date(2000, 1, 20))
    assessment_services.twstrs_create_from_subscores(
        patient=patient, assessed_on=datetime.date(2000, 1, 1), severity=20, disability=15,
        pain=10, actor=actor)
    operate(episode, operated_on=datetime.date(2000, 2, 1))
    start_physio(episode, starts_on=datetime.date(2000, 2, 8))
    from collis.outcomes import services
    from collis.outcomes.schedules import add_months

    for i in range(20):
        months = (3, 6, 12)[i] if i < 3 else 12 * (i - 1)
        reviewed_on = add_months(datetime.date(2000, 2, 1), months) + datetime.timedelta(days=9)
        services.follow_up_review_create(episode=episode, details=services.ReviewDetails(
            months_after=months, reviewed_on=reviewed_on,
            twstrs_severity=10, twstrs_disability=5, twstrs_pain=5, tsui_total=4), actor=actor)
    assert FollowUpReview.objects.count() == 20
    client = client_as(Role.NEUROLOGIST)
    # Fixed: the scoped patient and episode reads with their audit entries (episode_get
    # also prefetches the episode's status history), and the local-policy versions of the
    # schedule; none of them grows with the reviews.
    with django_assert_max_num_queries(18):
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


# --- the operation note: pre-filled from the consented plan, dated after the consent

def _operation_post(client, day, **rows):
    return {**date_data("operated_on", day), "site": Site.objects.first().pk,
            "surgeon": client.user.pk, "anaesthetic": "general", "anaesthetist": "Dr Birch",
            "myectomy": "no", **rows}


def test_the_operation_note_page_shows_intra_operative_complications(client_as, patient):
    """Regression: the page failed (500) once a note named an intra-operative complication
    or a myectomy (a template mapped names through a filter that did not exist)."""
    episode = make_episode(patient)
    operate(episode, myectomy=True, myectomy_muscles=["splenius_capitis"],
            complication_codes=["SD_HAEMATOMA", "SD_DYSAESTHESIA"])
    response = client_as(Role.NEUROLOGIST).get(url("operation_detail", episode))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Haematoma" in body and "Dysaesthesia" in body
    assert "Yes: splenius capitis" in body


def test_the_operation_form_is_pre_filled_from_the_consented_plan(client_as, patient):
    episode = make_episode(patient)  # the plan: sternocleidomastoid (left), splenius (right)
    body = client_as(Role.NEUROSURGEON).get(url("operation_create", episode)).content.decode()
    body = re.sub(r"\s+", " ", body)
    assert '<option value="sternocleidomastoid" selected >' in body
    assert '<option value="splenius_capitis" selected >' in body
    assert 'value="posterior ramus C2"' in body
    assert "The consented plan" in body and "splenius capitis (right): posterior ramus C2" in body


def test_an_operation_dated_before_the_consent_is_refused_on_the_date_field(client_as,
                                                                            patient):
    episode = make_episode(patient, consented_on=datetime.date(2026, 3, 5))
    client = client_as(Role.NEUROSURGEON)
    response = client.post(url("operation_create", episode), _operation_post(
        client, datetime.date(2026, 3, 4), muscle_1="sternocleidomastoid", side_1="left"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'href="#operated_on-day"' in body
    assert ('id="operated_on-error"><span class="nhsuk-u-visually-hidden">Error: </span>The '
            'date of the operation cannot be before the patient signed the consent (5 March '
            '2026)') in body
    assert not Operation.objects.exists()


def test_a_nerve_outside_the_plan_needs_a_reason_and_is_flagged_on_the_note(client_as,
                                                                           patient):
    episode = make_episode(patient)
    client = client_as(Role.NEUROSURGEON)
    rows = {"muscle_1": "sternocleidomastoid", "side_1": "left",
            "muscle_2": "levator_scapulae", "side_2": "right"}
    body = client.post(url("operation_create", episode), _operation_post(
        client, datetime.date(2026, 3, 2), **rows)).content.decode()
    assert 'href="#outside_plan_reason"' in body
    assert "outside the consented plan: levator scapulae (right)" in body
    response = client.post(url("operation_create", episode), _operation_post(
        client, datetime.date(2026, 3, 2), **rows,
        outside_plan_reason="Levator overactive on stimulation"))
    assert response.status_code == 302
    body = client.get(url("operation_detail", episode)).content.decode()
    assert "Outside the plan" in body and "Levator overactive on stimulation" in body
    assert "Nerves divided outside the consented plan" in body


def test_the_api_flags_a_nerve_divided_outside_the_plan(client, patient):
    from collis.core.services import api_token_create
    from collis.outcomes import services

    episode = make_episode(patient)
    services.operation_create(episode=episode, actor=Actor.command_line(
        UserFactory(role=Role.NEUROSURGEON)), details=services.OperationDetails(
        operated_on=datetime.date(2026, 3, 2), site=Site.objects.first(),
        surgeon=UserFactory(role=Role.NEUROSURGEON), anaesthetic="general",
        anaesthetist="Dr Birch", started_at=datetime.time(8, 30),
        divisions=[services.Division("levator_scapulae", "left")],
        outside_plan_reason="Found overactive"))
    user = UserFactory(role=Role.NEUROLOGIST)
    token = api_token_create(user=user, name="t", actor=Actor.command_line(user))
    note = client.get(f"/api/v1/patients/{patient.pk}/episodes/{episode.pk}/operation",
                      HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert note["divisions"] == [{"muscle": "levator_scapulae", "side": "left",
                                  "nerve": note["divisions"][0]["nerve"],
                                  "outside_plan": True}]
    assert note["outside_plan_reason"] == "Found overactive"
    assert note["record_status"] == "current" and note["started_at"] == "08:30:00"
    assert [e["muscle"] for e in note["consented_plan"]] == ["sternocleidomastoid",
                                                             "splenius_capitis"]


# --- corrections of the operation note

def test_a_surgeon_corrects_the_operation_note_and_both_versions_stay(client_as, patient):
    episode = make_episode(patient)
    original = operate(episode)
    client = client_as(Role.NEUROSURGEON)
    page = client.get(url("operation_detail", episode)).content.decode()
    assert f"?amends={original.pk}" in page and "Mark as entered in error" in page
    form = client.get(url("operation_create", episode) + f"?amends={original.pk}").content
    assert b"Correct the operation note" in form and b"Reason for the correction" in form
    assert b'value="posterior ramus C2"' in form  # the note's own rows
    data = _operation_post(client, datetime.date(2026, 3, 3), muscle_1="sternocleidomastoid",
                           side_1="left")
    body = client.post(url("operation_create", episode) + f"?amends={original.pk}",
                       data).content.decode()
    assert "Give the reason for the correction" in body
    response = client.post(url("operation_create", episode) + f"?amends={original.pk}",
                           data | {"correction_reason": "Date typed wrongly"})
    assert response.status_code == 302
    current = Operation.objects.current().get(episode=episode)
    assert current.supersedes == original and current.operated_on == datetime.date(2026, 3, 3)
    page = client.get(url("operation_detail", episode)).content.decode()
    assert "History of this entry" in page and "Date typed wrongly" in page
    old = client.get(url("operation_version", episode, pk=original.pk)).content.decode()
    assert "Superseded" in old and "Correct this entry" not in old


def test_operation_corrections_are_refused_to_roles_that_may_not_record_it(client_as,
                                                                           patient):
    episode = make_episode(patient)
    original = operate(episode)
    client = client_as(Role.NEUROLOGIST)
    page = client.get(url("operation_detail", episode)).content.decode()
    assert "Correct this entry" not in page and "Mark as entered in error" not in page
    assert client.get(url("operation_entered_in_error", episode, pk=original.pk)
                      ).status_code == 403
    assert client.post(url("operation_entered_in_error", episode, pk=original.pk),
                       {"correction_reason": "x"}).status_code == 403
    assert client.get(url("operation_create", episode)
                      + f"?amends={original.pk}").status_code == 403


def test_an_operation_note_marked_entered_in_error(client_as, patient):
    episode = make_episode(patient)
    original = operate(episode)
    client = client_as(Role.NEUROSURGEON)
    target = url("operation_entered_in_error", episode, pk=original.pk)
    assert b"Mark the operation note as entered in error" in client.get(target).content
    response = client.post(target, {"correction_reason": "Another patient's note"})
    assert response["Location"] == url("operation_version", episode, pk=original.pk)
    page = client.get(url("operation_detail", episode)).content.decode()
    assert "No operation is recorded for this episode yet." in page
    assert "Operation notes entered in error" in page
    body = client.get(url("follow_up", episode)).content.decode()
    assert "no follow-up schedule yet" in body


# --- the entries after the operation: their pages, corrections and errors

def _complication(episode, role=Role.NEUROLOGIST):
    from collis.outcomes import services

    return services.complication_create(
        episode=episode, risk_code="SD_DYSAESTHESIA", onset_on=datetime.date(2026, 3, 10),
        severity="mild", status="ongoing",
        actor=Actor.command_line(UserFactory(role=role)))


def test_a_complication_is_corrected_from_its_page(client_as, patient):
    episode = make_episode(patient)
    operate(episode)
    original = _complication(episode)
    client = client_as(Role.NURSE_SPECIALIST)
    page = client.get(url("follow_up", episode)).content.decode()
    assert url("complication_detail", episode, pk=original.pk) in page
    page = client.get(url("complication_detail", episode, pk=original.pk)).content.decode()
    assert "Correct this entry" in page
    correct = url("complication_create", episode) + f"?amends={original.pk}"
    assert correct in page
    form = client.get(correct).content.decode()
    assert "Correct the complication" in form
    assert '<option value="SD_DYSAESTHESIA" selected' in re.sub(r"\s+", " ", form)
    body = client.post(correct, {
        "risk_code": "SD_DYSAESTHESIA", **date_data("onset_on", datetime.date(2026, 3, 1)),
        "severity": "mild", "status": "ongoing", "correction_reason": "Onset wrong"}
                       ).content.decode()
    assert "The date of onset cannot be before the operation (2 March 2026)" in body
    assert 'href="#onset_on-day"' in body
    response = client.post(correct, {
        "risk_code": "SD_DYSAESTHESIA", **date_data("onset_on", datetime.date(2026, 3, 12)),
        "severity": "moderate", "status": "ongoing", "correction_reason": "Onset wrong"})
    assert response.status_code == 302
    page = client.get(url("follow_up", episode)).content.decode()
    assert "Corrected follow-up entries (1)" in page and "Superseded" in page


def test_a_further_surgery_entered_in_error_leaves_the_list(client_as, patient):
    from collis.outcomes import services

    episode = make_episode(patient)
    operate(episode)
    surgery = services.further_surgery_create(
        episode=episode, kind="reoperation", performed_on=datetime.date(2026, 9, 1),
        reason="Persistent pull to the left",
        actor=Actor.command_line(UserFactory(role=Role.NEUROSURGEON)))
    client = client_as(Role.NEUROSURGEON)
    target = url("further_surgery_entered_in_error", episode, pk=surgery.pk)
    assert b"Persistent pull to the left" in client.get(target).content
    assert client.post(target, {"correction_reason": "Wrong episode"}).status_code == 302
    page = client.get(url("follow_up", episode)).content.decode()
    assert "None recorded." in page and "Entered in error" in page
    detail = client.get(url("further_surgery_detail", episode, pk=surgery.pk)).content
    assert b"Wrong episode" in detail and b"Correct this entry" not in detail


def test_a_review_is_corrected_with_its_window_checked(client_as, patient):
    from collis.outcomes import services

    episode = make_episode(patient)
    operate(episode)
    start_physio(episode)
    review = services.follow_up_review_create(
        episode=episode, actor=Actor.command_line(UserFactory(role=Role.NEUROLOGIST)),
        details=services.ReviewDetails(months_after=3, reviewed_on=datetime.date(2026, 6, 2),
                                       tsui_total=4))
    client = client_as(Role.NEUROLOGIST)
    page = client.get(url("follow_up_review_detail", episode, pk=review.pk)).content.decode()
    assert "Correct this entry" in page and "3-month review" in page
    correct = url("follow_up_review_create", episode, months=3) + f"?amends={review.pk}"
    assert "6 weeks either side" in client.get(correct).content.decode()
    body = client.post(correct, {**date_data("reviewed_on", datetime.date(2026, 8, 1)),
                                 "tsui_total": "5", "correction_reason": "Tsui typo"}
                       ).content.decode()
    assert 'href="#reviewed_on-day"' in body and "between 21 April 2026 and 14 July 2026" in body
    response = client.post(correct, {**date_data("reviewed_on", datetime.date(2026, 6, 2)),
                                     "tsui_total": "5", "correction_reason": "Tsui typo"})
    assert response.status_code == 302
    assert FollowUpReview.objects.current().get().tsui.total == 5


def test_a_recorded_session_is_corrected_through_its_form_with_a_reason(client_as, patient):
    from collis.outcomes import services

    episode = make_episode(patient)
    operate(episode)
    session = start_physio(episode).sessions.first()
    recorded = services.physio_session_record(
        session=session, attendance="attended", held_on=datetime.date(2026, 3, 9),
        exercises="Chin tucks", actor=Actor.command_line(UserFactory(role=Role.PHYSIOTHERAPIST)))
    client = client_as(Role.PHYSIOTHERAPIST)
    page = client.get(url("physio_session_detail", episode, pk=recorded.pk)).content.decode()
    assert "Correct this entry" in page and "Chin tucks" in page
    form = client.get(url("physio_session_update", episode, session_id=recorded.pk)).content
    assert b"Correct session 1" in form and b"Reason for the correction" in form
    body = client.post(url("physio_session_update", episode, session_id=recorded.pk), {
        "attendance": "attended", **date_data("held_on", datetime.date(2026, 3, 10))}
                       ).content.decode()
    assert "Give the reason for the correction" in body
    response = client.post(url("physio_session_update", episode, session_id=recorded.pk), {
        "attendance": "attended", **date_data("held_on", datetime.date(2026, 3, 10)),
        "exercises": "Chin tucks", "correction_reason": "Held the next day"})
    assert response.status_code == 302
    page = client.get(url("physio_programme", episode)).content.decode()
    assert "10 March 2026" in page and "Corrected session records (1)" in page
    assert client_as(Role.NURSE_SPECIALIST).get(
        url("physio_session_entered_in_error", episode, pk=recorded.pk)).status_code == 403


def test_entry_pages_of_another_unit_are_not_found(client, sites):
    from collis.patients.tests.factories import other_unit_patient

    theirs = make_episode(other_unit_patient())
    operation = operate(theirs)
    complication = _complication(theirs)
    client.force_login(UserFactory(role=Role.NEUROSURGEON))
    for name, pk in (("operation_version", operation.pk),
                     ("operation_entered_in_error", operation.pk),
                     ("complication_detail", complication.pk),
                     ("complication_entered_in_error", complication.pk)):
        assert client.get(url(name, theirs, pk=pk)).status_code == 404, name
    assert client.post(url("complication_entered_in_error", theirs, pk=complication.pk),
                       {"correction_reason": "x"}).status_code == 404
    assert client.get(url("operation_create", theirs)
                      + f"?amends={operation.pk}").status_code == 404
    complication.refresh_from_db()
    assert complication.is_current


def test_an_entry_of_another_episode_is_not_found(client_as, patient):
    theirs = make_episode(PatientFactory())
    operate(theirs)
    complication = _complication(theirs)
    ours = make_episode(patient)
    operate(ours)
    client = client_as(Role.NEUROLOGIST)
    assert client.get(url("complication_detail", ours, pk=complication.pk)).status_code == 404
    assert client.get(url("complication_create", ours)
                      + f"?amends={complication.pk}").status_code == 404


def test_the_follow_up_page_states_the_baseline_rule(client_as, patient):
    episode = make_episode(patient)
    operate(episode)
    body = client_as(Role.NEUROLOGIST).get(url("follow_up", episode)).content.decode()
    assert "recorded before the time the operation started" in body
