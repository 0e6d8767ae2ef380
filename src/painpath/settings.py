"""Settings, read from the environment in one place.

PAINPATH_ENV picks the profile: ``production`` (the default: safe unless told otherwise),
``development``, ``demo`` or ``test``. Outside development/demo/test a real SECRET_KEY is
required and the secure-cookie/HSTS headers are on.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(os.environ.get("PAINPATH_HOME", Path(__file__).resolve().parents[2]))
VAR_DIR = Path(os.environ.get("PAINPATH_VAR_DIR", BASE_DIR / "var"))

ENV = os.environ.get("PAINPATH_ENV", "production")
_ENVS = {"production", "development", "demo", "test"}
if ENV not in _ENVS:
    raise ImproperlyConfigured(f"PAINPATH_ENV must be one of {sorted(_ENVS)}, not {ENV!r}")
LOCAL = ENV in {"development", "demo", "test"}  # running on the operator's own machine

_INSECURE_KEY = "painpath-insecure-local-only-key"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not LOCAL:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY (50+ random characters) or, for a local "
            "trial, PAINPATH_ENV=development."
        )
    SECRET_KEY = _INSECURE_KEY
elif not LOCAL and (SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters and not the demo key.")

DEBUG = ENV == "development" and os.environ.get("DEBUG", "1") == "1"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if LOCAL else "").split(
        ","
    )
    if h.strip()
]
if not LOCAL and not ALLOWED_HOSTS:
    # Django would start and answer every request 400; say what is missing instead.
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set (e.g. ALLOWED_HOSTS=pain.example.org).")
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "huey.contrib.djhuey",
    "ninja",  # serves its Swagger UI from local static files (no CDN, CSP-clean)
    "painpath.core",
    "painpath.accounts",
    "painpath.patients",
    "painpath.audit",
    "painpath.medications",
    "painpath.alerts",
    "painpath.diary",
    "painpath.assessments",
    "painpath.genomics",
    "painpath.devices",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "painpath.core.uploads.UploadSizeLimitMiddleware",  # before anything reads a body
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "painpath.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "painpath.audit.denials.RefusedRequestAuditMiddleware",
    "painpath.core.middleware.ClinicTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "painpath.core.views.DomainErrorMiddleware",
    "painpath.core.views.ApiErrorBodyMiddleware",
    "painpath.core.idempotency.IdempotencyMiddleware",  # innermost: around the view only
]
CSRF_FAILURE_VIEW = "painpath.core.views.csrf_failure"
# Largest JSON or form body read into memory (413 beyond); files upload to disk outside it.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("MAX_BODY_BYTES", str(2_621_440)))
# How long the server waits for each piece of a request body before answering 408
# (painpath.core.request_body); 0 turns the wait off.
BODY_TIMEOUT_SECONDS = float(os.environ.get("BODY_TIMEOUT_SECONDS", "10"))
# How long an API write's Idempotency-Key is remembered (painpath.core.idempotency).
IDEMPOTENCY_KEY_TTL_HOURS = int(os.environ.get("IDEMPOTENCY_KEY_TTL_HOURS", "24"))

ROOT_URLCONF = "painpath.urls"
WSGI_APPLICATION = "painpath.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "painpath.core.context_processors.site",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'painpath.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL for concurrent readers; IMMEDIATE so a writer takes the lock up front (the audit
    # chain reads its head then appends); foreign keys are on by default in Django's SQLite.
    # Connections are kept (conn_max_age above), as on PostgreSQL: closing the last one after
    # each request checkpointed the WAL into the database file every time.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
if ENV == "test":
    # The browser tests' live server answers in threads that a keep-alive connection keeps
    # alive; a connection kept for reuse there would still be open when the test database
    # is dropped ("being accessed by other users" on PostgreSQL).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Audit chain anchors (head seq + hash copied out of the database by `painpath audit anchor`
# and nightly): keep this file, or a copy of it, somewhere the database's users cannot write.
AUDIT_ANCHOR_FILE = Path(
    os.environ.get("PAINPATH_AUDIT_ANCHOR_FILE") or VAR_DIR / "audit-anchors.jsonl"
)
# Refused requests audited per caller (user + address) and reason each minute; the rest are
# counted and summed into one row per minute (painpath.audit.denials).
AUDIT_REFUSALS_PER_MINUTE = int(os.environ.get("AUDIT_REFUSALS_PER_MINUTE", "10"))

# --- auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if ENV == "test":  # fast hashing keeps the suite quick; never outside tests
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed log-ins (django-axes): per user name and client address.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False

# Password-reset mail: at most so many requests per address and per client in the window.
PASSWORD_RESET_LIMIT_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ADDRESS", "3"))
PASSWORD_RESET_LIMIT_PER_CLIENT = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_CLIENT", "10"))
PASSWORD_RESET_WINDOW_MINUTES = int(os.environ.get("PASSWORD_RESET_WINDOW_MINUTES", "60"))

SESSION_COOKIE_AGE = 60 * 60 * 8  # one clinic shift
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- e-mail ---------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if LOCAL
    else "django.core.mail.backends.smtp.EmailBackend",
)
if ENV == "test":
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "painpath@localhost")

# --- i18n / time ----------------------------------------------------------------------
# How far in the future a reported time may be (device and phone clocks drift).
CLOCK_SKEW_SECONDS = int(os.environ.get("CLOCK_SKEW_SECONDS", "300"))
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "src" / "painpath" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")  # server default; each clinic has its own

# --- static files (npm packages under node_modules, served by whitenoise) ------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if LOCAL
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = LOCAL
WHITENOISE_AUTOREFRESH = LOCAL

# --- security headers -----------------------------------------------------------------
# Only behind a proxy that sets X-Forwarded-For itself (deploy/nginx overwrites it): the
# client address for audit rows and per-client limits is then the proxy's last entry.
TRUST_X_FORWARDED_FOR = os.environ.get("TRUST_X_FORWARDED_FOR", "0") == "1"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not LOCAL:
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    # Only behind a TLS proxy that sets the header itself: otherwise a client could claim
    # HTTPS by sending it.
    if os.environ.get("BEHIND_TLS_PROXY", "0") == "1":
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- background work (huey) -----------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if ENV == "test":
    # Each test process queues in memory: tasks the suite enqueues must never land in the
    # demo's queue file under ./var, where `painpath demo`'s worker would run them later
    # against another database. Tests that need a task run switch huey to immediate mode.
    HUEY = {"huey_class": "huey.MemoryHuey", "name": "painpath-test", "immediate": False}
elif REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "painpath",
        "url": REDIS_URL,
        "immediate": False,
    }
else:
    HUEY = {
        "huey_class": "painpath.core.queue.SqliteHuey",  # WAL, synchronous=NORMAL
        "name": "painpath",
        "filename": os.environ.get("HUEY_SQLITE_PATH", str(VAR_DIR / "huey.sqlite3")),
        "immediate": False,
    }


# --- uploads and file imports (README "Limits") -----------------------------------------
def _int_env(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


_KiB, _MiB = 1024, 1024 * 1024
# A multipart upload (a wearable export, a lab file) as sent: larger gets 413 before it is read.
PAINPATH_UPLOAD_MAX_BYTES = _int_env("PAINPATH_UPLOAD_MAX_BYTES", 256 * _MiB)
# What a wearable file may expand to (zip) and how its parsers are bounded.
PAINPATH_IMPORT_MAX_EXPANDED_BYTES = _int_env("PAINPATH_IMPORT_MAX_EXPANDED_BYTES", 4096 * _MiB)
PAINPATH_IMPORT_MAX_RATIO = _int_env("PAINPATH_IMPORT_MAX_RATIO", 100)
PAINPATH_IMPORT_MAX_LINE_BYTES = _int_env("PAINPATH_IMPORT_MAX_LINE_BYTES", _MiB)
PAINPATH_IMPORT_MAX_XML_TOKEN_BYTES = _int_env("PAINPATH_IMPORT_MAX_XML_TOKEN_BYTES", 64 * _KiB)
PAINPATH_IMPORT_MAX_DEPTH = _int_env("PAINPATH_IMPORT_MAX_DEPTH", 64)
PAINPATH_IMPORT_MAX_JSON_TOKEN_BYTES = _int_env("PAINPATH_IMPORT_MAX_JSON_TOKEN_BYTES", _MiB)
PAINPATH_IMPORT_MAX_ITEM_BYTES = _int_env("PAINPATH_IMPORT_MAX_ITEM_BYTES", _MiB)
# A device's samples batch (JSON or NDJSON) as sent.
SAMPLES_MAX_BODY_BYTES = 64 * _MiB
# No endpoint accepts a larger body: the WSGI entry does not wait for one (Django refuses it
# from its Content-Length alone).
# Lab files (VCF, CSV, JSON): as sent, expanded (gzip/bgzip), and VCF records.
PAINPATH_PGX_UPLOAD_MAX_BYTES = _int_env("PAINPATH_PGX_UPLOAD_MAX_BYTES", 20 * _MiB)
PAINPATH_PGX_MAX_EXPANDED_BYTES = _int_env("PAINPATH_PGX_MAX_EXPANDED_BYTES", 512 * _MiB)
PAINPATH_PGX_MAX_RECORDS = _int_env("PAINPATH_PGX_MAX_RECORDS", 2_000_000)
LARGEST_ACCEPTED_BODY_BYTES = max(
    PAINPATH_UPLOAD_MAX_BYTES, SAMPLES_MAX_BODY_BYTES, DATA_UPLOAD_MAX_MEMORY_SIZE
)
# A background import renews its lease while it works; one whose lease runs out (its worker
# died) is queued again, up to the maximum number of attempts, then failed with the reason.
PAINPATH_IMPORT_LEASE_SECONDS = _int_env("PAINPATH_IMPORT_LEASE_SECONDS", 120)
PAINPATH_IMPORT_MAX_ATTEMPTS = _int_env("PAINPATH_IMPORT_MAX_ATTEMPTS", 3)

# --- extension points ------------------------------------------------------------------
# Each capability registers its pieces here (dotted paths), so apps never edit each other.
# Demo loaders: f(cohort, *, stored) -> None, run after the base synthetic cohort is stored
# (stored: painpath.patients.cohort.StoredCohort, with the saved patients by MRN).
PAINPATH_DEMO_LOADERS: list[str] = []
PAINPATH_DEMO_LOADERS.append("painpath.diary.cohort.load_demo")
PAINPATH_DEMO_LOADERS.append("painpath.assessments.cohort.load_demo")
PAINPATH_DEMO_LOADERS.append("painpath.genomics.cohort.load_demo")
PAINPATH_DEMO_LOADERS.append("painpath.devices.cohort.load_demo")
PAINPATH_DEMO_LOADERS.append("painpath.medications.cohort.load_demo")  # after diary/assessments
# Sections of a patient's chart (clinician view), in order: f(request, patient) -> str (HTML).
PAINPATH_CHART_PANELS: list[str] = []
PAINPATH_CHART_PANELS += [
    "painpath.assessments.views.chart_panel",
    "painpath.diary.views.trends_panel",
    "painpath.diary.views.heatmap_panel",
]
PAINPATH_CHART_PANELS.append("painpath.medications.views.chart_panel")
PAINPATH_CHART_PANELS.append("painpath.genomics.views.chart_panel")
PAINPATH_CHART_PANELS.append("painpath.devices.views.chart_panel")
PAINPATH_CHART_PANELS.insert(0, "painpath.alerts.views.chart_panel")  # what needs attention first
# Sections of a patient's own home page, in order: f(request, patient) -> str (HTML).
PAINPATH_PATIENT_HOME_PANELS: list[str] = []
PAINPATH_PATIENT_HOME_PANELS.append("painpath.diary.views.home_panel")
PAINPATH_PATIENT_HOME_PANELS.append("painpath.assessments.views.home_panel")
PAINPATH_PATIENT_HOME_PANELS.append("painpath.devices.views.home_panel")
PAINPATH_PATIENT_HOME_PANELS.append("painpath.medications.views.home_panel")
# Extra sections of the patient's daily check-in page (e.g. doses taken), each its own small
# form: f(request, patient, day) -> str (HTML). Rendered by the check-in page.
PAINPATH_CHECKIN_PANELS: list[str] = []
PAINPATH_CHECKIN_PANELS.append("painpath.medications.views.checkin_panel")

# --- logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # huey's consumer installs its own handler; not propagating avoids every line twice.
    "loggers": {"axes": {"level": "WARNING"}, "huey": {"propagate": False}},
}
