"""The watcher's own state: a SQLite file in ALERT_STATE_DIR, never the bot's tables or keys.

It holds each rule's state, the transition history, the outbox of messages per channel, the
silences, the watchers' liveness and the sender lease. One evaluation is one transaction
(state + history + outbox), so a restart neither forgets a firing alert nor sends it again.

The single-sender choice is a lease row in this same file: a watcher evaluates and sends only
while it holds an unexpired lease, and every commit checks it still does. It lives here, not
in PostgreSQL or Redis, because it must survive exactly the faults it reports (an advisory
lock dies with the database connection), and because the state it guards lives here too: a
standby that takes over sees what the last sender sent. Two watchers therefore share the
state directory (one host, or a volume both containers mount); SQLite's locking needs a
local file system, not NFS.
"""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alerts.engine import Event, Outcome, RuleState, State

SCHEMA = """
CREATE TABLE IF NOT EXISTS rule_state (
    key TEXT PRIMARY KEY, rule TEXT NOT NULL, subject TEXT, state TEXT NOT NULL, since TEXT,
    value_key TEXT NOT NULL, value_args TEXT NOT NULL, rule_args TEXT NOT NULL, page TEXT NOT NULL,
    evaluated_at TEXT NOT NULL, notified_at TEXT, unknown INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, key TEXT NOT NULL,
    old_state TEXT NOT NULL, new_state TEXT NOT NULL, value_key TEXT NOT NULL, value_args TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, channel TEXT NOT NULL,
    kind TEXT NOT NULL, key TEXT NOT NULL, message TEXT NOT NULL, created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL,
    sent_at REAL, failed_at REAL, last_error TEXT, sent_with INTEGER,
    UNIQUE (event_id, channel)
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (channel, sent_at, failed_at, next_attempt_at);
CREATE TABLE IF NOT EXISTS silences (
    target TEXT NOT NULL, until REAL NOT NULL, created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS lease (
    name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS watchers (
    holder TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, role TEXT NOT NULL,
    started_at REAL NOT NULL, seen_at REAL NOT NULL, evaluated_at REAL,
    evaluation_seconds REAL NOT NULL, last_error TEXT
);
"""
# Columns added since the first state files: (table, column, the statement adding it). A file
# an older watcher wrote gains them when a watcher opens it; the dashboard's reader copes without.
ADDED_COLUMNS = (
    # The outbox row whose message carried this one (a reminder dropped behind a newer message,
    # a resolution sent together with its firing); NULL when it went out as itself.
    ("outbox", "sent_with", "ALTER TABLE outbox ADD COLUMN sent_with INTEGER"),
)
LEASE_NAME = "sender"
HISTORY_KEPT = 5000


@dataclass(frozen=True)
class Delivery:
    id: int
    event_id: str
    channel: str
    kind: str
    key: str
    message: dict[str, Any]
    attempts: int
    created_at: float  # when it was queued (the evaluation's clock): its delivery budget counts from here
    next_attempt_at: float


