"""Writing the audit log. Services call `audit_record` explicitly for every read and write
of patient data; there are no signals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone

from collis.core.models import AuditAction, AuditChannel, AuditEvent, User


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting, through which channel and from where: what every audit entry needs."""

    user: User | None
    channel: AuditChannel
    ip_address: str | None = None
    user_agent: str = ""
    path: str = ""
    # The patients whose identity this actor's request has already been audited as showing,
    # so that a page that reads the patient twice writes one entry (`audit_patient_shown`).
    shown: set = field(default_factory=set, compare=False, repr=False)

    @classmethod
    def from_request(cls, request, channel: AuditChannel = AuditChannel.WEB) -> Actor:
        """The request's actor: made once per request, so every selector a view calls
        shares it."""
        user = request.user if request.user.is_authenticated else None
        actor = getattr(request, "_collis_actor", None)
        if actor is None or actor.channel != channel or actor.user != user:
            actor = cls(
                user=user,
                channel=channel,
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
                path=request.get_full_path()[:300],
            )
            request._collis_actor = actor
        return actor

    @classmethod
    def command_line(cls, user: User | None = None) -> Actor:
        return cls(user=user, channel=AuditChannel.CLI)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the address a trusted proxy reports."""
    proxies = getattr(settings, "COLLIS_TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor: Actor,
    action: AuditAction,
    object_type: str = "",
    object_id: Any = "",
    patient_id=None,
    summary: str = "",
    details: dict | None = None,
) -> AuditEvent:
    user = actor.user
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=user,
        actor_username=user.username if user else "",
        actor_role=getattr(user, "role", "") if user else "",
        action=action,
        channel=actor.channel,
        object_type=object_type,
        object_id=str(object_id) if object_id not in (None, "") else "",
        patient_id=patient_id,
        summary=summary[:300],
        details=details or {},
        ip_address=actor.ip_address,
        user_agent=actor.user_agent,
        path=actor.path,
    )


def audit_patient_shown(*, actor: Actor, patient, summary: str = "",
                        details: dict | None = None) -> AuditEvent | None:
    """Record that a page or API response showed this patient's identity: once per request
    (the actor), however many selectors read the patient to build it."""
    if patient.pk in actor.shown:
        return None
    actor.shown.add(patient.pk)
    return audit_record(actor=actor, action=AuditAction.VIEW, object_type="patient",
                        object_id=patient.pk, patient_id=patient.pk,
                        summary=summary or f"Viewed the record of {patient.nhs_number}",
                        details=details)


def audit_record_many(*, actor: Actor, action: AuditAction, object_type: str,
                      patients: list[tuple[Any, str]], summary: str, details: dict | None = None
                      ) -> None:
    """One entry per patient (id, label) in a single INSERT: searches that return patients."""
    now = timezone.now()
    user = actor.user
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                at=now,
                actor=user,
                actor_username=user.username if user else "",
                actor_role=getattr(user, "role", "") if user else "",
                action=action,
                channel=actor.channel,
                object_type=object_type,
                object_id=str(patient_id),
                patient_id=patient_id,
                summary=f"{summary} ({label})"[:300],
                details=details or {},
                ip_address=actor.ip_address,
                user_agent=actor.user_agent,
                path=actor.path,
            )
            for patient_id, label in patients
        ]
    )
