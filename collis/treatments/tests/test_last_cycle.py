"""The toxin services keep the recall's copy of each patient's last valid cycle date
(ToxinLastCycle, ADR 0017) right through every write of a cycle: recorded, amended to
another date, marked entered in error; a rebuild from the cycles gives the same copy."""

import datetime

import pytest

from collis.core.models import RecordStatus
from collis.patients.tests.factories import PatientFactory
from collis.treatments import services
from collis.treatments.models import ToxinCycle, ToxinLastCycle
from collis.treatments.tests.test_services import actor, amend_cycle, record_cycle  # noqa: F401

D = datetime.date
pytestmark = pytest.mark.django_db


def _copy() -> dict:
    return dict(ToxinLastCycle.objects.values_list("patient_id", "last_given_on"))


def _from_the_cycles() -> dict:
    last: dict = {}
    for patient_id, given_on in (ToxinCycle.objects.filter(record_status=RecordStatus.CURRENT)
                                 .values_list("patient_id", "given_on")):
        last[patient_id] = max(given_on, last.get(patient_id, given_on))
    return last


def test_every_write_of_a_cycle_keeps_the_last_cycle_date_right(sites, actor):  # noqa: F811
    one, other = PatientFactory(), PatientFactory()
    first = record_cycle(one, actor, given_on=D(2026, 3, 2))
    assert _copy() == {one.pk: D(2026, 3, 2)}
    latest = record_cycle(one, actor, given_on=D(2026, 6, 1))
    record_cycle(other, actor, given_on=D(2026, 5, 4))
    assert _copy() == {one.pk: D(2026, 6, 1), other.pk: D(2026, 5, 4)}
    # Recording an older cycle later (entered late) leaves the last date where it is.
    record_cycle(one, actor, given_on=D(2026, 4, 13))
    assert _copy()[one.pk] == D(2026, 6, 1)
    # Amended to the date it was really given: the copy moves back with it.
    corrected = amend_cycle(latest, actor, given_on=D(2026, 5, 25), reason="Wrong date typed")
    assert _copy()[one.pk] == D(2026, 5, 25)
    # Marked entered in error: the last valid cycle before it counts.
    services.toxin_cycle_mark_entered_in_error(cycle=corrected, reason="Other patient's cycle",
                                               actor=actor)
    assert _copy()[one.pk] == D(2026, 4, 13)
    for cycle in ToxinCycle.objects.current().filter(patient=one).exclude(pk=first.pk):
        services.toxin_cycle_mark_entered_in_error(cycle=cycle, reason="Duplicate entry",
                                                   actor=actor)
    assert _copy()[one.pk] == D(2026, 3, 2)
    # No valid cycle left: the patient has no last cycle and so no recall.
    services.toxin_cycle_mark_entered_in_error(cycle=first, reason="Duplicate entry",
                                               actor=actor)
    assert one.pk not in _copy()
    assert _copy() == _from_the_cycles()


def test_a_rebuild_from_the_cycles_gives_the_copy_the_services_keep(sites, actor):  # noqa: F811
    patients = [PatientFactory() for _ in range(4)]
    for n, patient in enumerate(patients):
        for weeks in range(n):
            given_on = D(2026, 1, 5) + datetime.timedelta(weeks=12 * weeks)
            record_cycle(patient, actor, given_on=given_on)
    kept = _copy()
    assert kept == _from_the_cycles() and len(kept) == 3
    assert services.toxin_last_cycle_rebuild() == 3
    assert _copy() == kept
