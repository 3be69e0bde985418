"""Django's model authentication backend, reading the signed-in user with SQL compiled once
(collis.core.prepared), or taking the user read with the request's session
(`collis.core.sessions.session_user`): the user is needed on every signed-in request."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import router

from collis.core.prepared import PreparedQuery
from collis.core.sessions import session_user

_USER = PreparedQuery(lambda pk: get_user_model()._default_manager.filter(pk=pk), pk=int)


class ModelBackend(DjangoModelBackend):
    """`django.contrib.auth.backends.ModelBackend`; only `get_user` differs: it takes the
    user read with the session when that is the user asked for, and otherwise reads them with
    a prepared query. Either way an inactive user is refused, as Django's backend does."""

    def get_user(self, user_id):
        model = get_user_model()
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        user = session_user(pk)
        if user is None:
            found = _USER.instances(using=router.db_for_read(model), pk=pk)
            if not found:
                return None
            user = found[0]
        return user if self.user_can_authenticate(user) else None
