"""Collis's own checks of what it emits against the UK Core rules that neither
`fhir.resources` nor the R4 invariants cover: the identifier systems and their value
formats, the NHS number's check digit, the verification status code from its value set,
the elements the profiles require, references that point at a resource, and no empty
values anywhere (FHIR's ele-1). Each problem names the element, as a FHIRPath-like path."""

from __future__ import annotations

import re

import nhs_number

from collis.fhir_api import codes

FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
REFERENCE = re.compile(r"[A-Z][A-Za-z]+/[A-Za-z0-9\-.]{1,64}")
# A reference to a resource contained in the one that refers to it ("#product").
LOCAL_REFERENCE = re.compile(r"#[A-Za-z0-9\-.]{1,64}")
# Value formats of the identifier systems Collis writes (see `codes`).
IDENTIFIER_FORMATS = {
    codes.NHS_NUMBER_SYSTEM: re.compile(r"[0-9]{10}"),
    codes.GMC_NUMBER_SYSTEM: re.compile(r"[0-9]{7}"),
    codes.NMC_NUMBER_SYSTEM: re.compile(r"[0-9]{2}[A-Z][0-9]{4}[A-Z]"),
    codes.HCPC_NUMBER_SYSTEM: re.compile(r"[A-Z]{2}[0-9]{6}"),
    codes.ODS_ORGANISATION_SYSTEM: re.compile(r"[A-Z0-9]{3,10}"),
    codes.ODS_SITE_SYSTEM: re.compile(r"[A-Z0-9]{3,10}"),
    codes.COLLIS_SITE_CODE_SYSTEM: re.compile(r"[-a-zA-Z0-9_]{1,40}"),
    codes.COLLIS_ORGANISATION_CODE_SYSTEM: re.compile(r"[-a-zA-Z0-9_]{1,40}"),
}


def _empty_values(value, path: str):
    if value in ("", [], {}, None):
        yield f"{path}: empty (FHIR forbids empty elements, ele-1)"
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _empty_values(child, f"{path}.{key}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _empty_values(child, f"{path}[{index}]")


def _references(value, path: str, contained: frozenset = frozenset()):
    if isinstance(value, dict):
        for key, child in value.items():
            if key == "reference" and isinstance(child, str) and LOCAL_REFERENCE.fullmatch(
                    child):
                if child[1:] not in contained:
                    yield f"{path}.reference: '{child}' names no contained resource"
            elif key == "reference" and isinstance(child, str) and not REFERENCE.fullmatch(
                    child):
                yield f"{path}.reference: '{child}' is not Type/id"
            else:
                yield from _references(child, f"{path}.{key}", contained)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _references(child, f"{path}[{index}]", contained)


def _contained(resource: dict):
    """Each contained resource must be referred to from the resource (FHIR's dom-3)."""
    text = repr({key: value for key, value in resource.items() if key != "contained"})
    for index, inner in enumerate(resource.get("contained", [])):
        if f"'#{inner.get('id')}'" not in text:
            yield (f"{resource.get('resourceType')}.contained[{index}]: not referred to from "
                   "the resource (dom-3)")


def _identifiers(resource: dict, kind: str):
    for index, identifier in enumerate(resource.get("identifier", [])):
        path = f"{kind}.identifier[{index}]"
        system, value = identifier.get("system"), identifier.get("value")
        if not system or not value:
            yield f"{path}: needs both system and value"
            continue
        pattern = IDENTIFIER_FORMATS.get(system)
        if pattern is None:
            yield f"{path}.system: '{system}' is not an identifier system Collis writes"
        elif not pattern.fullmatch(value):
            yield f"{path}.value: '{value}' is not in the form {system} takes"


def _patient(resource: dict):
    nhs = [i for i in resource.get("identifier", []) if i.get("system") == codes.NHS_NUMBER_SYSTEM]
    if len(nhs) != 1:
        yield f"Patient.identifier: needs exactly one NHS number, has {len(nhs)}"
    for identifier in nhs:
        value = identifier.get("value", "")
        if re.fullmatch(r"[0-9]{10}", value) and not nhs_number.is_valid(value):
            yield f"Patient.identifier.value: {value} fails the NHS number check digit"
        statuses = [e for e in identifier.get("extension", [])
                    if e.get("url") == codes.NHS_NUMBER_VERIFICATION_EXTENSION]
        if len(statuses) != 1:
            yield "Patient.identifier: needs one NHS number verification status extension"
            continue
        codings = statuses[0].get("valueCodeableConcept", {}).get("coding", [])
        valid = [c for c in codings if c.get("system") == codes.NHS_NUMBER_VERIFICATION_SYSTEM]
        if len(valid) != 1:
            yield ("Patient.identifier.extension.valueCodeableConcept: needs one coding "
                   f"from {codes.NHS_NUMBER_VERIFICATION_SYSTEM}")
            continue
        code = valid[0].get("code")
        if code not in set(codes.NhsNumberStatus):
            yield f"Patient.identifier.extension: '{code}' is not an NHS number status code"
        elif (valid[0].get("display")
              != codes.NHS_NUMBER_STATUS_DISPLAY[codes.NhsNumberStatus(code)]):
            yield f"Patient.identifier.extension: the display of {code} is not the value set's"
    if resource.get("gender") not in codes.ADMINISTRATIVE_GENDER:
        yield f"Patient.gender: '{resource.get('gender')}' is not an AdministrativeGender code"
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", resource.get("birthDate", "")):
        yield "Patient.birthDate: needs a full date"
    if not any(name.get("family") for name in resource.get("name", [])):
        yield "Patient.name: needs a family name"
    if not resource.get("managingOrganization", {}).get("reference", "").startswith(
            "Organization/"):
        yield "Patient.managingOrganization: needs the Organization keeping the record"


def _organisation(resource: dict):
    if not resource.get("name"):
        yield "Organization.name: required"


def _location(resource: dict):
    if not resource.get("name"):
        yield "Location.name: required"
    if resource.get("status") not in ("active", "suspended", "inactive"):
        yield f"Location.status: '{resource.get('status')}' is not a LocationStatus code"


def _practitioner_role(resource: dict):
    if not resource.get("practitioner", {}).get("reference", "").startswith("Practitioner/"):
        yield "PractitionerRole.practitioner: needs the Practitioner"


_RULES = {"Patient": _patient, "Organization": _organisation, "Location": _location,
          "PractitionerRole": _practitioner_role}


def conformance_problems(resource: dict) -> list[str]:
    """Every way the resource breaks Collis's UK Core rules; empty when it keeps them."""
    kind = resource.get("resourceType", "")
    problems = []
    if not FHIR_ID.fullmatch(str(resource.get("id", ""))):
        problems.append(f"{kind}.id: '{resource.get('id')}' is not a FHIR id")
    profile = codes.PROFILES.get(kind)
    if profile and profile not in resource.get("meta", {}).get("profile", []):
        problems.append(f"{kind}.meta.profile: should claim {profile}")
    problems.extend(_empty_values(resource, kind))
    problems.extend(_references(
        resource, kind, frozenset(inner.get("id") for inner in resource.get("contained", []))))
    problems.extend(_contained(resource))
    problems.extend(_identifiers(resource, kind))
    if rule := _RULES.get(kind):
        problems.extend(rule(resource))
    return problems
