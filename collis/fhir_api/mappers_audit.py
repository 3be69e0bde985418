"""The audit log's entries as FHIR R4 AuditEvents in the shape of IHE's Basic Audit Log
Patterns (BALP): the standard event type (DICOM) and action, Collis's own action as the
subtype, the user as the requesting agent with their network address, Collis as the
observer, and the patient as an entity of type Person and role Patient. Maps; reads no
database. Every system and code comes from `codes_documents`."""

from __future__ import annotations

from collis.core.models import AuditAction
from collis.fhir_api import codes
from collis.fhir_api import codes_documents as doc_codes
from collis.fhir_api.mappers import _drop_empty, _instant, reference

# Collis's action -> (DICOM event type, AuditEventAction, DICOM subtype or None).
_BY_ACTION = {
    AuditAction.VIEW: ("110110", "R", None),
    AuditAction.SEARCH: ("110112", "E", None),
    AuditAction.CREATE: ("110110", "C", None),
    AuditAction.UPDATE: ("110110", "U", None),
    AuditAction.DELETE: ("110110", "D", None),
    AuditAction.DOWNLOAD: ("110106", "R", None),
    AuditAction.LOGIN: ("110114", "E", "110122"),
    AuditAction.LOGIN_FAILED: ("110114", "E", "110122"),
    AuditAction.LOGOUT: ("110114", "E", "110123"),
    AuditAction.TOKEN_CREATE: ("110113", "C", "110137"),
    AuditAction.TOKEN_REVOKE: ("110113", "U", "110137"),
}
# Entries about no patient that read or change the application's own records.
_APPLICATION_ACTIVITY = "110100"
FHIR_ACTIONS = {"C": (AuditAction.CREATE, AuditAction.TOKEN_CREATE),
                "R": (AuditAction.VIEW, AuditAction.DOWNLOAD),
                "U": (AuditAction.UPDATE, AuditAction.TOKEN_REVOKE),
                "D": (AuditAction.DELETE,),
                "E": (AuditAction.SEARCH, AuditAction.LOGIN, AuditAction.LOGIN_FAILED,
                      AuditAction.LOGOUT)}


def _dcm(code: str) -> dict:
    return {"system": doc_codes.DCM_SYSTEM, "code": code,
            "display": doc_codes.DCM_CODES[code]}


def _agent(event) -> dict:
    """The user who acted (requestor), as a Practitioner when they are one."""
    if event.actor_id and event.actor_role in codes.PRACTITIONER_ROLES:
        who = reference("Practitioner", event.actor_id, event.actor_username)
    else:
        who = {"display": event.actor_username or "Collis (command line or task)"}
    return _drop_empty({
        "who": who,
        "altId": event.actor_username,
        "requestor": True,
        "network": ({"address": event.ip_address, "type": "2"} if event.ip_address else {}),
    })


def _entities(event) -> list[dict]:
    entities = []
    if event.patient_id:
        entities.append({
            "what": reference("Patient", event.patient_id),
            "type": {"system": doc_codes.AUDIT_ENTITY_TYPE_SYSTEM, "code": "1",
                     "display": "Person"},
            "role": {"system": doc_codes.OBJECT_ROLE_SYSTEM, "code": "1",
                     "display": "Patient"},
        })
    if event.object_type or event.summary:
        entities.append(_drop_empty({
            "type": {"system": doc_codes.AUDIT_ENTITY_TYPE_SYSTEM, "code": "2",
                     "display": "System Object"},
            "name": " ".join(part for part in (event.object_type, event.object_id) if part),
            "description": event.summary,
        }))
    return entities


def audit_event_resource(event) -> dict:
    """An entry of the audit log (`core.AuditEvent`). An entry that showed several patients
    (a search page) names them in its description, as the log does; each such patient's
    access history lists it (search AuditEvent by patient)."""
    event_type, action, subtype = _BY_ACTION.get(event.action, (_APPLICATION_ACTIVITY, "E",
                                                                None))
    if event_type == "110110" and not event.patient_id:
        event_type = _APPLICATION_ACTIVITY
    subtypes = [_dcm(subtype)] if subtype else []
    subtypes.append({"system": doc_codes.COLLIS_AUDIT_ACTION_SYSTEM, "code": event.action,
                     "display": AuditAction(event.action).label
                     if event.action in AuditAction.values else event.action})
    return _drop_empty({
        "resourceType": "AuditEvent",
        "id": str(event.pk),
        "meta": {"lastUpdated": _instant(event.at)},
        "type": _dcm(event_type),
        "subtype": subtypes,
        "action": action,
        "recorded": _instant(event.at),
        "outcome": "4" if event.action == AuditAction.LOGIN_FAILED else "0",
        "agent": [_agent(event)],
        "source": {"site": event.channel, "observer": {"display": "Collis"},
                   "type": [{"system": doc_codes.SECURITY_SOURCE_TYPE_SYSTEM, "code": "4",
                             "display": "Application Server"}]},
        "entity": _entities(event),
    })
