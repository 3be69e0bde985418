import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from collis.core.models import AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.pathway import State
from collis.patients.tests.factories import PatientFactory
from collis.surgery.models import Episode
from collis.surgery.tests.factories import episode_at

REFERRAL = {
    "referrer_name": "Dr Ivo Inkwell", "referrer_gmc_number": "1234567",
    "referrer_organisation": "Example Neurology Service (demo)",
    "referral_reason": "Waning response to botulinum toxin", "urgency": "routine",
    "referral_received_on-day": "1", "referral_received_on-month": "10",
    "referral_received_on-year": "2026",
}


@pytest.mark.django_db
def test_coordinator_records_a_referral_with_its_letter(client_as, sites):
    patient = PatientFactory()
    client = client_as(Role.MDT_COORDINATOR)
    letter = SimpleUploadedFile("letter.pdf", b"%PDF-1.4 referral", "application/pdf")
    response = client.post(reverse("surgery:episode_create", args=[patient.pk]),
                           REFERRAL | {"referral_letter": letter})
    episode = Episode.objects.get()
    assert response["Location"] == reverse("surgery:episode_detail",
                                           args=[patient.pk, episode.pk])
    assert episode.state == State.REFERRAL_RECEIVED and episode.referral_letter


@pytest.mark.django_db
def test_referral_errors_name_the_field_and_save_nothing(client_as, sites, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    patient = PatientFactory()
    bad = REFERRAL | {"referrer_gmc_number": "12ab",
                      "referral_letter": SimpleUploadedFile("x.pdf", b"<html>", "text/html")}
    body = client_as(Role.NEUROLOGIST).post(
        reverse("surgery:episode_create", args=[patient.pk]), bad).content.decode()
    assert "GMC number must be 7 digits" in body
    assert "The referral letter must be a PDF file" in body
    assert not Episode.objects.exists()


@pytest.mark.django_db
def test_physiotherapist_cannot_record_a_referral(client_as, sites):
    patient = PatientFactory()
    response = client_as(Role.PHYSIOTHERAPIST).post(
        reverse("surgery:episode_create", args=[patient.pk]), REFERRAL)
    assert response.status_code == 403 and not Episode.objects.exists()


@pytest.mark.django_db
def test_episode_page_shows_history_work_up_and_the_roles_next_steps(client_as, sites):
    episode = episode_at(State.TRIAGE)
    body = client_as(Role.NEUROLOGIST).get(reverse(
        "surgery:episode_detail", args=[episode.patient_id, episode.pk])).content.decode()
    assert "Accept the referral" in body and "Decline the referral" in body
    assert "EMG" in body and "[28]" in body and "Outstanding" in body
    assert "set up by a test" in body
    assert AuditEvent.objects.filter(object_type="episode", patient_id=episode.patient_id,
                                     action="view").exists()


@pytest.mark.django_db
def test_triage_decline_needs_a_reason(client_as, sites):
    episode = episode_at(State.TRIAGE)
    client = client_as(Role.NEUROSURGEON)
    url = reverse("surgery:episode_move", args=[episode.patient_id, episode.pk, "decline"])
    body = client.post(url, {"reason": ""}).content.decode()
    assert "Give a reason to decline the referral" in body
    assert Episode.objects.get(pk=episode.pk).state == State.TRIAGE
    assert client.post(url, {"reason": "Generalised dystonia [28]"}).status_code == 302
    assert Episode.objects.get(pk=episode.pk).state == State.DECLINED


@pytest.mark.django_db
def test_a_move_the_role_may_not_make_is_refused_with_a_message(client_as, sites):
    episode = episode_at(State.TRIAGE)
    url = reverse("surgery:episode_move", args=[episode.patient_id, episode.pk, "accept"])
    body = client_as(Role.MDT_COORDINATOR).post(url, {"reason": "ok"}).content.decode()
    assert "Your role cannot accept the referral" in body
    assert Episode.objects.get(pk=episode.pk).state == State.TRIAGE


@pytest.mark.django_db
def test_listing_for_surgery_puts_the_patient_on_the_filterable_waiting_list(client_as, sites):
    surgeon = UserFactory(role=Role.NEUROSURGEON, first_name="Sam", last_name="Cutter")
    episode = episode_at(State.FUNDING_APPROVED)
    client = client_as(Role.NEUROSURGEON)
    response = client.post(reverse("surgery:episode_listing",
                                   args=[episode.patient_id, episode.pk]), {
        "listed_on-day": "2", "listed_on-month": "11", "listed_on-year": "2026",
        "priority": "soon", "listing_site": sites[0].pk, "surgeon": surgeon.pk})
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.state == State.LISTED and episode.listed_on == datetime.date(2026, 11, 2)
    manager = client_as(Role.AUDITOR)
    body = manager.get(reverse("surgery:waiting_list"), {"surgeon": surgeon.pk}).content
    assert b"1 patient waiting" in body and b"Sam Cutter" in body
    other = UserFactory(role=Role.NEUROSURGEON)
    body = manager.get(reverse("surgery:waiting_list"), {"surgeon": other.pk}).content
    assert b"0 patients waiting" in body


@pytest.mark.django_db
def test_physiotherapist_cannot_see_the_waiting_list(client_as):
    assert client_as(Role.PHYSIOTHERAPIST).get(reverse("surgery:waiting_list")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role, state, shown", [
    (Role.MDT_COORDINATOR, State.AWAITING_MDT, True),
    (Role.NEUROSURGEON, State.CONSENTED, True),
    (Role.PHYSIOTHERAPIST, State.OPERATED, True),
    (Role.PHYSIOTHERAPIST, State.AWAITING_MDT, False),
])
def test_worklist_shows_what_waits_for_the_role(client_as, sites, role, state, shown):
    episode = episode_at(state, patient=PatientFactory(family_name="Worklistperson"))
    body = client_as(role).get(reverse("surgery:worklist")).content.decode()
    assert ("WORKLISTPERSON" in body) is shown
    assert episode.pk


