"""Django's database session store, reading the session with SQL compiled once
(collis.core.prepared): the session is read on every signed-in request."""

from __future__ import annotations

import datetime

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db import router
from django.utils import timezone

from collis.core.prepared import PreparedQuery

_SESSION = PreparedQuery(
    lambda session_key, now: Session.objects.filter(session_key=session_key,
                                                    expire_date__gt=now),
    session_key=str, now=datetime.datetime)


class SessionStore(DatabaseSessionStore):
    """The same store as `django.contrib.sessions.backends.db`; only its read is prepared."""

    def _get_session_from_db(self):
        found = _SESSION.instances(using=router.db_for_read(Session),
                                   session_key=self.session_key, now=timezone.now())
        if found:
            return found[0]
        self._session_key = None
        return None
