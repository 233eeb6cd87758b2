"""motcua settings: every value is read from the environment here, once.

Profiles (MOTCUA_ENV): ``production`` (default; safe), ``demo`` (the embedded SQLite demo that
``make demo`` runs), ``dev`` and ``test``. Outside ``demo``/``dev``/``test`` a secret key and the
allowed hosts must be given; DEBUG is off unless asked for.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


MOTCUA_ENV = env("MOTCUA_ENV", "production")
if MOTCUA_ENV not in {"production", "demo", "dev", "test"}:
    raise ImproperlyConfigured(f"MOTCUA_ENV must be production, demo, dev or test, got {MOTCUA_ENV!r}")
IS_PRODUCTION = MOTCUA_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", default=MOTCUA_ENV == "dev")

SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if IS_PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required in production (MOTCUA_ENV=production).")
    SECRET_KEY = f"motcua-{MOTCUA_ENV}-only-not-secret"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "" if IS_PRODUCTION else "127.0.0.1,localhost,testserver,[::1]"
)
if "*" in ALLOWED_HOSTS and IS_PRODUCTION:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS may not contain '*' in production.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

DATA_DIR = Path(env("MOTCUA_DATA_DIR", str(BASE_DIR / "var")) or "")
SHARED_DATA_DIR = Path(env("MOTCUA_SHARED_DATA", str(BASE_DIR.parent / "shared" / "data")) or "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "motcua.core",
    "motcua.units",
    "motcua.accounts",
    "motcua.notifications",
    "motcua.deadlines",
    "motcua.catalog",
    "motcua.dossiers",
    "motcua.paperwork",
    "motcua.reports",
    "motcua.portal",
    "motcua.backoffice",
    "motcua.api",
    "motcua.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "motcua.core.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "motcua.core.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# Database: SQLite is the embedded default; PostgreSQL in production (DATABASE_URL).
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'motcua.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL or "", conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout so the web server and the worker can share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(env("MOTCUA_PASSWORD_MIN_LENGTH", "10") or 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if MOTCUA_ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "backoffice:home"
LOGOUT_REDIRECT_URL = "portal:home"

# Login lockout (django-axes): lock the username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = int(env("MOTCUA_LOGIN_FAILURE_LIMIT", "5") or 5)
AXES_COOLOFF_TIME = float(env("MOTCUA_LOGIN_COOLOFF_HOURS", "0.5") or 0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["password"]
AXES_VERBOSE = False

SESSION_COOKIE_AGE = int(env("MOTCUA_SESSION_SECONDS", str(8 * 3600)) or 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=IS_PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", "31536000" if IS_PRODUCTION else "0") or 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = IS_PRODUCTION
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Internationalisation: Vietnamese first, English available; instants stored in UTC.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")) or "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and MOTCUA_ENV != "test"
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = MOTCUA_ENV in {"dev", "test"}
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", str(DATA_DIR / "media")) or "")
MEDIA_URL = "/media/"

# Background work: the Django Tasks API with the queue in the database (db_worker).
TASKS = {
    "default": {
        "BACKEND": env("MOTCUA_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
        if MOTCUA_ENV != "test"
        else "django_tasks.backends.immediate.ImmediateBackend"
    }
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "motcua.api.errors.problem_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_RATES": {"public": env("MOTCUA_PUBLIC_RATE", "120/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "motcua API",
    "DESCRIPTION": "REST API v1 of motcua, the open-source electronic one-stop shop.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if IS_PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", "motcua@localhost")
# A hung mail server must not hold a worker past the notification claim (15 minutes).
EMAIL_TIMEOUT = int(env("DJANGO_EMAIL_TIMEOUT", "30") or 30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- motcua domain settings (SPEC rules marked [I] become settings with that default) ---
# The province whose calendar and catalogue this installation serves (official two-tier statistical
# code; 42 = Hà Tĩnh, the demo province). Every real installation sets its own.
MOTCUA_PROVINCE_CODE = env("MOTCUA_PROVINCE_CODE", "42")

# --- notifications ---
# SMS: LoggingSmsBackend records and logs (number masked) without sending; production sets
# HttpSmsBackend with the gateway below (JSON POST, bearer token). manage.py check warns otherwise.
MOTCUA_SMS_BACKEND = env("MOTCUA_SMS_BACKEND", "motcua.notifications.sms.LoggingSmsBackend")
MOTCUA_SMS_GATEWAY_URL = env("MOTCUA_SMS_GATEWAY_URL", "")
MOTCUA_SMS_GATEWAY_TOKEN = env("MOTCUA_SMS_GATEWAY_TOKEN", "")
MOTCUA_SMS_GATEWAY_TIMEOUT = float(env("MOTCUA_SMS_GATEWAY_TIMEOUT", "10") or 10)
MOTCUA_SMS_SENDER = env("MOTCUA_SMS_SENDER", "")  # brand name, if the gateway needs one
# Longer texts switch to the template's short form, then are cut at a word. Unaccented text fits
# GSM-7 gateways (160 characters a part instead of 70) at the cost of the diacritics.
MOTCUA_SMS_MAX_CHARS = int(env("MOTCUA_SMS_MAX_CHARS", "320") or 320)
MOTCUA_SMS_UNACCENTED = env_bool("MOTCUA_SMS_UNACCENTED", default=False)
# Delivery attempts per message, and the first back-off delay (doubled after each failure, ≤ 6 h).
MOTCUA_NOTIFICATION_MAX_ATTEMPTS = int(env("MOTCUA_NOTIFICATION_MAX_ATTEMPTS", "5") or 5)
MOTCUA_NOTIFICATION_RETRY_SECONDS = int(env("MOTCUA_NOTIFICATION_RETRY_SECONDS", "300") or 300)

# --- dossiers ---
# Dossier code <receiving agency identifier>-<YYMMDD>-<sequence>: digits of the daily sequence
# (TT01/2018 Art 19: 4; TT04/2025 Art 23(2): "tối thiểu gồm 04 ký tự") [I].
MOTCUA_CODE_SEQUENCE_WIDTH = max(int(env("MOTCUA_CODE_SEQUENCE_WIDTH", "4") or 4), 4)
# SPEC §6.1 rule 8 [I]: classify a finished dossier against its legal due date (False) or against
# the extended appointment (True).
MOTCUA_CLASSIFY_EXTENSION_AWARE = env_bool("MOTCUA_CLASSIFY_EXTENSION_AWARE", default=False)
# ND61 Art 19(4): a supplement during processing is requested within this many working days [I].
MOTCUA_SUPPLEMENT_WINDOW_DAYS = int(env("MOTCUA_SUPPLEMENT_WINDOW_DAYS", "3") or 3)
# SPEC §6.1 rule 9 [I]: "day" (default) or "session".
MOTCUA_TIMELINESS_GRANULARITY = env("MOTCUA_TIMELINESS_GRANULARITY", "day") or "day"
# ND61 Art 18(2), ND118 Art 18 [S]: accepted after this local time, the electronic hand-over may wait
# for the start of the next working day; the paper file within this many working days.
MOTCUA_HANDOVER_CUTOFF = env("MOTCUA_HANDOVER_CUTOFF", "15:00") or "15:00"
MOTCUA_PAPER_HANDOVER_WORKING_DAYS = int(env("MOTCUA_PAPER_HANDOVER_WORKING_DAYS", "1") or 1)
# Uploaded component files: PDF, JPEG or PNG (sniffed from the bytes), at most this many bytes.
MOTCUA_DOSSIER_FILE_MAX_BYTES = int(env("MOTCUA_DOSSIER_FILE_MAX_BYTES", str(20 * 1024 * 1024)) or 0)

# --- paperwork ---
# The public address of this installation: forms print (and QR-encode) the tracking page as
# <MOTCUA_PUBLIC_URL>/tra-cuu/?ma=<dossier code>, and Forms 02/03 give it as the help address.
MOTCUA_PUBLIC_URL = (env("MOTCUA_PUBLIC_URL", "http://127.0.0.1:8000") or "http://127.0.0.1:8000").rstrip("/")
