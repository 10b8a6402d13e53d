"""gunicorn configuration for CoinPilot Dashboard: `gunicorn -c deploy/gunicorn.conf.py dashboard.wsgi:server`.

Every value can be overridden from the environment (GUNICORN_*), so the same file serves the
Docker image, a systemd unit and the tests.

Timeouts are ordered so the innermost gives up first and says why:
  database statement timeout (DASHBOARD_STATEMENT_TIMEOUT_MS, 5 s)
    < gunicorn worker timeout (GUNICORN_TIMEOUT, 30 s)
    < nginx proxy_read_timeout (60 s, deploy/nginx/*.conf)
"""

import logging
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8050")

# Callbacks wait on PostgreSQL and Redis far more than they compute: threads per worker,
# and 2 x cores + 1 workers (capped: each worker holds its own pandas/plotly, ~150 MB).
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"

timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 20))
# Longer than nginx keeps an idle upstream connection (58 s), so nginx always closes first and
# never sends a request on a connection gunicorn is closing; not a multiple of the 5 s refresh.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 75))

# Recycle workers now and then (a leak stays bounded); jitter keeps them from restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 5000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 500))

# Each worker imports dashboard.wsgi itself, so each builds its own database pool; no
# connection is ever shared across a fork (data.database also drops pools in forked children).
preload_app = False

# gunicorn 22+ opens a control socket in $HOME by default; several instances on one host
# would fight over it and the dashboard does not use it.
control_socket_disable = True

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The app's own log (data-layer failures, rejected requests) goes to the same error log.
capture_output = True
# Client (as forwarded by nginx), request, status, size and duration in milliseconds (%(M)s).
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# Forwarded headers are trusted only from the local proxy.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def when_ready(server):
    statement_s = int(os.environ.get("DASHBOARD_STATEMENT_TIMEOUT_MS", "5000")) / 1000
    if statement_s >= timeout:
        logging.getLogger("gunicorn.error").warning(
            "DASHBOARD_STATEMENT_TIMEOUT_MS (%.1f s) should be below the gunicorn timeout (%s s)", statement_s, timeout
        )
