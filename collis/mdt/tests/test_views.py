import datetime
import io
from html import unescape

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
    DEPARTURE_REASON,
    assessment_for,
    coordinator_actor,
    decided,
    episode_at,
    meeting,
    overridden_request,
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
    assert AuditEvent.objects.for_patient(episode.patient_id).filter(action=AuditAction.VIEW,
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
    assert "Cannot record the MDT decision" in response.content.decode()
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
    assert AuditEvent.objects.for_patient(
               episode.patient_id).filter(action=AuditAction.DOWNLOAD).exists()


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


def test_the_funding_request_page_shows_the_whole_case_of_an_overridden_unfavourable_case(
        client_as, sites):
    request = overridden_request()
    client = client_as(Role.MDT_COORDINATOR)
    page = client.get(reverse("mdt:funding_detail", args=[request.patient_id,
                                                          request.episode_id, request.pk]))
    html = " ".join(unescape(page.content.decode()).split())
    assert "Unfavourable: a finding weighs decisively against selective denervation." in html
    assert "Weighs decisively against selective denervation (1)" in html
    assert "None of 3 cycles gave a useful benefit" in html
    assert "Derived by Collis from other recorded facts" in html
    assert "Cautions (1)" in html and "In favour: criteria met, with evidence (12)" in html
    assert "Why the MDT departed from the engine's recommendation" in html
    assert DEPARTURE_REASON in html
    assert html.index("None of 3 cycles") < html.index("Focal dystonia")


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


# --- what may be done now is the pathway table's answer, on the page and on a direct POST

def _submitted(episode, client):
    """A funding request drawn up and submitted through the pages, by `client`."""
    args = [episode.patient.pk, episode.pk]
    client.post(reverse("mdt:funding_new", args=args),
                {"route": "prior_approval", "commissioner": "NHS England (demo)"})
    request = FundingRequest.objects.get(episode=episode)
    detail = reverse("mdt:funding_detail", args=[*args, request.pk])
    client.post(detail, {"status": "submitted", "reference": "PA-7",
                         **_date("submitted_on", datetime.date(2026, 11, 2))})
    return request, detail


def test_a_neurosurgeon_posting_funding_approval_is_refused_by_the_pathway(client_as, sites):
    episode = episode_at(State.AWAITING_MDT)
    decided(episode, Decision.SD, assessment=assessment_for(episode.patient))
    request, detail = _submitted(episode, client_as(Role.MDT_COORDINATOR))
    surgeon = client_as(Role.NEUROSURGEON)
    assert "Record a change of status" not in surgeon.get(detail).content.decode()
    response = surgeon.post(detail, {"status": "approved",
                                     **_date("decided_on", datetime.date(2026, 11, 9)),
                                     **_date("expires_on", datetime.date(2027, 5, 9))})
    assert response.status_code == 400
    assert "Your role cannot record funding approval." in response.content.decode()
    request.refresh_from_db()
    assert request.status == "submitted"


def test_a_status_the_funding_table_does_not_allow_is_refused(client_as, sites):
    episode = episode_at(State.AWAITING_MDT)
    decided(episode, Decision.SD, assessment=assessment_for(episode.patient))
    client = client_as(Role.MDT_COORDINATOR)
    request, detail = _submitted(episode, client)
    client.post(detail, {"status": "approved", **_date("decided_on", datetime.date(2026, 11, 9)),
                         **_date("expires_on", datetime.date(2027, 5, 9))})
    assert client.post(detail, {"status": "declined", "reason": "x"}).status_code == 403
    request.refresh_from_db()
    assert request.status == "approved"


def test_a_funding_request_posted_after_approval_is_refused_with_the_pathways_message(
        client_as, sites):
    episode = episode_at(State.AWAITING_MDT)
    decided(episode, Decision.SD, assessment=assessment_for(episode.patient))
    client = client_as(Role.MDT_COORDINATOR)
    request, detail = _submitted(episode, client)
    client.post(detail, {"status": "approved", **_date("decided_on", datetime.date(2026, 11, 9)),
                         **_date("expires_on", datetime.date(2027, 5, 9))})
    args = [episode.patient.pk, episode.pk]
    assert "Request funding</a>" not in client.get(reverse("mdt:funding", args=args)
                                                  ).content.decode()
    response = client.post(reverse("mdt:funding_new", args=args),
                           {"route": "prior_approval", "commissioner": "ICB"})
    assert response.status_code == 400
    assert ("Cannot draw up a funding request while the episode is at "
            "&#39;Funding approved&#39;") in response.content.decode()
    assert FundingRequest.objects.filter(episode=episode).count() == 1


def test_a_correction_posted_once_funding_is_requested_is_refused_by_the_pathway(client_as,
                                                                                 sites):
    episode = episode_at(State.AWAITING_MDT)
    first = decided(episode, Decision.SD, assessment=assessment_for(episode.patient))
    client = client_as(Role.MDT_COORDINATOR)
    _submitted(episode, client)
    args = [episode.patient.pk, episode.pk]
    url = reverse("mdt:decision_correct", args=[*args, first.pk])
    assert url not in client.get(reverse("mdt:episode_decisions", args=args)).content.decode()
    response = client.post(url, {
        "discussion": "Myectomy too", "decision": Decision.SD_MYECTOMY,
        "muscle_1": "sternocleidomastoid", "side_1": "left", "target_1": "spinal accessory",
        "correction_reason": "Left out"})
    assert response.status_code == 400
    assert ("Cannot correct the MDT decision while the episode is at "
            "&#39;Funding requested&#39;") in response.content.decode()
    assert MdtDecision.objects.current().get() == first


def test_the_decision_form_is_offered_only_while_the_episode_awaits_the_mdt(client_as, sites):
    episode = episode_at(State.AWAITING_MDT)
    m, item = _item(episode)
    client = client_as(Role.NEUROLOGIST)
    url = reverse("mdt:agenda_item", args=[m.pk, item.pk])
    assert "Record the decision" in client.get(url).content.decode()
    decided(episode, Decision.OTHER)
    assert "Record the decision" not in client.get(url).content.decode()


# --- scoped to the user's unit, audited by the selectors ----------------------------------

def _their_client(role=Role.MDT_COORDINATOR):
    """A client signed in as staff of another unit."""
    from django.test import Client

    from collis.patients.tests.factories import other_unit_site

    client = Client()
    client.force_login(UserFactory(role=role, organisation=other_unit_site().organisation))
    return client


def _funded(episode):
    """The episode decided for SD, with a draft funding request."""
    record = decided(episode, Decision.SD, assessment=assessment_for(episode.patient))
    episode.refresh_from_db()
    request = services.funding_request_create(episode=episode, route="prior_approval",
                                              commissioner="ICB", actor=coordinator_actor())
    return record, request


def test_another_units_staff_get_404_on_every_page_of_an_episode(client_as, sites):
    episode = episode_at(State.AWAITING_MDT)
    record, request = _funded(episode)
    args = [episode.patient.pk, episode.pk]
    client = _their_client()
    for url in (reverse("mdt:episode_decisions", args=args),
                reverse("mdt:decision_letter", args=[*args, record.pk]),
                reverse("mdt:decision_correct", args=[*args, record.pk]),
                reverse("mdt:funding", args=args), reverse("mdt:funding_new", args=args),
                reverse("mdt:funding_detail", args=[*args, request.pk]),
                reverse("mdt:funding_pdf", args=[*args, request.pk])):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("mdt:funding_new", args=args),
                       {"route": "prior_approval", "commissioner": "ICB"}).status_code == 404
    assert client.post(reverse("mdt:funding_detail", args=[*args, request.pk]),
                       {"status": "submitted"}).status_code == 404
    assert FundingRequest.objects.count() == 1
    assert not AuditEvent.objects.for_patient(
                   episode.patient_id).filter(action__in=[AuditAction.VIEW,
                                                     AuditAction.DOWNLOAD]).exists()
    # ... and our own staff may read them all.
    ours = client_as(Role.MDT_COORDINATOR)
    assert ours.get(reverse("mdt:funding_detail", args=[*args, request.pk])).status_code == 200


