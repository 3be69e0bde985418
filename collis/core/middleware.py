"""Request middleware: sign-in required by default, and sign-out after idle time."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.shortcuts import redirect


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a signed-in user unless its view is marked `login_not_required`.

    The API authenticates each request with a bearer token instead of a session."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
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
                return redirect(f"{settings.LOGIN_URL_PATH}?next={request.get_full_path()}")
            # Note activity at most once a minute, so that most requests do not write the
            # session back to the database.
            if last_seen is None or now - last_seen > 60:
                request.session[self.SESSION_KEY] = now
        return self.get_response(request)
