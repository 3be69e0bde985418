"""Form fields that know their NHS.UK design-system component and draw themselves (as MBS
does in its nhsuk_forms/fields, ADR-003): `{{ form["x"].as_field_group() }}` in a template.

Every field takes the options its component needs (`hint`, `classes`, `label_classes`,
`legend_size`, ...), and a template may override any of them for one page:
`form["reason"].as_field_group(hint="Required.")`. Ids equal names, as they always have in
Collis, and numbers parse and range-check themselves with NHS.UK messages that name the
field ("Peak benefit must be a whole number from 0 to 100")."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from markupsafe import Markup

from collis.core.nhsuk_forms.rendering import component


def lower_first(text: str) -> str:
    """'The date' -> 'the date', but 'NHS number' stays as it is."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


class NhsBoundField(forms.BoundField):
    """A bound field that renders itself with its NHS.UK component."""

    def as_field_group(self, **overrides) -> Markup:
        return self.field.field_group(self, self.field.render_options(overrides))

    def __str__(self) -> str:
        return self.as_field_group()

    __html__ = __str__

    @property
    def error_anchor(self) -> str:
        """The id the error summary links to, decided by the field's class."""
        return self.field.error_anchor(self)

    @property
    def error_text(self) -> str | None:
        return str(self.errors[0]) if self.errors else None


class NhsField:
    """What every NHS.UK field shares: a hint, classes, the name its messages use, and
    the render options a template may override."""

    bound_field_class = NhsBoundField
    render_option_names: tuple[str, ...] = ("hint", "classes", "label_classes",
                                            "form_group_classes")
    required_verb = "Enter"

    def __init__(self, *args, hint: str | None = None, classes: str | None = None,
                 label_classes: str | None = None, form_group_classes: str | None = None,
                 error_name: str | None = None, **kwargs):
        self.hint = hint
        self.classes = classes
        self.label_classes = label_classes
        self.form_group_classes = form_group_classes
        self.error_name = error_name
        super().__init__(*args, **kwargs)
        self._given_messages = set(kwargs.get("error_messages") or {})
        if "required" not in self._given_messages and self.label:
            self.error_messages["required"] = (f"{self.required_verb} "
                                               f"{lower_first(self.name_in_errors)}")

    # -- messages -------------------------------------------------------------------------
    @property
    def name_in_errors(self) -> str:
        """How messages name the field: `error_name`, else its label."""
        return self.error_name or str(self.label or "This field")

    def run_validators(self, value):
        # Worded when checked, so that a row can rename its fields after they are made.
        if getattr(self, "max_length", None) and "max_length" not in self._given_messages:
            self.error_messages["max_length"] = (f"{self.name_in_errors} must be "
                                                 f"{self.max_length:,} characters or fewer")
        super().run_validators(value)

    # -- rendering ------------------------------------------------------------------------
    def render_options(self, overrides: dict[str, Any]) -> dict[str, Any]:
        unknown = {k for k, v in overrides.items() if v is not None} - set(
            self.render_option_names)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no render option {sorted(unknown)}")
        return {name: overrides[name] if overrides.get(name) is not None
                else getattr(self, name, None) for name in self.render_option_names}

    def field_group(self, bound: NhsBoundField, options: dict[str, Any]) -> Markup:
        raise NotImplementedError

    def error_anchor(self, bound: NhsBoundField) -> str:
        return bound.html_name

    def hint_param(self, bound, options) -> dict | None:
        hint = options.get("hint") or bound.help_text
        return {"text": str(hint)} if hint else None

    def error_param(self, bound) -> dict | None:
        return {"text": bound.error_text} if bound.errors else None

    def form_group_param(self, options) -> dict | None:
        classes = options.get("form_group_classes")
        return {"classes": classes} if classes else None


def _text(value) -> str:
    return "" if value is None else str(value)


# -- Text -------------------------------------------------------------------------------

