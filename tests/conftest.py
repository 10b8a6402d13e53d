"""Shared fixtures: fresh databases (plain PostgreSQL, real TimescaleDB, SQLite) and a private
Redis database per test session, a seeded CoinPilot history on each, and settings/services built
on them. `seeded_database` and `seeded_services` are parametrized by backend, so a test that
takes them runs on all three."""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

import pytest
import redis
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from dashboard.app import build_services
from data.database import Backend
from i18n import using
from simulator.seeding import compress_chunks_older_than, create_schema, write_history
from simulator.synthetic import generate_history
from simulator.writer import WritableDatabase
from tests.support.helpers import SEED_END, SEED_SYMBOLS, FixedClock, make_settings
from tests.support.live import WatchedPage
from tests.support.pg import create_database, drop_database, drop_role
from tests.support.services import (
    CHROMIUM_FLAGS,
    PG_ADMIN_URL,
    REDIS_URL_BASE,
    TSDB_ADMIN_URL,
    chromium_path,
    missing,
    unique_name,
)


@pytest.fixture(autouse=True, scope="session")
def english_for_pure_tests():
    """Layouts called directly in a test read the preferences of the test's thread: English,
    since most tests assert English text (the product's default is Korean, tested on its own).
    Session-wide, so module fixtures that render a panel before a test starts are English too."""
    with using(language="en"):
        yield


def _admin_engine(admin_url: str, what: str):
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        missing(f"{what} not reachable at {admin_url}: {str(exc.orig).strip().splitlines()[0]}")
    return engine


class PostgresFactory:
    """Creates throw-away databases on a PostgreSQL server and drops them at the end; on the
    TimescaleDB server each database gets the extension, as CoinPilot's production has."""

    def __init__(self, admin_url: str = PG_ADMIN_URL, *, timescaledb: bool = False):
        what = "TimescaleDB (../shared/timescaledb/start-cluster starts it)" if timescaledb else "PostgreSQL"
        self.admin_url = admin_url
        self.timescaledb = timescaledb
        self.engine = _admin_engine(admin_url, what)
        self.created: list[str] = []
        self.roles: list[str] = []

    @property
    def backend(self) -> Backend:
        return Backend.TIMESCALEDB if self.timescaledb else Backend.POSTGRESQL

    def create(self, prefix: str = "cp_test", template: str | None = None) -> str:
        """A new database (a copy of the database named `template`, if given); returns its URL."""
        name = unique_name(prefix)
        create_database(self.engine, name, template)
        self.created.append(name)
        url = make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)
        if self.timescaledb:
            engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS timescaledb"))
            engine.dispose()
        return url

    def drop_all(self):
        for name in self.created:
            drop_database(self.engine, name)
        for role in self.roles:  # after their databases: a role cannot go while it holds grants there
            drop_role(self.engine, role)
        self.engine.dispose()


@pytest.fixture(scope="session")
def postgres():
    factory = PostgresFactory()
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def timescale():
    """Throw-away databases on the real TimescaleDB server (port 5433), extension created."""
    factory = PostgresFactory(TSDB_ADMIN_URL, timescaledb=True)
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def redis_db():
    """The URL of a Redis database number nobody else uses (empty when the session starts)."""
    for number in range(15, 0, -1):
        url = f"{REDIS_URL_BASE}/{number}"
        client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        try:
            if client.dbsize() == 0:
                client.set("coinpilot:test:claim", "1", ex=3600)
                yield url
                client.flushdb()
                return
        except redis.RedisError as exc:
            missing(f"Redis not reachable at {REDIS_URL_BASE}: {exc}")
        finally:
            client.close()
    missing("no empty Redis database number (1-15) for the tests")


@pytest.fixture
def redis_client(redis_db):
    client = redis.Redis.from_url(redis_db)
    for key in client.scan_iter(match="bot:status:*"):
        client.delete(key)
    for key in client.scan_iter(match="market:regime:*"):
        client.delete(key)
    client.delete("coinpilot:volatility_state", "coinpilot-dashboard:test-bot-status")
    yield client
    client.close()


