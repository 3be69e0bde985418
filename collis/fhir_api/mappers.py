"""Collis's stored records as FHIR R4 resources in the UK Core profiles' shape (STYLE.md
habit 9: the API maps; it does not decide). Each mapper takes model instances that the
selectors read (scoped and audited) and returns the resource as a JSON-ready dict; none
reads the database. Every system and code comes from `codes`."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from collis.fhir_api import codes


def _instant(moment: datetime | None) -> str | None:
    """A FHIR instant in UTC with seconds ("2026-03-02T10:15:00Z")."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _meta(resource_type: str, *, version: int | None = None,
          last_updated: datetime | None = None) -> dict:
    meta = {}
    if version is not None:
        meta["versionId"] = str(version)
    if last_updated is not None:
        meta["lastUpdated"] = _instant(last_updated)
    meta["profile"] = [codes.PROFILES[resource_type]]
    return meta


def reference(resource_type: str, pk, display: str = "") -> dict:
    ref = {"reference": f"{resource_type}/{pk}"}
    if display:
        ref["display"] = display
    return ref


def _drop_empty(resource: dict) -> dict:
    """FHIR forbids empty strings, lists and objects: leave such elements out."""
    return {key: value for key, value in resource.items() if value not in ("", [], {}, None)}


def nhs_number_identifier(nhs_number: str) -> dict:
    status = codes.COLLIS_NHS_NUMBER_STATUS
    return {
        "extension": [{
            "url": codes.NHS_NUMBER_VERIFICATION_EXTENSION,
            "valueCodeableConcept": {"coding": [{
                "system": codes.NHS_NUMBER_VERIFICATION_SYSTEM, "code": status.value,
                "display": codes.NHS_NUMBER_STATUS_DISPLAY[status]}]},
        }],
        "system": codes.NHS_NUMBER_SYSTEM,
        "value": nhs_number,
    }


def patient_resource(patient) -> dict:
    """UK Core Patient: the NHS number with its verification status, name, sex, date of
    birth, home address and contact details, the GP practice (by name: Collis keeps no ODS
    code for it) and the unit that keeps the record."""
    telecom = []
    if patient.phone:
        telecom.append({"system": "phone", "value": patient.phone, "use": "home"})
    if patient.email:
        telecom.append({"system": "email", "value": patient.email, "use": "home"})
    address = _drop_empty({
        "use": "home", "type": "physical",
        "line": [line for line in (patient.address_line_1, patient.address_line_2) if line],
        "city": patient.town, "postalCode": patient.postcode,
    })
    return _drop_empty({
        "resourceType": "Patient",
        "id": str(patient.pk),
        "meta": _meta("Patient", version=patient.version, last_updated=patient.updated_at),
        "identifier": [nhs_number_identifier(patient.nhs_number)],
        "name": [{"use": "official", "family": patient.family_name,
                  "given": [patient.given_name]}],
        "telecom": telecom,
        "gender": patient.sex,
        "birthDate": patient.date_of_birth.isoformat(),
        "address": [address],
        "generalPractitioner": ([{"display": patient.gp_practice}] if patient.gp_practice
                                else []),
        "managingOrganization": reference("Organization", patient.organisation_id),
    })


def organisation_resource(organisation) -> dict:
    """UK Core Organization: the unit, with its ODS code when the installation has set one
    (`Organisation.ods_code`, kept by administrators) and its code in Collis."""
    identifiers = []
    if organisation.ods_code:
        identifiers.append({"system": codes.ODS_ORGANISATION_SYSTEM,
                            "value": organisation.ods_code})
    identifiers.append({"system": codes.COLLIS_ORGANISATION_CODE_SYSTEM,
                        "value": organisation.code})
    return {
        "resourceType": "Organization",
        "id": str(organisation.pk),
        "meta": _meta("Organization"),
        "identifier": identifiers,
        "active": True,
        "name": organisation.name,
    }


def location_resource(site) -> dict:
    """UK Core Location: one of the unit's sites."""
    return _drop_empty({
        "resourceType": "Location",
        "id": str(site.pk),
        "meta": _meta("Location", last_updated=site.updated_at),
        "identifier": [{"system": codes.COLLIS_SITE_CODE_SYSTEM, "value": site.code}],
        "status": "active" if site.is_active else "inactive",
        "name": site.name,
        "mode": "instance",
        "telecom": [{"system": "phone", "value": site.phone, "use": "work"}] if site.phone
        else [],
        "address": _drop_empty({"use": "work", "type": "physical", "line": site.address_lines,
                                "postalCode": site.postcode}),
        "managingOrganization": reference("Organization", site.organisation_id),
    })


