import datetime
import io

import pypdf
import pytest
from django.urls import reverse

from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.pathway import State
from collis.mdt import services
from collis.mdt.models import Decision, FundingRequest, MdtDecision, MdtMeeting
from collis.mdt.tests.factories import (
    assessment_for,
    coordinator_actor,
    decided,
    episode_at,
    meeting,
)

pytestmark = pytest.mark.django_db


def _date(prefix, d):
    return {f"{prefix}-day": d.day, f"{prefix}-month": d.month, f"{prefix}-year": d.year}


def test_coordinator_creates_a_meeting_and_is_warned_of_a_missing_role(client_as, sites):
    client = client_as(Role.MDT_COORDINATOR)
    neuro = UserFactory(role=Role.NEUROLOGIST)
    surgeon = UserFactory(role=Role.NEUROSURGEON)
    response = client.post(reverse("mdt:meeting_create"), {
        **_date("held_on", datetime.date(2026, 11, 25)), "site": sites[0].pk,
        "attendees": [neuro.pk, surgeon.pk]})
    meeting_ = MdtMeeting.objects.get()
    assert response["Location"] == reverse("mdt:meeting_detail", args=[meeting_.pk])
    page = client.get(response["Location"]).content.decode()
    assert "The MDT is incomplete" in page and "No physiotherapist" in page


def test_the_meeting_form_names_each_missing_field(client_as, sites):
    client = client_as(Role.MDT_COORDINATOR)
    page = client.post(reverse("mdt:meeting_create"), {}).content.decode()
    assert "Enter the date of the meeting" in page
    assert "Choose the site of the meeting" in page and "Choose at least one attendee" in page
    assert not MdtMeeting.objects.exists()


def test_a_physiotherapist_reads_meetings_but_cannot_create_one(client_as, sites):
    client = client_as(Role.PHYSIOTHERAPIST)
    assert client.get(reverse("mdt:meeting_list")).status_code == 200
    assert client.get(reverse("mdt:meeting_create")).status_code == 403


def test_an_auditor_cannot_read_meetings(client_as, sites):
    assert client_as(Role.AUDITOR).get(reverse("mdt:meeting_list")).status_code == 403


def test_adding_an_episode_to_the_agenda_and_reading_the_meeting_is_audited(client_as, sites):
    client = client_as(Role.MDT_COORDINATOR)
    m = meeting()
    episode = episode_at(State.AWAITING_MDT)
    response = client.post(reverse("mdt:agenda_add", args=[m.pk]), {"episode": episode.pk})
    assert response.status_code == 302
    page = client.get(reverse("mdt:meeting_detail", args=[m.pk])).content.decode()
    assert episode.patient.family_name.upper() in page
    assert AuditEvent.objects.filter(patient_id=episode.patient_id, action=AuditAction.VIEW,
                                     object_type="mdt_meeting").exists()


def test_the_meeting_page_reads_twenty_agenda_items_in_a_bounded_number_of_queries(
        client_as, sites, django_assert_max_num_queries):
    client = client_as(Role.MDT_COORDINATOR)
    m = meeting()
    actor = coordinator_actor()
    for _ in range(20):
        services.agenda_item_add(meeting=m, episode=episode_at(State.AWAITING_MDT), actor=actor)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("mdt:meeting_detail", args=[m.pk]))
    assert response.content.decode().count("Not yet decided") == 20


def _item(episode):
    m = meeting()
    return m, services.agenda_item_add(meeting=m, episode=episode, actor=coordinator_actor())


def test_the_agenda_item_shows_the_assessment_and_prefills_the_plan(client_as, sites):
    episode = episode_at(State.AWAITING_MDT)
    assessment_for(episode.patient, "favourable")
    m, item = _item(episode)
    page = client_as(Role.NEUROLOGIST).get(
        reverse("mdt:agenda_item", args=[m.pk, item.pk])).content.decode()
    assert "collis-sd-candidacy/1" in page and "Rotation-dominant cervical dystonia" in page
    assert "[27] [37]" in page
    assert 'value="spinal accessory nerve branches"' in page


def test_without_an_assessment_the_item_links_to_running_one(client_as, sites):
    episode = episode_at(State.AWAITING_MDT)
    m, item = _item(episode)
    page = client_as(Role.NEUROLOGIST).get(
        reverse("mdt:agenda_item", args=[m.pk, item.pk])).content.decode()
    assert "There is no stored candidacy assessment" in page
    assert reverse("candidacy:candidacy_new", args=[episode.patient.pk]) in page


def test_a_departure_without_a_reason_is_shown_as_an_error_and_keeps_what_was_typed(
        client_as, sites):
    episode = episode_at(State.AWAITING_MDT)
    assessment_for(episode.patient, "favourable")
    m, item = _item(episode)
    client = client_as(Role.MDT_COORDINATOR)
    url = reverse("mdt:agenda_item", args=[m.pk, item.pk])
    response = client.post(url, {"discussion": "Patient prefers toxin for now",
                                 "decision": Decision.CONTINUE_TOXIN})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Give the reason the decision departs from the engine" in page
    assert "Patient prefers toxin for now" in page
    assert not MdtDecision.objects.exists()
    response = client.post(url, {"discussion": "Patient prefers toxin for now",
                                 "decision": Decision.CONTINUE_TOXIN,
                                 "departure_reason": "Declines surgery"})
    assert response.status_code == 302
    assert MdtDecision.objects.get().departure_reason == "Declines surgery"