@pytest.fixture(scope="session")
def seeded_history():
    return generate_history(SEED_SYMBOLS, 3, SEED_END, seed=12)


@pytest.fixture(scope="session")
def seeded_pg_url(postgres, seeded_history):
    """A PostgreSQL database holding three days of synthetic CoinPilot history (read-only use)."""
    url = postgres.create("cp_seeded")
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.POSTGRESQL)
    write_history(writer.engine, Backend.POSTGRESQL, seeded_history)
    writer.dispose()
    return url


@pytest.fixture(scope="session")
def seeded_tsdb_url(timescale, seeded_history):
    """The same history on real TimescaleDB, laid out as production: a hypertable in one-day
    chunks whose chunks older than a day before the history's end are compressed
    (segmented by symbol and interval), the newest ones not (read-only use)."""
    url = timescale.create("cp_seeded_tsdb")
    writer = WritableDatabase(url)
    # No policy: the whole history is older than its 7 days, so a working scheduler would
    # compress the newer chunks too and the layout would change under the tests.
    create_schema(writer.engine, Backend.TIMESCALEDB, compression_policy=False)
    with writer.engine.begin() as conn:
        conn.execute(sa.text("SELECT set_chunk_time_interval('market_data', INTERVAL '1 day')"))
    write_history(writer.engine, Backend.TIMESCALEDB, seeded_history)
    compress_chunks_older_than(writer.engine, SEED_END - timedelta(days=1))
    writer.dispose()
    return url


@pytest.fixture(scope="session")
def seeded_sqlite_url(tmp_path_factory, seeded_history):
    """The same history in a SQLite file, as the demo keeps it (read-only use)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('seeded') / 'coinpilot.sqlite3'}"
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.SQLITE)
    write_history(writer.engine, Backend.SQLITE, seeded_history)
    writer.dispose()
    return url


class SeededDatabase(NamedTuple):
    backend: Backend
    url: str


SEEDED_URL_FIXTURES = {
    Backend.POSTGRESQL: "seeded_pg_url",
    Backend.TIMESCALEDB: "seeded_tsdb_url",
    Backend.SQLITE: "seeded_sqlite_url",
}


@pytest.fixture(params=list(SEEDED_URL_FIXTURES), ids=[backend.value for backend in SEEDED_URL_FIXTURES])
def seeded_database(request) -> SeededDatabase:
    """The seeded history on each backend in turn (without the TimescaleDB server that one
    skips with the reason, or fails under COINPILOT_REQUIRE_SERVICES=1)."""
    return SeededDatabase(request.param, request.getfixturevalue(SEEDED_URL_FIXTURES[request.param]))


@pytest.fixture
def empty_pg_url(postgres):
    """A fresh PostgreSQL database with the CoinPilot tables and no rows (writable by the test)."""
    url = postgres.create("cp_empty")
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.POSTGRESQL)
    writer.dispose()
    return url


@pytest.fixture
def seeded_services(seeded_database, redis_db):
    """Services over the seeded history on each backend, at a fixed "now" 30 s after its end."""
    clock = FixedClock(SEED_END + timedelta(seconds=30))
    services = build_services(make_settings(seeded_database.url, redis_db), clock=clock)
    services.test_clock = clock
    yield services
    services.database.dispose()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (Playwright allows one sync driver at a time)."""
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        missing("playwright is not installed (pip install -e '.[test]')")
    manager = sync_playwright().start()
    chromium = manager.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
    yield chromium
    chromium.close()
    manager.stop()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    yield context
    context.close()


@pytest.fixture
def watched(context, request):
    """Open pages through this; at the end of the test none may have had an error."""
    pages: list[WatchedPage] = []

    def open_page(name: str | None = None) -> WatchedPage:
        page = WatchedPage(context, name or request.node.name)
        pages.append(page)
        return page

    yield open_page
    problems = [f"{p.name}: {problem}" for p in pages for problem in p.problems]
    assert not problems, "\n".join(problems)