class TextField(NhsField, forms.CharField):
    """A text input (`type`, `inputmode`, `autocomplete`, `spellcheck`, and `width` in
    characters, 2 to 30, for the component's width class)."""

    render_option_names = (*NhsField.render_option_names, "type", "inputmode",
                           "autocomplete", "spellcheck", "width")

    def __init__(self, *args, type: str = "text", inputmode: str | None = None,
                 autocomplete: str | None = None, spellcheck: bool | None = None,
                 width: int | None = None, **kwargs):
        self.type = type
        self.width = width
        self.inputmode = inputmode
        self.autocomplete = autocomplete
        self.spellcheck = spellcheck
        if type == "password":
            kwargs.setdefault("strip", False)
        super().__init__(*args, **kwargs)

    def field_group(self, bound, options):
        value = "" if options["type"] == "password" else _text(bound.value())
        return component("input", {
            "label": {"text": str(bound.label), "classes": options["label_classes"] or ""},
            "hint": self.hint_param(bound, options),
            "id": bound.html_name, "name": bound.html_name, "type": options["type"],
            "value": value, "classes": options["classes"] or "", "width": options["width"],
            "autocomplete": options["autocomplete"], "spellcheck": options["spellcheck"],
            "inputmode": options["inputmode"],
            "errorMessage": self.error_param(bound),
            "formGroup": self.form_group_param(options),
        })


class TextareaField(NhsField, forms.CharField):
    """A textarea with `rows` (4 unless told)."""

    widget = forms.Textarea
    render_option_names = (*NhsField.render_option_names, "rows")

    def __init__(self, *args, rows: int = 4, **kwargs):
        self.rows = rows
        super().__init__(*args, **kwargs)

    def field_group(self, bound, options):
        return component("textarea", {
            "label": {"text": str(bound.label), "classes": options["label_classes"] or ""},
            "hint": self.hint_param(bound, options),
            "id": bound.html_name, "name": bound.html_name, "rows": options["rows"],
            "value": _text(bound.value()), "classes": options["classes"],
            "errorMessage": self.error_param(bound),
            "formGroup": self.form_group_param(options),
        })


# -- Numbers ----------------------------------------------------------------------------

_WHOLE = re.compile(r"^[+-]?[0-9]+(\.0*)?$")  # ASCII digits only, as for NHS numbers
_DECIMAL = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$")


def number(value: Decimal) -> int | float:
    """3 for '3' or '3.0', 2.5 for '2.5'."""
    return int(value) if value == value.to_integral_value() else float(value)


def _n(value) -> str:
    """5000 as "5000", 20.0 as "20", 0.5 as "0.5"."""
    return f"{value:g}" if isinstance(value, float) else str(value)


class DecimalField(TextField):
    """A number typed into a text input: it parses and range-checks itself, with messages
    that name the field ("Pain subscore must be a number from 0 to 20")."""

    kind = "a number"
    pattern = _DECIMAL

    def __init__(self, *args, min_value=None, max_value=None, exclusive_min: bool = False,
                 unit: str = "", echo: bool = False, allow_suffix: str = "", coerce=float,
                 inputmode: str = "decimal", **kwargs):
        self.min_value, self.max_value = min_value, max_value
        self.exclusive_min = exclusive_min
        self.unit = unit  # "of minutes": "a whole number of minutes from 1 to 480"
        self.echo = echo  # add "(you entered 7)" to a range error
        self.allow_suffix = allow_suffix  # "%": "65%" is read as 65
        self.coerce = coerce
        kwargs.setdefault("max_length", None)
        super().__init__(*args, inputmode=inputmode, **kwargs)

    def range_text(self) -> str:
        low, high = self.min_value, self.max_value
        if low is not None and high is not None:
            return (f"more than {_n(low)} and at most {_n(high)}" if self.exclusive_min
                    else f"from {_n(low)} to {_n(high)}")
        if low is not None:
            return f"more than {_n(low)}" if self.exclusive_min else f"{_n(low)} or more"
        if high is not None:
            return f"{_n(high)} or less"
        return ""

    def message(self, code: str, text: str) -> str:
        given = self.error_messages.get(code)
        if given:
            return given
        words = " ".join(part for part in (self.kind, self.unit, self.range_text()) if part)
        message = f"{self.name_in_errors} must be {words}"
        if self.echo and code != "invalid":
            message += f" (you entered {text})"
        return message

    def to_python(self, value):
        text = super().to_python(value)  # stripped text, or ""
        if text in self.empty_values:
            return None
        if self.allow_suffix and text.endswith(self.allow_suffix):
            text = text.removesuffix(self.allow_suffix).strip()
        if not self.pattern.match(text):
            raise ValidationError(self.message("invalid", text), code="invalid")
        parsed = Decimal(text)
        low, high = self.min_value, self.max_value
        if low is not None and (parsed <= low if self.exclusive_min else parsed < low):
            raise ValidationError(self.message("min_value", text), code="min_value")
        if high is not None and parsed > high:
            raise ValidationError(self.message("max_value", text), code="max_value")
        return self.coerce(parsed)


