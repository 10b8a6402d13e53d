"""Applying the migration steps (store.migrations) to a store, under a lock.

Every gunicorn worker and the watcher prepare the store at start-up, at the same moment: the
upgrade runs in one write transaction that first takes a lock (SQLite: the write lock of BEGIN
IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock) and only then reads the version, so
exactly one process creates the tables and the others find them made.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from i18n import Message
from store.errors import StoreIsBotDatabase, StoreNewer
from store.migrations import MIGRATIONS, Migration
from store.tables import schema_version

# Tables only the bot's database has: a store URL that reaches them is the bot's database
# under another name (another host alias, another user), and the dashboard never writes there.
BOT_TABLES = ("market_data", "trading_history", "account_state", "daily_risk_state")
_LOCK_KEY = int.from_bytes(
    hashlib.blake2b(b"coinpilot-dashboard store migrations", digest_size=8).digest(), "big", signed=True
)


@dataclass(frozen=True)
class UpgradeReport:
    found: int | None  # None: the store had no tables of ours
    now: int
    applied: tuple[int, ...]

    @property
    def created(self) -> bool:
        return self.found is None and bool(self.applied)


def current_version(conn: Connection) -> int | None:
    """The store's schema version; None when it has no schema_version table (an empty store)."""
    if not sa.inspect(conn).has_table(schema_version.name):
        return None
    return conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0


def take_lock(conn: Connection) -> None:
    """Serialise upgrades across processes (on SQLite the write transaction already does)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})


def apply(
    conn: Connection,
    *,
    now: datetime,
    only_if_empty: bool,
    where: str,
    steps: tuple[Migration, ...] = MIGRATIONS,
) -> UpgradeReport:
    """Bring the store to the last of `steps` inside the caller's write transaction. With
    `only_if_empty` (start-up) a store that already has tables is left as it is: upgrading a
    store that holds data is the operator's decision (`coinpilot-dashboard store upgrade`)."""
    latest = steps[-1].version
    take_lock(conn)
    found = current_version(conn)
    if found is None:
        present = sorted(set(BOT_TABLES) & set(sa.inspect(conn).get_table_names()))
        if present:
            raise StoreIsBotDatabase(Message("store.bot_database", where=where, tables=", ".join(present)))
        schema_version.create(conn)
    elif only_if_empty:
        return UpgradeReport(found, found, ())
    if (found or 0) > latest:
        raise StoreNewer(Message("store.newer", found=found, supported=latest))
    applied = []
    for step in steps:
        if step.version > (found or 0):
            step.upgrade(conn)
            conn.execute(sa.insert(schema_version).values(version=step.version, summary=step.summary, applied_at=now))
            applied.append(step.version)
    return UpgradeReport(found, latest, tuple(applied))
