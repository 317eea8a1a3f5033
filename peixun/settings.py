"""Settings for peixun. Everything an operator changes comes from the environment.

One module for every place it runs. Values are read through the typed helpers of peixun.env,
which refuse what they cannot use. With no configuration at all it runs the demo (DEBUG on);
with PEIXUN_DEBUG=0 it refuses to start without keys of its own. The test suite selects
peixun.settings_test explicitly (pyproject.toml), which changes only what tests need.
"""

from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from peixun.env import (
    DEVELOPMENT_SECRET_KEY,
    env_bool,
    env_int,
    env_list,
    env_secret,
    env_str,
)

# Generic Django classes (forms.ModelChoiceField[Organization], QuerySet[Member]) at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PEIXUN_VAR_DIR", str(BASE_DIR / "var")))
TESTING = False

DEBUG = env_bool("PEIXUN_DEBUG", True)
SECRET_KEY = env_secret(
    "PEIXUN_SECRET_KEY", required=not DEBUG, min_length=50, dev_default=DEVELOPMENT_SECRET_KEY
)
# Key for encrypting ID-card numbers at rest; kept apart from SECRET_KEY so it can be rotated
# alone. Only a DEBUG run may leave it empty (core.crypto then derives it from SECRET_KEY).
FIELD_ENCRYPTION_KEY = env_secret("PEIXUN_FIELD_KEY", required=not DEBUG, min_length=32)
if FIELD_ENCRYPTION_KEY and FIELD_ENCRYPTION_KEY == SECRET_KEY:
    raise ImproperlyConfigured("PEIXUN_FIELD_KEY must differ from PEIXUN_SECRET_KEY.")
# Earlier field keys, newest first, kept only while `manage.py rotate_field_key` re-encrypts the
# stored numbers under PEIXUN_FIELD_KEY (docs/deployment.md, "Rotating the field key").
FIELD_ENCRYPTION_KEYS_PREVIOUS = env_list("PEIXUN_FIELD_KEY_PREVIOUS", [])
ALLOWED_HOSTS = env_list("PEIXUN_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "treebeard",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "peixun.core",
    "peixun.accounts",
    "peixun.orgs",
    "peixun.members",
    "peixun.hours",
    "peixun.events",
    "peixun.resources",
    "peixun.training",
    "peixun.plans",
    "peixun.orglife",
    "peixun.exams",
    "peixun.learning",
    "peixun.surveys",
    "peixun.spending",
    "peixun.reports",
    "peixun.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "peixun.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "peixun.core.middleware.RequestContextMiddleware",
    "peixun.core.replicas.PrimaryAfterWriteMiddleware",
    "peixun.core.middleware.SeparatedRolesMiddleware",
    "axes.middleware.AxesMiddleware",
    "peixun.accounts.middleware.StaffIdleTimeoutMiddleware",
]

ROOT_URLCONF = "peixun.urls"
WSGI_APPLICATION = "peixun.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "peixun" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "peixun.core.context_processors.navigation",
                "peixun.core.context_processors.csp_nonce",
                "peixun.resources.context_processors.teaching",
            ],
        },
    }
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'peixun.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_sqlite))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend, with writers queued on a kernel lock (peixun.core.sqlite).
    DATABASES["default"]["ENGINE"] = "peixun.core.sqlite"
    # The tests' database in memory, as for Django's own backend (pytest-django recognises only
    # that backend's name and would otherwise make a file per worker).
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer commits; IMMEDIATE avoids upgrade deadlocks.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# PostgreSQL: the few queries peixun.core.prepared sends with server-side binding (a QR scan's
# reads) become prepared statements after this many runs on a connection, so the server stops
# planning them each time. Django's own queries bind on the client and are never prepared. 0
# turns it off, for a pooler in transaction mode that cannot keep prepared statements (PgBouncer
# before 1.21).
_prepare_threshold = env_int("PEIXUN_PG_PREPARE_THRESHOLD", 5, minimum=0, maximum=1000)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = _prepare_threshold or None
# Reusing a connection saves its setup (and SQLite's PRAGMAs) on every request.
DATABASES["default"]["CONN_MAX_AGE"] = 60
# A streaming replica (PostgreSQL) for report and dashboard reads: peixun.core.replicas.
_replica_url = env_str("DATABASE_REPLICA_URL", "")
if _replica_url:
    DATABASES["replica"] = dj_database_url.parse(_replica_url)
    DATABASES["replica"]["CONN_MAX_AGE"] = 60
    DATABASES["replica"].setdefault("OPTIONS", {})["prepare_threshold"] = _prepare_threshold or None
    # Tests point the replica at the primary's test database unless they start a real one.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["peixun.core.replicas.ReplicaRouter"]
