"""Settings of the processes `make cluster-check` starts (deploy/cluster_check.py): the
production settings, with what a loopback run on one machine needs changed, and nothing else.

- Plain HTTP: there is no TLS on 127.0.0.1, so no redirect to https (HAProxy's TLS frontend
  is the production path; SECURE_PROXY_SSL_HEADER stays as in production).
- A worker that dies hands its task on after seconds, not 15 minutes, and the survivors look
  for such tasks every second: the check kills workers on purpose and waits for that.
- The probe task (deploy/cluster_tasks.py) is loaded, so a task can be held mid-flight.
"""

from config.settings.production import *  # noqa: F403
from config.settings.production import CELERY_BROKER_TRANSPORT_OPTIONS

SECURE_SSL_REDIRECT = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
CELERY_IMPORTS = ["deploy.cluster_tasks"]
