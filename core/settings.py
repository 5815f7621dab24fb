"""Django settings, every value from the environment (see the README's configuration table).

The defaults make a working single-machine install: SQLite in WAL mode under var/, the embedded Redis,
this host as the one machine with every role. DJANGO_ENV=production turns the defaults strict.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

from core import embedded_redis
from core.env import (
    ConfigError,
    QueueRole,
    env_bool,
    env_bool_or_auto,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_str,
    local_secret_key,
    machine_name,
    machine_roles,
    redis_url_with_db,
    var_dir,
)
from hobbies.choices import SelectionPolicy

DJANGO_ENV = env_str("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"
VAR_DIR = var_dir()

# --- Core -----------------------------------------------------------------------------------------------
if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    if not SECRET_KEY:
        raise ConfigError("SECRET_KEY is required when DJANGO_ENV=production")
else:
    SECRET_KEY = env_str("SECRET_KEY") or local_secret_key(VAR_DIR)

DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

MACHINE_NAME = machine_name()
MACHINE_ROLES = machine_roles()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_prometheus",
    "core",
    "workers",
    "hobbies",
    "memoryhub",
    "models_suite",
    "learning",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "core.middleware.ErrorShapeMiddleware",
    "core.middleware.BodySizeLimitMiddleware",
    "core.middleware.HeavyWorkGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "core.urls"
WSGI_APPLICATION = "core.wsgi.application"

TEMPLATES = [
    {
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

# --- Database -------------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'autodidact.sqlite3'}")
# Persistent connections: opening one costs more than a short query, on every request and task otherwise.
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server, the worker and beat read while one of them writes; the busy timeout
        # makes a writer wait for the lock instead of failing with "database is locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
        "transaction_mode": "IMMEDIATE",
    }
    # A file, not memory, so the workers that integration tests start share the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 5)
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
# One test database per test run, so two runs side by side do not drop each other's.
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker, results, cache, metrics in distinct logical databases ---------------------------------
REDIS_URL = env_str("REDIS_URL") or embedded_redis.running_url(VAR_DIR / "redis") or ""
REDIS_EMBEDDED_MISSING = not REDIS_URL
if REDIS_EMBEDDED_MISSING:
    # Nothing listens on port 1: every Redis use fails fast, and /health/ready says why.
    REDIS_URL = "redis://127.0.0.1:1/0"
REDIS_TIMEOUT_SECONDS = 2

CACHES: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url_with_db(REDIS_URL, "cache"),
        "KEY_PREFIX": "autodidact",
        "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT_SECONDS, "socket_timeout": REDIS_TIMEOUT_SECONDS},
    }
}
METRICS_REDIS_URL = redis_url_with_db(REDIS_URL, "metrics")
# The memory hub's key-value stores, each its own logical database unless configured elsewhere.
MEMORY_REDIS_URLS = {
    store: env_str(f"MEMORY_REDIS_{store.upper()}_URL") or redis_url_with_db(REDIS_URL, f"memory_{store}")
    for store in ("cache", "sessions", "knowledge")
}
MEMORY_INDEX_DIR = VAR_DIR / "indexes"
EMBEDDING_EXACT_BELOW = env_int("EMBEDDING_EXACT_BELOW", 2048)
# Embed in bfloat16: True (on), False (off) or None (auto: where the CPU computes it natively).
EMBEDDING_BF16 = env_bool_or_auto("EMBEDDING_BF16")
# The knowledge graph's query engine: "sql" (the truth itself, the default) or "neo4j" (a copy kept in sync over
# Bolt at NEO4J_URL, e.g. bolt://127.0.0.1:7687; openCypher queries need it).
GRAPH_ENGINE = env_choice("GRAPH_ENGINE", "sql", ("sql", "neo4j"))
NEO4J_URL = env_str("NEO4J_URL")
NEO4J_USER = env_str("NEO4J_USER")
NEO4J_PASSWORD = env_str("NEO4J_PASSWORD")

# --- Models: hosting and the gateway ----------------------------------------------------------------------
MODEL_MEMORY_BUDGET_PERCENT = env_int("MODEL_MEMORY_BUDGET_PERCENT", 80)  # of GPU memory (or the machine's, on CPU)
MODEL_KEEP_ALIVE_SECONDS = env_int("MODEL_KEEP_ALIVE_SECONDS", 300)  # unused this long, an unpinned model is unloaded
GATEWAY_TIMEOUT_SECONDS = env_int("GATEWAY_TIMEOUT_SECONDS", 120)  # how long the gateway waits for a models worker
GATEWAY_REQUESTS_KEEP_DAYS = env_int("GATEWAY_REQUESTS_KEEP_DAYS", 14)  # served requests kept for the promotion watch

# --- Hobbies ----------------------------------------------------------------------------------------------
# The originals' environment variables (docs/originals.md 1.2), validated here against the stored fields' ranges: each one
# set wins over the stored configuration (admin, PATCH /api/v1/hobbies/config); unset ones are absent.
HOBBY_CONFIG_OVERRIDES = {
    field: value
    for field, value in {
        "enabled": env_bool("AUTONOMOUS_HOBBY_ENABLED", None),
        "interval_minutes": env_float("HOBBY_INTERVAL_MINUTES", None, low=1, high=1440),
        "idle_threshold_minutes": env_float("HOBBY_IDLE_THRESHOLD_MINUTES", None, low=0.1, high=120),
        "max_hobby_duration_minutes": env_float("HOBBY_MAX_DURATION_MINUTES", None, low=1, high=60),
        "focus_on_weaknesses": env_bool("HOBBY_FOCUS_WEAKNESSES", None),
        "variety_factor": env_float("HOBBY_VARIETY_FACTOR", None, low=0, high=1),
        "intensity_level": env_float("HOBBY_INTENSITY_LEVEL", None, low=0, high=1),
        "selection_policy": env_choice("HOBBY_SELECTION_POLICY", None, tuple(SelectionPolicy.values)),
    }.items()
    if value is not None
}

# --- Learning ---------------------------------------------------------------------------------------------
FEEDBACK_OVERLAP = env_int("FEEDBACK_OVERLAP", 2)  # ratings wanted per item, so raters' agreement can be measured
REWARD_MODELS_DIR = Path(env_str("REWARD_MODELS_DIR") or VAR_DIR / "reward_models")  # trained versions
REWARD_MODEL_NAME = env_str("REWARD_MODEL_NAME", "default")  # the learned reward model the product uses
DATASETS_DIR = Path(env_str("DATASETS_DIR") or VAR_DIR / "datasets")  # LoRA training data, one folder per version
TRAINING_DIR = Path(env_str("TRAINING_DIR") or VAR_DIR / "training")  # running jobs' checkpoints, one folder per job
ADAPTERS_DIR = Path(env_str("ADAPTERS_DIR") or VAR_DIR / "adapters")  # trained LoRA adapters, one folder per version
# A training run renews its lease at every progress report; one that has not for this long is presumed dead and
# its job resumed from its checkpoint by the resume beat.
TRAINING_JOB_LEASE_SECONDS = env_int("TRAINING_JOB_LEASE_SECONDS", 300)

# --- Celery ---------------------------------------------------------------------------------------------
# Per-role (that is, per-queue) hard time limits in seconds; the soft limit fires a little earlier so a
# task can record why it stopped. The broker's visibility timeout must outlast the longest of them, or Redis
# would hand a still-running task to a second worker.
CELERY_ROLE_TIME_LIMITS = {
    QueueRole.CONTROL: env_int("TIME_LIMIT_CONTROL", 300),
    QueueRole.HOBBIES: env_int("TIME_LIMIT_HOBBIES", 3900),  # an assignment lasts up to 60 minutes
    QueueRole.MODELS: env_int("TIME_LIMIT_MODELS", 1800),
    QueueRole.TRAINING: env_int("TIME_LIMIT_TRAINING", 6 * 3600),
    QueueRole.MEMORY: env_int("TIME_LIMIT_MEMORY", 1800),
}
# The broker: REDIS_URL's broker database, unless CELERY_BROKER_URL names another (RabbitMQ: amqp://user:pass@
# host:5672/vhost; see the README for which to choose). Results, metrics and the cache stay in Redis either way.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or redis_url_with_db(REDIS_URL, "broker")
CELERY_RESULT_BACKEND = redis_url_with_db(REDIS_URL, "results")
BROKER_IS_AMQP = CELERY_BROKER_URL.split(":", 1)[0] in {"amqp", "amqps", "pyamqp"}
if BROKER_IS_AMQP:
    # Durable quorum queues: replicated, and a message stays until a worker acknowledges it. They have no
    # priorities and no global QoS (Celery detects them: worker_detect_quorum_queues); countdowns (retries) use
    # RabbitMQ's native delayed delivery, which needs topic exchanges. Publisher confirms: a send returns once
    # the broker has the message, so work acknowledged to a client is never only in a socket buffer.
    CELERY_TASK_CREATE_MISSING_QUEUE_TYPE = "quorum"
    CELERY_TASK_CREATE_MISSING_QUEUE_EXCHANGE_TYPE = "topic"
    CELERY_TASK_DEFAULT_QUEUE_TYPE = "quorum"
    CELERY_TASK_DEFAULT_EXCHANGE_TYPE = "topic"
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"confirm_publish": True}
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": max(CELERY_ROLE_TIME_LIMITS.values()) + 3600,
        "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that goes away does not stop running tasks: they finish and write their results to the database (the
# truth); their acknowledgement is lost with the connection, so the message may come again, and the claim makes
# it a no-op. Cancelling them instead (Celery 6's default) would throw away an hour of training over a blip.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TRACK_STARTED = True
# Celery's Django fixup closes the database connection around every task unless told to reuse it: a new
# PostgreSQL connection per task cost more than a short task's own queries. It now reuses it, and
# workers.signals applies DB_CONN_MAX_AGE and the health checks before each task, as a request does.
CELERY_DB_REUSE_MAX = 1_000_000
CELERY_TASK_ROUTES = ("workers.routing.route_task",)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 15)
WORKER_STALE_SECONDS = env_int("WORKER_STALE_SECONDS", 60)
WORKER_NAME = env_str("WORKER_NAME")  # empty: "autodidact" for a worker of every role, else the roles joined by "-"
MODELS_WORKER_THREADS = env_int("MODELS_WORKER_THREADS", 4)  # threads of the models worker (one process)

# --- make run (manage.py runstack): its command line's defaults -------------------------------------------
HOST = env_str("HOST", "127.0.0.1")
PORT = env_int("PORT", 8800)
WEB_WORKERS = env_int("WEB_WORKERS", 2)  # gunicorn processes
WEB_THREADS = env_int("WEB_THREADS", 8)  # threads in each
WORKER_CONCURRENCY = env_int("WORKER_CONCURRENCY", 2)  # Celery pool size of the workers it starts
# Set by runstack for the gunicorn processes it starts (prometheus_client reads it too): /metrics then merges
# every process's request metrics. Not for setting by hand.
PROMETHEUS_MULTIPROC_DIR = env_str("PROMETHEUS_MULTIPROC_DIR")

# --- API, auth, throttling ------------------------------------------------------------------------------
THROTTLE_RATE = env_str("THROTTLE_RATE", "100/min")  # the originals': per client and route
REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.auth.BearerOrTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.RolePermission"],
    "DEFAULT_THROTTLE_CLASSES": ["core.throttling.ClientRouteThrottle"],
    "DEFAULT_FILTER_BACKENDS": ["core.filters.CheckedFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.CheckedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

SPECTACULAR_SETTINGS = {
    "TITLE": "Autodidact API",
    "DESCRIPTION": "Control plane for self-improving local LLM agents.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files: no CDN, works offline
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ModelStatusEnum": "models_suite.models.ModelArtifact.Status",
        "EvalRunStatusEnum": "models_suite.models.EvalRun.Status",
        "SplitEnum": "models_suite.models.SPLIT_CHOICES",
    },
}

MAX_REQUEST_BODY_BYTES = 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES
ERROR_EVENT_RETENTION_DAYS = env_int("ERROR_EVENT_RETENTION_DAYS", 30)

# --- Static files, i18n ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise checks for it even while serving from the apps' folders
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
LOGIN_URL = "/admin/login/"

# --- Security -------------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # /health is probed over plain HTTP by load balancers and orchestrators.
    SECURE_REDIRECT_EXEMPT = [r"^health"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Our middleware records and answers every error; Django's own 4xx/5xx log lines would repeat them.
    "loggers": {"django.request": {"level": "CRITICAL"}},
}
