"""Toxin clinic measures by product, from grouped queries, against hand-counted cohorts."""

import datetime

import pytest

from collis.core.audit import Actor
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.patients.tests.factories import PatientFactory
from collis.service_audit import presenters, selectors
from collis.service_audit.selectors import AuditFilters
from collis.treatments.models import ToxinReview
from collis.treatments.tests.factories import cycle_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(sites):
    return Actor.command_line(UserFactory(role=Role.AUDITOR))


def test_toxin_measures_by_product_match_the_hand_count(auditor,
                                                        django_assert_max_num_queries):
    # Five patients on onabotulinumtoxinA, two cycles each (200 U each): the second 10 weeks
    # after the first for two of them (sooner than 12 weeks), 13 weeks for the rest.
    # Reviews of the first cycles: 60% for 10 weeks; dysphagia in 2 of 5 (40%, above the
    # 19% quoted [13]).
    for index in range(5):
        patient = PatientFactory()
        first = cycle_with(patient, datetime.date(2025, 1, 6), benefit=60, weeks=10)
        if index < 2:
            ToxinReview.objects.filter(cycle=first).update(dysphagia=True)
        gap = 10 if index < 2 else 13
        cycle_with(patient, datetime.date(2025, 1, 6) + datetime.timedelta(weeks=gap))
    cycle_with(PatientFactory(), datetime.date(2025, 2, 3), product="abobotulinumtoxinA",
               units=(500,))
    with django_assert_max_num_queries(10):
        measures = selectors.toxin_measures(actor=auditor, filters=AuditFilters())
    ona = next(r for r in measures.rows if r.product == "onabotulinumtoxinA")
    assert (ona.cycles, ona.patients, ona.units) == (10, 5, 2000)
    assert (ona.reviewed, ona.benefit_sum, ona.dysphagia) == (5, 300, 2)
    assert (ona.short_interval, ona.with_previous) == (2, 5)
    table = presenters.toxin_table(measures)
    ona_row = next(r for r in table.rows if r[0] == "onabotulinumtoxinA")
    assert ona_row[3] == "200"
    assert ona_row[5].startswith("2 of 5 (40%") and "above it" in ona_row[5]
    assert ona_row[7].startswith("2 of 5 (40%")
    abo_row = next(r for r in table.rows if r[0] == "abobotulinumtoxinA")
    assert abo_row[2].startswith("Not shown")  # one patient: too few to show


def test_toxin_measures_filter_by_year(auditor):
    cycle_with(PatientFactory(), datetime.date(2024, 5, 1))
    cycle_with(PatientFactory(), datetime.date(2025, 5, 1))
    measures = selectors.toxin_measures(actor=auditor, filters=AuditFilters(year=2025))
    assert [r.cycles for r in measures.rows] == [1]