@pytest.mark.django_db
@pytest.mark.parametrize("moves", [1, 30])
def test_episode_page_queries_do_not_grow_with_its_history(client_as, sites, moves,
                                                           django_assert_max_num_queries):
    from collis.surgery.models import EpisodeStatus

    episode = episode_at(State.TRIAGE)
    for _ in range(moves):
        EpisodeStatus.objects.create(episode=episode, state=State.TRIAGE, by=episode.opened_by)
    client = client_as(Role.NEUROLOGIST)
    client.get("/")
    with django_assert_max_num_queries(18):
        client.get(reverse("surgery:episode_detail", args=[episode.patient_id, episode.pk]))


@pytest.mark.django_db
def test_referral_letter_is_served_only_to_permitted_users_and_audited(client_as, sites,
                                                                       settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    patient = PatientFactory()
    client = client_as(Role.MDT_COORDINATOR)
    letter = SimpleUploadedFile("letter.pdf", b"%PDF-1.4 referral", "application/pdf")
    client.post(reverse("surgery:episode_create", args=[patient.pk]),
                REFERRAL | {"referral_letter": letter})
    episode = Episode.objects.get()
    url = reverse("surgery:referral_letter", args=[patient.pk, episode.pk])
    assert url in client.get(reverse("surgery:episode_detail",
                                     args=[patient.pk, episode.pk])).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(
        b"%PDF-")
    assert response["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="download", object_type="referral_letter",
                                     patient_id=patient.pk).count() == 1
    assert client_as(Role.ADMINISTRATOR).get(url).status_code == 403
    assert AuditEvent.objects.filter(action="download").count() == 1


def _letter():
    return SimpleUploadedFile("letter.pdf", b"%PDF-1.4 referral", "application/pdf")


@pytest.mark.django_db
def test_another_units_patient_and_episode_are_not_found_on_any_pathway_page(
        client_as, sites, settings, tmp_path):
    from collis.patients.tests.factories import other_unit_patient

    settings.MEDIA_ROOT = tmp_path
    theirs = episode_at(State.TRIAGE, patient=other_unit_patient())
    theirs.referral_letter = _letter()
    theirs.save()
    patient_id, episode_id = theirs.patient_id, theirs.pk
    client = client_as(Role.NEUROSURGEON)
    for name, args in (("surgery:episode_list", [patient_id]),
                       ("surgery:episode_detail", [patient_id, episode_id]),
                       ("surgery:referral_letter", [patient_id, episode_id]),
                       ("surgery:episode_move", [patient_id, episode_id, "decline"]),
                       ("surgery:episode_listing", [patient_id, episode_id])):
        assert client.get(reverse(name, args=args)).status_code == 404, name
    coordinator = client_as(Role.MDT_COORDINATOR)
    url = reverse("surgery:episode_create", args=[patient_id])
    assert coordinator.get(url).status_code == 404
    assert coordinator.post(url, REFERRAL).status_code == 404
    decline = reverse("surgery:episode_move", args=[patient_id, episode_id, "decline"])
    assert client.post(decline, {"reason": "Not ours"}).status_code == 404
    assert Episode.objects.get(pk=episode_id).state == State.TRIAGE
    assert Episode.objects.filter(patient_id=patient_id).count() == 1
    # Only the set-up's own writes are on record: nothing was shown or downloaded.
    assert not AuditEvent.objects.filter(patient_id=patient_id).exclude(
        action="create").exists()


@pytest.mark.django_db
def test_an_episode_of_another_patient_is_not_found_under_this_patient(client_as, sites):
    episode = episode_at(State.TRIAGE)
    other = PatientFactory()
    client = client_as(Role.NEUROSURGEON)
    response = client.get(reverse("surgery:episode_detail", args=[other.pk, episode.pk]))
    assert response.status_code == 404 and b"Episode not found" in response.content
    decline = reverse("surgery:episode_move", args=[other.pk, episode.pk, "decline"])
    assert client.post(decline, {"reason": "Wrong patient"}).status_code == 404
    assert Episode.objects.get(pk=episode.pk).state == State.TRIAGE


@pytest.mark.django_db
@pytest.mark.parametrize("name, role, state, extra", [
    ("surgery:episode_create", Role.MDT_COORDINATOR, None, []),
    ("surgery:episode_move", Role.NEUROSURGEON, State.TRIAGE, ["decline"]),
    ("surgery:episode_listing", Role.NEUROSURGEON, State.FUNDING_APPROVED, []),
])
def test_opening_a_pathway_form_audits_the_patient_shown_once(client_as, sites, name, role,
                                                              state, extra):
    if state is None:
        patient = PatientFactory()
        args = [patient.pk]
    else:
        episode = episode_at(state)
        patient = episode.patient
        args = [patient.pk, episode.pk, *extra]
    response = client_as(role).get(reverse(name, args=args))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="view", object_type="patient",
                                     patient_id=patient.pk).count() == 1


