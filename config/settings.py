"""Settings for the Ban Chỉ đạo 138 campaign registry.

One module for every deployment: each value that differs between a laptop, CI
and production is read from the environment through the typed readers in
``config.env`` (they raise ``ImproperlyConfigured`` naming the variable on a bad
value). Every variable is listed with a safe example in ``.env.example``.

Embedded default (nothing set): SQLite, Celery in eager mode, no Redis needed.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from dotenv import load_dotenv

from config import secret_key
from config.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_path,
    env_secret,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# A developer's machine may keep its variables in .env (``make demo`` writes one);
# real environment variables always win. Deployments set the environment itself.
load_dotenv(BASE_DIR / ".env", override=False)

# --- Core -----------------------------------------------------------------------

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off "
            "(or SECRET_KEY_FILE naming a file that holds it)."
        )
    SECRET_KEY = "insecure-development-key-only-for-DEBUG"  # noqa: S105
if not DEBUG and (weakness := secret_key.weakness(SECRET_KEY)):
    # Whenever DEBUG is off — production, CI and the test suite alike (tests run
    # with a long test-only key; see Makefile): a placeholder or a guessable
    # key would let anyone forge sessions and signed values.
    raise ImproperlyConfigured(
        f"SECRET_KEY {weakness}. Set it (or SECRET_KEY_FILE) to at least "
        f"{secret_key.MIN_LENGTH} random characters, e.g. the output of: "
        f"{secret_key.HOW_TO_MAKE_ONE}"
    )

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # django.contrib.admin, opened to superusers only (config/admin_site.py).
    "config.admin_site.SuperuserAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "simple_history",
    # Login protection (issue 10). axes before the committees room: its
    # receivers of the sign-in signals must run before the security log's.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "units",
    "campaign.committees",
    "campaign.planning",
    "campaign.registrations",
    "campaign.assessments",
    "campaign.demo",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cache-Control: no-store, private on every response but static files.
    "config.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Login protection (issue 10): the verified two-step device of the session,
    # the session's idle and absolute limits (they need the messages), the
    # two-step step before any page.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "campaign.committees.middleware.SessionTimeoutMiddleware",
    "campaign.committees.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Records the signed-in user on every history row written during a request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Login protection (issue 10): a locked sign-in's page (axes wants to be
    # last), and the security log line of a request a view refused (403/404).
    "axes.middleware.AxesMiddleware",
    "campaign.committees.middleware.SecurityLogMiddleware",
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
                "csp.context_processors.nonce",
                "config.context_processors.site_urls",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------
# SQLite when DATABASE_URL is unset; PostgreSQL through psycopg 3 otherwise, with
# persistent connections (measured here: without them PostgreSQL pages are about
# 12x slower, every request paying connection set-up and SCRAM authentication).

DATABASE_URL = env_url("DATABASE_URL", ("postgres", "postgresql", "sqlite"))
DB_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 60, minimum=0)
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=DB_CONN_MAX_AGE,
            conn_health_checks=True,
        )
    }
    # Server-side parameters and prepared statements: a query a connection has
    # run five times is then parsed and planned once, not on every request
    # (measured at national scale: 1.5–3 ms less PostgreSQL CPU per page, a
    # tenth to a fifth of it). Turn off behind a transaction-mode connection
    # pooler (PgBouncer), which cannot keep a session's prepared statements.
    if DATABASES["default"]["ENGINE"].endswith("postgresql") and env_bool(
        "DB_PREPARED_STATEMENTS", default=True
    ):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": 5}
        )
else:
    SQLITE_PATH = env_path("SQLITE_PATH", BASE_DIR / "var" / "db.sqlite3")
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------
# Shared by every web process and the worker when CACHE_URL names a Redis
# database (production: the dashboard's figures are counted by the worker and
# read by the web processes); otherwise each process keeps its own in memory.

CACHE_URL = env_url("CACHE_URL", ("redis", "rediss"))
if CACHE_URL:
    CACHES = {
        "default": {
            # Django's Redis cache with one client per pool (config/redis_cache.py).
            "BACKEND": "config.redis_cache.SharedClientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "bcd138",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication ---------------------------------------------------------------

AUTH_USER_MODEL = "committees.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # "matkhau123456", "AnGiang@2026": the words everyone here tries first.
    {"NAME": "campaign.committees.password_validation.ContextWordPasswordValidator"},
]
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=300)
DEMO_PASSWORD = env_secret("DEMO_PASSWORD", "")

# --- Login protection (issue 10) --------------------------------------------------
# Throttling (django-axes, in the database: a lock survives restarts and holds
# across processes), two-step verification (django-otp), the session's limits
# and the security log. The code is in campaign/committees (security.py,
# throttling.py, middleware.py, signals.py, */two_factor.py).

AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out sign-in before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Reverse proxies in front of the app (compose's Caddy: 1). The client's
# address is read from X-Forwarded-For only as far as these proxies wrote it;
# 0 (no proxy) trusts no header at all.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=5)
# A user name tried from one address: locked after LOGIN_FAILURE_LIMIT
# failures, for LOGIN_COOLOFF_SECONDS after the last one. One address, whatever
# the user names: locked after LOGIN_IP_FAILURE_LIMIT failures (0: no limit).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = datetime.timedelta(
    seconds=env_int("LOGIN_COOLOFF_SECONDS", 15 * 60, minimum=60)
)
LOGIN_IP_FAILURE_LIMIT = env_int("LOGIN_IP_FAILURE_LIMIT", 30, minimum=0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "campaign.committees.throttling.LoginThrottleHandler"
AXES_CLIENT_IP_CALLABLE = "campaign.committees.security.client_ip"
AXES_LOCKOUT_CALLABLE = "campaign.committees.views.security.login_locked"
# A try during the lock is refused without being counted: the time the page
# gives holds. A success clears that user name's failures from that address.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# The security log records sign-ins; axes keeps only the failures it counts.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# Two-step verification: required of provincial staff, leaders and admin users
# when true (they must set it up before any other page); anyone may set it up.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", default=False)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "BCD 138 An Giang")

# A session ends after this long without a request (0: never), and in any case
# SESSION_COOKIE_AGE after the sign-in.
SESSION_IDLE_TIMEOUT_SECONDS = env_int(
    "SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60, minimum=0
)

# --- Internationalisation -----------------------------------------------------------

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static and private files -------------------------------------------------------
# Uploaded and generated files are private: there is no MEDIA_URL, every file is
# served by a view that checks the user's permission first.

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env_path("STATIC_ROOT", BASE_DIR / "var" / "staticfiles")
PRIVATE_MEDIA_ROOT = env_path("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private")
STORAGES = {
    "default": {
        # FileSystemStorage whose files appear whole or not at all: a full
        # disk leaves no truncated file behind (campaign/storage.py).
        "BACKEND": "campaign.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Uploads ----------------------------------------------------------------------
# A file over the cap is dropped as it streams in (never held in memory) and the
# form says so; the other handlers are Django's defaults.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_HANDLERS = [
    "campaign.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Upload checks (issue 10): every uploaded file is parsed in a child process of
# the web worker with these budgets (campaign/upload_sandbox.py); the limits of
# the parsers themselves are in campaign/uploads.py.
UPLOAD_CHECK_SECONDS = env_int("UPLOAD_CHECK_SECONDS", 10, minimum=1)
UPLOAD_CHECK_MEMORY_BYTES = env_int(
    "UPLOAD_CHECK_MEMORY_BYTES", 512 * 1024 * 1024, minimum=64 * 1024 * 1024
)
UPLOAD_MAX_IMAGE_PIXELS = env_int("UPLOAD_MAX_IMAGE_PIXELS", 40_000_000, minimum=1)
UPLOAD_PDF_MAX_PAGES = env_int("UPLOAD_PDF_MAX_PAGES", 2_000, minimum=1)
UPLOAD_DOCX_MAX_EXPANDED_BYTES = env_int(
    "UPLOAD_DOCX_MAX_EXPANDED_BYTES", 100 * 1024 * 1024, minimum=1024 * 1024
)

# --- Security -----------------------------------------------------------------------

HTTPS = env_bool("HTTPS", default=False)
# Whether a request came over TLS is gunicorn's call, not a header's: gunicorn
# sets the WSGI scheme from X-Forwarded-Proto only on connections from
# FORWARDED_ALLOW_IPS (compose: the reverse proxy's network; see
# docker/gunicorn.conf.py), and Django reads that scheme. With
# SECURE_PROXY_SSL_HEADER, Django would believe the header from anyone who
# reaches gunicorn.
SECURE_PROXY_SSL_HEADER = None
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# No HSTS preload: the browsers' preload list takes whole registrable domains
# (a province's gov.vn domain and every site under it), a decision for its
# owner, not for one application on one of its names. check --deploy's reminder
# (security.W021) is the only check silenced (tests/config/test_deploy_check.py).
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Forms ------------------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Celery -------------------------------------------------------------------------
# Eager mode (tasks run inside the request) when no broker is configured: the
# embedded default needs no Redis. With a broker, a task is acknowledged only
# after it ran and is handed back when its worker dies; the ReportJob table and
# the reconciler cover what the broker itself can lose (Redis without persistence,
# a worker killed before the visibility timeout).

CELERY_BROKER_URL = env_url("CELERY_BROKER_URL", ("redis", "rediss", "memory"))
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
if CELERY_TASK_ALWAYS_EAGER:
    # Eager tasks still pass through a producer; the in-memory transport keeps
    # Celery from reaching for a default AMQP broker that does not exist.
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=2)
if CELERY_TASK_TIME_LIMIT <= CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_TASK_TIME_LIMIT must be greater than CELERY_TASK_SOFT_TIME_LIMIT."
    )
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int(
    "CELERY_WORKER_MAX_MEMORY_PER_CHILD", 400_000, minimum=50_000
)
# On SIGQUIT (compose's stop signal for the worker) a running report gets up to
# this long to finish before its message is handed back to the broker; the
# worker stops as soon as its running tasks are done (config/worker_shutdown.py),
# and at once when none is running (Celery waits when idle only with
# worker_enable_soft_shutdown_on_idle, for tasks with an ETA: we have none).
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = env_int(
    "CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT", 60, minimum=0
)
CELERY_WORKER_ENABLE_SOFT_SHUTDOWN_ON_IDLE = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Longer than the hard time limit, so a running task is never handed out twice.
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 60,
}
# How often beat runs the report reconciler; with the lease below it bounds
# how long a report whose worker died waits before it is sent again.
REPORT_RECONCILE_INTERVAL_SECONDS = env_int(
    "REPORT_RECONCILE_INTERVAL_SECONDS", 20, minimum=5
)
CELERY_BEAT_SCHEDULE = {
    "report-jobs-reconcile": {
        "task": "reporting.tasks.report_jobs_reconcile",
        "schedule": REPORT_RECONCILE_INTERVAL_SECONDS,
    },
    # E-mails of notifications that the broker lost or a worker dropped.
    "notification-emails-reconcile": {
        "task": "registrations.tasks.notification_emails_reconcile",
        "schedule": 120,
    },
    # Uploads kept for a form that was never sent again.
    "pending-uploads-sweep": {
        "task": "registrations.tasks.pending_uploads_sweep",
        "schedule": 60 * 60,
    },
}

# --- Reports ----------------------------------------------------------------------

# A running job's lease: a heartbeat thread of the worker renews it every
# REPORT_HEARTBEAT_SECONDS while the document renders (0: a third of the lease,
# so two missed beats in a row still keep the job). A job whose lease ran out
# is taken to be lost and is sent again by the reconciler (every
# REPORT_RECONCILE_INTERVAL_SECONDS, above): with 30 s and 20 s, a job whose
# worker died is sent again at most ~50 s after its last heartbeat.
REPORT_LEASE_SECONDS = env_int("REPORT_LEASE_SECONDS", 30, minimum=2)
REPORT_HEARTBEAT_SECONDS = env_int("REPORT_HEARTBEAT_SECONDS", 0, minimum=0)
if REPORT_HEARTBEAT_SECONDS >= REPORT_LEASE_SECONDS:
    raise ImproperlyConfigured(
        f"REPORT_HEARTBEAT_SECONDS={REPORT_HEARTBEAT_SECONDS} must be shorter than "
        f"REPORT_LEASE_SECONDS={REPORT_LEASE_SECONDS}, or the lease runs out "
        "between two beats."
    )
# A pending job not picked up within this many seconds is sent again.
REPORT_RESEND_AFTER_SECONDS = env_int("REPORT_RESEND_AFTER_SECONDS", 60, minimum=1)
REPORT_MAX_ATTEMPTS = env_int("REPORT_MAX_ATTEMPTS", 3, minimum=1, maximum=10)
# Fault injection for the reliability tests only: the render waits this long.
REPORT_RENDER_DELAY_SECONDS = env_int("REPORT_RENDER_DELAY_SECONDS", 0, minimum=0)
REPORT_ISSUER_PLACE = env_str("REPORT_ISSUER_PLACE", "An Giang")
# The dashboard keeps its figures this long (0: off); any change recorded
# through the services makes it count them again (reporting/dashboard_cache.py).
DASHBOARD_CACHE_SECONDS = env_int("DASHBOARD_CACHE_SECONDS", 300, minimum=0)
# The province this deployment serves, by GSO code, newest first: the code in
# force on a date wins (the new An Giang is 91 since 01/07/2025, it was 89).
CAMPAIGN_PROVINCE_CODES = tuple(
    code.strip()
    for code in env_str("CAMPAIGN_PROVINCE_CODES", "91,89").split(",")
    if code.strip()
)
# A choice list (localities, units, organisations) longer than this is not
# written into the page: its <select> holds only the chosen option and the
# combobox asks a scoped search endpoint as the user types (units/widgets.py).
# Above An Giang's own lists (115 committees), so the province's pages keep
# their full lists and work without JavaScript; a national database does not.
COMBOBOX_REMOTE_THRESHOLD = env_int("COMBOBOX_REMOTE_THRESHOLD", 200, minimum=1)

# --- Logging ----------------------------------------------------------------------

LOG_LEVEL = env_choice(
    "LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        # In eager mode every task would log a line into the request's output.
        "celery.app.trace": {
            "level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else LOG_LEVEL
        },
    },
}

# The security log (issue 10): one JSON line per sign-in, failure, lock-out,
# sign-out, two-step verification and refused request, with its own UTC time
# (campaign/committees/security.py); axes' own lines would repeat them.
LOGGING["formatters"]["security"] = {"format": "%(message)s"}
LOGGING["handlers"]["security"] = {
    "class": "logging.StreamHandler",
    "formatter": "security",
}
LOGGING["loggers"]["security"] = {
    "handlers": ["security"],
    "level": "INFO",
    "propagate": False,
}
LOGGING["loggers"]["axes"] = {"level": "ERROR"}

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "bcd138@angiang.invalid")
# For django.core.mail.backends.filebased.EmailBackend only: where it writes.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", "") or None
# The address of the site as users reach it, for the links in e-mails.
SITE_URL = (env_url("SITE_URL", ("http", "https")) or "http://127.0.0.1:8000").rstrip(
    "/"
)
