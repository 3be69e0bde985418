"""The clinical lead's pages of patient groups (FHIR Group): the unit's groups with how
many patients each has now, defining and editing one, and starting its bulk export
(`Group/{id}/$export`, followed on the exports page). Thin: the rules are in `groups` and
`bulk`; no script is needed."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse

from collis.core.audit import Actor
from collis.core.flow import form_submit
from collis.core.permissions import methods, require
from collis.core.roles import Capability
from collis.fhir_api import bulk, groups
from collis.fhir_api.forms import PatientGroupForm
from collis.fhir_api.models import ExportLevel, PatientGroup

HOME = {"text": "Home", "href": "/"}
GROUPS = {"text": "Patient groups for FHIR export", "href": "/fhir/groups/"}


@require(Capability.FHIR_GROUP_MANAGE)
@methods("GET", "POST")
def group_list(request):
    """The unit's groups, and the form that defines one."""
    actor = Actor.from_request(request)
    form = PatientGroupForm(request.POST if request.method == "POST" else None,
                            user=request.user)
    if request.method == "POST":
        response = form_submit(
            request, form,
            lambda data: groups.group_create(name=data["name"],
                                             description=data["description"],
                                             criteria=form.criteria(), actor=actor),
            redirect_to=lambda group: reverse("fhir_api:group_edit", kwargs={"pk": group.pk}),
            message=lambda group: f"The group {group.name} is defined.")
        if response:
            return response
    found = list(groups.groups_of_unit(actor=actor))
    return render(request, "fhir_api/group_list.jinja", {
        "title": "Patient groups for FHIR export", "form": form,
        "groups": list(zip(found, groups.group_counts(found, actor), strict=True)),
        "breadcrumbs": [HOME, {"text": GROUPS["text"], "href": ""}],
    })


def _group(request, pk: int) -> PatientGroup:
    try:
        return groups.group_get(actor=Actor.from_request(request), group_id=pk)
    except PatientGroup.DoesNotExist:
        raise Http404("No group of your unit has this id.") from None


@require(Capability.FHIR_GROUP_MANAGE)
@methods("GET", "POST")
def group_edit(request, pk: int):
    """One group: its criteria to change, how many patients meet them now, and the button
    that exports their records."""
    group = _group(request, pk)
    actor = Actor.from_request(request)
    initial = {"name": group.name, "description": group.description,
               "operated_since": group.operated_since, "toxin_site": group.toxin_site,
               "toxin_since": group.toxin_since, "pathway_state": group.pathway_state}
    form = PatientGroupForm(request.POST if request.method == "POST" else None,
                            initial=initial, user=request.user)
    if request.method == "POST":
        response = form_submit(
            request, form,
            lambda data: groups.group_update(group_id=group.pk, name=data["name"],
                                             description=data["description"],
                                             criteria=form.criteria(), actor=actor),
            redirect_to=reverse("fhir_api:group_edit", kwargs={"pk": group.pk}),
            message=lambda changed: f"The group {changed.name} is saved.")
        if response:
            return response
    return render(request, "fhir_api/group_edit.jinja", {
        "title": f"Patient group: {group.name}", "form": form, "group": group,
        "count": groups.group_counts([group], actor)[0],
        "fhir_url": request.build_absolute_uri(f"/fhir/R4/Group/{group.pk}"),
        "breadcrumbs": [HOME, GROUPS, {"text": group.name, "href": ""}],
    })


@require(Capability.FHIR_GROUP_MANAGE)
@methods("POST")
def group_export(request, pk: int):
    """Start the group's bulk export as the signed-in member of staff (the same export as
    `Group/{id}/$export`), then show it on the exports page."""
    group = _group(request, pk)
    kickoff = bulk.kickoff_parse(QueryDict(""), level=ExportLevel.GROUP, user=request.user)
    bulk.bulk_export_request(
        actor=Actor.from_request(request), level=ExportLevel.GROUP, kickoff=kickoff,
        request_url=request.build_absolute_uri(f"/fhir/R4/Group/{group.pk}/$export"),
        group=group)
    messages.success(request, f"The export of the group {group.name} has started.")
    return redirect("fhir_api:export_list")
