"""Settings for the web and worker processes that the fault tests start (tests/faults).

The test settings, with what crosses process boundaries made real: tasks go through the
broker at FAULTS_BROKER_URL, e-mails are files in FAULTS_MAIL_DIR that the test reads, and
kombu hands back an unacknowledged message after FAULTS_VISIBILITY_TIMEOUT seconds, looking
every second (production: base settings). DATABASE_URL names the test database; CACHE_URL,
when set, makes Redis the cache as in production.
"""

import os

from config.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = os.environ["FAULTS_BROKER_URL"]
CELERY_RESULT_BACKEND = None
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "visibility_timeout": int(os.environ.get("FAULTS_VISIBILITY_TIMEOUT", "3")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": os.environ["FAULTS_MAIL_DIR"]},
    }
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}
