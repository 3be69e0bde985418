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
from collis.patients.tests.nhs_numbers import (
    ACCEPTED_SPELLINGS,
    NUMBER,
    REFUSED_SPELLINGS,
    racing_registration,
)


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


# --- The NHS number, however it is typed, and two registrations at once -------------------

@pytest.mark.parametrize("typed", ACCEPTED_SPELLINGS.values(), ids=ACCEPTED_SPELLINGS.keys())
def test_an_nhs_number_in_compatibility_digits_is_stored_as_ascii_digits(actor, sites, typed):
    patient = patient_create(details=details(sites[0], nhs_number=typed), actor=actor)
    assert Patient.objects.get(pk=patient.pk).nhs_number == NUMBER


@pytest.mark.parametrize("typed", REFUSED_SPELLINGS.values(), ids=REFUSED_SPELLINGS.keys())
def test_an_nhs_number_in_another_scripts_digits_is_refused_naming_the_field(actor, sites,
                                                                           typed):
    with pytest.raises(ValidationError) as raised:
        patient_create(details=details(sites[0], nhs_number=typed), actor=actor)
    assert raised.value.message_dict["nhs_number"] == [
        "NHS number must be written with the digits 0 to 9"]
    assert not Patient.objects.exists()


def test_an_nhs_number_of_all_zeros_is_refused(actor, sites):
    with pytest.raises(ValidationError) as raised:
        patient_create(details=details(sites[0], nhs_number="0000000000"), actor=actor)
    assert raised.value.message_dict["nhs_number"] == ["NHS number cannot be all zeros"]


@pytest.mark.parametrize("typed", [*ACCEPTED_SPELLINGS.values(), *REFUSED_SPELLINGS.values()],
                         ids=[*ACCEPTED_SPELLINGS, *REFUSED_SPELLINGS])
def test_no_spelling_of_a_registered_nhs_number_registers_the_patient_again(actor, sites,
                                                                            typed):
    patient_create(details=details(sites[0]), actor=actor)
    with pytest.raises(ValidationError) as raised:
        patient_create(details=details(sites[0], nhs_number=typed, given_name="Again"),
                       actor=actor)
    assert "nhs_number" in raised.value.message_dict
    assert Patient.objects.filter(nhs_number=NUMBER).count() == 1
    assert Patient.objects.count() == 1


def test_no_spelling_of_another_patients_nhs_number_can_be_given_by_an_edit(actor, sites):
    patient_create(details=details(sites[0]), actor=actor)
    other = PatientFactory()
    with pytest.raises(ValidationError) as raised:
        patient_update(patient=other, expected_version=1, actor=actor, details=details(
            sites[0], nhs_number=ACCEPTED_SPELLINGS["fullwidth"]))
    assert "already registered" in raised.value.message_dict["nhs_number"][0]


def test_two_registrations_of_one_nhs_number_at_once_end_with_a_message_not_an_error(
        actor, sites, monkeypatch):
    raced = racing_registration(monkeypatch)
    with pytest.raises(ValidationError) as raised:
        patient_create(details=details(sites[0]), actor=actor)
    assert raised.value.message_dict == {"nhs_number": [
        "A patient with this NHS number is already registered. Search for them instead of "
        "registering them again."]}
    assert list(Patient.objects.filter(nhs_number=NUMBER)) == raced
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


def test_an_edit_racing_a_registration_of_the_same_number_ends_with_a_message(actor, sites,
                                                                               monkeypatch):
    patient = PatientFactory()
    raced = racing_registration(monkeypatch)
    with pytest.raises(ValidationError) as raised:
        patient_update(patient=patient, expected_version=1, actor=actor,
                       details=details(sites[0]))
    assert "already registered" in raised.value.message_dict["nhs_number"][0]
    assert list(Patient.objects.filter(nhs_number=NUMBER)) == raced
    patient.refresh_from_db()
    assert patient.version == 1 and patient.nhs_number != NUMBER


@pytest.mark.parametrize(("born", "words"), [
    (datetime.date.today() + datetime.timedelta(days=1), "today or in the past"),
    (datetime.date(1899, 12, 31), "after 1 January 1900"),
])
def test_a_date_of_birth_in_the_future_or_before_1900_is_refused(actor, sites, born, words):
    with pytest.raises(ValidationError) as raised:
        patient_create(details=details(sites[0], date_of_birth=born), actor=actor)
    assert words in raised.value.message_dict["date_of_birth"][0]
