"""DashboardStore: the store's connection life cycle, its preparation and its health.

One per process (each gunicorn worker, the watcher, a CLI command). Nothing happens when it is
made: the engine is created on first use, and the first use in a process prepares the store
(creates its tables when it is empty), as start-up does explicitly (`prepare()`). Every write
transaction checks the schema version first, so a store another process upgraded past this
code is never written by it, even while this process keeps running.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cached_property

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url

from data.health import redact
from i18n import Message
from store import migrate
from store.counters import SlidingWindowCounter
from store.engine import WRITE_OPTION, StoreBackend, backend_of, create_store_engine, set_wal_mode, sqlite_path
from store.errors import (
    StoreError,
    StoreNewer,
    StoreNotSetUp,
    StoreOutdated,
    StoreReadOnly,
    StoreUnreachable,
    first_line,
    translate,
)
from store.events import EventLog
from store.expiring import ExpiringValues
from store.migrations import MIGRATIONS, Migration
from store.status import StoreState, StoreStatus
from store.tables import expiring_values, schema_version

EXTENSION_KEY = "coinpilot-store"
# While the store is unreachable, fail at once for this long instead of making every caller
# wait out its own connect timeout (as data.database does for the bot's database).
_UNREACHABLE_FAST_FAIL_S = 2.0
PROBE_NAMESPACE = "store.write-probe"

# Stores whose pools a forked child must drop: a connection shared by two processes corrupts
# both sessions (and SQLite's locks with them). The hook is installed with the first engine.
_live_stores: weakref.WeakSet[DashboardStore] = weakref.WeakSet()
_fork_hook_installed = False


def _forget_pools_after_fork() -> None:
    for store in list(_live_stores):
        store._forget_pool_after_fork()


def _install_fork_hook() -> None:
    global _fork_hook_installed
    if not _fork_hook_installed and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_forget_pools_after_fork)
        _fork_hook_installed = True


def utc_now() -> datetime:
    return datetime.now(UTC)


class DashboardStore:
    def __init__(
        self,
        url: str,
        *,
        connect_timeout_s: float = 3.0,
        statement_timeout_ms: int | None = 5000,
        busy_timeout_s: float = 5.0,
        clock: Callable[[], datetime] = utc_now,
        migrations: tuple[Migration, ...] = MIGRATIONS,
    ):
        self.url = url
        # The steps this code knows (tests pass a longer or shorter list to play another release).
        self.migrations = migrations
        self.latest_version = migrations[-1].version
        self.backend = backend_of(url)
        self.connect_timeout_s = connect_timeout_s
        self.statement_timeout_ms = statement_timeout_ms
        self.busy_timeout_s = busy_timeout_s
        self.clock = clock
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._prepared = False
        self._unreachable_until = 0.0
        self._unreachable_error: StoreUnreachable | None = None
        if self.backend is StoreBackend.SQLITE and not make_url(url).database:
            raise ValueError("an in-memory SQLite store is not shared between processes: name a file")

    def __repr__(self) -> str:
        return f"DashboardStore({self.display_url!r})"

    # -- life cycle -----------------------------------------------------------------------

    @property
    def display_url(self) -> str:
        if self.backend is StoreBackend.SQLITE:
            return str(sqlite_path(self.url))
        return redact(make_url(self.url).render_as_string(hide_password=True))

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                _install_fork_hook()
                self._engine = create_store_engine(
                    self.url,
                    connect_timeout_s=self.connect_timeout_s,
                    statement_timeout_ms=self.statement_timeout_ms,
                    busy_timeout_s=self.busy_timeout_s,
                )
                _live_stores.add(self)
            return self._engine

    def dispose(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    def _forget_pool_after_fork(self) -> None:
        self._lock = threading.Lock()
        if self._engine is not None:
            self._engine.dispose(close=False)  # the parent's connections stay the parent's
            self._engine = None

    def init_app(self, server) -> None:
        """Attach to the Flask app, as DataServices does."""
        server.extensions[EXTENSION_KEY] = self

    # -- transactions ---------------------------------------------------------------------

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Connection]:
        if time.monotonic() < self._unreachable_until and self._unreachable_error is not None:
            raise self._unreachable_error
        try:
            with self.engine.connect() as conn:
                if write:
                    conn.execution_options(**{WRITE_OPTION: True})
                with conn.begin():
                    yield conn
        except StoreError:
            raise
        except sa.exc.SQLAlchemyError as exc:
            error = translate(exc, self.display_url)
            if isinstance(error, StoreUnreachable):
                self._unreachable_error = error
                self._unreachable_until = time.monotonic() + _UNREACHABLE_FAST_FAIL_S
            raise error from exc
        self._unreachable_error = None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction (on SQLite a WAL snapshot: it never waits for a writer)."""
        self.ready()
        with self._transaction(write=False) as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A short write transaction, refused unless the store is at this code's version."""
        self.ready()
        with self._transaction(write=True) as conn:
            found = conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar()
            self._require_current(found)
            yield conn

    # -- preparation ----------------------------------------------------------------------

    def ready(self) -> None:
        """Set the store up once per process (again after a failure): its tables exist, at this
        code's version. Reads and writes call it; whether a write succeeds is the write's answer."""
        if not self._prepared:
            self._set_up()

    def prepare(self) -> migrate.UpgradeReport:
        """Start-up: create the tables of an empty store; refuse one at another version or one
        that cannot be written (a current store may still be a read-only file, role or server:
        say so now rather than at the first write). Raises StoreError (the caller logs it and
        goes on: the pages never need the store)."""
        report = self._set_up()
        self._probe_write()
        return report

    def _set_up(self) -> migrate.UpgradeReport:
        report = self._upgrade(only_if_empty=True)
        self._require_current(report.now)
        self._prepared = True
        return report

    def upgrade(self) -> migrate.UpgradeReport:
        """`coinpilot-dashboard store upgrade`: apply every pending step, in one transaction."""
        report = self._upgrade(only_if_empty=False)
        self._prepared = True
        return report

    def _upgrade(self, *, only_if_empty: bool) -> migrate.UpgradeReport:
        if self.backend is StoreBackend.SQLITE:
            self._create_sqlite_file()
        with self._transaction(write=True) as conn:
            return migrate.apply(
                conn, now=self.clock(), only_if_empty=only_if_empty, where=self.display_url, steps=self.migrations
            )

    def _create_sqlite_file(self) -> None:
        path = sqlite_path(self.url)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreReadOnly(Message("store.read_only", where=self.display_url, detail=first_line(exc))) from exc
        try:
            set_wal_mode(self.engine)
        except sa.exc.SQLAlchemyError as exc:
            raise translate(exc, self.display_url) from exc
        except sqlite3.Error as exc:  # the driver's own error: raw_connection() does not wrap it
            wrapped = sa.exc.OperationalError("PRAGMA journal_mode = WAL", None, exc)
            raise translate(wrapped, self.display_url) from exc

    # -- health ---------------------------------------------------------------------------

    def status(self, *, prepare: bool = True) -> StoreStatus:
        """Whether the store can be written now, and if not why; never raises. With `prepare`
        (a serving process) an empty store is set up first; `check` looks without touching."""
        base = {"backend": self.backend.label, "where": self.display_url, "supported_version": self.latest_version}
        if not prepare and self.backend is StoreBackend.SQLITE and not sqlite_path(self.url).exists():
            return StoreStatus(StoreState.EMPTY, **base, problem=Message("store.no_file"))
        found, not_prepared = None, None
        if prepare:
            try:
                self.ready()
            except StoreError as exc:
                not_prepared = exc  # diagnosed again below, with the version found
        try:
            started = time.perf_counter()
            with self._transaction(write=False) as conn:
                found = migrate.current_version(conn)
                server = _server_version(conn)
            latency_ms = (time.perf_counter() - started) * 1000.0
            if found is None and not_prepared is not None:
                raise not_prepared  # why its tables could not be made (a read-only file, the bot's tables)
            self._require_current(found)
            self._probe_write()
        except StoreError as exc:
            return StoreStatus(StoreState(exc.kind), **base, found_version=found, problem=exc.message)
        except Exception as exc:  # noqa: BLE001 - the System page must never fail on its store card
            detail = f"{type(exc).__name__}: {first_line(exc)}"
            return StoreStatus(
                StoreState.FAILED,
                **base,
                found_version=found,
                problem=Message("store.failed", where=self.display_url, detail=detail),
            )
        return StoreStatus(StoreState.OK, **base, found_version=found, server_version=server, latency_ms=latency_ms)

    def _probe_write(self) -> None:
        """Write a row and roll it back: what a read-only file, role or server refuses, with no trace."""
        now = self.clock()
        try:
            with self._transaction(write=True) as conn:
                conn.execute(
                    sa.insert(expiring_values).values(
                        namespace=PROBE_NAMESPACE, key=uuid.uuid4().hex, value=None, expires_at=now, updated_at=now
                    )
                )
                raise _RollBack
        except _RollBack:
            pass

    # -- the tables' small APIs -------------------------------------------------------------

    @cached_property
    def events(self) -> EventLog:
        return EventLog(self)

    def counter(self, name: str) -> SlidingWindowCounter:
        return SlidingWindowCounter(self, name)

    def values(self, namespace: str) -> ExpiringValues:
        return ExpiringValues(self, namespace)

    def _require_current(self, found: int | None) -> None:
        latest = self.latest_version
        if found is None:
            raise StoreNotSetUp(Message("store.empty"))
        if found > latest:
            raise StoreNewer(Message("store.newer", found=found, supported=latest))
        if found < latest:
            raise StoreOutdated(Message("store.outdated", found=found, supported=latest))

    def now(self, at: datetime | None = None) -> datetime:
        """`at`, or the store's clock; always aware UTC."""
        value = self.clock() if at is None else at
        if value.tzinfo is None:
            raise ValueError(f"the store takes aware datetimes only, got naive {value.isoformat()}")
        return value.astimezone(UTC)


def _server_version(conn: Connection) -> str:
    if conn.dialect.name == "sqlite":
        return "SQLite " + conn.execute(sa.text("SELECT sqlite_version()")).scalar()
    return "PostgreSQL " + conn.execute(sa.text("SHOW server_version")).scalar()


class _RollBack(Exception):
    """Ends the write probe's transaction the way every failure does: rolled back."""


def store_of(server) -> DashboardStore:
    return server.extensions[EXTENSION_KEY]
