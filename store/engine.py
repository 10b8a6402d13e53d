"""The store's engine: SQLite in WAL mode with a busy timeout, or PostgreSQL with timeouts.

SQLite: Python's sqlite3 module would open transactions lazily and as readers; here every
transaction begins explicitly, a write one with BEGIN IMMEDIATE, which takes the write lock
first and waits for it (busy timeout) instead of failing when two writers meet mid-transaction.
WAL lets readers go on while one process writes. Several gunicorn workers and the watcher
therefore take turns on one file, each transaction a few milliseconds long.
"""

from __future__ import annotations

import enum
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from data import deadline

WRITE_OPTION = "store_write"


class StoreBackend(str, enum.Enum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"

    @property
    def label(self) -> str:
        return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[self.value]


def backend_of(url: str) -> StoreBackend:
    return StoreBackend.SQLITE if make_url(url).get_backend_name() == "sqlite" else StoreBackend.POSTGRESQL


def sqlite_path(url: str) -> Path:
    return Path(make_url(url).database)


def create_store_engine(
    url: str, *, connect_timeout_s: float, statement_timeout_ms: int | None, busy_timeout_s: float
) -> Engine:
    if backend_of(url) is StoreBackend.SQLITE:
        return _sqlite_engine(url, busy_timeout_s)
    return _postgresql_engine(url, connect_timeout_s, statement_timeout_ms)


def _sqlite_engine(url: str, busy_timeout_s: float) -> Engine:
    # sqlite3's `timeout` is SQLite's busy timeout: how long a writer waits for the write lock.
    engine = sa.create_engine(url, connect_args={"timeout": busy_timeout_s, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Transactions are begun by _on_begin below, not by the sqlite3 module.
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "BEGIN")

    return engine


def _postgresql_engine(url: str, connect_timeout_s: float, statement_timeout_ms: int | None) -> Engine:
    options = []
    if statement_timeout_ms is not None:
        # Also bounds the wait for a lock: a store transaction is milliseconds long.
        options += [f"-c statement_timeout={int(statement_timeout_ms)}", f"-c lock_timeout={int(statement_timeout_ms)}"]
    engine = sa.create_engine(
        url,
        pool_pre_ping=True,
        pool_size=2,
        max_overflow=4,
        pool_timeout=connect_timeout_s,
        pool_recycle=1800,
        connect_args={
            "connect_timeout": max(1, int(connect_timeout_s)),
            "options": " ".join(options),
            "application_name": "coinpilot-dashboard-store",
            "tcp_user_timeout": 1000,
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 2,
            "keepalives_count": 3,
        },
    )
    if statement_timeout_ms is not None:
        # A server that accepts and then never answers defeats the timeouts above (data.deadline).
        deadline.install(
            engine, query_s=statement_timeout_ms / 1000.0 + connect_timeout_s, quick_s=float(connect_timeout_s)
        )
    return engine


def set_wal_mode(engine: Engine) -> None:
    """WAL is a property of the file (it stays once set), and cannot be set inside a transaction."""
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA journal_mode = WAL")
    finally:
        raw.close()
