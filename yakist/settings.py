"""Django settings for Yakist, read from the environment (12-factor).

Every knob an operator may turn is listed in docs/operations.md. Nothing secret has a default
outside DEBUG/demo mode: production refuses to start without YAKIST_SECRET_KEY.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("YAKIST_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("YAKIST_DEBUG", False)
# Demo mode: plain-HTTP localhost server with generated secrets, for `make demo` only.
# `yakist demo` leaves this marker in the var directory, so every later `yakist` command in
# the demo checkout runs in demo mode without exported variables; a production checkout has
# no marker and still refuses to start without its secrets. Tests ignore it.
TESTING = env_bool("YAKIST_TESTING", False)
DEMO_MARKER = VAR_DIR / "demo-mode"
DEMO_MODE = env_bool("YAKIST_DEMO", DEMO_MARKER.is_file() and not TESTING)

SECRET_KEY = os.environ.get("YAKIST_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or DEMO_MODE or TESTING:
        SECRET_KEY = "insecure-development-key-not-for-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "YAKIST_SECRET_KEY не задано. Задайте змінну середовища (див. docs/operations.md)."
        )

# Key for the keyed pseudonyms (HMAC) of applicant identifiers; never stored in the database.
# Production needs its own: falling back to the secret key would silently change every
# pseudonym the day the secret key is rotated.
PSEUDONYM_KEY = os.environ.get("YAKIST_PSEUDONYM_KEY", "")
if not PSEUDONYM_KEY:
    if DEBUG or DEMO_MODE or TESTING:
        PSEUDONYM_KEY = SECRET_KEY
    else:
        raise ImproperlyConfigured(
            "YAKIST_PSEUDONYM_KEY не задано. Задайте окремий ключ псевдонімів заявників "
            "(див. docs/operations.md)."
        )

ALLOWED_HOSTS = env_list(
    "YAKIST_ALLOWED_HOSTS", "127.0.0.1,localhost" + (",testserver" if TESTING else "")
)
CSRF_TRUSTED_ORIGINS = env_list("YAKIST_CSRF_TRUSTED_ORIGINS")
# Public base URL used in permalinks and QR codes.
PUBLIC_BASE_URL = os.environ.get("YAKIST_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Open-data sets of stages above the portal, as resources of /open-data/datapackage.json.
OPEN_DATA_RESOURCES = ["yakist.improvement.opendata.package_resources"]
# Measures published with each subject's results (the improvement loop sits above the portal,
# so the portal names it here instead of importing it).
PUBLICATION_MEASURES = "yakist.improvement.selectors.measures_of_period"
# Periods whose national report is published: staff analytics outside the national roles
# compares subjects only for those (publication sits above the analytics).
ANALYTICS_RELEASED_PERIODS = "yakist.portal.selectors.periods_published_nationally"
# The body named as publisher in the open-data catalogue (DCAT-AP) that portals harvest.
OPEN_DATA_PUBLISHER = os.environ.get("YAKIST_OPEN_DATA_PUBLISHER", "Оператор системи «Якість»")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "yakist.core",
    "yakist.accounts",
    "yakist.registry",
    "yakist.ingest",
    "yakist.cases",
    "yakist.statmon",
    "yakist.feedback",
    "yakist.indicators",
    "yakist.portal",
    "yakist.improvement",
    "yakist.console",
    "yakist.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "yakist.core.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Public pages carry their language in the URL (/en/…); staff pages keep the cookie.
    "yakist.portal.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "yakist.accounts.twofactor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "yakist.core.middleware.UniformCSPMiddleware",
]

ROOT_URLCONF = "yakist.urls"
WSGI_APPLICATION = "yakist.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "yakist" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yakist.core.context_processors.site",
            ],
        },
    },
]

# --- Database: DATABASE_URL selects PostgreSQL; the default is an embedded SQLite file. ---
SQLITE_PATH = VAR_DIR / "yakist.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(os.environ.get("YAKIST_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the server's workers read while the generator or intake writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis when REDIS_URL is set (shared by all workers), otherwise the database. ---
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            # The portal keeps one cached page per public URL; Django's default of 300
            # entries would evict pages (and their generations) continuously.
            "OPTIONS": {"MAX_ENTRIES": 50000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "portal:home"

# --- Language and time: Ukrainian first, English through i18n; stored in UTC, shown in Kyiv. ---
LANGUAGE_CODE = "uk"
LANGUAGES = [("uk", _("Українська")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "yakist" / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Kyiv"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Production pre-compresses static files (gzip + brotli); the demo skips that ~15 s step.
if DEBUG or TESTING:
    _STATIC_BACKEND = "django.contrib.staticfiles.storage.StaticFilesStorage"
elif env_bool("YAKIST_STATIC_COMPRESS", not DEMO_MODE):
    _STATIC_BACKEND = "whitenoise.storage.CompressedManifestStaticFilesStorage"
else:
    _STATIC_BACKEND = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": _STATIC_BACKEND},
}
MEDIA_ROOT = VAR_DIR / "media"

# --- Security defaults. Cookies are Secure unless the demo serves plain HTTP on localhost. ---
SECURE_COOKIES = env_bool("YAKIST_SECURE_COOKIES", not (DEBUG or DEMO_MODE or TESTING))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("YAKIST_SESSION_AGE", str(8 * 3600)))
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("YAKIST_SSL_REDIRECT", False)
# Where cookies are Secure the site is served over HTTPS: browsers then keep to HTTPS for a
# year (they ignore the header on plain HTTP, so the demo is unaffected).
SECURE_HSTS_SECONDS = int(
    os.environ.get("YAKIST_HSTS_SECONDS", str(365 * 24 * 3600 if SECURE_COOKIES else 0))
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("YAKIST_HSTS_SUBDOMAINS", False)
# A refused CSRF token: problem+json under /api/, a Ukrainian page elsewhere.
CSRF_FAILURE_VIEW = "yakist.core.views.csrf_failure"
if env_bool("YAKIST_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Reverse proxies (addresses or CIDR networks) whose X-Forwarded-For is believed: the client
# address of logins, limits and the audit trail is read through them (yakist.core.network).
TRUSTED_PROXIES = env_list("YAKIST_TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"YAKIST_TRUSTED_PROXIES: «{_proxy}» не є IP-адресою чи мережею CIDR."
        ) from _error

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Request bodies: the API answers 413 above this (docs/integration.md: 1 MiB per event batch).
API_MAX_BODY_BYTES = int(os.environ.get("YAKIST_API_MAX_BODY_BYTES", str(1024 * 1024)))
# Uploaded files (registry imports, report templates, surveys): refused above this size before
# anything reads them (the whole request body is checked against it by its Content-Length).
UPLOAD_MAX_BYTES = int(os.environ.get("YAKIST_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES
# Uploaded workbooks: their zip entries together may unpack to at most this much, no entry may
# be compressed more than this many times (a zip bomb), and a table has at most this many rows.
XLSX_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("YAKIST_XLSX_MAX_UNCOMPRESSED_BYTES", str(100 * 1024 * 1024))
)
XLSX_MAX_COMPRESSION_RATIO = int(os.environ.get("YAKIST_XLSX_MAX_COMPRESSION_RATIO", "100"))
UPLOAD_MAX_ROWS = int(os.environ.get("YAKIST_UPLOAD_MAX_ROWS", "100000"))

EMAIL_BACKEND = os.environ.get(
    "YAKIST_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if (DEBUG or DEMO_MODE)
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("YAKIST_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("YAKIST_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("YAKIST_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("YAKIST_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("YAKIST_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("YAKIST_FROM_EMAIL", "Якість <noreply@yakist.localhost>")

# Event intake (docs/integration.md): signature window, batch size, per-system rate limit.
INGEST_SIGNATURE_WINDOW_SECONDS = int(os.environ.get("YAKIST_INGEST_SIGNATURE_WINDOW", "300"))
INGEST_MAX_EVENTS = 1000
INGEST_RATE_LIMIT_PER_MINUTE = int(os.environ.get("YAKIST_INGEST_RATE_LIMIT", "600"))
# Extra signature verifiers for the signed API, `algorithm=module.Class`, comma-separated:
# e.g. a certified DSTU 4145 CAdES verifier the operator installed (docs/integration.md).
INGEST_SIGNATURE_VERIFIERS = env_list("YAKIST_SIGNATURE_VERIFIERS")
# «Трембіта» (X-Road) doors, /trembita/rest/events and /trembita/soap: the addresses (CIDRs)
# of the security servers allowed to call them. Only a request whose TCP peer is one of these
# is trusted with its X-Road-Client; production lists none until the operator sets them, the
# demo trusts its own stand-in on localhost.
TREMBITA_SECURITY_SERVERS = env_list(
    "YAKIST_TREMBITA_SECURITY_SERVERS", "127.0.0.1/32,::1/128" if DEMO_MODE else ""
)
# Optionally, a header with the SHA-256 fingerprint of the security server's TLS client
# certificate, set by the TLS-terminating proxy (which must overwrite it on every request),
# and the fingerprints accepted.
TREMBITA_CLIENT_CERT_HEADER = os.environ.get("YAKIST_TREMBITA_CLIENT_CERT_HEADER", "")
TREMBITA_CLIENT_CERT_FINGERPRINTS = env_list("YAKIST_TREMBITA_CLIENT_CERT_FINGERPRINTS")
# A SOAP envelope carries the same events as a JSON batch in more bytes.
TREMBITA_SOAP_MAX_BYTES = int(
    os.environ.get("YAKIST_TREMBITA_SOAP_MAX_BYTES", str(4 * 1024 * 1024))
)
# Raw request bodies stay in the journal this long after their events reached the cases.
INGEST_JOURNAL_RETENTION_DAYS = int(os.environ.get("YAKIST_JOURNAL_RETENTION_DAYS", "90"))
# Events and journal entries are kept for good unless this is set: then whole months older
# than this many months are removed (a month partition dropped on PostgreSQL).
INGEST_EVENT_RETENTION_MONTHS = int(os.environ.get("YAKIST_EVENT_RETENTION_MONTHS", "0"))
# Retention of personal data, run daily by the worker (`yakist events work`, yakist.core.retention):
# a citizen's contact this many days after the message was answered or rejected; applicants'
# survey comments and the client addresses of audit entries after this many days.
FEEDBACK_CONTACT_RETENTION_DAYS = int(
    os.environ.get("YAKIST_FEEDBACK_CONTACT_RETENTION_DAYS", "30")
)
SURVEY_COMMENT_RETENTION_DAYS = int(os.environ.get("YAKIST_SURVEY_COMMENT_RETENTION_DAYS", "365"))
AUDIT_IP_RETENTION_DAYS = int(os.environ.get("YAKIST_AUDIT_IP_RETENTION_DAYS", "365"))
# Two-factor login (TOTP): required in production for the roles that see or sign off national
# and regional figures and the audit trail (and superusers); optional for the other roles, off
# in the demo and tests. A user with a confirmed device always uses it.
TWO_FACTOR_REQUIRED = env_bool("YAKIST_2FA_REQUIRED", not (DEBUG or DEMO_MODE or TESTING))
TWO_FACTOR_ROLES = env_list(
    "YAKIST_2FA_REQUIRED_ROLES",
    os.environ.get("YAKIST_2FA_ROLES", "ministry_analyst,regional_coordinator,auditor"),
)
OTP_TOTP_ISSUER = "Якість"

# Login throttling (the main login and /admin/login/ alike): failed attempts per user name and
# address, per user name from anywhere and per address for any name before a pause; each
# further pause of the same key doubles, up to the back-off maximum. Counted in Redis or in the
# database (yakist.core.ratelimit), never in a per-host file cache.
LOGIN_MAX_FAILURES = int(os.environ.get("YAKIST_LOGIN_MAX_FAILURES", "5"))
LOGIN_ACCOUNT_MAX_FAILURES = int(os.environ.get("YAKIST_LOGIN_ACCOUNT_MAX_FAILURES", "20"))
LOGIN_ADDRESS_MAX_FAILURES = int(os.environ.get("YAKIST_LOGIN_ADDRESS_MAX_FAILURES", "30"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("YAKIST_LOGIN_LOCKOUT_SECONDS", "900"))
LOGIN_BACKOFF_MAX_SECONDS = int(os.environ.get("YAKIST_LOGIN_BACKOFF_MAX_SECONDS", "86400"))

# Public feedback: the subject answers within this many days (Law «Про звернення громадян»,
# art. 20: up to 15 days when no further study is needed); submissions per address per 10 min.
FEEDBACK_RESPONSE_DAYS = int(os.environ.get("YAKIST_FEEDBACK_RESPONSE_DAYS", "15"))
FEEDBACK_RATE_LIMIT = int(os.environ.get("YAKIST_FEEDBACK_RATE_LIMIT", "5"))
SURVEY_RATE_LIMIT = int(os.environ.get("YAKIST_SURVEY_RATE_LIMIT", "3"))
# Public poster PDFs: requests a minute per client address (each poster is rendered once and
# stored, so this only stops one client from hammering the server).
POSTER_RATE_LIMIT = int(os.environ.get("YAKIST_POSTER_RATE_LIMIT", "30"))

# Demo generator (yakist/demo/): its steps, run in this order by `yakist demo`.
DEMO_STEPS = [
    "yakist.demo.registry.territories",
    "yakist.demo.registry.world",
    "yakist.demo.registry_subjects.subjects",
    "yakist.demo.accounts.logins",
    "yakist.demo.stream.stream",
    "yakist.demo.stream_subjects.uploads",
    "yakist.demo.statmon.quarters",
    "yakist.demo.statmon_hromada.reports",
    "yakist.demo.feedback.surveys",
    "yakist.demo.feedback.messages",
    "yakist.demo.indicators.compute",
    "yakist.demo.improvement.loop",
    "yakist.demo.portal.publish",
]
DEMO_SEED = int(os.environ.get("YAKIST_DEMO_SEED", "864"))

# --- Static monitoring (quarterly reports, docs/statmon.md) ---
# Deadline of a campaign: this many days after the quarter's last day (the 10th by default).
STATMON_DEADLINE_DAYS = int(os.environ.get("YAKIST_STATMON_DEADLINE_DAYS", "10"))
# A value this many times larger or smaller than last quarter's accepted one is a QA warning.
STATMON_CHANGE_FACTOR = int(os.environ.get("YAKIST_STATMON_CHANGE_FACTOR", "3"))
# Reminder rules: (rule id, days relative to the deadline). On a given day only the latest
# rule that has come due is sent, and each rule at most once per report.
STATMON_REMINDER_RULES = [
    ("before-7", -7),
    ("before-2", -2),
    ("overdue-1", 1),
    ("overdue-7", 7),
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("YAKIST_LOG_LEVEL", "INFO")},
    "loggers": {
        # Request lines can carry query strings; keep Django's request logger at warnings.
        "django.request": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint narrates every step of a poster at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
