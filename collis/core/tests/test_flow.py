"""The form flow: a service's errors always reach the page, on the field they name or on
the whole form, and success redirects with a message."""

import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from collis.core.flow import form_errors_apply, form_submit
from collis.domain.pathway import MoveRefused


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False)
    when = forms.CharField(required=False)


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.parametrize("error, field_errors, form_errors", [
    (ValidationError("Whole form"), {}, ["Whole form"]),
    (ValidationError(["One", "Two"]), {}, ["One", "Two"]),
    (ValidationError({"reason": "Give a reason"}), {"reason": ["Give a reason"]}, []),
    (ValidationError({"__all__": "Non-field"}), {}, ["Non-field"]),
    (ValidationError({"not_on_the_form": "Elsewhere"}), {}, ["Elsewhere"]),
    (ValidationError({"given_on": "Renamed"}), {"when": ["Renamed"]}, []),
])
def test_every_service_error_lands_on_the_form(error, field_errors, form_errors):
    form = ReasonForm({})
    assert form.is_valid()
    form_errors_apply(form, error, field_for={"given_on": "when"})
    assert form.non_field_errors() == form_errors
    for name, messages in field_errors.items():
        assert form.errors[name] == messages


def test_a_refused_pathway_step_shows_on_the_field_it_names():
    def save(data):
        error = MoveRefused("Give a reason to decline the referral.")
        error.field = "reason"
        raise error

    form = ReasonForm({})
    assert form_submit(_request(), form, save, redirect_to="/done/") is None
    assert form.errors["reason"] == ["Give a reason to decline the referral."]
    form = ReasonForm({})
    assert form_submit(_request(), form, lambda data: (_ for _ in ()).throw(
        MoveRefused("Not now.")), redirect_to="/done/") is None
    assert form.non_field_errors() == ["Not now."]


def test_success_redirects_with_the_message():
    request = _request()
    response = form_submit(request, ReasonForm({"reason": "x"}), lambda data: data["reason"],
                           redirect_to=lambda result: f"/done/{result}/",
                           message=lambda result: f"Saved {result}")
    assert response.status_code == 302 and response["Location"] == "/done/x/"
    assert [str(m) for m in request._messages] == ["Saved x"]


def test_an_invalid_form_never_calls_the_service():
    class Required(forms.Form):
        name = forms.CharField()

    def save(data):
        raise AssertionError("called")

    assert form_submit(_request(), Required({}), save, redirect_to="/") is None
