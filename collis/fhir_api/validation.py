"""Checking what Collis emits with tools Collis did not write: every resource must parse
into the `fhir.resources` models (R4B, the R4-compatible release the library ships; ADR
0019), and keep the FHIR R4 invariants that the models do not check, evaluated by the
FHIRPath engine `fhirpathpy`; then Collis's UK Core rules (`conformance`).

Used by the tests over every demo patient and by `validation_problems` callers; not on the
request path (a response is built from mappers that the tests hold to these checks)."""

from __future__ import annotations

from dataclasses import dataclass

from fhir.resources.R4B import get_fhir_model_class
from fhirpathpy import compile as fhirpath_compile
from fhirpathpy.models import models as fhirpath_models
from pydantic import ValidationError

from collis.fhir_api.conformance import conformance_problems


@dataclass(frozen=True)
class Invariant:
    """An R4 constraint: its key, the resource it applies to ("*" for any), its FHIRPath
    expression as the specification gives it, and its human description."""

    key: str
    resource: str
    expression: str
    human: str


# From the FHIR R4 (4.0.1) specification's StructureDefinitions (Resource, DomainResource,
# Bundle, CapabilityStatement, Patient, Extension, ContactPoint, Period, Appointment,
# MedicationAdministration; app-4 written with AppointmentStatus's code 'noshow'). Expressions that
# need functions fhirpathpy lacks (hasValue, for ele-1) are checked by `conformance`.
INVARIANTS: tuple[Invariant, ...] = (
    Invariant("dom-2", "*", "contained.contained.empty()",
              "If the resource is contained in another resource, it SHALL NOT contain "
              "nested Resources"),
    Invariant("dom-3-meta", "*",
              "contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()",
              "If a resource is contained in another resource, it SHALL NOT have a "
              "meta.versionId or a meta.lastUpdated (dom-4)"),
    Invariant("dom-5", "*", "contained.meta.security.empty()",
              "If a resource is contained in another resource, it SHALL NOT have a "
              "security label"),
    Invariant("ext-1", "*",
              "descendants().ofType(Extension).all(extension.exists() != value.exists())",
              "Must have either extensions or value[x], not both"),
    Invariant("cpt-2", "*",
              "descendants().ofType(ContactPoint).all(value.empty() or system.exists())",
              "A system is required if a value is provided"),
    Invariant("per-1", "*",
              "descendants().ofType(Period).all(start.empty() or end.empty() or "
              "(start <= end))",
              "If present, start SHALL have a lower value than end"),
    Invariant("pat-1", "Patient",
              "contact.all(name.exists() or telecom.exists() or address.exists() or "
              "organization.exists())",
              "SHALL at least contain a contact's details or a reference to an organization"),
    Invariant("bdl-1", "Bundle", "total.empty() or (type = 'searchset') or (type = 'history')",
              "total only when a search or history"),
    Invariant("bdl-2", "Bundle", "entry.search.empty() or (type = 'searchset')",
              "entry.search only when a search"),
    Invariant("bdl-5", "Bundle", "entry.all(resource.exists() or request.exists() or "
              "response.exists())", "must be a resource unless there's a request or "
              "response"),
    Invariant("bdl-8", "Bundle", "entry.all(fullUrl.empty() or "
              "fullUrl.contains('/_history/').not())",
              "fullUrl cannot be a version specific reference"),
    Invariant("bdl-7", "Bundle",
              "(type = 'history') or entry.where(fullUrl.exists()).select(fullUrl)"
              ".isDistinct()",
              "FullUrl must be unique in a bundle"),
    Invariant("cpb-1", "CapabilityStatement",
              "rest.exists() or messaging.exists() or document.exists()",
              "A Capability Statement SHALL have at least one of REST, messaging or "
              "document element."),
    Invariant("cpb-2", "CapabilityStatement",
              "(description.count() + software.count() + implementation.count()) > 0",
              "A Capability Statement SHALL have at least one of description, software, "
              "or implementation element."),
    Invariant("cpb-14", "CapabilityStatement", "(kind != 'instance') or implementation.exists()",
              "If kind = instance, implementation must be present and software may be "
              "present"),
    Invariant("cpb-9", "CapabilityStatement",
              "rest.all(resource.select(type).isDistinct())",
              "A given resource can only be described once per RESTful mode."),
    Invariant("app-2", "Appointment", "start.exists() = end.exists()",
              "Either start and end are specified, or neither"),
    Invariant("app-3", "Appointment",
              "(start.exists() and end.exists()) or (status in ('proposed' | 'cancelled' | "
              "'waitlist'))",
              "Only proposed or cancelled appointments can be missing start/end dates"),
    Invariant("app-4", "Appointment",
              "cancelationReason.exists() implies (status='noshow' or status='cancelled')",
              "Cancelation reason is only used for appointments that have been cancelled, "
              "or no-show"),
    Invariant("mad-1", "MedicationAdministration",
              "dosage.all(dose.exists() or rate.exists())",
              "SHALL have at least one of dosage.dose or dosage.rate[x]"),
    Invariant("cpb-12", "CapabilityStatement",
              "rest.resource.all(searchParam.select(name).isDistinct())",
              "Search parameter names must be unique in the context of a resource."),
)

