"""The staff home page says what is due, by role: my clinics, patients due for toxin,
episodes waiting for me (longest waiting since referral first, the next step a button that
moves the episode through the pathway table), funding approvals about to expire, and
enquiries assigned to me; the queries are bounded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from collis.core.audit import Actor
from collis.core.roles import Role
from collis.domain.pathway import State
from collis.enquiries.models import Enquiry
from collis.enquiries.tests.factories import an_enquiry
from collis.patients.tests.factories import PatientFactory
from collis.scheduling.tests.factories import clinic
from collis.surgery.models import Episode
from collis.surgery.tests.factories import episode_at
from collis.treatments.tests.factories import ToxinCycleFactory

pytestmark = pytest.mark.django_db


def _referred(state, days_ago: int, **patient):
    episode = episode_at(state, patient=PatientFactory(**patient))
    Episode.objects.filter(pk=episode.pk).update(
        referral_received_on=timezone.localdate() - dt.timedelta(days=days_ago))
    return episode


def test_a_coordinator_sees_episodes_longest_waiting_first_with_the_nhs_number(client_as, sites):
    coordinator = client_as(Role.MDT_COORDINATOR)
    newer = _referred(State.REFERRAL_RECEIVED, 10, family_name="Newer")
    older = _referred(State.REFERRAL_RECEIVED, 70, family_name="Older")
    text = coordinator.get("/").content.decode()
    assert "Episodes waiting for me" in text and "longest waiting since referral first" in text
    assert text.index("OLDER") < text.index("NEWER")
    assert "10 weeks" in text and "10 days" in text
    assert f"{older.patient.nhs_number[:3]} {older.patient.nhs_number[3:6]}" in text
    assert newer.patient.nhs_number[6:] in text


def test_the_next_step_button_moves_the_episode_from_the_home_page(client_as, sites):
    coordinator = client_as(Role.MDT_COORDINATOR)
    episode = _referred(State.REFERRAL_RECEIVED, 20)
    move = reverse("surgery:worklist_move", kwargs={"patient_id": episode.patient_id,
                                                    "episode_id": episode.pk})
    assert move in coordinator.get("/").content.decode()
    done = coordinator.post(move, {"event": "start_triage", "next": "/"}, follow=True)
    episode.refresh_from_db()
    assert episode.state == State.TRIAGE
    assert "start triage, done" in done.content.decode()
    assert done.redirect_chain[-1][0] == "/"


def test_a_move_the_table_refuses_the_role_is_refused_and_nothing_moves(client_as, sites):
    physio = client_as(Role.PHYSIOTHERAPIST)
    episode = _referred(State.REFERRAL_RECEIVED, 20)
    move = reverse("surgery:worklist_move", kwargs={"patient_id": episode.patient_id,
                                                    "episode_id": episode.pk})
    page = physio.post(move, {"event": "start_triage", "next": "/"}, follow=True)
    episode.refresh_from_db()
    assert episode.state == State.REFERRAL_RECEIVED
    assert page.status_code == 200


def test_a_move_that_needs_a_reason_is_not_made_from_the_worklist(client_as, sites):
    neurologist = client_as(Role.NEUROLOGIST)
    episode = _referred(State.TRIAGE, 20)
    move = reverse("surgery:worklist_move", kwargs={"patient_id": episode.patient_id,
                                                    "episode_id": episode.pk})
    text = neurologist.get("/").content.decode()
    assert reverse("surgery:episode_move", kwargs={
        "patient_id": episode.patient_id, "episode_id": episode.pk, "event": "accept"}) in text
    neurologist.post(move, {"event": "accept", "next": "https://elsewhere.example/"})
    episode.refresh_from_db()
    assert episode.state == State.TRIAGE


def test_a_nurse_sees_her_clinics_and_the_patients_most_overdue_for_toxin(client_as, sites):
    nurse = client_as(Role.NURSE_SPECIALIST)
    clinic(clinicians=[nurse.user])
    overdue = PatientFactory(family_name="Overdue")
    ToxinCycleFactory(patient=overdue, given_on=timezone.localdate() - dt.timedelta(weeks=16))
    text = nurse.get("/").content.decode()
    assert "My clinics" in text and "Botulinum toxin clinic" in text
    assert "OVERDUE" in text and "Overdue by 4 weeks" in text


def test_enquiries_assigned_to_me_are_listed_oldest_first(client_as, sites):
    nurse = client_as(Role.NURSE_SPECIALIST)
    first, second = an_enquiry(name="Ada First"), an_enquiry(name="Bo Second")
    Enquiry.objects.filter(pk__in=[first.pk, second.pk]).update(assigned_to=nurse.user)
    an_enquiry(name="Cy Nobody")
    text = nurse.get("/").content.decode()
    assert "Enquiries assigned to me" in text
    assert text.index("Ada First") < text.index("Bo Second") and "Cy Nobody" not in text


def test_an_auditor_sees_none_of_the_clinical_worklists(client_as, sites):
    text = client_as(Role.AUDITOR).get("/").content.decode()
    assert "Episodes waiting for me" not in text and "Patients due for toxin" not in text


def test_the_funding_approval_about_to_expire_is_shown_to_the_coordinator(client_as, sites):
    from collis.mdt.models import FundingRequest
    from collis.mdt.tests.factories import decided

    coordinator = client_as(Role.MDT_COORDINATOR)
    episode = _referred(State.AWAITING_MDT, 100, family_name="Funded")
    decision = decided(episode, actor=Actor.command_line(coordinator.user))
    FundingRequest.objects.create(
        patient=episode.patient, episode=episode, decision=decision, route="prior_approval",
        commissioner="Example ICB", status="approved", created_by=coordinator.user,
        expires_on=timezone.localdate() + dt.timedelta(days=12))
    text = coordinator.get("/").content.decode()
    assert "Funding approvals about to expire" in text and "FUNDED" in text


def test_the_home_page_reads_a_bounded_number_of_queries(client_as, sites,
                                                          django_assert_max_num_queries):
    coordinator = client_as(Role.MDT_COORDINATOR)
    for days in range(12):
        _referred(State.REFERRAL_RECEIVED, 10 + days)
    for weeks in range(8):
        ToxinCycleFactory(given_on=timezone.localdate() - dt.timedelta(weeks=13 + weeks))
    for _ in range(3):
        clinic(clinicians=[coordinator.user], day=timezone.localdate()
               + dt.timedelta(days=1 + _))
    with django_assert_max_num_queries(30):
        page = coordinator.get("/")
    assert page.status_code == 200
