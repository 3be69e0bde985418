"""Comparing a field's markup with the NHS.UK macro's own output for the same parameters,
whitespace and attribute order aside (Django's HTML parser, as assertHTMLEqual uses)."""

from __future__ import annotations

from django.test.html import parse_html

from collis.core.nhsuk_forms.rendering import jinja_env


def macro(component: str, name: str, params: dict) -> str:
    """The component rendered by its macro, as a template would call it."""
    source = (f'{{% from "nhsuk/components/{component}/macro.jinja" import {name} %}}'
              f"{{{{ {name}(params) }}}}")
    return jinja_env().from_string(source).render(params=params)


def assert_same_markup(ours, theirs) -> None:
    mine, reference = parse_html(str(ours)), parse_html(str(theirs))
    assert mine == reference, f"markup differs:\nours:   {mine}\nmacro:  {reference}"
