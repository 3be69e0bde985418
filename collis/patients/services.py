"""Writes to the patient registry. Each is atomic, validated with full_clean and audited."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.patients.models import Patient
from collis.sites.models import Site


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
    referring_consultant: str = ""

    @classmethod
    def from_mapping(cls, data: dict) -> PatientDetails:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


class PatientConflict(Exception):
    """The record changed after the editor opened it; their save was not applied."""

    def __init__(self, current: Patient):
        super().__init__("This patient's details were changed by someone else.")
        self.current = current


def _audit_value(value):
    if isinstance(value, Site):
        return value.name
    return str(value) if value is not None else ""


@transaction.atomic
def patient_create(*, details: PatientDetails, actor: Actor) -> Patient:
    """Register the patient in the actor's unit (staff can register only there: a home site
    of another unit is refused); from the command line, in the home site's unit."""
    unit_id = getattr(actor.user, "organisation_id", None) or details.home_site.organisation_id
    patient = Patient(**asdict(details) | {"home_site": details.home_site},
                      organisation_id=unit_id,
                      created_by=actor.user, updated_by=actor.user)
    patient.full_clean()
    patient.save(force_insert=True)
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
    for name, value in asdict(details).items():
        value = details.home_site if name == "home_site" else value
        before = getattr(current, name)
        if before != value:
            changes[name] = {"from": _audit_value(before), "to": _audit_value(value)}
            setattr(current, name, value)
    if not changes:
        return current
    current.updated_by = actor.user
    current.full_clean()
    current.version = F("version") + 1
    current.updated_at = timezone.now()
    current.save()
    current.refresh_from_db()
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="patient",
                 object_id=current.pk, patient_id=current.pk,
                 summary=f"Changed {', '.join(sorted(changes))}",
                 details={"changes": changes, "version": current.version})
    return current
