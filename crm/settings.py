"""Settings for the CRM.

Everything that differs between a laptop and a production server is read from
the environment:

- ``DATABASE_URL``: a PostgreSQL URL for teams (``postgres://user:pw@host/db``);
  without it the embedded SQLite database ``db.sqlite3`` is used.
- ``SECRET_KEY``: required in production.
- ``DEBUG``: ``1`` for development pages (``make run`` sets it).
- ``ALLOWED_HOSTS``: comma separated (default: loopback only).
- ``CRM_HTTPS``: ``1`` behind HTTPS: secure cookies, HSTS and an HTTPS redirect.
- ``CRM_CURRENCY``: the ISO 4217 code of the currency amounts are shown in
  (default: the currency of ``LANGUAGE_CODE``'s country, USD for "en").
"""
from pathlib import Path
import datetime
import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on")."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG")
# The fallback key is only good for development and tests; `check --deploy`
# flags it, so production must set SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY") or "django-insecure-dev-key-change-me-in-production"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "import_export",
    "axes",
    "crm.apps.CrmConfig",
    "leads.apps.LeadsConfig",
    "sales.apps.SalesConfig",
    "marketing.apps.MarketingConfig",
    "projects.apps.ProjectsConfig",
    "reports.apps.ReportsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "crm.middleware.UserLanguageMiddleware",
    # Before anything reads the request body (nothing above does).
    "crm.middleware.RequestSizeLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into the lockout page
]

ROOT_URLCONF = "crm.project_urls"

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
                "django.template.context_processors.csp",
                "crm.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "crm.wsgi.application"
# Widget templates (Link to, Comments) live in templates/ with the rest.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -------------------------------------------------------------
# SQLite is tuned for several concurrent users: WAL lets readers work while
# one writer writes, the busy timeout makes a second writer wait instead of
# failing, and IMMEDIATE transactions take the write lock up front so a
# transaction never fails half-way when it upgrades from reading to writing.
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA foreign_keys=ON;"
        "PRAGMA cache_size=-64000;"
        "PRAGMA temp_store=MEMORY;"
        "PRAGMA mmap_size=268435456;"
    ),
}
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": SQLITE_OPTIONS,
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# --- Sign-in throttling (django-axes) ---------------------------------------
# Failed sign-ins are rows in the database (axes' database handler), so every
# server process sees the same count. Past AXES_FAILURE_LIMIT failures within
# AXES_COOLOFF_TIME, per account (from any address) and per address (for any
# account), sign-in is refused until the wait is over or the database owner
# unlocks it (Customize ▸ Sign-in locks, or the admin). A try during the lock
# starts the wait again. See README ▸ Security.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out sign-in before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "crm.signin.lockout_response"
AXES_CLIENT_IP_CALLABLE = "crm.signin.client_ip"
# A successful sign-in does not clear the counts: it would clear its address's
# too, letting anyone with an account reset the count of the address they guess from.
AXES_RESET_ON_SUCCESS = False
AXES_DISABLE_ACCESS_LOG = True  # only failures are kept, not a row per sign-in
AXES_ENABLE_ADMIN = False  # registered on the owner's admin site instead (crm/admin.py)
# Reverse proxies in front of the server (nginx …): the client's address is
# then read from X-Forwarded-For, as the nearest proxy saw it. 0 = none.
CRM_PROXY_COUNT = int(os.environ.get("CRM_PROXY_COUNT", 0))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "crm:home"
LOGOUT_REDIRECT_URL = "login"

