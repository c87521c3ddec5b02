"""Django settings, read from the environment (see README "Configuration").

Development mode (the default) needs no secret and no set-up: the database is an SQLite file in
the user's data directory. `DATABASE_URL` selects another database (e.g. PostgreSQL).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
import platformdirs

from stadsdel.config.env import (
    ImproperlyConfiguredEnv,
    env_bool,
    env_header,
    env_int,
    env_list,
    env_origins,
    env_str,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfiguredEnv(f"DJANGO_ENV={DJANGO_ENV!r}: use development, production or test")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    # Debug pages show settings, SQL and source code to anyone who triggers an error.
    raise ImproperlyConfiguredEnv("DJANGO_DEBUG cannot be on when DJANGO_ENV=production")

# Development only: a fixed key keeps sessions valid across restarts; refused in production.
DEVELOPMENT_SECRET_KEY = "dev-insecure-stadsdel-not-for-production"


def _secret_key(name: str, value: str) -> str:
    # The same test as Django's deploy check (security.W009), made fatal: a guessable key lets
    # anyone forge sessions and password-reset links.
    if value == DEVELOPMENT_SECRET_KEY or value.startswith("django-insecure-"):
        raise ImproperlyConfiguredEnv(f"{name} is the development key; set a secret one for production")
    if len(value) < 50 or len(set(value)) < 5:
        raise ImproperlyConfiguredEnv(
            f"{name} is too weak: use at least 50 random characters, e.g. from "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    return value


SECRET_KEY = env_str("DJANGO_SECRET_KEY")
# Earlier keys, still accepted for signatures while sessions signed with them expire (rotation).
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS", [])
if PRODUCTION:
    if not SECRET_KEY:
        raise ImproperlyConfiguredEnv("DJANGO_SECRET_KEY must be set when DJANGO_ENV=production")
    _secret_key("DJANGO_SECRET_KEY", SECRET_KEY)
    for _fallback in SECRET_KEY_FALLBACKS:
        _secret_key("DJANGO_SECRET_KEY_FALLBACKS", _fallback)
elif not SECRET_KEY:
    SECRET_KEY = DEVELOPMENT_SECRET_KEY

if PRODUCTION:
    # No default: the names the site answers to are the operator's to state (Host-header attacks).
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfiguredEnv(
            "DJANGO_ALLOWED_HOSTS must be set when DJANGO_ENV=production (e.g. stadsdel.example.se)"
        )
else:
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
# Origins a form may be posted from when it is not the site's own host (e.g. behind a proxy that
# rewrites Host): https://stadsdel.example.se
CSRF_TRUSTED_ORIGINS = env_origins("DJANGO_CSRF_TRUSTED_ORIGINS", [])

DATA_DIR = Path(env_str("STADSDEL_DATA_DIR") or platformdirs.user_data_dir("stadsdel"))


def _database() -> dict:
    url = env_str("DATABASE_URL")
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DATA_DIR / 'stadsdel.sqlite3'}"
    try:
        # Persistent connections pay off under gunicorn in production; elsewhere they only keep
        # databases busy (a test database cannot be dropped while a server thread holds one).
        config = dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if PRODUCTION else 0))
    except ValueError as exc:
        raise ImproperlyConfiguredEnv(f"DATABASE_URL is not a usable database URL: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets page reads go on while a command writes; the timeout rides out short locks.
        config.setdefault("OPTIONS", {}).update(
            {"init_command": "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;", "timeout": 20}
        )
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "stadsdel.sources",
    "stadsdel.jobs",
    "stadsdel.accounts",
    "stadsdel.areas",
    "stadsdel.agreements",
    "stadsdel.plans",
    "stadsdel.indicators",
    "stadsdel.indices",
    "stadsdel.followup",
    "stadsdel.funding",
    "stadsdel.evaluation",
    "stadsdel.seeds",
    "stadsdel.ui",
    "stadsdel.ops",
    "stadsdel.start",
    "stadsdel.reminders",
    "stadsdel.portal",
    "stadsdel.api",
    "stadsdel.demo",
    "ninja",
]

MIDDLEWARE = [
    # Outermost, so every response carries the policy, even SecurityMiddleware's HTTPS redirect.
    "stadsdel.ui.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "stadsdel.ui.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "stadsdel.ui.middleware.SwedishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page (HTTP 429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "stadsdel.config.urls"
WSGI_APPLICATION = "stadsdel.config.wsgi.application"

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
                "stadsdel.accounts.context.site",
                "stadsdel.demo.context.demo",  # the synthetic-data banner
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out username and address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "stadsdel.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start:overview"  # "Min översikt": what waits for the user
LOGOUT_REDIRECT_URL = "start:home"

# Swedish first; English available through the language switch.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Only production collects static files; development serves them from the apps (finders).
STATIC_ROOT = Path(env_str("STADSDEL_STATIC_ROOT") or DATA_DIR / "static") if PRODUCTION else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Development serves app static files straight from the package, no collectstatic step.
WHITENOISE_USE_FINDERS = not PRODUCTION
# Uploaded files (fund application attachments), served only through views that check rights.
MEDIA_ROOT = Path(env_str("STADSDEL_MEDIA_ROOT") or DATA_DIR / "media")
# Fund notifications and deadline reminders: printed to the console outside production, so nothing
# leaves the machine; production sends through SMTP (EMAIL_HOST …).
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND") or ("django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "stadsdel@localhost")
# The site's address as the mails link to it (a mail has no request to take the host from).
STADSDEL_SITE_URL = env_str("STADSDEL_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# -- security --------------------------------------------------------------------------------
# Headers every mode sends (Django's defaults, stated so a reader sees them in one place).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Sent on every response by stadsdel.ui.middleware.ContentSecurityPolicyMiddleware (Django 5.2
# has no CSP of its own). Everything the pages use comes from the site itself: the stylesheet,
# the static scripts, htmx and the Vega bundle (/assets/vega.js); chart specs and locales are
# JSON in <script type="application/json"> elements, which are data, not code.
# - script-src 'self' without 'unsafe-eval': charts.js asks vega-embed for Vega's expression
#   interpreter (`ast: true`) instead of compiling expressions with `new Function`.
# - style-src 'unsafe-inline': Vega draws SVG with inline style attributes and vega-embed and htmx
#   insert small <style> elements; a few templates set a width with style="". Styles cannot run
#   code, so this costs far less than it would for scripts.
# - img-src data:: Django's admin and Vega's PNG export use data: URLs.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

if PRODUCTION:
    # HTTPS only: redirect plain HTTP, keep cookies off it, and tell browsers (HSTS) to use HTTPS
    # for a year for the site and its subdomains, and that it may be preloaded into browsers.
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000)
    if SECURE_HSTS_SECONDS < 31_536_000:
        # Browsers' preload lists require at least a year; a shorter time would undo PRELOAD.
        raise ImproperlyConfiguredEnv("DJANGO_SECURE_HSTS_SECONDS must be at least 31536000 (one year)")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind a proxy that ends TLS, Django sees plain HTTP; trust the proxy's header that says
    # the request came in over HTTPS only when the operator says the proxy sets it (and strips it
    # from clients), or anyone could claim HTTPS.
    SECURE_PROXY_SSL_HEADER = env_header("DJANGO_SECURE_PROXY_SSL_HEADER")

# Sign-in lockout (django-axes): five failures for one username from one address lock that pair
# out for an hour; every sign-in (AccessLog) and every failure (AccessFailureLog) is recorded.
AXES_ENABLED = True
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "stadsdel.ops.views.lockout"  # ops/lockout.html, HTTP 429
# The client's address is REMOTE_ADDR unless the operator says how many proxies stand in front
# (each appends the address it saw to X-Forwarded-For); trusting that header without the count
# would let anyone choose the address their failures are counted against.
STADSDEL_PROXY_COUNT = env_int("STADSDEL_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "stadsdel.accounts.security.client_ip"

# How large a file `stadsdel import`, the import page and the API read before refusing it (400,
# exit 2), so that a file that unzips hugely or runs to millions of rows cannot tie up a worker:
# data rows (and figures: a wide row gives one per filled cell), header columns, and a workbook's
# unzipped size or a JSON file's size (checked before anything is parsed).
STADSDEL_IMPORT_MAX_ROWS = env_int("STADSDEL_IMPORT_MAX_ROWS", 200_000)
STADSDEL_IMPORT_MAX_COLUMNS = env_int("STADSDEL_IMPORT_MAX_COLUMNS", 200)
STADSDEL_IMPORT_MAX_UNZIPPED_BYTES = env_int("STADSDEL_IMPORT_MAX_UNZIPPED_BYTES", 100_000_000)
for _name in ("STADSDEL_IMPORT_MAX_ROWS", "STADSDEL_IMPORT_MAX_COLUMNS", "STADSDEL_IMPORT_MAX_UNZIPPED_BYTES"):
    if globals()[_name] < 1:
        raise ImproperlyConfiguredEnv(f"{_name}={globals()[_name]} must be at least 1")

# Background tasks (Django's tasks framework through the django-tasks backport): queued in the
# database (django-tasks-db; SQLite and PostgreSQL alike, no other server) and run by
# `stadsdel worker`, one or more per machine against the one database. STADSDEL_TASKS_BACKEND
# "immediate" runs each task inside the request that queues it (no worker needed).
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "dummy": "django_tasks.backends.dummy.DummyBackend",
        }[env_str("STADSDEL_TASKS_BACKEND", "database")],
        "QUEUES": ["default"],
    }
}
# A worker that has not said it is alive for this long is taken for dead: its running task is
# marked failed (and may be retried).
STADSDEL_WORKER_TIMEOUT_SECONDS = env_int("STADSDEL_WORKER_TIMEOUT_SECONDS", 30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"stadsdel": {"handlers": ["console"], "level": env_str("STADSDEL_LOG_LEVEL", "INFO")}},
}
