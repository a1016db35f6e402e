"""gunicorn settings of one Greenroom app server: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Sync workers: each request holds one database connection for its few milliseconds, and
PgBouncer keeps the server connections few. Two or three workers per core; the load balancer
(deploy/haproxy.cfg) spreads requests over every app server and checks GET /healthz.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "sync"
# A request taking longer is stuck (the inventory lock waits 5 s at most); the worker is
# replaced and the load balancer answers the client.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Behind HAProxy's keep-alive connections to the servers.
keepalive = 5
# Replaced now and then, so no slow leak grows; jitter keeps workers from restarting together.
max_requests = 5000
max_requests_jitter = 500
# Django loaded once in the master, workers forked from it: less memory, faster restarts.
preload_app = True
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Only the load balancer talks to us; it sets X-Forwarded-For and X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = os.environ.get("GUNICORN_PROC_NAME", "greenroom-web")
