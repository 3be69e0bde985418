"""Settings for production: DEBUG off; the secret key and allowed hosts must come from the
environment, and the site is served over HTTPS behind a proxy."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = False
if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("Set COLLIS_SECRET_KEY to a long random value.")
if not ALLOWED_HOSTS:  # noqa: F405
    raise ImproperlyConfigured("Set COLLIS_ALLOWED_HOSTS to the host names Collis serves.")

SECURE_SSL_REDIRECT = env_bool("COLLIS_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Static files get content-hashed names (cached for a year by browsers) and compressed
# copies; WhiteNoise serves them from STATIC_ROOT. Uploaded files: base.media_storage().
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
