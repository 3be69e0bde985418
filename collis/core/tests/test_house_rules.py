"""The house rules, checked by reading the code: views and API modules read patient data only
through selectors (scoped to who asks), never write the audit log themselves, and every page
declares what it needs (like the domain purity test, and MBS's
scripts/lint_model_usage_in_views.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

COLLIS = Path(__file__).resolve().parents[2]
# Apps whose models hold patient data: views and API modules never query them directly.
PATIENT_DATA_APPS = ("patients", "assessments", "treatments", "investigations", "candidacy",
                     "surgery", "mdt", "consent", "outcomes", "scheduling", "portal",
                     "questionnaires")
AUDIT_WRITERS = {"audit_record", "audit_record_many", "audit_patient_shown"}


def _entry_modules() -> list[Path]:
    modules = sorted(COLLIS.glob("*/*views.py")) + sorted(COLLIS.glob("*/api.py"))
    return [m for m in modules if m.parent.name != "domain"]


def _patient_models_imported(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if parts[:1] == ["collis"] and len(parts) == 3 and parts[2] == "models" \
                    and parts[1] in PATIENT_DATA_APPS:
                names.update(alias.asname or alias.name for alias in node.names)
    return names


def model_queries_in(source: str) -> list[str]:
    """Each place a module queries a patient-data model: `Model.objects...`,
    `get_object_or_404(Model...)`, `Model._default_manager`."""
    tree = ast.parse(source)
    models = _patient_models_imported(tree)
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in models
                and node.attr in {"objects", "_default_manager", "_base_manager"}):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in {"get_object_or_404", "get_list_or_404"}):
            found.append(f"line {node.lineno}: {node.func.id}(...)")
    return sorted(found, key=lambda text: int(text.split()[1].rstrip(":")))


def audit_writes_in(source: str) -> list[str]:
    tree = ast.parse(source)
    return [f"line {node.lineno}: {node.id}" for node in ast.walk(tree)
            if isinstance(node, ast.Name) and node.id in AUDIT_WRITERS]


@pytest.mark.parametrize("module", _entry_modules(), ids=lambda m: f"{m.parent.name}/{m.name}")
def test_views_and_api_read_patient_data_only_through_selectors(module):
    found = model_queries_in(module.read_text())
    assert not found, (f"{module.relative_to(COLLIS.parent)} queries patient data directly; "
                       f"read through a selector (patient_get, episode_get, ...): {found}")


@pytest.mark.parametrize("module", _entry_modules(), ids=lambda m: f"{m.parent.name}/{m.name}")
def test_views_and_api_leave_the_audit_to_services_and_selectors(module):
    found = audit_writes_in(module.read_text())
    assert not found, (f"{module.relative_to(COLLIS.parent)} writes the audit log itself; "
                       f"move it into the selector or service it belongs to: {found}")


def test_the_lint_catches_a_direct_query():
    source = ("from collis.patients.models import Patient\n"
              "from django.shortcuts import get_object_or_404\n"
              "def view(request, pk):\n"
              "    a = Patient.objects.get(pk=pk)\n"
              "    b = get_object_or_404(Patient, pk=pk)\n")
    assert model_queries_in(source) == ["line 4: Patient.objects",
                                        "line 5: get_object_or_404(...)"]
    assert audit_writes_in("from x import audit_record\naudit_record(actor=1)\n") == [
        "line 2: audit_record"]


def _views(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            route = prefix + str(entry.pattern)
            if route.startswith(("admin/", "api/")):
                continue  # the Django admin and the API check roles their own way
            yield from _views(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_every_page_declares_what_it_needs():
    undeclared = []
    for route, view in _views(get_resolver().url_patterns):
        if not hasattr(view, "required_capability"):
            undeclared.append(f"/{route} ({view.__module__}.{view.__name__})")
        elif view.required_capability is None and not (
                getattr(view, "public", False) or getattr(view, "signed_in_only", False)
                or getattr(view, "portal", False)):
            undeclared.append(f"/{route} ({view.__module__}.{view.__name__}): None")
    assert not undeclared, ("These pages declare no capability; decorate each with "
                            "@require(Capability.X), @signed_in, @public or @portal_page: "
                            + ", ".join(undeclared))


def test_pages_that_only_read_refuse_a_post(client_as, sites):
    """Every page that does not declare `@methods(..., "POST")` answers 405 to a POST
    (the login middleware refuses it before the view runs)."""
    from collis.core.roles import Role

    client = client_as(Role.NEUROSURGEON)
    refused = accepted = 0
    for route, view in _views(get_resolver().url_patterns):
        if "POST" in getattr(view, "http_methods", ()):
            accepted += 1
            continue
        path = "/" + route.replace("<uuid:patient_id>", "00000000-0000-0000-0000-000000000000")
        for converter in ("<int:episode_id>", "<int:pk>", "<int:meeting_id>", "<int:item_id>",
                          "<int:decision_id>", "<int:request_id>", "<int:session_id>",
                          "<int:months>", "<int:file_pk>", "<slug:event>", "<str:kind>",
                          "<slug:slug>", "<slug:code>", "<int:number>", "<int:letter_id>"):
            path = path.replace(converter, "1")
        response = client.post(path)
        assert response.status_code == 405, (path, response.status_code)
        refused += 1
    assert refused >= 30 and accepted >= 30
