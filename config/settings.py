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


# Profile: production (safe default), demo, dev or test.
MOTCUA_ENV = env("MOTCUA_ENV", "production")
if MOTCUA_ENV not in {"production", "demo", "dev", "test"}:
    raise ImproperlyConfigured(f"MOTCUA_ENV must be production, demo, dev or test, got {MOTCUA_ENV!r}")
IS_PRODUCTION = MOTCUA_ENV == "production"

# Django's debug pages; never on a server reachable by the public.
DEBUG = env_bool("DJANGO_DEBUG", default=MOTCUA_ENV == "dev")

# Signs sessions and tokens: 50 random characters, required in production, kept secret.
SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if IS_PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required in production (MOTCUA_ENV=production).")
    SECRET_KEY = f"motcua-{MOTCUA_ENV}-only-not-secret"

# Host names this installation answers to (no '*' in production).
ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "" if IS_PRODUCTION else "127.0.0.1,localhost,testserver,[::1]"
)
if "*" in ALLOWED_HOSTS and IS_PRODUCTION:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS may not contain '*' in production.")
# Origins allowed to POST, e.g. https://motcua.example.gov.vn (needed behind an HTTPS proxy).
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Where SQLite and the uploaded files live.
DATA_DIR = Path(env("MOTCUA_DATA_DIR", str(BASE_DIR / "var")) or "")
# The reference data folder (administrative units, procedures) used by the loaders.
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
    "drf_spectacular_sidecar",
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
    "motcua.payments",
    "motcua.paperwork",
    "motcua.integration",
    "motcua.feedback",
    "motcua.reports",
    "motcua.portal",
    "motcua.backoffice",
    "motcua.api",
    "motcua.demo",
]

MIDDLEWARE = [
    "motcua.core.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "motcua.core.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "motcua.core.middleware.RefuseNullCharactersMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "motcua.core.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
    "motcua.api.middleware.BodyLimitMiddleware",
    "motcua.api.middleware.IdempotencyMiddleware",
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
# PostgreSQL: parameters bound by the server, so a statement's text is the same on every call and
# psycopg prepares it after two executions; PostgreSQL then plans it once per connection (decision
# 0043). Turn off behind pgbouncer older than 1.21 in transaction mode (no prepared statements there).
SERVER_SIDE_BINDING = env_bool("MOTCUA_DB_SERVER_SIDE_BINDING", True)
if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql") and SERVER_SIDE_BINDING:
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 2}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
# The open-dossier index carries INCLUDE columns for index-only counts on PostgreSQL (ADR 0038);
# SQLite builds it without them, which is all the embedded default needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "motcua.accounts.backends.ModelBackend",
    "motcua.accounts.oidc.CitizenOIDCBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        # Minimum password length for staff and citizen accounts.
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

