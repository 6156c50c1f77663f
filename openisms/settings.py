"""Django settings, read from the environment through ``openisms.env``.

See README.md for the table of variables.
"""

from __future__ import annotations

from pathlib import Path

from openisms.env import (
    ConfigError,
    env_bool,
    env_database,
    env_int,
    env_list,
    env_path,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = env_path("OPENISMS_VAR_DIR", PROJECT_DIR / "var")

DEBUG = env_bool("OPENISMS_DEBUG", False)
_secret = env_str("OPENISMS_SECRET_KEY", "" if DEBUG else None)
if not _secret:
    _secret = "insecure-debug-only-key-" + "x" * 40
elif len(_secret) < 32:
    raise ConfigError("OPENISMS_SECRET_KEY", "must be at least 32 characters long")
SECRET_KEY = _secret

ALLOWED_HOSTS = env_list("OPENISMS_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("OPENISMS_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "openisms.core",
    "openisms.context",
    "openisms.catalog",
    "openisms.assets",
    "openisms.risks",
    "openisms.controls",
    "openisms.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "openisms.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "openisms.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "openisms.urls"
WSGI_APPLICATION = "openisms.wsgi.application"

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
                "openisms.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", VAR_DIR / "openisms.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
LOGIN_THROTTLE_ATTEMPTS = env_int("OPENISMS_LOGIN_ATTEMPTS", 10, minimum=1)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("OPENISMS_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env_path("OPENISMS_STATIC_ROOT", VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env_path("OPENISMS_MEDIA_ROOT", VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Each worker's own memory: values computed once per change of an organisation (counts, the
# SoA's reasons, API pages of up to 50 rows, about 10 KB each). At most 1,000 entries, so a
# worker keeps at most a few tens of MB; a third is dropped when it is full.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 1000},
    }
}

# Security headers; the Content-Security-Policy is set by core.middleware.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("OPENISMS_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

EMAIL_BACKEND = env_str("OPENISMS_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("OPENISMS_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("OPENISMS_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("OPENISMS_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("OPENISMS_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("OPENISMS_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("OPENISMS_EMAIL_FROM", "openisms@localhost")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

NINJA_PAGINATION_PER_PAGE = 50
# django-ninja reads this name for the largest ?page_size= (its default is 100).
NINJA_MAX_PER_PAGE_SIZE = 1000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("OPENISMS_LOG_LEVEL", "WARNING")},
}