# --- Languages ------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("nb", _("Norwegian Bokmål")),
    ("pl", _("Polish")),
    ("id", _("Indonesian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

# --- Money ------------------------------------------------------------------
# The one currency of every amount (opportunities, products, budgets), shown
# with its symbol in each reader's language (crm.money.format_money): an ISO
# 4217 code. Default: the currency of the site language's country as CLDR has
# it (LANGUAGE_CODE "en" → USD, "en-gb" → GBP, "fr" → EUR, "nb" → NOK).
# Changing it relabels the amounts; it converts nothing.
from crm.money import currency_for_language, valid_currency  # noqa: E402 (needs LANGUAGE_CODE above)

CRM_CURRENCY = os.environ.get("CRM_CURRENCY", "").strip().upper() or currency_for_language(LANGUAGE_CODE)
if not valid_currency(CRM_CURRENCY):
    raise ImproperlyConfigured(f"CRM_CURRENCY={CRM_CURRENCY!r} is no ISO 4217 currency code (e.g. EUR, USD, NOK).")

# --- Static files and uploads --------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Django's file storage, removing what a failed write (a full disk) leaves.
    "default": {"BACKEND": "crm.generic.files.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded files live outside the static tree and are only served through a
# signed-in view, never by URL alone.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
CRM_MAX_UPLOAD_SIZE = int(os.environ.get("CRM_MAX_UPLOAD_SIZE", 10 * 1024 * 1024))
CRM_MAX_PHOTO_SIZE = 2 * 1024 * 1024
CRM_MAX_IMPORT_SIZE = int(os.environ.get("CRM_MAX_IMPORT_SIZE", 50 * 1024 * 1024))
# What an import reads before it refuses the file (crm.generic.tabular.Limits):
# records, cells in a row, an .xlsx's size once unzipped; and how long its
# preview may take (it runs inside the request: keep it under the server's
# worker timeout, e.g. gunicorn --timeout 90).
CRM_MAX_IMPORT_ROWS = int(os.environ.get("CRM_MAX_IMPORT_ROWS", 250_000))
CRM_MAX_IMPORT_COLUMNS = int(os.environ.get("CRM_MAX_IMPORT_COLUMNS", 500))
CRM_MAX_IMPORT_UNPACKED_SIZE = int(os.environ.get("CRM_MAX_IMPORT_UNPACKED_SIZE", 200 * 1024 * 1024))
CRM_IMPORT_TIME_LIMIT = int(os.environ.get("CRM_IMPORT_TIME_LIMIT", 60))
# Form fields without files (a pasted e-mail message included); more is refused (400).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploaded files larger than this are streamed to a temporary file on disk
# (the system's temp folder, TMPDIR) instead of being held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The largest request body accepted: the largest file allowed anywhere plus
# room for the form around it. A larger Content-Length is refused before the
# body is read (413, crm.middleware.RequestSizeLimitMiddleware).
CRM_MAX_REQUEST_SIZE = max(CRM_MAX_IMPORT_SIZE, CRM_MAX_UPLOAD_SIZE, CRM_MAX_PHOTO_SIZE) + DATA_UPLOAD_MAX_MEMORY_SIZE
FILE_UPLOAD_PERMISSIONS = 0o640

# Without a collected manifest (a developer running pytest directly) fall back
# to unhashed names instead of failing every page.
WHITENOISE_MANIFEST_STRICT = False

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# Page size of record lists.
CRM_PAGE_SIZE = 50

# Deleted records and history items stay in Deleted items (restorable) this
# many days; `manage.py purge_deleted` then removes them and their files.
CRM_DELETED_ITEMS_DAYS = int(os.environ.get("CRM_DELETED_ITEMS_DAYS", 30))

# Sessions live in the database and are read from it on every request (one
# query by primary key): with several server processes a per-process cache
# served a signed-out cookie as its user, lost import jobs and flipped the
# language, because a write in one process never reached another's cache.
# Nothing shared between processes is kept in a process's memory: sessions
# (and the import jobs and preferences they carry) in the database, uploads
# on disk.
# List counts (crm.generic.counts) may be cached per process: their keys carry
# the database's data version, which every process reads from the database,
# so a count written by another process is never served stale.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "TIMEOUT": 300},
    "counts": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "counts",
               "TIMEOUT": 3600, "OPTIONS": {"MAX_ENTRIES": 5000}},
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Security -------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (Django's ContentSecurityPolicyMiddleware) on every
# response: scripts and styles come from the site's own static files only —
# no inline <script>, no on…= handlers, no eval (htmx's allowEval is off), no
# style="" attributes. <style> elements need the request's nonce: only
# Django's admin writes one (its change list), through {% csp_nonce_attr %}.
# Images may be data: URIs, which Bootstrap's CSS uses for its form controls'
# icons. Django's own debug pages (DEBUG only: technical 404/500) carry inline
# styles and script; they are not let through, so with DEBUG on they show
# unstyled, with their text intact. Responses that set their own policy keep
# it (stored files, PDFs: crm/generic/files.py, crm/generic/pdf.py).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    # mailto: is where the E-mail button's form sends the browser on (crm.views.history.MailtoRedirect).
    "form-action": [CSP.SELF, "mailto:"],
    "frame-ancestors": [CSP.NONE],
}
if env_bool("CRM_HTTPS"):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# One console handler, on the root logger. Django's own default gives the
# "django" logger a console handler of its own (in DEBUG) that also passes
# every record on to the root: each request warning ("Not Found: /x") was
# printed twice. Here "django" has no handler of its own and propagates, so
# each record is printed once (its INFO ones, such as the autoreloader's,
# only in DEBUG, as before). runserver's request lines ("django.server") keep
# Django's own handler and formatter and do not propagate.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"django": {"handlers": [], "level": "INFO" if DEBUG else "WARNING", "propagate": True}},
}
