"""Browser fixtures: headless Chromium, and the dashboard served on a seeded PostgreSQL + Redis."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dashboard.app import create_app
from data.database import Backend, Database
from data.services import services_of
from simulator.seeding import create_schema, write_history
from simulator.synthetic import generate_history
from tests.support.helpers import SEED_SYMBOLS, make_settings
from tests.support.live import LiveServer


class LiveDashboard:
    """A seeded database, its history (for independent arithmetic) and a running server."""

    def __init__(self, url, writer, history, server, services):
        self.database_url = url
        self.writer = writer
        self.history = history
        self.server = server
        self.services = services

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="module")
def live_dashboard(postgres, redis_db):
    """The dashboard on a PostgreSQL database whose history ends now, refreshing every 5 s."""
    url = postgres.create("cp_browser")
    writer = Database(url, read_only=False, statement_timeout_ms=None)
    create_schema(writer.engine, Backend.POSTGRESQL)
    history = generate_history(SEED_SYMBOLS, 3, datetime.now(UTC), seed=21)
    write_history(writer.engine, Backend.POSTGRESQL, history)
    app = create_app(make_settings(url, redis_db, refresh_seconds=5))
    with LiveServer(app.server) as server:
        yield LiveDashboard(url, writer, history, server, services_of(app.server))
    services_of(app.server).database.dispose()
    writer.dispose()
