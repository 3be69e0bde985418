"""The clinical lead's form: every local-policy value (pre-filled with the latest version's),
the values to sign off as they stand, the reason and the date it takes effect from."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from collis.core.nhsuk_forms import (
    CheckboxesField,
    DateField,
    DecimalField,
    IntegerField,
    RadiosField,
    SelectField,
    TextareaField,
    TextField,
)
from collis.domain.findings import POLICY_EFFECTS
from collis.domain.policy import (
    DEFAULT_LOCAL_POLICY,
    POLICY_SETTINGS,
    PolicySetting,
    local_policy_flatten,
)


def field_name(key: str) -> str:
    """'bont_response_thresholds.min_cycles' -> 'bont_response_thresholds__min_cycles'."""
    return key.replace(".", "__")


def _n(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class MonthsField(TextField):
    """Whole months, rising, typed as "3, 6, 12"."""

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
        if not parts or not all(p.isascii() and p.isdigit() for p in parts):
            raise ValidationError(f"{self.name_in_errors} must be whole numbers of months "
                                  f"separated by commas, such as 3, 6, 12")
        months = [int(p) for p in parts]
        if months != sorted(set(months)) or not 1 <= months[0] <= months[-1] <= 120:
            raise ValidationError(f"{self.name_in_errors} must rise, each from 1 to 120 "
                                  f"months, none repeated")
        return months


def _field(setting: PolicySetting, initial: Any) -> forms.Field:
    label = setting.label + (f" ({setting.unit})" if setting.unit and setting.kind in
                             ("integer", "number") else "")
    common = {"label": label, "error_name": setting.label, "required": True,
              "hint": setting.description}
    if setting.kind in ("integer", "number"):
        cls = IntegerField if setting.kind == "integer" else DecimalField
        unit = f"of {setting.unit}" if setting.unit and setting.unit != "%" else ""
        return cls(min_value=setting.low, max_value=setting.high,
                   exclusive_min=setting.exclusive_low, initial=_n(initial), width=5,
                   unit=unit, allow_suffix="%" if setting.unit == "%" else "", **common)
    if setting.kind == "effect":
        return SelectField(choices=[(str(e), str(e).capitalize()) for e in POLICY_EFFECTS],
                           initial=initial, **common)
    if setting.kind == "boolean":
        return RadiosField(choices=[("yes", "Yes"), ("no", "No")], inline=True,
                           initial="yes" if initial else "no", **common)
    common["hint"] = ("Whole months, separated by commas; reviews then fall yearly. "
                      + setting.description)
    return MonthsField(initial=", ".join(str(m) for m in initial), width=10, **common)


class PolicyChangeForm(forms.Form):
    def __init__(self, *args, current: dict[str, Any] | None = None, **kwargs):
        """`current`: the latest version's values, which the fields start from (the
        defaults when not given)."""
        super().__init__(*args, **kwargs)
        current = current or local_policy_flatten(DEFAULT_LOCAL_POLICY)
        for setting in POLICY_SETTINGS:
            self.fields[field_name(setting.key)] = _field(setting, current[setting.key])
        self.fields["confirmed"] = CheckboxesField(
            label="Values you also sign off as they stand", required=False,
            choices=[(s.key, s.label) for s in POLICY_SETTINGS],
            hint="A value you change is signed off with this version. Tick a value you "
                 "have reviewed and sign off without changing it.")
        self.fields["reason"] = TextareaField(
            label="Reason for the change", error_name="The reason for the change",
            hint="For example, the decision of the clinical governance meeting and its date.")
        self.fields["effective_from"] = DateField(
            label="Date it takes effect from", label_text="The date it takes effect from",
            initial=datetime.date.today())

    def values(self) -> dict[str, Any]:
        """The values typed, by setting key, as a version stores them."""
        data = self.cleaned_data
        values: dict[str, Any] = {}
        for s in POLICY_SETTINGS:
            value = data[field_name(s.key)]
            if s.kind == "boolean":
                value = value == "yes"
            values[s.key] = value
        return values