@pytest.mark.django_db
def test_a_service_error_about_the_whole_referral_is_shown_on_the_page(client_as, sites,
                                                                       monkeypatch):
    from django.core.exceptions import ValidationError

    from collis.surgery import services

    def refuse(**kwargs):
        raise ValidationError("This patient already has an open referral.")

    monkeypatch.setattr(services, "episode_open", refuse)
    patient = PatientFactory()
    response = client_as(Role.MDT_COORDINATOR).post(
        reverse("surgery:episode_create", args=[patient.pk]), REFERRAL)
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and "This patient already has an open referral." in body
    assert not Episode.objects.exists()


@pytest.mark.django_db
def test_a_refused_listing_is_shown_on_the_page(client_as, sites):
    surgeon = UserFactory(role=Role.NEUROSURGEON)
    episode = episode_at(State.TRIAGE)  # not yet funded: the table refuses the listing
    response = client_as(Role.NEUROSURGEON).post(
        reverse("surgery:episode_listing", args=[episode.patient_id, episode.pk]), {
            "listed_on-day": "2", "listed_on-month": "11", "listed_on-year": "2026",
            "priority": "soon", "listing_site": sites[0].pk, "surgeon": surgeon.pk})
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert "while the episode is at" in body
    assert Episode.objects.get(pk=episode.pk).state == State.TRIAGE


