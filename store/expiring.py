"""Small JSON values with an expiry, per namespace, shared by every process on the store (the
bookkeeping of a shared render cache: which version of a page's data is current, who is
computing it). An expired value reads as absent; `prune` removes it for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from store import names
from store.maintenance import DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCHES, PruneReport, prune_in_batches
from store.tables import expiring_values

if TYPE_CHECKING:
    from store.store import DashboardStore

MAX_TTL = timedelta(days=366)


@dataclass(frozen=True)
class Entry:
    value: Any
    expires_at: datetime
    updated_at: datetime


class ExpiringValues:
    def __init__(self, store: DashboardStore, namespace: str):
        self.store = store
        self.namespace = names.name(namespace, "a namespace")

    def get(self, key: str, *, now: datetime | None = None) -> Entry | None:
        """The key's entry, or None when there is none or it has expired."""
        key = names.key(key)
        now = self.store.now(now)
        table = expiring_values
        with self.store.read() as conn:
            row = conn.execute(
                sa.select(table.c.value, table.c.expires_at, table.c.updated_at).where(
                    table.c.namespace == self.namespace, table.c.key == key, table.c.expires_at > now
                )
            ).one_or_none()
        return None if row is None else Entry(row[0], row[1], row[2])

    def put(self, key: str, value: Any, *, ttl: timedelta, now: datetime | None = None) -> Entry:
        """Set the key's value until now + ttl, replacing whatever was there."""
        entry = self._entry(key, value, ttl, now)
        with self.store.write() as conn:
            conn.execute(self._upsert(conn, key, entry, only_if_expired=False))
        return entry

    def claim(self, key: str, value: Any, *, ttl: timedelta, now: datetime | None = None) -> bool:
        """Set the key's value only if it has none or it has expired: True for the one process
        that got it (the others see False until it expires or is deleted)."""
        entry = self._entry(key, value, ttl, now)
        with self.store.write() as conn:
            return conn.execute(self._upsert(conn, key, entry, only_if_expired=True)).rowcount == 1

    def delete(self, key: str) -> bool:
        key = names.key(key)
        table = expiring_values
        with self.store.write() as conn:
            deleted = conn.execute(sa.delete(table).where(table.c.namespace == self.namespace, table.c.key == key))
            return deleted.rowcount == 1

    def prune(
        self,
        *,
        now: datetime | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_batches: int = DEFAULT_MAX_BATCHES,
    ) -> PruneReport:
        """Delete this namespace's expired entries, in bounded batches."""
        now = self.store.now(now)
        table = expiring_values
        condition = (table.c.namespace == self.namespace) & (table.c.expires_at <= now)
        return prune_in_batches(
            self.store, table, condition, table.c.expires_at, batch_size=batch_size, max_batches=max_batches
        )

    def _entry(self, key: str, value: Any, ttl: timedelta, now: datetime | None) -> Entry:
        names.key(key)
        names.json_value(value, "a stored value")
        if not timedelta(0) < ttl <= MAX_TTL:
            raise ValueError(f"ttl must be more than 0 and at most {MAX_TTL.days} days")
        now = self.store.now(now)
        return Entry(value, now + ttl, now)

    def _upsert(self, conn: Connection, key: str, entry: Entry, *, only_if_expired: bool):
        dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        table = expiring_values
        statement = dialect_insert(table).values(
            namespace=self.namespace,
            key=key,
            value=entry.value,
            expires_at=entry.expires_at,
            updated_at=entry.updated_at,
        )
        return statement.on_conflict_do_update(
            index_elements=[table.c.namespace, table.c.key],
            set_={
                "value": statement.excluded.value,
                "expires_at": statement.excluded.expires_at,
                "updated_at": statement.excluded.updated_at,
            },
            where=(table.c.expires_at <= entry.updated_at) if only_if_expired else None,
        )