# Which professional register a registration number belongs to, by its form (UK Core
# identifier systems; formats from the NHS Data Dictionary, see `codes`).
_REGISTERS = (
    (re.compile(r"[0-9]{7}"), codes.GMC_NUMBER_SYSTEM),
    (re.compile(r"[0-9]{2}[A-Z][0-9]{4}[A-Z]"), codes.NMC_NUMBER_SYSTEM),
    (re.compile(r"[A-Z]{2}[0-9]{6}"), codes.HCPC_NUMBER_SYSTEM),
)


def registration_identifier(registration: str) -> dict | None:
    """The identifier of a GMC, NMC or HCPC number, or None for anything else."""
    value = registration.strip().upper()
    for pattern, system in _REGISTERS:
        if pattern.fullmatch(value):
            return {"system": system, "value": value}
    return None


def practitioner_resource(user) -> dict:
    """UK Core Practitioner: a clinician of the unit, with their professional registration
    (a GMC number for doctors)."""
    identifier = registration_identifier(user.professional_registration)
    return _drop_empty({
        "resourceType": "Practitioner",
        "id": str(user.pk),
        "meta": _meta("Practitioner"),
        "identifier": [identifier] if identifier else [],
        "active": user.is_active,
        "name": [_drop_empty({"use": "official", "family": user.last_name,
                              "given": [user.first_name] if user.first_name else [],
                              "text": user.display_name})],
    })


def practitioner_role_resource(user) -> dict:
    """UK Core PractitionerRole: the clinician's role in the unit (one per member of staff,
    sharing the Practitioner's id)."""
    return _drop_empty({
        "resourceType": "PractitionerRole",
        "id": str(user.pk),
        "meta": _meta("PractitionerRole"),
        "active": user.is_active,
        "practitioner": reference("Practitioner", user.pk, user.display_name),
        "organization": reference("Organization", user.organisation_id),
        "code": [{"coding": [{"system": codes.COLLIS_STAFF_ROLE_SYSTEM, "code": user.role,
                              "display": user.role_label}]}],
    })


_OBSERVATION_STATUS = {  # Collis's record status (ADR 0009) -> ObservationStatus
    "current": "final",
    "entered_in_error": "entered-in-error",
}


def _score(code: str, value) -> dict:
    return {"code": {"coding": [{"system": codes.COLLIS_RATING_SCALE_SYSTEM, "code": code,
                                 "display": codes.RATING_SCALE_CODES[code]}]},
            "valueQuantity": {"value": value, "unit": "score"}}


def observation_id(assessment) -> str:
    return f"scale-{assessment.pk}"


def observation_resource(assessment) -> dict:
    """UK Core Observation: a TWSTRS (total, with its severity, disability and pain
    subscores as components) or Tsui assessment, as the domain scored it. An amendment is
    "amended" (it replaced an earlier entry); an entry marked in error says so."""
    scale = assessment.scale
    total = _score(f"{scale}-total", assessment.total)
    status = _OBSERVATION_STATUS[assessment.record_status]
    if status == "final" and assessment.supersedes_id:
        status = "amended"
    components = []
    if scale == "twstrs":
        components = [{**_score(f"twstrs-{part}", getattr(assessment, part))}
                      for part in ("severity", "disability", "pain")
                      if getattr(assessment, part) is not None]
    author = assessment.created_by  # required on every clinical record
    return _drop_empty({
        "resourceType": "Observation",
        "id": observation_id(assessment),
        "meta": _meta("Observation", last_updated=assessment.status_changed_at
                      or assessment.created_at),
        "status": status,
        "category": [{"coding": [{"system": codes.OBSERVATION_CATEGORY_SYSTEM,
                                  "code": "survey", "display": "Survey"}]}],
        "code": {**total["code"], "text": assessment.get_scale_display()},
        "subject": reference("Patient", assessment.patient_id),
        "effectiveDateTime": assessment.assessed_on.isoformat(),
        "issued": _instant(assessment.created_at),
        "performer": [reference("Practitioner", author.pk, author.display_name)
                      if author.role in codes.PRACTITIONER_ROLES
                      else {"display": author.display_name}],
        "valueQuantity": total["valueQuantity"] if assessment.total is not None else {},
        "dataAbsentReason": ({"text": "No total was entered"} if assessment.total is None
                             else {}),
        "note": [{"text": assessment.notes}] if assessment.notes else [],
        "component": components,
    })


def patient_reported_observation_id(response) -> str:
    return f"patient-reported-{response.pk}"


