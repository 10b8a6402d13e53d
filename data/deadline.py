"""A client-side deadline for PostgreSQL round trips: a connection that gets no answer in time is
shut down from a watchdog thread, so the waiting request fails instead of hanging forever.

Why the server-side and kernel timeouts are not enough: a statement timeout needs a server that
reads the query, and keepalives and tcp_user_timeout cannot fire against a peer (a frozen host, a
stuck proxy) that acknowledges every packet and never answers. psycopg2 then blocks inside libpq
with no timeout at all, and a gunicorn gthread worker keeps heart-beating while its request
threads are stuck, so nothing ever restarts it. Shutting the socket down wakes libpq up with
"server closed the connection unexpectedly", which SQLAlchemy treats as a disconnect: the
connection is dropped from the pool and the next checkout connects afresh.

(psycopg2's set_wait_callback could do this too, but it is process-wide and switches psycopg2
to its "green" mode, in which COPY is refused: the seeding tools and tests share the process.)
"""

from __future__ import annotations

import os
import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg2

# How often the watchdog looks for expired round trips: the deadline is kept to within this.
_TICK_S = 0.25
DEADLINE_MESSAGE = "server closed the connection unexpectedly: no answer within {seconds:g} s (client deadline)"


class _Entry:
    __slots__ = ("connection", "expires_at", "fired")

    def __init__(self, connection, expires_at: float):
        self.connection = weakref.ref(connection)
        self.expires_at = expires_at
        self.fired = False


class Watchdog:
    """One daemon thread per process that shuts down the sockets of overdue round trips."""

    _instance: Watchdog | None = None
    _instance_lock = threading.Lock()

    def __init__(self):
        self._entries: dict[int, _Entry] = {}
        self._lock = threading.Lock()
        self._pid = os.getpid()
        threading.Thread(target=self._run, name="db-deadline-watchdog", daemon=True).start()

    @classmethod
    def get(cls) -> Watchdog:
        # A forked child (gunicorn worker) has no watchdog thread: it gets its own.
        with cls._instance_lock:
            if cls._instance is None or cls._instance._pid != os.getpid():
                cls._instance = Watchdog()
            return cls._instance

    @contextmanager
    def deadline(self, connection, seconds: float) -> Iterator[_Entry]:
        """Arm a deadline around one blocking call on a psycopg2 connection."""
        entry = _Entry(connection, time.monotonic() + seconds)
        with self._lock:
            self._entries[id(entry)] = entry
        try:
            yield entry
        finally:
            with self._lock:
                self._entries.pop(id(entry), None)

    def _run(self) -> None:
        while True:
            time.sleep(_TICK_S)
            now = time.monotonic()
            with self._lock:
                # Under the lock: the call cannot return (and its connection be closed and its
                # file descriptor reused) between the check and the shutdown.
                for entry in self._entries.values():
                    if not entry.fired and entry.expires_at <= now:
                        entry.fired = True
                        _shut_down(entry.connection())


def _shut_down(connection) -> None:
    if connection is None or connection.closed:
        return
    try:
        # shutdown() acts on the socket itself, so doing it through a duplicate descriptor
        # wakes libpq's poll() on the original; closing the duplicate leaves libpq's alone.
        with socket.socket(fileno=os.dup(connection.fileno())) as duplicate:
            duplicate.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def bounded(call: Callable, seconds: float, connection_of: Callable[[tuple], object]) -> Callable:
    """`call` with a deadline on the psycopg2 connection found in its arguments; a call cut off
    by the deadline raises an OperationalError that says so (and that SQLAlchemy reads as a
    disconnect)."""

    def wrapper(*args, **kwargs):
        connection = _raw(connection_of(args))
        if connection is None:
            return call(*args, **kwargs)
        with Watchdog.get().deadline(connection, seconds) as entry:
            try:
                return call(*args, **kwargs)
            except psycopg2.Error as exc:
                if entry.fired:
                    raise psycopg2.OperationalError(DEADLINE_MESSAGE.format(seconds=seconds)) from exc
                raise

    return wrapper


def _raw(connection):
    # The pool passes its proxy (a "fairy") to do_rollback; the watchdog needs the driver's object.
    connection = getattr(connection, "dbapi_connection", connection)
    return connection if isinstance(connection, psycopg2.extensions.connection) else None


def install(engine, query_s: float, quick_s: float) -> None:
    """Bound every blocking call SQLAlchemy makes on this engine's PostgreSQL connections:
    statements get `query_s` (past the server's statement timeout), the pool's liveness ping and
    the rollback on return get `quick_s`."""
    dialect = engine.dialect
    for name, seconds, connection_of in (
        ("do_execute", query_s, lambda args: args[0].connection),
        ("do_execute_no_params", query_s, lambda args: args[0].connection),
        ("do_executemany", query_s, lambda args: args[0].connection),
        ("do_ping", quick_s, lambda args: args[0]),
        ("do_rollback", quick_s, lambda args: args[0]),
    ):
        # Instance attributes shadow the dialect class's methods for this engine only.
        setattr(dialect, name, bounded(getattr(dialect, name), seconds, connection_of))
