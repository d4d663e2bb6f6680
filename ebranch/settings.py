"""Settings for ebranch. Every value comes from the environment; `.env.example` documents them."""

import json
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-000000000000000000"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "ebranch.apps.EbranchAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "auditlog",
    "treebeard",
    "import_export",
    "branches",
    "members",
    "members.notifications",
    "members.points",
    "meetings",
    "dues",
    "votes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "ebranch.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ebranch.middleware.MethodNotAllowedBodyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "members.middleware.ScopeMiddleware",
    "members.middleware.OfficerSecurityMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
]

ROOT_URLCONF = "ebranch.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "ebranch.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'ebranch.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer at a time: transactions take the write lock when they begin, and the others wait
    # for it (up to 20 s) instead of failing with "database is locked"; readers never wait (WAL).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # keep LOGGING's handlers, which mask personal data
# The one beat schedule: every periodic task, and when it runs (Asia/Shanghai).
CELERY_BEAT_SCHEDULE = {
    "id-photos-purge": {"task": "members.tasks.id_photos_purge", "schedule": 60 * 60 * 6},
    "meeting-reminders": {"task": "meetings.tasks.meeting_reminders_send", "schedule": 60 * 5},
    "notifications-sweep": {"task": "members.notifications.tasks.notifications_sweep", "schedule": 60},
    "notifications-daily-digest": {
        "task": "members.notifications.tasks.notifications_daily_digest",
        "schedule": crontab(hour=19, minute=0),
    },
    # Daily, so a missed run is made up the next day; it warns once per run of missed months.
    "dues-orders-reconcile": {"task": "dues.tasks_payments.orders_reconcile", "schedule": 60 * 5},
    "article9-meetings-check": {
        "task": "meetings.tasks_article9.article9_meetings_check",
        "schedule": crontab(hour=9, minute=30),
    },
    # Daily too: a member is warned once a month from 3 months behind, the secretary once per run at 6.
    "dues-arrears-check": {
        "task": "dues.tasks_arrears.dues_arrears_check",
        "schedule": crontab(hour=10, minute=0),
    },
    # The month's dues bills, on the 1st; idempotent, so a rerun makes none.
    "dues-bills-generate": {
        "task": "dues.tasks.bills_generate_monthly",
        "schedule": crontab(day_of_month=1, hour=0, minute=10),
    },
    # Transfers, daily: expired letters (both sides told once), reminders to receivers after a month
    # (weekly), activity cards past their end date. Each is idempotent, so a rerun does nothing.
    "transfer-letters-expire": {
        "task": "members.transfer_tasks.letters_expire_task",
        "schedule": crontab(hour=0, minute=30),
    },
    "transfer-letters-remind": {
        "task": "members.transfer_tasks.letters_remind_task",
        "schedule": crontab(hour=9, minute=0),
    },
    "activity-cards-expire": {
        "task": "members.transfer_tasks.activity_cards_expire_task",
        "schedule": crontab(hour=0, minute=40),
    },
    # Ballots whose voting time is over close (and are counted) within a minute; their PDF records follow.
    "ballots-close": {"task": "votes.tasks.ballots_close_task", "schedule": 60},
}

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "members.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "members.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"phone", "email"}
ACCOUNT_SIGNUP_FIELDS = ["phone*", "email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PHONE_VERIFICATION_ENABLED = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_FORMS = {"signup": "members.forms.SignupForm"}
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # no "unknown account" mail to whatever address is typed in
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
# Sign-in by code is off, so is re-authentication by code (no "send me a code" that goes nowhere).
ACCOUNT_LOGIN_BY_CODE_ENABLED = False
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")

MFA_ADAPTER = "members.security.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "ebranch"
# Phones' clocks drift: accept the code one 30-second step either side (each code still works once).
MFA_TOTP_TOLERANCE = 1
# Email verification is off (members sign in by phone too), so MFA must not wait for it.
MFA_ALLOW_UNVERIFIED_EMAIL = True
USERSESSIONS_TRACK_ACTIVITY = False
# Officers who manage members must have two-factor authentication before the admin and rosters
# (members/security.py); every officer's session ends after this many idle seconds.
OFFICER_IDLE_TIMEOUT = int(os.environ.get("OFFICER_IDLE_TIMEOUT", str(30 * 60)))

# Argon2id sized for this site (members/hashers.py; bench/README.md, "Passwords"); PBKDF2 hashes
# still verify and are rehashed with Argon2 at their owner's next sign-in.
PASSWORD_HASHERS = [
    "members.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

SMS_BACKEND = os.environ.get("SMS_BACKEND", "members.sms.LogBackend")

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG or not os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# The portal's address, for links in emails (tasks have no request to build them from).
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000" if DEBUG else "")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ebranch <noreply@ebranch.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Keys for personal data at rest. The first encryption key encrypts; all of them decrypt.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
FIELD_HASH_KEY = os.environ.get("FIELD_HASH_KEY", "")
if not FIELD_ENCRYPTION_KEYS or not FIELD_HASH_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS and FIELD_HASH_KEY must be set when DJANGO_DEBUG is off."
        )
    FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or ["ZWJyYW5jaC1kZXZlbG9wbWVudC1vbmx5LWtleS0zMmI="]
    FIELD_HASH_KEY = FIELD_HASH_KEY or "development-hash-key-not-for-production"

# Online dues payment (dues/gateways/). DUES_GATEWAYS: the real gateways, a JSON object
# {"name": {"CLASS": "dotted.path", ...options}}, the first being the default. The sandbox (a test
# cashier, no money moves) is on with DEBUG only, unless DUES_SANDBOX_ENABLED says otherwise; then
# `check --deploy` warns. No gateway at all: members pay their branch, officers record it.
try:
    DUES_GATEWAYS = json.loads(os.environ.get("DUES_GATEWAYS") or "{}")
except ValueError as exc:
    raise ImproperlyConfigured(f"DUES_GATEWAYS is not valid JSON: {exc}") from exc
if not isinstance(DUES_GATEWAYS, dict):
    raise ImproperlyConfigured('DUES_GATEWAYS must be a JSON object: {"name": {"CLASS": ...}}.')
DUES_SANDBOX_ENABLED = env_bool("DUES_SANDBOX_ENABLED", DEBUG)

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "var" / "media")
MEDIA_URL = "media/"
# Files with personal data (ID-card photos): never under a URL, served by views that check the scope.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT") or BASE_DIR / "var" / "private")
ID_PHOTO_RETENTION_DAYS = int(os.environ.get("ID_PHOTO_RETENTION_DAYS", "30"))
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = True

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
ROSTER_IMPORT_MAX_ROWS = int(os.environ.get("ROSTER_IMPORT_MAX_ROWS", "2000"))
ROSTER_IMPORT_MAX_BYTES = int(os.environ.get("ROSTER_IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = ROSTER_IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = ROSTER_IMPORT_MAX_BYTES + 1024 * 1024

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# The client's address (rate limits, sessions): the X-Forwarded-For entry our outermost proxy appended.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1")) if BEHIND_PROXY else 0
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Headers for the Mozilla Observatory's A+ (ebranch/middleware.py adds Permissions-Policy and
# Cache-Control): no inline script or style anywhere, everything from this origin.
# CSP_FORM_ACTION: origins a payment form may be redirected to (a real gateway's cashier).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'", *env_list("CSP_FORM_ACTION")],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = LANGUAGE_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = not DEBUG
CSRF_FAILURE_VIEW = "ebranch.views.csrf_failure"

# Every handler masks ID numbers and mobile numbers (ebranch/lib/logging.py). Django's own loggers
# lose the handlers of its default configuration and pass everything to the root's.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_personal_data": {"()": "ebranch.lib.logging.MaskPersonalData"},
        # No SQL about ballot papers: it would sit beside the voter's who-voted INSERT (votes/models.py).
        "drop_ballot_paper_sql": {"()": "ebranch.lib.logging.DropBallotPaperSQL"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["drop_ballot_paper_sql", "mask_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING", "filters": ["drop_ballot_paper_sql"]},
    },
}
