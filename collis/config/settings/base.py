"""Settings shared by every environment. Values that differ between deployments come from
environment variables (see README, "Configuration")."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parents[3]


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("COLLIS_SECRET_KEY", "")
# The key of research extracts' pseudonyms and date shifts (collis.domain.deidentify): kept
# here, never in an extract. Without it, a key derived from SECRET_KEY is used.
COLLIS_RESEARCH_PSEUDONYM_KEY = os.environ.get("COLLIS_RESEARCH_PSEUDONYM_KEY", "")
# Local policy: how long a research extract's file may be downloaded (by the person who
# asked for it) before it is deleted; the record of the extract is kept (README, "Service
# audit"). A week by default, UNSOURCED.
COLLIS_RESEARCH_EXTRACT_EXPIRY_HOURS = int(os.environ.get(
    "COLLIS_RESEARCH_EXTRACT_EXPIRY_HOURS", "168"))
# Local policy (UNSOURCED): how often the task worker recomputes the toxin clinic summaries
# of the service audit (ADR 0020); 0 stops the refresh from queueing itself again.
COLLIS_AUDIT_SUMMARY_REFRESH_MINUTES = int(os.environ.get(
    "COLLIS_AUDIT_SUMMARY_REFRESH_MINUTES", "60"))
DEBUG = env_bool("COLLIS_DEBUG", False)
ALLOWED_HOSTS = env_list("COLLIS_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("COLLIS_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "collis.core.apps.CollisAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "collis.core",
    "collis.sites",
    "collis.patients",
    "collis.assessments",
    "collis.treatments",
    "collis.investigations",
    "collis.candidacy",
    "collis.surgery",
    "collis.mdt",
    "collis.consent",
    "collis.outcomes",
    "collis.policy",
    "collis.enquiries",
    "collis.public",
    "collis.scheduling",
    "collis.reminders",
    "collis.letters",
    "collis.fhir_api",
    "collis.portal",
    "collis.questionnaires",
    "collis.service_audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the user read in the session's query (collis.core.sessions).
    "collis.core.middleware.AuthenticationMiddleware",
    # The request's reads audited in one statement when the view has answered.
    "collis.core.middleware.AuditBatchMiddleware",
    "collis.core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "collis.core.middleware.IdleTimeoutMiddleware",
    "collis.core.middleware.LoginRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "collis.config.urls"
WSGI_APPLICATION = "collis.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "collis.config.jinja2.environment",
            "autoescape": True,
            # The public layout's contact link, service name and disclaimer (ADR 0013).
            "context_processors": ["collis.public.presenters.public_settings"],
        },
    },
    {
        # The Django admin and the API docs page ship Django templates.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'var' / 'collis.sqlite3'}",
        conn_max_age=int(os.environ.get("COLLIS_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A fresh clone has no var/ yet: create the database file's folder.
    if str(DATABASES["default"]["NAME"]) != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers work while a writer commits; a busy timeout avoids "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and (
        os.environ.get("COLLIS_DB_SERVER_SIDE_BINDING", "1") == "1"):
    # Values sent apart from the SQL, so that psycopg prepares a statement the connection
    # has run five times and PostgreSQL stops parsing and planning it (ADR 0015 addendum).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the user with SQL compiled once (collis.core.prepared).
    "collis.core.backends.ModelBackend",
]
# Django's database sessions with the user's id in a column, read with the user in one
# prepared query (collis.core.sessions).
SESSION_ENGINE = "collis.core.sessions"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock-out after repeated failed logins (django-axes), per username.
AXES_FAILURE_LIMIT = int(os.environ.get("COLLIS_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("COLLIS_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "collis.core.views.lockout"
AXES_VERBOSE = False

# Sessions end after a period without activity (IdleTimeoutMiddleware), and at most after
# a working day whatever the activity.
COLLIS_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("COLLIS_IDLE_TIMEOUT_MINUTES", "30")))
# How long the audit log is kept before `collis audit archive` may move a month out of the
# database into files. Local policy (UNSOURCED): set by the unit's information governance.
COLLIS_AUDIT_RETENTION_YEARS = int(os.environ.get("COLLIS_AUDIT_RETENTION_YEARS", "8"))
# API tokens stop working this many days after they are made (0: never).
COLLIS_API_TOKEN_LIFETIME_DAYS = int(os.environ.get("COLLIS_API_TOKEN_LIFETIME_DAYS", "90"))
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "collis.core.views.csrf_failure"

# Security headers
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        # The NHS.UK frontend styles load the Frutiger typeface from the NHS asset server.
        "font-src": [SELF, *env_list("COLLIS_FONT_SOURCES", "https://assets.nhs.uk")],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
# `collis manage collectstatic` gathers the static files here; WhiteNoise serves them.
STATIC_ROOT = Path(os.environ.get("COLLIS_STATIC_ROOT", BASE_DIR / "var" / "static"))
# The NHS.UK frontend, installed by `npm ci`: its built files are served under static/nhsuk/.
COLLIS_NHSUK_FRONTEND_DIR = BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "collis.config.staticfiles.NhsukFrontendFinder",
]
# Uploaded files, outside the web root: no URL serves them, only permitted, audited views.
MEDIA_ROOT = Path(os.environ.get("COLLIS_MEDIA_ROOT", BASE_DIR / "var" / "media"))


def media_storage() -> dict:
    """Where uploaded files are kept: MEDIA_ROOT by default, or a private bucket of
    S3-compatible object storage, which several app servers can share, when
    COLLIS_S3_BUCKET is set (README, "Production")."""
    bucket = os.environ.get("COLLIS_S3_BUCKET", "").strip()
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            # Empty for Amazon S3; the server's address for other S3-compatible stores.
            "endpoint_url": os.environ.get("COLLIS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("COLLIS_S3_REGION") or None,
            "location": os.environ.get("COLLIS_S3_PREFIX", "").strip("/"),
            "addressing_style": os.environ.get("COLLIS_S3_ADDRESSING_STYLE") or None,
            # No ACL of our own: objects stay as private as the bucket. A URL to a file
            # works only when signed, and only for a few minutes.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }


# Credentials for the bucket come from boto3's usual chain (AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY, or the server's role), never from this file.
STORAGES = {
    "default": media_storage(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

NINJA_PAGINATION_PER_PAGE = 25

# How many rows a list page shows.
COLLIS_PAGE_SIZE = 25
# The FHIR API's search pages: the size without _count, and the most _count may ask for.
COLLIS_FHIR_PAGE_SIZE = int(os.environ.get("COLLIS_FHIR_PAGE_SIZE", "20"))
COLLIS_FHIR_MAX_COUNT = int(os.environ.get("COLLIS_FHIR_MAX_COUNT", "100"))
# The most resources one _revinclude value brings for one search page (local policy): past
# it the Bundle carries an OperationOutcome warning naming the search that has them all.
COLLIS_FHIR_REVINCLUDE_MAX = int(os.environ.get("COLLIS_FHIR_REVINCLUDE_MAX", "200"))
# How long the files of a FHIR bulk export ($export) are kept for the requester to
# download, in hours (local policy); then they are deleted and the export answers 410.
COLLIS_FHIR_BULK_EXPIRY_HOURS = int(os.environ.get("COLLIS_FHIR_BULK_EXPIRY_HOURS", "24"))
# How many processes the task worker forks to write one bulk export side by side on
# PostgreSQL (0: one per core; SQLite always uses one), and the rows each takes at a time
# (each share is its own file or files).
COLLIS_FHIR_BULK_PROCESSES = int(os.environ.get("COLLIS_FHIR_BULK_PROCESSES", "0"))
COLLIS_FHIR_BULK_UNIT_ROWS = int(os.environ.get("COLLIS_FHIR_BULK_UNIT_ROWS", "25000"))
# SMART Backend Services: how long an access token from /fhir/R4/auth/token works (the
# specification suggests five minutes), and whether a system client's JWKS URL may be plain
# http (only for a test or a closed network; https otherwise).
COLLIS_SMART_ACCESS_TOKEN_SECONDS = int(
    os.environ.get("COLLIS_SMART_ACCESS_TOKEN_SECONDS", "300"))
COLLIS_SMART_JWKS_HTTP_ALLOWED = env_bool("COLLIS_SMART_JWKS_HTTP_ALLOWED", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("COLLIS_LOG_LEVEL", "WARNING")},
}
LOGIN_URL_PATH = "/login/"
# The patient portal (collis.portal, ADR 0021): patients sign in here, never at LOGIN_URL.
COLLIS_PORTAL_SIGN_IN_PATH = "/portal/sign-in/"
# How long an invitation link to the portal works (local policy).
COLLIS_PORTAL_INVITATION_DAYS = int(os.environ.get("COLLIS_PORTAL_INVITATION_DAYS", "7"))
# The name authenticator apps show beside a patient's codes.
OTP_TOTP_ISSUER = os.environ.get("COLLIS_PORTAL_TOTP_ISSUER", "Collis")
# NHS login (OpenID Connect, ADR 0022): an optional way for patients with a portal account
# to sign in, offered only when COLLIS_NHS_LOGIN_ISSUER is set; then the client id, the
# private key's file and id, and the redirect URI must be set too (collis.portal.nhs_login
# checks them). The issuer's discovery document is at <issuer>/.well-known/openid-configuration.
COLLIS_NHS_LOGIN_ISSUER = os.environ.get("COLLIS_NHS_LOGIN_ISSUER", "").strip()
COLLIS_NHS_LOGIN_CLIENT_ID = os.environ.get("COLLIS_NHS_LOGIN_CLIENT_ID", "").strip()
# The client's RSA private key (PEM), which signs its client assertions (private_key_jwt,
# RS512), and the key id NHS login knows its public half by.
COLLIS_NHS_LOGIN_PRIVATE_KEY_FILE = os.environ.get("COLLIS_NHS_LOGIN_PRIVATE_KEY_FILE",
                                                   "").strip()
COLLIS_NHS_LOGIN_KEY_ID = os.environ.get("COLLIS_NHS_LOGIN_KEY_ID", "").strip()
# Where NHS login sends the patient back: https://<host>/portal/sign-in/nhs-login/callback/,
# exactly as registered with NHS login.
COLLIS_NHS_LOGIN_REDIRECT_URI = os.environ.get("COLLIS_NHS_LOGIN_REDIRECT_URI", "").strip()
# `profile` gives the NHS number and date of birth that link the patient to their record.
COLLIS_NHS_LOGIN_SCOPES = os.environ.get("COLLIS_NHS_LOGIN_SCOPES", "openid profile")
# The identity proofing level an NHS login must have (P9: checked against photo ID; P5:
# checked against the NHS's demographic records only).
COLLIS_NHS_LOGIN_IDENTITY_LEVEL = os.environ.get("COLLIS_NHS_LOGIN_IDENTITY_LEVEL",
                                                 "P9").strip().upper()
# Seconds Collis waits for each answer from NHS login's servers.
COLLIS_NHS_LOGIN_TIMEOUT = float(os.environ.get("COLLIS_NHS_LOGIN_TIMEOUT", "10"))

# Lock-out is per account, not per address: a hospital's staff often share one address
# behind NAT, and locking it would lock out the whole unit.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Local settings read from the environment (see README, "Production").
# How many proxies in front of Collis add X-Forwarded-For (the audit log's client address).
COLLIS_TRUSTED_PROXY_COUNT = int(os.environ.get("COLLIS_TRUSTED_PROXY_COUNT", "0"))
# Local policy, needs clinical sign-off: days between counselling and signing consent.
COLLIS_CONSENT_COOLING_OFF_DAYS = int(os.environ.get("COLLIS_CONSENT_COOLING_OFF_DAYS", "14"))
# Largest file accepted for an investigation (bytes).
COLLIS_UPLOAD_MAX_BYTES = int(os.environ.get("COLLIS_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))

# Email (README, "Enquiries"): SMTP with these settings in production; local.py prints
# emails to the console instead, and the test runner keeps them in memory.
EMAIL_BACKEND = os.environ.get("COLLIS_EMAIL_BACKEND",
                               "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("COLLIS_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("COLLIS_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("COLLIS_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("COLLIS_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("COLLIS_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("COLLIS_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("COLLIS_EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("COLLIS_EMAIL_FROM", "Dystonia unit <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where an enquirer's answer to our email goes (the unit's shared mailbox), if set.
COLLIS_ENQUIRY_REPLY_TO = env_list("COLLIS_ENQUIRY_REPLY_TO")
# Enquiries. Local policy (UNSOURCED), set by the unit: how many enquiries one address
# (client IP) may send in an hour, and one email address in a day, before the form refuses;
# how long the form says a reply takes; how long the worker waits before each new try at
# an email that failed (seconds, one value per retry; after the last it gives up and the
# inbox shows the failure).
COLLIS_ENQUIRY_LIMIT_PER_ADDRESS_PER_HOUR = int(
    os.environ.get("COLLIS_ENQUIRY_LIMIT_PER_ADDRESS_PER_HOUR", "10"))
COLLIS_ENQUIRY_LIMIT_PER_EMAIL_PER_DAY = int(
    os.environ.get("COLLIS_ENQUIRY_LIMIT_PER_EMAIL_PER_DAY", "3"))
COLLIS_ENQUIRY_REPLY_WORKING_DAYS = int(os.environ.get("COLLIS_ENQUIRY_REPLY_WORKING_DAYS", "5"))
COLLIS_ENQUIRY_EMAIL_RETRY_SECONDS = [
    int(s) for s in env_list("COLLIS_ENQUIRY_EMAIL_RETRY_SECONDS", "60,300,900,3600,14400")]
# Appointment messages (collis.reminders, ADR 0018). Local policy (UNSOURCED), set by the
# unit: how many hours before an appointment each reminder is sent, and how long the worker
# waits before each new try after a failure. The text-message backend is a class path, like
# EMAIL_BACKEND (a provider's backend subclasses collis.reminders.sms.BaseSmsBackend); the
# calendar domain makes each appointment's calendar UID unique to this installation.
COLLIS_REMINDER_HOURS_BEFORE = [
    float(h) for h in env_list("COLLIS_REMINDER_HOURS_BEFORE", "48")]
COLLIS_REMINDER_RETRY_SECONDS = [
    int(s) for s in env_list("COLLIS_REMINDER_RETRY_SECONDS", "60,300,900,3600")]
# How long a worker may hold a message it is sending before `reminders_send_due` takes it
# back for another try (local policy; far beyond EMAIL_TIMEOUT).
COLLIS_OUTBOX_SENDING_LEASE_SECONDS = int(
    os.environ.get("COLLIS_OUTBOX_SENDING_LEASE_SECONDS", "600"))
COLLIS_SMS_BACKEND = os.environ.get("COLLIS_SMS_BACKEND", "collis.reminders.sms.ConsoleBackend")
COLLIS_CALENDAR_DOMAIN = os.environ.get("COLLIS_CALENDAR_DOMAIN", "collis.localhost")
# Public pages. Where the "Contact us" link of the public pages leads (the enquiry form).
COLLIS_CONTACT_URL = os.environ.get("COLLIS_CONTACT_URL", "/contact/")
# The service's name in the public pages' header.
COLLIS_PUBLIC_SERVICE_NAME = os.environ.get("COLLIS_PUBLIC_SERVICE_NAME", "Dystonia service")
# The public pages' cache: files under var/ by default, which every worker process of one
# server shares, so that publishing or a withdrawn consent clears the page for all of them
# at once. Several servers need a cache they share (set COLLIS_PUBLIC_CACHE_BACKEND and
# COLLIS_PUBLIC_CACHE_LOCATION, e.g. django.core.cache.backends.redis.RedisCache).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public": {
        "BACKEND": os.environ.get("COLLIS_PUBLIC_CACHE_BACKEND",
                                  "django.core.cache.backends.filebased.FileBasedCache"),
        "LOCATION": os.environ.get("COLLIS_PUBLIC_CACHE_LOCATION",
                                   str(BASE_DIR / "var" / "cache" / "public")),
    },
}
# How long a public page is served from the cache (seconds). Publishing a page, or a
# change to a story's consent or a site, clears it at once.
COLLIS_PUBLIC_CACHE_SECONDS = int(os.environ.get("COLLIS_PUBLIC_CACHE_SECONDS", "3600"))
