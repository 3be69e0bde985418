"""The Jinja2 environment: NHS.UK frontend macros, Django's url and static, and the
navigation that the signed-in user's role may use."""

from collections import OrderedDict
from functools import lru_cache

from django.contrib.messages import get_messages
from django.core.signals import setting_changed
from django.templatetags.static import static as django_static
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader
from markupsafe import Markup

from collis.config.components import ComponentLoader, component_once
from collis.core import presenters
from collis.core.navigation import navigation_for
from collis.core.nhsuk_forms import error_summary
from collis.core.reverse import reverse_kept
from collis.patients.presenters import record_sections


def url(name: str, *args, **kwargs) -> str:
    return reverse_kept(name, args=args or None, kwargs=kwargs or None)


@lru_cache(maxsize=512)
def static(path: str) -> str:
    """Django's `static`, kept per process: a file's URL (with its hashed name in
    production's manifest) does not change while the process runs, and every page asks for
    the same eight."""
    return django_static(path)


def _static_forget(*, setting, **kwargs):
    if setting in ("STATIC_URL", "STATIC_ROOT", "STORAGES"):
        static.cache_clear()


setting_changed.connect(_static_forget)


def page_query(request, *names: str) -> str:
    """The current query string without its page number (or the parameters named), for
    pagination links."""
    query = request.GET.copy()
    for name in names or ("page",):
        query.pop(name, None)
    return query.urlencode()


_RENDERED: OrderedDict = OrderedDict()
_RENDERED_MAX = 1024


def _frozen(value):
    """A hashable copy of macro parameters that tells markup from text (the macro escapes
    one and not the other, so they must never share a key)."""
    if isinstance(value, Markup):
        return ("markup", str(value))
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    return value


def render_once(macro, params: dict):
    """What an NHS.UK component macro renders for these parameters, rendered once per
    process and kept (the header and footer are the same on every page for a user and a
    place in the site, and cost over a millisecond each to render). The macros depend on
    their parameters alone; the parameters are the key."""
    key = (macro.name, _frozen(params))
    html = _RENDERED.get(key)
    if html is None:
        html = macro(params)  # Markup: the environment autoescapes
        _RENDERED[key] = html
        if len(_RENDERED) > _RENDERED_MAX:
            _RENDERED.popitem(last=False)
    return html


def environment(**options) -> Environment:
    # Our app templates come first, then the NHS.UK frontend components (the listed ones
    # rendered from kept skeletons: collis.config.components).
    package = PackageLoader("nhsuk_frontend_jinja")
    options["loader"] = ChoiceLoader([options.pop("loader"), ComponentLoader(package), package])
    options["undefined"] = ChainableUndefined
    options.setdefault("extensions", [])
    env = Environment(**options)  # noqa: S701 - autoescape is set in settings.TEMPLATES
    env.globals.update(
        url=url,
        static=static,
        get_messages=get_messages,
        navigation_for=navigation_for,
        page_query=page_query,
        render_once=render_once,
        component_once=component_once,
        record_sections=record_sections,
        error_summary=error_summary,
    )
    env.filters.update(
        date_long=presenters.date_long,
        datetime_long=presenters.datetime_long,
        nhs_number=presenters.format_nhs_number,
    )
    return env
