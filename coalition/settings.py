"""Settings for the Coalition Contributions Tracker, read from the environment and a .env file.

See .env.example for every variable. With DEBUG off, SECRET_KEY is required.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent

# `make run` writes a .env for this machine, so manage.py and gunicorn need no prefix. Real environment
# variables win over it: production, CI and `make test` set theirs and never depend on a developer's
# file. DOTENV_PATH names another file (tests point it at their own, or at /dev/null to read none).
DOTENV_PATH = Path(os.environ.get("DOTENV_PATH") or BASE_DIR / ".env")
load_dotenv(DOTENV_PATH, override=False)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only ever used on a developer's machine; production refuses to start without a real key.
    SECRET_KEY = "django-insecure-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_countries",
    "django_filters",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "axes",
    "csp",
    "contributions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "coalition.middleware.NulInQueryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "coalition.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "coalition.urls"
WSGI_APPLICATION = "coalition.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast when the server is down instead of hanging a worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
if os.environ.get("TEST_DATABASE_NAME"):
    # Lets two test runs share one PostgreSQL server without dropping each other's test database.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no row locks: take the write lock when a transaction starts, so two editors saving
    # the same record one after the other cannot both pass the If-Match check.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("transaction_mode", "IMMEDIATE")

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache that every worker shares, so a write is paid for once and a throttle counts each client
# once. With REDIS_URL: Redis, for every container. Without: files in CACHE_DIR, for the workers of
# one machine (a per-process memory cache would multiply each limit by the number of workers).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_DIR = Path(os.environ.get("CACHE_DIR") or BASE_DIR / ".cache")
# Parallel test workers (pytest-xdist) each empty the cache before every test: each gets its own.
_TEST_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw-1")[2:]) + 1
if REDIS_URL:
    if _TEST_WORKER:
        REDIS_URL = urlsplit(REDIS_URL)._replace(path=f"/{_TEST_WORKER}").geturl()
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "contributions.cache.FileCache",
            "LOCATION": str(CACHE_DIR / f"gw{_TEST_WORKER}" if _TEST_WORKER else CACHE_DIR),
            # Pages of many filter combinations; past this, a third of the files are dropped.
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

# Where verify_citations and the data tests look for the article texts. A relative path (as in .env)
# is taken from the project folder, so it means the same whichever folder a command runs in.
SOURCES_DIR = BASE_DIR / os.environ.get("SOURCES_DIR", BASE_DIR.parent / "shared" / "sources")

# Where the uploaded originals of archived source texts are kept (the default storage). They are for
# editors and verification only: no URL serves this folder.
MEDIA_ROOT = BASE_DIR / os.environ.get("MEDIA_ROOT", "media")
# Largest source file (.txt, .html, .pdf) an editor may upload to archive a source's text.
SOURCE_UPLOAD_MAX_BYTES = int(os.environ.get("SOURCE_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))

# Proxies in front of the app that append to X-Forwarded-For (the README's TLS proxy is one). Both the
# API throttles and django-axes read the client's address through them, and trust nothing further left.
NUM_PROXIES = int(os.environ.get("NUM_PROXIES", "0"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly",
    ],
    "DEFAULT_FILTER_BACKENDS": ["contributions.api.backends.FilterBackend"],
    # JSON with a depth limit; forms are for the browsable API.
    "DEFAULT_PARSER_CLASSES": [
        "contributions.api.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "contributions.api.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "contributions.pagination.PageNumberPagination",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "contributions.api.throttles.UserRateThrottle",
        "contributions.api.throttles.DownloadRateThrottle",
    ],
    # An empty rate turns that throttle off (for a benchmark, or a proxy that limits rates itself).
    # "user" counts token and session users by account; "download" counts whole-table downloads
    # (/export/ and lists as CSV) by account or address, on top of the other two.
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_ANON_RATE", "1000/hour") or None,
        "user": os.environ.get("API_USER_RATE", "5000/hour") or None,
        "download": os.environ.get("API_DOWNLOAD_RATE", "60/hour") or None,
    },
    # The client's address is the one the last of this many trusted proxies saw (X-Forwarded-For,
    # read from the right). 0: the address of the connection itself, and the header is ignored.
    "NUM_PROXIES": NUM_PROXIES,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Coalition Contributions Tracker API",
    "DESCRIPTION": "What each nation contributed to the Global Coalition to Counter ISIL, 2014–2016, "
    "with a verbatim citation for every fact.\n\n"
    "**Reading** is open to everyone; anonymous clients are throttled (429 with Retry-After). "
    "**Writing** needs an editor: send `Authorization: Token <key>`, or use a logged-in session.\n\n"
    "**Related records** read as compact objects with their URL and are written by key: a nation by "
    "its ISO code (either case), a meeting, official or source by slug, anything else by id.\n\n"
    "**Lists** take `page` and `page_size` (at most 500). Contributions also page by cursor "
    "(`pagination=cursor`, then follow `next`), at the same cost however deep. "
    "`format=csv` or `Accept: text/csv` gives every matching row as CSV; `/export/` gives the whole "
    "dataset as JSON or a zip of CSV files, described column by column at `/export/dictionary/`.\n\n"
    "**Changes**: every record carries an ETag. Send it back in `If-Match` with PUT, PATCH or DELETE; "
    "412 means someone changed the record first. `If-None-Match` on a GET gives 304 when nothing changed.\n\n"
    "**Errors** are JSON: 400 names each bad field or parameter with the reason.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No validator badge: Swagger UI would fetch it from validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Writes take a related record's key, reads return a compact object: separate request components.
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Several models have a "status" or "role" with different choices; name each set after its class.
    "ENUM_NAME_OVERRIDES": {
        "ContributionStatusEnum": "contributions.models.ContributionStatus",
        "MeetingStatusEnum": "contributions.models.MeetingStatus",
        "NationRoleEnum": "contributions.models.NationRole",
        "ParticipationRoleEnum": "contributions.models.ParticipationRole",
        "DatePrecisionEnum": "contributions.models.DatePrecision",
        # The search kinds would otherwise take "KindEnum" from the meetings kinds, renaming it.
        "SearchKindEnum": "contributions.models.SearchKind",
        "SourceKindEnum": "contributions.models.SourceKind",
        "KindEnum": "contributions.models.MeetingKind",
        "PartnerKindEnum": "contributions.models.PartnerKind",
        # One vocabulary for figures' and contributions' numbers, under the name figures gave it.
        "QualifierEnum": "contributions.models.Qualifier",
    },
}

# django-axes: lock an account-and-address pair out after repeated failed logins.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_VERBOSE = False
# The same address the API throttles see (NUM_PROXIES), not the proxy's, which would be everyone's.
AXES_CLIENT_IP_CALLABLE = "coalition.proxies.client_ip"

# API tokens (django-rest-knox): stored as a hash, shown once, sent as `Authorization: Token <key>`.
# Editors make and revoke their own at /account/tokens/.
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_TTL": timedelta(days=int(os.environ.get("API_TOKEN_DAYS", "90"))) or None,
    "AUTO_REFRESH": False,
}

LOGIN_URL = "admin:login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

if not DEBUG:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("SECURE_PROXY_SSL_HEADER"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Load balancers and the Docker HEALTHCHECK probe over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Everything comes from this site: no inline scripts, no eval, no CDN. Views that need more
# (the API docs) widen it for themselves with django-csp's decorators.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Sessions end after a working day, and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 60 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# Request bodies above this are refused before they reach a view; imports have their own limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Largest CSV or XLSX file the admin import accepts.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(2 * 1024 * 1024)))

# --- Editors' admin (issue 6): history, bulk import, login lockout -------------------------------
# Editors see a record's history and revert it with the permissions they edit it with; there are no
# separate history permissions to grant.
SIMPLE_HISTORY_REVERT_DISABLED = False
SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS = False
# An import runs in one transaction, so a file with a bad row saves nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True
# The admin export drops the leading "=" of a cell, so a spreadsheet does not run it as a formula.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
# Caps on what an import file may hold, checked while it is read (an .xlsx is checked unpacked).
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "5000"))
IMPORT_MAX_COLUMNS = int(os.environ.get("IMPORT_MAX_COLUMNS", "50"))
# Lockouts get a page that says what happened; every failure is kept for the admin to see.
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_RESET_ON_SUCCESS = True