# After a write, a user's pages read the primary this long, so they see what they just did.
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 30, minimum=1, maximum=3600)
# A replica further behind than this is not read.
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 30, minimum=1, maximum=3600)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "peixun.accounts.backends.UsernameOrMobileBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A staff session (anyone holding a grant) ends after this many minutes without a request
# (accounts.middleware.StaffIdleTimeoutMiddleware); members who stay signed in are not staff.
STAFF_IDLE_MINUTES = env_int("PEIXUN_STAFF_IDLE_MINUTES", 30, minimum=1, maximum=24 * 60)
# Personal API tokens: the default and longest life a caller may ask for, and how many a user may
# hold at once (each token call is a login that issues one).
API_TOKEN_MAX_DAYS = env_int("PEIXUN_API_TOKEN_MAX_DAYS", 90, minimum=1, maximum=365)
API_TOKEN_DEFAULT_DAYS = min(30, API_TOKEN_MAX_DAYS)
API_TOKEN_MAX_ACTIVE = env_int("PEIXUN_API_TOKEN_MAX_ACTIVE", 10, minimum=1, maximum=100)

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Count failures per account, whichever spelling of its username or mobile number is typed.
AXES_USERNAME_CALLABLE = "peixun.accounts.backends.axes_username"
AXES_ENABLED = env_bool("PEIXUN_AXES", True)
AXES_CLIENT_IP_CALLABLE = "peixun.core.context.request_client_address"
# How many reverse proxies stand in front of the app (nginx: 1). The audit trail and the login
# lockouts take the client's address from X-Forwarded-For only that far from the right.
TRUSTED_PROXY_COUNT = env_int("PEIXUN_TRUSTED_PROXIES", 0, minimum=0, maximum=5)
# How long the audit trail keeps an event (days); 等保 level 3 asks for at least six months, so
# fewer than 183 days refuses to start. The core.audit_purge job deletes what is older.
AUDIT_RETENTION_DAYS = env_int("PEIXUN_AUDIT_RETENTION_DAYS", 400, minimum=183)
# How old a kept 数据驾驶舱 may be before a reader's page computes it again (0: always compute).
# The reports.dashboard_refresh job recomputes each tenant's top dashboard every 10 minutes.
DASHBOARD_MAX_AGE_SECONDS = env_int(
    "PEIXUN_DASHBOARD_MAX_AGE_SECONDS", 900, minimum=0, maximum=86400
)
# An org's compliance summary counting at least this many members is kept (ComplianceSnapshot)
# and read from the copy while it is younger than COMPLIANCE_MAX_AGE_SECONDS (0: never kept);
# the hours.compliance_refresh job recomputes the kept ones every 10 minutes. Smaller orgs are
# always judged live (well under a second up to tens of thousands of members).
COMPLIANCE_KEEP_MEMBERS = env_int("PEIXUN_COMPLIANCE_KEEP_MEMBERS", 20000, minimum=1)
COMPLIANCE_MAX_AGE_SECONDS = env_int(
    "PEIXUN_COMPLIANCE_MAX_AGE_SECONDS", 1800, minimum=0, maximum=86400
)
AUDIT_MIN_RETENTION_DAYS = 183
# How many branches' 三会一课记录本 one batch download lays out (a book takes a second or two):
# the request stays inside a web worker's timeout; a larger org downloads unit by unit.
RECORD_BOOKS_PER_DOWNLOAD = env_int("PEIXUN_RECORD_BOOKS_PER_DOWNLOAD", 12, minimum=1, maximum=200)

