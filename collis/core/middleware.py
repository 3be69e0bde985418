"""Request middleware: sign-in required by default, sign-out after idle time, and no
caching of anything a signed-in user or an API client is shown."""

import time
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers

from collis.core.permissions import SAFE_METHODS


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a signed-in user unless its view is marked `login_not_required`.

    The API authenticates each request with a bearer token instead of a session."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(("/api/", "/admin/")):
            return None  # the API and the admin check access their own way
        if not hasattr(view_func, "required_capability"):
            # Deny by default: a page that forgot to say what it needs is shown to nobody.
            raise PermissionDenied("This page does not say who may use it.")
        allowed = getattr(view_func, "http_methods", SAFE_METHODS)
        if request.method not in allowed:
            # A page that only reads refuses a POST (or any other write) outright.
            return HttpResponseNotAllowed(allowed)
        return super().process_view(request, view_func, view_args, view_kwargs)


class IdleTimeoutMiddleware:
    """Signs a user out after COLLIS_IDLE_TIMEOUT without a request."""

    SESSION_KEY = "collis_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(self.SESSION_KEY)
            limit = settings.COLLIS_IDLE_TIMEOUT.total_seconds()
            if last_seen is not None and now - last_seen > limit:
                from collis.core.services import user_logout  # avoid an import cycle

                user_logout(request=request, reason="idle timeout")
                logout(request)
                minutes = int(limit // 60)
                messages.info(
                    request,
                    f"You were signed out because you had not used Collis for {minutes} "
                    "minutes. Sign in again to carry on.",
                )
                return redirect(f"{settings.LOGIN_URL_PATH}?next="
                                f"{quote(request.get_full_path(), safe='/')}")
            # The idle time counts from the last request, to the second.
            request.session[self.SESSION_KEY] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store` (and private, no-cache) on every response to a signed-in
    user and every API response, so that patient data in pages, PDFs, letters and JSON is
    never kept by a browser or a shared cache. Static files are served before this."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path_info.startswith("/api/") or getattr(user, "is_authenticated", False):
            add_never_cache_headers(response)
        return response