class IntegerField(DecimalField):
    """A whole number ("Units for trapezius (left) must be a whole number from 1 to 5000")."""

    kind = "a whole number"
    pattern = _WHOLE

    def __init__(self, *args, inputmode: str = "numeric", coerce=int, **kwargs):
        super().__init__(*args, inputmode=inputmode, coerce=coerce, **kwargs)


# -- Choices ----------------------------------------------------------------------------

class _ChoiceRendering(NhsField):
    required_verb = "Choose"

    @staticmethod
    def chosen(bound) -> set[str]:
        value = bound.value()
        if value is None:
            return set()
        if isinstance(value, list | tuple | set):
            return {str(v) for v in value}
        return {str(value)}

    @staticmethod
    def legend(bound, options) -> dict:
        return {"text": str(bound.label), "size": options.get("legend_size"),
                "classes": options.get("label_classes") or None}


class SelectField(_ChoiceRendering, forms.ChoiceField):
    """A select; its first choice is usually ("", "Choose a ...")."""

    widget = forms.Select

    def field_group(self, bound, options):
        chosen = self.chosen(bound)
        return component("select", {
            "label": {"text": str(bound.label), "classes": options["label_classes"] or ""},
            "hint": self.hint_param(bound, options),
            "id": bound.html_name, "name": bound.html_name,
            "classes": options["classes"],
            "items": [{"value": str(value), "text": str(text), "selected": str(value) in chosen}
                      for value, text in bound.field.choices],
            "errorMessage": self.error_param(bound),
            "formGroup": self.form_group_param(options),
        })


class ModelSelectField(SelectField, forms.ModelChoiceField):
    """A select of model instances."""


class RadiosField(_ChoiceRendering, forms.ChoiceField):
    """Radios in a fieldset. An optional question offers `clear_label` ("Not known"), an
    explicit way back to no answer, so that a radio once chosen never traps the user;
    `choice_hints` give an item its own hint, and `conditionals` (at render time) reveal
    HTML under a chosen item."""

    widget = forms.RadioSelect
    render_option_names = (*NhsField.render_option_names, "legend_size", "inline", "small",
                           "choice_hints", "conditionals", "item_suffix")

    def __init__(self, *args, inline: bool = False, small: bool = False,
                 legend_size: str | None = "s", choice_hints: dict | None = None,
                 clear_label: str | None = None, item_suffix: str | None = None, **kwargs):
        self.inline, self.small = inline, small
        self.legend_size = legend_size
        self.choice_hints = choice_hints or {}
        self.conditionals = None
        self.clear_label = clear_label
        self.item_suffix = item_suffix  # visually hidden words after each item's label
        super().__init__(*args, **kwargs)

    def items(self, bound, options) -> list[dict]:
        chosen = self.chosen(bound)
        hints = options["choice_hints"] or {}
        conditionals = options["conditionals"] or {}
        suffix = options["item_suffix"]
        choices = [(v, t) for v, t in bound.field.choices if v != ""]
        if self.clear_label:
            choices.append(("", self.clear_label))
        items = []
        for value, text in choices:
            value = str(value)
            checked = value in chosen if value else bound.value() == ""
            item = {"value": value, "checked": checked,
                    "hint": {"text": hints[value]} if hints.get(value) else None,
                    "conditional": {"html": conditionals[value]} if conditionals.get(value)
                    else None}
            if suffix:
                item["html"] = Markup('{}<span class="nhsuk-u-visually-hidden"> {}</span>'
                                      ).format(text, suffix)
            else:
                item["text"] = str(text)
            items.append(item)
        return items

    def field_group(self, bound, options):
        classes = " ".join(c for c in ("nhsuk-radios--inline" if options["inline"] else "",
                                       "nhsuk-radios--small" if options["small"] else "",
                                       options["classes"] or "") if c)
        return component("radios", {
            "idPrefix": bound.html_name, "name": bound.html_name, "classes": classes,
            "fieldset": {"legend": self.legend(bound, options)},
            "hint": self.hint_param(bound, options),
            "items": self.items(bound, options),
            "errorMessage": self.error_param(bound),
            "formGroup": self.form_group_param(options),
        })


