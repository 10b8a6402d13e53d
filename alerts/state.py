"""The watcher's state file read for the dashboard: read-only, and fine when it does not exist.

The Alerts page and the status strip call AlertStateReader.read(); it never writes (the file
is opened with SQLite's mode=ro) and never needs the watcher to be running.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from alerts.engine import RuleState, State
from alerts.store import read_states, table_columns

EXTENSION_KEY = "coinpilot-alerts"
QUEUE_SHOWN = 10  # waiting messages listed per channel, oldest first
CHANNEL_COUNTS = (
    "SELECT channel, SUM(sent_at IS NOT NULL), SUM(sent_at IS NULL AND failed_at IS NULL), "
    "SUM(failed_at IS NOT NULL), MAX(sent_at), SUM(sent_with IS NOT NULL) FROM outbox GROUP BY channel ORDER BY channel"
)
CHANNEL_COUNTS_BEFORE_MERGING = (
    "SELECT channel, SUM(sent_at IS NOT NULL), SUM(sent_at IS NULL AND failed_at IS NULL), "
    "SUM(failed_at IS NOT NULL), MAX(sent_at), 0 FROM outbox GROUP BY channel ORDER BY channel"
)
DEFAULT_BUDGET_S = 24 * 3600.0


@dataclass(frozen=True)
class WatcherInfo:
    host: str
    pid: int
    role: str  # sender or standby
    started_at: float
    seen_at: float
    evaluated_at: float | None
    evaluation_seconds: float
    last_error: str | None

    def alive(self, now: float) -> bool:
        """Seen within three evaluations (the time a standby waits before taking over)."""
        return now - self.seen_at <= max(3 * self.evaluation_seconds, 1.0) + 5.0


@dataclass(frozen=True)
class HistoryEntry:
    at: str
    key: str
    old: State
    new: State


@dataclass(frozen=True)
class QueuedMessage:
    """A message waiting for a channel: what, when it happened, and where its retries stand."""

    key: str
    kind: str  # firing, resolved, reminder
    happened_at: str | None  # the event's time (ISO, UTC), as the message says it
    attempts: int
    next_attempt_at: float
    gives_up_at: float  # queued + ALERT_DELIVERY_BUDGET_HOURS
    last_error: str | None


@dataclass(frozen=True)
class ChannelReport:
    channel: str
    sent: int
    waiting: int
    failed: int
    last_sent_at: float | None
    last_error: str | None
    # Of the sent: carried inside another message (a reminder behind a newer one, a resolution
    # sent with its firing).
    merged: int = 0
    queue: tuple[QueuedMessage, ...] = ()  # the oldest QUEUE_SHOWN waiting messages


@dataclass(frozen=True)
class Silence:
    target: str
    until: float


@dataclass(frozen=True)
class AlertSnapshot:
    exists: bool
    rules: list[RuleState] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    watchers: list[WatcherInfo] = field(default_factory=list)
    channels: list[ChannelReport] = field(default_factory=list)
    silences: list[Silence] = field(default_factory=list)
    error: str | None = None

    @property
    def firing(self) -> list[RuleState]:
        return [r for r in self.rules if r.state is State.FIRING]


class AlertStateReader:
    def __init__(self, path: Path | str, budget_s: float = DEFAULT_BUDGET_S):
        self.path = Path(path)
        # ALERT_DELIVERY_BUDGET_HOURS, as the watcher has it: when a waiting message is given up.
        self.budget_s = budget_s

    def init_app(self, server) -> None:
        """Attach to the Flask app, as DataServices does."""
        server.extensions[EXTENSION_KEY] = self

    def read(self, history_limit: int = 100) -> AlertSnapshot:
        if not self.path.is_file():
            return AlertSnapshot(exists=False)
        try:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=2.0)
        except sqlite3.Error as exc:
            return AlertSnapshot(exists=True, error=str(exc))
        try:
            return self._read(conn, history_limit, self.budget_s)
        except sqlite3.Error as exc:
            return AlertSnapshot(exists=True, error=str(exc))
        finally:
            conn.close()

    @staticmethod
    def _read(conn, history_limit: int, budget_s: float) -> AlertSnapshot:
        now = time.time()
        states = read_states(conn)
        history = [
            HistoryEntry(r[0], r[1], State(r[2]), State(r[3]))
            for r in conn.execute(
                "SELECT at, key, old_state, new_state FROM history ORDER BY id DESC LIMIT ?", (history_limit,)
            )
        ]
        watchers = [
            WatcherInfo(*r)
            for r in conn.execute(
                "SELECT host, pid, role, started_at, seen_at, evaluated_at, evaluation_seconds, last_error "
                "FROM watchers ORDER BY seen_at DESC"
            )
        ]
        channels = []
        # A state file an older watcher wrote has no sent_with column: nothing was merged there.
        merged = "sent_with" in table_columns(conn, "outbox")
        for r in conn.execute(CHANNEL_COUNTS if merged else CHANNEL_COUNTS_BEFORE_MERGING):
            last_error = conn.execute(
                "SELECT last_error FROM outbox WHERE channel = ? AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1",
                (r[0],),
            ).fetchone()
            queue = tuple(
                QueuedMessage(q[0], q[1], _happened_at(q[2]), q[4], q[5], q[3] + budget_s, q[6])
                for q in conn.execute(
                    "SELECT key, kind, message, created_at, attempts, next_attempt_at, last_error FROM outbox "
                    "WHERE channel = ? AND sent_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT ?",
                    (r[0], QUEUE_SHOWN),
                )
            )
            channels.append(
                ChannelReport(r[0], r[1], r[2], r[3], r[4], last_error[0] if last_error else None, r[5], queue)
            )
        silences = [
            Silence(r[0], r[1])
            for r in conn.execute("SELECT target, MAX(until) FROM silences WHERE until > ? GROUP BY target", (now,))
        ]
        order = {State.FIRING: 0, State.PENDING: 1, State.OK: 2}
        rules = sorted(states.values(), key=lambda s: (order[s.state], s.key))
        return AlertSnapshot(True, rules, history, watchers, channels, silences)


def _happened_at(message: str) -> str | None:
    try:
        at = json.loads(message).get("at")
    except (ValueError, AttributeError):
        return None
    return at if isinstance(at, str) else None


def reader_of(server) -> AlertStateReader:
    return server.extensions[EXTENSION_KEY]
