"""The one way a page runs a form: validate it, call the service, then redirect with a
message or show the errors. Services raise Django's ValidationError (or the pathway tables'
MoveRefused); `form_errors_apply` is the one mapping of their messages onto the form's
fields (or onto the whole form)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpResponse, HttpResponseRedirect

from collis.domain.pathway import MoveRefused

T = TypeVar("T")


def form_errors_apply(form, error: ValidationError,
                      field_for: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form: messages for a field the form has go on
    that field (after renaming through `field_for`, service name -> form field), all others
    on the form as a whole, so that nothing a service said is ever lost."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = (field_for or {}).get(name, name)
            if target == NON_FIELD_ERRORS or target not in form.fields:
                target = None
            for message in ValidationError(errors).messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def form_submit(request, form, save: Callable[[dict[str, Any]], T], *,
                redirect_to: Callable[[T], str] | str,
                message: Callable[[T], str] | str | None = None,
                field_for: dict[str, str] | None = None) -> HttpResponse | None:
    """For a POST: if the form is valid, call `save(cleaned_data)`; when it succeeds, flash
    `message` and return a redirect to `redirect_to`. Return None when the page must be shown
    again with the form's errors (the form's or the service's)."""
    if not form.is_valid():
        return None
    try:
        result = save(form.cleaned_data)
    except ValidationError as error:
        form_errors_apply(form, error, field_for)
        return None
    except MoveRefused as refused:
        # The pathway tables refused the step: on the field it names (a missing reason),
        # else on the whole form.
        field = getattr(refused, "field", "") or NON_FIELD_ERRORS
        form_errors_apply(form, ValidationError({field: str(refused)}), field_for)
        return None
    if message:
        messages.success(request, message(result) if callable(message) else message)
    return HttpResponseRedirect(redirect_to(result) if callable(redirect_to) else redirect_to)
