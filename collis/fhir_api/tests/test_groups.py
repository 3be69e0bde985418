"""Staff-defined patient groups: defining and editing one on the pages (audited, clinical
lead only, bad input named), the criteria evaluated as asked, Group read and search in the
FHIR API, and `Group/{id}/$export` exporting only the group's patients."""

import datetime as dt

import pytest
from django.test import TestCase

from collis.assessments.tests.factories import make_twstrs
from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditEvent
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.fhir_api import groups
from collis.fhir_api.models import BulkExport, ExportLevel, PatientGroup
from collis.fhir_api.tests.test_bulk import ASYNC, download, kick_off, status
from collis.fhir_api.validation import validation_problems
from collis.outcomes.tests.factories import make_episode, operate
from collis.patients.selectors import patient_access_history
from collis.patients.tests.factories import PatientFactory, other_unit_patient
from collis.surgery.tests.factories import episode_at
from collis.treatments.tests.factories import cycle_with

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def lead_actor():
    return Actor.command_line(UserFactory(role=Role.CLINICAL_LEAD))


@pytest.fixture
def cohort(sites):
    """An operated patient, a patient with toxin at the first site, one with toxin at
    another site, one on the waiting list, and another unit's operated patient."""
    operated = PatientFactory()
    operate(make_episode(operated, state="consented"))  # operated on 2026-03-02
    toxin_here, toxin_there = PatientFactory(), PatientFactory()
    cycle_with(toxin_here, dt.date(2026, 6, 1), site=sites[0])
    cycle_with(toxin_there, dt.date(2026, 6, 1), site=sites[1])
    listed = episode_at("listed")
    stranger = other_unit_patient()
    operate(make_episode(stranger, state="consented"))
    return {"operated": operated, "toxin_here": toxin_here, "toxin_there": toxin_there,
            "listed": listed.patient, "stranger": stranger, "site": sites[0]}


def members(group, actor):
    return set(groups.group_members(group, actor).values_list("pk", flat=True))


def test_the_criteria_are_evaluated_together_when_asked(cohort):
    actor = lead_actor()
    operated = groups.group_create(name="Operated since 2026", actor=actor,
                                   criteria=groups.Criteria(operated_since=dt.date(2026, 1, 1)))
    assert members(operated, actor) == {cohort["operated"].pk}
    at_site = groups.group_create(name="Toxin at the first site", actor=actor,
                                  criteria=groups.Criteria(toxin_site=cohort["site"],
                                                           toxin_since=dt.date(2026, 5, 1)))
    assert members(at_site, actor) == {cohort["toxin_here"].pk}
    listed = groups.group_create(name="Listed", actor=actor,
                                 criteria=groups.Criteria(pathway_state="listed"))
    assert members(listed, actor) == {cohort["listed"].pk}
    both = groups.group_create(name="Operated and toxin", actor=actor, criteria=groups.Criteria(
        operated_since=dt.date(2026, 1, 1), toxin_since=dt.date(2026, 1, 1)))
    assert members(both, actor) == set()
    # Evaluated when asked: a new toxin session brings the operated patient in.
    cycle_with(cohort["operated"], dt.date(2026, 6, 2), site=cohort["site"])
    assert members(both, actor) == {cohort["operated"].pk}
    assert members(at_site, actor) == {cohort["toxin_here"].pk, cohort["operated"].pk}
    assert groups.group_counts([operated, at_site, listed, both], actor) == [1, 2, 1, 1]


