"""The Celery app: configured from Django settings (CELERY_* names), tasks found in each app.

Each kind of work has a queue of its own (TASK_QUEUES), so a backlog of one (a newsletter's
e-mails, a partner's slow webhook endpoint) never delays another (a paid order's fulfilment):
deploy/ runs one worker group per queue. Tasks are routed by the module that defines them.
"""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

# Queue of each task, by name pattern (first match wins); anything else goes to `default`.
# Payments: Stripe refunds, expiring holds and reconciling payments: money and stock, kept
# short. Mail: e-mails to buyers and speakers. Notifications: notices to people's devices and
# outbound webhooks to partners (slow remote ends, retried with back-off).
TASK_ROUTES = {
    "tickets.tasks.send_*": {"queue": "mail"},
    "tickets.tasks.*": {"queue": "payments"},
    "speakers.tasks.*": {"queue": "mail"},
    "notices.tasks.*": {"queue": "notifications"},
    "webhooks.tasks.*": {"queue": "notifications"},
}
DEFAULT_QUEUE = "default"
TASK_QUEUES = ("payments", "mail", "notifications", DEFAULT_QUEUE)

app = Celery("greenroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_routes = (TASK_ROUTES,)
app.conf.task_default_queue = DEFAULT_QUEUE
# A worker started without --queues (development, tests, a one-machine site) takes them all.
app.conf.task_queues = [Queue(name) for name in TASK_QUEUES]
app.autodiscover_tasks()