def test_another_units_staff_get_404_on_the_units_meeting_and_its_agenda(sites):
    m = meeting()
    episode = episode_at(State.AWAITING_MDT)
    item = services.agenda_item_add(meeting=m, episode=episode, actor=coordinator_actor())
    client = _their_client()
    assert str(m.held_on.year) not in client.get(reverse("mdt:meeting_list")).content.decode()
    assert client.get(reverse("mdt:meeting_detail", args=[m.pk])).status_code == 404
    assert client.get(reverse("mdt:agenda_item", args=[m.pk, item.pk])).status_code == 404
    assert client.post(reverse("mdt:agenda_add", args=[m.pk]),
                       {"episode": episode.pk}).status_code == 404
    assert not AuditEvent.objects.for_patient(
                   episode.patient_id).filter(action=AuditAction.VIEW).exists()


def test_the_agenda_shows_and_offers_only_the_units_patients(client_as, sites):
    from collis.mdt.models import MdtAgendaItem
    from collis.patients.tests.factories import other_unit_patient

    m = meeting()
    ours = episode_at(State.AWAITING_MDT)
    services.agenda_item_add(meeting=m, episode=ours, actor=coordinator_actor())
    on_agenda = episode_at(State.AWAITING_MDT, patient=other_unit_patient(
        family_name="Elsewhereone"))
    item = MdtAgendaItem.objects.create(meeting=m, episode=on_agenda,
                                        created_by=UserFactory(role=Role.MDT_COORDINATOR))
    waiting = episode_at(State.AWAITING_MDT, patient=other_unit_patient(
        family_name="Elsewheretwo"))
    mine_waiting = episode_at(State.AWAITING_MDT)
    client = client_as(Role.MDT_COORDINATOR)
    page = client.get(reverse("mdt:meeting_detail", args=[m.pk])).content.decode()
    assert ours.patient.family_name.upper() in page
    assert mine_waiting.patient.family_name.upper() in page  # offered
    assert "ELSEWHERE" not in page
    assert client.get(reverse("mdt:agenda_item", args=[m.pk, item.pk])).status_code == 404
    response = client.post(reverse("mdt:agenda_add", args=[m.pk]), {"episode": waiting.pk})
    assert response.status_code == 400
    assert "Choose an episode that is awaiting the MDT" in response.content.decode()
    for theirs in (on_agenda, waiting):
        assert not AuditEvent.objects.for_patient(
                       theirs.patient_id).filter(action=AuditAction.VIEW).exists()


