"""Settings shared by every environment; each value comes from an environment variable with a
development default, so `make run` works on a fresh machine with SQLite and no broker."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("GREENROOM_VAR_DIR", BASE_DIR / "var"))
# The default SQLite file lives here; SQLite creates files but not their folders.
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Development-only fallback; production settings refuse to start without DJANGO_SECRET_KEY.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me-in-production"  # noqa: S105  # nosec B105
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.headless",
    # Greenroom's apps, lowest layer first (docs/architecture.md). The order matters to the
    # registries of core: a person's data is erased app by app in this order, privacy last.
    "core",
    "events",
    "speakers",
    "tickets",
    "agenda",
    "privacy",
    "accounts",
    "webhooks",
    "notices",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads a value from the request (sessions, the micro-cache, tokens).
    "config.api.input_guard.RefuseNulBytesMiddleware",
    "config.api.limits.RequestBodyLimitMiddleware",
    # Outside the micro-cache, so answers served from it carry the policy too.
    "config.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "config.api.microcache.PublicApiMicroCache",
    "django.middleware.common.CommonMiddleware",
    # ETag and 304 for any GET answer that did not set its own validator (hashes the body).
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Overrides of third-party pages (the API docs, made to pass our CSP).
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "web.context.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'greenroom.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
# PgBouncer in transaction pooling (deploy/pgbouncer.ini) hands each transaction whichever server
# connection is free, so nothing may outlive a transaction on the server: no server-side
# cursors (`.iterator()` would open a named cursor in one and fetch from another), no prepared
# statements (psycopg prepares a query run often, on one server connection only). The code
# takes only transaction-level locks and settings (pg_advisory_xact_lock, set_config(…, true));
# SET TIME ZONE, which Django may send on connecting, is tracked and replayed by PgBouncer.
DATABASE_POOLER = os.environ.get("DATABASE_POOLER", "")
if DATABASE_POOLER == "pgbouncer":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
elif DATABASE_POOLER:
    raise ImproperlyConfigured(f"DATABASE_POOLER is empty or pgbouncer, not {DATABASE_POOLER!r}")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# Stored times are UTC; each event carries its own IANA zone for display and input.
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))

EMAIL_BACKEND_PATH = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
SMTP_OPTIONS = {
    "host": os.environ.get("EMAIL_HOST", "localhost"),
    "port": int(os.environ.get("EMAIL_PORT", "25")),
    "username": os.environ.get("EMAIL_HOST_USER", ""),
    "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
    "use_tls": env_bool("EMAIL_USE_TLS", False),
}
# Where the file backend (…filebased.EmailBackend) writes each message; not named
# EMAIL_FILE_PATH here, as Django refuses that old setting beside MAILERS.
MAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH", VAR_DIR / "mail"))


def mailers(backend: str) -> dict:
    """The MAILERS setting sending through `backend` (a dotted path)."""
    # Only the SMTP and file backends take options; the others refuse unknown ones.
    if backend.endswith(".smtp.EmailBackend"):
        options = SMTP_OPTIONS
    elif backend.endswith(".filebased.EmailBackend"):
        options = {"file_path": str(MAIL_FILE_PATH)}
    else:
        options = {}
    return {"default": {"BACKEND": backend, "OPTIONS": options}}


MAILERS = mailers(EMAIL_BACKEND_PATH)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Greenroom <events@greenroom.test>")

# Redis is the shared cache when configured (throttle counters and cached agenda bundles must
# be shared by every web process); a single development process is fine with local memory.
# It fails open (config/cache.py): with Redis down, pages are slower, not 500s. Short socket
# timeouts because a cache that hangs every request is worse than one that is away.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# The REST API (/api/v1/) for mobile apps and web front ends.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.api.authentication.TokenOrBearerAuthentication",
        # Apps signed in through allauth's headless API send its session token.
        "allauth.headless.contrib.rest_framework.authentication.XSessionTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.CappedPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # Every instant as RFC 3339 in UTC with Z, to the second (config/api/timestamps.py).
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%SZ",
    "DEFAULT_RENDERER_CLASSES": [
        "config.api.timestamps.ApiJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # Bodies are JSON only: form encodings read an empty optional field as "not sent" and
    # "1" or "on" as true, so invalid input would pass unnoticed.
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "config.api.throttling.AnonymousRateThrottle",
        "config.api.throttling.UserRateThrottle",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # `?format=` is the agenda's session-format filter; clients choose JSON with Accept.
    "URL_FORMAT_OVERRIDE": None,
    # Proxies in front of the site that append to X-Forwarded-For (0: use the socket's
    # address). Left unset, DRF would trust whatever X-Forwarded-For a client sends.
    "NUM_PROXIES": int(os.environ.get("NUM_PROXIES", "0")),
}
# Requests per period by throttle scope; read on every request so deployments can tune them.
GREENROOM_THROTTLE_RATES = {
    "anon": os.environ.get("THROTTLE_ANON", "300/min"),
    "user": os.environ.get("THROTTLE_USER", "1200/min"),
    "auth": os.environ.get("THROTTLE_AUTH", "10/min"),
    "orders": os.environ.get("THROTTLE_ORDERS", "20/min"),
    "checkin": os.environ.get("THROTTLE_CHECKIN", "600/min"),
    # Wrong promo codes only (a right one is not counted): a buyer's typos fit easily, while
    # guessing codes from a word list gets 20 tries an hour from one address or account.
    "promo": os.environ.get("THROTTLE_PROMO", "20/hour"),
}
# Password guessing (config/api/login_lockout.py, for the admin's sign-in and the API token):
# this many failures for one account, or from one client address over all accounts, within
# the window lock it out for the lockout time, right password or not; each lockout is logged
# and audited. 0 turns a limit off.
GREENROOM_LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
GREENROOM_LOGIN_MAX_FAILURES_PER_ADDRESS = int(
    os.environ.get("LOGIN_MAX_FAILURES_PER_ADDRESS", "20")
)
GREENROOM_LOGIN_FAILURE_WINDOW_SECONDS = 60 * int(
    os.environ.get("LOGIN_FAILURE_WINDOW_MINUTES", "15")
)
GREENROOM_LOGIN_LOCKOUT_SECONDS = 60 * int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
GREENROOM_MAX_PAGE_SIZE = 200
# Caps on unpaid holds per event, so nobody keeps passes off sale with a pile of unpaid orders
# (tickets/services/holds.py; README "Holding passes"). 0 turns a cap off. Pending orders per
# buyer (a guest's e-mail, a signed-in account), then passes held per guest e-mail, per
# signed-in account and by guests of one client network (an IPv4 address, an IPv6 /64).
GREENROOM_MAX_PENDING_ORDERS = int(os.environ.get("MAX_PENDING_ORDERS", "3"))
GREENROOM_MAX_HELD_PASSES_PER_GUEST = int(os.environ.get("MAX_HELD_PASSES_PER_GUEST", "10"))
GREENROOM_MAX_HELD_PASSES_PER_ACCOUNT = int(os.environ.get("MAX_HELD_PASSES_PER_ACCOUNT", "30"))
GREENROOM_MAX_HELD_PASSES_PER_NETWORK = int(os.environ.get("MAX_HELD_PASSES_PER_NETWORK", "20"))
# The optional human check at order placement (Cloudflare Turnstile, hCaptcha: their
# `siteverify` URL and secret); guests' orders must carry a token when both are set.
GREENROOM_HUMAN_CHECK_URL = os.environ.get("HUMAN_CHECK_URL", "")
GREENROOM_HUMAN_CHECK_SECRET = os.environ.get("HUMAN_CHECK_SECRET", "")
# Largest request body accepted, by path prefix (the first that matches); a larger one gets
# 413 before it is read. API bodies are small JSON, Stripe's signed events somewhat bigger.
# Other paths (the admin, whose speaker import uploads CSV files) keep Django's own limits.
GREENROOM_MAX_BODY_BYTES = {
    "/api/v1/webhooks/": int(os.environ.get("MAX_WEBHOOK_BODY_BYTES", str(256 * 1024))),
    "/api/": int(os.environ.get("MAX_API_BODY_BYTES", str(64 * 1024))),
}
# The most days an event may last (its admin form and Event.clean refuse more): every day is
# drawn, exported and synced, and a conference runs days, not years.
GREENROOM_MAX_EVENT_DAYS = int(os.environ.get("MAX_EVENT_DAYS", "31"))
# How long deletions are remembered for delta sync (`?updated_since=`); an app that last synced
# before that must download everything again.
GREENROOM_TOMBSTONE_DAYS = int(os.environ.get("TOMBSTONE_DAYS", "90"))
# Days after an event ends (midnight after its last day, in its zone) before its buyers' and
# attendees' names and e-mails are erased; orders and amounts stay. A year covers the card
# networks' dispute window (about 120 days after the event) with room for the organizer's
# follow-up and questions about the books, without attendee lists piling up across editions.
GREENROOM_ATTENDEE_RETENTION_DAYS = int(os.environ.get("ATTENDEE_RETENTION_DAYS", "365"))
# Speaker headshots: the largest upload accepted, in bytes and in pixels on either side (both
# checked before the image is decoded); what is stored is a re-encoding (speakers/headshots.py).
GREENROOM_HEADSHOT_MAX_BYTES = int(os.environ.get("HEADSHOT_MAX_BYTES", str(5 * 1024 * 1024)))
GREENROOM_HEADSHOT_MAX_SIDE = int(os.environ.get("HEADSHOT_MAX_SIDE", "4000"))
# Days a speaker's portal link (the one the invitation e-mail carries) stays valid after it was
# sent; re-sending the invitation hands out a fresh one (speakers/portal_links.py).
GREENROOM_SPEAKER_LINK_DAYS = int(os.environ.get("SPEAKER_LINK_DAYS", "60"))
# Passes: how long a pending order holds its passes, whether a full refund puts them back on
# sale, and below how many left a pass shows as `few_left`.
GREENROOM_HOLD_MINUTES = int(os.environ.get("HOLD_MINUTES", "15"))
# The shorter hold of an order that leaves one of its passes at `few_left` or sold out.
GREENROOM_SCARCE_HOLD_MINUTES = int(os.environ.get("SCARCE_HOLD_MINUTES", "5"))
GREENROOM_REFUND_RETURNS_INVENTORY = env_bool("REFUND_RETURNS_INVENTORY", True)
GREENROOM_FEW_LEFT_THRESHOLD = int(os.environ.get("FEW_LEFT_THRESHOLD", "10"))
# How long an order transaction waits for inventory locks before answering "busy, try again".
GREENROOM_INVENTORY_LOCK_TIMEOUT_MS = int(os.environ.get("INVENTORY_LOCK_TIMEOUT_MS", "5000"))
# Stripe. With no secret key (the embedded default) paying answers 503 and says how to set it
# up; STRIPE_API_BASE points the official SDK at another server, e.g. localstripe.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
GREENROOM_WEBHOOK_TOLERANCE_SECONDS = int(os.environ.get("STRIPE_WEBHOOK_TOLERANCE", "300"))
# Public base URL of this site, for links in e-mails and Stripe's return URLs.
GREENROOM_SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Seconds an event's agenda version (the basis of ETags) is reused before it is recomputed;
# shorter than the public max-age, so no client sees staler data than max-age allows anyway.
GREENROOM_VERSION_CACHE_SECONDS = int(os.environ.get("VERSION_CACHE_SECONDS", "5"))
# Seconds shared caches and apps may reuse a public response before asking again (with ETag).
GREENROOM_PUBLIC_MAX_AGE = int(os.environ.get("PUBLIC_MAX_AGE", "60"))

SPECTACULAR_SETTINGS = {
    "TITLE": "Greenroom API",
    "DESCRIPTION": (
        "Events, agenda, speakers, personal agendas and passes of Greenroom conferences. "
        "Every instant is RFC 3339 in UTC with `Z`, to the second (`2026-12-25T17:15:00Z`); "
        "show it in the event's IANA `time_zone`. Money is integer minor units with a "
        "lowercase ISO 4217 currency. Every error is JSON with a stable `code`. Lists accept "
        "`updated_since` for delta sync (send the previous answer's `synced_at` unchanged) and "
        "report what was removed. Each operation lists every status it answers; reads that send "
        "an `ETag` answer 304 to `If-None-Match`; operations without a lock (`security: []`) "
        "need no credentials."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.add_bundle_sections",
        "config.api.schema.make_valid_for_openapi_30",
    ],
    "ENUM_NAME_OVERRIDES": {
        "EventStatusEnum": "events.models.EventStatus",
        "SessionStatusEnum": "events.models.SessionStatus",
        "ReleaseChangeKindEnum": "agenda.releases.ChangeKind",
        "OrderStatusEnum": "tickets.models.OrderStatus",
        "TicketStatusEnum": "tickets.models.TicketStatus",
    },
}

# Content-Security-Policy of HTML pages (the admin, the API docs, the browsable API): scripts and
# <style> blocks only from our own origin or carrying the response's nonce; no plugins, no
# <base>, no framing by other sites, forms post only to us. Style *attributes* stay allowed
# (the admin's and DRF's templates use them; they cannot run code). Images may be data: URIs,
# which Swagger UI's icons are. Every other answer (JSON, images, calendars) gets
# GREENROOM_CSP_NOT_HTML, which allows nothing (see config/csp.py).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "style-src-attr": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
GREENROOM_CSP_NOT_HTML = {"default-src": [CSP.NONE], "frame-ancestors": [CSP.NONE]}

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]

# Celery: with no broker configured, tasks run eagerly in-process (the embedded default).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
# A task is acknowledged only after it ran, so a worker that dies mid-task hands it to another;
# every task is written to be safe to run twice for that reason.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# With Redis as broker, a message whose worker died unacknowledged (killed, host lost) goes
# back to the queue only once it is `visibility_timeout` old: 15 minutes rather than kombu's
# hour, so a lost confirmation or refund is retried soon. It must stay longer than any task
# runs (ours take seconds) and than any countdown/ETA (only the notices digest waits, for
# NOTICES_BATCH_WINDOW), or those are delivered twice. The five-minute reconciliation
# re-queues missing confirmations anyway.
# Queuing a task happens inside requests (after commit): a Redis that stops answering must cost
# a request seconds, not hang it. Connecting gives up after 2 s and a silent socket after 3 s
# (more than the worker's 1 s polling); the order is kept either way and the reconciliation
# task queues what could not be queued.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "900")),
    "socket_connect_timeout": 2,
    "socket_timeout": 3,
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "purge-old-tombstones": {"task": "core.tasks.purge_old_tombstones", "schedule": 24 * 3600},
    "expire-held-orders": {"task": "tickets.tasks.expire_held_orders_task", "schedule": 60},
    "reconcile-pending-orders": {"task": "tickets.tasks.reconcile_pending_orders", "schedule": 300},
    "send-overdue-programme-digests": {
        "task": "notices.tasks.send_overdue_programme_digests",
        "schedule": 300,
    },
    "anonymise-past-attendees": {
        "task": "privacy.tasks.anonymise_past_attendees",
        "schedule": 24 * 3600,
    },
    "send-due-webhooks": {"task": "webhooks.tasks.send_due_webhooks", "schedule": 60},
}

# Notices to people who bookmarked a session that moved, changed stage or was cancelled
# (notices/): changes within this many seconds of the first are collected into one digest per
# person. Keep it below CELERY_VISIBILITY_TIMEOUT, or Redis hands the waiting digest task to a
# second worker (harmless, as a digest is sent once, but wasted work).
NOTICES_BATCH_WINDOW = int(os.environ.get("NOTICES_BATCH_WINDOW", "600"))
# Web Push (VAPID, RFC 8292): the site's key pair as base64url (the private key's raw 32 bytes,
# the public key's uncompressed 65-byte point) and the contact (`mailto:` or `https:`) push
# services may write to. Unset here, a development pair is made once and kept in
# VAPID_DEVELOPMENT_KEY_FILE; production settings make none, so push stays off without keys.
VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "")
VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY", "")
VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:events@greenroom.test")
VAPID_DEVELOPMENT_KEY_FILE: Path | None = VAR_DIR / "vapid-development-key.txt"

# Apps whose models the "Organizers" group may manage in the admin.
GREENROOM_ORGANIZER_APPS = ["events", "speakers", "agenda", "tickets", "webhooks"]

# Outbound webhooks (webhooks/addresses.py): in development endpoints may be on this machine or
# the local network and plain http; production refuses both (server-side request forgery).
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", True)
WEBHOOKS_REQUIRE_HTTPS = env_bool("WEBHOOKS_REQUIRE_HTTPS", False)
# An endpoint answering nothing but failures this long is disabled and the organizers told.
WEBHOOKS_DISABLE_AFTER_DAYS = int(os.environ.get("WEBHOOKS_DISABLE_AFTER_DAYS", "5"))

LOGGING = logging_config(
    level=os.environ.get("LOG_LEVEL", "INFO"), handler={"class": "logging.StreamHandler"}
)

# Accounts (django-allauth): people sign up and log in by e-mail, verify it before they can
# log in, and may log in with a code sent by e-mail instead of a password. allauth's own rate
# limits apply (ACCOUNT_RATE_LIMITS defaults). Apps use the headless API (/_allauth/app/v1/)
# and send the session token it returns as X-Session-Token; our API accepts it.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Confirming the address in the session (browser or app) that signed up signs the person in
# (allauth checks that the session is the one that signed up; a link opened elsewhere only
# verifies the address).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Greenroom] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if GREENROOM_SITE_URL.startswith("https") else "http"
HEADLESS_CLIENTS = ("app", "browser")
HEADLESS_SERVE_SPECIFICATION = True
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:account"
# Stripe is the local test server started by `make run`: the site says payments are simulated.
GREENROOM_PAYMENTS_SIMULATED = env_bool("PAYMENTS_SIMULATED", False)
# How the site takes card payments: "card" (Stripe.js's card form on our payment page) or
# "checkout" (a redirect to a Stripe Checkout page, for deployments that prefer Stripe's own).
GREENROOM_WEB_PAYMENT_FLOW = os.environ.get("WEB_PAYMENT_FLOW", "card")