def _ts(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


class AlertStore:
    """Read-write access for the watcher (and the `--silence` command)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)
            for table, column, statement in ADDED_COLUMNS:
                if column not in table_columns(conn, table):
                    conn.execute(statement)

    @contextmanager
    def _connection(self):
        # A connection per unit of work: the evaluation loop and each delivery thread write
        # concurrently; WAL and a busy timeout let them take turns.
        conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        try:
            conn.execute("PRAGMA busy_timeout=10000")
            yield conn
        finally:
            conn.close()

    @contextmanager
    def _write(self):
        with self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # -- the sender lease ---------------------------------------------------------------------

    def try_lease(self, holder: str, ttl_s: float, now: float | None = None) -> bool:
        """Take or renew the sender lease; False while another watcher holds an unexpired one."""
        now = time.time() if now is None else now
        with self._write() as conn:
            row = conn.execute("SELECT holder, expires_at FROM lease WHERE name = ?", (LEASE_NAME,)).fetchone()
            if row is not None and row[0] != holder and row[1] > now:
                return False
            conn.execute(
                "INSERT INTO lease (name, holder, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at",
                (LEASE_NAME, holder, now + ttl_s),
            )
            return True

    def release_lease(self, holder: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM lease WHERE name = ? AND holder = ?", (LEASE_NAME, holder))

    @staticmethod
    def _holds(conn, holder: str, now: float) -> bool:
        row = conn.execute("SELECT holder, expires_at FROM lease WHERE name = ?", (LEASE_NAME,)).fetchone()
        return row is not None and row[0] == holder and row[1] > now

    # -- liveness -----------------------------------------------------------------------------

    def record_watcher(
        self,
        holder: str,
        host: str,
        pid: int,
        role: str,
        started_at: float,
        evaluation_s: float,
        evaluated: bool,
        error: str | None = None,
    ) -> None:
        now = time.time()
        with self._write() as conn:
            conn.execute(
                "INSERT INTO watchers (holder, host, pid, role, started_at, seen_at, evaluated_at, evaluation_seconds, last_error) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (holder) DO UPDATE SET role = excluded.role, "
                "seen_at = excluded.seen_at, evaluated_at = COALESCE(excluded.evaluated_at, watchers.evaluated_at), "
                "last_error = excluded.last_error",
                (holder, host, pid, role, started_at, now, now if evaluated else None, evaluation_s, error),
            )
            # Watchers gone for a day are history, not news.
            conn.execute("DELETE FROM watchers WHERE seen_at < ?", (now - 86400,))

    # -- rule states --------------------------------------------------------------------------

    def load_states(self) -> dict[str, RuleState]:
        with self._connection() as conn:
            return read_states(conn)

    def commit_evaluation(
        self,
        holder: str | None,
        outcome: Outcome,
        deliveries: list[tuple[Event, str, dict]],
        now: float | None = None,
    ) -> bool:
        """Save one evaluation and queue its messages, atomically; False (nothing saved) when
        `holder` no longer holds the lease (another watcher took over meanwhile). `now` is the
        evaluation's clock (epoch seconds): the messages are queued, and due, at it."""
        now = time.time() if now is None else now
        with self._write() as conn:
            if holder is not None and not self._holds(conn, holder, time.time()):
                return False
            conn.executemany(
                "INSERT INTO rule_state (key, rule, subject, state, since, value_key, value_args, rule_args, page, "
                "evaluated_at, notified_at, unknown) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET state = excluded.state, since = excluded.since, "
                "value_key = excluded.value_key, value_args = excluded.value_args, rule_args = excluded.rule_args, "
                "page = excluded.page, evaluated_at = excluded.evaluated_at, notified_at = excluded.notified_at, "
                "unknown = excluded.unknown",
                [
                    (
                        s.key,
                        s.rule,
                        s.subject,
                        s.state.value,
                        _ts(s.since),
                        s.value_key,
                        json.dumps(s.value_args),
                        json.dumps(s.rule_args),
                        s.page,
                        _ts(s.evaluated_at),
                        _ts(s.notified_at),
                        int(s.unknown),
                    )
                    for s in outcome.states.values()
                ],
            )
            conn.executemany(
                "INSERT INTO history (at, key, old_state, new_state, value_key, value_args) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (_ts(t.at), t.key, t.old.value, t.new.value, t.value_key, json.dumps(t.value_args))
                    for t in outcome.transitions
                ],
            )
            conn.executemany(
                "INSERT OR IGNORE INTO outbox (event_id, channel, kind, key, message, created_at, next_attempt_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (event.event_id, channel, event.kind.value, event.state.key, json.dumps(message), now, now)
                    for event, channel, message in deliveries
                ],
            )
            if outcome.transitions:
                conn.execute("DELETE FROM history WHERE id <= (SELECT MAX(id) FROM history) - ?", (HISTORY_KEPT,))
        return True

    # -- silences -----------------------------------------------------------------------------

    def add_silence(self, target: str, seconds: float) -> float:
        now = time.time()
        with self._write() as conn:
            conn.execute(
                "INSERT INTO silences (target, until, created_at) VALUES (?, ?, ?)", (target, now + seconds, now)
            )
            conn.execute("DELETE FROM silences WHERE until < ?", (now,))
        return now + seconds

    def active_silences(self, now: float | None = None) -> set[str]:
        now = time.time() if now is None else now
        with self._connection() as conn:
            return {row[0] for row in conn.execute("SELECT target FROM silences WHERE until > ?", (now,))}

    # -- the outbox ---------------------------------------------------------------------------

    def waiting(self, channel: str, holder: str | None, limit: int = 500) -> list[Delivery]:
        """The channel's messages not yet sent or given up, oldest first, due or not (none unless
        `holder` holds the lease). The lease is judged by the wall clock, as it is taken."""
        with self._connection() as conn:
            if holder is not None and not self._holds(conn, holder, time.time()):
                return []
            rows = conn.execute(
                "SELECT id, event_id, channel, kind, key, message, attempts, created_at, next_attempt_at FROM outbox "
                "WHERE channel = ? AND sent_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT ?",
                (channel, limit),
            ).fetchall()
        return [Delivery(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7], r[8]) for r in rows]

    def mark_sent(self, ids: tuple[int, ...], now: float) -> None:
        """The message of `ids[0]` was delivered; it carried the others (they count as sent with it)."""
        carrier, *carried = ids
        with self._write() as conn:
            conn.execute(
                "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL, sent_with = NULL "
                "WHERE id = ?",
                (now, carrier),
            )
            conn.executemany(
                "UPDATE outbox SET sent_at = ?, last_error = NULL, sent_with = ? WHERE id = ?",
                [(now, carrier, row) for row in carried],
            )

    def mark_attempt_failed(self, ids: tuple[int, ...], error: str, retry_at: float | None, now: float) -> None:
        """A failed attempt at the message of `ids`: try again at `retry_at`, or give up (None)."""
        with self._write() as conn:
            if retry_at is None:
                conn.executemany(
                    "UPDATE outbox SET attempts = attempts + 1, failed_at = ?, last_error = ? WHERE id = ?",
                    [(now, error, row) for row in ids],
                )
            else:
                conn.executemany(
                    "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?",
                    [(retry_at, error, row) for row in ids],
                )

    def give_up(self, ids: list[int], error: str, now: float) -> None:
        """Messages past their delivery budget: not attempted again."""
        with self._write() as conn:
            conn.executemany(
                "UPDATE outbox SET failed_at = ?, last_error = ? WHERE id = ?", [(now, error, row) for row in ids]
            )

    def hold_channel(self, channel: str, until: float) -> None:
        """The channel is away: none of its waiting messages is tried before `until` (a later
        retry time some already have is kept). Stored, so a restarted watcher keeps the pace."""
        with self._write() as conn:
            conn.execute(
                "UPDATE outbox SET next_attempt_at = MAX(next_attempt_at, ?) "
                "WHERE channel = ? AND sent_at IS NULL AND failed_at IS NULL",
                (until, channel),
            )

    def outbox_rows(self) -> list[dict]:
        with self._connection() as conn:
            conn.row_factory = sqlite3.Row
            return [dict(r) for r in conn.execute("SELECT * FROM outbox ORDER BY id")]


def table_columns(conn, table: str) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM pragma_table_info(?)", (table,))}


def read_states(conn) -> dict[str, RuleState]:
    states = {}
    for r in conn.execute(
        "SELECT key, rule, subject, state, since, value_key, value_args, rule_args, page, evaluated_at, "
        "notified_at, unknown FROM rule_state"
    ):
        states[r[0]] = RuleState(
            key=r[0],
            rule=r[1],
            subject=r[2],
            state=State(r[3]),
            since=_dt(r[4]),
            value_key=r[5],
            value_args=json.loads(r[6]),
            rule_args=json.loads(r[7]),
            page=r[8],
            evaluated_at=_dt(r[9]),
            notified_at=_dt(r[10]),
            unknown=bool(r[11]),
        )
    return states
