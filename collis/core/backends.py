"""Django's model authentication backend, reading the signed-in user with SQL compiled once
(collis.core.prepared): the user is read on every signed-in request."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import router

from collis.core.prepared import PreparedQuery

_USER = PreparedQuery(lambda pk: get_user_model()._default_manager.filter(pk=pk), pk=int)


class ModelBackend(DjangoModelBackend):
    """`django.contrib.auth.backends.ModelBackend`; only `get_user` is prepared."""

    def get_user(self, user_id):
        model = get_user_model()
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        found = _USER.instances(using=router.db_for_read(model), pk=pk)
        if not found:
            return None
        return found[0] if self.user_can_authenticate(found[0]) else None
