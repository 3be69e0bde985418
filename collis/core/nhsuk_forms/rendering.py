"""Rendering NHS.UK design-system components from Python: the nhsuk-frontend-jinja macros,
called through the project's Jinja2 environment, so that a field can draw itself."""

from __future__ import annotations

from typing import Any

from django.template import engines
from markupsafe import Markup

# The Jinja2 backend in settings.TEMPLATES takes its name from its directory, "jinja2".
_ENGINE = "jinja2"
_macros: dict[tuple[int, str], Any] = {}


def jinja_env():
    """The Jinja2 environment that renders Collis's pages."""
    return engines[_ENGINE].env


def component_macro(component: str, name: str | None = None):
    """The macro of an NHS.UK component, `component("date-input")` -> `dateInput`."""
    env = jinja_env()
    name = name or _camel(component)
    key = (id(env), f"{component}:{name}")
    if key not in _macros:
        module = env.get_template(f"nhsuk/components/{component}/macro.jinja").module
        _macros[key] = getattr(module, name)
    return _macros[key]


def component(component: str, params: dict[str, Any], name: str | None = None) -> Markup:
    """The HTML of an NHS.UK component for `params` (those that are None are left out, as a
    template would leave them out)."""
    # The macro's own output, escaped by the autoescaping environment.
    return Markup(component_macro(component, name)(_without_none(params)))  # noqa: S704


def _camel(component: str) -> str:
    first, *rest = component.split("-")
    return first + "".join(part.capitalize() for part in rest)


def _without_none(value):
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value
