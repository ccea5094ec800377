"""StatusApp settings: one module, read from the environment through strict helpers."""

import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("STATUSAPP_VAR_DIR", BASE_DIR / "var"))
# var/ holds the SQLite database (sessions, tokens, webhook secrets), the broker's
# messages and the local secrets: owner-only, however it was created before.
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
if VAR_DIR.stat().st_mode & 0o077:
    VAR_DIR.chmod(0o700)


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _owner_only_database(path: Path) -> Path:
    """The SQLite database file, created empty if missing, readable by its owner only;
    SQLite gives its -wal and -shm files the database file's mode."""
    path.touch(mode=0o600, exist_ok=True)
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(0o600)
    return path


def _local_secret(filename: str) -> str:
    """A secret kept under var/ so `make run` needs no prompt and survives restarts."""
    path = VAR_DIR / filename
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY") or _local_secret("secret_key")
# Pepper for API key hashes; kept apart from SECRET_KEY so rotating one leaves the other.
API_KEY_PEPPER = env_str("STATUSAPP_API_KEY_PEPPER") or _local_secret("api_key_pepper")
# Encrypts the secrets StatusApp sends on (accounts.encryption); lost or changed, they cannot be read.
STATUSAPP_ENCRYPTION_KEY = env_str("STATUSAPP_ENCRYPTION_KEY") or _local_secret("encryption_key")
if len(STATUSAPP_ENCRYPTION_KEY) < 32:
    raise ImproperlyConfigured("STATUSAPP_ENCRYPTION_KEY must be at least 32 characters of random text")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Cookies: the session and CSRF cookies are not readable by scripts (htmx sends the token
# from the page), and with STATUSAPP_TLS=1 (TLS ended by a proxy that sets
# X-Forwarded-Proto) they are HTTPS-only, plain HTTP redirects and HSTS is sent.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
STATUSAPP_TLS = env_bool("STATUSAPP_TLS", False)
if STATUSAPP_TLS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^ping/"]  # probes and cron jobs may speak plain HTTP
    SECURE_HSTS_SECONDS = 31_536_000
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
# How many proxies in front of StatusApp append to X-Forwarded-For (nginx, a load balancer:
# usually 1). The throttles count the address the outermost of them saw; 0 ignores the header.
STATUSAPP_TRUSTED_PROXIES = env_int("STATUSAPP_TRUSTED_PROXIES", 0)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"
STATUSAPP_ALLOW_SIGNUP = env_bool("STATUSAPP_ALLOW_SIGNUP", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "apikeys",
    "webhooks",
    "monitors",
    "incidents",
    "statuspages",
    "alerts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "statuspages.middleware.CustomDomainMiddleware",
    "statusapp.api.throttling.RateLimitHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "statusapp.security.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "statusapp.urls"
WSGI_APPLICATION = "statusapp.wsgi.application"

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
                "accounts.context_processors.dashboard",
            ],
        },
    },
]

# Database: PostgreSQL through DATABASE_URL, else SQLite tuned so web and worker can
# write at once (WAL, IMMEDIATE transactions, a busy timeout).
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 600), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _owner_only_database(VAR_DIR / "statusapp.sqlite3"),
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # A file, not memory, so tests can share the database with a real server.
            "TEST": {"NAME": VAR_DIR / "test.sqlite3"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis backs the cache and the rate limiter when REDIS_URL is set; otherwise the
# cache lives in the database, which is correct across processes.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "statusapp_cache",
        }
    }

RATELIMIT_KEY_PREFIX = env_str("STATUSAPP_RATELIMIT_PREFIX", "statusapp:rl")
# The plans' request limits count per this many seconds: an hour. Shorter only for tests.
RATELIMIT_WINDOW = env_int("STATUSAPP_RATELIMIT_WINDOW", 3600)
GENERATION_KEY_PREFIX = "statusapp:gen"

# Celery: Redis (or any kombu URL) in production, kombu's filesystem transport under
# var/ as the embedded default.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("in", "processed", "control"):
        (_broker_dir / _sub).mkdir(mode=0o700, parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "in"),
        "data_folder_out": str(_broker_dir / "in"),
        "processed_folder": str(_broker_dir / "processed"),
        # Broadcasts (worker control): kombu's default is a "control" folder in the cwd.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat's schedule file under var/, not in whatever directory beat was started from.
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# What tasks print (the console email backend's emails) goes to the worker's output as
# it is, not through a logger that would label each email a WARNING.
CELERY_WORKER_REDIRECT_STDOUTS = False
# Late acknowledgement needs one message at a time per worker process, or a killed
# worker takes prefetched batches down with it.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE = {
    "dispatch-due-monitors": {"task": "monitors.tasks.dispatch_due_monitors", "schedule": 1.0},
    "finalize-rollups": {"task": "monitors.tasks.finalize_rollups", "schedule": 300.0},
    "prune-check-results": {"task": "monitors.tasks.prune_check_results", "schedule": 3600.0},
    "vacuum-check-tables": {"task": "monitors.tasks.vacuum_check_tables", "schedule": 60.0},
    "sweep-deliveries": {"task": "webhooks.tasks.sweep_deliveries", "schedule": 1.0},
    "sweep-status-changes": {"task": "incidents.tasks.process_status_changes", "schedule": 60.0},
    "sync-maintenances": {"task": "incidents.tasks.sync_maintenances", "schedule": 1.0},
    "send-subscriber-notifications": {"task": "statuspages.tasks.send_notifications", "schedule": 60.0},
    "follow-outages": {"task": "alerts.tasks.follow_outages", "schedule": 10.0},
    "check-certificates": {"task": "alerts.tasks.check_certificates", "schedule": 300.0},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Bodies beyond this are refused with 413 before parsing (see statusapp.api.parsers).