# Sessions live in the database (django_session), read by one fixed statement (decision 0050).
SESSION_ENGINE = "motcua.core.sessions"
# Length of a staff session in seconds (8 hours).
SESSION_COOKIE_AGE = int(env("MOTCUA_SESSION_SECONDS", str(8 * 3600)) or 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# HTTPS: cookies only over HTTPS, HSTS, redirect to HTTPS, trust X-Forwarded-Proto from the proxy.
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
# Where collectstatic writes the static files that whitenoise serves.
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
# Uploaded component files and generated documents (back them up with the database).
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", str(DATA_DIR / "media")) or "")
MEDIA_URL = "/media/"

# The cache every process of the installation shares (gunicorn's workers, the worker): the counter
# form's double-submission token is claimed in it, so it must not be per process. Production: a
# table in the database (`manage.py createcachetable`, run by deploy and idempotent); elsewhere
# per-process memory, as one process serves there.
CACHES = {
    "default": {
        "BACKEND": env(
            "MOTCUA_CACHE_BACKEND",
            "django.core.cache.backends.db.DatabaseCache"
            if IS_PRODUCTION
            else "django.core.cache.backends.locmem.LocMemCache",
        ),
        "LOCATION": env("MOTCUA_CACHE_LOCATION", "motcua_cache"),
    }
}

# Background work: the Django Tasks API with the queue in the database (db_worker).
TASKS = {
    "default": {
        "BACKEND": env("MOTCUA_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
        if MOTCUA_ENV != "test"
        else "django_tasks.backends.immediate.ImmediateBackend"
    }
}

# The API's conventions (decision 0025, motcua/api/README.md): every endpoint inherits them.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "motcua.api.schema.ProblemAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "motcua.api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "motcua.api.errors.problem_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "motcua.api.pagination.Cursor",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": ["motcua.api.throttling.AnonymousRate", "motcua.api.throttling.ClientRate"],
    # Requests per client address: public endpoints, anonymous callers, token clients.
    "DEFAULT_THROTTLE_RATES": {
        "public": env("MOTCUA_PUBLIC_RATE", "120/minute"),
        "anon": env("MOTCUA_API_ANON_RATE", "120/minute"),
        "client": env("MOTCUA_API_CLIENT_RATE", "1200/minute"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Largest JSON request body the API accepts (bytes); larger is 413.
MOTCUA_API_MAX_JSON_BYTES = int(env("MOTCUA_API_MAX_JSON_BYTES", str(1024 * 1024)) or 0)
# How long an Idempotency-Key and its stored answer are kept.
MOTCUA_IDEMPOTENCY_TTL_HOURS = int(env("MOTCUA_IDEMPOTENCY_TTL_HOURS", "24") or 24)
# Failed token attempts from one address before it is locked out (429).
MOTCUA_API_TOKEN_FAILURE_LIMIT = int(env("MOTCUA_API_TOKEN_FAILURE_LIMIT", "10") or 10)
# How long that lockout lasts.
MOTCUA_API_TOKEN_LOCKOUT_SECONDS = int(env("MOTCUA_API_TOKEN_LOCKOUT_SECONDS", "900") or 900)
SPECTACULAR_SETTINGS = {
    "TITLE": "motcua API",
    "DESCRIPTION": "REST API v1 of motcua, the open-source electronic one-stop shop.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Mail: SMTP in production (EMAIL_HOST etc. as Django reads them), the console elsewhere.
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if IS_PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", "motcua@localhost")
# A hung mail server must not hold a worker past the notification claim (15 minutes).
EMAIL_TIMEOUT = int(env("DJANGO_EMAIL_TIMEOUT", "30") or 30)

# Logs go to stderr (journald under systemd); DJANGO_LOG_LEVEL sets the level.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"mask_personal_data": {"()": "motcua.core.logging.MaskPersonalData"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    # Django's own loggers write through the same masked handler (not its default console, mail or
    # server handlers), so no personal data leaves unmasked (decision 0026).
    "loggers": {
        "axes": {"level": "WARNING"},
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
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

# Digital signatures on results (motcua/dossiers/signing.py, decision 0030): a dotted path to a
# SignatureProvider. The test provider (Ed25519, key derived from MOTCUA_SIGNATURE_TEST_SECRET or
# SECRET_KEY) serves demo and tests; production plugs in the province's signing service.
MOTCUA_SIGNATURE_PROVIDER = env("MOTCUA_SIGNATURE_PROVIDER", "motcua.dossiers.signing.TestSignatureProvider")
# The test provider's key is derived from this secret (empty: SECRET_KEY).
MOTCUA_SIGNATURE_TEST_SECRET = env("MOTCUA_SIGNATURE_TEST_SECRET", "")
# --- payments (docs/decisions/0018, 0019) ---
# The gateway citizens pay through online; "sandbox" is the test gateway served by motcua itself at
# /cong-thanh-toan-thu-nghiem/ (demo and tests; off in production unless asked for).
MOTCUA_PAYMENT_GATEWAY = env("MOTCUA_PAYMENT_GATEWAY", "sandbox") or "sandbox"
MOTCUA_PAYMENT_SANDBOX_ENABLED = env_bool("MOTCUA_PAYMENT_SANDBOX_ENABLED", default=not IS_PRODUCTION)
# The HMAC-SHA256 key shared with the gateway: signs the checkout request and every callback.
MOTCUA_PAYMENT_SANDBOX_SECRET = env("MOTCUA_PAYMENT_SANDBOX_SECRET", "") or ""
if not MOTCUA_PAYMENT_SANDBOX_SECRET:
    if IS_PRODUCTION and MOTCUA_PAYMENT_SANDBOX_ENABLED:
        raise ImproperlyConfigured(
            "MOTCUA_PAYMENT_SANDBOX_SECRET is required when the sandbox is on in production."
        )
    MOTCUA_PAYMENT_SANDBOX_SECRET = f"motcua-{MOTCUA_ENV}-sandbox-payment-key-not-secret"
# A callback older than this (its signed timestamp) is refused as a replay.
MOTCUA_PAYMENT_CALLBACK_MAX_AGE_SECONDS = int(env("MOTCUA_PAYMENT_CALLBACK_MAX_AGE_SECONDS", "900") or 900)
# An online payment not completed within this many minutes is replaced by a new one on the next try.
MOTCUA_PAYMENT_PENDING_MINUTES = int(env("MOTCUA_PAYMENT_PENDING_MINUTES", "30") or 30)
# --- integration (outbox, webhooks, national portal; ADR 0022, 0023) ---
# Delivery attempts before a delivery is dead-lettered, the first back-off (doubled after each
# failure) and its cap; deliveries claimed per batch; HTTP timeout of a webhook call.
MOTCUA_OUTBOX_MAX_ATTEMPTS = int(env("MOTCUA_OUTBOX_MAX_ATTEMPTS", "8") or 8)
MOTCUA_OUTBOX_RETRY_SECONDS = int(env("MOTCUA_OUTBOX_RETRY_SECONDS", "30") or 30)
MOTCUA_OUTBOX_RETRY_MAX_SECONDS = int(env("MOTCUA_OUTBOX_RETRY_MAX_SECONDS", "3600") or 3600)
MOTCUA_OUTBOX_BATCH = int(env("MOTCUA_OUTBOX_BATCH", "50") or 50)
MOTCUA_WEBHOOK_TIMEOUT = float(env("MOTCUA_WEBHOOK_TIMEOUT", "10") or 10)
# After each committed act, wake the worker (one task per second at most); that run also sends the
# applicant's e-mail and SMS (off: one notification task per act instead). Off in tests, which run
# ``outbox.pump()`` themselves.
MOTCUA_OUTBOX_AUTOWAKE = env_bool("MOTCUA_OUTBOX_AUTOWAKE", default=MOTCUA_ENV != "test")
# The national portal (DVCQG) sync: empty URL = no sync. demo and dev default to the local stand-in
# (``python -m motcua.integration.standin``, started by bin/serve-demo).
_STANDIN = "http://127.0.0.1:8010" if MOTCUA_ENV in {"demo", "dev"} else ""
MOTCUA_NATIONAL_PORTAL_URL = (env("MOTCUA_NATIONAL_PORTAL_URL", _STANDIN) or "").rstrip("/")
MOTCUA_NATIONAL_PORTAL_AUTH_PATH = env("MOTCUA_NATIONAL_PORTAL_AUTH_PATH", "/auth") or "/auth"
MOTCUA_NATIONAL_PORTAL_SERVICE_PATH = env("MOTCUA_NATIONAL_PORTAL_SERVICE_PATH", "/service") or "/service"
# The portal's sharing service (``getSharingData``): LayThuTuc gives a procedure's national field code.
MOTCUA_NATIONAL_PORTAL_SHARING_PATH = env("MOTCUA_NATIONAL_PORTAL_SHARING_PATH", "/share") or "/share"
MOTCUA_NATIONAL_PORTAL_USERNAME = env("MOTCUA_NATIONAL_PORTAL_USERNAME", "motcua") or ""
MOTCUA_NATIONAL_PORTAL_PASSWORD = env("MOTCUA_NATIONAL_PORTAL_PASSWORD", "motcua-demo") or ""
MOTCUA_NATIONAL_PORTAL_DSTCODE = env("MOTCUA_NATIONAL_PORTAL_DSTCODE", "motcua") or ""
# ``madonvi``: this installation's unit identifier code at the portal.
MOTCUA_NATIONAL_PORTAL_UNIT_CODE = env("MOTCUA_NATIONAL_PORTAL_UNIT_CODE", "000.00.00.H42") or ""
# HTTP timeout of a call to the national portal (seconds).
MOTCUA_NATIONAL_PORTAL_TIMEOUT = float(env("MOTCUA_NATIONAL_PORTAL_TIMEOUT", "30") or 30)
# SPEC §5.1 / DVCQG-SYNC §11 item 6: a refusal after appraisal is sent as 9 (default) or 8.
MOTCUA_NATIONAL_REFUSED_STATUS = int(env("MOTCUA_NATIONAL_REFUSED_STATUS", "9") or 9)
# Where the portal downloads files from: <base>/ho-so/<dossier id>/tep/<file id>/.
MOTCUA_NATIONAL_FILE_BASE_URL = (
    env("MOTCUA_NATIONAL_FILE_BASE_URL", MOTCUA_PUBLIC_URL + "/can-bo") or MOTCUA_PUBLIC_URL + "/can-bo"
).rstrip("/")
# --- citizen sign-in by OpenID Connect (national identity / portal SSO; decision 0015) ---
# Empty authorisation endpoint = no external sign-in. Endpoints are given explicitly (no discovery
# at start-up: a closed network may not reach the provider when the app boots).
OIDC_OP_AUTHORIZATION_ENDPOINT = env("MOTCUA_OIDC_AUTHORIZATION_ENDPOINT", "") or ""
OIDC_OP_TOKEN_ENDPOINT = env("MOTCUA_OIDC_TOKEN_ENDPOINT", "") or ""
OIDC_OP_USER_ENDPOINT = env("MOTCUA_OIDC_USERINFO_ENDPOINT", "") or ""
OIDC_OP_JWKS_ENDPOINT = env("MOTCUA_OIDC_JWKS_ENDPOINT", "") or ""
OIDC_RP_CLIENT_ID = env("MOTCUA_OIDC_CLIENT_ID", "") or ""
OIDC_RP_CLIENT_SECRET = env("MOTCUA_OIDC_CLIENT_SECRET", "") or ""
OIDC_RP_SIGN_ALGO = env("MOTCUA_OIDC_SIGN_ALGO", "RS256") or "RS256"
OIDC_RP_SCOPES = env("MOTCUA_OIDC_SCOPES", "openid profile email phone") or "openid"
OIDC_USE_NONCE = True
OIDC_TIMEOUT = 10
OIDC_CREATE_USER = True
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
LOGIN_REDIRECT_URL_FAILURE = "/tai-khoan/dang-nhap/?oidc=loi"
MOTCUA_OIDC_ISSUER = env("MOTCUA_OIDC_ISSUER", "") or ""
MOTCUA_OIDC_IDENTIFIER_CLAIM = env("MOTCUA_OIDC_IDENTIFIER_CLAIM", "citizen_id") or "citizen_id"
MOTCUA_OIDC_LEVEL_CLAIM = env("MOTCUA_OIDC_LEVEL_CLAIM", "acr") or "acr"
MOTCUA_OIDC_VERIFIED_LEVELS = env_list("MOTCUA_OIDC_VERIFIED_LEVELS", "2,level2")

# The reverse proxies whose X-Real-IP header names the client (deploy/nginx/motcua.conf sets it);
# requests from any other peer keep their own address. Empty: never trust the header.
MOTCUA_TRUSTED_PROXIES = env_list("MOTCUA_TRUSTED_PROXIES", "127.0.0.1,::1")

# --- portal (issue #7) ---
# Anonymous tracking: failed look-ups allowed per client address in the window, then refused.
MOTCUA_TRACKING_FAILURES = int(env("MOTCUA_TRACKING_FAILURES", "10") or 10)
MOTCUA_TRACKING_WINDOW_SECONDS = int(env("MOTCUA_TRACKING_WINDOW_SECONDS", "900") or 900)

# The reports read ratings through one callable (motcua/reports/satisfaction.py): dossiers rated
# "dissatisfied" count against Decision 766 indicator 5.4 and TT01/2018 indicator 7. Empty: no data.
MOTCUA_RATINGS_SOURCE = env("MOTCUA_RATINGS_SOURCE", "motcua.feedback.selectors.unhappy_dossier_ids") or ""