def test_bad_groups_are_refused_naming_the_field_and_nothing_saved(cohort):
    from django.core.exceptions import ValidationError

    actor = lead_actor()
    cases = [
        ({"name": "Nothing", "criteria": groups.Criteria()}, "operated_since"),
        ({"name": "Future", "criteria": groups.Criteria(
            operated_since=dt.date.today() + dt.timedelta(days=3))}, "operated_since"),
        ({"name": "Site only", "criteria": groups.Criteria(toxin_site=cohort["site"])},
         "toxin_since"),
        ({"name": "Odd state", "criteria": groups.Criteria(pathway_state="nowhere")},
         "pathway_state"),
        ({"name": "", "criteria": groups.Criteria(pathway_state="listed")}, "name"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as refused:
            groups.group_create(actor=actor, **kwargs)
        assert field in refused.value.message_dict, (kwargs, refused.value.message_dict)
    groups.group_create(name="Listed", actor=actor,
                        criteria=groups.Criteria(pathway_state="listed"))
    with pytest.raises(ValidationError) as refused:
        groups.group_create(name="listed", actor=actor,
                            criteria=groups.Criteria(pathway_state="listed"))
    assert "name" in refused.value.message_dict
    assert PatientGroup.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="fhir_group").count() == 1


def test_a_clinical_lead_defines_and_edits_a_group_on_the_pages(client_as, cohort):
    client = client_as(Role.CLINICAL_LEAD)
    page = client.get("/fhir/groups/")
    assert page.status_code == 200
    refused = client.post("/fhir/groups/", {"name": "No criteria"})
    assert refused.status_code == 200
    assert "Give at least one criterion" in refused.content.decode()
    response = client.post("/fhir/groups/", {
        "name": "Operated since 2026", "operated_since-day": "1",
        "operated_since-month": "1", "operated_since-year": "2026"})
    assert response.status_code == 302, response.content.decode()[:2000]
    group = PatientGroup.objects.get()
    assert group.operated_since == dt.date(2026, 1, 1)
    page = client.get(response["Location"]).content.decode()
    assert "Operated since 2026" in page
    response = client.post(f"/fhir/groups/{group.pk}/", {
        "name": "Toxin at the first site", "toxin_site": str(cohort["site"].pk),
        "toxin_since-day": "1", "toxin_since-month": "5", "toxin_since-year": "2026"})
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.name, group.operated_since, group.toxin_site) == (
        "Toxin at the first site", None, cohort["site"])
    change = AuditEvent.objects.get(object_type="fhir_group", action=AuditAction.UPDATE)
    assert change.details["before"]["operated_since"] == "2026-01-01"
    assert change.details["after"]["toxin_site"] == cohort["site"].code


def test_only_a_clinical_lead_manages_groups(client_as, cohort):
    group = groups.group_create(name="Listed", actor=lead_actor(),
                                criteria=groups.Criteria(pathway_state="listed"))
    for role in (Role.NEUROLOGIST, Role.AUDITOR, Role.ADMINISTRATOR):
        client = client_as(role)
        assert client.get("/fhir/groups/").status_code == 403
        assert client.get(f"/fhir/groups/{group.pk}/").status_code == 403
        assert client.post(f"/fhir/groups/{group.pk}/export").status_code == 403


def test_another_units_group_is_not_found(client_as, cohort):
    other_lead = UserFactory(role=Role.CLINICAL_LEAD,
                             organisation=cohort["stranger"].organisation)
    group = groups.group_create(name="Theirs", actor=Actor.command_line(other_lead),
                                criteria=groups.Criteria(pathway_state="listed"))
    assert client_as(Role.CLINICAL_LEAD).get(f"/fhir/groups/{group.pk}/").status_code == 404


def test_a_group_is_a_definitional_fhir_group_read_and_searched(client, bearer, cohort):
    actor = lead_actor()
    operated = groups.group_create(name="Operated since 2026", actor=actor,
                                   criteria=groups.Criteria(operated_since=dt.date(2026, 1, 1)))
    at_site = groups.group_create(name="Toxin at the first site", actor=actor,
                                  criteria=groups.Criteria(toxin_site=cohort["site"],
                                                           toxin_since=dt.date(2026, 5, 1),
                                                           pathway_state="listed"))
    headers = bearer(Role.NEUROLOGIST)
    response = client.get(f"/fhir/R4/Group/{operated.pk}", **headers)
    assert response.status_code == 200
    resource = response.json()
    assert validation_problems(resource) == []
    assert (resource["actual"], resource["type"], resource["quantity"]) == (False, "person", 1)
    assert "member" not in resource
    assert resource["characteristic"][0]["period"] == {"start": "2026-01-01"}
    resource = client.get(f"/fhir/R4/Group/{at_site.pk}", **headers).json()
    assert validation_problems(resource) == []
    assert resource["characteristic"][0]["valueReference"]["reference"] == (
        f"Location/{cohort['site'].pk}")
    assert resource["characteristic"][1]["valueCodeableConcept"]["coding"][0]["code"] == (
        "listed")
    bundle = client.get("/fhir/R4/Group", {"name": "toxin"}, **headers).json()
    assert validation_problems(bundle) == []
    assert [e["resource"]["id"] for e in bundle["entry"]] == [str(at_site.pk)]
    assert [e["resource"]["id"] for e in client.get(
        "/fhir/R4/Group", {"_count": 1}, **headers).json()["entry"]] == [str(operated.pk)]
    assert client.get("/fhir/R4/Group/999999", **headers).status_code == 404
    assert client.get(f"/fhir/R4/Group/{operated.pk}",
                      **bearer(Role.AUDITOR)).status_code == 403


