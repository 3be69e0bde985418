"""Patient-reported outcomes in the outcome audit (issue 15): the portal's TWSTRS disability
and pain sections, answered by the patient, as paired change from the questionnaire before
the operation, against a hand computation; unsent answers and other occasions do not count;
a cell with fewer pairs than the minimum is not shown; the page and its CSV show them."""

import datetime

import pytest
from django.utils import timezone

from collis.core.audit import Actor
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.questionnaires.models import QuestionnaireResponse
from collis.service_audit import presenters, selectors
from collis.service_audit.selectors import AuditFilters
from collis.service_audit.tests.factories import OPERATED_ON, operated

pytestmark = pytest.mark.django_db


@pytest.fixture
def surgeon(sites):
    return UserFactory(role=Role.NEUROSURGEON)


@pytest.fixture
def auditor(sites):
    return Actor.command_line(UserFactory(role=Role.AUDITOR))


def answered(patient, reason, due_on, *, disability, pain, sent=True):
    QuestionnaireResponse.objects.create(
        patient=patient, questionnaire="twstrs_patient", questionnaire_version="1",
        occasion=f"{reason}-{due_on}", reason=reason, due_on=due_on,
        submitted_at=timezone.make_aware(datetime.datetime.combine(
            due_on, datetime.time(10))) if sent else None,
        disability=disability, pain=pain)


@pytest.fixture
def cohort(surgeon):
    """Five operated patients. Disability 20 -> 10, 15 -> 10, 22 -> 10, 14 -> 10, 10 -> 10
    at 6 months: changes -10, -5, -12, -4, 0, mean -6.2 (sd 4.8166, t(0.975, 4) 2.7764:
    95% CI -12.18 to -0.22). Pain 10 -> 8 for the first four; the fifth left the 6-month
    pain section unanswered: 4 pairs."""
    before = (20, 15, 22, 14, 10)
    after = (10, 10, 10, 10, 10)
    six = OPERATED_ON + datetime.timedelta(days=182)
    patients = []
    for index, (b, a) in enumerate(zip(before, after, strict=True)):
        operation = operated(surgeon)
        patient = operation.patient
        patients.append(patient)
        answered(patient, "surgical_baseline", OPERATED_ON - datetime.timedelta(days=10),
                 disability=b, pain=10)
        answered(patient, "after_surgery_6", six, disability=a,
                 pain=8 if index < 4 else None)
    # Not counted: an unsent 3-month answer, and a toxin questionnaire after the operation.
    answered(patients[0], "after_surgery_3", OPERATED_ON + datetime.timedelta(days=91),
             disability=0, pain=0, sent=False)
    answered(patients[1], "toxin_peak", six + datetime.timedelta(days=30), disability=0,
             pain=0)
    return patients


def test_patient_reported_change_matches_the_hand_computation(cohort, auditor):
    audit = selectors.patient_reported_paired(actor=auditor, filters=AuditFilters())
    cell = audit.unit[("disability", 6)]
    assert cell.n == 5 and cell.change.mean_change == pytest.approx(-6.2)
    assert cell.change.low == pytest.approx(-12.180645, abs=1e-4)
    assert cell.change.high == pytest.approx(-0.219355, abs=1e-4)
    assert audit.unit[("disability", 3)].n == 0
    # Four pairs of pain: fewer than the minimum of 5, not shown.
    pain = audit.unit[("pain", 6)]
    assert pain.n == 4 and pain.suppressed and pain.change is None
    table = presenters.patient_reported_table(audit)
    row = next(r for r in table.rows if r[0] == "The unit" and r[1].startswith(
        "TWSTRS disability") and r[2] == presenters.point_label(6))
    assert row[3] == "5 of 5 operations" and row[4].startswith("-6.2 (95% CI -12.2 to -0.2)")
    pain_row = next(r for r in table.rows if r[0] == "The unit" and r[1].startswith(
        "TWSTRS pain") and r[2] == presenters.point_label(6))
    assert pain_row[4] == "Not shown (fewer than 5)"


def test_the_outcome_page_and_its_csv_show_them(client_as, cohort):
    client = client_as(Role.AUDITOR)
    page = client.get("/service-audit/outcomes/").content.decode()
    assert "Patient-reported outcomes" in page and 'id="outcomes-patient-reported"' in page
    body = b"".join(client.get("/service-audit/outcomes.csv").streaming_content).decode()
    assert "answered by the patient" in body
