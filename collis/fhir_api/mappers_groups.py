"""A staff-defined group as a FHIR Group: definitional (`actual` false: it states who
belongs, not a list of them, so it has no `member` entries, invariant grp-1), of persons,
with each criterion as a characteristic and the number of patients meeting them now as
`quantity`. Its patients are exported with `Group/{id}/$export`."""

from __future__ import annotations

from collis.domain.pathway import STATE_LABELS, State
from collis.fhir_api import codes
from collis.fhir_api.mappers import _drop_empty, _instant, reference


def _characteristic(system: str, code: str, display: str, value: dict,
                    since=None) -> dict:
    found = {"code": {"coding": [{"system": system, "code": code, "display": display}]},
             **value, "exclude": False}
    if since:
        found["period"] = {"start": since.isoformat()}
    return found


def characteristics(group) -> list[dict]:
    found = []
    if group.operated_since:
        found.append(_characteristic(
            codes.COLLIS_PROCEDURE_SYSTEM, "selective-denervation",
            codes.PROCEDURE_CODES["selective-denervation"], {"valueBoolean": True},
            group.operated_since))
    if group.toxin_since:
        value = ({"valueReference": reference("Location", group.toxin_site_id,
                                              group.toxin_site.name)}
                 if group.toxin_site_id else {"valueBoolean": True})
        found.append(_characteristic(
            codes.COLLIS_PROCEDURE_SYSTEM, "botulinum-toxin-injection",
            codes.PROCEDURE_CODES["botulinum-toxin-injection"], value, group.toxin_since))
    if group.pathway_state:
        state = State(group.pathway_state)
        found.append(_characteristic(
            codes.COLLIS_EPISODE_TYPE_SYSTEM, "selective-denervation-pathway",
            codes.EPISODE_TYPE_CODES["selective-denervation-pathway"],
            {"valueCodeableConcept": {"coding": [{
                "system": codes.COLLIS_PATHWAY_STATE_SYSTEM, "code": state.value,
                "display": STATE_LABELS[state]}]}}))
    return found


def group_resource(found) -> dict:
    """`found`: (the group, how many patients meet its criteria now)."""
    group, quantity = found
    return _drop_empty({
        "resourceType": "Group",
        "id": str(group.pk),
        "meta": {"lastUpdated": _instant(group.updated_at)},
        "active": True,
        "type": "person",
        "actual": False,
        "name": group.name,
        "text": ({"status": "generated",
                  "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{_escape(group.name)}: '
                         f"{_escape(group.description)}</div>"}
                 if group.description else None),
        "quantity": quantity,
        "managingEntity": reference("Organization", group.organisation_id),
        "characteristic": characteristics(group),
    })


def _escape(text: str) -> str:
    from html import escape

    return escape(text)