API_MAX_BODY_BYTES = env_int("STATUSAPP_API_MAX_BODY_BYTES", 256 * 1024)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apikeys.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["statusapp.api.permissions.ApiKeyPermission"],
    "DEFAULT_THROTTLE_CLASSES": ["statusapp.api.throttling.PlanRateThrottle"],
    "DEFAULT_PARSER_CLASSES": ["statusapp.api.parsers.AnyTypeJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["statusapp.api.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "statusapp.api.pagination.PagePagination",
    "DEFAULT_FILTER_BACKENDS": ["statusapp.api.filters.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "statusapp.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "statusapp.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%SZ",
    "PAGE_SIZE": 20,
    "NON_FIELD_ERRORS_KEY": "nonFieldErrors",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "StatusApp API",
    "DESCRIPTION": "Uptime monitoring, incidents, status pages and webhooks.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
    "ENUM_NAME_OVERRIDES": {
        "MonitorStatusEnum": "monitors.models.Monitor.Status",
        "IncidentStatusEnum": "incidents.models.IncidentStatus",
        "ComponentStatusEnum": "incidents.models.ComponentStatus",
        "DeliveryStatusEnum": "webhooks.models.Delivery.Status",
        "EventTypeEnum": "webhooks.models.EventType",
        "DeliveryEventTypeEnum": "webhooks.api.serializers.DELIVERY_EVENT_TYPES",
        "AlertChannelTypeEnum": "alerts.models.AlertChannel.Type",
        "AlertEventEnum": "alerts.models.AlertEvent",
    },
}

# Monitors: whether checks may target private networks (metadata stays refused).
STATUSAPP_ALLOW_PRIVATE_TARGETS = env_bool("STATUSAPP_ALLOW_PRIVATE_TARGETS", False)
MONITOR_MIN_INTERVAL = env_int("STATUSAPP_MONITOR_MIN_INTERVAL", 10)
# The scheduler claims monitors due within the lookahead (seconds); each check waits
# in its worker for its own slot. Batches of this many checks go to one task.
CHECK_DISPATCH_LOOKAHEAD = env_int("STATUSAPP_CHECK_LOOKAHEAD", 2)
CHECK_DISPATCH_LIMIT = env_int("STATUSAPP_CHECK_DISPATCH_LIMIT", 20_000)
CHECK_BATCH_SIZE = env_int("STATUSAPP_CHECK_BATCH_SIZE", 250)
CHECK_BATCH_TIME_LIMIT = 300 + 30  # the longest timeout plus the lookahead and the write
CHECK_RESULT_RETENTION_DAYS = env_int("STATUSAPP_CHECK_RETENTION_DAYS", 14)

# Regions the checks run from: every worker serves one (STATUSAPP_REGION, the first listed
# unless set) and takes its batches from the Celery queue `checks.<region>`. A region none
# of whose workers has reported for REGION_SILENT_AFTER seconds is left out of the quorum.
STATUSAPP_REGIONS = env_list("STATUSAPP_REGIONS", ["default"])
STATUSAPP_REGION = env_str("STATUSAPP_REGION", STATUSAPP_REGIONS[0] if STATUSAPP_REGIONS else "")
REGION_SILENT_AFTER = env_int("STATUSAPP_REGION_SILENT_AFTER", 30)
_REGION_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
if not STATUSAPP_REGIONS or not all(_REGION_NAME.fullmatch(name) for name in STATUSAPP_REGIONS):
    raise ImproperlyConfigured("STATUSAPP_REGIONS must list region names of lowercase letters, digits and dashes")
if len(set(STATUSAPP_REGIONS)) != len(STATUSAPP_REGIONS):
    raise ImproperlyConfigured("STATUSAPP_REGIONS lists a region twice")
if STATUSAPP_REGION not in STATUSAPP_REGIONS:
    raise ImproperlyConfigured(f"STATUSAPP_REGION {STATUSAPP_REGION!r} is not one of STATUSAPP_REGIONS")

# Webhooks: a request's wall-clock limit (seconds); the waits before each retry
# (Svix's schedule); how many requests one endpoint may have in flight; how long an
# endpoint may fail every attempt before it is disabled.
WEBHOOK_TIMEOUT = env_int("STATUSAPP_WEBHOOK_TIMEOUT", 10)
WEBHOOK_RETRY_SCHEDULE = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
WEBHOOK_ENDPOINT_CONCURRENCY = env_int("STATUSAPP_WEBHOOK_ENDPOINT_CONCURRENCY", 8)
WEBHOOK_DISABLE_AFTER_DAYS = 5
# How long a send task waits for its first answer before leaving its deliveries to the
# worker's background recorder and going on with other work (seconds).
WEBHOOK_TASK_FIRST_WAIT = 0.25
# A dispatched delivery left unsent this long (lost message, killed worker) is sent again.
WEBHOOK_DISPATCH_LEASE = env_int("STATUSAPP_WEBHOOK_DISPATCH_LEASE", 60)

# Email to status page subscribers: printed to the console unless an SMTP host is set.
# Alerts: the fixed API hosts of the paging and push services (the EU regions, a local
# Telegram Bot API server, a proxy; tests point them at loopback receivers).
STATUSAPP_PAGERDUTY_EVENTS_URL = env_str("STATUSAPP_PAGERDUTY_EVENTS_URL", "https://events.pagerduty.com/v2/enqueue")
STATUSAPP_OPSGENIE_API_URL = env_str("STATUSAPP_OPSGENIE_API_URL", "https://api.opsgenie.com")
STATUSAPP_TELEGRAM_API_URL = env_str("STATUSAPP_TELEGRAM_API_URL", "https://api.telegram.org")
STATUSAPP_PUSHOVER_API_URL = env_str("STATUSAPP_PUSHOVER_API_URL", "https://api.pushover.net")
STATUSAPP_TWILIO_API_URL = env_str("STATUSAPP_TWILIO_API_URL", "https://api.twilio.com")
# Apprise channels make their own requests, which the address guard cannot check at
# connect time: for single-tenant installs only.
STATUSAPP_APPRISE = env_bool("STATUSAPP_APPRISE", False)
ALERT_CHANNEL_CONCURRENCY = env_int("STATUSAPP_ALERT_CHANNEL_CONCURRENCY", 8)
# A monitor with more than this many transitions within the window is flapping: one
# alert says so, instead of one per flip.
ALERT_FLAP_TRANSITIONS = env_int("STATUSAPP_ALERT_FLAP_TRANSITIONS", 6)
ALERT_FLAP_WINDOW = env_int("STATUSAPP_ALERT_FLAP_WINDOW", 30 * 60)  # seconds
# Days before a certificate's expiry at which an ssl.expiring alert goes out, once each.
ALERT_SSL_THRESHOLDS = (30, 14, 7, 3, 1)

EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", bool(EMAIL_HOST))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "StatusApp <status@localhost>")
# Absolute links in emails (confirm, unsubscribe) start with this: by default the address
# `make run` serves, on PORT.
STATUSAPP_BASE_URL = env_str("STATUSAPP_BASE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}").rstrip("/")
# Hosts that serve StatusApp itself; any other Host is looked up as a page's custom domain
# (which must also be in ALLOWED_HOSTS).
STATUSAPP_APP_HOSTS = env_list(
    "STATUSAPP_APP_HOSTS", [urlsplit(STATUSAPP_BASE_URL).hostname, "127.0.0.1", "localhost", "[::1]", "testserver"]
)

# Custom domain verification: the DNS server asked for the TXT record and the A/AAAA records
# ("address" or "address:port"; empty: the system's), and the port of the HTTP challenge.
STATUSAPP_DOMAIN_RESOLVER = env_str("STATUSAPP_DOMAIN_RESOLVER").strip()
STATUSAPP_DOMAIN_CHALLENGE_PORT = env_int("STATUSAPP_DOMAIN_CHALLENGE_PORT", 80)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Django's loggers that write request paths: the secrets some paths carry (ping, invitation,
    # reset and subscriber links, badges) are replaced with <token> before any handler sees them.
    "filters": {
        "secret_paths": {"()": "statusapp.log_redaction.RedactSecretPaths"},
        "routine_at_debug": {"()": "statusapp.celery_logging.RoutineAtDebug"},
        "permission_denied_as_one_line": {"()": "statusapp.forbidden_logging.PermissionDeniedAsOneLine"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # SQL parameters carry the ping tokens and webhook secrets stored as they are.
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["secret_paths", "permission_denied_as_one_line"]},
        "django.security.csrf": {"filters": ["secret_paths"]},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False, "filters": ["secret_paths"]},
        # Beat's "Sending due task" and the worker's "Task … received/succeeded", several a second,
        # and kombu's "No hostname was supplied" for the embedded broker: at DEBUG.
        "celery.beat": {"filters": ["routine_at_debug"]},
        "celery.worker.strategy": {"filters": ["routine_at_debug"]},
        "celery.app.trace": {"filters": ["routine_at_debug"]},
        "kombu.connection": {"filters": ["routine_at_debug"]},
    },
}
