"""Writes to the patient registry. Each is atomic, validated with full_clean and audited."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.patients.models import Patient, nhs_number_normalise
from collis.patients.selectors import DUPLICATE_NHS_NUMBER, nhs_number_taken
from collis.sites.models import Site

# Dates of birth before this are taken as typing errors (as the registration form says).
EARLIEST_DATE_OF_BIRTH = date(1900, 1, 1)


@dataclass(frozen=True, slots=True)
class PatientDetails:
    """Everything a member of staff enters about a patient."""

    nhs_number: str
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str
    address_line_1: str
    town: str
    postcode: str
    home_site: Site
    address_line_2: str = ""
    phone: str = ""
    email: str = ""
    gp_practice: str = ""
    gp_practice_email: str = ""
    referring_consultant: str = ""

    @classmethod
    def from_mapping(cls, data: dict) -> PatientDetails:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def as_fields(self) -> dict:
        """The details as the record stores them: the NHS number as 10 ASCII digits
        (`nhs_number_normalise`; the model's validator refuses anything else)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["nhs_number"] = nhs_number_normalise(self.nhs_number)
        return values


class PatientConflict(Exception):
    """The record changed after the editor opened it; their save was not applied."""

    def __init__(self, current: Patient):
        super().__init__("This patient's details were changed by someone else.")
        self.current = current


def _audit_value(value):
    if isinstance(value, Site):
        return value.name
    return str(value) if value is not None else ""


def _patient_check(patient: Patient) -> None:
    """Validate the record (ValidationError naming each field): the model's rules, a date
    of birth neither in the future nor before 1900, and an NHS number nobody else has."""
    errors: dict[str, list[str]] = {}
    try:
        patient.full_clean(validate_unique=False)
    except ValidationError as error:
        errors = error.message_dict
    born = patient.date_of_birth
    if born and "date_of_birth" not in errors:
        if born > timezone.localdate():
            errors["date_of_birth"] = ["Date of birth must be today or in the past"]
        elif born < EARLIEST_DATE_OF_BIRTH:
            errors["date_of_birth"] = ["Date of birth must be after 1 January 1900"]
    if "nhs_number" not in errors and nhs_number_taken(patient.nhs_number, patient=patient):
        errors["nhs_number"] = [DUPLICATE_NHS_NUMBER]
    if errors:
        raise ValidationError(errors)


def _saved_or_duplicate(patient: Patient, **save_kwargs) -> None:
    """Save; if someone saved the same NHS number between our check and our save, the
    unique index refuses it: say so on the NHS number instead of failing the page."""
    try:
        with transaction.atomic():
            patient.save(**save_kwargs)
    except IntegrityError:
        if nhs_number_taken(patient.nhs_number, patient=patient):
            raise ValidationError({"nhs_number": DUPLICATE_NHS_NUMBER}) from None
        raise


@transaction.atomic
def patient_create(*, details: PatientDetails, actor: Actor) -> Patient:
    """Register the patient in the actor's unit (staff can register only there: a home site
    of another unit is refused); from the command line, in the home site's unit. The NHS
    number is normalised, then must be valid and nobody else's (ValidationError on
    `nhs_number`, also when another registration of it wins a race with this one)."""
    unit_id = getattr(actor.user, "organisation_id", None) or details.home_site.organisation_id
    patient = Patient(**details.as_fields(), organisation_id=unit_id,
                      created_by=actor.user, updated_by=actor.user)
    _patient_check(patient)
    _saved_or_duplicate(patient, force_insert=True)
    audit_record(actor=actor, action=AuditAction.CREATE, object_type="patient",
                 object_id=patient.pk, patient_id=patient.pk,
                 summary=f"Registered patient {patient.nhs_number}")
    return patient


@transaction.atomic
def patient_update(*, patient: Patient, details: PatientDetails, expected_version: int,
                   actor: Actor) -> Patient:
    """Apply the editor's details if nobody else saved since they opened the form
    (`expected_version`); otherwise raise PatientConflict and change nothing."""
    current = Patient.objects.select_for_update().select_related("home_site").get(pk=patient.pk)
    if current.version != expected_version:
        raise PatientConflict(current)
    changes = {}
    for name, value in details.as_fields().items():
        before = getattr(current, name)
        if before != value:
            changes[name] = {"from": _audit_value(before), "to": _audit_value(value)}
            setattr(current, name, value)
    if not changes:
        return current
    current.updated_by = actor.user
    _patient_check(current)
    current.version = F("version") + 1
    current.updated_at = timezone.now()
    _saved_or_duplicate(current)
    current.refresh_from_db()
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="patient",
                 object_id=current.pk, patient_id=current.pk,
                 summary=f"Changed {', '.join(sorted(changes))}",
                 details={"changes": changes, "version": current.version})
    return current
