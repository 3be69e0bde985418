"""The NHS.UK date input: day, month and year boxes, with the NHS.UK error messages.

Its markup is written out here rather than drawn by the `nhsuk/components/date-input`
macro, which costs about 12 ms a render (ADR 0001: the patient search page would pay it on
every search). A test renders the macro with the same parameters and fails if the two ever
differ."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from markupsafe import Markup, escape

from collis.core.nhsuk_forms.fields import NhsBoundField, NhsField

PARTS = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))
# A part of a date as typed: ASCII digits, at most 4 (a leading zero or two is harmless).
_DIGITS = re.compile(r"[0-9]{1,4}")


class NhsDateWidget(forms.MultiWidget):
    """Day, month and year boxes named `<name>-day`, `<name>-month`, `<name>-year`."""

    template_name = "django/forms/widgets/multiwidget.html"

    def __init__(self, attrs=None):
        super().__init__([forms.TextInput, forms.TextInput, forms.TextInput], attrs)

    def decompress(self, value):
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        return [data.get(f"{name}-{part}", "").strip() for part, _, _ in PARTS]

    def value_omitted_from_data(self, data, files, name):
        return all(f"{name}-{part}" not in data for part, _, _ in PARTS)


class DateField(NhsField, forms.Field):
    """A date entered as day, month and year. `label_text` names it in messages ("Enter
    the date of the review", "The date of the review must be a real date")."""

    widget = NhsDateWidget
    render_option_names = (*NhsField.render_option_names, "legend_size")

    def __init__(self, *, label_text: str, past_only: bool = False, legend_size: str = "s",
                 **kwargs):
        self.label_text = label_text
        self.past_only = past_only
        self.legend_size = legend_size
        kwargs.setdefault("error_name", label_text)
        super().__init__(**kwargs)
        if "required" not in self._given_messages:
            self.error_messages["required"] = f"Enter {label_text.lower()}"

    def to_python(self, value):
        if not value or not any(value):
            return None
        day, month, year = value
        missing = [name for (name, _, _), part in zip(PARTS, value, strict=True) if not part]
        if missing:
            raise ValidationError(f"{self.label_text} must include a {' and '.join(missing)}")
        # Only the digits 0-9, and no more of them than a part can hold: int() would also
        # read "١٢", "1_2" or a 20-digit year, which date() then fails on with an
        # OverflowError instead of a message.
        if not all(_DIGITS.fullmatch(str(part)) for part in value):
            raise ValidationError(f"{self.label_text} must be a real date")
        d, m, y = int(day), int(month), int(year)
        if y < 1000:
            raise ValidationError(f"Year must include 4 numbers, for example {date.today().year}")
        try:
            result = date(y, m, d)
        except (ValueError, OverflowError):
            raise ValidationError(f"{self.label_text} must be a real date") from None
        if self.past_only and result > date.today():
            raise ValidationError(f"{self.label_text} must be today or in the past")
        return result

    def error_anchor(self, bound: NhsBoundField) -> str:
        return f"{bound.html_name}-day"

    def parts(self, bound: NhsBoundField) -> list[str]:
        """What the three boxes show: the typed text, or the parts of a date."""
        value = bound.value()
        if isinstance(value, date):
            value = [value.day, value.month, value.year]
        return ["" if v is None else str(v) for v in (value or ["", "", ""])]

    def field_group(self, bound, options):
        """The markup of the `nhsuk/components/date-input` macro with a legend, `id` and
        items `<id>-day` etc.: see test_date_input_matches_the_macro."""
        id_ = escape(bound.html_name)
        hint = options["hint"] or bound.help_text
        error = bound.error_text
        described = " ".join([f"{id_}-hint"] * bool(hint) + [f"{id_}-error"] * bool(error))
        legend_classes = " ".join(c for c in (
            "nhsuk-fieldset__legend",
            f"nhsuk-fieldset__legend--{options['legend_size']}" if options["legend_size"]
            else "", options["label_classes"] or "") if c)
        group = "nhsuk-form-group" + (" nhsuk-form-group--error" if error else "")
        if options["form_group_classes"]:
            group += f" {escape(options['form_group_classes'])}"
        html = [f'<div class="{group}">',
                '<fieldset class="nhsuk-fieldset" role="group"'
                + (f' aria-describedby="{described}"' if described else "") + ">",
                f'<legend class="{legend_classes}">{escape(bound.label)}</legend>']
        if hint:
            html.append(f'<div class="nhsuk-hint" id="{id_}-hint">{escape(hint)}</div>')
        if error:
            html.append(f'<span class="nhsuk-error-message" id="{id_}-error">'
                        f'<span class="nhsuk-u-visually-hidden">Error: </span>'
                        f'{escape(error)}</span>')
        html.append(f'<div class="nhsuk-date-input" id="{id_}">')
        for (part, label, width), value in zip(PARTS, self.parts(bound), strict=True):
            error_class = " nhsuk-input--error" if error else ""
            html.append(
                f'<div class="nhsuk-date-input__item"><div class="{"nhsuk-form-group"}'
                f'{" nhsuk-form-group--error" if error else ""}">'
                f'<label class="nhsuk-label nhsuk-date-input__label" for="{id_}-{part}">'
                f"{label}</label>"
                f'<input class="nhsuk-input{error_class} nhsuk-input--width-{width} '
                f'nhsuk-date-input__input" id="{id_}-{part}" name="{id_}-{part}" type="text"'
                + (f' value="{escape(value)}"' if value else "")
                + ' inputmode="numeric"></div></div>')
        html.append("</div></fieldset></div>")
        return Markup("".join(html))  # noqa: S704 - every value above is escaped


# The name the forms have always imported.
NhsDateField = DateField
