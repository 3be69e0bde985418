"""The Jinja2 environment: NHS.UK frontend macros, Django's url and static, and the
navigation that the signed-in user's role may use."""

from collections import OrderedDict
from functools import lru_cache

from django.contrib.messages import get_messages
from django.core.signals import setting_changed
from django.templatetags.static import static as django_static
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader, Template
from markupsafe import Markup

from collis.config.components import ComponentLoader, component_once
from collis.core import presenters
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
    return _kept((macro.name, _frozen(params)), lambda: macro(params))


# The component's sign-out form has no CSRF field of its own: ours goes before its button.
_ACCOUNT_BUTTON = '<button class="nhsuk-header__account-button">'


def staff_header(request, csrf_input) -> Markup:
    """The staff layout's NHS.UK header: the navigation the user's role may use, with the
    section being shown marked, and the user's name with a sign-out form carrying this
    request's CSRF token. Kept per process by a key of plain values (the name, the role,
    the links and which is current), so that a page builds no parameters to look it up."""
    from collis.core.navigation import navigation_links
    from collis.core.nhsuk_forms.rendering import component_macro

    user = request.user
    links = navigation_links(user)
    path = request.path
    current = tuple(path == href if home else path.startswith(href) for _label, href, home in links)
    signed_in = user.is_authenticated
    person = (user.display_name, user.role_label) if signed_in else None
    html = _kept(("staff-header", person, links, current), lambda: component_macro("header")({
        "service": {"text": "Collis", "href": url("home")},
        "logo": {"href": url("home"), "ariaLabel": "Collis homepage"},
        "account": {"items": [
            {"text": f"{person[0]} ({person[1]})", "icon": True},
            {"text": "Sign out", "action": url("logout"), "method": "post"}]} if person else False,
        "navigation": {"items": [
            {"text": label, "href": href, "current": is_current}
            for (label, href, _home), is_current in zip(links, current, strict=True)]},
    }))
    if signed_in:
        # As text: Markup.replace would escape the field. Both are markup already.
        return Markup(str(html).replace(_ACCOUNT_BUTTON, str(csrf_input) + _ACCOUNT_BUTTON))  # noqa: S704
    return html


def staff_footer() -> Markup:
    """The staff layout's NHS.UK footer, the same on every page (kept per process; the
    links' URLs are the key)."""
    from collis.core.nhsuk_forms.rendering import component_macro

    links = (url("sites:site_list"), url("accessibility"), url("api:openapi-view"))
    return _kept(("staff-footer", links), lambda: component_macro("footer")({
        "meta": {"items": [
            {"href": links[0], "text": "Our sites"},
            {"href": links[1], "text": "Accessibility statement"},
            {"href": links[2], "text": "API documentation"}]},
        "copyright": {"text": "Collis – open-source software for dystonia services"},
    }))


def skip_link() -> Markup:
    """The NHS.UK skip link to the main content, the same on every page (kept)."""
    from collis.core.nhsuk_forms.rendering import component_macro

    return _kept(("skip-link",), lambda: component_macro("skip-link")(
        {"href": "#maincontent", "text": "Skip to main content"}))


def _kept(key, render) -> Markup:
    """The rendering kept under `key`, or `render()`'s, kept (the oldest forgotten past
    _RENDERED_MAX)."""
    html = _RENDERED.get(key)
    if html is None:
        html = _RENDERED[key] = render()
        if len(_RENDERED) > _RENDERED_MAX:
            _RENDERED.popitem(last=False)
    return html


class _Template(Template):
    """Jinja's template, with a quicker check when another template imports its macros
    (`{% from ... import ... %}`, eight times on every page). Jinja makes a fresh module when
    the importing page has globals the imported template lacks, and finds out with a set
    difference over a chain of dictionaries on every import: here the template's global
    names are read once, and only a page with other globals goes the long way."""

    _global_names: frozenset | None = None

    def _get_default_module(self, ctx=None):
        if ctx is not None and self._module is not None:
            names = self._global_names
            if names is None:
                names = self._global_names = frozenset(self.globals)
            if ctx.globals_keys <= names:
                return self._module
        return super()._get_default_module(ctx)


def environment(**options) -> Environment:
    # Our app templates come first, then the NHS.UK frontend components (the listed ones
    # rendered from kept skeletons: collis.config.components).
    package = PackageLoader("nhsuk_frontend_jinja")
    options["loader"] = ChoiceLoader([options.pop("loader"), ComponentLoader(package), package])
    options["undefined"] = ChainableUndefined
    options.setdefault("extensions", [])
    env = Environment(**options)  # noqa: S701 - autoescape is set in settings.TEMPLATES
    env.template_class = _Template
    env.globals.update(
        url=url,
        static=static,
        get_messages=get_messages,
        page_query=page_query,
        render_once=render_once,
        staff_header=staff_header,
        staff_footer=staff_footer,
        skip_link=skip_link,
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
