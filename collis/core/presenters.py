"""Formatting helpers shared by every app's presenters and templates."""

from datetime import date, datetime

from django.utils import timezone


def date_long(value: date | None) -> str:
    """21 November 2026"""
    if not value:
        return ""
    return f"{value.day} {value:%B %Y}"


def datetime_long(value: datetime | None) -> str:
    """21 November 2026 at 2:05pm, in the unit's time zone."""
    if not value:
        return ""
    local = timezone.localtime(value)
    hour = local.hour % 12 or 12
    return f"{date_long(local.date())} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def format_nhs_number(value: str | None) -> str:
    """'4857773456' -> '485 777 3456', the way NHS numbers are written."""
    if not value:
        return ""
    digits = "".join(ch for ch in str(value) if ch.isdigit())
    if len(digits) != 10:
        return str(value)
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def age_on(born: date, today: date | None = None) -> int:
    today = today or timezone.localdate()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
