"""Enquiries made the way the public form makes them (through the service)."""

from __future__ import annotations

from collis.core.audit import Actor
from collis.core.models import AuditChannel
from collis.enquiries.models import ContactMethod, EnquirerType, Enquiry, Topic
from collis.enquiries.services import enquiry_submit
from collis.sites.models import Site

PUBLIC = Actor(user=None, channel=AuditChannel.WEB, ip_address="192.0.2.10")


def enquiry_data(**overrides) -> dict:
    """What the form's cleaned data holds for a typical enquiry."""
    data = {"name": "Ada Quill", "enquirer_type": EnquirerType.PATIENT,
            "topic": Topic.APPOINTMENT,
            "question": "Can I have an appointment at The Portland Hospital?",
            "site": Site.objects.filter(code="portland-hospital").first(),
            "contact_method": ContactMethod.EMAIL, "email": "ada.quill@example.com",
            "phone": "", "contact_time": "", "nhs_number": ""}
    data.update(overrides)
    return data


def an_enquiry(*, client_address: str | None = None, **overrides) -> Enquiry:
    """An enquiry sent through the public form's service (each from its own address
    unless told, so that the rate limit never counts them together)."""
    an_enquiry.sent = getattr(an_enquiry, "sent", 0) + 1
    address = client_address or f"198.51.100.{an_enquiry.sent % 250}"
    data = enquiry_data(**overrides)
    if "email" not in overrides:
        data["email"] = f"enquirer{an_enquiry.sent}@example.com"
    return enquiry_submit(data=data, client_address=address, actor=PUBLIC)
