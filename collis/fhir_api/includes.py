"""`_include` and `_revinclude` on FHIR searches: which references each resource type lets a
search bring along (one table, `INCLUDES`, from which the CapabilityStatement's
searchInclude and searchRevInclude are generated), and fetching them.

Included resources are fetched through the target type's own search (by `_id` for an
include, by the reference parameter for a revinclude), so they are scoped to who asks and
audited exactly as a search of that type would be: an included patient is recorded in their
access history. Each value costs a fixed number of queries whatever the page holds (one
batched search), never one per resource. A `_revinclude` brings at most
`COLLIS_FHIR_REVINCLUDE_MAX` resources per value and page (local policy); past that the
Bundle carries an OperationOutcome warning (search mode "outcome") saying so."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from collis.core.audit import Actor
from collis.fhir_api.outcomes import invalid
from collis.fhir_api.search import INCLUDE, REVINCLUDE, SearchRequest, Token


@dataclass(frozen=True)
class Include:
    """A reference search parameter of a source type that `_include` may follow: where the
    reference sits in the source resource (a path of element names) and the types it may
    point to. `revinclude`: the target types by whose ids the source type can be searched
    with this parameter, so that `Target?_revinclude=Source:param` works."""

    source: str
    param: str
    path: tuple[str, ...]
    targets: tuple[str, ...]
    revinclude: tuple[str, ...] = ()

    @property
    def value(self) -> str:
        return f"{self.source}:{self.param}"


def _patient(source: str, path: tuple[str, ...]) -> tuple[Include, ...]:
    """`Source:patient` (every such source searches by patient, so it is revincludable
    from Patient) and, where the patient is the subject, `Source:subject`."""
    found = [Include(source, "patient", path, ("Patient",), revinclude=("Patient",))]
    if path == ("subject",):
        found.append(Include(source, "subject", ("subject",), ("Patient",)))
    return tuple(found)


INCLUDES: tuple[Include, ...] = (
    Include("Patient", "organization", ("managingOrganization",), ("Organization",)),
    Include("Location", "organization", ("managingOrganization",), ("Organization",)),
    Include("PractitionerRole", "practitioner", ("practitioner",), ("Practitioner",)),
    Include("PractitionerRole", "organization", ("organization",), ("Organization",)),
    *_patient("Observation", ("subject",)),
    Include("Observation", "performer", ("performer",), ("Practitioner",)),
    *_patient("Condition", ("subject",)),
    *_patient("Procedure", ("subject",)),
    Include("Procedure", "location", ("location",), ("Location",)),
    *_patient("MedicationAdministration", ("subject",)),
    *_patient("EpisodeOfCare", ("patient",)),
    Include("EpisodeOfCare", "organization", ("managingOrganization",), ("Organization",)),
    *_patient("ServiceRequest", ("subject",)),
    Include("Appointment", "patient", ("participant", "actor"), ("Patient",),
            revinclude=("Patient",)),
    Include("Appointment", "actor", ("participant", "actor"),
            ("Patient", "Practitioner", "Location")),
    Include("Appointment", "practitioner", ("participant", "actor"), ("Practitioner",)),
    Include("Appointment", "location", ("participant", "actor"), ("Location",)),
    Include("Slot", "schedule", ("schedule",), ("Schedule",), revinclude=("Schedule",)),
    Include("Schedule", "actor", ("actor",), ("Practitioner", "Location"),
            revinclude=("Practitioner",)),
    *_patient("Consent", ("patient",)),
    *_patient("DocumentReference", ("subject",)),
    *_patient("QuestionnaireResponse", ("subject",)),
    Include("AuditEvent", "patient", ("entity", "what"), ("Patient",),
            revinclude=("Patient",)),
)

_BY_VALUE = {include.value: include for include in INCLUDES}


def search_includes(resource_type: str) -> list[str]:
    """The `_include` values a search of `resource_type` accepts."""
    return [i.value for i in INCLUDES if i.source == resource_type]


def search_revincludes(resource_type: str) -> list[str]:
    """The `_revinclude` values a search of `resource_type` accepts."""
    return [i.value for i in INCLUDES if resource_type in i.revinclude]


@dataclass(frozen=True)
class Wanted:
    """One resolved `_include` or `_revinclude` value: the include, and for an include the
    target types followed (all the parameter's, or the one named as Source:param:Type)."""

    include: Include
    targets: tuple[str, ...]
    reverse: bool

    @property
    def types_read(self) -> tuple[str, ...]:
        """The types whose resources this brings into the Bundle."""
        return (self.include.source,) if self.reverse else self.targets


def resolve(resource_type: str, search: SearchRequest) -> list[Wanted]:
    """The search's `_include` and `_revinclude` values checked against `INCLUDES`; a 400
    naming the parameter and the supported values for anything else."""
    wanted = []
    for text in search.include:
        source, _, rest = text.partition(":")
        param, _, target = rest.partition(":")
        include = _BY_VALUE.get(f"{source}:{param}")
        if include is None or source != resource_type or (target and target
                                                           not in include.targets):
            supported = ", ".join(search_includes(resource_type)) or "none"
            raise invalid(f"{INCLUDE}: '{text}' is not supported on a {resource_type} "
                          f"search; the supported values are: {supported}.", INCLUDE)
        wanted.append(Wanted(include, (target,) if target else include.targets, False))
    for text in search.revinclude:
        source, _, rest = text.partition(":")
        param, _, target = rest.partition(":")
        include = _BY_VALUE.get(f"{source}:{param}")
        if (include is None or resource_type not in include.revinclude
                or target not in ("", resource_type)):
            supported = ", ".join(search_revincludes(resource_type)) or "none"
            raise invalid(f"{REVINCLUDE}: '{text}' is not supported on a {resource_type} "
                          f"search; the supported values are: {supported}.", REVINCLUDE)
        wanted.append(Wanted(include, (resource_type,), True))
    return wanted


def _references(resource: dict, path: tuple[str, ...]) -> list[str]:
    """The reference strings at `path` in `resource` (lists walked through)."""
    nodes = [resource]
    for name in path:
        found = []
        for node in nodes:
            value = node.get(name) if isinstance(node, dict) else None
            found.extend(value if isinstance(value, list) else [value] if value else [])
        nodes = found
    return [node["reference"] for node in nodes
            if isinstance(node, dict) and isinstance(node.get("reference"), str)]


@dataclass
class Included:
    """What a search's includes add to its Bundle: the resources (search mode include) and
    any warnings (as OperationOutcome issues)."""

    resources: list[dict]
    warnings: list[str]


def fetch(wanted: list[Wanted], matches: list[dict], actor: Actor) -> Included:
    """The resources `wanted` brings for the page `matches`, each type fetched by its own
    search (scoped and audited), without duplicates of the matches or of each other."""
    from collis.fhir_api import registry

    seen = {(m["resourceType"], m["id"]) for m in matches}
    resources, warnings = [], []

    def add(found: list[dict]) -> None:
        for resource in found:
            key = (resource["resourceType"], resource["id"])
            if key not in seen:
                seen.add(key)
                resources.append(resource)

    if not matches:
        return Included(resources, warnings)
    for item in wanted:
        include = item.include
        if not item.reverse:
            ids: dict[str, list[str]] = {}
            for match in matches:
                for ref in _references(match, include.path):
                    ref_type, _, ref_id = ref.partition("/")
                    if ref_type in item.targets and ref_id not in ids.setdefault(ref_type, []):
                        ids[ref_type].append(ref_id)
            for ref_type, type_ids in ids.items():
                request = SearchRequest(criteria={"_id": [[Token(None, i) for i in type_ids]]},
                                        count=len(type_ids))
                found, _ = registry.BY_NAME[ref_type].search(request, actor)
                add(found)
        else:
            limit = settings.COLLIS_FHIR_REVINCLUDE_MAX
            request = SearchRequest(criteria={include.param: [[m["id"] for m in matches]]},
                                    count=limit)
            found, more = registry.BY_NAME[include.source].search(request, actor)
            add(found)
            if more:
                warnings.append(
                    f"{REVINCLUDE}={include.value}: only the first {limit} {include.source} "
                    "resources referring to this page's matches are included (local "
                    "limit); search them with "
                    f"{include.source}?{include.param}=<id> to have them all.")
    return Included(resources, warnings)