class YesNoField(RadiosField):
    """Yes or no (and, with `unknown_label`, "Not known"), inline; the cleaned value is
    "yes", "no" or "unknown"."""

    YES, NO, UNKNOWN = "yes", "no", "unknown"

    def __init__(self, *args, unknown_label: str | None = None, inline: bool = True,
                 **kwargs):
        choices = [(self.YES, "Yes"), (self.NO, "No")]
        if unknown_label:
            choices.append((self.UNKNOWN, unknown_label))
        super().__init__(*args, choices=choices, inline=inline, **kwargs)


class CheckboxesField(_ChoiceRendering, forms.MultipleChoiceField):
    """Checkboxes in a fieldset, with optional `choice_hints`."""

    widget = forms.CheckboxSelectMultiple
    render_option_names = (*NhsField.render_option_names, "legend_size", "choice_hints",
                           "small")

    def __init__(self, *args, legend_size: str | None = "s", choice_hints: dict | None = None,
                 small: bool = False, **kwargs):
        self.legend_size = legend_size
        self.choice_hints = choice_hints or {}
        self.small = small
        super().__init__(*args, **kwargs)

    def field_group(self, bound, options):
        chosen = self.chosen(bound)
        hints = options["choice_hints"] or {}
        classes = " ".join(c for c in ("nhsuk-checkboxes--small" if options["small"] else "",
                                       options["classes"] or "") if c)
        return component("checkboxes", {
            "idPrefix": bound.html_name, "name": bound.html_name, "classes": classes or None,
            "fieldset": {"legend": self.legend(bound, options)},
            "hint": self.hint_param(bound, options),
            "items": [{"value": str(value), "text": str(text), "checked": str(value) in chosen,
                       "hint": {"text": hints[str(value)]} if hints.get(str(value)) else None}
                      for value, text in bound.field.choices],
            "errorMessage": self.error_param(bound),
            "formGroup": self.form_group_param(options),
        })


class ModelCheckboxesField(CheckboxesField, forms.ModelMultipleChoiceField):
    """Checkboxes of model instances."""


class SingleCheckboxField(NhsField, forms.BooleanField):
    """One checkbox, without a fieldset ("I confirm ...")."""

    widget = forms.CheckboxInput

    def field_group(self, bound, options):
        return component("checkboxes", {
            "idPrefix": bound.html_name, "name": bound.html_name,
            "classes": options["classes"],
            "items": [{"value": "on", "text": str(bound.label), "checked": bool(bound.value()),
                       "hint": self.hint_param(bound, options)}],
            "errorMessage": self.error_param(bound),
            "formGroup": self.form_group_param(options),
        })


# -- Files and hidden values --------------------------------------------------------------

class FileUploadField(NhsField, forms.FileField):
    """A file input. Drawn without the component's script enhancement: its drop zone's
    button has a visible text ("Choose file") that is not part of its accessible name (axe
    label-content-name-mismatch), and the browser's own input works with a keyboard."""

    render_option_names = (*NhsField.render_option_names, "accept")
    AGAIN = "If you chose a file before this page showed a problem, choose it again."

    def __init__(self, *args, accept: str | None = None, **kwargs):
        self.accept = accept
        super().__init__(*args, **kwargs)

    def hint_param(self, bound, options):
        """A browser forgets a chosen file when the page comes back with errors: say so."""
        hint = options.get("hint") or bound.help_text or ""
        if bound.form.is_bound and bound.form.errors:
            hint = f"{hint.rstrip('.')}. {self.AGAIN}" if hint else self.AGAIN
        return {"text": hint} if hint else None

    def field_group(self, bound, options):
        html = component("file-upload", {
            "label": {"text": str(bound.label), "classes": options["label_classes"] or ""},
            "hint": self.hint_param(bound, options),
            "id": bound.html_name, "name": bound.html_name, "classes": options["classes"],
            "attributes": {"accept": options["accept"]} if options["accept"] else None,
            "errorMessage": self.error_param(bound),
            "formGroup": self.form_group_param(options),
        })
        return Markup(str(html).replace(' data-module="nhsuk-file-upload"', ""))  # noqa: S704


class _Hidden(NhsField):
    widget = forms.HiddenInput

    def field_group(self, bound, options):
        return Markup('<input type="hidden" name="{}" value="{}">').format(
            bound.html_name, _text(bound.value()))


class HiddenTextField(_Hidden, forms.CharField):
    """A value the page carries back, such as the warnings a user has acknowledged."""


class HiddenIntegerField(_Hidden, forms.IntegerField):
    """A whole number the page carries back, such as the version a change is based on."""
