import datetime

import pytest
from django.core.exceptions import ValidationError

from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.patients.models import Patient
from collis.patients.services import (
    PatientConflict,
    PatientDetails,
    patient_create,
    patient_update,
)
from collis.patients.tests.factories import PatientFactory


@pytest.fixture
def actor(db):
    return Actor.command_line(UserFactory(role=Role.NEUROLOGIST))


def details(site, **changes):
    values = {"nhs_number": "9434765919", "given_name": "Robin", "family_name": "Quillon",
              "date_of_birth": datetime.date(1970, 1, 2), "sex": "female",
              "address_line_1": "2 Sample Street", "town": "London", "postcode": "SE1 2PR",
              "home_site": site}
    return PatientDetails(**(values | changes))


def test_patient_create_saves_and_audits(actor, sites):
    patient = patient_create(details=details(sites[0]), actor=actor)
    assert patient.family_key == "QUILLON" and patient.version == 1
    event = AuditEvent.objects.get(action=AuditAction.CREATE)
    assert event.patient_id == patient.pk and event.actor == actor.user


def test_patient_create_refuses_invalid_nhs_number_and_saves_nothing(actor, sites):
    with pytest.raises(ValidationError) as raised:
        patient_create(details=details(sites[0], nhs_number="9434765918"), actor=actor)
    assert "nhs_number" in raised.value.message_dict
    assert Patient.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_patient_create_refuses_a_duplicate_nhs_number(actor, sites):
    patient_create(details=details(sites[0]), actor=actor)
    with pytest.raises(ValidationError) as raised:
        patient_create(details=details(sites[0]), actor=actor)
    assert "nhs_number" in raised.value.message_dict


def test_patient_update_records_what_changed_and_bumps_the_version(actor, sites):
    patient = PatientFactory()
    edited = details(sites[1], nhs_number=patient.nhs_number, given_name=patient.given_name,
                     family_name="Marigold")
    updated = patient_update(patient=patient, details=edited, expected_version=1, actor=actor)
    assert updated.version == 2 and updated.family_name == "Marigold"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.details["changes"]["family_name"]["to"] == "Marigold"
    assert event.patient_id == patient.pk


def test_second_save_from_a_stale_form_is_refused_not_lost(actor, sites):
    patient = PatientFactory()
    first = details(sites[0], nhs_number=patient.nhs_number, phone="01632 960001")
    second = details(sites[0], nhs_number=patient.nhs_number, email="new@example.com")
    patient_update(patient=patient, details=first, expected_version=1, actor=actor)
    with pytest.raises(PatientConflict) as raised:
        patient_update(patient=patient, details=second, expected_version=1, actor=actor)
    assert raised.value.current.version == 2
    stored = Patient.objects.get(pk=patient.pk)
    assert stored.phone == "01632 960001" and stored.email == ""
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE).count() == 1


def test_update_without_changes_writes_nothing(actor, sites):
    patient = PatientFactory()
    same = PatientDetails(**{f: getattr(patient, f) for f in PatientDetails.__dataclass_fields__})
    result = patient_update(patient=patient, details=same, expected_version=1, actor=actor)
    assert result.version == 1 and not AuditEvent.objects.exists()


def test_patient_create_registers_in_the_actors_unit_and_refuses_another_units_site(actor,
                                                                                    sites):
    from collis.patients.tests.factories import other_unit_site

    with pytest.raises(ValidationError) as raised:
        patient_create(details=details(other_unit_site()), actor=actor)
    assert "home_site" in raised.value.message_dict
    assert not Patient.objects.exists()
    patient = patient_create(details=details(sites[0]), actor=actor)
    assert patient.organisation_id == actor.user.organisation_id


def test_patient_create_from_the_command_line_uses_the_home_sites_unit(sites):
    from collis.patients.tests.factories import other_unit_site

    site = other_unit_site()
    patient = patient_create(details=details(site), actor=Actor.command_line())
    assert patient.organisation_id == site.organisation_id


def test_patient_update_refuses_a_home_site_of_another_unit(actor, sites):
    from collis.patients.tests.factories import other_unit_site

    patient = PatientFactory()
    moved = PatientDetails(**{f: getattr(patient, f) for f in PatientDetails.__dataclass_fields__}
                           | {"home_site": other_unit_site()})
    with pytest.raises(ValidationError) as raised:
        patient_update(patient=patient, details=moved, expected_version=1, actor=actor)
    assert "home_site" in raised.value.message_dict
    assert Patient.objects.get(pk=patient.pk).home_site_id == patient.home_site_id
