"""The database connection life cycle: a read-only engine, backend detection, error translation.

Every read goes through `Database.connect()`, which hands out a connection whose
transactions are read-only, bounded by a statement timeout, and whose failures arrive as
one of the DataError subclasses below, each carrying a sentence an operator can act on.
"""

from __future__ import annotations

import enum
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url

from data import deadline
from data.health import redact
from data.schema import SchemaFeatures, SchemaWatch
from i18n import Message

# While the database is down, fail fast for this long instead of letting every panel of
# every open page wait out its own connect timeout (they would queue up the server threads).
_UNREACHABLE_FAST_FAIL_S = 2.0
_SQLITE_PROGRESS_STEPS = 20_000
# Databases whose pools must be dropped in a forked child (gunicorn with --preload, or any
# fork): a connection shared by two processes corrupts both sessions.
_live_databases: weakref.WeakSet[Database] = weakref.WeakSet()
_fork_hook_installed = False


def _drop_pools_after_fork() -> None:
    for database in list(_live_databases):
        database._forget_pool_after_fork()


def _install_fork_hook() -> None:
    global _fork_hook_installed
    if not _fork_hook_installed and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_drop_pools_after_fork)
        _fork_hook_installed = True


class Backend(str, enum.Enum):
    TIMESCALEDB = "timescaledb"
    POSTGRESQL = "postgresql"
    SQLITE = "sqlite"

    @property
    def label(self) -> str:
        return {"timescaledb": "TimescaleDB", "postgresql": "PostgreSQL", "sqlite": "SQLite"}[self.value]


class DataError(Exception):
    """Base of every failure the data layer reports; str() is the operator-facing sentence,
    in the language of the request that shows it (the error carries an i18n.Message, so a
    cached "unreachable" error reads right in every browser)."""

    kind = "error"


class DatabaseNotConfigured(DataError):
    kind = "not_configured"


class DatabaseUnreachable(DataError):
    kind = "unreachable"


class QueryTimeout(DataError):
    kind = "timeout"


class SchemaMissing(DataError):
    kind = "schema_missing"


class WriteRefused(DataError):
    kind = "write_refused"


class QueryFailed(DataError):
    kind = "query_failed"


@dataclass(frozen=True)
class DatabaseInfo:
    backend: Backend
    server_version: str
    timescaledb_version: str | None
    latency_ms: float


