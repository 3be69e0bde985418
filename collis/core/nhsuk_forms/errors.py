"""The NHS.UK error summary of a form: every message, each linked to the element that
needs fixing (which element is the field class's decision, not the template's)."""

from __future__ import annotations

from markupsafe import Markup

from collis.core.nhsuk_forms.rendering import component


def error_anchor(bound_field) -> str:
    """The id to link to: the field class decides (the day box of a date, the first radio);
    a plain Django field is linked by its name, which Collis uses as its id."""
    return getattr(bound_field, "error_anchor", None) or bound_field.html_name


def error_list(form) -> list[dict]:
    """The summary's items: the form's own errors first, then each field's, in order."""
    items = [{"text": str(error)} for error in form.non_field_errors()]
    for bound_field in form:
        for error in bound_field.errors:
            items.append({"text": str(error), "href": f"#{error_anchor(bound_field)}"})
    return items


def error_summary(form, title: str = "There is a problem") -> Markup:
    """The error summary for `form`, or nothing when it has no errors (or is no form)."""
    if not form or not form.errors:
        return Markup("")
    return component("error-summary", {"titleText": title, "errorList": error_list(form)})
