"""Ascolto settings: one module, every value from the environment.

Every setting is listed in docs/configuration.md with its default and meaning.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

from ascolto.lib.env import env_bool, env_int, env_list, env_secret, env_str, private_dir

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = private_dir(Path(env_str("ASCOLTO_DATA_DIR", "data")).resolve())

DEBUG = env_bool("ASCOLTO_DEBUG", False)
SECRET_KEY = env_secret("ASCOLTO_SECRET_KEY", data_dir=DATA_DIR)
ALLOWED_HOSTS = env_list("ASCOLTO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("ASCOLTO_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("ASCOLTO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "ascolto.workspaces.admin_apps.AscoltoAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "ascolto.core",
    "ascolto.workspaces",
    "ascolto.audit",
    "ascolto.customers",
    "ascolto.interactions",
    "ascolto.notifications",
    "ascolto.feedback",
    "ascolto.voice",
    "ascolto.textanalysis",
    "ascolto.promises",
    "ascolto.cases",
    "ascolto.health",
    "ascolto.dashboards",
    "ascolto.onboarding",
    "ascolto.privacy",
    "ascolto.api",
    "ascolto.demo",
    "ascolto.bench",
    "ascolto.ops",
]

MIDDLEWARE = [
    # First, to time the whole answer and give every log line the request's id.
    "ascolto.ops.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ascolto.api.middleware.ApiMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ascolto.workspaces.tenancy.CurrentWorkspaceMiddleware",
    "ascolto.audit.context.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ascolto.urls"
WSGI_APPLICATION = "ascolto.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "ascolto.workspaces.tenancy.workspace_context",
            ],
            # Template filters of lib (not an app), for every app's templates.
            "libraries": {"badges": "ascolto.lib.badges", "numbers": "ascolto.lib.numbers"},
        },
    }
]

# --- Database -----------------------------------------------------------------------------------
# SQLite in the data folder unless DATABASE_URL says otherwise. WAL lets readers work while one
# writer writes; IMMEDIATE transactions take the write lock up front, so concurrent writers wait
# (up to the busy timeout) instead of failing with "database is locked" halfway through.
SQLITE_TIMEOUT_SECONDS = env_int("ASCOLTO_SQLITE_TIMEOUT", 30)
# Writers take turns before their transaction instead of in SQLite's busy handler (see
# ascolto/feedback/submissions/writers.py and docs/submissions.md); 0 turns that off.
SQLITE_WRITER_LOCK = env_bool("ASCOLTO_SQLITE_WRITER_LOCK", True)
_database_url = env_str("DATABASE_URL", "")
if _database_url:
    DATABASES = {
        "default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "ascolto.sqlite3",
            # Keep connections open between requests so the PRAGMAs run once per thread.
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    }
# PostgreSQL reached through a pooler in transaction mode (PgBouncer, docs/deployment.md): a
# server connection is lent for one transaction only, so a cursor kept open across transactions
# (Django's server-side cursors for `.iterator()`) would be looked for on another connection.
# Prepared statements stay off, as is Django's default with psycopg 3.
DB_POOLER = env_bool("ASCOLTO_DB_POOLER", False)
if DB_POOLER:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with writers taking turns before each transaction (SQLITE_WRITER_LOCK).
    DATABASES["default"]["ENGINE"] = "ascolto.feedback.submissions.sqlite"
    # Tests run in memory, as Django's default for SQLite (said explicitly: test runners that
    # recognise SQLite by Django's engine name would otherwise make up a file name).
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", ":memory:")
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": SQLITE_TIMEOUT_SECONDS,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                f"PRAGMA busy_timeout={SQLITE_TIMEOUT_SECONDS * 1000};"
            ),
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication and passwords ----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Username or email without regard to case; Django's own stays for sessions made with it.
    "ascolto.workspaces.security.CaseInsensitiveModelBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "workspaces:login"
LOGIN_REDIRECT_URL = "customers:customer-list"
LOGOUT_REDIRECT_URL = "workspaces:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Two-factor sign-in (docs/security.md): TOTP apps through django-otp, plus recovery codes.
OTP_TOTP_ISSUER = env_str("ASCOLTO_OTP_ISSUER", "Ascolto")
# Wrong codes in a row slow a device down (1 s, 2 s, 4 s, ... before the next try is looked at).
OTP_TOTP_THROTTLE_FACTOR = 1

# Login throttling: lock a username+address pair after repeated failures. The client address is
# the socket's unless the operator names a trusted reverse proxy, so a forged X-Forwarded-For
# header cannot rotate the address.
AXES_FAILURE_LIMIT = env_int("ASCOLTO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "workspaces/lockout.html"
# django-ipware is not installed, so axes would ignore a precedence order; the client address
# comes from our own function instead (socket address, or the proxy-appended entry when
# ASCOLTO_BEHIND_PROXY is on).
BEHIND_PROXY = env_bool("ASCOLTO_BEHIND_PROXY", False)
AXES_CLIENT_IP_CALLABLE = "ascolto.workspaces.security.client_ip"
AXES_USERNAME_CALLABLE = "ascolto.workspaces.security.login_username"
AXES_VERBOSE = False

# Rate limits (sign-in attempts, reset emails, survey answers; docs/security.md) count in the
# database, shared by every process; in Redis instead when ASCOLTO_REDIS_URL is set
# (redis://host:6379/0).
RATE_LIMIT_REDIS_URL = env_str("ASCOLTO_REDIS_URL", "")

# --- HTTPS, cookies and headers ------------------------------------------------------------------
# ASCOLTO_HTTPS is on by default: cookies are Secure and HSTS is sent. `make run` turns it off
# for the local demo on http://127.0.0.1:8000.
HTTPS = env_bool("ASCOLTO_HTTPS", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SECURE_SSL_REDIRECT = HTTPS and env_bool("ASCOLTO_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("ASCOLTO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is a one-way decision for the operator's whole domain; we do not take it.
    "security.W021",
]

# Strict content security policy: no inline script or style, no eval, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# --- Internationalisation ------------------------------------------------------------------------
LANGUAGE_CODE = env_str("ASCOLTO_LANGUAGE", "it")
LANGUAGES = [("it", _("Italiano")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("ASCOLTO_TIME_ZONE", "Europe/Rome")
USE_I18N = True
USE_TZ = True

# --- Static files --------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# The project's own assets live in ascolto/static, which is not inside an app.
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Source maps (of the API docs' Swagger UI) are for developers' tools: served, not compressed.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    *Compressor.SKIP_COMPRESS_EXTENSIONS,
    "map",
]

# --- Email ---------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("ASCOLTO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("ASCOLTO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("ASCOLTO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("ASCOLTO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("ASCOLTO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("ASCOLTO_EMAIL_TLS", False)
EMAIL_USE_SSL = env_bool("ASCOLTO_EMAIL_SSL", False)
EMAIL_TIMEOUT = env_int("ASCOLTO_EMAIL_TIMEOUT", 20)
EMAIL_FILE_PATH = DATA_DIR / "outbox"  # used by the file backend (`make run` writes mails there)
DEFAULT_FROM_EMAIL = env_str("ASCOLTO_EMAIL_FROM", "Ascolto <ascolto@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks ----------------------------------------------------------------------------
# The database backend by default, so one process needs nothing else installed. Durability rests
# on the domain's own rows (claimed with a lease), not on the queue: see docs/tasks.md.
TASKS = {
    "default": {
        "BACKEND": env_str("ASCOLTO_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "email"],
    }
}
# The table of periodic jobs and sweepers (`ascolto/schedule.py`); tests may point elsewhere.
SCHEDULE_MODULE = "ascolto.schedule"
# /health/ answers 503 when the scheduler has not ticked, or a ready task has waited, this long
# (0 turns both checks off, e.g. for a web-only process whose background runs elsewhere).
HEALTH_STALE_MINUTES = env_int("ASCOLTO_HEALTH_STALE_MINUTES", 10)

# --- Public voice: RSS/Atom feeds of reviews and mentions ---------------------------------------
# How often a feed is read; the most one answer may hold (a bigger one is cut off and counted as
# an error); how long to wait for the feed's server. See docs/voice.md.
VOICE_FEED_EVERY_MINUTES = env_int("ASCOLTO_VOICE_FEED_EVERY_MINUTES", 60)
VOICE_FEED_MAX_BYTES = env_int("ASCOLTO_VOICE_FEED_MAX_BYTES", 5 * 1024 * 1024)
VOICE_FEED_TIMEOUT_SECONDS = env_int("ASCOLTO_VOICE_FEED_TIMEOUT", 15)

# --- Logging -------------------------------------------------------------------------------------
# `ASCOLTO_LOG_FORMAT=json` writes one JSON object per line; every line carries the request's id
# and workspace (ascolto/lib/logs.py). One line per request names its route, never its path.
LOG_FORMAT = env_str("ASCOLTO_LOG_FORMAT", "plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"ASCOLTO_LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request": {"()": "ascolto.lib.logs.RequestContextFilter"},
        "no_4xx_tracebacks": {"()": "ascolto.lib.logfilters.NoTracebackForClientErrors"},
    },
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s w=%(workspace)s] "
            "%(message)s"
        },
        "json": {"()": "ascolto.lib.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("ASCOLTO_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # A 403 or 404 is one line in the log, not a traceback.
        "django.request": {"filters": ["no_4xx_tracebacks"]},
    },
}
# /metrics (Prometheus) answers only with this bearer token; without one it does not exist.
METRICS_TOKEN = env_str("ASCOLTO_METRICS_TOKEN", "")

# --- Application ---------------------------------------------------------------------------------
PAGE_SIZE = 25

# --- Privacy -------------------------------------------------------------------------------------
# How many months each kind of data is kept (0: for ever); the daily `privacy-retention` job
# removes what is older (docs/privacy.md). The Art. 30 record (`ascolto gdpr record`) lists them.
PRIVACY_RETENTION_MONTHS = {
    "survey_comments": env_int("ASCOLTO_RETENTION_SURVEY_COMMENTS_MONTHS", 0),
    "interaction_notes": env_int("ASCOLTO_RETENTION_INTERACTION_NOTES_MONTHS", 0),
    "lost_customers": env_int("ASCOLTO_RETENTION_LOST_CUSTOMERS_MONTHS", 0),
    "notifications": env_int("ASCOLTO_RETENTION_NOTIFICATIONS_MONTHS", 12),
    "audit_log": env_int("ASCOLTO_RETENTION_AUDIT_LOG_MONTHS", 24),
    "failed_tasks": env_int("ASCOLTO_RETENTION_FAILED_TASKS_MONTHS", 3),
}
# Every erasure is also noted here (ids and keyed hashes only, no personal data), outside the
# database and left out of backups and restores, so `ascolto gdpr reapply` can erase again the
# people a restored backup brings back (docs/privacy.md). Keep it on another disk if you can.
ERASURE_JOURNAL = Path(
    env_str("ASCOLTO_ERASURE_JOURNAL", str(DATA_DIR / "privacy" / "erasure-journal.jsonl"))
).resolve()
# --- API -----------------------------------------------------------------------------------------
# Requests to /api/v1/ larger than this are refused (413); each token may send this many per
# minute (then 429 with Retry-After). See docs/api.md.
API_MAX_BODY_BYTES = env_int("ASCOLTO_API_MAX_BODY_BYTES", 1_000_000)
API_RATE_PER_MINUTE = env_int("ASCOLTO_API_RATE_PER_MINUTE", 600)
NINJA_PAGINATION_MAX_LIMIT = 500
