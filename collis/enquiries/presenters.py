"""How enquiries read on the team's pages."""

from __future__ import annotations

from collis.core.presenters import datetime_long, format_nhs_number
from collis.enquiries.models import (
    STATUS_TAG_COLOUR,
    DeliveryState,
    Enquiry,
    EnquiryEmail,
    EnquiryEvent,
    EnquiryStatus,
    EventKind,
)


def status_tag(status: str) -> dict:
    """The NHS.UK tag of a status: its words and colour class."""
    return {"text": EnquiryStatus(status).label,
            "classes": f"nhsuk-tag--{STATUS_TAG_COLOUR[status]}"}


def event_words(event: EnquiryEvent) -> str:
    """What happened, in a sentence."""
    match event.kind:
        case EventKind.RECEIVED:
            return "Received from the contact form"
        case EventKind.STATUS:
            return f"Status changed to {EnquiryStatus(event.status).label.lower()}" + (
                f": {event.text}" if event.text else "")
        case EventKind.ASSIGNED:
            return (f"Assigned to {event.assigned_to.display_name}" if event.assigned_to
                    else "Assigned to nobody")
        case EventKind.NOTE:
            return f"Note: {event.text}"
        case EventKind.REPLY:
            return f"Reply written: {event.text}"
        case EventKind.PATIENT_LINKED:
            return f"Linked to the record of NHS number {format_nhs_number(event.text)}"
        case EventKind.BOOKING_REQUEST:
            return "Marked as a booking request"
    return EventKind(event.kind).label


def delivery_words(email: EnquiryEmail) -> str:
    """Where an email is: sent, waiting, trying again (and why), or given up."""
    match email.state:
        case DeliveryState.SENT:
            return f"Sent {datetime_long(email.sent_at)}"
        case DeliveryState.RETRYING:
            return (f"Not sent yet: try {email.attempts} failed ({email.last_error}). "
                    f"Trying again {datetime_long(email.next_attempt_at)}")
        case DeliveryState.FAILED:
            return (f"Could not be sent after {email.attempts} "
                    f"{'try' if email.attempts == 1 else 'tries'}: {email.last_error}")
    return "Waiting to be sent"


def contact_lines(enquiry: Enquiry) -> list[str]:
    lines = [f"Prefers {enquiry.get_contact_method_display().lower()}"]
    if enquiry.email:
        lines.append(enquiry.email)
    if enquiry.phone:
        lines.append(enquiry.phone)
    if enquiry.contact_time:
        lines.append(f"Good time to call: {enquiry.contact_time}")
    return lines


def summary_rows(enquiry: Enquiry) -> list[tuple[str, list[str]]]:
    """(label, lines) for the enquiry's summary list."""
    return [
        ("Received", [datetime_long(enquiry.submitted_at)]),
        ("From", [enquiry.name, enquiry.get_enquirer_type_display()]),
        ("About", [enquiry.get_topic_display()]),
        ("Preferred site", [enquiry.site.name if enquiry.site else "No preference"]),
        ("Contact", contact_lines(enquiry)),
        ("NHS number", [format_nhs_number(enquiry.nhs_number) or "Not given"]),
        ("Assigned to", [enquiry.assigned_to.display_name if enquiry.assigned_to
                         else "Nobody"]),
        ("Booking request", [
            f"Yes, marked by {enquiry.booking_requested_by.display_name} "
            f"{datetime_long(enquiry.booking_requested_at)}" if enquiry.is_booking_request
            else "No"]),
    ]