class Database:
    """One engine per process (gunicorn workers each build their own; see dashboard.wsgi)."""

    def __init__(
        self,
        url: str | None,
        *,
        backend_setting: str = "auto",
        connect_timeout_s: int = 3,
        statement_timeout_ms: int | None = 5000,
    ):
        self.url = url
        self.backend_setting = backend_setting
        self.connect_timeout_s = connect_timeout_s
        self.statement_timeout_ms = statement_timeout_ms
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()
        self._backend: Backend | None = None
        # Which optional (v3) columns and tables exist; forgotten when a query hits a missing one.
        self.schema_watch = SchemaWatch()
        self._unreachable_until = 0.0
        self._unreachable_error: DatabaseUnreachable | None = None
        if url is not None:
            dialect = make_url(url).get_backend_name()
            if backend_setting == "sqlite" and dialect != "sqlite":
                raise ValueError("DASHBOARD_DB_BACKEND=sqlite needs a sqlite:/// DATABASE_URL")
            if backend_setting in ("timescaledb", "postgresql") and dialect != "postgresql":
                raise ValueError(f"DASHBOARD_DB_BACKEND={backend_setting} needs a PostgreSQL URL")

    # -- life cycle -------------------------------------------------------------------

    @property
    def configured(self) -> bool:
        return self.url is not None

    @property
    def display_url(self) -> str:
        if self.url is None:
            return "not configured"
        # hide_password covers user:password@ only; libpq also takes ?password= in the query.
        return redact(make_url(self.url).render_as_string(hide_password=True))

    @property
    def engine(self) -> Engine:
        if self.url is None:
            raise DatabaseNotConfigured(Message("errors.db.not_configured"))
        with self._engine_lock:
            if self._engine is None:
                _install_fork_hook()
                self._engine = self._create_engine(self.url)
                _live_databases.add(self)
        return self._engine

    def dispose(self) -> None:
        """Close the pooled connections (at shutdown, or when a test is done with a database:
        PostgreSQL cannot drop or copy a database while a connection to it stays open). After
        a fork the child must not close the parent's sockets: see _forget_pool_after_fork."""
        with self._engine_lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    def _forget_pool_after_fork(self) -> None:
        # In the child: leave the parent's sockets alone (close=False) and start afresh.
        self._engine_lock = threading.Lock()
        if self._engine is not None:
            self._engine.dispose(close=False)
            self._engine = None

    def _session_options(self) -> list[str]:
        """PostgreSQL session settings beyond the statement timeout: every transaction read-only."""
        return ["-c default_transaction_read_only=on"]

    def _sqlite_session_pragma(self) -> str:
        """What each SQLite connection runs first: it may only read."""
        return "PRAGMA query_only=ON"

    def _create_engine(self, url: str) -> Engine:
        if make_url(url).get_backend_name() == "sqlite":
            return self._create_sqlite_engine(url)
        options = []
        if self.statement_timeout_ms is not None:
            options.append(f"-c statement_timeout={int(self.statement_timeout_ms)}")
        options += self._session_options()
        engine = sa.create_engine(
            url,
            pool_pre_ping=True,
            pool_size=5,
            max_overflow=10,
            pool_timeout=self.connect_timeout_s,
            pool_recycle=1800,
            connect_args={
                "connect_timeout": self.connect_timeout_s,
                "options": " ".join(options),
                "application_name": "coinpilot-dashboard",
                # A peer that stops answering (network cut, host frozen) is given up on
                # after 1 s of unacknowledged data instead of the kernel's ~15 minutes, so
                # a stale pooled connection fails fast and the reconnect gets the connect
                # timeout: "unreachable" is reported within connect timeout + ~1 s.
                "tcp_user_timeout": 1000,
                "keepalives": 1,
                "keepalives_idle": 10,
                "keepalives_interval": 2,
                "keepalives_count": 3,
            },
        )
        if self.statement_timeout_ms is not None:
            # A server that accepts and then says nothing defeats every timeout above: the
            # client's own deadline (data.deadline) ends the wait. Statements get the server's
            # statement timeout plus the connect timeout to answer; the pool's ping and the
            # rollback on return are cheap, so they get the connect timeout alone.
            deadline.install(
                engine,
                query_s=self.statement_timeout_ms / 1000.0 + self.connect_timeout_s,
                quick_s=float(self.connect_timeout_s),
            )
        return engine

    def _create_sqlite_engine(self, url: str) -> Engine:
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": self.connect_timeout_s},
        )
        timeout_s = (self.statement_timeout_ms or 0) / 1000.0
        session_pragma = self._sqlite_session_pragma()

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            register_sqlite_functions(dbapi_conn)
            cursor = dbapi_conn.cursor()
            cursor.execute(session_pragma)
            cursor.close()
            if timeout_s > 0:
                deadline = _SqliteDeadline()
                dbapi_conn.set_progress_handler(deadline.expired, _SQLITE_PROGRESS_STEPS)
                _record.info["deadline"] = deadline

        @event.listens_for(engine, "before_cursor_execute")
        def _start_clock(conn, cursor, statement, parameters, context, executemany):
            deadline = conn.info.get("deadline")
            if deadline is not None:
                deadline.start(timeout_s)

        return engine

    # -- connections ------------------------------------------------------------------

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for one unit of work, with failures translated to DataError."""
        now = time.monotonic()
        if now < self._unreachable_until and self._unreachable_error is not None:
            raise self._unreachable_error
        try:
            with self.engine.connect() as conn:
                yield conn
        except DataError:
            raise
        except sa.exc.SQLAlchemyError as exc:
            translated = translate_error(exc, self.display_url)
            if isinstance(translated, DatabaseUnreachable):
                self._unreachable_error = translated
                self._unreachable_until = time.monotonic() + _UNREACHABLE_FAST_FAIL_S
            elif isinstance(translated, SchemaMissing):
                self.schema_watch.invalidate()
            raise translated from exc
        self._unreachable_error = None

    @property
    def backend(self) -> Backend:
        """TimescaleDB, plain PostgreSQL or SQLite, detected once (or forced by setting)."""
        if self._backend is None:
            self._backend = self._detect_backend()
        return self._backend

    def _detect_backend(self) -> Backend:
        if self.backend_setting != "auto":
            return Backend(self.backend_setting)
        if self.engine.dialect.name == "sqlite":
            return Backend.SQLITE
        with self.connect() as conn:
            version = conn.execute(
                sa.text("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'")
            ).scalar()
        return Backend.TIMESCALEDB if version else Backend.POSTGRESQL

    def info(self) -> DatabaseInfo:
        """Server version, TimescaleDB version and a measured round trip."""
        with self.connect() as conn:
            started = time.perf_counter()
            conn.execute(sa.text("SELECT 1")).scalar()
            latency_ms = (time.perf_counter() - started) * 1000.0
            if conn.dialect.name == "sqlite":
                version = "SQLite " + conn.execute(sa.text("SELECT sqlite_version()")).scalar()
                timescale = None
            else:
                version = conn.execute(sa.text("SHOW server_version")).scalar()
                version = f"PostgreSQL {version}"
                timescale = conn.execute(
                    sa.text("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'")
                ).scalar()
        return DatabaseInfo(self.backend, version, timescale, latency_ms)

    def schema(self, conn: Connection) -> SchemaFeatures:
        """The optional (v3) columns and tables this database has (data.schema)."""
        return self.schema_watch.features(conn)


class _SqliteDeadline:
    """SQLite has no statement timeout: a progress handler aborts statements past theirs."""

    def __init__(self):
        self._deadline = float("inf")

    def start(self, timeout_s: float) -> None:
        self._deadline = time.monotonic() + timeout_s

    def expired(self) -> int:
        return 1 if time.monotonic() > self._deadline else 0


class _FirstByTime:
    """SQLite aggregate first(value, time): the value at the earliest time (TimescaleDB's first)."""

    def __init__(self):
        self.best_time = None
        self.value = None

    def step(self, value, at):
        if at is not None and (self.best_time is None or at < self.best_time):
            self.best_time, self.value = at, value

    def finalize(self):
        return self.value


class _LastByTime(_FirstByTime):
    def step(self, value, at):
        if at is not None and (self.best_time is None or at >= self.best_time):
            self.best_time, self.value = at, value


def register_sqlite_functions(dbapi_conn: sqlite3.Connection) -> None:
    dbapi_conn.create_aggregate("first", 2, _FirstByTime)
    dbapi_conn.create_aggregate("last", 2, _LastByTime)


_UNREACHABLE_MARKERS = (
    "could not connect",
    "connection refused",
    "timeout expired",
    "server closed the connection",
    "could not translate host name",
    "connection to server",
    "terminating connection",
    "ssl syscall error",
    "connection timed out",
    "no route to host",
    "network is unreachable",
    "connection already closed",
    "could not receive data",
    "could not send data",
    "unable to open database file",
    "user timeout",
)


def translate_error(exc: sa.exc.SQLAlchemyError, where: str) -> DataError:
    """Map a driver error to what the operator needs to know."""
    if isinstance(exc, sa.exc.TimeoutError):
        return DatabaseUnreachable(Message("errors.db.pool_timeout"))
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "pgcode", None)
    text = str(orig if orig is not None else exc).strip()
    message = text.splitlines()[0] if text else type(exc).__name__
    lowered = message.lower()
    if code == "57014" or (isinstance(orig, sqlite3.OperationalError) and lowered == "interrupted"):
        return QueryTimeout(Message("errors.db.statement_timeout"))
    if code == "42P01" or "no such table" in lowered:
        table = _table_name_from(message)
        return SchemaMissing(Message("errors.db.no_table", table=table))
    if code == "42703" or "no such column" in lowered:
        return SchemaMissing(Message("errors.db.schema_differs", detail=message))
    if code == "25006" or "readonly database" in lowered or "read-only" in lowered:
        return WriteRefused(Message("errors.db.read_only", detail=message))
    if code == "3D000":
        return DatabaseUnreachable(Message("errors.db.unreachable", where=where, detail=message))
    if code in ("28P01", "28000"):
        return DatabaseUnreachable(Message("errors.db.auth_failed", where=where))
    if (
        isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError))
        and (code is None or code.startswith("08") or code.startswith("57P"))
        and (any(marker in lowered for marker in _UNREACHABLE_MARKERS) or code is not None)
    ):
        return DatabaseUnreachable(Message("errors.db.unreachable", where=where, detail=message))
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return DatabaseUnreachable(Message("errors.db.unreachable", where=where, detail=message))
    return QueryFailed(Message("errors.db.query_failed", detail=message))


def _table_name_from(message: str) -> str:
    # PostgreSQL: 'relation "market_data" does not exist'; SQLite: 'no such table: market_data'.
    if '"' in message:
        parts = message.split('"')
        if len(parts) >= 2:
            return parts[1]
    if ":" in message:
        return message.rsplit(":", 1)[1].strip()
    return "(unknown)"