def test_planned_and_action_rows_are_validated_by_name(client_as, sites):
    episode = episode_at(State.AWAITING_MDT)
    m, item = _item(episode)
    client = client_as(Role.MDT_COORDINATOR)
    page = client.post(reverse("mdt:agenda_item", args=[m.pk, item.pk]), {
        "discussion": "x", "decision": Decision.SD, "muscle_1": "sternocleidomastoid",
        "side_1": "left", "action_1": "Book swallow study"}).content.decode()
    assert "Enter the nerve target for sternocleidomastoid (left)" in page
    assert "Choose the owner of action 1" in page and "Enter the due date of action 1" in page
    page = client.post(reverse("mdt:agenda_item", args=[m.pk, item.pk]), {
        "discussion": "x", "decision": Decision.SD}).content.decode()
    assert "Enter at least one muscle of the planned denervation" in page


def test_a_nurse_may_read_the_item_but_not_record_a_decision(client_as, sites):
    episode = episode_at(State.AWAITING_MDT)
    m, item = _item(episode)
    client = client_as(Role.NURSE_SPECIALIST)
    url = reverse("mdt:agenda_item", args=[m.pk, item.pk])
    assert "Record the decision" not in client.get(url).content.decode()
    assert client.post(url, {"discussion": "x", "decision": "other"}).status_code == 403


def test_a_move_refused_by_the_pathway_is_a_form_error(client_as, sites):
    episode = episode_at(State.AWAITING_MDT)
    m, item = _item(episode)
    client = client_as(Role.MDT_COORDINATOR)
    url = reverse("mdt:agenda_item", args=[m.pk, item.pk])
    decided(episode, Decision.OTHER)  # someone else decided first
    response = client.post(url, {"discussion": "x", "decision": "other"})
    assert response.status_code == 400
    assert "Cannot record the mdt decision" in response.content.decode()
    assert MdtDecision.objects.count() == 1


def test_the_outcome_letter_download_is_a_pdf_and_is_audited(client_as, sites):
    episode = episode_at(State.AWAITING_MDT)
    record = decided(episode, Decision.SD)
    client = client_as(Role.PHYSIOTHERAPIST)
    page = client.get(reverse("mdt:episode_decisions",
                              args=[episode.patient.pk, episode.pk])).content.decode()
    assert "Decided without a stored candidacy assessment" in page
    response = client.get(reverse("mdt:decision_letter",
                                  args=[episode.patient.pk, episode.pk, record.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Selective denervation" in text and "Sternocleidomastoid" in text
    assert AuditEvent.objects.filter(action=AuditAction.DOWNLOAD,
                                     patient_id=episode.patient_id).exists()


def test_coordinator_requests_funding_submits_and_records_approval(client_as, sites):
    episode = episode_at(State.AWAITING_MDT)
    decided(episode, Decision.SD, assessment=assessment_for(episode.patient))
    client = client_as(Role.MDT_COORDINATOR)
    args = [episode.patient.pk, episode.pk]
    assert "Request funding" in client.get(reverse("mdt:funding", args=args)).content.decode()
    response = client.post(reverse("mdt:funding_new", args=args),
                           {"route": "prior_approval", "commissioner": "NHS England (demo)"})
    request = FundingRequest.objects.get()
    detail = reverse("mdt:funding_detail", args=[*args, request.pk])
    assert response["Location"] == detail
    page = client.post(detail, {"status": "submitted"}).content.decode()
    assert "Enter the reference number of the request" in page
    assert "Enter the date the request was submitted" in page
    client.post(detail, {"status": "submitted", "reference": "PA-42",
                         **_date("submitted_on", datetime.date(2026, 11, 2))})
    page = client.post(detail, {"status": "approved",
                                **_date("decided_on", datetime.date(2026, 11, 1))}
                       ).content.decode()
    assert "same as or after the date the request was submitted" in page
    client.post(detail, {"status": "approved", **_date("decided_on", datetime.date(2026, 11, 9)),
                         **_date("expires_on", datetime.date(2027, 5, 9))})
    request.refresh_from_db()
    episode.refresh_from_db()
    assert request.status == "approved" and episode.state == State.FUNDING_APPROVED
    response = client.get(reverse("mdt:funding_pdf", args=[*args, request.pk]))
    text = pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "A60.6" in text and "Z92.3" in text and "PA-42" in text


def test_a_neurologist_cannot_request_funding(client_as, sites):
    episode = episode_at(State.AWAITING_MDT)
    decided(episode, Decision.SD)
    client = client_as(Role.NEUROLOGIST)
    args = [episode.patient.pk, episode.pk]
    assert client.get(reverse("mdt:funding_new", args=args)).status_code == 403
    assert "Request funding</a>" not in client.get(reverse("mdt:funding", args=args)
                                                  ).content.decode()


def test_a_correction_is_a_new_decision_naming_the_old_one_and_needs_a_reason(client_as, sites):
    episode = episode_at(State.AWAITING_MDT)
    first = decided(episode, Decision.SD)
    client = client_as(Role.NEUROSURGEON)
    args = [episode.patient.pk, episode.pk]
    page = client.get(reverse("mdt:episode_decisions", args=args)).content.decode()
    url = reverse("mdt:decision_correct", args=[*args, first.pk])
    assert url in page
    form = {"discussion": "Myectomy of SCM agreed too", "decision": Decision.SD_MYECTOMY,
            "muscle_1": "sternocleidomastoid", "side_1": "left", "target_1": "spinal accessory"}
    page = client.post(url, form).content.decode()
    assert "Give the reason for the correction" in page
    response = client.post(url, form | {"correction_reason": "Myectomy was left out"})
    assert response.status_code == 302
    second = MdtDecision.objects.current().get()
    assert second.corrects == first and second.decision == Decision.SD_MYECTOMY
    assert client_as(Role.NURSE_SPECIALIST).get(url).status_code == 403
