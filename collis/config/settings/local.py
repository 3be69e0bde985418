"""Settings for a developer's machine: DEBUG on, a fixed insecure key, SQLite by default."""

import os

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("COLLIS_DEBUG", True)
SECRET_KEY = SECRET_KEY or "collis-local-development-key-not-for-production"  # noqa: F405, S105
# Emails (enquiry replies) are printed by the task worker (`collis manage db_worker`).
EMAIL_BACKEND = os.environ.get("COLLIS_EMAIL_BACKEND",
                               "django.core.mail.backends.console.EmailBackend")