@pytest.mark.django_db
def test_a_missing_referral_letter_is_not_found_and_not_audited(client_as, sites):
    episode = episode_at(State.TRIAGE)
    response = client_as(Role.NEUROSURGEON).get(
        reverse("surgery:referral_letter", args=[episode.patient_id, episode.pk]))
    assert response.status_code == 404 and b"No referral letter" in response.content
    assert not AuditEvent.objects.filter(action="download").exists()


@pytest.mark.django_db
def test_a_move_made_on_an_earlier_day_is_dated_and_a_future_date_is_refused(client_as,
                                                                              sites):
    episode = episode_at(State.TRIAGE)
    url = reverse("surgery:episode_move", args=[episode.patient_id, episode.pk, "accept"])
    client = client_as(Role.NEUROLOGIST)
    assert 'name="moved_on-day"' in client.get(url).content.decode()
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    body = client.post(url, {"reason": "Focal CD", "moved_on-day": tomorrow.day,
                             "moved_on-month": tomorrow.month,
                             "moved_on-year": tomorrow.year}).content.decode()
    assert "The date of this step must be today or in the past" in body
    before = episode.referral_received_on - datetime.timedelta(days=1)
    body = client.post(url, {"reason": "Focal CD", "moved_on-day": before.day,
                             "moved_on-month": before.month,
                             "moved_on-year": before.year}).content.decode()
    assert "The date of this step cannot be before the date the referral was received" in body
    assert 'href="#moved_on-day"' in body
    assert Episode.objects.get(pk=episode.pk).state == State.TRIAGE
    today = datetime.date.today()
    response = client.post(url, {"reason": "Focal CD", "moved_on-day": today.day,
                                 "moved_on-month": today.month, "moved_on-year": today.year})
    assert response.status_code == 302
    assert Episode.objects.get(pk=episode.pk).state == State.WORK_UP


@pytest.mark.django_db
def test_the_listing_offers_only_the_units_sites_and_surgeons(client_as, sites):
    from collis.patients.tests.factories import other_unit_site

    elsewhere = other_unit_site()
    UserFactory(role=Role.NEUROSURGEON, first_name="Our", last_name="Surgeon")
    theirs = UserFactory(role=Role.NEUROSURGEON, first_name="Their", last_name="Surgeon",
                         organisation=elsewhere.organisation)
    episode = episode_at(State.FUNDING_APPROVED)
    url = reverse("surgery:episode_listing", args=[episode.patient_id, episode.pk])
    client = client_as(Role.NEUROSURGEON)
    body = client.get(url).content.decode()
    assert sites[0].name in body and "Our Surgeon" in body
    assert elsewhere.name not in body and "Their Surgeon" not in body
    response = client.post(url, {
        "listed_on-day": "26", "listed_on-month": "11", "listed_on-year": "2026",
        "priority": "soon", "listing_site": elsewhere.pk, "surgeon": theirs.pk})
    body = response.content.decode()
    assert "Choose one of your unit&#39;s sites." in body
    assert "Choose a surgeon of your unit." in body
    assert Episode.objects.get(pk=episode.pk).state == State.FUNDING_APPROVED
    waiting = client_as(Role.AUDITOR).get(reverse("surgery:waiting_list")).content.decode()
    assert "Our Surgeon" in waiting and "Their Surgeon" not in waiting
    assert elsewhere.name not in waiting


@pytest.mark.django_db
@pytest.mark.parametrize("state", [State.WITHDRAWN, State.DECLINED, State.DISCHARGED])
def test_a_listing_posted_for_an_episode_that_left_the_pathway_is_refused(client_as, sites,
                                                                          state):
    surgeon = UserFactory(role=Role.NEUROSURGEON)
    episode = episode_at(state)
    response = client_as(Role.NEUROSURGEON).post(
        reverse("surgery:episode_listing", args=[episode.patient_id, episode.pk]), {
            "listed_on-day": "26", "listed_on-month": "11", "listed_on-year": "2026",
            "priority": "soon", "listing_site": sites[0].pk, "surgeon": surgeon.pk})
    assert response.status_code == 200
    assert "Cannot put on the waiting list while the episode is at" in response.content.decode()
    episode.refresh_from_db()
    assert (episode.state, episode.listed_on) == (state, None)
