"""The demo cohort gives the audit something to show in `make run`."""

import pytest

from collis.core.audit import Actor
from collis.core.models import AccountType
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.domain.outcome_audit import LAST_FOLLOW_UP, Measure
from collis.patients.tests.factories import PatientFactory
from collis.service_audit import selectors
from collis.service_audit.demo import demo_audit_cohort_load
from collis.service_audit.selectors import AuditFilters

pytestmark = pytest.mark.django_db


def test_the_demo_cohort_shows_two_surgeons_outcomes_and_a_flag(sites):
    UserFactory(username="neurosurgeon", role=Role.NEUROSURGEON,
                account_type=AccountType.STAFF)
    UserFactory(username="physio", role=Role.PHYSIOTHERAPIST)
    patients = [PatientFactory() for _ in range(40)]
    assert demo_audit_cohort_load(patients) == 40
    assert demo_audit_cohort_load(patients) == 0  # once only
    actor = Actor.command_line(UserFactory(role=Role.AUDITOR))
    audit = selectors.complications_against_disclosed(actor=actor, filters=AuditFilters())
    assert audit.operations == 40 and len(audit.group_sizes) == 2
    assert all(audit.group_shown(key) for key in audit.group_sizes)
    assert "SD_SWALLOWING_DIFFICULTY" in [r.code for r in audit.flagged]
    outcomes = selectors.outcomes_paired(actor=actor, filters=AuditFilters(),
                                         measures=(Measure.TWSTRS_TOTAL,))
    last = outcomes.unit[(Measure.TWSTRS_TOTAL, LAST_FOLLOW_UP)]
    assert last.n >= 30 and last.change.mean_change < 0