# Questionnaire and QuestionnaireResponse (FHIR R4 4.0.1). que-0 is a warning in the
# specification, kept here as a rule; que-5, que-6 and qrs-1 are constraints on each item,
# written over every item at any depth (repeat(item)).
INVARIANTS += (
    Invariant("que-0", "Questionnaire",
              "name.exists() implies name.matches('[A-Z]([A-Za-z0-9_]){0,254}')",
              "Name should be usable as an identifier for the module by machine processing "
              "applications such as code generation"),
    Invariant("que-2", "Questionnaire", "descendants().linkId.isDistinct()",
              "The link ids for groups and questions must be unique within the "
              "questionnaire"),
    Invariant("que-5", "Questionnaire",
              "repeat(item).all((type ='choice' or type = 'open-choice' or type = 'decimal' "
              "or type = 'integer' or type = 'date' or type = 'dateTime' or type = 'time' "
              "or type = 'string' or type = 'quantity') or (answerValueSet.empty() and "
              "answerOption.empty()))",
              "Only 'choice' and 'open-choice' items can have answerValueSet"),
    Invariant("que-6", "Questionnaire",
              "repeat(item).all(type!='display' or (required.empty() and repeats.empty()))",
              "Required and repeat aren't permitted for display items"),
    Invariant("qrs-1", "QuestionnaireResponse",
              "repeat(item|answer).all((answer.exists() and item.exists()).not())",
              "Nested item can't be beneath both item and answer"),
)

_COMPILED: dict[str, object] = {}


def _evaluate(invariant: Invariant, resource: dict) -> bool:
    path = _COMPILED.get(invariant.key)
    if path is None:
        path = _COMPILED[invariant.key] = fhirpath_compile(
            invariant.expression, fhirpath_models["r4"])
    result = path(resource)
    return result == [True]


def _path(location: tuple) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location)


def parse_problems(resource: dict) -> list[str]:
    """Why `fhir.resources` refuses the resource (its R4B model), if it does."""
    kind = resource.get("resourceType", "")
    try:
        model = get_fhir_model_class(kind)
    except (KeyError, ValueError):
        return [f"{kind}: not a FHIR resource type"]
    try:
        model.model_validate(resource)
    except ValidationError as error:
        return [f"{kind}{_path(problem['loc'])}: {problem['msg']}"
                for problem in error.errors()]
    return []


def invariant_problems(resource: dict) -> list[str]:
    """The R4 invariants the resource breaks (nested resources of a Bundle included)."""
    kind = resource.get("resourceType", "")
    problems = [f"{kind}: {inv.key} {inv.human}" for inv in INVARIANTS
                if inv.resource in ("*", kind) and not _evaluate(inv, resource)]
    for entry in resource.get("entry", []) if kind == "Bundle" else []:
        if "resource" in entry:
            problems.extend(invariant_problems(entry["resource"]))
    return problems


def validation_problems(resource: dict) -> list[str]:
    """Every problem the three layers find; empty when the resource passes them all."""
    problems = parse_problems(resource) + invariant_problems(resource)
    if resource.get("resourceType") == "Bundle":
        for entry in resource.get("entry", []):
            problems.extend(conformance_problems(entry.get("resource", {})))
    elif resource.get("resourceType") not in ("CapabilityStatement", "OperationOutcome"):
        problems.extend(conformance_problems(resource))
    return problems