@pytest.mark.parametrize("page", ["agenda_item", "decision_correct", "funding_new",
                                  "funding_detail"])
def test_a_form_page_audits_the_patient_it_shows_once(client_as, sites, page):
    episode = episode_at(State.AWAITING_MDT)
    m, item = _item(episode)
    args = [episode.patient.pk, episode.pk]
    if page == "agenda_item":
        url = reverse("mdt:agenda_item", args=[m.pk, item.pk])
    else:
        record, request = _funded(episode)
        url = {"decision_correct": reverse("mdt:decision_correct", args=[*args, record.pk]),
               "funding_new": reverse("mdt:funding_new", args=args),
               "funding_detail": reverse("mdt:funding_detail", args=[*args, request.pk]),
               }[page]
    assert client_as(Role.MDT_COORDINATOR).get(url).status_code == 200
    assert AuditEvent.objects.for_patient(episode.patient_id).filter(object_type="patient",
                                     action=AuditAction.VIEW).count() == 1


def test_a_services_error_about_the_whole_request_shows_on_the_page(client_as, sites):
    episode = episode_at(State.AWAITING_MDT)
    _funded(episode)
    client = client_as(Role.MDT_COORDINATOR)
    response = client.post(reverse("mdt:funding_new", args=[episode.patient.pk, episode.pk]),
                           {"route": "prior_approval", "commissioner": "ICB"})
    assert response.status_code == 400
    assert ("This episode already has a funding request in progress."
            in response.content.decode())
    assert FundingRequest.objects.count() == 1


def test_a_meeting_at_another_units_site_is_refused_on_the_site_field(client_as, sites):
    from collis.patients.tests.factories import other_unit_site

    client = client_as(Role.MDT_COORDINATOR)
    response = client.post(reverse("mdt:meeting_create"), {
        **_date("held_on", datetime.date(2026, 11, 25)), "site": other_unit_site().pk,
        "attendees": [UserFactory(role=Role.NEUROLOGIST).pk]})
    page = response.content.decode()
    assert response.status_code == 200 and "Choose one of your unit&#39;s sites." in page
    assert not MdtMeeting.objects.exists()


def test_an_episode_of_another_patient_is_not_found(client_as, sites):
    episode, other = episode_at(State.AWAITING_MDT), episode_at(State.AWAITING_MDT)
    response = client_as(Role.MDT_COORDINATOR).get(
        reverse("mdt:episode_decisions", args=[other.patient.pk, episode.pk]))
    assert response.status_code == 404


# --- the unit's own staff and sites; chronology; episodes that left the pathway ------------

def _left(episode, state):
    """The episode put at `state` (withdrawn, declined or discharged) by a status row."""
    from collis.surgery.models import Episode, EpisodeStatus

    EpisodeStatus.objects.create(episode=episode, state=state, by=UserFactory(),
                                 reason="set up by a test")
    Episode.objects.filter(pk=episode.pk).update(state=state)
    episode.refresh_from_db()
    return episode


