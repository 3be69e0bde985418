"""Role checks for views."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from collis.core.roles import Capability, can


def require(capability: Capability):
    """Refuse the view (403) unless the signed-in user's role has the capability."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not can(request.user, capability):
                raise PermissionDenied(f"Your role cannot {capability.value.replace('_', ' ')}.")
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability
        return wrapped

    return decorator


def api_require(request, capability: Capability) -> None:
    """The API's role check: 403 with the same words as the pages unless the token's user
    has the capability."""
    from ninja.errors import HttpError

    if not can(request.auth, capability):
        raise HttpError(403, f"Your role cannot {capability.value.replace('_', ' ')}.")
