"""Service measures: waits as distributions, activity and did-not-attend rates."""

import datetime

import pytest
from django.utils import timezone

from collis.core.audit import Actor
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.mdt.models import MdtDecision
from collis.patients.tests.factories import PatientFactory
from collis.scheduling.models import Appointment
from collis.scheduling.tests.factories import clinic
from collis.service_audit import selectors
from collis.service_audit.selectors import AuditFilters
from collis.service_audit.tests.factories import operated

pytestmark = pytest.mark.django_db


def _decided(operation, day):
    MdtDecision.objects.create(
        patient_id=operation.patient_id, episode_id=operation.episode_id, decision="sd",
        discussion="Test", created_by=operation.surgeon,
        created_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(12))))


def test_waits_are_distributions_with_the_share_within_18_weeks(sites):
    # Referral 1 June 2025 (the factory's), MDT decision 15 July 2025, operations on
    # 1 September 2025 (92 days) x4 and 1 December 2025 (183 days) x1: RTT median 92,
    # 4 of 5 within 126 days; referral to MDT 44 days; MDT to operation 48 days (x4), 139.
    surgeon = UserFactory(role=Role.NEUROSURGEON)
    for index in range(5):
        day = datetime.date(2025, 9, 1) if index < 4 else datetime.date(2025, 12, 1)
        _decided(operated(surgeon, operated_on=day), datetime.date(2025, 7, 15))
    measures = selectors.service_measures(
        actor=Actor.command_line(UserFactory(role=Role.AUDITOR)), filters=AuditFilters())
    rtt = measures.referral_to_operation
    assert (rtt.n, rtt.median, rtt.longest) == (5, 92, 183)
    assert (rtt.within.numerator, rtt.within.denominator) == (4, 5)
    assert measures.referral_to_mdt.median == 44
    assert measures.mdt_to_operation.upper_quartile == 48
    assert measures.mdt_to_operation.longest == 139
    assert [(year, n) for _site, year, n in measures.activity] == [(2025, 5)]


def test_did_not_attend_rate_counts_appointments_that_have_passed(sites):
    session = clinic(capacity=6)
    slot = session.slots.order_by("starts_at").first()
    booker = UserFactory(role=Role.MDT_COORDINATOR)
    for place, status in enumerate(["seen", "seen", "arrived", "did_not_attend", "seen",
                                    "booked"], start=1):
        Appointment.objects.create(
            patient=PatientFactory(), appointment_type=session.appointment_type, slot=slot,
            session=session, clinician=slot.clinician, room=session.room,
            starts_at=slot.starts_at, ends_at=slot.ends_at, place=place, capacity=6,
            status=status, created_by=booker)
    later = timezone.localdate() + datetime.timedelta(days=3)
    measures = selectors.service_measures(
        actor=Actor.command_line(UserFactory(role=Role.AUDITOR)), filters=AuditFilters(),
        today=later)
    [(site, kind, n, dna)] = measures.attendance
    assert (n, dna) == (5, 1)  # the booked one has not been kept or missed


def test_the_service_measures_page_and_csv(client_as, sites):
    surgeon = UserFactory(role=Role.NEUROSURGEON)
    for _ in range(5):
        operated(surgeon)
    client = client_as(Role.AUDITOR)
    page = client.get("/service-audit/service/").content.decode()
    assert "Referral to operation (referral to treatment)" in page
    assert "92 days (13.1 weeks)" in page and "5 of 5 (100%" in page
    csv_text = b"".join(client.get("/service-audit/service.csv").streaming_content).decode()
    assert "Operations by site and year" in csv_text


def test_funding_decision_times_and_declines(sites):
    # Submitted 1 July; decided after 10, 20, 30, 40 and 50 days; one declined: median 30.
    from collis.mdt.models import FundingRequest

    surgeon = UserFactory(role=Role.NEUROSURGEON)
    for index in range(5):
        operation = operated(surgeon)
        _decided(operation, datetime.date(2025, 6, 20))
        FundingRequest.objects.create(
            patient_id=operation.patient_id, episode_id=operation.episode_id,
            decision=MdtDecision.objects.get(episode_id=operation.episode_id),
            route="prior_approval", commissioner="Test", created_by=surgeon,
            status="declined" if index == 0 else "approved",
            submitted_on=datetime.date(2025, 7, 1),
            decided_on=datetime.date(2025, 7, 1) + datetime.timedelta(days=10 * (index + 1)))
    measures = selectors.service_measures(
        actor=Actor.command_line(UserFactory(role=Role.AUDITOR)), filters=AuditFilters())
    assert (measures.funding_wait.n, measures.funding_wait.median) == (5, 30)
    assert (measures.funding_decided, measures.funding_declined) == (5, 1)


def test_enquiry_response_times_count_hours_to_the_first_reply(sites):
    from collis.enquiries.models import EnquiryEvent
    from collis.enquiries.tests.factories import an_enquiry

    answered, waiting = an_enquiry(), an_enquiry()
    EnquiryEvent.objects.create(enquiry=answered, kind="reply",
                                at=answered.submitted_at + datetime.timedelta(hours=6))
    EnquiryEvent.objects.create(enquiry=answered, kind="reply",
                                at=answered.submitted_at + datetime.timedelta(hours=30))
    assert waiting.pk
    measures = selectors.service_measures(
        actor=Actor.command_line(UserFactory(role=Role.AUDITOR)), filters=AuditFilters())
    assert measures.enquiry_reply_hours.median == pytest.approx(6)
    assert measures.enquiries_unanswered == 1