LEFT_THE_PATHWAY = [State.WITHDRAWN, State.DECLINED, State.DISCHARGED]


def test_the_meeting_and_decision_forms_offer_only_the_units_staff_and_sites(client_as, sites):
    from collis.patients.tests.factories import other_unit_site

    elsewhere = other_unit_site()
    UserFactory(role=Role.NEUROLOGIST, first_name="Their", last_name="Neurologist",
                organisation=elsewhere.organisation)
    UserFactory(role=Role.NEUROLOGIST, first_name="Our", last_name="Neurologist")
    client = client_as(Role.MDT_COORDINATOR)
    page = client.get(reverse("mdt:meeting_create")).content.decode()
    assert "Our Neurologist" in page and sites[0].name in page
    assert "Their Neurologist" not in page and elsewhere.name not in page
    episode = episode_at(State.AWAITING_MDT)
    m, item = _item(episode)
    page = client.get(reverse("mdt:agenda_item", args=[m.pk, item.pk])).content.decode()
    assert "Our Neurologist" in page and "Their Neurologist" not in page


def test_a_meeting_posted_with_another_units_attendee_is_refused(client_as, sites):
    from collis.patients.tests.factories import other_unit_site

    theirs = UserFactory(role=Role.NEUROLOGIST, organisation=other_unit_site().organisation)
    response = client_as(Role.MDT_COORDINATOR).post(reverse("mdt:meeting_create"), {
        **_date("held_on", datetime.date(2026, 11, 25)), "site": sites[0].pk,
        "attendees": [theirs.pk]})
    assert "Choose attendees from the unit&#39;s staff" in response.content.decode()
    assert not MdtMeeting.objects.exists()


def test_a_decision_posted_before_its_meetings_day_is_refused_on_the_decision(client_as,
                                                                               sites):
    episode = episode_at(State.AWAITING_MDT)
    m = meeting(held_on=datetime.date.today() + datetime.timedelta(days=2))
    item = services.agenda_item_add(meeting=m, episode=episode, actor=coordinator_actor())
    client = client_as(Role.MDT_COORDINATOR)
    url = reverse("mdt:agenda_item", args=[m.pk, item.pk])
    page = client.get(url).content.decode()
    assert "Record the decision on or after the day of the meeting" in page
    assert "<h2 class=\"nhsuk-heading-m\">Record the decision</h2>" not in page
    response = client.post(url, {"discussion": "x", "decision": Decision.OTHER})
    body = response.content.decode()
    assert response.status_code == 400
    assert "An MDT decision cannot be before the date of its meeting" in body
    assert 'href="#decision' in body
    assert not MdtDecision.objects.exists()


@pytest.mark.parametrize("state", LEFT_THE_PATHWAY)
def test_a_decision_posted_for_an_episode_that_left_the_pathway_is_refused(client_as, sites,
                                                                            state):
    episode = episode_at(State.AWAITING_MDT)
    m, item = _item(episode)
    _left(episode, state)
    response = client_as(Role.MDT_COORDINATOR).post(
        reverse("mdt:agenda_item", args=[m.pk, item.pk]),
        {"discussion": "x", "decision": Decision.OTHER})
    assert response.status_code == 400
    assert "Cannot record the MDT decision while the episode is at" in response.content.decode()
    assert not MdtDecision.objects.exists()


@pytest.mark.parametrize("state", LEFT_THE_PATHWAY)
def test_funding_posted_for_an_episode_that_left_the_pathway_is_refused(client_as, sites,
                                                                         state):
    episode = episode_at(State.AWAITING_MDT)
    _, request = _funded(episode)
    _left(episode, state)
    client = client_as(Role.MDT_COORDINATOR)
    args = [episode.patient.pk, episode.pk]
    response = client.post(reverse("mdt:funding_new", args=args),
                           {"route": "prior_approval", "commissioner": "ICB"})
    assert response.status_code == 400
    assert "Cannot draw up a funding request while the episode is at" in (
        response.content.decode())
    assert FundingRequest.objects.filter(episode=episode).count() == 1
    detail = reverse("mdt:funding_detail", args=[*args, request.pk])
    response = client.post(detail, {"status": "submitted", "reference": "PA-9",
                                     **_date("submitted_on", datetime.date(2026, 11, 22))})
    assert response.status_code == 400
    assert "Cannot request funding while the episode is at" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "draft" and request.changes.count() == 1
