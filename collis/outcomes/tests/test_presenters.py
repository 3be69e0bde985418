"""How the outcomes app words its entries: the operation note (every code it may hold) and
the current version of a review's scale."""

import datetime

import pytest

from collis.assessments import services as assessment_services
from collis.assessments.models import ScaleAssessment
from collis.core.audit import Actor
from collis.core.corrections import record_mark_entered_in_error, record_supersede
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.outcomes.models import SD_RISK_CHOICES
from collis.outcomes.presenters import current_scale, operation_rows, review_total
from collis.outcomes.tests.factories import make_episode, operate
from collis.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_the_operation_rows_name_every_intra_operative_complication(sites):
    operation = operate(make_episode(PatientFactory()), myectomy=True,
                        myectomy_muscles=["splenius_capitis"],
                        complication_codes=[code for code, _ in SD_RISK_CHOICES])
    rows = dict(operation_rows(operation))
    assert rows["Intra-operative complications"] == ", ".join(n for _, n in SD_RISK_CHOICES)
    assert rows["Myectomy"] == "Yes: splenius capitis"


def test_a_reviews_scale_reads_as_its_current_version(sites):
    patient = PatientFactory()
    actor = Actor.command_line(UserFactory(role=Role.NEUROLOGIST))
    old = assessment_services.tsui_create(patient=patient, assessed_on=datetime.date(2026, 6, 1),
                                          items={}, total=9, actor=actor)
    new = ScaleAssessment.objects.create(
        patient=patient, scale=old.scale, scale_version=old.scale_version,
        assessed_on=old.assessed_on, entry_mode=old.entry_mode, total=6, supersedes=old,
        created_by=actor.user)
    record_supersede(old=old, new=new, reason="Typo", actor=actor, object_type="scale_tsui",
                     patient_id=patient.pk)
    old.refresh_from_db()
    assert current_scale(old) == new and review_total(old) == "6"
    record_mark_entered_in_error(record=new, reason="Other patient", actor=actor,
                                 object_type="scale_tsui", patient_id=patient.pk)
    old.refresh_from_db()
    assert current_scale(old) is None and review_total(old) == "–"
    assert current_scale(None) is None
