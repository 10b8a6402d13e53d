"""A named counter of hits per key in a sliding window, shared by every process on the store
(for login throttling: failures per client address, per account).

A hit is a row; a count is the hits of a key since a time. `record` adds a hit and counts in
the same transaction under a per-key lock (SQLite: the write lock; PostgreSQL: an advisory lock
on the key), so the counts that concurrent processes get back are exactly 1, 2, 3 ... and two
workers can never both see "9 failures" and both let a tenth guess through.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from store import names
from store.maintenance import DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCHES, PruneReport, prune_in_batches
from store.tables import counter_hits

if TYPE_CHECKING:
    from store.store import DashboardStore


@dataclass(frozen=True)
class WindowCount:
    count: int
    oldest: datetime | None  # the oldest hit counted: the count drops when it leaves the window


class SlidingWindowCounter:
    def __init__(self, store: DashboardStore, name: str):
        self.store = store
        self.name = names.name(name, "a counter's name")

    def record(self, key: str, *, since: datetime, at: datetime | None = None) -> WindowCount:
        """Add a hit of `key` at `at` (now), and count the key's hits after `since`, atomically."""
        key = names.key(key)
        at, since = self.store.now(at), self.store.now(since)
        with self.store.write() as conn:
            _lock_key(conn, self.name, key)
            conn.execute(sa.insert(counter_hits).values(counter=self.name, key=key, at=at))
            return self._count(conn, key, since)

    def count(self, key: str, *, since: datetime) -> WindowCount:
        """The key's hits after `since` (a read: it never waits for a writer on SQLite)."""
        key = names.key(key)
        since = self.store.now(since)
        with self.store.read() as conn:
            return self._count(conn, key, since)

    def reset(self, key: str) -> int:
        """Forget every hit of `key`; how many there were."""
        key = names.key(key)
        with self.store.write() as conn:
            _lock_key(conn, self.name, key)
            condition = (counter_hits.c.counter == self.name) & (counter_hits.c.key == key)
            return conn.execute(sa.delete(counter_hits).where(condition)).rowcount

    def prune(
        self, *, older_than: datetime, batch_size: int = DEFAULT_BATCH_SIZE, max_batches: int = DEFAULT_MAX_BATCHES
    ) -> PruneReport:
        """Delete this counter's hits at or before `older_than`, in bounded batches."""
        cutoff = self.store.now(older_than)
        condition = (counter_hits.c.counter == self.name) & (counter_hits.c.at <= cutoff)
        return prune_in_batches(
            self.store, counter_hits, condition, counter_hits.c.at, batch_size=batch_size, max_batches=max_batches
        )

    def _count(self, conn: Connection, key: str, since: datetime) -> WindowCount:
        row = conn.execute(
            sa.select(sa.func.count(), sa.func.min(counter_hits.c.at)).where(
                counter_hits.c.counter == self.name, counter_hits.c.key == key, counter_hits.c.at > since
            )
        ).one()
        # min() keeps the column's type, so the oldest hit comes back as an aware UTC datetime.
        return WindowCount(int(row[0]), row[1])


def _lock_key(conn: Connection, counter: str, key: str) -> None:
    """Serialise the writers of one key on PostgreSQL (SQLite's write transaction already does)."""
    if conn.dialect.name == "postgresql":
        digest = hashlib.blake2b(f"{counter}\0{key}".encode(), digest_size=8).digest()
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": int.from_bytes(digest, "big", signed=True)})
