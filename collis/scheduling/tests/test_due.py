"""Post-operative reviews and physiotherapy sessions due become appointments booked from a
list: the first review point not yet recorded (3, 6, 12 months then yearly, local policy),
the first programme session not yet held; booked patients leave the list; audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collis.core.models import AuditEvent
from collis.core.roles import Role
from collis.domain.scheduling import AppointmentType
from collis.outcomes.tests.factories import make_episode, operate, start_physio
from collis.patients.tests.factories import PatientFactory, other_unit_patient
from collis.scheduling import due
from collis.scheduling.models import Appointment
from collis.scheduling.tests.factories import clinic, coordinator_actor

pytestmark = pytest.mark.django_db


def _operated(patient=None):
    episode = make_episode(patient or PatientFactory(), state="consented")
    operate(episode)  # 2 March 2026
    return episode


def test_the_first_review_not_recorded_is_due_and_the_next_physio_session(sites):
    episode = _operated()
    start_physio(episode)  # weekly from 9 March 2026
    actor = coordinator_actor()
    reviews = due.due_list(actor=actor, kind=AppointmentType.POST_OP_REVIEW)
    assert [(r.patient, r.what) for r in reviews] == [(episode.patient, "3-month review")]
    assert reviews[0].due_on.isoformat() == "2026-06-02" and reviews[0].days_overdue > 0
    sessions = due.due_list(actor=actor, kind=AppointmentType.PHYSIOTHERAPY)
    assert [r.what for r in sessions] == ["Physiotherapy session 1 of 6"]


def test_another_units_operated_patient_is_not_listed(sites):
    _operated(other_unit_patient())
    assert due.due_list(actor=coordinator_actor(), kind=AppointmentType.POST_OP_REVIEW) == []


def test_one_click_books_the_review_and_the_patient_leaves_the_list(client_as, sites):
    coordinator = client_as(Role.MDT_COORDINATOR)
    episode = _operated()
    session = clinic(kind=AppointmentType.POST_OP_REVIEW)
    page = coordinator.get(reverse("scheduling:due_list"), {"kind": "post_op_review"})
    assert "3-month review" in page.content.decode()
    assert AuditEvent.objects.filter(object_type="due_post_op_review").exists()
    done = coordinator.post(reverse("scheduling:due_book",
                                    kwargs={"patient_id": episode.patient_id}),
                            {"kind": "post_op_review"}, follow=True)
    text = done.content.decode()
    assert "for the 3-month review" in text and "Nothing of this kind is due" in text
    appointment = Appointment.objects.get(patient=episode.patient)
    assert appointment.session == session and appointment.appointment_type == "post_op_review"


def test_booking_with_nothing_due_says_so_and_books_nothing(client_as, sites):
    coordinator = client_as(Role.MDT_COORDINATOR)
    patient = PatientFactory()
    clinic(kind=AppointmentType.PHYSIOTHERAPY)
    done = coordinator.post(reverse("scheduling:due_book", kwargs={"patient_id": patient.pk}),
                            {"kind": "physiotherapy"}, follow=True)
    assert "was not booked" in done.content.decode()
    assert not Appointment.objects.filter(patient=patient).exists()
