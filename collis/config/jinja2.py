"""The Jinja2 environment: NHS.UK frontend macros, Django's url and static, and the
navigation that the signed-in user's role may use."""

from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader

from collis.core import presenters
from collis.core.navigation import navigation_for
from collis.core.nhsuk_forms import error_summary
from collis.patients.presenters import record_sections


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def page_query(request, *names: str) -> str:
    """The current query string without its page number (or the parameters named), for
    pagination links."""
    query = request.GET.copy()
    for name in names or ("page",):
        query.pop(name, None)
    return query.urlencode()


def environment(**options) -> Environment:
    # Our app templates come first, then the NHS.UK frontend components.
    options["loader"] = ChoiceLoader([options.pop("loader"), PackageLoader("nhsuk_frontend_jinja")])
    options["undefined"] = ChainableUndefined
    options.setdefault("extensions", [])
    env = Environment(**options)  # noqa: S701 - autoescape is set in settings.TEMPLATES
    env.globals.update(
        url=url,
        static=static,
        get_messages=get_messages,
        navigation_for=navigation_for,
        page_query=page_query,
        record_sections=record_sections,
        error_summary=error_summary,
    )
    env.filters.update(
        date_long=presenters.date_long,
        datetime_long=presenters.datetime_long,
        nhs_number=presenters.format_nhs_number,
    )
    return env
