"""WSGI entry point: `gunicorn dashboard.wsgi:server`. The app is built from the environment
when a worker imports this module, so each worker owns its database pool (see deploy/gunicorn.conf.py)."""

from __future__ import annotations

import logging
import os
import sys

from dashboard.app import create_app, prepare_store
from dashboard.settings import Settings, SettingsError
from store import store_of

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

try:
    settings = Settings.from_env(os.environ)
except SettingsError as exc:
    print(f"configuration error: {exc}", file=sys.stderr)
    raise SystemExit(2) from None
if settings.database_url is None:
    print("configuration error: DATABASE_URL: not set (nor DB_HOST/DB_USER/DB_NAME)", file=sys.stderr)
    raise SystemExit(2)

app = create_app(settings)
server = app.server
# Each worker's start-up: the first to get the store's lock creates its tables when it is empty.
prepare_store(store_of(server))
