"""Role checks for views."""

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.views.decorators.http import require_http_methods

from collis.core.roles import Capability, can, refusal_message


def require(capability: Capability):
    """Refuse the view (403) unless the signed-in user's role has the capability. Every
    page that is not `public` declares one: a test walks the URLs to keep it so."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not can(request.user, capability):
                raise PermissionDenied(refusal_message(capability))
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability
        return wrapped

    return decorator


SAFE_METHODS = ("GET", "HEAD")


def methods(*names: str):
    """The HTTP methods a page accepts (405 for any other). A page that does not say
    accepts only GET and HEAD: `LoginRequiredMiddleware` refuses a POST to a page that only
    reads."""
    allowed = tuple(dict.fromkeys(n.upper() for n in names))
    accepted = allowed + tuple(m for m in SAFE_METHODS if "GET" in allowed and m not in allowed)

    def decorator(view):
        wrapped = require_http_methods(list(accepted))(view)
        wrapped.http_methods = accepted
        return wrapped

    return decorator


def signed_in(view):
    """A page for any signed-in user, whatever their role (the home page, sign-out)."""
    view.required_capability = None
    view.signed_in_only = True
    return view


def public(view):
    """A page anyone may see without signing in (sign-in, accessibility, error pages)."""
    view = login_not_required(view)
    view.required_capability = None
    view.public = True
    return view


def api_require(request, capability: Capability) -> None:
    from collis.core.api import api_require as check

    check(request, capability)
