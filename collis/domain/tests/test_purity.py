"""The domain is pure: no Django, nothing from collis outside collis.domain, stdlib + jsonschema."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parent.parent
ALLOWED_THIRD_PARTY = {"jsonschema"}
TEST_ONLY = {"pytest", "hypothesis"}


def _package(path: Path) -> str:
    return ".".join(path.relative_to(DOMAIN.parent.parent).with_suffix("").parts[:-1])


def _imports(path: Path, package: str = "") -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((module, node.lineno))
    return found


def test_no_module_under_collis_domain_imports_django_or_the_rest_of_collis():
    offences = []
    files = sorted(DOMAIN.rglob("*.py"))
    assert len(files) > 20
    for path in files:
        is_test = "tests" in path.relative_to(DOMAIN).parts
        for module, line in _imports(path, _package(path)):
            top = module.split(".")[0]
            where = f"{path.relative_to(DOMAIN.parent.parent)}:{line} imports {module}"
            if (
                top == "django"
                or top == "collis"
                and module != "collis.domain"
                and not module.startswith("collis.domain.")
            ):
                offences.append(where)
            elif top not in sys.stdlib_module_names and top != "collis":
                allowed = ALLOWED_THIRD_PARTY | (TEST_ONLY if is_test else set())
                if top not in allowed:
                    offences.append(where)
    assert offences == []


def test_the_check_itself_catches_django(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from django.db import models\nimport collis.patients\nfrom ... import cli\n")
    found = [m for m, _ in _imports(bad, "collis.domain.scales")]
    assert found == ["django.db", "collis.patients", "collis"]
