"""Django settings, read from the environment (see README "Configuration").

Development mode (the default) needs no secret and no set-up: the database is an SQLite file in
the user's data directory. `DATABASE_URL` selects another database (e.g. PostgreSQL).
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import platformdirs

from stadsdel.config.env import ImproperlyConfiguredEnv, env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfiguredEnv(f"DJANGO_ENV={DJANGO_ENV!r}: use development, production or test")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfiguredEnv("DJANGO_SECRET_KEY must be set when DJANGO_ENV=production")
    # Development only: a fixed key keeps sessions valid across restarts; never used in production.
    SECRET_KEY = "dev-insecure-stadsdel-not-for-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

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
    "stadsdel.accounts",
    "stadsdel.areas",
    "stadsdel.agreements",
    "stadsdel.plans",
    "stadsdel.indicators",
    "stadsdel.indices",
    "stadsdel.followup",
    "stadsdel.seeds",
    "stadsdel.web",
    "stadsdel.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "stadsdel.web.middleware.SwedishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
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
                "stadsdel.web.context.site",
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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"stadsdel": {"handlers": ["console"], "level": env_str("STADSDEL_LOG_LEVEL", "INFO")}},
}
