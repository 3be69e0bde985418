"""Settings for the test suite: fast password hashing, in-memory or PostgreSQL database."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "collis-test-key"  # noqa: S105
# Argon2 stays the production hasher; tests use a fast one so the suite is quick.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ALLOWED_HOSTS = ["*"]
