"""The local-policy page (every member of staff reads it) and the clinical lead's change."""

from django.shortcuts import render
from django.urls import reverse

from collis.core.audit import Actor
from collis.core.flow import form_submit
from collis.core.permissions import methods, require
from collis.core.roles import Capability, can
from collis.policy import presenters, selectors, services
from collis.policy.forms import PolicyChangeForm, field_name
from collis.policy.presenters import change_words, value_groups

_HOME = {"text": "Home", "href": "/"}


def _crumbs(*more):
    return [_HOME, *more]


@require(Capability.POLICY_VIEW)
def policy_detail(request):
    in_force = selectors.policy_in_force()
    versions = selectors.policy_version_list()
    return render(request, "policy/policy_detail.jinja", {
        "title": "Local policy", "in_force": in_force, "groups": value_groups(in_force),
        "versions": [(v, change_words(v)) for v in versions],
        "later": [v for v in versions if v.number > in_force.version.number],
        "not_signed_off": presenters.NOT_SIGNED_OFF,
        "can_edit": can(request.user, Capability.POLICY_EDIT),
        "breadcrumbs": _crumbs({"text": "Local policy", "href": ""}),
    })


@require(Capability.POLICY_EDIT)
@methods("GET", "POST")
def policy_change(request):
    latest = selectors.policy_version_latest()
    form = PolicyChangeForm(request.POST if request.method == "POST" else None,
                            current=latest.values)
    if request.method == "POST":
        actor = Actor.from_request(request)
        response = form_submit(
            request, form,
            lambda data: services.policy_version_create(
                values=form.values(), confirmed=set(data["confirmed"]), reason=data["reason"],
                effective_from=data["effective_from"], actor=actor),
            redirect_to=reverse("policy:policy_detail"),
            message=lambda v: f"Local policy version {v.number} is signed off.",
            field_for={key: field_name(key) for key in latest.values})
        if response:
            return response
    return render(request, "policy/policy_change.jinja", {
        "title": "Change local policy", "form": form, "latest": latest,
        "names": {s: field_name(s) for s in latest.values},
        "groups": value_groups(selectors.policy_version_get(pk=latest.pk)),
        "breadcrumbs": _crumbs({"text": "Local policy", "href": reverse("policy:policy_detail")},
                               {"text": "Change", "href": ""}),
    })