# The interface is Simplified Chinese whatever the browser asks for (no LocaleMiddleware):
# staff share screenshots and printouts, and a mixed-language office would be confusing.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "peixun" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "peixun" / "static"]
MEDIA_ROOT = VAR_DIR / "media"
# Without collectstatic (demo, tests), serve assets straight from the source folders.
WHITENOISE_USE_FINDERS = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Roster uploads above this are refused with a message before parsing.
ROSTER_MAX_UPLOAD_BYTES = 8 * 1024 * 1024
# An external platform's export (学习强国 …) for a whole year may run to a million rows.
LEARNING_IMPORT_MAX_BYTES = 200 * 1024 * 1024
# An upload checked but not applied within this many days is deleted (it may hold plain ID
# numbers) and its batch marked expired, by the job learning.imports_expire.
LEARNING_IMPORT_KEEP_DAYS = env_int("PEIXUN_LEARNING_IMPORT_KEEP_DAYS", 7, minimum=1, maximum=90)

# Background work (django-tasks): tasks wait in the database and `manage.py db_worker` runs
# them beside gunicorn (docs/deployment.md). Tests run them at once (settings_test).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

PAGE_SIZE = 50

# Email: off unless an SMTP host is given. Without EMAIL_HOST notifications stay in the app only.
EMAIL_HOST = env_str("PEIXUN_EMAIL_HOST", "")
EMAIL_PORT = env_int("PEIXUN_EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("PEIXUN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_secret("PEIXUN_EMAIL_PASSWORD", required=False, min_length=0)
EMAIL_USE_TLS = env_bool("PEIXUN_EMAIL_TLS", False)
EMAIL_USE_SSL = env_bool("PEIXUN_EMAIL_SSL", False)
EMAIL_TIMEOUT = env_int("PEIXUN_EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("PEIXUN_EMAIL_FROM", "peixun@localhost")
# Links in emails need the site's address; pages use relative links.
SITE_URL = env_str("PEIXUN_SITE_URL", "")
# The Chinese font PDF documents embed (only the characters used): Debian's fonts-noto-cjk by
# default. A .ttc holds several fonts; PDF_FONT_INDEX picks one (2 is Noto Sans CJK SC).
PDF_FONT_FILE = env_str("PEIXUN_PDF_FONT", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
PDF_FONT_INDEX = env_int("PEIXUN_PDF_FONT_INDEX", 2, minimum=0)
# The free stand-ins for the official faces in PDF documents (docs/documents.md): the body's
# 仿宋 and the title's 小标宋 (its Bold sibling) from Noto Serif CJK SC, 楷体 from AR PL UKai CN
# (fonts-arphic-ukai); 黑体 is PDF_FONT_FILE. A missing file falls back to the serif, then to
# PDF_FONT_FILE.
PDF_SERIF_FONT_FILE = env_str(
    "PEIXUN_PDF_SERIF_FONT", "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
)
PDF_SERIF_FONT_INDEX = env_int("PEIXUN_PDF_SERIF_FONT_INDEX", 2, minimum=0)
PDF_KAI_FONT_FILE = env_str("PEIXUN_PDF_KAI_FONT", "/usr/share/fonts/truetype/arphic/ukai.ttc")
PDF_KAI_FONT_INDEX = env_int("PEIXUN_PDF_KAI_FONT_INDEX", 0, minimum=0)

if not DEBUG:
    # Off only for a plain-http demo on this machine (`make run`); a deployment serves HTTPS.
    SESSION_COOKIE_SECURE = env_bool("PEIXUN_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env_bool("PEIXUN_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("PEIXUN_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("PEIXUN_LOG_LEVEL", "WARNING")},
}
