"""Reads of the audit log."""

from datetime import date

from django.db.models import QuerySet

from collis.core.models import AuditEvent


def audit_event_list(*, patient_id=None, username: str = "", action: str = "",
                     on: date | None = None) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if patient_id:
        events = events.filter(patient_id=patient_id)
    if username:
        events = events.filter(actor_username=username)
    if action:
        events = events.filter(action=action)
    if on:
        events = events.filter(at__date=on)
    return events.order_by("-at", "-id")
