"""The watcher's state file read for the dashboard: read-only, and fine when it does not exist.

The Alerts page and the status strip call AlertStateReader.read(); it never writes (the file
is opened with SQLite's mode=ro) and never needs the watcher to be running.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from alerts.engine import RuleState, State
from alerts.store import read_states

EXTENSION_KEY = "coinpilot-alerts"


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
class ChannelReport:
    channel: str
    sent: int
    waiting: int
    failed: int
    last_sent_at: float | None
    last_error: str | None


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
    def __init__(self, path: Path | str):
        self.path = Path(path)

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
            return self._read(conn, history_limit)
        except sqlite3.Error as exc:
            return AlertSnapshot(exists=True, error=str(exc))
        finally:
            conn.close()

    @staticmethod
    def _read(conn, history_limit: int) -> AlertSnapshot:
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
        for r in conn.execute(
            "SELECT channel, SUM(sent_at IS NOT NULL), SUM(sent_at IS NULL AND failed_at IS NULL), "
            "SUM(failed_at IS NOT NULL), MAX(sent_at) FROM outbox GROUP BY channel ORDER BY channel"
        ):
            last_error = conn.execute(
                "SELECT last_error FROM outbox WHERE channel = ? AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1",
                (r[0],),
            ).fetchone()
            channels.append(ChannelReport(r[0], r[1], r[2], r[3], r[4], last_error[0] if last_error else None))
        silences = [
            Silence(r[0], r[1])
            for r in conn.execute("SELECT target, MAX(until) FROM silences WHERE until > ? GROUP BY target", (now,))
        ]
        order = {State.FIRING: 0, State.PENDING: 1, State.OK: 2}
        rules = sorted(states.values(), key=lambda s: (order[s.state], s.key))
        return AlertSnapshot(True, rules, history, watchers, channels, silences)


def reader_of(server) -> AlertStateReader:
    return server.extensions[EXTENSION_KEY]
