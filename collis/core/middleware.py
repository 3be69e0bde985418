"""Request middleware: sign-in required by default, sign-out after idle time, and no
caching of anything a signed-in user or an API client is shown."""

import contextlib
import time
from urllib.parse import quote

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import (
    AuthenticationMiddleware as DjangoAuthenticationMiddleware,
)
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject

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
    """Signs a user out after COLLIS_IDLE_TIMEOUT without a request, counted to the second
    from the last one.

    The time of the last request travels in a cookie signed for this session (`COOKIE`), so
    that a request does not write the session row; a cookie from another session, or
    tampered with, is ignored. The session keeps the time of sign-in (`SESSION_KEY`), which
    counts when the cookie is missing: a session cookie taken without it times out from the
    sign-in, never later than the user's own."""

    COOKIE = "collis_seen"
    SESSION_KEY = "collis_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def _signer(session_key: str) -> signing.Signer:
        return signing.Signer(salt=f"collis.idle.{session_key}")

    @classmethod
    def cookie_value(cls, session_key: str, seen: float) -> str:
        return cls._signer(session_key).sign(f"{seen:.3f}")

    @classmethod
    def last_seen(cls, request) -> float | None:
        stamps = [request.session.get(cls.SESSION_KEY)]
        value = request.COOKIES.get(cls.COOKIE)
        if value and request.session.session_key:
            with contextlib.suppress(signing.BadSignature, ValueError):
                stamps.append(float(cls._signer(request.session.session_key).unsign(value)))
        return max((stamp for stamp in stamps if stamp is not None), default=None)

    def __call__(self, request):
        now = time.time()
        if request.user.is_authenticated:
            # The user is loaded now: pages read them through `request.user` dozens of
            # times, and each read of the lazy wrapper costs more than the attribute.
            request.user = getattr(request.user, "_wrapped", request.user)
            last_seen = self.last_seen(request)
            limit = settings.COLLIS_IDLE_TIMEOUT.total_seconds()
            if last_seen is not None and now - last_seen > limit:
                from collis.core.services import user_logout  # avoid an import cycle

                user_logout(request=request, reason="idle timeout")
                # A patient signs in again at the portal's sign-in, not at staff's.
                sign_in = (settings.COLLIS_PORTAL_SIGN_IN_PATH
                           if request.user.account_type == "patient" else settings.LOGIN_URL_PATH)
                logout(request)
                minutes = int(limit // 60)
                messages.info(
                    request,
                    f"You were signed out because you had not used Collis for {minutes} "
                    "minutes. Sign in again to carry on.",
                )
                response = redirect(f"{sign_in}?next="
                                    f"{quote(request.get_full_path(), safe='/')}")
                response.delete_cookie(self.COOKIE)
                return response
        response = self.get_response(request)
        # After the view: signing in happens inside it.
        if request.user.is_authenticated and hasattr(request, "session"):
            if self.SESSION_KEY not in request.session:
                request.session[self.SESSION_KEY] = now  # once, at sign-in
            if request.session.session_key:
                response.set_cookie(
                    self.COOKIE, self.cookie_value(request.session.session_key, now),
                    secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")
        elif self.COOKIE in request.COOKIES:
            response.delete_cookie(self.COOKIE)
        return response


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


class AuditBatchMiddleware:
    """Collects the request's read entries (`collis.core.audit.AuditBatch`) and writes them
    in one statement once the view has answered, whether it answered or failed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from collis.core.audit import AuditBatch

        batch = request._collis_audit_batch = AuditBatch()
        try:
            response = self.get_response(request)
        finally:
            batch.write()
        return response


def _user_from_session(request):
    if not hasattr(request, "_cached_user"):
        from collis.core.sessions import session_user_offered

        with session_user_offered(request.session):
            request._cached_user = auth.get_user(request)
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's authentication middleware, resolving the user with `auth.get_user` as it
    does, but letting the backend take the user read with the session in the same query
    (`collis.core.sessions`): one round trip to the database fewer on every request."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user_from_session(request))
