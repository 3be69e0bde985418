"""The toxin recall list: who is due (from the last valid cycle), in what order, by site,
scoped to the unit, one audit entry per page, paged by keyset; one-click booking into the
next free toxin clinic from the due date; bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from collis.core.audit import Actor
from collis.core.models import AuditEvent, RecordStatus
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.recall import toxin_next_due
from collis.patients.tests.factories import PatientFactory, other_unit_patient
from collis.scheduling import recall
from collis.scheduling.models import Appointment
from collis.scheduling.tests.factories import clinic, coordinator_actor, room_at
from collis.sites.models import Site
from collis.treatments import services as toxin_services
from collis.treatments.models import StopReason
from collis.treatments.tests.factories import ToxinCycleFactory

pytestmark = pytest.mark.django_db


def _weeks_ago(weeks: int, days: int = 0) -> dt.date:
    return timezone.localdate() - dt.timedelta(weeks=weeks, days=days)


def _on_toxin(last: dt.date, **patient):
    p = PatientFactory(**patient)
    ToxinCycleFactory(patient=p, given_on=last - dt.timedelta(weeks=12))
    ToxinCycleFactory(patient=p, given_on=last)
    return p


def _ids(page):
    return [row.patient.pk for row in page.rows]


def test_patients_are_listed_most_overdue_first_and_those_not_due_are_left_out(sites):
    actor = coordinator_actor()
    late = _on_toxin(_weeks_ago(20))
    later = _on_toxin(_weeks_ago(30))
    due_today = _on_toxin(_weeks_ago(12))
    _on_toxin(_weeks_ago(6))  # not due for six weeks
    page = recall.recall_list(actor=actor)
    assert _ids(page) == [later.pk, late.pk, due_today.pk]
    assert page.rows[0].status.text == "Overdue by 18 weeks"
    assert page.rows[2].status.text == "Due today"
    assert page.rows[1].status.due_on == toxin_next_due(_weeks_ago(20))


def test_a_cycle_entered_in_error_does_not_count_as_the_last_cycle(sites):
    patient = _on_toxin(_weeks_ago(20))
    ToxinCycleFactory(patient=patient, given_on=_weeks_ago(2),
                      record_status=RecordStatus.ENTERED_IN_ERROR)
    page = recall.recall_list(actor=coordinator_actor())
    assert _ids(page) == [patient.pk]
    assert page.rows[0].status.last_given_on == _weeks_ago(20)


def test_a_patient_whose_toxin_is_stopped_is_not_recalled_until_toxin_restarts(sites):
    actor = coordinator_actor()
    neurologist = Actor.command_line(UserFactory(role=Role.NEUROLOGIST))
    stopped = _on_toxin(_weeks_ago(20))
    still_on = _on_toxin(_weeks_ago(21))
    assert _ids(recall.recall_list(actor=actor)) == [still_on.pk, stopped.pk]
    stop = toxin_services.toxin_stop_create(
        patient=stopped, stopped_on=_weeks_ago(20), decided_by=neurologist.user,
        reason=StopReason.STOPPED_WORKING, actor=neurologist)
    assert _ids(recall.recall_list(actor=actor)) == [still_on.pk]
    # Marked entered in error, the stop no longer counts: the patient is recalled again.
    toxin_services.toxin_stop_mark_entered_in_error(stop=stop, reason="Wrong patient",
                                                    actor=neurologist)
    assert _ids(recall.recall_list(actor=actor)) == [still_on.pk, stopped.pk]
    toxin_services.toxin_stop_create(
        patient=stopped, stopped_on=_weeks_ago(19), decided_by=neurologist.user,
        reason=StopReason.SIDE_EFFECTS, actor=neurologist)
    assert _ids(recall.recall_list(actor=actor)) == [still_on.pk]
    # A cycle after the stop is a restart: recalled again from that cycle.
    ToxinCycleFactory(patient=stopped, given_on=_weeks_ago(16))
    page = recall.recall_list(actor=actor)
    assert _ids(page) == [still_on.pk, stopped.pk]
    assert page.rows[1].status.last_given_on == _weeks_ago(16)


def test_a_patient_already_booked_into_a_toxin_clinic_is_not_listed(sites):
    actor = coordinator_actor()
    patient = _on_toxin(_weeks_ago(14))
    session = clinic()
    recall.recall_book(patient=patient, actor=actor)
    assert Appointment.objects.get(patient=patient).session == session
    assert recall.recall_list(actor=actor).rows == []


def test_the_list_is_by_home_site_and_never_shows_another_units_patients(sites):
    portland = Site.objects.get(code="portland-hospital")
    other = next(s for s in sites if s != portland)
    here = _on_toxin(_weeks_ago(14), home_site=portland)
    there = _on_toxin(_weeks_ago(15), home_site=other)
    foreign = other_unit_patient()
    ToxinCycleFactory(patient=foreign, given_on=_weeks_ago(30))
    actor = coordinator_actor()
    assert _ids(recall.recall_list(actor=actor, site=portland)) == [here.pk]
    assert _ids(recall.recall_list(actor=actor)) == [there.pk, here.pk]


def test_pages_follow_by_keyset_without_gaps_or_repeats_even_on_equal_dates(sites):
    actor = coordinator_actor()
    patients = [_on_toxin(_weeks_ago(13 + i % 3)) for i in range(7)]
    seen, after = [], ""
    for _ in range(5):
        page = recall.recall_list(actor=actor, after=after, per_page=3)
        seen += _ids(page)
        after = page.next_key
        if not after:
            break
    assert sorted(seen) == sorted(p.pk for p in patients) and len(seen) == 7
    assert recall.recall_list(actor=actor, after="nonsense").rows  # a bad key: first page


def test_each_page_is_one_audit_entry_naming_the_patients_shown(sites):
    actor = coordinator_actor()
    patients = [_on_toxin(_weeks_ago(14)) for _ in range(3)]
    before = AuditEvent.objects.count()
    recall.recall_list(actor=actor)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("at")
    assert event.object_type == "toxin_recall"
    assert sorted(event.details["patients"]) == sorted(p.nhs_number for p in patients)
    for p in patients:
        assert AuditEvent.objects.for_patient(p.pk).filter(pk=event.pk).exists()


def test_booking_takes_the_next_free_slot_not_before_the_due_date(sites):
    actor = coordinator_actor()
    nurse = UserFactory(role=Role.NURSE_SPECIALIST)
    # Due in ten days: the clinic tomorrow is too early, the one in two weeks is not.
    patient = _on_toxin(_weeks_ago(12) + dt.timedelta(days=10))
    clinic(clinicians=[nurse])
    later = clinic(clinicians=[nurse], day=timezone.localdate() + dt.timedelta(days=14))
    appointment = recall.recall_book(patient=patient, actor=actor)
    assert appointment.session == later


def test_booking_with_no_free_slot_at_the_site_says_so_on_the_slot(sites):
    from django.core.exceptions import ValidationError

    patient = _on_toxin(_weeks_ago(14))
    clinic(room=room_at("portland-hospital"))
    elsewhere = Site.objects.exclude(code="portland-hospital").first()
    with pytest.raises(ValidationError) as refused:
        recall.recall_book(patient=patient, actor=coordinator_actor(), site=elsewhere)
    assert "no free botulinum toxin clinic slot at" in refused.value.message_dict["slot"][0]


@pytest.fixture
def coordinator(client_as, sites):
    return client_as(Role.MDT_COORDINATOR)


def test_the_page_lists_books_with_one_click_and_says_where(coordinator):
    portland = Site.objects.get(code="portland-hospital")
    patient = _on_toxin(_weeks_ago(15), home_site=portland)
    session = clinic(room=room_at("portland-hospital"))
    page = coordinator.get(reverse("scheduling:recall_list"), {"site": portland.pk})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Overdue by 3 weeks" in text and "most overdue first" in text
    done = coordinator.post(reverse("scheduling:recall_book", kwargs={"patient_id": patient.pk}),
                            {"site": portland.pk}, follow=True)
    assert Appointment.objects.get(patient=patient).session == session
    assert "Booked" in done.content.decode() and "The Portland Hospital" in done.content.decode()


def test_a_physiotherapist_sees_the_list_but_an_auditor_does_not_and_booking_needs_the_role(
        client_as, sites):
    patient = _on_toxin(_weeks_ago(15))
    assert client_as(Role.PHYSIOTHERAPIST).get(reverse("scheduling:recall_list")).status_code \
        == 200
    auditor = client_as(Role.AUDITOR)
    assert auditor.get(reverse("scheduling:recall_list")).status_code == 403
    book = reverse("scheduling:recall_book", kwargs={"patient_id": patient.pk})
    assert auditor.post(book).status_code == 403
    assert not Appointment.objects.filter(patient=patient).exists()


def test_booking_another_units_patient_is_a_404(coordinator):
    foreign = other_unit_patient()
    book = reverse("scheduling:recall_book", kwargs={"patient_id": foreign.pk})
    assert coordinator.post(book).status_code == 404


def test_the_page_reads_a_bounded_number_of_queries(coordinator, django_assert_max_num_queries):
    for i in range(30):
        _on_toxin(_weeks_ago(13 + i % 5))
    with django_assert_max_num_queries(14):
        page = coordinator.get(reverse("scheduling:recall_list"))
    assert page.status_code == 200 and page.content.decode().count("Book next toxin clinic") == 25
