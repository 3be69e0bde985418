"""The research extract's FHIR form: NDJSON, one resource a line, of the extract's patients
(the Patient, their dystonia Condition and their rating-scale Observations as
`collis.fhir_api.mappers` makes them), de-identified the same way as the CSV.

Each resource is rebuilt from a list of the elements it may keep (never by deleting the
ones known to identify, so that an element a mapper gains later stays out until it is
added here): the Patient has its pseudonym as id, and its gender and year of birth only
where the CSV kept them unchanged for every row of the patient; references point to the
pseudonym; the one date kept (an Observation's effective date) moves by the patient's own
shift; identifiers, names, addresses, contact details, practitioners, organisations,
notes, `meta` (its instants and versions) and record instants are left out."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from collis.core.audit import Actor
from collis.core.models import RecordStatus
from collis.domain.deidentify import AGE_TOP, shift
from collis.fhir_api import mappers
from collis.fhir_api.selectors import _current_diagnoses, _scale_assessments

OBSERVATION_KEEPS = ("status", "category", "code", "valueQuantity", "dataAbsentReason",
                     "component")
CONDITION_KEEPS = ("category", "code", "bodySite", "onsetString")


def patient_resource(pseudonym: str, *, gender: str | None, birth_year: str | None) -> dict:
    resource = {"resourceType": "Patient", "id": pseudonym}
    if gender:
        resource["gender"] = gender
    if birth_year:
        resource["birthDate"] = birth_year
    return resource


def observation_resource(mapped: dict, *, pseudonym: str, days: int, ordinal: int) -> dict:
    """A rating-scale Observation with its effective date shifted by the patient's days."""
    resource = {"resourceType": "Observation", "id": f"{pseudonym}-scale-{ordinal}"}
    resource.update({k: mapped[k] for k in OBSERVATION_KEEPS if k in mapped})
    resource["subject"] = {"reference": f"Patient/{pseudonym}"}
    effective = datetime.date.fromisoformat(mapped["effectiveDateTime"][:10])
    resource["effectiveDateTime"] = shift(effective, days).isoformat()
    return resource


def condition_resource(mapped: dict, *, pseudonym: str) -> dict:
    """The dystonia Condition: its classification and regions; the age at onset only up to
    89 (above it, as for ages, it is left out)."""
    resource = {"resourceType": "Condition", "id": f"{pseudonym}-dystonia"}
    resource.update({k: mapped[k] for k in CONDITION_KEEPS if k in mapped})
    onset = mapped.get("onsetAge")
    if onset and onset.get("value") is not None and onset["value"] <= AGE_TOP:
        resource["onsetAge"] = onset
    resource["subject"] = {"reference": f"Patient/{pseudonym}"}
    return resource


def resources_of(*, actor: Actor, patients: dict) -> Iterator[dict]:
    """The resources of a chunk of patients: `patients` maps each patient's id to
    (pseudonym, date shift in days, gender or None, year of birth or None). Two queries,
    scoped to the actor (`collis.fhir_api.selectors`), whatever the chunk's size; only
    current records (an entry marked in error is left out, as in the CSV)."""
    ids = list(patients)
    conditions = {c.patient_id: c for c in _current_diagnoses(actor).filter(
        patient_id__in=ids)}
    observations: dict = {}
    for assessment in (_scale_assessments(actor).filter(
            patient_id__in=ids, record_status=RecordStatus.CURRENT)
            .order_by("assessed_on", "pk")):
        observations.setdefault(assessment.patient_id, []).append(assessment)
    for patient_id, (pseudonym, days, gender, birth_year) in patients.items():
        yield patient_resource(pseudonym, gender=gender, birth_year=birth_year)
        if patient_id in conditions:
            yield condition_resource(mappers.condition_resource(conditions[patient_id]),
                                     pseudonym=pseudonym)
        for ordinal, assessment in enumerate(observations.get(patient_id, []), start=1):
            yield observation_resource(mappers.observation_resource(assessment),
                                       pseudonym=pseudonym, days=days, ordinal=ordinal)
