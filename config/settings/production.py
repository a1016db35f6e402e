"""Production settings: the base settings behind an HTTPS-terminating proxy, with no
development fallbacks. `manage.py check --deploy` passes clean with these.

Set at least DJANGO_SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL; CACHE_URL and
CELERY_BROKER_URL (Redis) once there is more than one web process. Run
`manage.py collectstatic` before starting (WhiteNoise serves the collected files).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from config.logging import logging_config
from config.settings.base import *  # noqa: F403
from config.settings.base import (
    DEVELOPMENT_SECRET_KEY,
    MIDDLEWARE,
    SECURE_CSP,
    env_bool,
    env_list,
    mailers,
)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY or SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "Set DJANGO_SECRET_KEY to a long random value (for example the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`); production settings "
        "do not start with the development key."
    )
DEBUG = False
# No development default: an empty list answers every request with 400 (and check --deploy
# says so).
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
# Origins (https://host) allowed to post forms, e.g. the admin, when the proxy's host differs.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# TLS ends at the proxy, which tells us the original scheme; anything else is redirected.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
# The load balancer's health checks talk plain HTTP to each process directly.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# HSTS for a year by default (roll out with a small DJANGO_HSTS_SECONDS first if unsure).
# Asking browsers to preload the domain is the site owner's decision, binding on every
# subdomain and slow to undo, so it is opt-in; with it off, the deploy check's reminder about
# it (security.W021) is silenced on purpose.
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
# Order keys travel in URLs (`?key=`), so no other site learns our URLs through Referer.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CSP = {**SECURE_CSP, "upgrade-insecure-requests": True}

# gunicorn does not serve files: WhiteNoise serves the collected static files (the admin's, the
# API docs' bundles) with far-future caching, before any other middleware runs.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *(name for name in MIDDLEWARE if name != "django.middleware.security.SecurityMiddleware"),
]
# Uploaded media (speakers' headshots and their renditions): on this machine's disk
# (MEDIA_STORAGE=local, DJANGO_MEDIA_ROOT), or, once there is more than one web or worker
# machine, in an S3-compatible bucket every node reads and writes (MEDIA_STORAGE=s3: AWS S3,
# MinIO, Ceph, Cloudflare R2…). Credentials come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
# or the machine's role, as boto3 finds them. The code reaches files only through the storage
# API, never by local path.
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "local")
if MEDIA_STORAGE == "s3":
    MEDIA_STORAGE_BACKEND = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            # Public headshots are served from the bucket's (or its CDN's) own domain.
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "location": os.environ.get("AWS_LOCATION", "media"),
            # Objects stay private unless the bucket's policy says otherwise; URLs are signed.
            "default_acl": None,
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", True),
            "file_overwrite": True,
        },
    }
    if not MEDIA_STORAGE_BACKEND["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
elif MEDIA_STORAGE == "local":
    MEDIA_STORAGE_BACKEND = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE is local or s3, not {MEDIA_STORAGE!r}.")
STORAGES = {
    "default": MEDIA_STORAGE_BACKEND,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Mail goes out over SMTP (EMAIL_HOST…) unless DJANGO_EMAIL_BACKEND names another real backend.
MAILERS = mailers(
    os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
)

# Webhook endpoints must be public https URLs (see base.py).
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False)
WEBHOOKS_REQUIRE_HTTPS = env_bool("WEBHOOKS_REQUIRE_HTTPS", True)

# Web Push needs the site's own VAPID key pair and contact; without a private key push is off
# (the account page offers no "notify me on this device"), e-mail digests still go out.
VAPID_DEVELOPMENT_KEY_FILE = None
if os.environ.get("VAPID_PRIVATE_KEY") and not (
    os.environ.get("VAPID_PUBLIC_KEY") and os.environ.get("VAPID_SUBJECT")
):
    raise ImproperlyConfigured(
        "Set VAPID_PUBLIC_KEY and VAPID_SUBJECT (mailto: or https: contact) with "
        "VAPID_PRIVATE_KEY, or unset all three to leave Web Push off."
    )

# Long-lived connections are checked before reuse, so a database restart costs no errors.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

# Logs go to stdout, one line each, for the process manager or container runtime to collect.
LOGGING = logging_config(
    level=os.environ.get("LOG_LEVEL", "INFO"),
    handler={"class": "logging.StreamHandler", "stream": "ext://sys.stdout"},
)
