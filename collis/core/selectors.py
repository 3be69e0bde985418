"""Reads of the audit log."""

from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction, AuditEvent


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


def audit_log_page(*, username: str = "", action: str = "", on: date | None = None,
                   page_number=None, actor: Actor, per_page: int = 50) -> Page:
    """One page of the filtered audit log; reading the log is itself audited."""
    page = Paginator(audit_event_list(username=username, action=action, on=on),
                     per_page).get_page(page_number)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="audit_log",
                 summary="Viewed the audit log",
                 details={"filters": {"username": username, "action": action,
                                      "on": str(on or "")}})
    return page
