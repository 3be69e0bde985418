"""What every API module shares: the error body, the role check, the request's actor and the
scoped patient and episode reads. Endpoints read through these and never query patient data
themselves."""

from __future__ import annotations

from ninja import Schema
from ninja.errors import HttpError

from collis.core.audit import Actor
from collis.core.models import AuditChannel
from collis.core.roles import Capability, can, refusal_message


class ErrorOut(Schema):
    """Every error the API returns: one sentence a person can act on."""

    detail: str


def api_require(request, capability: Capability) -> None:
    """403 with the same words as the pages unless the token's user has the capability."""
    if not can(request.auth, capability):
        raise HttpError(403, refusal_message(capability))


def api_actor(request) -> Actor:
    return Actor.from_request(request, AuditChannel.API)


def api_patient(request, patient_id, capability: Capability):
    """The patient, after the role check, scoped to the token's user and audited."""
    from collis.patients.selectors import patient_get

    api_require(request, capability)
    return patient_get(patient_id=patient_id, actor=api_actor(request))
