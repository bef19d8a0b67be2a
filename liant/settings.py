"""Liant settings, read from the environment.

Nothing is needed to start: SQLite in ./var, an embedded job queue, a generated secret key,
e-mail printed to the console. DATABASE_URL, REDIS_URL, EMAIL_URL, LIANT_SECRET_KEY and
ALLOWED_HOSTS switch to real services; `liant check` says what production still lacks.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from liant.connectors.apps import from_environ as network_apps_from_environ
from liant.env import (
    email_settings,
    env_bool,
    env_int,
    env_list,
    env_secret,
    env_str,
    generated_secret,
    media_storage,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("LIANT_VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("LIANT_DEBUG", False)

# A key generated into ./var is fine on one machine; `liant check` warns about it because
# several web servers need the same key and it must survive a lost ./var.
SECRET_KEY = env_secret("LIANT_SECRET_KEY")
SECRET_KEY_IS_GENERATED = not SECRET_KEY
if not SECRET_KEY:
    SECRET_KEY = generated_secret(VAR_DIR / "secret_key")
SECRET_KEY_FALLBACKS = env_list("LIANT_SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("LIANT_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# `make demo` sets it: `/` shows visitors the demo logins and its community space.
LIANT_DEMO = env_bool("LIANT_DEMO", False)

# Each network's application (OAuth client, webhook secrets): LIANT_APP_<NETWORK>_<FIELD>.
NETWORK_APPS = network_apps_from_environ(os.environ)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "huey.contrib.djhuey",
    "liant.core",
    "liant.channels",
    "liant.listening",
    "liant.publishing",
    "liant.moderation",
    "liant.inbox",
    "liant.strategy",
    "liant.members",
    "liant.feedback",
    "liant.animation",
    "liant.newsletters",
    "liant.space",
    "liant.leads",
    "liant.analytics",
    "liant.media",
    "liant.webhooks",
    "liant.api",
    "ninja",  # only for its templates and static files: Swagger UI served here, not from a CDN
    "liant.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "liant.core.middleware.UserLanguageMiddleware",
    "liant.core.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # Under /api/v1/ only: every error as problem details, rate-limit headers, idempotency.
    "liant.api.problems.ProblemMiddleware",
]

ROOT_URLCONF = "liant.urls"
WSGI_APPLICATION = "liant.wsgi.application"

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
                "django.template.context_processors.i18n",
                "liant.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("LIANT_SQLITE_PATH", str(VAR_DIR / "liant.sqlite3")),
            "OPTIONS": {
                # WAL lets the web server read while the worker writes; IMMEDIATE takes the
                # write lock at BEGIN so concurrent writers wait instead of failing mid-way.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Reusing connections skips re-running the PRAGMAs on every request.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Jobs -----------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
HUEY_NAME = env_str("LIANT_HUEY_NAME", "liant")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": HUEY_NAME,
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": env_int("LIANT_WORKER_THREADS", 4), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": HUEY_NAME,
        "filename": str(VAR_DIR / "jobs.sqlite3"),
        "immediate": False,
        "consumer": {"workers": env_int("LIANT_WORKER_THREADS", 2), "worker_type": "thread"},
    }

# --- Cache ----------------------------------------------------------------------------------
# "api" counts the REST API's rate limits: in Redis when REDIS_URL is set, so every web process
# shares the count; otherwise in each process's memory (a limit per process).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"}
    ),
}
# Requests per minute per API token (or per signed-in person using the API).
LIANT_API_RATE_LIMIT = env_int("LIANT_API_RATE_LIMIT", 600)

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3
INVITATION_DAYS = env_int("LIANT_INVITATION_DAYS", 14)

# Brute force: five failures for one account from one address lock it for fifteen minutes.
AXES_FAILURE_LIMIT = env_int("LIANT_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("LIANT_PROXY_COUNT", 0) or None

OTP_TOTP_ISSUER = "Liant"

# --- I18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/Paris")
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every start without it
STATICFILES_DIRS: list = [BASE_DIR / "static"]
# Front-end libraries come from npm (package-lock.json) at install time, never from a CDN.
for _prefix, _path in [
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]:
    if _path.is_dir():
        STATICFILES_DIRS.append((_prefix, _path))
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
# Where the media library, the post attachments and the connectors' journals keep their files:
# ./var/media by default; any S3-compatible store (AWS, MinIO, Garage, Scaleway, OVH...) when
# LIANT_S3_BUCKET is set. Files are never public either way: the bucket stays private and
# every address given to a browser goes through Liant or is presigned (liant/media/signed.py).
# How long an address of a private workspace's file works once given to a browser.
LIANT_MEDIA_URL_SECONDS = env_int("LIANT_MEDIA_URL_SECONDS", 3600)
STORAGES: dict[str, dict] = {
    "default": media_storage(LIANT_MEDIA_URL_SECONDS),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The media library refuses files above these (a phone photo is 3-12 MB and 12-50 MP); the
# pixel limit is what keeps a small file that unpacks into gigabytes (a "bomb") out.
LIANT_MEDIA_MAX_BYTES = env_int("LIANT_MEDIA_MAX_BYTES", 50_000_000)
LIANT_MEDIA_MAX_PIXELS = env_int("LIANT_MEDIA_MAX_PIXELS", 60_000_000)
LIANT_MEDIA_MAX_VIDEO_BYTES = env_int("LIANT_MEDIA_MAX_VIDEO_BYTES", 200_000_000)

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_URL = env_secret("EMAIL_URL")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Liant <liant@localhost>")
globals().update(email_settings(EMAIL_URL))
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- HTTPS (behind a TLS proxy) -------------------------------------------------------------
LIANT_HTTPS = env_bool("LIANT_HTTPS", False)
if LIANT_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("LIANT_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("LIANT_HSTS_SECONDS", 60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LIANT_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},  # connectors keep their own exchange log
        "weasyprint.progress": {"level": "WARNING"},  # each step of each report PDF
        "huey": {"propagate": False},  # the consumer prints its own lines
    },
}
