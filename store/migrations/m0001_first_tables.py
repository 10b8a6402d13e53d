"""Version 1: login and rate counters, expiring values (shared cache bookkeeping), the event log."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from store.columns import Id, Json, UtcDateTime

VERSION = 1
SUMMARY = "counter_hits, expiring_values, event_log"


def upgrade(conn: Connection) -> None:
    metadata = sa.MetaData()
    sa.Table(
        "counter_hits",
        metadata,
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("counter", sa.String(64), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Index("ix_counter_hits_counter_key_at", "counter", "key", "at"),
        sa.Index("ix_counter_hits_at", "at"),
    )
    sa.Table(
        "expiring_values",
        metadata,
        sa.Column("namespace", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("value", Json),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Index("ix_expiring_values_expires_at", "expires_at"),
    )
    sa.Table(
        "event_log",
        metadata,
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(200)),
        sa.Column("channel", sa.String(64)),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("payload", Json),
        sa.Index("ix_event_log_kind_at", "kind", "at"),
        sa.Index("ix_event_log_at", "at"),
    )
    metadata.create_all(conn, checkfirst=False)
