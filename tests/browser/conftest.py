"""Browser fixtures: the dashboard served on a seeded PostgreSQL + Redis.

The history is seeded once into a template database; every server gets a copy of it.
Tests that only read share one server per module (`live_dashboard`); a test that inserts or
changes rows takes `private_dashboard`, a copy and a server of its own, so no test's
outcome depends on which tests ran before it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from dashboard.app import create_app
from dashboard.extensions import services_of
from data.database import Backend
from data.tables import risk_audit
from simulator.seeding import create_schema, write_history
from simulator.writer import WritableDatabase
from tests.support.helpers import SEED_SYMBOLS, history_holding_positions, make_settings
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


class SeededTemplate:
    def __init__(self, name: str, history):
        self.name = name
        self.history = history


@pytest.fixture(scope="session")
def browser_template(postgres):
    """A database holding three days of history ending now; only ever copied, never served."""
    url = postgres.create("cp_browser_template")
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.POSTGRESQL)
    history = history_holding_positions(SEED_SYMBOLS, 3, datetime.now(UTC), first_seed=21)
    write_history(writer.engine, Backend.POSTGRESQL, history)
    # The v3 bot writes no risk-audit rows; a deployment upgraded from week 6 keeps the ones its earlier
    # bot wrote, which the Risk and System audit grids list.
    with writer.engine.begin() as conn:
        conn.execute(
            sa.insert(risk_audit),
            [
                {
                    "violation_type": kind,
                    "description": text,
                    "timestamp": datetime.now(UTC) - timedelta(days=days_ago),
                }
                for kind, text, days_ago in (
                    ("DAILY_TRADE_LIMIT", "Daily trade limit reached: 10/10 trades", 40),
                    ("CONSECUTIVE_LOSSES", "3 consecutive losses: cooldown for 2 h", 41),
                )
            ],
        )
    writer.dispose()  # a template cannot be copied while anyone is connected to it
    return SeededTemplate(make_url(url).database, history)


def serve_copy(postgres, redis_db, template: SeededTemplate):
    """A fresh copy of the template, served on its own port, refreshing every 5 s."""
    url = postgres.create("cp_browser", template=template.name)
    writer = WritableDatabase(url)
    app = create_app(make_settings(url, redis_db, refresh_seconds=5))
    with LiveServer(app.server) as server:
        yield LiveDashboard(url, writer, template.history, server, services_of(app.server))
    services_of(app.server).database.dispose()
    writer.dispose()


@pytest.fixture(scope="module")
def live_dashboard(postgres, redis_db, browser_template):
    """Shared by a module's tests: take it only in tests that do not write to its database."""
    yield from serve_copy(postgres, redis_db, browser_template)


@pytest.fixture
def private_dashboard(postgres, redis_db, browser_template):
    """A database copy and a server for one test, which may write to it as it likes."""
    yield from serve_copy(postgres, redis_db, browser_template)
