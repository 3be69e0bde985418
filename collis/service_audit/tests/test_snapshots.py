"""Snapshots computed by the task worker: progress, the stored tables, scope and bad input."""

import pytest
from django.core.exceptions import PermissionDenied

from collis.core.audit import Actor
from collis.core.roles import Role
from collis.core.tests.factories import UserFactory
from collis.service_audit import services
from collis.service_audit.models import AuditSnapshot, SnapshotKind, SnapshotStatus
from collis.service_audit.selectors import AuditFilters
from collis.service_audit.tests.factories import operated

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(sites):
    surgeon = UserFactory(role=Role.NEUROSURGEON)
    for index in range(5):
        operated(surgeon, complications=["SD_SWALLOWING_DIFFICULTY"] if index < 3 else [],
                 baseline=(20, 12, 6), reviews=[(3, 14, 8, 4)])
    return surgeon


def test_the_worker_computes_an_outcomes_snapshot_step_by_step(
        cohort, django_capture_on_commit_callbacks):
    actor = Actor.command_line(UserFactory(role=Role.AUDITOR))
    with django_capture_on_commit_callbacks(execute=True):
        snapshot = services.audit_snapshot_request(kind=SnapshotKind.OUTCOMES,
                                                   filters=AuditFilters(year=2025),
                                                   actor=actor)
    snapshot.refresh_from_db()
    assert snapshot.status == SnapshotStatus.DONE
    assert snapshot.steps_done == snapshot.steps_total == 7  # five measures, two curves
    captions = [t["caption"] for t in snapshot.tables]
    assert captions[0] == "Change from the pre-operative baseline: the unit, 5 operations"
    assert any(c.startswith("Time to reoperation") for c in captions)
    twstrs_3 = next(r for r in snapshot.tables[0]["rows"]
                    if r[:2] == ["TWSTRS total (0-85)", "3 months"])
    assert twstrs_3[3].startswith("-12.0")
    assert snapshot.filters["year"] == 2025


def test_a_role_without_the_capability_cannot_ask_for_a_snapshot(sites):
    with pytest.raises(PermissionDenied):
        services.audit_snapshot_request(
            kind=SnapshotKind.COMPLICATIONS, filters=AuditFilters(),
            actor=Actor.command_line(UserFactory(role=Role.PHYSIOTHERAPIST)))


def test_the_lead_asks_for_a_snapshot_and_reads_it_with_its_csv(client_as, cohort,
                                                                django_capture_on_commit_callbacks):
    client = client_as(Role.CLINICAL_LEAD)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/service-audit/snapshots/", {"kind": "complications",
                                                             "year": "2025"})
    snapshot = AuditSnapshot.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/service-audit/snapshots/{snapshot.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Above disclosed range" in page and 'http-equiv="refresh"' not in page
    csv_text = b"".join(client.get(f"/service-audit/snapshots/{snapshot.pk}.csv")
                        .streaming_content).decode()
    assert csv_text.startswith("Collis service audit: complications against what was")
    assert "3 of 5 (60%" in csv_text


def test_a_queued_snapshot_shows_its_progress_and_refreshes_itself(client_as, sites):
    client = client_as(Role.AUDITOR)
    snapshot = AuditSnapshot.objects.create(
        organisation_id=client.user.organisation_id, kind=SnapshotKind.OUTCOMES,
        requested_by=client.user, steps_total=7, steps_done=3, status=SnapshotStatus.RUNNING)
    page = client.get(f"/service-audit/snapshots/{snapshot.pk}/").content.decode()
    assert "3 of 7 steps done" in page and '<progress' in page
    assert 'http-equiv="refresh"' in page


def test_another_units_snapshot_is_not_found(client_as, sites):
    from collis.patients.tests.factories import other_unit_site

    elsewhere = UserFactory(role=Role.AUDITOR,
                            organisation_id=other_unit_site().organisation_id)
    snapshot = AuditSnapshot.objects.create(
        organisation_id=elsewhere.organisation_id, kind=SnapshotKind.OUTCOMES,
        requested_by=elsewhere)
    assert client_as(Role.AUDITOR).get(f"/service-audit/snapshots/{snapshot.pk}/") \
        .status_code == 404


def test_an_unknown_kind_is_refused_with_a_message_not_a_500(client_as, sites):
    response = client_as(Role.AUDITOR).post("/service-audit/snapshots/", {"kind": "toxin"},
                                            follow=True)
    assert response.status_code == 200
    assert "Choose which page of the audit to compute." in response.content.decode()
    assert not AuditSnapshot.objects.exists()
