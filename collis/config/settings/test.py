"""Settings for the test suite: fast password hashing, in-memory or PostgreSQL database."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "collis-test-key"  # noqa: S105
# Argon2 stays the production hasher; tests use a fast one so the suite is quick.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303
# Uploaded files go to MEDIA_ROOT whatever the environment says (tests of the S3 backend
# set it themselves: tests/test_storage.py).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ALLOWED_HOSTS = ["*"]
# Test databases are emptied between browser tests: let `flush` run on them.
COLLIS_ALLOW_FLUSH = True
# Text messages are kept in memory (collis.reminders.sms.outbox), like mail.outbox.
COLLIS_SMS_BACKEND = "collis.reminders.sms.LocmemBackend"
