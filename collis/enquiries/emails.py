"""The words of the emails Collis sends to an enquirer. The acknowledgement never repeats
the question (an email can be read by others, and the form must not become a way to send
any text to any address)."""

from __future__ import annotations

from django.conf import settings

UNIT = "the dystonia unit"


def acknowledgement_subject(enquiry) -> str:
    return f"We have your enquiry (reference {enquiry.reference})"


def acknowledgement_body(enquiry) -> str:
    days = settings.COLLIS_ENQUIRY_REPLY_WORKING_DAYS
    return (
        f"Dear {enquiry.name},\n\n"
        f"Thank you for contacting {UNIT}. We have your enquiry and your reference is "
        f"{enquiry.reference}.\n\n"
        f"We aim to reply within {days} working days. Please quote your reference if you "
        "contact us again.\n\n"
        + _replies() +
        "If you did not send an enquiry, you can ignore this email.\n\n"
        "If you need medical help now, call NHS 111, or 999 in an emergency.\n")


def _replies() -> str:
    """Whether answering our email reaches the team (a reply-to mailbox is set) or not."""
    if settings.COLLIS_ENQUIRY_REPLY_TO:
        return "You can reply to this email to add to your enquiry. "
    return "Replies to this email are not read. "


def reply_subject(enquiry) -> str:
    return f"Your enquiry to {UNIT} (reference {enquiry.reference})"


def reply_body(enquiry, text: str, author) -> str:
    signature = author.display_name if author else "The team"
    title = (getattr(author, "job_title", "") or getattr(author, "role_label", "")) \
        if author else ""
    return (
        f"Dear {enquiry.name},\n\n{text.strip()}\n\n"
        f"{signature}\n" + (f"{title}\n" if title else "") + f"For {UNIT}\n\n"
        f"Your reference: {enquiry.reference}. Please quote it if you contact us again. "
        + _replies() + "\n")