def test_a_page_of_groups_takes_a_fixed_number_of_queries(client, bearer, cohort,
                                                         django_assert_max_num_queries):
    actor = lead_actor()
    headers = bearer(Role.NEUROLOGIST)
    client.get("/fhir/R4/Group", **headers)
    for n in range(6):
        groups.group_create(name=f"Operated since 2026-0{n + 1}", actor=actor,
                            criteria=groups.Criteria(operated_since=dt.date(2026, 1, n + 1)))
        with django_assert_max_num_queries(6):
            response = client.get("/fhir/R4/Group", **headers)
        assert len(response.json()["entry"]) == n + 1


def test_group_export_exports_only_the_groups_patients(client, bearer, cohort):
    actor = lead_actor()
    group = groups.group_create(name="Operated since 2026", actor=actor,
                                criteria=groups.Criteria(operated_since=dt.date(2026, 1, 1)))
    make_twstrs(cohort["operated"])
    make_twstrs(cohort["toxin_here"])
    headers = bearer(Role.NEUROLOGIST)
    url = kick_off(client, headers, path=f"/fhir/R4/Group/{group.pk}/$export")
    manifest = status(client, url, headers).json()
    assert manifest["request"].endswith(f"/fhir/R4/Group/{group.pk}/$export")
    found = download(client, manifest, headers)
    assert [p["id"] for p in found["Patient"]] == [str(cohort["operated"].pk)]
    for resource_type, resources in found.items():
        for resource in resources:
            assert validation_problems(resource) == [], resource_type
            assert str(cohort["toxin_here"].pk) not in str(resource)
    assert {"Observation", "Procedure", "EpisodeOfCare"} <= set(found)
    export = BulkExport.objects.get()
    assert (export.level, export.group) == (ExportLevel.GROUP, group)
    history = patient_access_history(patient=cohort["operated"], actor=Actor.command_line())
    assert any(e.summary.startswith("Record included in a FHIR bulk export (Patient)")
               for e in history.events)
    history = patient_access_history(patient=cohort["toxin_here"], actor=Actor.command_line())
    assert not any("bulk export" in e.summary for e in history.events)


def test_group_export_of_an_unknown_or_foreign_group_is_404(client, bearer, cohort):
    other_lead = UserFactory(role=Role.CLINICAL_LEAD,
                             organisation=cohort["stranger"].organisation)
    theirs = groups.group_create(name="Theirs", actor=Actor.command_line(other_lead),
                                 criteria=groups.Criteria(pathway_state="listed"))
    headers = bearer(Role.NEUROLOGIST)
    for path in (f"/fhir/R4/Group/{theirs.pk}/$export", "/fhir/R4/Group/abc/$export"):
        response = client.get(path, **ASYNC, **headers)
        assert response.status_code == 404
        assert response.json()["resourceType"] == "OperationOutcome"
    assert not BulkExport.objects.exists()


def test_the_page_starts_the_groups_export_shown_on_the_exports_page(client_as, cohort):
    client = client_as(Role.CLINICAL_LEAD)
    group = groups.group_create(name="Operated since 2026",
                                actor=Actor.command_line(client.user),
                                criteria=groups.Criteria(operated_since=dt.date(2026, 1, 1)))
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"/fhir/groups/{group.pk}/export")
    assert response.status_code == 302 and response["Location"] == "/fhir/exports/"
    export = BulkExport.objects.get()
    assert (export.requested_by, export.group, export.counts["Patient"]) == (
        client.user, group, 1)
    page = client.get("/fhir/exports/").content.decode()
    assert "Operated since 2026" in page


def test_the_capability_statement_lists_group_and_its_export(client):
    statement = client.get("/fhir/R4/metadata").json()
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert [p["name"] for p in resources["Group"]["searchParam"]] == ["_id", "name"]
    assert resources["Group"]["operation"][0]["definition"].endswith("group-export")
