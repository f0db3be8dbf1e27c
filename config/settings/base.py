"""Settings shared by every environment.

Everything that differs between machines comes from the environment (or a `.env` file),
with defaults that give the embedded set-up: SQLite, Celery tasks run eagerly in process,
mail written to the console.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.object_storage import s3_storage_options

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

# --- Core --------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_ID = 1
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    # modeltranslation must come before django.contrib.admin to patch its forms.
    "modeltranslation",
    # django.contrib.admin with the portal's site class (a lazily built sidebar).
    "config.admin_apps.AdmissionsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "django_countries",
    "import_export",
    "phonenumber_field",
    "programs",
    "admissions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "admissions.admin.two_factor.StaffTwoFactorMiddleware",
    # Axes must be last: it turns lock-outs raised by the backend into responses.
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
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache -------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Falls back to a per-process memory cache while Redis is down (config/cache.py), so
    # that sign-in, sign-up and password reset keep answering during an outage.
    CACHES = {
        "default": {
            "BACKEND": "config.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Public pages of anonymous visitors are cached whole (programs.page_cache) and made stale
# when their data changes; these bound how long a page that depends on the clock (a cycle
# opening or closing) may be kept, and how long a published ranking is kept.
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=60)
PUBLISHED_RANKING_CACHE_SECONDS = env.int("PUBLISHED_RANKING_CACHE_SECONDS", default=24 * 3600)
# Each process keeps the pages it served last in memory (bytes) and checks the shared
# version at most this often (seconds): a change made elsewhere shows within that time.
PUBLIC_PAGE_LOCAL_BYTES = env.int("PUBLIC_PAGE_LOCAL_BYTES", default=16 * 1024 * 1024)
PUBLIC_PAGE_VERSION_CHECK_SECONDS = env.float("PUBLIC_PAGE_VERSION_CHECK_SECONDS", default=1.0)
# Signed-in pages read again and again (the applicant's dashboard, the staff's application
# list, page and dashboard) are cached per user until any data changes
# (admissions.private_pages); these bound how long one is kept (seconds; 0 turns the cache
# off) and how much of them each process keeps in memory (bytes).
PRIVATE_PAGE_CACHE_SECONDS = env.int("PRIVATE_PAGE_CACHE_SECONDS", default=60)
PRIVATE_PAGE_LOCAL_BYTES = env.int("PRIVATE_PAGE_LOCAL_BYTES", default=8 * 1024 * 1024)
# The staff dashboard's counts are kept this long (seconds) per user, cycle and language.
ADMIN_DASHBOARD_CACHE_SECONDS = env.int("ADMIN_DASHBOARD_CACHE_SECONDS", default=60)
# The admin sidebar's list of the models a user may open is kept this long (seconds).
ADMIN_SIDEBAR_CACHE_SECONDS = env.int("ADMIN_SIDEBAR_CACHE_SECONDS", default=60)

# --- Authentication ----------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # Axes first, so that a locked-out login is refused before any password check.
    "axes.backends.AxesStandaloneBackend",
    # Grants nothing: reads a staff user's groups and permissions in one query where
    # ModelBackend reads them in two (admissions.permissions).
    "admissions.permissions.StaffRolesBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "admissions:dashboard"
LOGOUT_REDIRECT_URL = "programs:home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# Applicants sign in with their e-mail; allauth still fills Django's username with a
# generated value, which must never reach a page or a message.
ACCOUNT_USER_DISPLAY = "admissions.applicants.adapters.user_display"
# Sign-up always answers "we sent you a mail", whether or not the address already has an
# account (its owner gets an "account already exists" mail instead), so that sign-up tells
# nobody who is registered: "mandatory" verification is what makes allauth's enumeration
# prevention answer the same. Unconfirmed accounts may still sign in and prepare a draft (the
# login form asks for no confirmation, admissions/applicants/account_forms.py); submission
# requires a confirmed e-mail.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_ADAPTER = "admissions.applicants.adapters.AccountAdapter"
# The site's input rule (NFC, stripped) on allauth's forms too (admissions/text.py).
ACCOUNT_FORMS = {
    "login": "admissions.applicants.account_forms.LoginForm",
    "signup": "admissions.applicants.account_forms.SignupForm",
    "reset_password": "admissions.applicants.account_forms.ResetPasswordForm",
    "add_email": "admissions.applicants.account_forms.AddEmailForm",
}
# Tell users by mail when their password or e-mail address changes (through the outbox).
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Failed sign-ins per account are counted by django-axes (account from an address, below):
# allauth's own per-account count would let anyone lock a stranger's account from anywhere.
# Its burst limit per address stays. Other rate limits are allauth's defaults.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip"}

# Reverse proxies in front of the site (0: clients connect directly). Only then is the client
# address read from X-Forwarded-For, at the place the last trusted proxy wrote it; otherwise
# the header is ignored, since any client can send it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_PROXY_ORDER = "right-most"
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR",)
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

# Login throttling (django-axes), the applicants' and the admin's login alike: an account is
# locked from one address after AXES_FAILURE_LIMIT failures, an address after
# AXES_ADDRESS_FAILURE_LIMIT failures over any accounts (admissions/applicants/throttle.py).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=50)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "admissions.applicants.throttle.AccountAndAddressHandler"
AXES_USERNAME_CALLABLE = "admissions.applicants.throttle.login_key"
# A page in the visitor's language saying what is blocked (the default is a bare line of text).
AXES_LOCKOUT_CALLABLE = "admissions.applicants.throttle.lockout_response"
# Personal data stays out of axes' log lines and of the form data it stores with an attempt.
AXES_CLIENT_STR_CALLABLE = "admissions.applicants.throttle.client_str"
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "login",
    "email",
    "password1",
    "password2",
    "code",
]

# Two-factor sign-in (allauth's MFA): TOTP from an authenticator app plus recovery codes.
# Staff must use it where STAFF_TWO_FACTOR_REQUIRED is on (production; see
# admissions/admin/two_factor.py). Staff accounts are created by administrators and may have
# no confirmed address, which must not stop them from setting up their second factor.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "KazNU Omsk admissions"
MFA_ALLOW_UNVERIFIED_EMAIL = True
STAFF_TWO_FACTOR_REQUIRED = env.bool("STAFF_TWO_FACTOR_REQUIRED", default=False)

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [
    ("kk", _("Kazakh")),
    ("ru", _("Russian")),
    ("en", _("English")),
]
# The project's catalogues first; then the Kazakh messages of the libraries that ship
# none or an incomplete one (locale/libraries: allauth, Django's admin, celery-beat...),
# so a kk page never falls back to the Russian LANGUAGE_CODE.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "libraries"]
# One date and number style per kind and language (config/formats/{kk,ru,en}).
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Omsk"
MODELTRANSLATION_DEFAULT_LANGUAGE = "ru"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("ru", "en", "kk")}
# modeltranslation's tabbed admin wants jQuery UI from a CDN; a small local stand-in instead.
JQUERY_UI_URL = "js/jquery-ui-tabs.js"
COUNTRIES_FIRST = ["KZ", "RU"]
# ...and again in their alphabetical place, where a reader of the list looks for them.
COUNTRIES_FIRST_REPEAT = True
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"
# A number typed without "+" (in the admin too) is read as Kazakh: "8 701 123 45 67".
PHONENUMBER_DEFAULT_REGION = "KZ"

# --- Static files and private documents --------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Applicants' documents never live under a public URL: they are served by a view that
# checks ownership or a staff permission.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "var" / "private")
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Documents in S3-compatible object storage when STORAGE_URL or AWS_* settings are given
# (config/object_storage.py): several web and worker machines then share them.
OBJECT_STORAGE = s3_storage_options(env("STORAGE_URL", default=""), env)
if OBJECT_STORAGE is not None:
    STORAGES["default"] = STORAGES["private"] = OBJECT_STORAGE
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
# One document may have several files (the pages of a passport scanned one by one): at most
# this many, together at most this many bytes.
DOCUMENT_MAX_FILES = env.int("DOCUMENT_MAX_FILES", default=10)
DOCUMENT_MAX_TOTAL_BYTES = env.int("DOCUMENT_MAX_TOTAL_BYTES", default=30 * 1024 * 1024)
DOCUMENT_RETENTION_DAYS = env.int("DOCUMENT_RETENTION_DAYS", default=365)
# Uploaded images: refused above this many pixels (read from the header, before decoding) or
# when decoded pixels would take more memory than the cap; stored shrunk to the longest side.
DOCUMENT_MAX_PIXELS = env.int("DOCUMENT_MAX_PIXELS", default=40_000_000)
DOCUMENT_MAX_DECODED_BYTES = env.int("DOCUMENT_MAX_DECODED_BYTES", default=4 * DOCUMENT_MAX_PIXELS)
DOCUMENT_IMAGE_MAX_SIDE = env.int("DOCUMENT_IMAGE_MAX_SIDE", default=3000)
DOCUMENT_MAX_PDF_PAGES = env.int("DOCUMENT_MAX_PDF_PAGES", default=50)
# Uploads per applicant account in a sliding hour (documents are few; this stops scripted
# floods of decoding work from one new account).
DOCUMENT_UPLOADS_PER_HOUR = env.int("DOCUMENT_UPLOADS_PER_HOUR", default=60)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Forms -------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Mail --------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="KazNU Omsk admissions <admissions@kaznu-omsk.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where applicants' replies to the portal's mail go, unless the admissions office entered
# in the admin has its own reply-to address (the admin's data wins).
ADMISSIONS_REPLY_TO = env("ADMISSIONS_REPLY_TO", default="")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# --- Celery ------------------------------------------------------------------------------
# Without REDIS_URL there is no broker: tasks run eagerly, in process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
# Reliable delivery on Redis: acknowledge after the work is done, take one task at a time,
# and let an unacknowledged task come back only after the longest retry countdown.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Unless told to reuse them, Celery closes Django's database connections before and after
# every task, so each task opened a new PostgreSQL connection (a server process forked; a
# few ms of CPU, more than a batch of mail spends in the database). A worker process keeps
# its connection for this many tasks; config.celery_app drops a broken one, or one older
# than CONN_MAX_AGE, around each task as Django does around each request.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=100)
# The retry countdowns of the outbox (base * 2**n, capped; see `admissions.notifications.tasks`).
OUTBOX_RETRY_BASE_SECONDS = env.float("OUTBOX_RETRY_BASE_SECONDS", default=30.0)
OUTBOX_RETRY_MAX_SECONDS = env.float("OUTBOX_RETRY_MAX_SECONDS", default=3600.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Redis re-delivers a task that is not acknowledged within this time. A retried task
    # waits in the worker (unacknowledged) for its countdown, so this must stay well above
    # OUTBOX_RETRY_MAX_SECONDS, or a waiting retry would be delivered a second time.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=4 * 3600),
    # Fail fast when the broker is down while a request enqueues a task: the outbox row is
    # saved and the sweep sends it later, so the request must not hang (kombu's default is
    # to retry the connection for several seconds).
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
if CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] <= OUTBOX_RETRY_MAX_SECONDS:
    raise ImproperlyConfigured(
        "CELERY_VISIBILITY_TIMEOUT must be longer than OUTBOX_RETRY_MAX_SECONDS."
    )
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# django-celery-beat's database scheduler, recording its ticks for /healthz/.
CELERY_BEAT_SCHEDULER = "config.heartbeats:HeartbeatScheduler"
# Worker and beat write a heartbeat this often (seconds); /healthz/ reports a process
# whose last heartbeat is older than HEALTH_STALE_SECONDS as down.
HEALTH_HEARTBEAT_SECONDS = env.int("HEALTH_HEARTBEAT_SECONDS", default=20)
HEALTH_STALE_SECONDS = env.int("HEALTH_STALE_SECONDS", default=90)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Outbox: rows still pending after this many seconds are re-enqueued by the sweep.
OUTBOX_GRACE_SECONDS = env.int("OUTBOX_GRACE_SECONDS", default=120)
# 12 attempts with the backoff below (30 s doubling, capped at 1 h) span about 5 hours of
# SMTP outage before a mail is marked failed (the admin can re-send it then).
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=12)
# Mail queued together (one transaction, one sweep) goes out in send tasks of at most this
# many rows, split evenly, each over one SMTP connection: large enough that a task's fixed
# costs (its claim, the broker's round trips) are small per mail, small enough that the
# worker processes share a burst between them.
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=50)
# A send task claims its rows (state "sending") before it talks to the SMTP server. A claim
# older than this (its worker died) counts as pending again for the sweep and the next task.
# A worker renews its claims once they are a third as old, so one mail has two thirds of
# this to go out: the settings require 30 x EMAIL_TIMEOUT (15 socket timeouts per mail, a
# reconnection included).
OUTBOX_CLAIM_SECONDS = env.int("OUTBOX_CLAIM_SECONDS", default=600)
if EMAIL_TIMEOUT and OUTBOX_CLAIM_SECONDS < 30 * EMAIL_TIMEOUT:
    raise ImproperlyConfigured("OUTBOX_CLAIM_SECONDS must be at least 30 x EMAIL_TIMEOUT.")

# --- Security defaults (tightened further in production.py) -----------------------------
SESSION_COOKIE_HTTPONLY = True
# Sessions are kept in the database and read through the cache (Redis in production): a
# request of a signed-in user reads its session without a query, and a flushed cache loses
# no session.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy on every response (django-csp): scripts only from our own static
# files, never inline; no plug-ins, no framing, forms post only to the site. Inline style
# attributes stay allowed (the admin and the HTML e-mail previews use them; they run no code).
# Images may be data: URIs (the QR code of the two-factor set-up).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Logs go to standard output, one JSON object per line in production (LOG_FORMAT=json, the
# default there; python-json-logger), plain text elsewhere. gunicorn's own logs use the
# same format (config/gunicorn.py); Celery's go through these handlers.
LOG_FORMAT = env("LOG_FORMAT", default="plain")
# Personal data never reach a log line or an error mail (config/logging.py): every handler
# masks e-mail addresses, phone numbers and national identifiers; error mails to ADMINS carry
# no request body, cookies, headers or local variables.
ADMINS = [("Admissions portal", address) for address in env.list("ADMINS", default=[])]
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.logging.PersonalDataExceptionReporterFilter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "personal_data": {"()": "config.logging.PersonalDataFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["personal_data"],
        },
        "mail_admins": {
            "class": "config.logging.PersonalDataAdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Replaces Django's default "django" logger, whose own error-mail handler would send
        # request bodies unmasked; its records reach the masked root handler instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"handlers": ["mail_admins"], "level": "ERROR", "propagate": True},
        # WeasyPrint and fontTools log every rendering step of a PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Error reports -----------------------------------------------------------------------
# Unhandled errors of the web and of Celery tasks go to Sentry when SENTRY_DSN is set.
# No personal data is sent (applicants' data stays here): no user, cookies, request body or
# local variables, only the traceback, the URL and the log records (masked, see LOGGING).
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=env("SENTRY_RELEASE", default=None),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
    )

# --- Application -------------------------------------------------------------------------
# The consent texts and their versions are data (admin: "Personal-data consent texts"); this
# version is used only on a database that has none.
PERSONAL_DATA_CONSENT_VERSION = "2025-09"
