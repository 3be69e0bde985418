"""Clinical chronology, checked by services (pages and API alike): nothing clinical in the
future (appointments aside) or before the patient was born, and no effect before its cause.
Each refusal names the field and says why, as a ValidationError the form flow puts on it."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from collis.core.presenters import date_long


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def clinical_date_check(*, field: str, value, patient, label: str,
                        today: datetime.date | None = None) -> None:
    """Refuse a clinical date in the future or before the patient's date of birth."""
    if value is None:
        return
    day = _as_date(value)
    today = today or timezone.localdate()
    if day > today:
        raise ValidationError({field: f"{label} must be today or in the past"})
    if patient is not None and day < patient.date_of_birth:
        raise ValidationError({field: f"{label} cannot be before the patient's date of birth "
                                      f"({date_long(patient.date_of_birth)})"})


def not_before_check(*, field: str, value, earliest, label: str, cause: str) -> None:
    """Refuse an effect dated before its cause: `value` (the field's date) must be on or
    after `earliest` (the cause's date), e.g. counselling not before the referral."""
    if value is None or earliest is None:
        return
    if _as_date(value) < _as_date(earliest):
        raise ValidationError({field: f"{label} cannot be before {cause} "
                                      f"({date_long(_as_date(earliest))})"})
