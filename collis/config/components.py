"""NHS.UK components rendered from a kept skeleton instead of through their macros.

The nhsuk-frontend-jinja macros are general (attribute helpers, `trim | indent` on every
value, nested macros) and cost a large share of every page: profiled on CPU time over the
record's pages, the breadcrumb, summary list and the attribute helper alone were about 15%
of the work. Their output depends on the *shape* of their parameters (which keys, how many
rows, which values are empty, the classes) and only copies the texts and links in. So each
component is rendered once per shape with markers in place of the texts and links, the
result is kept, and later calls put the escaped values where the markers are.

A marker records whether the macro escaped it (its `&` comes out as `&amp;`) or put it in
raw (`| safe`, or markup), so each value is inserted exactly as the macro would have. Only
values that the templates merely print are replaced by markers (the keys in `_VALUES`),
and only when they have no surrounding white space or line breaks (which `trim | indent`
would change); everything else is part of the shape. If anything unexpected comes out, the
macro renders the call itself. Tests render each component both ways, over generated
parameters, and compare the HTML byte for byte.

The loader below gives the listed components a `macro.jinja` that calls `component_once`;
templates and `collis.core.nhsuk_forms` import the macros as before."""

from __future__ import annotations

import re
import threading

from jinja2 import BaseLoader, TemplateNotFound, pass_environment
from markupsafe import Markup, escape

# The components whose macros take `params` alone and only print these values.
COMPONENTS = ("action-link", "back-link", "breadcrumb", "button", "checkboxes", "date-input",
              "inset-text", "input", "pagination", "radios", "select", "skip-link",
              "summary-list", "tag", "textarea", "warning-callout")
_VALUES = frozenset({"text", "html", "href", "visuallyHiddenText"})
# A text input only prints its value (radios, checkboxes and selects compare theirs).
_VALUES_OF = {"nhsuk/components/input/template.jinja": _VALUES | {"value"},
              # Pagination prints the previous and next pages' labels ("Page 2 of 9").
              "nhsuk/components/pagination/template.jinja": _VALUES | {"labelText"}}
_OPEN, _CLOSE = "\ue000", "\ue001"
_MARK = re.compile(f"{_OPEN}&(amp;)?([0-9]+){_CLOSE}")
_MACRO = re.compile(r"\{%-?\s*macro\s+(\w+)\(params\s*=\s*\{\}\)\s*-?%\}")
_KEPT_MAX = 4096
_kept: dict = {}
_lock = threading.Lock()


class ComponentLoader(BaseLoader):
    """`nhsuk/components/<name>/macro.jinja` of the listed components: the package's macro
    name and signature, rendered through `component_once` (a `caller` block still goes
    through the package's template)."""

    def __init__(self, package_loader):
        self.package_loader = package_loader

    def get_source(self, environment, template):
        parts = template.split("/")
        if (len(parts) != 4 or parts[:2] != ["nhsuk", "components"]
                or parts[3] != "macro.jinja" or parts[2] not in COMPONENTS):
            raise TemplateNotFound(template)
        original, _, _ = self.package_loader.get_source(environment, template)
        name = _MACRO.search(original)
        if name is None:  # a macro of another shape: the package's own
            raise TemplateNotFound(template)
        body = f"nhsuk/components/{parts[2]}/template.jinja"
        source = (f"{{% macro {name.group(1)}(params = {{}}) %}}"
                  f"{{%- if caller -%}}{{%- include {body!r} -%}}"
                  f"{{%- else -%}}{{{{ component_once({body!r}, params) }}}}"
                  f"{{%- endif -%}}{{% endmacro %}}")
        return source, None, lambda: True


def _shape(value, values: list, key=None, printed=_VALUES):
    """(the parameters with markers in place of printed values, a hashable shape)."""
    if isinstance(value, dict):
        pairs = [(name, *_shape(item, values, name, printed)) for name, item in value.items()]
        return ({name: marked for name, marked, _ in pairs},
                ("d", tuple((name, shape) for name, _, shape in pairs)))
    if isinstance(value, list | tuple):
        parts = [_shape(item, values, key, printed) for item in value]
        return (type(value)(marked for marked, _ in parts),
                ("l", type(value) is tuple, tuple(shape for _, shape in parts)))
    if isinstance(value, str) and _OPEN in value:
        # A component inside another's skeleton: rendered directly, and the outer one's
        # markers pass through it to be filled by the outer call.
        raise TypeError("a marker of an enclosing component")
    if (key in printed and isinstance(value, str) and value and value == value.strip()
            and "\n" not in value):
        marker = f"{_OPEN}&{len(values)}{_CLOSE}"
        values.append(value)
        if isinstance(value, Markup):
            return Markup(marker), ("m",)  # noqa: S704 - a marker, no user text
        return marker, ("s",)
    if isinstance(value, Markup):
        return value, ("M", str(value))
    if key == "value" and isinstance(value, str) and value:
        # What someone typed into a field is never kept in a process-wide cache.
        raise TypeError("a typed value")
    hash(value)  # a value that cannot be part of a key: TypeError, rendered directly
    return value, ("v", type(value).__name__, value)


def _insert(values: list):
    def replace(match):
        value = values[int(match.group(2))]
        return str(escape(value)) if match.group(1) else str(value)
    return replace


@pass_environment
def component_once(environment, template_name: str, params) -> Markup:
    """What the component's template renders for `params`, from its kept skeleton."""
    template = environment.get_template(template_name)
    values: list = []
    try:
        marked, shape = _shape(params or {}, values,
                               printed=_VALUES_OF.get(template_name, _VALUES))
    except TypeError:
        return Markup(template.render(params=params))  # noqa: S704 - the macro's own output
    key = (template_name, shape)
    skeleton = _kept.get(key)
    if skeleton is None:
        skeleton = template.render(params=marked)
        with _lock:
            if len(_kept) >= _KEPT_MAX:
                _kept.clear()
            _kept[key] = skeleton
    html = _MARK.sub(_insert(values), skeleton)
    if _OPEN in html or _CLOSE in html:  # a value the template did more than print
        return Markup(template.render(params=params))  # noqa: S704
    return Markup(html)  # noqa: S704 - the macro's own output with its values escaped
