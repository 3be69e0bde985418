"""Django's database session store, reading the session and its user in one query with SQL
compiled once (collis.core.prepared): both are read on every signed-in request.

The session is a `collis.core.models.UserSession`: Django's session table with the user's id
in a column, written whenever the session is saved (`create_model_instance`). The read joins
the user, and `collis.core.backends.ModelBackend.get_user` takes the user read with the
session (`session_user`) while `collis.core.middleware.AuthenticationMiddleware` resolves the
request's user, instead of asking the database again. Everything Django checks still holds:
the user id and backend come from the session's data, the user must be active, and the
session's hash must match the user's password."""

from __future__ import annotations

import contextlib
import contextvars
import datetime

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import router
from django.utils import timezone

from collis.core.prepared import PreparedQuery

# The session store whose user `ModelBackend.get_user` may take, set only while the
# request's user is being resolved (`session_user_offered`).
_OFFERED: contextvars.ContextVar[SessionStore | None] = contextvars.ContextVar(
    "collis_session_offered", default=None)


def _session_query() -> PreparedQuery:
    from collis.core.models import UserSession

    return PreparedQuery(
        lambda session_key, now: UserSession.objects.filter(
            session_key=session_key, expire_date__gt=now).select_related("user"),
        session_key=str, now=datetime.datetime)


_SESSION: PreparedQuery | None = None


class SessionStore(DatabaseSessionStore):
    """`django.contrib.sessions.backends.db`'s store on `UserSession`: its read is prepared
    and brings the user; its write records the user's id."""

    # The user read with the session (None if none, or not read yet).
    user_read = None

    @classmethod
    def get_model_class(cls):
        from collis.core.models import UserSession

        return UserSession

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        try:
            instance.user_id = int(data[SESSION_KEY])
        except (KeyError, TypeError, ValueError):
            instance.user_id = None
        return instance

    def _get_session_from_db(self):
        global _SESSION
        model = self.model
        query = _SESSION or (_SESSION := _session_query())
        found = query.instances(using=router.db_for_read(model),
                                session_key=self.session_key, now=timezone.now())
        if found:
            self.user_read = found[0].user if found[0].user_id is not None else None
            return found[0]
        self._session_key = None
        return None


@contextlib.contextmanager
def session_user_offered(session):
    """While resolving the request's user, let the backend take the user read with
    `session` (if it is a `SessionStore` of this module)."""
    token = _OFFERED.set(session if isinstance(session, SessionStore) else None)
    try:
        yield
    finally:
        _OFFERED.reset(token)


def session_user(user_id: int):
    """The user read with the session being resolved, if it is the user `user_id`."""
    store = _OFFERED.get()
    user = store.user_read if store is not None else None
    return user if user is not None and user.pk == user_id else None
