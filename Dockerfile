# CoinPilot Dashboard: gunicorn serving dashboard.wsgi:server (see deploy/ and the README's Deploy section).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GUNICORN_BIND=0.0.0.0:8050 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, in their own layer: it is rebuilt only when setup.cfg changes.
COPY pyproject.toml setup.cfg README.md ./
COPY dashboard/__init__.py dashboard/__init__.py
RUN pip install --no-cache-dir . && pip uninstall --yes coinpilot-dashboard

COPY dashboard/ dashboard/
COPY layouts/ layouts/
COPY callbacks/ callbacks/
COPY data/ data/
COPY i18n/ i18n/
COPY alerts/ alerts/
COPY store/ store/
COPY admin/ admin/
COPY simulator/ simulator/
COPY assets/ assets/
COPY scripts/ scripts/
COPY deploy/gunicorn.conf.py deploy/gunicorn.conf.py
RUN pip install --no-cache-dir --no-deps -e . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin coinpilot \
    && mkdir -p /data/alerts && chown 10001 /data/alerts

# The alert watcher's state (the same image runs it: `coinpilot-dashboard watch`) and the
# dashboard's own store (dashboard.sqlite3, unless DASHBOARD_STORE_URL names a PostgreSQL one):
# mount a volume here and share it between the dashboard and watcher containers.
ENV ALERT_STATE_DIR=/data/alerts

USER 10001
EXPOSE 8050
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:8050' + os.environ.get('DASHBOARD_URL_PREFIX', '/').rstrip('/') + '/healthz', timeout=2)"]
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py", "dashboard.wsgi:server"]