def patient_reported_observation_resource(response) -> dict:
    """UK Core Observation: the TWSTRS disability and pain sections a patient reported in the
    portal (a questionnaire they sent, `questionnaires.QuestionnaireResponse`), as the domain
    scored them, with the patient as performer, derived from the QuestionnaireResponse of
    the answers (which the API serves). Only the patient's own copy of their data holds the
    Observation; the API does not serve it (ADR 0019's list of what is to do)."""
    components = [_score(f"twstrs-{part}", getattr(response, part))
                  for part in ("disability", "pain") if getattr(response, part) is not None]
    return _drop_empty({
        "resourceType": "Observation",
        "id": patient_reported_observation_id(response),
        "meta": _meta("Observation", last_updated=response.submitted_at),
        "status": "final",
        "category": [{"coding": [{"system": codes.OBSERVATION_CATEGORY_SYSTEM,
                                  "code": "survey", "display": "Survey"}]}],
        "code": {"text": "TWSTRS disability and pain sections, reported by the patient"},
        "subject": reference("Patient", response.patient_id),
        "effectiveDateTime": _instant(response.submitted_at),
        "issued": _instant(response.submitted_at),
        "performer": [reference("Patient", response.patient_id)],
        "derivedFrom": [reference("QuestionnaireResponse", response.pk)],
        "component": components,
    })


def collection_bundle(*, served: Sequence[dict], not_served: Sequence[dict] = (),
                      base_url: str, timestamp: datetime) -> dict:
    """Resources kept together (a Bundle of type collection), such as a patient's copy of
    their data. A resource the API serves has its URL on this server (`base_url`, ending in
    "/fhir/R4/") as its fullUrl, so that the references between them resolve within the
    bundle; one it does not serve has an urn:uuid made from its id, the same in every copy."""
    def url(resource: dict) -> str:
        return f"{base_url}{resource['resourceType']}/{resource['id']}"

    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": _instant(timestamp),
        "entry": ([{"fullUrl": url(r), "resource": r} for r in served]
                  + [{"fullUrl": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url(r))}",
                      "resource": r} for r in not_served]),
    }


def code_system_resource(system_id: str, content: dict) -> dict:
    """One of Collis's own code systems as a CodeSystem resource (complete content)."""
    definition = content.get("definition")
    return {
        "resourceType": "CodeSystem",
        "id": system_id,
        "url": content["url"],
        "name": "".join(word.capitalize() for word in system_id.split("-")),
        "title": content["title"],
        "status": "active",
        "experimental": False,
        "publisher": "Collis",
        "caseSensitive": True,
        "content": "complete",
        "count": len(content["concepts"]),
        "concept": [{"code": code, "display": display,
                     **({"definition": f"{display}. {definition}"} if definition else {})}
                    for code, display in content["concepts"].items()],
    }


def _classification(code: str) -> dict:
    return {"coding": [{"system": codes.COLLIS_CLASSIFICATION_SYSTEM, "code": code,
                        "display": codes.classification_codes()[code]}]}


def condition_id(patient_id) -> str:
    return f"dystonia-{patient_id}"


def condition_resource(version) -> dict:
    """UK Core Condition: the patient's dystonia as its current diagnosis version states
    it (one Condition per patient; each new version is a new versionId), with the
    classification's axes as categories and the regions as body sites."""
    categories = [_classification(f"{axis}.{getattr(version, axis)}")
                  for axis in codes.CLASSIFICATION_AXES if getattr(version, axis)]
    author = version.created_by
    onset = {}
    if version.onset_age is not None:
        onset["onsetAge"] = {"value": version.onset_age, "unit": "years",
                             "system": codes.UCUM, "code": "a"}
    elif version.age_at_onset:
        onset["onsetString"] = version.get_age_at_onset_display()
    return _drop_empty({
        "resourceType": "Condition",
        "id": condition_id(version.patient_id),
        "meta": _meta("Condition", version=version.version,
                      last_updated=version.created_at),
        "category": categories,
        "code": {"coding": [{"system": codes.COLLIS_CONDITION_SYSTEM, "code": "dystonia",
                             "display": codes.CONDITION_CODES["dystonia"]}],
                 "text": "Dystonia"},
        "bodySite": [_classification(f"region.{region}") for region in version.regions],
        "subject": reference("Patient", version.patient_id),
        **onset,
        "recordedDate": _instant(version.created_at),
        "recorder": (reference("Practitioner", author.pk, author.display_name)
                     if author.role in codes.PRACTITIONER_ROLES
                     else {"display": author.display_name}),
        "note": [{"text": version.notes}] if version.notes else [],
    })
